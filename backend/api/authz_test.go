package api_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

// The authorisation matrix, written out here independently of the route
// table: every endpoint with every role.
func TestAuthz_EveryEndpointWithEveryRole(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		council := ts.staffsCouncil()
		h := ts.home("Staffordshire", 52.8, -2.1, time.Now().Add(-time.Hour), category(domain.Residential, domain.OlderPeople, 10, 2))
		_, admin := ts.user(domain.RoleAdmin, 0)
		_, com := ts.user(domain.RoleCommissioner, council)
		_, coord := ts.user(domain.RoleCoordinator, 0)
		_, mgr := ts.user(domain.RoleManager, 0, h.ID)
		tokens := map[domain.Role]string{domain.RoleAdmin: admin, domain.RoleCommissioner: com, domain.RoleCoordinator: coord,
			domain.RoleManager: mgr, domain.RoleSystem: ts.systemToken()}
		const (
			A = 1 << iota
			C
			D // coordinator
			M
			S
		)
		all := A | C | D | M | S
		home := fmt.Sprintf("/api/v1/homes/%d", h.ID)
		exp := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		n := 0
		cases := []struct {
			method, path string
			body         func() any
			allowed      int
		}{
			{"GET", "/api/v1/me", nil, all},
			{"GET", "/api/v1/hospitals", nil, all},
			{"GET", "/api/v1/areas", nil, all},
			{"GET", "/api/v1/users", nil, A | C},
			{"POST", "/api/v1/users", func() any {
				n++
				return map[string]any{"email": fmt.Sprintf("new%d-%d@test.bedstate.test", n, time.Now().UnixNano()), "password": "a long password", "role": "coordinator"}
			}, A | C},
			{"GET", "/api/v1/homes", nil, all},
			{"POST", "/api/v1/homes", func() any {
				n++
				return map[string]any{"cqc_location_id": fmt.Sprintf("1-9%08d", n), "name": "New", "postcode": "ST16 3SA",
					"latitude": 52.8, "longitude": -2.1, "local_authority": "Staffordshire", "registered_beds": 30}
			}, A | C},
			{"GET", home, nil, all},
			{"PATCH", home, func() any { return map[string]any{"phone": "01632 960999"} }, A | C},
			{"GET", home + "/beds", nil, all},
			{"PUT", home + "/beds", func() any {
				return map[string]any{"observed_at": time.Now().UTC().Format(time.RFC3339Nano), "categories": []any{
					map[string]any{"care_type": "residential", "client_group": "older_people", "capacity": 12, "occupied": 10, "reserved": 0, "available": 2, "unavailable": 0}}}
			}, A | M},
			{"POST", home + "/beds/confirm", func() any { return map[string]any{} }, A | M},
			{"POST", home + "/beds/adjust", func() any {
				return map[string]any{"care_type": "residential", "client_group": "older_people", "from": "available", "to": "reserved"}
			}, A | M},
			{"PUT", home + "/status", func() any { return map[string]any{"status": "restricted", "reason": "staffing", "expires_at": exp} }, A | M},
			{"PUT", home + "/suspension", func() any { return map[string]any{"suspended": false} }, A | C},
			{"GET", home + "/history", nil, A | C | M},
			{"GET", "/api/v1/vacancies", nil, A | C | D | S},
			{"GET", "/api/v1/changes", nil, A | C | D | S},
			{"GET", "/api/v1/snapshot", nil, A | C | D | S},
			{"GET", "/api/v1/snapshot.csv", nil, A | C | D | S},
			{"GET", "/api/v1/push/vapid-public-key", nil, all},
			{"GET", "/api/v1/push/subscriptions", nil, A | C | D | M},
			{"POST", "/api/v1/push/subscriptions", func() any {
				n++
				return map[string]any{"subscription": map[string]any{"endpoint": fmt.Sprintf("http://127.0.0.1:9/push/%d", n),
					"keys": map[string]any{"p256dh": devicePublicKey(t), "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}}
			}, A | C | D | M},
			{"DELETE", "/api/v1/push/subscriptions/999999", nil, A | C | D | M},
			{"GET", "/api/v1/alerts", nil, A | C | D},
			{"POST", "/api/v1/alerts", func() any { return map[string]any{"name": "All", "filter": map[string]any{}} }, A | C | D},
			{"PUT", "/api/v1/alerts/999999", func() any { return map[string]any{"name": "All", "filter": map[string]any{}} }, A | C | D},
			{"DELETE", "/api/v1/alerts/999999", nil, A | C | D},
			{"GET", "/api/v1/webhooks", nil, S},
			{"POST", "/api/v1/webhooks", func() any { return map[string]any{"url": "https://trust.nhs.uk/bedstate", "filter": map[string]any{}} }, S},
			{"DELETE", "/api/v1/webhooks/999999", nil, S},
			{"GET", "/api/v1/webhooks/999999/deliveries", nil, S},
			{"POST", "/api/v1/webhooks/999999/test", nil, S},
			{"GET", "/api/v1/deliveries", nil, A},
		}
		roleBit := map[domain.Role]int{domain.RoleAdmin: A, domain.RoleCommissioner: C, domain.RoleCoordinator: D, domain.RoleManager: M, domain.RoleSystem: S}
		for _, c := range cases {
			for _, role := range domain.Roles {
				var body any
				if c.body != nil {
					body = c.body()
				}
				r := ts.call(c.method, c.path, tokens[role], body)
				allowed := c.allowed&roleBit[role] != 0
				if allowed && (r.Status == 401 || r.Status == 403 || r.Status >= 500) {
					t.Errorf("%s %s as %s: want allowed, got %d %s", c.method, c.path, role, r.Status, r.Body)
				}
				if !allowed && r.Status != 403 {
					t.Errorf("%s %s as %s: want 403, got %d", c.method, c.path, role, r.Status)
				}
				if r := ts.call(c.method, c.path, "", body); r.Status != 401 {
					t.Errorf("%s %s with no token: want 401, got %d", c.method, c.path, r.Status)
				}
			}
		}
	})
}

// Organisation scope: a manager of one home cannot touch another, and a
// commissioner acts only in their own area.
func TestAuthz_ScopeOfManagersAndCommissioners(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		mine := ts.home("Staffordshire", 52.8, -2.1, time.Now(), category(domain.Residential, domain.OlderPeople, 10, 2))
		theirs := ts.home("Staffordshire", 52.8, -2.1, time.Now(), category(domain.Residential, domain.OlderPeople, 10, 2))
		oxon := ts.home("Oxfordshire", 51.75, -1.25, time.Now(), category(domain.Residential, domain.OlderPeople, 10, 2))
		_, mgr := ts.user(domain.RoleManager, 0, mine.ID)
		_, com := ts.user(domain.RoleCommissioner, ts.staffsCouncil())
		other := fmt.Sprintf("/api/v1/homes/%d", theirs.ID)
		body := map[string]any{"care_type": "residential", "client_group": "older_people", "from": "available", "to": "occupied"}
		if r := ts.call("POST", other+"/beds/adjust", mgr, body); r.Status != 403 {
			t.Fatalf("manager on another home's beds: want 403, got %d", r.Status)
		}
		if r := ts.call("GET", other+"/beds", mgr, nil); r.Status != 403 {
			t.Fatalf("manager reading another home: want 403, got %d", r.Status)
		}
		if r := ts.call("POST", fmt.Sprintf("/api/v1/homes/%d/beds/adjust", mine.ID), mgr, body); r.Status != 200 {
			t.Fatalf("manager on own home: %d %s", r.Status, r.Body)
		}
		var list struct{ Homes []struct{ ID int64 } }
		ts.call("GET", "/api/v1/homes", mgr, nil).json(t, &list)
		if len(list.Homes) != 1 || list.Homes[0].ID != mine.ID {
			t.Fatalf("a manager lists only their homes: %+v", list)
		}
		ox := fmt.Sprintf("/api/v1/homes/%d", oxon.ID)
		if r := ts.call("PUT", ox+"/suspension", com, map[string]any{"suspended": true, "reason": "not my area"}); r.Status != 403 {
			t.Fatalf("commissioner outside their area: want 403, got %d", r.Status)
		}
		if r := ts.call("PATCH", other, com, map[string]any{"local_authority": "Oxfordshire"}); r.Status != 403 {
			t.Fatalf("commissioner moving a home out of their area: want 403, got %d", r.Status)
		}
		ts.call("GET", "/api/v1/homes", com, nil).json(t, &list)
		for _, h := range list.Homes {
			if h.ID == oxon.ID {
				t.Fatal("a commissioner lists only their area's homes")
			}
		}
		csv := "Location ID,Location Name,Care homes beds,Location Postal Code,Location Local Authority,Location Latitude,Location Longitude,Service type - Care home service without nursing\n" +
			"1-555000111,Thames House,30,OX1 1AA,Oxfordshire,51.75,-1.25,Y\n"
		r := ts.call("POST", "/api/v1/homes/import", com, csv, "Content-Type", "text/csv")
		if r.Status != 403 {
			t.Fatalf("commissioner importing another area's homes: want 403, got %d %s", r.Status, r.Body)
		}
		if r := ts.call("POST", "/api/v1/users", com, map[string]any{"email": "boss@test.bedstate.test", "password": "a long password", "role": "admin"}); r.Status != 403 {
			t.Fatalf("commissioners may not make admins: %d", r.Status)
		}
		if r := ts.call("POST", "/api/v1/users", com, map[string]any{"email": "m@test.bedstate.test", "password": "a long password", "role": "manager", "home_ids": []int64{oxon.ID}}); r.Status != 403 {
			t.Fatalf("commissioners may not assign managers outside their area: %d", r.Status)
		}
	})
}

