package app

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bedstate/bedstate/backend/config"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
)

// The demo prints one log-in per role, and each of them signs in.
func TestDemo_EveryDemoLoginSignsIn(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			st := storagetest.Open(t, d)
			seeded, err := SeedDemo(bg, st)
			if err != nil || !seeded {
				t.Fatalf("seed: %v %v", seeded, err)
			}
			if again, err := SeedDemo(bg, st); err != nil || again {
				t.Fatalf("a second seed must leave the data alone: %v %v", again, err)
			}
			homes, err := st.ListHomes(bg, storage.HomeQuery{Limit: 500})
			if err != nil || len(homes) < 90 {
				t.Fatalf("want about 100 demo homes, got %d (%v)", len(homes), err)
			}
			cfg := &config.Config{DataDir: t.TempDir(), FreshFor: 24 * 3600e9, StaleAfter: 72 * 3600e9}
			svc, err := Build(bg, cfg, st)
			if err != nil {
				t.Fatal(err)
			}
			srv, index := svc.Server, svc.Index
			if index.Len() != len(homes) {
				t.Fatalf("snapshot holds %d homes, want %d", index.Len(), len(homes))
			}
			app := srv.App()
			for _, l := range DemoLogins {
				req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"email":"`+l.Email+`","password":"`+DemoPassword+`"}`))
				req.Header.Set("Content-Type", "application/json")
				res, err := app.Test(req, -1)
				if err != nil || res.StatusCode != 200 {
					t.Fatalf("%s cannot sign in: %v %v", l.Email, res.StatusCode, err)
				}
			}
			req := httptest.NewRequest("POST", "/api/v1/auth/token", strings.NewReader("grant_type=client_credentials&client_id="+DemoClient+"&client_secret="+DemoPassword))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if res, err := app.Test(req, -1); err != nil || res.StatusCode != 200 {
				t.Fatalf("demo system client: %v %v", res.StatusCode, err)
			}
			if res, _ := app.Test(httptest.NewRequest("GET", "/", nil), -1); res.StatusCode != 200 {
				t.Fatalf("the web page: %d", res.StatusCode)
			}
		})
	}
}

func TestCLI_CreateUserAndClientThenImport(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BEDSTATE_DATA_DIR", dir)
	t.Setenv("DATABASE_URL", "")
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Main(args, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := run("migrate"); code != 0 || !strings.Contains(out, "sqlite") {
		t.Fatalf("migrate: %d %s", code, out)
	}
	csv := dir + "/homes.csv"
	writeFile(t, csv, "Location ID,Location Name,Care homes beds,Location Postal Code,Location Local Authority,Location Latitude,Location Longitude,Service type - Care home service without nursing\n"+
		"1-545611283,Ashcroft House,30,ST16 3SA,Staffordshire,52.80,-2.11,Y\n")
	if code, out := run("import-homes", csv); code != 0 || !strings.Contains(out, "1 homes created") {
		t.Fatalf("import: %d %s", code, out)
	}
	if code, out := run("create-user", "--email", "m@example.test", "--password", "short", "--role", "manager"); code == 0 {
		t.Fatalf("a short password must be refused: %s", out)
	}
	if code, out := run("create-user", "--email", "m@example.test", "--password", "a long password", "--role", "manager", "--home", "1-545611283"); code != 0 {
		t.Fatalf("create-user: %d %s", code, out)
	}
	if code, out := run("create-client", "--name", "trust-system", "--secret", "a long secret value"); code != 0 {
		t.Fatalf("create-client: %d %s", code, out)
	}
	if code, _ := run("frobnicate"); code != 2 {
		t.Fatal("an unknown command must fail with usage")
	}
}
