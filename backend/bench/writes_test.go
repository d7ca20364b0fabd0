//go:build bench

package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/demo"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

const (
	writeWarmup     = 50
	writeSequential = 1000 // operations of each kind, one after another
	writeConcurrent = 2000 // operations of each kind, shared by the writers
	writers         = 4
)

// benchWrites times Store.PutBeds of a home's ten categories and the one-tap
// Store.AdjustBed, each a transaction with its audit and outbox rows, first
// one at a time and then from several writers on different homes.
func benchWrites(t *testing.T, st *storage.Store, ds demo.Dataset) {
	d := string(st.Dialect())
	fmt.Printf("\n-- %s: bed updates (transaction with audit and outbox)\n", d)
	w := &writer{st: st, ds: ds, actor: storage.Actor{Subject: "user:1", Source: "app"}}
	r := rand.New(rand.NewPCG(1, 2))

	w.run(t, r, writeWarmup, 1, w.put)
	put := w.run(t, r, writeSequential, 1, w.put)
	adj := w.run(t, r, writeSequential, 1, w.adjust)
	putC := w.run(t, r, writeConcurrent, writers, w.put)
	adjC := w.run(t, r, writeConcurrent, writers, w.adjust)

	fmt.Printf("   PutBeds   1 writer : %s\n", put)
	fmt.Printf("   AdjustBed 1 writer : %s\n", adj)
	fmt.Printf("   PutBeds   %d writers: %s\n", writers, putC)
	fmt.Printf("   AdjustBed %d writers: %s\n", writers, adjC)
	goal, met := "-", func(s sample) *bool { return nil }
	if st.Dialect() == storage.Postgres {
		goal = "p99 < 20ms"
		met = func(s sample) *bool { return check(s.pct(99) < 20*time.Millisecond && s.errors == 0) }
	}
	for _, x := range []struct {
		name string
		s    sample
	}{{"PutBeds, 1 writer", put}, {"AdjustBed, 1 writer", adj},
		{fmt.Sprintf("PutBeds, %d writers", writers), putC}, {fmt.Sprintf("AdjustBed, %d writers", writers), adjC}} {
		record(d, "1 "+x.name, fmt.Sprintf("p50 %s p99 %s", ms(x.s.pct(50)), ms(x.s.pct(99))), goal, met(x.s))
	}
	record(d, fmt.Sprintf("1 writes/s, %d writers (PutBeds)", writers), fmt.Sprintf("%.0f/s", putC.rate()), "-", nil)
}

type writer struct {
	st    *storage.Store
	ds    demo.Dataset
	actor storage.Actor
}

// op is one operation on the home with id (its dataset index + 1); it
// returns how long the call being measured took.
type op func(ctx context.Context, id int64) (time.Duration, error)

// run does n operations from conc writers, each writer on its own homes so
// no two writers wait on one home's lock, and returns their latencies.
func (w *writer) run(t *testing.T, r *rand.Rand, n, conc int, fn op) sample {
	ids := make([][]int64, conc)
	for i := range n {
		id := int64(1 + r.IntN(len(w.ds.Homes)))
		id -= id % int64(conc)
		id += int64(i % conc)
		if id < 1 || id > int64(len(w.ds.Homes)) {
			id = int64(1 + i%conc)
		}
		ids[i%conc] = append(ids[i%conc], id)
	}
	var (
		mu    sync.Mutex
		all   []time.Duration
		errs  int
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	for c := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, len(ids[c]))
			bad := 0
			var firstErr error
			for _, id := range ids[c] {
				took, err := fn(context.Background(), id)
				lat = append(lat, took)
				if err != nil {
					bad++
					if firstErr == nil {
						firstErr = err
					}
				}
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			if first == nil {
				first = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	s := sample{lat: all, elapsed: time.Since(start), errors: errs}
	if first != nil {
		t.Errorf("%d of %d writes failed; first: %v", errs, n, first)
	}
	return s
}

// put replaces the home's ten categories with its dataset state after one
// bed was freed, as a manager's daily update does.
func (w *writer) put(ctx context.Context, id int64) (time.Duration, error) {
	seed := w.ds.Homes[id-1]
	cats := slices.Clone(seed.Categories)
	for i := range cats {
		if cats[i].Occupied > 0 {
			cats[i].Occupied--
			cats[i].Available++
			break
		}
	}
	t0 := time.Now()
	_, err := w.st.PutBeds(ctx, w.actor, id, time.Now().UTC(), cats)
	return time.Since(t0), err
}

// adjust makes a one-tap move in the home's largest category: a bed freed,
// or filled when one is already free. Reading the current state to choose
// the move is not timed.
func (w *writer) adjust(ctx context.Context, id int64) (time.Duration, error) {
	seed := w.ds.Homes[id-1]
	best := 0
	for i, c := range seed.Categories {
		if c.Capacity > seed.Categories[best].Capacity {
			best = i
		}
	}
	cur, err := w.st.GetBeds(ctx, id)
	if err != nil {
		return 0, err
	}
	m := moveFor(seed.Categories[best])
	for _, c := range cur.Categories {
		if c.CategoryKey == seed.Categories[best].CategoryKey {
			m = moveFor(c)
		}
	}
	t0 := time.Now()
	_, err = w.st.AdjustBed(ctx, w.actor, id, seed.Categories[best].CategoryKey, m, time.Now().UTC())
	return time.Since(t0), err
}

// moveFor frees a bed when one is occupied, else fills an available one.
func moveFor(c domain.Category) domain.Move {
	if c.Occupied > 0 && c.Available == 0 {
		return domain.Move{From: domain.BucketOccupied, To: domain.BucketAvailable, Count: 1}
	}
	return domain.Move{From: domain.BucketAvailable, To: domain.BucketOccupied, Count: 1}
}
