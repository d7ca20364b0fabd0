package domain

import "testing"

func TestAdmitWithin_Within(t *testing.T) {
	tests := []struct {
		name string
		in   AdmitWithin
		max  AdmitWithin
		want bool
	}{
		{"same day meets same day", SameDay, SameDay, true},
		{"same day meets next day", SameDay, NextDay, true},
		{"same day meets later", SameDay, Later, true},
		{"next day misses same day", NextDay, SameDay, false},
		{"next day meets next day", NextDay, NextDay, true},
		{"later misses next day", Later, NextDay, false},
		{"later meets later", Later, Later, true},
		{"unknown misses later", "", Later, false},
		{"garbage misses later", "tomorrow", Later, false},
		{"no need given matches nothing", SameDay, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Within(tt.max); got != tt.want {
				t.Errorf("%q.Within(%q) = %v, want %v", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestEnums_Valid(t *testing.T) {
	tests := []struct {
		name string
		in   bool
		want bool
	}{
		{"residential", Residential.Valid(), true},
		{"nursing", Nursing.Valid(), true},
		{"empty care type", CareType("").Valid(), false},
		{"every client group", func() bool {
			for _, g := range ClientGroups {
				if !g.Valid() {
					return false
				}
			}
			return len(ClientGroups) == 5
		}(), true},
		{"unknown client group", ClientGroup("children").Valid(), false},
		{"discharge to assess", DischargeToAssess.Valid(), true},
		{"unknown stay", StayType("holiday").Valid(), false},
		{"spot", Spot.Valid(), true},
		{"empty allocation", Allocation("").Valid(), false},
		{"staffing reason", ReasonStaffing.Valid(), true},
		{"empty reason", UnavailableReason("").Valid(), false},
		{"same day", SameDay.Valid(), true},
		{"empty admit within", AdmitWithin("").Valid(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in != tt.want {
				t.Errorf("got %v, want %v", tt.in, tt.want)
			}
		})
	}
}

func TestCategoryKey_String(t *testing.T) {
	if got := (CategoryKey{Nursing, Dementia}).String(); got != "nursing/dementia" {
		t.Errorf("got %q", got)
	}
}
