package api_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

type vacancyAnswer struct {
	Vacancies []struct {
		ID         int64    `json:"id"`
		DistanceKm *float64 `json:"distance_km"`
		Freshness  string   `json:"freshness"`
		Suspended  bool     `json:"suspended"`
		Categories []struct {
			CareType    string `json:"care_type"`
			ClientGroup string `json:"client_group"`
			Available   int    `json:"available"`
		} `json:"categories"`
	} `json:"vacancies"`
	Total      int    `json:"total"`
	NextCursor string `json:"next_cursor"`
}

func (v vacancyAnswer) ids() []int64 {
	var out []int64
	for _, r := range v.Vacancies {
		out = append(out, r.ID)
	}
	return out
}

func has(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Royal Stoke University Hospital.
const stokeLat, stokeLon = 53.0027, -2.2137

func TestVacancies_FiltersLeaveOutStaleClosedAndSuspendedHomes(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		now := time.Now().UTC()
		near := ts.home("Staffordshire", 53.01, -2.21, now.Add(-time.Hour), category(domain.Nursing, domain.Dementia, 9, 1))
		far := ts.home("Staffordshire", 52.80, -1.65, now.Add(-30*time.Minute), category(domain.Nursing, domain.Dementia, 9, 2))
		resid := ts.home("Staffordshire", 53.00, -2.20, now.Add(-time.Hour), category(domain.Residential, domain.OlderPeople, 9, 1))
		full := ts.home("Staffordshire", 53.00, -2.20, now.Add(-time.Hour), category(domain.Nursing, domain.Dementia, 10, 0))
		stale := ts.home("Staffordshire", 53.00, -2.22, now.Add(-100*time.Hour), category(domain.Nursing, domain.Dementia, 9, 1))
		closed := ts.home("Staffordshire", 53.00, -2.22, now.Add(-time.Hour), category(domain.Nursing, domain.Dementia, 9, 1))
		suspended := ts.home("Staffordshire", 53.00, -2.22, now.Add(-time.Hour), category(domain.Nursing, domain.Dementia, 9, 1))
		exp := now.Add(48 * time.Hour)
		ts.store.SetStatus(bg, sysActor, closed.ID, domain.StatusChange{Status: domain.Closed, Reason: domain.ClosureInfection, ExpiresAt: &exp})
		ts.store.SetSuspension(bg, sysActor, suspended.ID, domain.Suspension{Suspended: true, Reason: "CQC rated Inadequate"})
		ts.srv.Reload(bg, 0)
		_, coord := ts.user(domain.RoleCoordinator, 0)
		_, com := ts.user(domain.RoleCommissioner, ts.staffsCouncil())

		search := func(tok string, q url.Values) (vacancyAnswer, int) {
			r := ts.call("GET", "/api/v1/vacancies?"+q.Encode(), tok, nil)
			var v vacancyAnswer
			if r.Status == 200 {
				r.json(t, &v)
			}
			return v, r.Status
		}
		v, _ := search(coord, url.Values{"care_type": {"nursing"}, "client_group": {"dementia"}})
		ids := v.ids()
		if !has(ids, near.ID) || !has(ids, far.ID) || has(ids, resid.ID) || has(ids, full.ID) || has(ids, stale.ID) || has(ids, closed.ID) || has(ids, suspended.ID) {
			t.Fatalf("default search: %v (near %d far %d resid %d full %d stale %d closed %d suspended %d)", ids, near.ID, far.ID, resid.ID, full.ID, stale.ID, closed.ID, suspended.ID)
		}
		v, _ = search(coord, url.Values{"care_type": {"nursing"}, "freshness": {"stale"}, "include_closed": {"true"}})
		if !has(v.ids(), stale.ID) || !has(v.ids(), closed.ID) || has(v.ids(), suspended.ID) {
			t.Fatalf("asked-for stale and closed homes: %v", v.ids())
		}
		if _, status := search(coord, url.Values{"include_suspended": {"true"}}); status != 403 {
			t.Fatalf("coordinators may not see suspended homes offered: %d", status)
		}
		v, _ = search(com, url.Values{"include_suspended": {"true"}})
		if !has(v.ids(), suspended.ID) {
			t.Fatal("commissioners may include suspended homes")
		}
		// Near a point: sorted by distance, far home outside the radius.
		v, _ = search(coord, url.Values{"lat": {fmt.Sprint(stokeLat)}, "lon": {fmt.Sprint(stokeLon)}, "radius_km": {"10"}})
		if has(v.ids(), far.ID) || len(v.Vacancies) < 2 {
			t.Fatalf("radius search: %v", v.ids())
		}
		for i := 1; i < len(v.Vacancies); i++ {
			if *v.Vacancies[i].DistanceKm < *v.Vacancies[i-1].DistanceKm {
				t.Fatal("results must be sorted by distance")
			}
		}
		if r := ts.call("GET", "/api/v1/vacancies?client_groups=dementia", coord, nil); r.Status != 422 {
			t.Fatalf("an unknown parameter must be refused, got %d", r.Status)
		}
		if r := ts.call("GET", "/api/v1/vacancies?radius_km=10", coord, nil); r.Status != 422 {
			t.Fatalf("a radius with no point must be refused, got %d", r.Status)
		}
	})
}

