package domain

import (
	"regexp"
	"strings"
	"time"
)

// Rating is a CQC overall rating.
type Rating string

// CQC ratings. Inadequate homes are suspended from new placements by most councils.
const (
	Outstanding         Rating = "outstanding"
	Good                Rating = "good"
	RequiresImprovement Rating = "requires_improvement"
	Inadequate          Rating = "inadequate"
	NotYetRated         Rating = "not_yet_rated"
)

// Rank orders ratings for "at least" filters; not yet rated ranks lowest with
// inadequate above it, so a minimum-rating filter never admits an unrated home
// by accident. Unknown ratings rank 0.
func (r Rating) Rank() int {
	switch r {
	case Outstanding:
		return 4
	case Good:
		return 3
	case RequiresImprovement:
		return 2
	case Inadequate:
		return 1
	}
	return 0
}

// Valid reports whether r is a known rating.
func (r Rating) Valid() bool { return r.Rank() > 0 || r == NotYetRated }

// ParseRating reads a rating as the CQC writes it ("Requires improvement").
func ParseRating(s string) Rating {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, " ", "_")
	r := Rating(s)
	if r.Valid() {
		return r
	}
	return NotYetRated
}

var cqcIDPattern = regexp.MustCompile(`^1-[0-9]{6,12}$`)

// ValidCQCID reports whether s has the form of a CQC location or provider ID, "1-" and digits.
func ValidCQCID(s string) bool { return cqcIDPattern.MatchString(s) }

var odsPattern = regexp.MustCompile(`^[A-Z0-9]{3,6}$`)

// ValidODSCode reports whether s has the shape of an ODS code (3 to 6 capitals or digits).
func ValidODSCode(s string) bool { return odsPattern.MatchString(s) }

// AdmissionStatus is whether a home is taking admissions.
type AdmissionStatus string

// Admission statuses.
const (
	Open       AdmissionStatus = "open"
	Restricted AdmissionStatus = "restricted"
	Closed     AdmissionStatus = "closed"
)

// Valid reports whether s is a known status.
func (s AdmissionStatus) Valid() bool { return s == Open || s == Restricted || s == Closed }

// ClosureReason says why a home is closed or restricted.
type ClosureReason string

// Closure reasons.
const (
	ClosureInfection   ClosureReason = "infection_outbreak"
	ClosureStaffing    ClosureReason = "staffing"
	ClosureMaintenance ClosureReason = "maintenance"
	ClosureOther       ClosureReason = "other"
)

// Valid reports whether r is a known closure reason.
func (r ClosureReason) Valid() bool {
	switch r {
	case ClosureInfection, ClosureStaffing, ClosureMaintenance, ClosureOther:
		return true
	}
	return false
}

// StatusChange is a home's admissions status as set by its manager.
type StatusChange struct {
	Status    AdmissionStatus `json:"status"`
	Reason    ClosureReason   `json:"reason,omitempty"`
	Note      string          `json:"note,omitempty"`
	ExpiresAt *time.Time      `json:"expires_at,omitempty"`
}

// MaxClosure bounds how long a closure may run before it must be decided again.
const MaxClosure = 90 * 24 * time.Hour

// Validate checks a status change at time now. A closure needs a reason and an
// expiry in the future, so it is re-decided rather than forgotten.
func (s StatusChange) Validate(now time.Time) error {
	v := &ValidationError{}
	if !s.Status.Valid() {
		v.Add("status", "must be open, restricted or closed")
	}
	if s.Status != Open && s.Status.Valid() {
		if !s.Reason.Valid() {
			v.Add("reason", "required: infection_outbreak, staffing, maintenance or other")
		}
		switch {
		case s.ExpiresAt == nil:
			v.Add("expires_at", "required when closed or restricted")
		case !s.ExpiresAt.After(now):
			v.Add("expires_at", "must be in the future")
		case s.ExpiresAt.Sub(now) > MaxClosure:
			v.Add("expires_at", "at most 90 days ahead")
		}
	}
	if s.Status == Open && s.Reason != "" && !s.Reason.Valid() {
		v.Add("reason", "unknown reason")
	}
	if len([]rune(s.Note)) > MaxNoteLength {
		v.Add("note", "at most 280 characters")
	}
	return v.Err()
}

// EffectiveStatus is the status that counts at time now: a closure whose
// expiry has passed stops counting, and the home is asked to decide again.
func EffectiveStatus(s AdmissionStatus, expiresAt *time.Time, now time.Time) AdmissionStatus {
	if s == "" {
		return Open
	}
	if s != Open && expiresAt != nil && !now.Before(*expiresAt) {
		return Open
	}
	return s
}

// Freshness is how recent a bed figure is.
type Freshness string

// Freshness bands.
const (
	Fresh  Freshness = "fresh"
	Ageing Freshness = "ageing"
	Stale  Freshness = "stale"
)

// Valid reports whether f is a known band.
func (f Freshness) Valid() bool { return f == Fresh || f == Ageing || f == Stale }

func (f Freshness) rank() int {
	switch f {
	case Fresh:
		return 1
	case Ageing:
		return 2
	case Stale:
		return 3
	}
	return 4
}

// AtLeast reports whether f is as fresh as min or fresher.
func (f Freshness) AtLeast(min Freshness) bool { return f.rank() <= min.rank() }

// Thresholds are the freshness band limits; configurable per deployment.
type Thresholds struct {
	Fresh time.Duration // below this: fresh
	Stale time.Duration // above this: stale; between: ageing
}

// DefaultThresholds are the national bands: fresh under 24 h, stale over 72 h.
var DefaultThresholds = Thresholds{Fresh: 24 * time.Hour, Stale: 72 * time.Hour}

// Band gives the freshness of a figure observed at t, seen at now. A figure
// never observed is stale.
func (th Thresholds) Band(observed, now time.Time) Freshness {
	if observed.IsZero() {
		return Stale
	}
	age := now.Sub(observed)
	switch {
	case age < th.Fresh:
		return Fresh
	case age <= th.Stale:
		return Ageing
	}
	return Stale
}
