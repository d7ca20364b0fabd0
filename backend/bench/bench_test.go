//go:build bench

package bench

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/app"
	"github.com/bedstate/bedstate/backend/demo"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
)

// National size: about 15,000 care homes in England, ten categories each.
const (
	nationalHomes = 15_000
	datasetSeed   = 20261123
)

// openStore opens an empty, migrated store of the dialect with the
// production pool size and timeout (config defaults: 20 connections, 5 s),
// removed when the test ends.
func openStore(t testing.TB, d storage.Dialect) (*storage.Store, storage.Options) {
	t.Helper()
	o := storage.Options{MaxOpenConns: 20, Timeout: 5 * time.Second}
	if d == storage.Postgres {
		o.DatabaseURL = storagetest.NewDatabase(t)
	} else {
		o.DataDir = t.TempDir()
	}
	st, err := storage.Open(o)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return st, o
}

// TestBench runs every benchmark on SQLite and then PostgreSQL against the
// national dataset and prints a summary of figures against their targets.
func TestBench(t *testing.T) {
	fmt.Printf("\nBedstate benchmarks: %d homes x 10 categories, GOMAXPROCS=%d, %s\n",
		nationalHomes, runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Println("Client and server share the machine: HTTP figures include the load generator's CPU.")
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			st, opts := openStore(t, d)
			// Generated per dialect, and dropped before the search runs, so
			// this process's heap is not twice a server's: a bigger live heap
			// makes every garbage collection, and so every search, slower.
			ds := demo.National(nationalHomes, datasetSeed, time.Now())
			start := time.Now()
			if err := bulkLoad(context.Background(), st, ds); err != nil {
				t.Fatalf("load: %v", err)
			}
			fmt.Printf("\n== %s: national dataset loaded in %.1f s\n", d, time.Since(start).Seconds())
			t.Run("writes", func(t *testing.T) { benchWrites(t, st, ds) })
			qs := makeQueries(ds, searchQueries)
			ds = demo.Dataset{}
			settle(t, st)
			t.Run("search", func(t *testing.T) { benchSearch(t, st, qs) })
			t.Run("memory", func(t *testing.T) { benchMemory(t, d, opts) })
		})
	}
	printSummary()
}

// settle runs the maintenance the database would do by itself soon after the
// writes (autovacuum; a WAL checkpoint), so it does not run during a timing.
func settle(t *testing.T, st *storage.Store) {
	stmt := "PRAGMA wal_checkpoint(TRUNCATE)"
	if st.Dialect() == storage.Postgres {
		stmt = "VACUUM ANALYZE"
	}
	if err := st.DB().Exec(stmt).Error; err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	runtime.GC()
}

// TestBenchLoaderMatchesLoadDataset proves the bulk loader leaves the state
// app.LoadDataset does, on a small dataset, so the benchmarks measure the
// database the application would have.
func TestBenchLoaderMatchesLoadDataset(t *testing.T) {
	ds := demo.National(300, 7, time.Now())
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			slow, _ := openStore(t, d)
			fast, _ := openStore(t, d)
			if _, err := app.LoadDataset(ctx, slow, ds); err != nil {
				t.Fatalf("LoadDataset: %v", err)
			}
			if err := bulkLoad(ctx, fast, ds); err != nil {
				t.Fatalf("bulkLoad: %v", err)
			}
			want, err := slow.AllBeds(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fast.AllBeds(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("bulkLoad wrote %d homes, LoadDataset %d", len(got), len(want))
			}
			for i := range want {
				w, g := want[i], got[i]
				// Times of writing differ between the two loads.
				w.Home.UpdatedAt, g.Home.UpdatedAt = time.Time{}, time.Time{}
				w.Home.SuspendedAt, g.Home.SuspendedAt = nil, nil
				if !reflect.DeepEqual(w, g) {
					t.Fatalf("home %d differs:\nLoadDataset %+v\nbulkLoad    %+v", i, w, g)
				}
			}
			for _, table := range []string{"organisations", "hospitals", "audit_events", "outbox"} {
				var a, b int64
				slow.DB().Table(table).Count(&a)
				fast.DB().Table(table).Count(&b)
				// LoadDataset also audits each suspension and closure.
				if table == "audit_events" || table == "outbox" {
					a -= extraEvents(ds)
				}
				if a != b {
					t.Errorf("%s: LoadDataset wrote %d rows, bulkLoad %d", table, a, b)
				}
			}
			// The next write must get fresh ids and feed positions.
			hs, err := fast.ListHomes(ctx, storage.HomeQuery{Limit: 1})
			if err != nil || len(hs) == 0 {
				t.Fatalf("list homes: %v", err)
			}
			if _, err := fast.AdjustBed(ctx, storage.Actor{Subject: "user:1", Source: "app"}, hs[0].ID,
				ds.Homes[0].Categories[0].CategoryKey, moveFor(ds.Homes[0].Categories[0]), time.Now()); err != nil {
				t.Fatalf("adjust after bulk load: %v", err)
			}
		})
	}
}

// extraEvents counts the status and suspension events LoadDataset audits.
func extraEvents(ds demo.Dataset) int64 {
	var n int64
	for _, h := range ds.Homes {
		if h.Home.Suspended {
			n++
		}
		if h.Home.Status != "" && h.Home.Status != domain.Open {
			n++
		}
	}
	return n
}
