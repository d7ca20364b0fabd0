package api_test

// API tests of the alert routes: filters, devices, webhooks and the
// delivery log, each through real HTTP, so every answer is also checked
// against openapi.yaml.

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

type alertFilterAnswer struct {
	ID     int64
	Name   string
	Filter struct {
		CareTypes  []string `json:"care_types"`
		Districts  []string `json:"districts"`
		HospitalID *int64   `json:"hospital_id"`
		Latitude   *float64 `json:"latitude"`
		Longitude  *float64 `json:"longitude"`
		RadiusKm   float64  `json:"radius_km"`
	}
}

type deviceAnswer struct {
	ID       int64
	Endpoint string
	FilterID *int64 `json:"filter_id"`
}

type deliveryAnswer struct {
	ID       int64
	Channel  string
	TargetID int64 `json:"target_id"`
	Kind     string
	Status   string
	Payload  string
}

type deliveryPage struct {
	Deliveries []deliveryAnswer
	NextCursor string `json:"next_cursor"`
}

// subscription is a browser's PushSubscription.toJSON() with real keys.
func subscription(t *testing.T, endpoint string) map[string]any {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return map[string]any{"endpoint": endpoint, "expirationTime": nil, "keys": map[string]string{
		"p256dh": base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()),
		"auth":   base64.RawURLEncoding.EncodeToString(auth)}}
}

func fcmEndpoint() string {
	return fmt.Sprintf("https://fcm.googleapis.com/fcm/send/test-%d", randomInt())
}

func randomInt() int64 {
	b := make([]byte, 6)
	rand.Read(b)
	var n int64
	for _, x := range b {
		n = n<<8 | int64(x)
	}
	return n
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: answered %d, want %d: %s", what, r.Status, status, r.Body)
	}
}

func wantProblem(t *testing.T, what string, r response, status int, code string) {
	t.Helper()
	wantStatus(t, what, r, status)
	if got := r.problemCode(t); got != code {
		t.Fatalf("%s: code %q, want %q: %s", what, got, code, r.Body)
	}
}

