package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/alerts"
	"github.com/bedstate/bedstate/backend/api"
	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
	"github.com/bedstate/bedstate/backend/vacancy"
	"github.com/bedstate/bedstate/backend/webhook"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"
)

var bg = context.Background()

// testServer is a real server over a real store, reached through real HTTP
// requests into the fiber app.
type testServer struct {
	t     *testing.T
	srv   *api.Server
	app   *fiber.App
	store *storage.Store
	index *vacancy.Index
	key   *auth.Key
	orgs  map[string]int64
}

func newTestServer(t *testing.T, d storage.Dialect) *testServer {
	t.Helper()
	st := storagetest.Open(t, d)
	return serverOver(t, st, nil)
}

func serverOver(t *testing.T, st *storage.Store, key *auth.Key) *testServer {
	t.Helper()
	if key == nil {
		var err error
		if key, err = auth.LoadOrCreateKey("", t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	index := vacancy.New(domain.DefaultThresholds)
	if err := api.Reload(bg, st, index, 0); err != nil {
		t.Fatal(err)
	}
	vapid, err := push.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	sender := push.NewSender(push.Options{Keys: vapid, Allow: push.NewAllowlist([]string{"127.0.0.1:9", "fcm.googleapis.com"})})
	// The dispatcher is not run: handlers only wake it or queue test events.
	notifier := alerts.New(st, sender, webhook.NewSender(true), alerts.Options{})
	srv := api.New(st, index, key, api.Options{MaxBodyBytes: 16 << 10, LoginAttempts: 3, LoginWindow: time.Minute,
		Push: sender, Notifier: notifier})
	return &testServer{t: t, srv: srv, app: srv.App(), store: st, index: index, key: key, orgs: map[string]int64{}}
}

// eachDialect runs a test against SQLite and PostgreSQL.
func eachDialect(t *testing.T, fn func(t *testing.T, ts *testServer)) {
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, newTestServer(t, d))
		})
	}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r response) problemCode(t *testing.T) string {
	t.Helper()
	var p struct{ Code string }
	r.json(t, &p)
	return p.Code
}

// call is one request; body may be nil, a string (sent as is) or a value
// (sent as JSON). Headers come as name, value pairs.
func (ts *testServer) call(method, path, token string, body any, headers ...string) response {
	ts.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			ts.t.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := ts.app.Test(req, -1)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	r := response{Status: res.StatusCode, Header: res.Header, Body: out}
	validateResponse(ts.t, method, path, req.Header, r)
	return r
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// validateResponse checks every answer the tests see against openapi.yaml:
// status codes the spec does not list, and bodies or headers that do not
// match its schemas, fail the test.
func validateResponse(t *testing.T, method, path string, reqHeader http.Header, r response) {
	t.Helper()
	specOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(filepath.Join(filepath.Dir(file), "..", "..", "openapi.yaml"))
		if err != nil {
			specErr = err
			return
		}
		if err = doc.Validate(loader.Context); err != nil {
			specErr = err
			return
		}
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	if specErr != nil {
		t.Fatalf("openapi.yaml: %v", specErr)
	}
	req, _ := http.NewRequest(method, "http://localhost:8080"+path, nil)
	req.Header = reqHeader.Clone()
	route, params, err := specRouter.FindRoute(req)
	if err != nil {
		if r.Status == 404 || r.Status == 405 {
			return // a route the server does not have either
		}
		t.Fatalf("%s %s: not in openapi.yaml: %v", method, path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(bg, in); err != nil {
		t.Fatalf("%s %s answered %d, which does not match openapi.yaml: %v\nbody: %.600s", method, path, r.Status, err, r.Body)
	}
}

// Fixtures.

func (ts *testServer) org(kind domain.OrgKind, name, ods, la string) int64 {
	ts.t.Helper()
	if id, ok := ts.orgs[name]; ok {
		return id
	}
	o, err := ts.store.UpsertOrganisation(bg, domain.Organisation{Kind: kind, Name: name, ODSCode: ods, LocalAuthority: la})
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.orgs[name] = o.ID
	return o.ID
}

var homeSeq = struct {
	sync.Mutex
	n int
}{n: 100000000}

// home creates a home in a local authority (Staffordshire unless named),
// with the given bed categories, observed at observed.
func (ts *testServer) home(la string, lat, lon float64, observed time.Time, cats ...domain.Category) domain.Home {
	ts.t.Helper()
	homeSeq.Lock()
	homeSeq.n++
	cqc := fmt.Sprintf("1-%d", homeSeq.n)
	homeSeq.Unlock()
	icb := "QNC"
	if la != "Staffordshire" {
		icb = "QOX"
	}
	h, err := ts.store.CreateHome(bg, storage.Actor{Subject: "system", Source: "import"}, domain.Home{CQCLocationID: cqc,
		Name: "Home " + cqc, Postcode: "ST4 6QG", Latitude: lat, Longitude: lon, LocalAuthority: la, District: "Stafford",
		ICB: icb, RegisteredBeds: 60, Rating: domain.Good, Phone: "01632 960001"})
	if err != nil {
		ts.t.Fatal(err)
	}
	if len(cats) > 0 {
		if _, err := ts.store.PutBeds(bg, storage.Actor{Subject: "system", Source: "api"}, h.ID, observed, cats); err != nil {
			ts.t.Fatal(err)
		}
	}
	ts.srv.Reload(bg, h.ID)
	return h
}

func category(ct domain.CareType, g domain.ClientGroup, occupied, available int) domain.Category {
	return domain.Category{CategoryKey: domain.CategoryKey{CareType: ct, ClientGroup: g},
		Counts: domain.Counts{Capacity: occupied + available, Occupied: occupied, Available: available}}
}

// user creates a user and returns a signed access token for them.
func (ts *testServer) user(role domain.Role, org int64, homes ...int64) (storage.User, string) {
	ts.t.Helper()
	u := storage.User{Email: fmt.Sprintf("%s-%d@test.bedstate.test", role, time.Now().UnixNano()), Role: role, PasswordHash: "x", HomeIDs: homes}
	if org != 0 {
		u.OrganisationID = &org
	}
	u, err := ts.store.CreateUser(bg, u)
	if err != nil {
		ts.t.Fatal(err)
	}
	tok, _, err := ts.srv.Issuer().Sign(fmt.Sprintf("user:%d", u.ID), role, org)
	if err != nil {
		ts.t.Fatal(err)
	}
	return u, tok
}

// staffsCouncil is a commissioner organisation for Staffordshire.
func (ts *testServer) staffsCouncil() int64 {
	return ts.org(domain.OrgLocalAuthority, "Staffordshire County Council", "", "Staffordshire")
}

func (ts *testServer) systemToken() string {
	ts.t.Helper()
	tok, _, err := ts.srv.Issuer().Sign("client:1", domain.RoleSystem, 0)
	if err != nil {
		ts.t.Fatal(err)
	}
	return tok
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

var sysActor = storage.Actor{Subject: "system", Source: "api"}

func storageEditName(name string) storage.HomeEdit { return storage.HomeEdit{Name: &name} }

func itoa(n int64) string { return fmt.Sprint(n) }
