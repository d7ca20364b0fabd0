package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

type bedState struct {
	ObservedAt time.Time `json:"observed_at"`
	Categories []struct {
		CareType    string    `json:"care_type"`
		ClientGroup string    `json:"client_group"`
		Capacity    int       `json:"capacity"`
		Occupied    int       `json:"occupied"`
		Available   int       `json:"available"`
		ObservedAt  time.Time `json:"observed_at"`
		ReceivedAt  time.Time `json:"received_at"`
		Freshness   string    `json:"freshness"`
	} `json:"categories"`
	Warnings []string `json:"warnings"`
}

// managed makes a home with beds and a manager of it; it returns the bed
// path and the manager's token.
func (ts *testServer) managed(observed time.Time) (domain.Home, string, string) {
	ts.t.Helper()
	h := ts.home("Staffordshire", 52.81, -2.12, observed,
		category(domain.Residential, domain.OlderPeople, 20, 1), category(domain.Nursing, domain.Dementia, 10, 0))
	_, tok := ts.user(domain.RoleManager, 0, h.ID)
	return h, fmt.Sprintf("/api/v1/homes/%d/beds", h.ID), tok
}

func putBody(observed time.Time, occupied, available int) map[string]any {
	return map[string]any{"observed_at": observed.Format(time.RFC3339), "categories": []map[string]any{
		{"care_type": "residential", "client_group": "older_people", "capacity": occupied + available + 1,
			"occupied": occupied, "reserved": 1, "available": available, "unavailable": 0,
			"stay_types": []string{"long_term", "discharge_to_assess"}, "weekly_fee_from": 950, "guide_rate_accepted": true, "admit_within": "same_day"},
	}}
}

func TestBedsAPI_PutThenGet(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		now := time.Now().UTC().Truncate(time.Second)
		_, path, tok := ts.managed(now.Add(-time.Hour))
		r := ts.call("PUT", path, tok, putBody(now, 30, 3))
		if r.Status != 200 {
			t.Fatalf("put: %d %s", r.Status, r.Body)
		}
		var got bedState
		ts.call("GET", path, tok, nil).json(t, &got)
		if len(got.Categories) != 1 || got.Categories[0].Available != 3 || got.Categories[0].Freshness != "fresh" ||
			!got.Categories[0].ObservedAt.Equal(now) || got.Categories[0].ReceivedAt.IsZero() {
			t.Fatalf("unexpected state %+v", got)
		}
	})
}

func TestBedsAPI_BadInputIsRefusedAndChangesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		now := time.Now().UTC()
		_, path, tok := ts.managed(now.Add(-time.Hour))
		var before bedState
		ts.call("GET", path, tok, nil).json(t, &before)
		broken := putBody(now, 30, 3)
		broken["categories"].([]map[string]any)[0]["capacity"] = 99
		negative := putBody(now, 30, 3)
		negative["categories"].([]map[string]any)[0]["available"] = -1
		unknown := putBody(now, 30, 3)
		unknown["beds"] = 4
		future := putBody(now.Add(2*time.Hour), 30, 3)
		noTime := putBody(now, 30, 3)
		delete(noTime, "observed_at")
		cases := []struct {
			name   string
			body   any
			hdr    []string
			status int
			field  string
		}{
			{"sum broken", broken, nil, 422, "categories[0].capacity"},
			{"negative", negative, nil, 422, "categories[0].available"},
			{"unknown field", unknown, nil, 422, "beds"},
			{"observed in the future", future, nil, 422, "observed_at"},
			{"no observed time", noTime, nil, 422, "observed_at"},
			{"not JSON", "{nope", nil, 400, ""},
			{"wrong type", `{"observed_at": 5, "categories": []}`, nil, 422, ""},
			{"wrong content type", "x", []string{"Content-Type", "text/plain"}, 415, ""},
			{"too large", `{"note":"` + strings.Repeat("x", 20<<10) + `"}`, nil, 413, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := ts.call("PUT", path, tok, c.body, c.hdr...)
				if r.Status != c.status || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("want %d problem, got %d %s %s", c.status, r.Status, r.Header.Get("Content-Type"), r.Body)
				}
				if c.field != "" && !contains(string(r.Body), `"field":"`+c.field+`"`) {
					t.Fatalf("want field %s named, got %s", c.field, r.Body)
				}
			})
		}
		var after bedState
		ts.call("GET", path, tok, nil).json(t, &after)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Fatalf("refused requests changed state:\n%+v\n%+v", before, after)
		}
	})
}