func TestAlerts_FilterLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		trust := ts.org(domain.OrgNHSTrust, "University Hospitals of North Midlands", "RJE", "")
		hosp, err := ts.store.UpsertHospital(bg, domain.Hospital{OrganisationID: trust, Name: "Royal Stoke University Hospital", Latitude: stokeLat, Longitude: stokeLon})
		if err != nil {
			t.Fatal(err)
		}
		_, coord := ts.user(domain.RoleCoordinator, trust)
		_, other := ts.user(domain.RoleCoordinator, trust)
		_, mgr := ts.user(domain.RoleManager, 0)

		r := ts.call("POST", "/api/v1/alerts", coord, map[string]any{"name": "  Stoke dementia  ", "filter": map[string]any{
			"care_types": []string{"nursing"}, "client_groups": []string{"dementia"}, "hospital_id": hosp.ID, "radius_km": 15}})
		wantStatus(t, "create", r, 201)
		var f alertFilterAnswer
		r.json(t, &f)
		if f.ID == 0 || f.Name != "Stoke dementia" || f.Filter.HospitalID == nil || *f.Filter.HospitalID != hosp.ID {
			t.Fatalf("created filter: %s", r.Body)
		}
		if f.Filter.Latitude == nil || *f.Filter.Latitude != stokeLat || *f.Filter.Longitude != stokeLon || f.Filter.RadiusKm != 15 {
			t.Fatalf("the hospital must resolve into its point: %s", r.Body)
		}

		for _, tc := range []struct {
			what string
			body any
		}{
			{"an unknown field", map[string]any{"name": "x", "filter": map[string]any{"colour": "red"}}},
			{"a bad care type", map[string]any{"name": "x", "filter": map[string]any{"care_types": []string{"hospice"}}}},
			{"a radius without a point", map[string]any{"name": "x", "filter": map[string]any{"radius_km": 10}}},
			{"an unknown hospital", map[string]any{"name": "x", "filter": map[string]any{"hospital_id": hosp.ID + 1000}}},
			{"a hospital and a point", map[string]any{"name": "x", "filter": map[string]any{"hospital_id": hosp.ID, "latitude": stokeLat, "longitude": stokeLon}}},
			{"no name", map[string]any{"name": "  ", "filter": map[string]any{}}},
			{"a long name", map[string]any{"name": strings.Repeat("n", 81)}},
		} {
			wantProblem(t, tc.what, ts.call("POST", "/api/v1/alerts", coord, tc.body), 422, "validation")
		}
		wantProblem(t, "not JSON", ts.call("POST", "/api/v1/alerts", coord, "name=x", "Content-Type", "text/plain"), 415, "unsupported-media-type")
		wantProblem(t, "broken JSON", ts.call("POST", "/api/v1/alerts", coord, "{"), 400, "malformed")
		wantProblem(t, "a manager", ts.call("POST", "/api/v1/alerts", mgr, map[string]any{"name": "x"}), 403, "forbidden")
		wantProblem(t, "a manager lists", ts.call("GET", "/api/v1/alerts", mgr, nil), 403, "forbidden")
		wantProblem(t, "a system client", ts.call("GET", "/api/v1/alerts", ts.systemToken(), nil), 403, "forbidden")
		wantProblem(t, "no token", ts.call("GET", "/api/v1/alerts", "", nil), 401, "unauthenticated")

		var list struct{ Alerts []alertFilterAnswer }
		r = ts.call("GET", "/api/v1/alerts", coord, nil)
		wantStatus(t, "list", r, 200)
		r.json(t, &list)
		if len(list.Alerts) != 1 || list.Alerts[0].ID != f.ID {
			t.Fatalf("list: %s", r.Body)
		}
		ts.call("GET", "/api/v1/alerts", other, nil).json(t, &list)
		if len(list.Alerts) != 0 {
			t.Fatalf("another coordinator must not see the filter: %+v", list)
		}

		path := "/api/v1/alerts/" + itoa(f.ID)
		r = ts.call("PUT", path, coord, map[string]any{"name": "Stafford", "filter": map[string]any{"districts": []string{"Stafford"}}})
		wantStatus(t, "update", r, 200)
		var g alertFilterAnswer
		r.json(t, &g)
		if g.ID != f.ID || g.Name != "Stafford" || g.Filter.Latitude != nil || g.Filter.HospitalID != nil || len(g.Filter.Districts) != 1 {
			t.Fatalf("the update must replace the whole filter: %s", r.Body)
		}
		wantProblem(t, "update a bad filter", ts.call("PUT", path, coord, map[string]any{"name": "x", "filter": map[string]any{"radius_km": 5}}), 422, "validation")
		wantProblem(t, "update another's", ts.call("PUT", path, other, map[string]any{"name": "mine"}), 404, "not-found")
		wantProblem(t, "update a missing one", ts.call("PUT", "/api/v1/alerts/999999", coord, map[string]any{"name": "x"}), 404, "not-found")
		wantProblem(t, "delete another's", ts.call("DELETE", path, other, nil), 404, "not-found")

		wantStatus(t, "delete", ts.call("DELETE", path, coord, nil), 204)
		wantProblem(t, "delete again", ts.call("DELETE", path, coord, nil), 404, "not-found")
		ts.call("GET", "/api/v1/alerts", coord, nil).json(t, &list)
		if len(list.Alerts) != 0 {
			t.Fatalf("the filter must be gone: %+v", list)
		}
	})
}

