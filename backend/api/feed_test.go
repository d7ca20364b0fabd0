package api_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

func TestChanges_PollingSeesEachChangeOnceInOrder(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		_, path, mgr := ts.managed(time.Now().Add(-time.Hour))
		sys := ts.systemToken()
		var page struct {
			Changes []struct {
				Seq  int64  `json:"seq"`
				Kind string `json:"kind"`
			} `json:"changes"`
			NextCursor string `json:"next_cursor"`
		}
		ts.call("GET", "/api/v1/changes", sys, nil).json(t, &page)
		cursor := page.NextCursor
		tap := map[string]any{"care_type": "residential", "client_group": "older_people", "from": "occupied", "to": "available"}
		ts.call("POST", path+"/adjust", mgr, tap)
		ts.call("POST", path+"/confirm", mgr, nil)
		r := ts.call("GET", "/api/v1/changes?since="+cursor, sys, nil)
		r.json(t, &page)
		if len(page.Changes) != 2 || page.Changes[0].Kind != "adjust" || page.Changes[1].Kind != "confirm" || page.Changes[0].Seq >= page.Changes[1].Seq {
			t.Fatalf("want adjust then confirm, got %s", r.Body)
		}
		if contains(string(r.Body), "user:") {
			t.Fatal("the feed must not name people")
		}
		again := ts.call("GET", "/api/v1/changes?since="+page.NextCursor, sys, nil)
		again.json(t, &page)
		if len(page.Changes) != 0 {
			t.Fatal("polling from the last cursor must return nothing new")
		}
		if r := ts.call("GET", "/api/v1/changes?since=abc", sys, nil); r.Status != 422 {
			t.Fatalf("bad cursor: %d", r.Status)
		}
	})
}

func TestSnapshot_JSONAndCSVAgree(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		h := ts.home("Staffordshire", 52.8, -2.1, time.Now(), category(domain.Residential, domain.OlderPeople, 10, 2), category(domain.Nursing, domain.Dementia, 5, 0))
		// A name a spreadsheet would run as a formula.
		if _, err := ts.store.UpdateHome(bg, sysActor, h.ID, storageEditName("=HYPERLINK(\"x\")"), func(_, _ domain.Home) error { return nil }); err != nil {
			t.Fatal(err)
		}
		sys := ts.systemToken()
		var snap struct {
			FeedCursor string `json:"feed_cursor"`
			Homes      []struct {
				ID         int64                     `json:"id"`
				Categories []struct{ Available int } `json:"categories"`
			} `json:"homes"`
		}
		ts.call("GET", "/api/v1/snapshot", sys, nil).json(t, &snap)
		if len(snap.Homes) != 1 || len(snap.Homes[0].Categories) != 2 || snap.FeedCursor == "" {
			t.Fatalf("snapshot: %+v", snap)
		}
		r := ts.call("GET", "/api/v1/snapshot.csv", sys, nil)
		rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
		if err != nil || len(rows) != 3 || rows[0][0] != "cqc_location_id" || rows[1][0] != h.CQCLocationID {
			t.Fatalf("csv: %v %q", err, r.Body)
		}
		if !strings.HasPrefix(rows[1][1], "'=") {
			t.Fatalf("formula text must be defused, got %q", rows[1][1])
		}
		if r.Header.Get("X-Feed-Cursor") != snap.FeedCursor {
			t.Fatal("the CSV must name the feed cursor it is current to")
		}
	})
}

