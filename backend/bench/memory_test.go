//go:build bench

package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/bedstate/bedstate/backend/push/pushtest"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/app"
	"github.com/bedstate/bedstate/backend/config"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

const memoryEnv = "BEDSTATE_BENCH_MEMORY"

// memory is what the helper process reports, in bytes.
type memory struct {
	RSS, PeakRSS, HeapInuse, HeapAlloc uint64
}

type memoryReport struct {
	Homes        int
	BuildSeconds float64
	Start        memory // before opening the store
	Built        memory // the server built as app.Build does, after a GC
	Searched     memory // after 200 searches, after a GC
	Released     memory // then with freed memory handed back to the OS
	Error        string
}

// benchMemory measures the resident memory of a fresh process that opens the
// store and builds the server as app.Build does: this test process holds the
// generated dataset and the benchmark's own server, which would distort it.
func benchMemory(t *testing.T, d storage.Dialect, o storage.Options) {
	addDevices(t, o, memoryDevices)
	spec, _ := json.Marshal(o)
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryChild$", "-test.count=1", "-test.v")
	// As deployed: docker-compose.yml and the README set GOMEMLIMIT=120MiB.
	cmd.Env = append(os.Environ(), memoryEnv+"="+string(spec), "GOMEMLIMIT=120MiB")
	out, err := cmd.CombinedOutput()
	var rep memoryReport
	for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
		if line, ok := strings.CutPrefix(sc.Text(), "BEDSTATE_MEMORY "); ok {
			err = json.Unmarshal([]byte(line), &rep)
		}
	}
	if err != nil || rep.Homes == 0 {
		t.Fatalf("memory helper: %v %s\n%s", err, rep.Error, out)
	}
	mb := func(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
	fmt.Printf("\n-- %s: memory of a fresh server process with %d homes in the snapshot (loaded in %.1f s)\n",
		d, rep.Homes, rep.BuildSeconds)
	fmt.Printf("   %-28s %10s %10s %10s %10s\n", "", "VmRSS", "VmHWM", "HeapInuse", "HeapAlloc")
	for _, x := range []struct {
		name string
		m    memory
	}{{"process start", rep.Start}, {"server built, after GC", rep.Built}, {"after 200 searches, GC", rep.Searched},
		{"then FreeOSMemory", rep.Released}} {
		fmt.Printf("   %-28s %10s %10s %10s %10s\n", x.name, mb(x.m.RSS), mb(x.m.PeakRSS), mb(x.m.HeapInuse), mb(x.m.HeapAlloc))
	}
	fmt.Printf("   includes %d push subscriptions, each with a filter, loaded into the alert dispatcher; GOMEMLIMIT=120MiB as deployed\n", memoryDevices)
	ds := string(d)
	record(ds, "4 RSS, snapshot and alerts loaded (after GC)", mb(rep.Built.RSS), "< 150 MB", check(rep.Built.RSS < 150<<20))
	record(ds, "4 RSS after 200 searches (after GC)", mb(rep.Searched.RSS), "< 150 MB", check(rep.Searched.RSS < 150<<20))
	record(ds, "4 RSS, freed pages returned to the OS", mb(rep.Released.RSS), "< 150 MB", check(rep.Released.RSS < 150<<20))
	record(ds, "4 peak RSS while loading (VmHWM)", mb(rep.Searched.PeakRSS), "-", nil)
	record(ds, "4 HeapInuse, snapshot loaded", mb(rep.Built.HeapInuse), "-", nil)
	record(ds, "4 snapshot load at start-up (app.Build)", fmt.Sprintf("%.2f s", rep.BuildSeconds), "-", nil)
}

// TestMemoryChild is the helper process of benchMemory; run on its own it
// does nothing.
func TestMemoryChild(t *testing.T) {
	spec := os.Getenv(memoryEnv)
	if spec == "" {
		t.Log("helper process of TestBench's memory figure: runs only when TestBench starts it")
		return
	}
	rep := memoryReport{Start: readMemory()}
	defer func() {
		b, _ := json.Marshal(rep)
		fmt.Printf("BEDSTATE_MEMORY %s\n", b)
	}()
	fail := func(err error) { rep.Error = err.Error() }
	var o storage.Options
	if err := json.Unmarshal([]byte(spec), &o); err != nil {
		fail(err)
		return
	}
	cfg, err := config.Load()
	if err != nil {
		fail(err)
		return
	}
	cfg.DatabaseURL, cfg.DataDir = o.DatabaseURL, o.DataDir
	if o.DataDir == "" {
		cfg.DataDir = t.TempDir() // the signing key's home on PostgreSQL
	}
	ctx := context.Background()
	st, err := storage.Open(storage.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir,
		MaxOpenConns: cfg.MaxOpenConns, Timeout: cfg.DBTimeout})
	if err != nil {
		fail(err)
		return
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		fail(err)
		return
	}
	start := time.Now()
	svc, err := app.Build(ctx, cfg, st)
	if err != nil {
		fail(err)
		return
	}
	srv, index := svc.Server, svc.Index
	if err := svc.Dispatcher.Prime(ctx); err != nil { // the alert filters and devices, as serve loads them
		fail(err)
		return
	}
	rep.BuildSeconds = time.Since(start).Seconds()
	rep.Homes = index.Len()
	a := srv.App()
	runtime.GC()
	rep.Built = readMemory()

	token, _, err := srv.Issuer().Sign("user:1", domain.RoleCoordinator, 0)
	if err != nil {
		fail(err)
		return
	}
	searches := []string{"care_type=residential&client_group=older_people", "min_rating=good&client_group=dementia",
		"local_authority=Local+Authority+001", "lat=52.5&lon=-1.5&radius_km=25"}
	for i := range 200 {
		req := httptest.NewRequest("GET", "/api/v1/vacancies?"+searches[i%len(searches)], nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := a.Test(req, -1)
		if err != nil {
			fail(err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			fail(fmt.Errorf("search answered %d", resp.StatusCode))
			return
		}
	}
	runtime.GC()
	rep.Searched = readMemory()
	// The runtime keeps freed pages a while before returning them (its
	// scavenger works in the background): this is the floor it tends to.
	debug.FreeOSMemory()
	rep.Released = readMemory()
	runtime.KeepAlive(srv)
}

// readMemory reads the process's resident memory from /proc/self/status and
// the Go heap from the runtime.
func readMemory() memory {
	var m memory
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.HeapInuse, m.HeapAlloc = ms.HeapInuse, ms.HeapAlloc
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if name == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.PeakRSS = kb << 10
		}
	}
	return m
}

// memoryDevices is the national number of subscribed devices to hold.
const memoryDevices = 10_000

// addDevices gives the store n coordinators with a filter and a device each,
// with endpoints and keys the size browsers' are.
func addDevices(t *testing.T, o storage.Options, n int) {
	t.Helper()
	st, err := storage.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	subs := make([]pushtest.Subscription, n)
	for i := range subs {
		subs[i] = pushtest.Subscription{
			Endpoint: fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%s%06d", strings.Repeat("dGVzdC1kZXZpY2Ut", 9), i),
			P256dh:   "B" + strings.Repeat("A", 86), Auth: fmt.Sprintf("%022d", i)}
	}
	bulkDevices(t, st, subs)
}