func TestAlerts_Devices(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		trust := ts.org(domain.OrgNHSTrust, "University Hospitals of North Midlands", "RJE", "")
		_, coord := ts.user(domain.RoleCoordinator, trust)
		_, other := ts.user(domain.RoleCoordinator, trust)
		_, admin := ts.user(domain.RoleAdmin, 0)
		h := ts.home("Staffordshire", 53.01, -2.21, time.Now(), category(domain.Nursing, domain.Dementia, 9, 1))
		_, mgr := ts.user(domain.RoleManager, 0, h.ID)

		// The application server key: an uncompressed P-256 point.
		for _, tok := range []string{coord, mgr, ts.systemToken()} {
			r := ts.call("GET", "/api/v1/push/vapid-public-key", tok, nil)
			wantStatus(t, "vapid key", r, 200)
			var k struct {
				PublicKey string `json:"public_key"`
			}
			r.json(t, &k)
			raw, err := base64.RawURLEncoding.DecodeString(k.PublicKey)
			if err != nil || len(raw) != 65 || raw[0] != 4 {
				t.Fatalf("the VAPID key must be 65 bytes of base64url: %q (%v)", k.PublicKey, err)
			}
		}

		// A device with its own filter: the filter is saved too.
		r := ts.call("POST", "/api/v1/push/subscriptions", coord, map[string]any{"subscription": subscription(t, fcmEndpoint()),
			"filter": map[string]any{"care_types": []string{"nursing"}, "districts": []string{"Stafford"}}})
		wantStatus(t, "subscribe with a filter", r, 201)
		var inline deviceAnswer
		r.json(t, &inline)
		if inline.ID == 0 || inline.FilterID == nil {
			t.Fatalf("the device must follow its new filter: %s", r.Body)
		}
		var filters struct{ Alerts []alertFilterAnswer }
		ts.call("GET", "/api/v1/alerts", coord, nil).json(t, &filters)
		if len(filters.Alerts) != 1 || filters.Alerts[0].ID != *inline.FilterID || filters.Alerts[0].Name != "This device" {
			t.Fatalf("the inline filter must be saved: %+v", filters)
		}

		// A device following a saved filter.
		var saved alertFilterAnswer
		r = ts.call("POST", "/api/v1/alerts", coord, map[string]any{"name": "Residential", "filter": map[string]any{"care_types": []string{"residential"}}})
		wantStatus(t, "save a filter", r, 201)
		r.json(t, &saved)
		r = ts.call("POST", "/api/v1/push/subscriptions", coord, map[string]any{"subscription": subscription(t, fcmEndpoint()), "filter_id": saved.ID})
		wantStatus(t, "subscribe with filter_id", r, 201)
		var byID deviceAnswer
		r.json(t, &byID)
		if byID.FilterID == nil || *byID.FilterID != saved.ID {
			t.Fatalf("the device must follow filter %d: %s", saved.ID, r.Body)
		}

		for _, tc := range []struct {
			what string
			body any
		}{
			{"an endpoint not allow-listed", map[string]any{"subscription": subscription(t, "https://push.example.com/send/1")}},
			{"plain http", map[string]any{"subscription": subscription(t, "http://fcm.googleapis.com/fcm/send/1")}},
			{"no endpoint", map[string]any{"subscription": subscription(t, "")}},
			{"bad keys", map[string]any{"subscription": map[string]any{"endpoint": fcmEndpoint(), "keys": map[string]string{"p256dh": "bm90IGEga2V5", "auth": "c2hvcnQ"}}}},
			{"a filter and a filter_id", map[string]any{"subscription": subscription(t, fcmEndpoint()), "filter": map[string]any{}, "filter_id": saved.ID}},
			{"another user's filter_id", map[string]any{"subscription": subscription(t, fcmEndpoint()), "filter_id": saved.ID + 1000}},
			{"a bad inline filter", map[string]any{"subscription": subscription(t, fcmEndpoint()), "filter": map[string]any{"radius_km": 3}}},
			{"an unknown field", map[string]any{"subscription": subscription(t, fcmEndpoint()), "topic": "x"}},
		} {
			wantProblem(t, tc.what, ts.call("POST", "/api/v1/push/subscriptions", coord, tc.body), 422, "validation")
		}
		wantProblem(t, "someone else's filter", ts.call("POST", "/api/v1/push/subscriptions", other,
			map[string]any{"subscription": subscription(t, fcmEndpoint()), "filter_id": saved.ID}), 422, "validation")

		// Managers: reminders only.
		r = ts.call("POST", "/api/v1/push/subscriptions", mgr, map[string]any{"subscription": subscription(t, fcmEndpoint())})
		wantStatus(t, "a manager's device", r, 201)
		var mgrDevice deviceAnswer
		r.json(t, &mgrDevice)
		if mgrDevice.FilterID != nil {
			t.Fatalf("a manager's device follows no filter: %s", r.Body)
		}
		wantProblem(t, "a manager's filter", ts.call("POST", "/api/v1/push/subscriptions", mgr,
			map[string]any{"subscription": subscription(t, fcmEndpoint()), "filter": map[string]any{"care_types": []string{"nursing"}}}), 403, "forbidden")
		wantProblem(t, "a manager's filter_id", ts.call("POST", "/api/v1/push/subscriptions", mgr,
			map[string]any{"subscription": subscription(t, fcmEndpoint()), "filter_id": saved.ID}), 403, "forbidden")
		wantProblem(t, "a system client", ts.call("POST", "/api/v1/push/subscriptions", ts.systemToken(),
			map[string]any{"subscription": subscription(t, fcmEndpoint())}), 403, "forbidden")

		// Listing is per user.
		var devices struct{ Subscriptions []deviceAnswer }
		r = ts.call("GET", "/api/v1/push/subscriptions", coord, nil)
		wantStatus(t, "list devices", r, 200)
		r.json(t, &devices)
		if len(devices.Subscriptions) != 2 || devices.Subscriptions[0].ID != inline.ID || devices.Subscriptions[1].ID != byID.ID {
			t.Fatalf("the coordinator has two devices: %s", r.Body)
		}
		if contains(string(r.Body), "p256dh") || contains(string(r.Body), "auth") {
			t.Fatalf("device keys must never be shown: %s", r.Body)
		}
		ts.call("GET", "/api/v1/push/subscriptions", other, nil).json(t, &devices)
		if len(devices.Subscriptions) != 0 {
			t.Fatalf("another user sees no devices: %+v", devices)
		}
		wantProblem(t, "a system client lists", ts.call("GET", "/api/v1/push/subscriptions", ts.systemToken(), nil), 403, "forbidden")

		// Removal: one's own; admins anyone's.
		wantProblem(t, "another user's device", ts.call("DELETE", "/api/v1/push/subscriptions/"+itoa(inline.ID), other, nil), 404, "not-found")
		wantProblem(t, "not an id", ts.call("DELETE", "/api/v1/push/subscriptions/abc", coord, nil), 404, "not-found")
		wantStatus(t, "unsubscribe", ts.call("DELETE", "/api/v1/push/subscriptions/"+itoa(inline.ID), coord, nil), 204)
		wantProblem(t, "unsubscribe again", ts.call("DELETE", "/api/v1/push/subscriptions/"+itoa(inline.ID), coord, nil), 404, "not-found")
		wantStatus(t, "an admin removes a device", ts.call("DELETE", "/api/v1/push/subscriptions/"+itoa(mgrDevice.ID), admin, nil), 204)
		ts.call("GET", "/api/v1/push/subscriptions", coord, nil).json(t, &devices)
		if len(devices.Subscriptions) != 1 || devices.Subscriptions[0].ID != byID.ID {
			t.Fatalf("one device is left: %+v", devices)
		}
	})
}

