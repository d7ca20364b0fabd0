package api

import (
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

// homeView is a home as the API shows it: the status that counts now, and
// whether a lapsed closure is waiting for the home to decide again.
type homeView struct {
	domain.Home
	StatusDecisionDue bool `json:"status_decision_due"`
}

func viewHome(h domain.Home, now time.Time) homeView {
	eff := domain.EffectiveStatus(h.Status, h.StatusExpiresAt, now)
	v := homeView{Home: h}
	if eff != h.Status {
		v.Status, v.StatusDecisionDue = eff, true
	}
	if v.Specialisms == nil {
		v.Specialisms = []string{}
	}
	return v
}

type categoryView struct {
	domain.Category
	Freshness domain.Freshness `json:"freshness"`
}

// bedStateView is a home's bed state as GET returns it.
type bedStateView struct {
	HomeID      int64          `json:"home_id"`
	ObservedAt  *time.Time     `json:"observed_at,omitempty"`
	UpdatedAt   *time.Time     `json:"updated_at,omitempty"`
	ConfirmedAt *time.Time     `json:"confirmed_at,omitempty"`
	Categories  []categoryView `json:"categories"`
	Warnings    []string       `json:"warnings,omitempty"`
}

// bedsView judges freshness at the moment of the answer, by the deployment's thresholds.
func (s *Server) bedsView(st storage.BedState) bedStateView {
	now := s.now()
	th := s.index.Thresholds()
	v := bedStateView{HomeID: st.Home.ID, ObservedAt: st.ObservedAt, UpdatedAt: st.UpdatedAt, ConfirmedAt: st.ConfirmedAt,
		Categories: make([]categoryView, len(st.Categories)), Warnings: st.Warnings}
	for i, c := range st.Categories {
		v.Categories[i] = categoryView{Category: c, Freshness: th.Band(c.ObservedAt, now)}
	}
	return v
}