func TestBedsAPI_CapacityAboveRegisteredBedsIsAcceptedWithAWarning(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	now := time.Now().UTC()
	_, path, tok := ts.managed(now.Add(-time.Hour))
	r := ts.call("PUT", path, tok, putBody(now, 70, 3)) // the home registers 60 beds
	var got bedState
	r.json(t, &got)
	if r.Status != 200 || len(got.Warnings) != 1 {
		t.Fatalf("want 200 with a warning, got %d %s", r.Status, r.Body)
	}
}

func TestBedsAPI_StaleUpdateGets409WithTheCurrentState(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		now := time.Now().UTC().Truncate(time.Second)
		_, path, tok := ts.managed(now.Add(-time.Hour))
		if r := ts.call("PUT", path, tok, putBody(now, 30, 3)); r.Status != 200 {
			t.Fatal(r.Status)
		}
		r := ts.call("PUT", path, tok, putBody(now.Add(-10*time.Minute), 33, 0))
		if r.Status != 409 || r.problemCode(t) != "stale-update" {
			t.Fatalf("want 409 stale-update, got %d %s", r.Status, r.Body)
		}
		var p struct{ Current bedState }
		r.json(t, &p)
		if len(p.Current.Categories) != 1 || p.Current.Categories[0].Available != 3 {
			t.Fatalf("409 must carry the stored state, got %s", r.Body)
		}
	})
}

func TestBedsAPI_IdempotencyKeyReplayReturnsTheFirstAnswer(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		now := time.Now().UTC()
		_, path, tok := ts.managed(now.Add(-time.Hour))
		tap := map[string]any{"care_type": "residential", "client_group": "older_people", "from": "occupied", "to": "available",
			"observed_at": now.Format(time.RFC3339)}
		first := ts.call("POST", path+"/adjust", tok, tap, "Idempotency-Key", "queue-item-1")
		again := ts.call("POST", path+"/adjust", tok, tap, "Idempotency-Key", "queue-item-1")
		if first.Status != 200 || again.Status != 200 || string(first.Body) != string(again.Body) {
			t.Fatalf("replay must answer as the first: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatal("a replay should say so")
		}
		var got bedState
		ts.call("GET", path, tok, nil).json(t, &got)
		if got.Categories[0].Available != 2 { // started at 1; one tap, not two
			t.Fatalf("want 2 available after one tap replayed, got %+v", got.Categories)
		}
		other := ts.call("POST", path+"/confirm", tok, map[string]any{}, "Idempotency-Key", "queue-item-1")
		if other.Status != 422 || other.problemCode(t) != "idempotency-key-reused" {
			t.Fatalf("same key for another request: want 422, got %d %s", other.Status, other.Body)
		}
	})
}

func TestBedsAPI_ConcurrentTapsFromTwoPhonesBothCount(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		now := time.Now().UTC()
		h, path, tok := ts.managed(now.Add(-time.Hour))
		_, tok2 := ts.user(domain.RoleManager, 0, h.ID)
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				token := tok
				if i%2 == 1 {
					token = tok2
				}
				tap := map[string]any{"care_type": "residential", "client_group": "older_people", "from": "occupied", "to": "available"}
				if r := ts.call("POST", path+"/adjust", token, tap, "Idempotency-Key", fmt.Sprint("tap-", i)); r.Status != 200 {
					t.Errorf("tap %d: %d %s", i, r.Status, r.Body)
				}
			}(i)
		}
		wg.Wait()
		var got bedState
		ts.call("GET", path, tok, nil).json(t, &got)
		c := got.Categories[0]
		if c.CareType != "residential" || c.Available != 11 || c.Occupied != 10 || c.Capacity != 21 {
			t.Fatalf("lost taps: %+v", c)
		}
	})
}

func TestBedsAPI_TakingABedThatIsNotThereIs409(t *testing.T) {
	ts := newTestServer(t, "postgres")
	_, path, tok := ts.managed(time.Now().Add(-time.Hour))
	tap := map[string]any{"care_type": "nursing", "client_group": "dementia", "from": "available", "to": "occupied"}
	r := ts.call("POST", path+"/adjust", tok, tap)
	if r.Status != 409 || r.problemCode(t) != "not-enough-beds" {
		t.Fatalf("want 409 not-enough-beds, got %d %s", r.Status, r.Body)
	}
	tap["client_group"] = "mental_health"
	if r := ts.call("POST", path+"/adjust", tok, tap); r.Status != 404 {
		t.Fatalf("unknown category: want 404, got %d", r.Status)
	}
}