func TestVacancies_NearAListedHospital(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	trust := ts.org(domain.OrgNHSTrust, "University Hospitals of North Midlands", "RJE", "")
	hosp, err := ts.store.UpsertHospital(bg, domain.Hospital{OrganisationID: trust, Name: "Royal Stoke University Hospital", Latitude: stokeLat, Longitude: stokeLon})
	if err != nil {
		t.Fatal(err)
	}
	near := ts.home("Staffordshire", 53.01, -2.21, time.Now(), category(domain.Nursing, domain.Dementia, 9, 1))
	far := ts.home("Staffordshire", 52.80, -1.65, time.Now(), category(domain.Nursing, domain.Dementia, 9, 1))
	_, coord := ts.user(domain.RoleCoordinator, trust)
	var v vacancyAnswer
	ts.call("GET", fmt.Sprintf("/api/v1/vacancies?hospital_id=%d&radius_km=15", hosp.ID), coord, nil).json(t, &v)
	if !has(v.ids(), near.ID) || has(v.ids(), far.ID) || v.Vacancies[0].DistanceKm == nil {
		t.Fatalf("hospital search: %+v", v)
	}
	if r := ts.call("GET", "/api/v1/vacancies?hospital_id=999", coord, nil); r.Status != 422 {
		t.Fatalf("unknown hospital: %d", r.Status)
	}
}

func TestVacancies_CursorPagesThroughEveryResultOnce(t *testing.T) {
	ts := newTestServer(t, "sqlite")
	want := map[int64]bool{}
	for i := 0; i < 7; i++ {
		h := ts.home("Staffordshire", 53.0+float64(i)*0.01, -2.2, time.Now().Add(-time.Duration(i)*time.Minute), category(domain.Residential, domain.Dementia, 5, 1))
		want[h.ID] = true
	}
	_, coord := ts.user(domain.RoleCoordinator, 0)
	seen := map[int64]bool{}
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		q := url.Values{"limit": {"3"}, "lat": {"53"}, "lon": {"-2.2"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var v vacancyAnswer
		ts.call("GET", "/api/v1/vacancies?"+q.Encode(), coord, nil).json(t, &v)
		for _, id := range v.ids() {
			if seen[id] {
				t.Fatalf("home %d on two pages", id)
			}
			seen[id] = true
		}
		if cursor = v.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("paged through %d of %d homes", len(seen), len(want))
	}
	if r := ts.call("GET", "/api/v1/vacancies?cursor=%%%", coord, nil); r.Status != 422 && r.Status != 400 {
		t.Fatalf("a bad cursor must be refused, got %d", r.Status)
	}
}

func TestVacancies_ETagAndIfModifiedSinceGive304UntilABedChanges(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		// The ETag includes the minute (bands lapse with time): hold the clock.
		fixed := time.Now().UTC().Truncate(time.Minute).Add(30 * time.Second)
		ts.srv.SetClock(func() time.Time { return fixed })
		h, path, mgr := ts.managed(fixed.Add(-time.Hour))
		_, coord := ts.user(domain.RoleCoordinator, 0)
		q := "/api/v1/vacancies?care_type=residential"
		first := ts.call("GET", q, coord, nil)
		etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		if first.Status != 200 || etag == "" || modified == "" {
			t.Fatalf("want ETag and Last-Modified, got %d %v", first.Status, first.Header)
		}
		if r := ts.call("GET", q, coord, nil, "If-None-Match", etag); r.Status != 304 || len(r.Body) != 0 {
			t.Fatalf("revalidation: want 304, got %d", r.Status)
		}
		if r := ts.call("GET", q, coord, nil, "If-Modified-Since", modified); r.Status != 304 {
			t.Fatalf("If-Modified-Since: want 304, got %d", r.Status)
		}
		// A bed frees up: the answer changes, so the old ETag no longer matches.
		tap := map[string]any{"care_type": "residential", "client_group": "older_people", "from": "occupied", "to": "available"}
		if r := ts.call("POST", path+"/adjust", mgr, tap); r.Status != 200 {
			t.Fatal(r.Status)
		}
		r := ts.call("GET", q, coord, nil, "If-None-Match", etag)
		if r.Status != 200 || r.Header.Get("ETag") == etag {
			t.Fatalf("after a change: want 200 with a new ETag, got %d", r.Status)
		}
		var v vacancyAnswer
		r.json(t, &v)
		for _, res := range v.Vacancies {
			if res.ID == h.ID && res.Categories[0].Available != 2 {
				t.Fatalf("the freed bed must show: %+v", res)
			}
		}
	})
}
