package domain

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2025, 7, 14, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) *time.Time {
	t := now.Add(d)
	return &t
}

func TestRating_Rank(t *testing.T) {
	tests := []struct {
		name string
		in   Rating
		want int
	}{
		{"outstanding", Outstanding, 4},
		{"good", Good, 3},
		{"requires improvement", RequiresImprovement, 2},
		{"inadequate", Inadequate, 1},
		{"not yet rated ranks below inadequate", NotYetRated, 0},
		{"unknown", "excellent", 0},
		{"empty", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Rank(); got != tt.want {
				t.Errorf("Rank() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseRating(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Rating
	}{
		{"CQC wording", "Requires improvement", RequiresImprovement},
		{"upper case with spaces", "  GOOD ", Good},
		{"outstanding", "Outstanding", Outstanding},
		{"inadequate", "Inadequate", Inadequate},
		{"not yet rated", "Not yet rated", NotYetRated},
		{"already a code", "requires_improvement", RequiresImprovement},
		{"empty", "", NotYetRated},
		{"insufficient evidence", "Insufficient evidence to rate", NotYetRated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseRating(tt.in); got != tt.want {
				t.Errorf("ParseRating(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidCQCID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"location id", "1-545611283", true},
		{"ten digits", "1-1234567890", true},
		{"six digits", "1-123456", true},
		{"too short", "1-12345", false},
		{"too long", "1-1234567890123", false},
		{"no prefix", "545611283", false},
		{"wrong prefix", "2-545611283", false},
		{"letters", "1-54561128X", false},
		{"space", " 1-545611283", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidCQCID(tt.in); got != tt.want {
				t.Errorf("ValidCQCID(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidODSCode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"trust", "RJE", true},
		{"icb", "QNC", true},
		{"care home site", "VN4X2", true},
		{"lower case", "rje", false},
		{"too short", "RJ", false},
		{"council GSS code is too long", "E10000028", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidODSCode(tt.in); got != tt.want {
				t.Errorf("ValidODSCode(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestStatusChange_Validate(t *testing.T) {
	tests := []struct {
		name string
		in   StatusChange
		want string // field in error, "" for valid
	}{
		{"open", StatusChange{Status: Open}, ""},
		{"unknown status", StatusChange{Status: "shut"}, "status"},
		{"empty status", StatusChange{}, "status"},
		{"closure", StatusChange{Status: Closed, Reason: ClosureInfection, ExpiresAt: at(72 * time.Hour)}, ""},
		{"restriction", StatusChange{Status: Restricted, Reason: ClosureStaffing, ExpiresAt: at(time.Hour)}, ""},
		{"closure needs reason", StatusChange{Status: Closed, ExpiresAt: at(time.Hour)}, "reason"},
		{"closure needs known reason", StatusChange{Status: Closed, Reason: "weather", ExpiresAt: at(time.Hour)}, "reason"},
		{"closure needs expiry", StatusChange{Status: Closed, Reason: ClosureInfection}, "expires_at"},
		{"expiry now is not future", StatusChange{Status: Closed, Reason: ClosureInfection, ExpiresAt: at(0)}, "expires_at"},
		{"expiry in past", StatusChange{Status: Closed, Reason: ClosureInfection, ExpiresAt: at(-time.Hour)}, "expires_at"},
		{"expiry at 90 days", StatusChange{Status: Closed, Reason: ClosureMaintenance, ExpiresAt: at(MaxClosure)}, ""},
		{"expiry past 90 days", StatusChange{Status: Closed, Reason: ClosureMaintenance, ExpiresAt: at(MaxClosure + time.Second)}, "expires_at"},
		{"open with unknown reason", StatusChange{Status: Open, Reason: "weather"}, "reason"},
		{"note too long", StatusChange{Status: Open, Note: strings.Repeat("é", MaxNoteLength+1)}, "note"},
		{"note at limit in runes", StatusChange{Status: Open, Note: strings.Repeat("é", MaxNoteLength)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate(now)
			checkField(t, err, tt.want)
		})
	}
}

func TestEffectiveStatus(t *testing.T) {
	tests := []struct {
		name    string
		status  AdmissionStatus
		expires *time.Time
		want    AdmissionStatus
	}{
		{"empty is open", "", nil, Open},
		{"open", Open, nil, Open},
		{"closed until later", Closed, at(time.Hour), Closed},
		{"closure expired", Closed, at(-time.Hour), Open},
		{"closure expiring now", Closed, at(0), Open},
		{"restriction expired", Restricted, at(-time.Minute), Open},
		{"restricted until later", Restricted, at(time.Minute), Restricted},
		{"closed without expiry stays closed", Closed, nil, Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EffectiveStatus(tt.status, tt.expires, now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestThresholds_Band(t *testing.T) {
	tests := []struct {
		name     string
		observed time.Time
		want     Freshness
	}{
		{"just now", now, Fresh},
		{"from the future", now.Add(time.Minute), Fresh},
		{"23h59", now.Add(-24*time.Hour + time.Minute), Fresh},
		{"24h is ageing", now.Add(-24 * time.Hour), Ageing},
		{"48h", now.Add(-48 * time.Hour), Ageing},
		{"72h is still ageing", now.Add(-72 * time.Hour), Ageing},
		{"just over 72h is stale", now.Add(-72*time.Hour - time.Second), Stale},
		{"a month", now.AddDate(0, -1, 0), Stale},
		{"never observed", time.Time{}, Stale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DefaultThresholds.Band(tt.observed, now); got != tt.want {
				t.Errorf("Band = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFreshness_AtLeast(t *testing.T) {
	tests := []struct {
		name string
		in   Freshness
		min  Freshness
		want bool
	}{
		{"fresh at least fresh", Fresh, Fresh, true},
		{"fresh at least stale", Fresh, Stale, true},
		{"ageing not fresh", Ageing, Fresh, false},
		{"ageing at least ageing", Ageing, Ageing, true},
		{"stale not ageing", Stale, Ageing, false},
		{"stale at least stale", Stale, Stale, true},
		{"unknown not stale", "", Stale, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.AtLeast(tt.min); got != tt.want {
				t.Errorf("%q.AtLeast(%q) = %v, want %v", tt.in, tt.min, got, tt.want)
			}
		})
	}
}
