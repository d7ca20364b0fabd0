package api_test

// Contract tests: openapi.yaml at the repository root is the API's contract.
// These tests prove that the spec is valid, that it lists exactly the routes
// the fiber app serves, that its security requirements follow the route
// table, and that kin-openapi's router (which the API tests use to validate
// every response) finds the served paths.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bedstate/bedstate/backend/api"
	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
	"github.com/bedstate/bedstate/backend/vacancy"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gofiber/fiber/v2"
)

// contractMinRoutes keeps the route comparison from passing on an empty table.
const contractMinRoutes = 25

// contractPublic are the operations anyone may call without a token.
var contractPublic = []string{
	"GET /healthz",
	"GET /readyz",
	"GET /metrics",
	"GET /.well-known/jwks.json",
	"POST /api/v1/auth/login",
	"POST /api/v1/auth/refresh",
	"POST /api/v1/auth/logout",
	"POST /api/v1/auth/token",
}

// contractSpec loads and validates openapi.yaml.
func contractSpec(t *testing.T) *openapi3.T {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "openapi.yaml")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.yaml is not valid: %v", err)
	}
	return doc
}

// contractApp builds the real fiber app over an empty SQLite store.
func contractApp(t *testing.T) *fiber.App {
	t.Helper()
	store := storagetest.Open(t, storage.SQLite)
	key, err := auth.LoadOrCreateKey("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(store, vacancy.New(domain.DefaultThresholds), key, api.Options{})
	return srv.App()
}

// contractServed lists the app's routes as "METHOD /path/{param}", leaving
// out fiber's automatic HEAD routes and the app.Use middleware entries.
func contractServed(app *fiber.App) []string {
	var out []string
	for _, r := range app.GetRoutes(true) {
		switch r.Method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			continue
		}
		if r.Path == "/" {
			continue
		}
		out = append(out, r.Method+" "+contractOpenAPIPath(r.Path))
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// contractOpenAPIPath turns fiber's "/homes/:id" into OpenAPI's "/homes/{id}".
func contractOpenAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			parts[i] = "{" + strings.TrimSuffix(name, "?") + "}"
		}
	}
	return strings.Join(parts, "/")
}

// contractOperations lists the spec's operations as "METHOD /path".
func contractOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	out := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[strings.ToUpper(method)+" "+path] = op
		}
	}
	return out
}

func TestContract_SpecIsValid(t *testing.T) {
	doc := contractSpec(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if len(doc.Servers) == 0 || doc.Servers[0].URL != "http://localhost:8080" {
		t.Errorf("servers[0] must be http://localhost:8080, got %v", doc.Servers)
	}
	bearer := doc.Components.SecuritySchemes["bearer"]
	if bearer == nil || bearer.Value == nil || bearer.Value.Type != "http" || bearer.Value.Scheme != "bearer" || bearer.Value.BearerFormat != "JWT" {
		t.Errorf("components.securitySchemes.bearer must be an http bearer JWT scheme")
	}
	if doc.Components.Schemas["Problem"] == nil {
		t.Fatal("components.schemas.Problem is missing")
	}
	ids := map[string]string{}
	for key, op := range contractOperations(doc) {
		if op.OperationID == "" {
			t.Errorf("%s has no operationId", key)
		} else if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share operationId %q", key, other, op.OperationID)
		}
		ids[op.OperationID] = key
		// Every error answer is a problem document, except readyz's 503,
		// which is a plain JSON status for load balancers.
		for code, ref := range op.Responses.Map() {
			if code < "400" || ref.Value == nil || key == "GET /readyz" {
				continue
			}
			mt := ref.Value.Content.Get("application/problem+json")
			if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/Problem" {
				t.Errorf("%s %s must answer application/problem+json with the Problem schema", key, code)
			}
		}
	}
}

func TestContract_EveryServedRouteIsInTheSpecAndBack(t *testing.T) {
	doc := contractSpec(t)
	served := contractServed(contractApp(t))
	if len(served) < contractMinRoutes {
		t.Fatalf("the app serves %d routes, want at least %d: %v", len(served), contractMinRoutes, served)
	}
	ops := contractOperations(doc)
	for _, r := range served {
		if ops[r] == nil {
			t.Errorf("served but not in openapi.yaml: %s", r)
		}
	}
	for key := range ops {
		if !slices.Contains(served, key) {
			t.Errorf("in openapi.yaml but not served: %s", key)
		}
	}
}