// client registers a system client and signs a token for it.
func (ts *testServer) client(name string) (int64, string) {
	ts.t.Helper()
	c, err := ts.store.CreateClient(bg, storage.Client{Name: fmt.Sprintf("%s-%d", name, randomInt()), SecretHash: "x"})
	if err != nil {
		ts.t.Fatal(err)
	}
	tok, _, err := ts.srv.Issuer().Sign("client:"+itoa(c.ID), domain.RoleSystem, 0)
	if err != nil {
		ts.t.Fatal(err)
	}
	return c.ID, tok
}

func TestAlerts_Webhooks(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		_, sys := ts.client("gp-connect")
		_, otherSys := ts.client("council")
		_, coord := ts.user(domain.RoleCoordinator, 0)

		r := ts.call("POST", "/api/v1/webhooks", sys, map[string]any{"url": "https://receiver.example.org/bedstate",
			"filter": map[string]any{"care_types": []string{"nursing"}, "local_authorities": []string{"Staffordshire"}}})
		wantStatus(t, "create", r, 201)
		var hook struct {
			ID     int64
			URL    string
			Secret string
		}
		r.json(t, &hook)
		if hook.ID == 0 || !strings.HasPrefix(hook.Secret, "whsec_") || hook.URL != "https://receiver.example.org/bedstate" {
			t.Fatalf("created webhook: %s", r.Body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("the secret must not be cached: Cache-Control %q", cc)
		}
		for _, tc := range []struct {
			what string
			body any
		}{
			{"plain http", map[string]any{"url": "http://receiver.example.org/bedstate"}},
			{"plain http to loopback, not allowed here", map[string]any{"url": "http://127.0.0.1:8081/hook"}},
			{"a relative URL", map[string]any{"url": "/hook"}},
			{"credentials in the URL", map[string]any{"url": "https://user:pass@receiver.example.org/"}},
			{"a bad filter", map[string]any{"url": "https://receiver.example.org/", "filter": map[string]any{"radius_km": 5}}},
			{"an unknown field", map[string]any{"url": "https://receiver.example.org/", "secret": "mine"}},
		} {
			wantProblem(t, tc.what, ts.call("POST", "/api/v1/webhooks", sys, tc.body), 422, "validation")
		}
		wantProblem(t, "a coordinator", ts.call("POST", "/api/v1/webhooks", coord, map[string]any{"url": "https://receiver.example.org/"}), 403, "forbidden")

		r = ts.call("GET", "/api/v1/webhooks", sys, nil)
		wantStatus(t, "list", r, 200)
		var list struct{ Webhooks []struct{ ID int64 } }
		r.json(t, &list)
		if len(list.Webhooks) != 1 || list.Webhooks[0].ID != hook.ID || contains(string(r.Body), "whsec_") {
			t.Fatalf("list, without the secret: %s", r.Body)
		}
		ts.call("GET", "/api/v1/webhooks", otherSys, nil).json(t, &list)
		if len(list.Webhooks) != 0 {
			t.Fatalf("another client sees no webhooks: %+v", list)
		}

		path := "/api/v1/webhooks/" + itoa(hook.ID)
		var log deliveryPage
		r = ts.call("GET", path+"/deliveries", sys, nil)
		wantStatus(t, "empty log", r, 200)
		r.json(t, &log)
		if len(log.Deliveries) != 0 || log.NextCursor != "" {
			t.Fatalf("a new webhook has no deliveries: %s", r.Body)
		}

		r = ts.call("POST", path+"/test", sys, nil)
		wantStatus(t, "test event", r, 202)
		if string(r.Body) != `{"queued":true}` {
			t.Fatalf("test event answer: %s", r.Body)
		}
		r = ts.call("GET", path+"/deliveries", sys, nil)
		wantStatus(t, "log", r, 200)
		r.json(t, &log)
		if len(log.Deliveries) != 1 {
			t.Fatalf("the test event must be in the log: %s", r.Body)
		}
		d := log.Deliveries[0]
		if d.Channel != "webhook" || d.TargetID != hook.ID || d.Kind != "test" || d.Status != "queued" {
			t.Fatalf("test delivery: %+v", d)
		}
		var event struct{ ID, Type string }
		if err := json.Unmarshal([]byte(d.Payload), &event); err != nil || event.Type != "test" || event.ID == "" {
			t.Fatalf("test payload %q: %v", d.Payload, err)
		}

		// Paging.
		wantStatus(t, "second test event", ts.call("POST", path+"/test", sys, nil), 202)
		ts.call("GET", path+"/deliveries?limit=1", sys, nil).json(t, &log)
		if len(log.Deliveries) != 1 || log.NextCursor == "" {
			t.Fatalf("a full page has a next_cursor: %+v", log)
		}
		first := log.Deliveries[0].ID
		ts.call("GET", path+"/deliveries?limit=1&cursor="+log.NextCursor, sys, nil).json(t, &log)
		if len(log.Deliveries) != 1 || log.Deliveries[0].ID >= first {
			t.Fatalf("the next page holds older deliveries: %+v", log)
		}
		wantProblem(t, "a bad limit", ts.call("GET", path+"/deliveries?limit=0", sys, nil), 422, "validation")
		wantProblem(t, "a bad cursor", ts.call("GET", path+"/deliveries?cursor=x", sys, nil), 422, "validation")

		// Another client's webhook does not exist for them.
		wantProblem(t, "another's log", ts.call("GET", path+"/deliveries", otherSys, nil), 404, "not-found")
		wantProblem(t, "another's test", ts.call("POST", path+"/test", otherSys, nil), 404, "not-found")
		wantProblem(t, "another's delete", ts.call("DELETE", path, otherSys, nil), 404, "not-found")
		wantProblem(t, "a coordinator's test", ts.call("POST", path+"/test", coord, nil), 403, "forbidden")

		wantStatus(t, "delete", ts.call("DELETE", path, sys, nil), 204)
		wantProblem(t, "delete again", ts.call("DELETE", path, sys, nil), 404, "not-found")
		wantProblem(t, "a deleted webhook's log", ts.call("GET", path+"/deliveries", sys, nil), 404, "not-found")
		ts.call("GET", "/api/v1/webhooks", sys, nil).json(t, &list)
		if len(list.Webhooks) != 0 {
			t.Fatalf("the webhook must be gone: %+v", list)
		}
	})
}

