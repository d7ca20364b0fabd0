package domain

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"
)

// AlertKind says what an alert tells.
type AlertKind string

// Alert kinds. A "filled" alert is quiet: it replaces an earlier vacancy
// notification with the current state, so nobody acts on a bed that has gone.
const (
	AlertVacancy  AlertKind = "vacancy"
	AlertFilled   AlertKind = "filled"
	AlertReminder AlertKind = "reminder"
	AlertTest     AlertKind = "test"
)

// Trigger is one category's change worth telling someone about.
type Trigger struct {
	Kind      AlertKind
	Key       CategoryKey
	Available int
}

// BedTriggers compares a home's categories before and after a change: more
// available beds is a vacancy; fewer is a "filled" update for whoever was told.
func BedTriggers(before, after []Category) []Trigger {
	old := make(map[CategoryKey]int, len(before))
	for _, c := range before {
		old[c.CategoryKey] = c.Available
	}
	var out []Trigger
	seen := make(map[CategoryKey]bool, len(after))
	for _, c := range after {
		seen[c.CategoryKey] = true
		switch prev := old[c.CategoryKey]; {
		case c.Available > prev:
			out = append(out, Trigger{AlertVacancy, c.CategoryKey, c.Available})
		case c.Available < prev:
			out = append(out, Trigger{AlertFilled, c.CategoryKey, c.Available})
		}
	}
	for _, c := range before {
		if !seen[c.CategoryKey] && c.Available > 0 {
			out = append(out, Trigger{AlertFilled, c.CategoryKey, 0})
		}
	}
	return out
}

// HomeTriggers covers a home starting or stopping admissions (reopened,
// reinstated; closed, suspended): every category with beds is announced as a
// vacancy, or withdrawn as filled.
func HomeTriggers(cats []Category, admitting bool) []Trigger {
	var out []Trigger
	for _, c := range cats {
		if c.Available < 1 {
			continue
		}
		if admitting {
			out = append(out, Trigger{AlertVacancy, c.CategoryKey, c.Available})
		} else {
			out = append(out, Trigger{AlertFilled, c.CategoryKey, 0})
		}
	}
	return out
}

// Admitting reports whether a home may be offered for new placements now:
// not suspended and not closed. Only such homes trigger vacancy alerts.
func Admitting(h *Home, now time.Time) bool {
	return !h.Suspended && EffectiveStatus(h.Status, h.StatusExpiresAt, now) != Closed
}

// Topic is the Web Push topic (RFC 8030: at most 32 URL-safe base64
// characters) and notification tag of one home's category, so a newer alert
// replaces an older one still undelivered or on screen.
func Topic(homeID int64, k CategoryKey) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(homeID, 10) + "/" + k.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:18]) // 24 characters
}