func TestContract_SecurityFollowsTheRouteTable(t *testing.T) {
	doc := contractSpec(t)
	if len(doc.Security) != 1 || doc.Security[0]["bearer"] == nil {
		t.Fatalf("the global security must be [{bearer: []}], got %v", doc.Security)
	}
	for key, op := range contractOperations(doc) {
		public := slices.Contains(contractPublic, key)
		switch {
		case public && (op.Security == nil || len(*op.Security) != 0):
			t.Errorf("%s is public: it must say security: []", key)
		case !public && op.Security != nil && len(*op.Security) == 0:
			t.Errorf("%s needs a token but opts out of security", key)
		case !public && strings.HasPrefix(strings.SplitN(key, " ", 2)[1], "/api/"):
			req := doc.Security
			if op.Security != nil {
				req = *op.Security
			}
			if len(req) == 0 || len(req[0]) == 0 {
				t.Errorf("%s has no security requirement", key)
			}
			if op.Responses.Value("401") == nil {
				t.Errorf("%s needs a token but does not document 401", key)
			}
		}
	}
	for _, key := range contractPublic {
		if contractOperations(doc)[key] == nil {
			t.Errorf("public operation %s is not in openapi.yaml", key)
		}
	}
}

func TestContract_RouterFindsServedPaths(t *testing.T) {
	doc := contractSpec(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, url, op, id string }{
		{"GET", "http://localhost:8080/api/v1/homes/12/beds", "getBeds", "12"},
		{"PUT", "http://localhost:8080/api/v1/homes/12/beds", "putBeds", "12"},
		{"POST", "http://localhost:8080/api/v1/homes/7/beds/adjust", "adjustBeds", "7"},
		{"POST", "http://localhost:8080/api/v1/homes/import", "importHomes", ""},
		{"GET", "http://localhost:8080/api/v1/snapshot.csv", "getSnapshotCSV", ""},
		{"GET", "http://localhost:8080/api/v1/vacancies?care_type=nursing&limit=5", "searchVacancies", ""},
		{"GET", "http://localhost:8080/.well-known/jwks.json", "jwks", ""},
	} {
		req := httptest.NewRequest(tc.method, tc.url, nil)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.url, err)
			continue
		}
		if route.Operation.OperationID != tc.op {
			t.Errorf("%s %s found %s, want %s", tc.method, tc.url, route.Operation.OperationID, tc.op)
		}
		if params["id"] != tc.id {
			t.Errorf("%s %s: id = %q, want %q", tc.method, tc.url, params["id"], tc.id)
		}
	}
}

// TestContract_PublicAnswersMatchTheSpec calls a few routes that need no
// fixtures and validates the answers, so a broken schema shows up here even
// before the API tests run.
func TestContract_PublicAnswersMatchTheSpec(t *testing.T) {
	doc := contractSpec(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	app := contractApp(t)
	for _, tc := range []struct {
		method, path, contentType, body string
		status                          int
	}{
		{"GET", "/healthz", "", "", 200},
		{"GET", "/readyz", "", "", 200},
		{"GET", "/metrics", "", "", 200},
		{"GET", "/.well-known/jwks.json", "", "", 200},
		{"GET", "/api/v1/me", "", "", 401},
		{"GET", "/api/v1/homes/1/beds", "", "", 401},
		{"POST", "/api/v1/auth/login", "text/plain", "x", 415},
		{"POST", "/api/v1/auth/login", "application/json", "{", 400},
		{"POST", "/api/v1/auth/login", "application/json", `{"email":"a@b.c","password":"x","extra":1}`, 422},
		{"POST", "/api/v1/auth/login", "application/json", `{"email":"nobody@example.org","password":"wrong"}`, 401},
		{"POST", "/api/v1/auth/token", "application/x-www-form-urlencoded", "grant_type=password", 422},
		{"POST", "/api/v1/auth/logout", "application/json", `{"refresh_token":"unknown"}`, 204},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s %s answered %d, want %d: %s", tc.method, tc.path, res.StatusCode, tc.status, body)
			continue
		}
		contractValidate(t, router, tc.method, tc.path, res, body)
	}
}

func contractValidate(t *testing.T, router routers.Router, method, path string, res *http.Response, body []byte) {
	t.Helper()
	req := httptest.NewRequest(method, "http://localhost:8080"+path, nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Errorf("%s %s: not in openapi.yaml: %v", method, path, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s answered %d, which does not match openapi.yaml: %v\nbody: %.400s", method, path, res.StatusCode, err, body)
	}
}
