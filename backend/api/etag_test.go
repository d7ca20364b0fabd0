package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

func TestVacancies_AnUpdateOutsideTheAnswerKeepsThe304(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	fixed := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	ts.srv.SetClock(func() time.Time { return fixed })
	_, path, mgr := ts.managed(fixed.Add(-time.Hour))
	other := ts.home("Staffordshire", 53.01, -2.21, fixed.Add(-time.Hour), category(domain.Nursing, domain.Dementia, 9, 1))
	_, otherMgr := ts.user(domain.RoleManager, 0, other.ID)
	_, coord := ts.user(domain.RoleCoordinator, 0)
	q := "/api/v1/vacancies?care_type=residential"
	first := ts.call("GET", q, coord, nil)
	etag := first.Header.Get("ETag")
	if first.Status != 200 || etag == "" {
		t.Fatalf("want 200 with an ETag, got %d", first.Status)
	}
	// A nursing bed frees up at a home the residential search does not show.
	tap := map[string]any{"care_type": "nursing", "client_group": "dementia", "from": "occupied", "to": "available"}
	if r := ts.call("POST", fmt.Sprintf("/api/v1/homes/%d/beds/adjust", other.ID), otherMgr, tap); r.Status != 200 {
		t.Fatal(r.Status)
	}
	if r := ts.call("GET", q, coord, nil, "If-None-Match", etag); r.Status != 304 || r.Header.Get("ETag") != etag {
		t.Fatalf("an update outside the answer: want 304 with the same ETag, got %d %q", r.Status, r.Header.Get("ETag"))
	}
	// The same holds once the remembered ETag has been recomputed.
	if r := ts.call("GET", q, coord, nil, "If-None-Match", etag); r.Status != 304 {
		t.Fatalf("second revalidation: want 304, got %d", r.Status)
	}
	// A bed at a home in the answer changes it.
	tap["care_type"], tap["client_group"] = "residential", "older_people"
	if r := ts.call("POST", path+"/adjust", mgr, tap); r.Status != 200 {
		t.Fatal(r.Status)
	}
	if r := ts.call("GET", q, coord, nil, "If-None-Match", etag); r.Status != 200 || r.Header.Get("ETag") == etag {
		t.Fatalf("an update in the answer: want 200 with a new ETag, got %d", r.Status)
	}
}

func TestVacancies_ETagChangesWhenAFigureAges(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	now := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
	ts.srv.SetClock(func() time.Time { return now })
	ts.managed(now.Add(-23*time.Hour - 59*time.Minute)) // fresh for one more minute
	_, coord := ts.user(domain.RoleCoordinator, 0)
	q := "/api/v1/vacancies?care_type=residential"
	etag := ts.call("GET", q, coord, nil).Header.Get("ETag")
	if r := ts.call("GET", q, coord, nil, "If-None-Match", etag); r.Status != 304 {
		t.Fatalf("want 304, got %d", r.Status)
	}
	now = now.Add(2 * time.Minute) // the figure turns from fresh to ageing
	r := ts.call("GET", q, coord, nil, "If-None-Match", etag)
	var v vacancyAnswer
	if r.Status == 200 {
		r.json(t, &v)
	}
	if r.Status != 200 || len(v.Vacancies) != 1 || v.Vacancies[0].Freshness != "ageing" {
		t.Fatalf("an aged figure: want 200 showing it ageing, got %d %+v", r.Status, v)
	}
	if r := ts.call("GET", q, coord, nil, "If-None-Match", r.Header.Get("ETag")); r.Status != 304 {
		t.Fatalf("then 304 again, got %d", r.Status)
	}
}

func TestVacancies_ETagIsPerRoleAndOnlyForValidQueries(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	ts.managed(time.Now().Add(-time.Hour))
	_, coord := ts.user(domain.RoleCoordinator, 0)
	_, com := ts.user(domain.RoleCommissioner, ts.staffsCouncil())
	q := "/api/v1/vacancies?care_type=residential"
	a := ts.call("GET", q, coord, nil).Header.Get("ETag")
	b := ts.call("GET", q, com, nil).Header.Get("ETag")
	if a == "" || a == b {
		t.Fatalf("roles must get their own ETags: %q, %q", a, b)
	}
	if r := ts.call("GET", q, coord, nil, "If-None-Match", b); r.Status != 200 {
		t.Fatalf("another role's ETag: want 200, got %d", r.Status)
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	for _, h := range [][]string{{"If-None-Match", a}, {"If-None-Match", "*"}, {"If-Modified-Since", future}} {
		if r := ts.call("GET", q+"&client_groups=dementia", coord, nil, h...); r.Status != 422 {
			t.Fatalf("an invalid query with %s: want 422, got %d", h[0], r.Status)
		}
		if r := ts.call("GET", q+"&include_suspended=true", coord, nil, h...); r.Status != 403 {
			t.Fatalf("a forbidden query with %s: want 403, got %d", h[0], r.Status)
		}
	}
}