func TestBedsAPI_ConfirmNoChangeTodayRefreshesEveryCategory(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		old := time.Now().UTC().Add(-80 * time.Hour)
		_, path, tok := ts.managed(old)
		var before bedState
		ts.call("GET", path, tok, nil).json(t, &before)
		if before.Categories[0].Freshness != "stale" {
			t.Fatalf("setup: want stale, got %s", before.Categories[0].Freshness)
		}
		if r := ts.call("POST", path+"/confirm", tok, nil); r.Status != 200 {
			t.Fatalf("confirm: %d %s", r.Status, r.Body)
		}
		var after bedState
		ts.call("GET", path, tok, nil).json(t, &after)
		for i, c := range after.Categories {
			if c.Freshness != "fresh" || !c.ObservedAt.After(old) || c.Available != before.Categories[i].Available || c.Occupied != before.Categories[i].Occupied {
				t.Fatalf("confirm must refresh times and keep counts: %+v vs %+v", c, before.Categories[i])
			}
		}
		var hist struct{ Events []struct{ Kind string } }
		ts.call("GET", strings.TrimSuffix(path, "/beds")+"/history", tok, nil).json(t, &hist)
		if len(hist.Events) == 0 || hist.Events[0].Kind != "confirm" {
			t.Fatalf("confirmation must be audited as such: %+v", hist)
		}
	})
}

func TestHomesAPI_ClosureAndSuspension(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		h, _, mgr := ts.managed(time.Now().Add(-time.Hour))
		_, com := ts.user(domain.RoleCommissioner, ts.staffsCouncil())
		home := fmt.Sprintf("/api/v1/homes/%d", h.ID)
		exp := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
		if r := ts.call("PUT", home+"/status", mgr, map[string]any{"status": "closed"}); r.Status != 422 {
			t.Fatalf("a closure needs a reason and expiry: %d", r.Status)
		}
		r := ts.call("PUT", home+"/status", mgr, map[string]any{"status": "closed", "reason": "infection_outbreak", "expires_at": exp})
		if r.Status != 200 || !contains(string(r.Body), `"status":"closed"`) {
			t.Fatalf("close: %d %s", r.Status, r.Body)
		}
		if r := ts.call("PUT", home+"/suspension", mgr, map[string]any{"suspended": true, "reason": "CQC Inadequate"}); r.Status != 403 {
			t.Fatalf("managers may not suspend: %d", r.Status)
		}
		if r := ts.call("PUT", home+"/suspension", com, map[string]any{"suspended": true}); r.Status != 422 {
			t.Fatalf("suspension needs a reason: %d", r.Status)
		}
		r = ts.call("PUT", home+"/suspension", com, map[string]any{"suspended": true, "reason": "CQC rated Inadequate"})
		if r.Status != 200 || !contains(string(r.Body), `"suspended":true`) {
			t.Fatalf("suspend: %d %s", r.Status, r.Body)
		}
		if r := ts.call("PUT", home+"/suspension", com, map[string]any{"suspended": false}); r.Status != 200 || !contains(string(r.Body), `"suspended":false`) {
			t.Fatalf("reinstate: %d %s", r.Status, r.Body)
		}
		if r := ts.call("PUT", home+"/status", mgr, map[string]any{"status": "open"}); r.Status != 200 || !contains(string(r.Body), `"status":"open"`) {
			t.Fatalf("reopen: %d %s", r.Status, r.Body)
		}
	})
}

func TestHomesAPI_LapsedClosureCountsAsOpenAndAsksForADecision(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	h, _, _ := ts.managed(time.Now().Add(-time.Hour))
	exp := time.Now().Add(time.Hour)
	if _, err := ts.store.SetStatus(bg, sysActor, h.ID, domain.StatusChange{Status: domain.Closed, Reason: domain.ClosureStaffing, ExpiresAt: &exp}); err != nil {
		t.Fatal(err)
	}
	ts.srv.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	_, mgr := ts.user(domain.RoleManager, 0, h.ID) // a token from the moved clock
	r := ts.call("GET", fmt.Sprintf("/api/v1/homes/%d", h.ID), mgr, nil)
	if !contains(string(r.Body), `"status":"open"`) || !contains(string(r.Body), `"status_decision_due":true`) {
		t.Fatalf("a lapsed closure must stop counting and ask for a decision: %s", r.Body)
	}
}

func TestBedsAPI_ABedMadeUnavailableCarriesItsReason(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		_, path, tok := ts.managed(time.Now().Add(-time.Hour))
		tap := map[string]any{"care_type": "residential", "client_group": "older_people", "from": "available", "to": "unavailable",
			"unavailable_reason": "infection_control"}
		if r := ts.call("POST", path+"/adjust", tok, tap); r.Status != 200 || !contains(string(r.Body), `"unavailable_reason":"infection_control"`) {
			t.Fatalf("adjust with a reason: %d %s", r.Status, r.Body)
		}
		tap["to"], tap["from"] = "occupied", "unavailable"
		if r := ts.call("POST", path+"/adjust", tok, tap); r.Status != 422 {
			t.Fatalf("a reason for beds not becoming unavailable: want 422, got %d", r.Status)
		}
	})
}