func TestHomesAPI_CreateEditAndImport(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		_, admin := ts.user(domain.RoleAdmin, 0)
		home := map[string]any{"cqc_location_id": "1-545611283", "name": "Ashcroft House", "postcode": "ST16 3SA", "address": "1 Lichfield Road, Stafford",
			"latitude": 52.80, "longitude": -2.11, "local_authority": "Staffordshire", "district": "Stafford", "registered_beds": 42,
			"nursing": true, "cqc_rating": "good", "specialisms": []string{"Dementia"}}
		r := ts.call("POST", "/api/v1/homes", admin, home)
		if r.Status != 201 || r.Header.Get("Location") == "" {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var created struct{ ID int64 }
		r.json(t, &created)
		if r := ts.call("POST", "/api/v1/homes", admin, home); r.Status != 409 {
			t.Fatalf("duplicate CQC id: want 409, got %d", r.Status)
		}
		home["cqc_location_id"] = "RXX123"
		if r := ts.call("POST", "/api/v1/homes", admin, home); r.Status != 422 || !contains(string(r.Body), "cqc_location_id") {
			t.Fatalf("bad CQC id: want 422, got %d %s", r.Status, r.Body)
		}
		path := fmt.Sprintf("/api/v1/homes/%d", created.ID)
		if r := ts.call("PATCH", path, admin, map[string]any{"registered_beds": 44}); r.Status != 200 || !contains(string(r.Body), `"registered_beds":44`) {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		if r := ts.call("PATCH", path, admin, map[string]any{"latitude": 40.0}); r.Status != 422 {
			t.Fatalf("edit to a point outside England: want 422, got %d", r.Status)
		}
		csv := "Location ID,Location Name,Care homes beds,Location Postal Code,Location Local Authority,Location Latitude,Location Longitude,Service type - Care home service with nursing,Location Latest Overall Rating\n" +
			"1-545611283,Ashcroft House,46,ST16 3SA,Staffordshire,52.80,-2.11,Y,Outstanding\n" +
			"1-777000111,Brook View,30,ST5 1AA,Staffordshire,53.01,-2.23,Y,Good\n" +
			"1-bad,Broken Row,30,ST5 1AA,Staffordshire,53.01,-2.23,Y,Good\n"
		r = ts.call("POST", "/api/v1/homes/import", admin, csv, "Content-Type", "text/csv")
		var res struct {
			Created, Updated int
			Errors           []struct{ Line int }
		}
		r.json(t, &res)
		if r.Status != 200 || res.Created != 1 || res.Updated != 1 || len(res.Errors) != 1 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		if r := ts.call("GET", path, admin, nil); !contains(string(r.Body), `"registered_beds":46`) || !contains(string(r.Body), `"cqc_rating":"outstanding"`) {
			t.Fatalf("import must update the register's fields: %s", r.Body)
		}
	})
}

func TestAreas_ListTheDistrictsWithHomesAndBedsShowWhenLastUpdatedAndConfirmed(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		_, path, mgr := ts.managed(time.Now().Add(-time.Hour))
		ts.home("Oxfordshire", 51.75, -1.25, time.Now())
		var areas struct {
			Areas []struct {
				LocalAuthority string `json:"local_authority"`
				District       string
				Homes          int
			}
		}
		ts.call("GET", "/api/v1/areas", mgr, nil).json(t, &areas)
		if len(areas.Areas) != 2 || areas.Areas[0].LocalAuthority != "Oxfordshire" || areas.Areas[1].District != "Stafford" || areas.Areas[1].Homes != 1 {
			t.Fatalf("areas: %+v", areas)
		}
		var st struct {
			UpdatedAt   *time.Time `json:"updated_at"`
			ConfirmedAt *time.Time `json:"confirmed_at"`
		}
		ts.call("GET", path, mgr, nil).json(t, &st)
		if st.UpdatedAt == nil || st.ConfirmedAt != nil {
			t.Fatalf("after an update and no confirmation: %+v", st)
		}
		confirmed := time.Now().UTC().Truncate(time.Second)
		r := ts.call("POST", path+"/confirm", mgr, map[string]any{"observed_at": confirmed.Format(time.RFC3339)})
		r.json(t, &st)
		if st.ConfirmedAt == nil || !st.ConfirmedAt.Equal(confirmed) || st.UpdatedAt == nil || !st.UpdatedAt.Before(confirmed) {
			t.Fatalf("confirm answer: %s", r.Body)
		}
		ts.call("GET", path, mgr, nil).json(t, &st)
		if st.ConfirmedAt == nil || !st.ConfirmedAt.Equal(confirmed) {
			t.Fatalf("after confirming: %+v", st)
		}
	})
}
