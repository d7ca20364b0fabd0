package alerts_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push/pushtest"
	"github.com/bedstate/bedstate/backend/storage"
)

const stokeLat, stokeLon = 53.0027, -2.2137

// A bed freed at a home near Royal Stoke reaches exactly the devices whose
// filters match, encrypted so an independent decoder reads it, with the
// topic, TTL and urgency a push service needs; when it is taken again the
// same devices get a quiet update under the same topic.
func TestAlerts_VacancyReachesMatchingDevicesAndFilledReplacesIt(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store, recv *pushtest.Receiver) {
		s := newStack(t, st, recv, fastOptions())
		h := s.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0), cat(domain.Residential, domain.OlderPeople, 10, 0))
		_, mgr := s.user(domain.RoleManager, h.ID)
		_, near := s.user(domain.RoleCoordinator)
		_, other := s.user(domain.RoleCoordinator)
		_, everything := s.user(domain.RoleCommissioner)
		nearDev, _ := s.device(near, map[string]any{"care_types": []string{"nursing"}, "client_groups": []string{"dementia"},
			"latitude": stokeLat, "longitude": stokeLon, "radius_km": 15})
		otherDev, _ := s.device(other, map[string]any{"client_groups": []string{"mental_health"}})
		allDev, _ := s.device(everything, map[string]any{})
		mgrDev, _ := s.device(mgr, nil) // managers get reminders, not vacancies

		s.tap(mgr, h.ID, "nursing", "dementia", "occupied", "available")
		got := s.received(nearDev, 1)
		p := payload(t, got[0])
		topic := domain.Topic(h.ID, domain.CategoryKey{CareType: domain.Nursing, ClientGroup: domain.Dementia})
		if p.Type != domain.AlertVacancy || p.HomeID != h.ID || p.Available != 1 || p.CareType != domain.Nursing || p.Tag != topic ||
			p.HomeName != h.Name || !strings.Contains(p.URL, strconv.FormatInt(h.ID, 10)) || p.ObservedAt == nil {
			t.Fatalf("vacancy payload: %+v", p)
		}
		if got[0].Topic != topic || got[0].Urgency != "high" || got[0].TTL != "1800" {
			t.Fatalf("headers: topic %q urgency %q ttl %q", got[0].Topic, got[0].Urgency, got[0].TTL)
		}
		if got[0].Bytes > 600 {
			t.Fatalf("%d bytes on the wire: padding should keep a push small", got[0].Bytes)
		}
		s.received(allDev, 1)
		s.quiet(otherDev, 0)
		s.quiet(mgrDev, 0)

		// The bed is taken: those told hear it has gone, quietly, under the same tag.
		s.tap(mgr, h.ID, "nursing", "dementia", "available", "occupied")
		got = s.received(nearDev, 2)
		p = payload(t, got[1])
		if p.Type != domain.AlertFilled || p.Available != 0 || got[1].Topic != topic || got[1].Urgency != "low" || p.Tag != topic {
			t.Fatalf("filled update: %+v topic %q urgency %q", p, got[1].Topic, got[1].Urgency)
		}
		s.received(allDev, 2)
		s.quiet(otherDev, 0)

		// A change in another category tells only those it matches.
		s.tap(mgr, h.ID, "residential", "older_people", "occupied", "available")
		s.received(allDev, 3)
		s.quiet(nearDev, 2)
	})
}

// Suspended and closed homes never alert; reinstating or reopening a home
// that has beds does.
func TestAlerts_SuspendedAndClosedHomesNeverAlertUntilBack(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store, recv *pushtest.Receiver) {
		s := newStack(t, st, recv, fastOptions())
		h := s.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0))
		_, mgr := s.user(domain.RoleManager, h.ID)
		_, coord := s.user(domain.RoleCoordinator)
		_, admin := s.user(domain.RoleAdmin)
		dev, _ := s.device(coord, map[string]any{})
		home := fmt.Sprintf("/api/v1/homes/%d", h.ID)

		s.must("PUT", home+"/suspension", admin, map[string]any{"suspended": true, "reason": "CQC rated Inadequate"}, 200)
		s.tap(mgr, h.ID, "nursing", "dementia", "occupied", "available")
		s.quiet(dev, 0)
		s.must("PUT", home+"/suspension", admin, map[string]any{"suspended": false}, 200)
		p := payload(t, s.received(dev, 1)[0])
		if p.Type != domain.AlertVacancy || p.Available != 1 {
			t.Fatalf("reinstated with a bed: %+v", p)
		}

		exp := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		s.must("PUT", home+"/status", mgr, map[string]any{"status": "closed", "reason": "infection_outbreak", "expires_at": exp}, 200)
		if p := payload(t, s.received(dev, 2)[1]); p.Type != domain.AlertFilled {
			t.Fatalf("closing withdraws the alert: %+v", p)
		}
		s.tap(mgr, h.ID, "nursing", "dementia", "occupied", "available")
		s.quiet(dev, 2)
		s.must("PUT", home+"/status", mgr, map[string]any{"status": "open"}, 200)
		if p := payload(t, s.received(dev, 3)[2]); p.Type != domain.AlertVacancy || p.Available != 2 {
			t.Fatalf("reopened with two beds: %+v", p)
		}
	})
}

// A closure whose expiry passes stops counting: coordinators are told the
// home with beds is offered again, once, and the home is asked to decide.
func TestAlerts_ALapsedClosureIsAnnouncedOnceAsAReopening(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store, recv *pushtest.Receiver) {
		s := newStack(t, st, recv, fastOptions())
		h := s.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0))
		_, coord := s.user(domain.RoleCoordinator)
		_, mgr := s.user(domain.RoleManager, h.ID)
		dev, _ := s.device(coord, map[string]any{})
		s.tap(mgr, h.ID, "nursing", "dementia", "occupied", "available")
		s.received(dev, 1)
		exp := time.Now().Add(1500 * time.Millisecond).UTC()
		s.must("PUT", fmt.Sprintf("/api/v1/homes/%d/status", h.ID), mgr,
			map[string]any{"status": "closed", "reason": "staffing", "expires_at": exp.Format(time.RFC3339Nano)}, 200)
		p := payload(t, s.received(dev, 2)[1]) // the vacancy, then its withdrawal on closing
		if p.Type != domain.AlertFilled {
			t.Fatalf("closing: %+v", p)
		}
		p = payload(t, s.received(dev, 3)[2]) // the expiry passes
		if p.Type != domain.AlertVacancy || p.Available != 1 {
			t.Fatalf("lapsed closure: %+v", p)
		}
		s.quiet(dev, 3)
		var home struct {
			Status            string `json:"status"`
			StatusDecisionDue bool   `json:"status_decision_due"`
		}
		json.Unmarshal(s.must("GET", fmt.Sprintf("/api/v1/homes/%d", h.ID), mgr, nil, 200), &home)
		if home.Status != "open" || !home.StatusDecisionDue {
			t.Fatalf("the home counts as open and is asked to decide: %+v", home)
		}
	})
}
