package app

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/push/pushtest"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
)

// Two bedstate processes on one PostgreSQL, as a scaled-out deployment runs:
// a bed freed through one alerts each matching device exactly once.
func TestTwoProcesses_OneBedUpdateAlertsEachDeviceOnce(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bedstate")
	build := exec.Command("go", "build", "-o", bin, "./backend/cmd/bedstate")
	build.Dir = repoRoot(t)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	recv := pushtest.Start(t, false)
	dbURL := storagetest.NewDatabase(t)
	data := t.TempDir() // shared keys: one deployment
	vapid, _ := push.GenerateKeys()
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "BEDSTATE_DATA_DIR="+data,
		"BEDSTATE_VAPID_PUBLIC_KEY="+vapid.Public, "BEDSTATE_VAPID_PRIVATE_KEY="+vapid.Private,
		"BEDSTATE_PUSH_ALLOWED_HOSTS="+recv.Host(), "BEDSTATE_REMINDER_AT=off")
	a := startProcess(t, bin, env)
	b := startProcess(t, bin, env)

	// Fixtures straight into the shared database, tokens from the shared key.
	st, err := storage.Open(storage.Options{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.CreateHome(bg, storage.Actor{Subject: "system", Source: "import"}, domain.Home{CQCLocationID: "1-300400500",
		Name: "Two Process House", Postcode: "ST4 6QG", Latitude: 53.01, Longitude: -2.21, LocalAuthority: "Staffordshire", RegisteredBeds: 30})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutBeds(bg, storage.Actor{Subject: "system", Source: "api"}, h.ID, time.Now().Add(-time.Hour),
		[]domain.Category{{CategoryKey: domain.CategoryKey{CareType: domain.Nursing, ClientGroup: domain.Dementia}, Counts: domain.Counts{Capacity: 20, Occupied: 20}}}); err != nil {
		t.Fatal(err)
	}
	key, err := auth.LoadOrCreateKey("", data)
	if err != nil {
		t.Fatal(err)
	}
	issuer := &auth.Issuer{Key: key, TTL: time.Hour, Issuer: "bedstate"}
	token := func(role domain.Role, homes ...int64) string {
		u, err := st.CreateUser(bg, storage.User{Email: fmt.Sprintf("%s%d@two.test", role, time.Now().UnixNano()), Role: role, PasswordHash: "x", HomeIDs: homes})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, _ := issuer.Sign(fmt.Sprintf("user:%d", u.ID), role, 0)
		return tok
	}
	mgr := token(domain.RoleManager, h.ID)
	var devices []pushtest.Subscription
	for i := 0; i < 20; i++ {
		sub := recv.NewSubscription(t)
		body := fmt.Sprintf(`{"subscription":%s,"filter":{"care_types":["nursing"]}}`, sub.JSON())
		target := a
		if i%2 == 1 {
			target = b
		}
		if code, out := post(t, target+"/api/v1/push/subscriptions", token(domain.RoleCoordinator), body); code != 201 {
			t.Fatalf("register device: %d %s", code, out)
		}
		devices = append(devices, sub)
	}
	if code, out := post(t, fmt.Sprintf("%s/api/v1/homes/%d/beds/adjust", b, h.ID), mgr,
		`{"care_type":"nursing","client_group":"dementia","from":"occupied","to":"available"}`); code != 200 {
		t.Fatalf("free a bed: %d %s", code, out)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(recv.Received(t, "")) < len(devices) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // a duplicate would arrive by now
	for _, d := range devices {
		got := recv.Received(t, recv.IDOf(d.Endpoint))
		if len(got) != 1 || !strings.Contains(got[0].Payload, `"type":"vacancy"`) {
			t.Fatalf("device %s received %d messages: %+v", recv.IDOf(d.Endpoint), len(got), got)
		}
	}
	// And the other process's snapshot shows the freed bed.
	req, _ := http.NewRequest("GET", a+"/api/v1/vacancies?care_type=nursing", nil)
	req.Header.Set("Authorization", "Bearer "+token(domain.RoleCoordinator))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `"cqc_location_id":"1-300400500"`) {
		t.Fatalf("process a does not show the bed freed through b: %s", body)
	}
}

func startProcess(t *testing.T, bin string, env []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "PORT="+port)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("process on %s:\n%s", port, logs.String())
		}
	})
	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("process did not become ready:\n%s", logs.String())
	return ""
}

func post(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}