func TestUsers_CommissionersSeeTheirPeopleAndTheirAreasManagers(t *testing.T) {
	ts := newTestServer(t, "postgres")
	council := ts.staffsCouncil()
	provider := ts.org(domain.OrgCareProvider, "Ashcroft Care", "AB1", "")
	h := ts.home("Staffordshire", 52.8, -2.1, time.Now(), category(domain.Residential, domain.OlderPeople, 10, 2))
	oxon := ts.home("Oxfordshire", 51.75, -1.25, time.Now(), category(domain.Residential, domain.OlderPeople, 10, 2))
	_, com := ts.user(domain.RoleCommissioner, council)
	outsider, _ := ts.user(domain.RoleManager, 0, oxon.ID)
	r := ts.call("POST", "/api/v1/users", com, map[string]any{"email": "manager@ashcroft.test", "password": "a long password",
		"role": "manager", "organisation_id": provider, "home_ids": []int64{h.ID}})
	if r.Status != 201 {
		t.Fatalf("create manager: %d %s", r.Status, r.Body)
	}
	if r := ts.call("POST", "/api/v1/users", com, map[string]any{"email": "x@ashcroft.test", "password": "a long password",
		"role": "manager", "organisation_id": council, "home_ids": []int64{h.ID}}); r.Status != 422 {
		t.Fatalf("a manager in the council's organisation: want 422, got %d", r.Status)
	}
	_, admin := ts.user(domain.RoleAdmin, 0)
	if r := ts.call("POST", "/api/v1/users", admin, map[string]any{"email": "y@ashcroft.test", "password": "a long password",
		"role": "coordinator", "hospital_id": 9999}); r.Status != 422 {
		t.Fatalf("unknown hospital: want 422, got %d %s", r.Status, r.Body)
	}
	var list struct{ Users []struct{ Email string } }
	ts.call("GET", "/api/v1/users", com, nil).json(t, &list)
	emails := fmt.Sprint(list.Users)
	if !contains(emails, "manager@ashcroft.test") || contains(emails, outsider.Email) {
		t.Fatalf("commissioner's list: %s", emails)
	}
}

// devicePublicKey is a browser-like P-256 public key for a device.
func devicePublicKey(t *testing.T) string {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes())
}