func TestAlerts_AdminDeliveries(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		_, admin := ts.user(domain.RoleAdmin, 0)
		_, commissioner := ts.user(domain.RoleCommissioner, ts.staffsCouncil())
		_, sys := ts.client("trust")
		var hook struct{ ID int64 }
		r := ts.call("POST", "/api/v1/webhooks", sys, map[string]any{"url": "https://receiver.example.org/in"})
		wantStatus(t, "create webhook", r, 201)
		r.json(t, &hook)
		wantStatus(t, "test event", ts.call("POST", "/api/v1/webhooks/"+itoa(hook.ID)+"/test", sys, nil), 202)

		var page deliveryPage
		r = ts.call("GET", "/api/v1/deliveries?status=dead", admin, nil)
		wantStatus(t, "dead letters", r, 200)
		r.json(t, &page)
		if len(page.Deliveries) != 0 {
			t.Fatalf("nothing is dead yet: %s", r.Body)
		}
		r = ts.call("GET", "/api/v1/deliveries?status=queued&channel=webhook&limit=10", admin, nil)
		wantStatus(t, "queued webhooks", r, 200)
		r.json(t, &page)
		if len(page.Deliveries) != 1 || page.Deliveries[0].TargetID != hook.ID || page.Deliveries[0].Kind != "test" {
			t.Fatalf("admins see every delivery: %s", r.Body)
		}
		ts.call("GET", "/api/v1/deliveries?channel=push", admin, nil).json(t, &page)
		if len(page.Deliveries) != 0 {
			t.Fatalf("no pushes were queued: %+v", page)
		}
		wantProblem(t, "a bad status", ts.call("GET", "/api/v1/deliveries?status=lost", admin, nil), 422, "validation")
		wantProblem(t, "a bad channel", ts.call("GET", "/api/v1/deliveries?channel=sms", admin, nil), 422, "validation")
		wantProblem(t, "a bad limit", ts.call("GET", "/api/v1/deliveries?limit=501", admin, nil), 422, "validation")
		wantProblem(t, "a commissioner", ts.call("GET", "/api/v1/deliveries", commissioner, nil), 403, "forbidden")
		wantProblem(t, "a system client", ts.call("GET", "/api/v1/deliveries", sys, nil), 403, "forbidden")
	})
}
