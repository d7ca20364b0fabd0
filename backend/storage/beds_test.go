package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
)

var (
	ctx    = context.Background()
	system = storage.Actor{Subject: "user:1", Source: "api"}
	t0     = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	resOP  = domain.CategoryKey{CareType: domain.Residential, ClientGroup: domain.OlderPeople}
	nurDem = domain.CategoryKey{CareType: domain.Nursing, ClientGroup: domain.Dementia}
)

func newHome(t *testing.T, st *storage.Store, cqc string) domain.Home {
	t.Helper()
	h, err := st.CreateHome(ctx, system, domain.Home{CQCLocationID: cqc, Name: "Test House " + cqc, Postcode: "ST4 6QG",
		Latitude: 53.0, Longitude: -2.2, LocalAuthority: "Staffordshire", District: "Stafford", ICB: "QNC", RegisteredBeds: 40})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func cats(occupied, available int) []domain.Category {
	return []domain.Category{
		{CategoryKey: resOP, Counts: domain.Counts{Capacity: occupied + available + 1, Occupied: occupied, Reserved: 1, Available: available}},
		{CategoryKey: nurDem, Counts: domain.Counts{Capacity: 10, Occupied: 8, Available: 1, Unavailable: 1}, UnavailableReason: domain.ReasonStaffing},
	}
}

func eachDialect(t *testing.T, fn func(t *testing.T, st *storage.Store)) {
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, storagetest.Open(t, d))
		})
	}
}

func count(t *testing.T, st *storage.Store, table string) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBeds_PutWritesStateAuditAndOutboxTogether(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000001")
		audits, outbox := count(t, st, "audit_events"), count(t, st, "outbox")
		got, err := st.PutBeds(ctx, system, h.ID, t0, cats(20, 2))
		if err != nil {
			t.Fatal(err)
		}
		if got.Seq == 0 || len(got.Categories) != 2 || got.Categories[0].Available != 2 {
			t.Fatalf("unexpected result %+v", got)
		}
		if count(t, st, "audit_events") != audits+1 || count(t, st, "outbox") != outbox+1 {
			t.Fatal("a bed update must add exactly one audit event and one outbox event")
		}
		read, err := st.GetBeds(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !read.Categories[0].ObservedAt.Equal(t0) || read.Categories[0].ReceivedAt.IsZero() {
			t.Fatalf("observed/received times not kept: %+v", read.Categories[0])
		}
		var payload storage.OutboxPayload
		var raw string
		st.DB().Raw(`SELECT payload FROM outbox ORDER BY id DESC LIMIT 1`).Scan(&raw)
		if err := json.Unmarshal([]byte(raw), &payload); err != nil || payload.HomeID != h.ID || payload.Kind != storage.KindBeds {
			t.Fatalf("outbox payload %q: %v", raw, err)
		}
	})
}

func TestBeds_InvalidUpdateChangesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000002")
		if _, err := st.PutBeds(ctx, system, h.ID, t0, cats(20, 2)); err != nil {
			t.Fatal(err)
		}
		before := count(t, st, "audit_events")
		bad := cats(20, 2)
		bad[0].Available = 5 // breaks capacity = occupied + reserved + available + unavailable
		_, err := st.PutBeds(ctx, system, h.ID, t0.Add(time.Hour), bad)
		var ve *domain.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("want a validation error, got %v", err)
		}
		read, _ := st.GetBeds(ctx, h.ID)
		if read.Categories[0].Available != 2 || !read.ObservedAt.Equal(t0) || count(t, st, "audit_events") != before {
			t.Fatal("a refused update changed stored state")
		}
	})
}

func TestBeds_StaleUpdateIsRefusedWithCurrentState(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000003")
		if _, err := st.PutBeds(ctx, system, h.ID, t0.Add(time.Hour), cats(20, 2)); err != nil {
			t.Fatal(err)
		}
		_, err := st.PutBeds(ctx, system, h.ID, t0, cats(22, 0))
		var se *storage.StaleError
		if !errors.As(err, &se) || !errors.Is(err, storage.ErrStale) {
			t.Fatalf("want StaleError, got %v", err)
		}
		if se.Current.Categories[0].Available != 2 {
			t.Fatalf("the error must carry the stored state, got %+v", se.Current)
		}
		if _, err := st.ConfirmBeds(ctx, system, h.ID, t0); !errors.Is(err, storage.ErrStale) {
			t.Fatalf("a stale confirmation must be refused too, got %v", err)
		}
		read, _ := st.GetBeds(ctx, h.ID)
		if read.Categories[0].Available != 2 {
			t.Fatal("stale update overwrote newer state")
		}
	})
}

func TestBeds_ConfirmMovesObservedTimeAndKeepsCounts(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000004")
		if _, err := st.PutBeds(ctx, system, h.ID, t0, cats(20, 2)); err != nil {
			t.Fatal(err)
		}
		later := t0.Add(26 * time.Hour)
		got, err := st.ConfirmBeds(ctx, system, h.ID, later)
		if err != nil {
			t.Fatal(err)
		}
		read, _ := st.GetBeds(ctx, h.ID)
		for i, c := range read.Categories {
			if !c.ObservedAt.Equal(later) {
				t.Fatalf("category %d observed_at %v, want %v", i, c.ObservedAt, later)
			}
			if c.Counts != got.Categories[i].Counts {
				t.Fatal("confirm changed counts")
			}
		}
		if read.Categories[0].Available != 2 || read.Categories[1].Unavailable != 1 {
			t.Fatal("confirm changed counts")
		}
	})
}

// Two devices tap at once: both taps must count.
func TestBeds_ConcurrentOneTapChangesAreNotLost(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000005")
		if _, err := st.PutBeds(ctx, system, h.ID, t0, cats(30, 0)); err != nil {
			t.Fatal(err)
		}
		const taps = 12
		var wg sync.WaitGroup
		errs := make(chan error, taps)
		for i := 0; i < taps; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				// Devices' clocks and queues differ: some taps were observed earlier.
				_, err := st.AdjustBed(ctx, system, h.ID, resOP, domain.Move{From: domain.BucketOccupied, To: domain.BucketAvailable, Count: 1},
					t0.Add(time.Duration(i%4)*time.Minute))
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		read, _ := st.GetBeds(ctx, h.ID)
		c := read.Categories[0]
		if c.Available != taps || c.Occupied != 30-taps || c.Capacity != 31 {
			t.Fatalf("lost updates: %+v", c.Counts)
		}
		if !c.ObservedAt.Equal(t0.Add(3 * time.Minute)) {
			t.Fatalf("observed_at must be the latest tap's, got %v", c.ObservedAt)
		}
	})
}

func TestBeds_MoveBeyondWhatIsThereIsRefused(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000006")
		if _, err := st.PutBeds(ctx, system, h.ID, t0, cats(20, 0)); err != nil {
			t.Fatal(err)
		}
		_, err := st.AdjustBed(ctx, system, h.ID, resOP, domain.Move{From: domain.BucketAvailable, To: domain.BucketOccupied, Count: 1}, t0)
		var ne *storage.NotEnoughError
		if !errors.As(err, &ne) {
			t.Fatalf("want NotEnoughError, got %v", err)
		}
		_, err = st.AdjustBed(ctx, system, h.ID, domain.CategoryKey{CareType: domain.Nursing, ClientGroup: domain.MentalHealth},
			domain.Move{From: domain.BucketOccupied, To: domain.BucketAvailable, Count: 1}, t0)
		if !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown category: want ErrNotFound, got %v", err)
		}
	})
}

func TestIdempotency_ReplayReturnsFirstResultAndWritesOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000007")
		if _, err := st.PutBeds(ctx, system, h.ID, t0, cats(20, 0)); err != nil {
			t.Fatal(err)
		}
		calls := 0
		tap := func(tx *storage.Store) (storage.Response, error) {
			calls++
			st, err := tx.AdjustBed(ctx, system, h.ID, resOP, domain.Move{From: domain.BucketOccupied, To: domain.BucketAvailable, Count: 1}, t0)
			return storage.Response{Status: 200, Body: []byte(fmt.Sprint(st.Categories[0].Available))}, err
		}
		var wg sync.WaitGroup
		results := make([]storage.Response, 4)
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r, _, err := st.Idempotent(ctx, "user:1", "tap-1", "POST adjust", tap)
				if err != nil {
					t.Error(err)
				}
				results[i] = r
			}(i)
		}
		wg.Wait()
		read, _ := st.GetBeds(ctx, h.ID)
		if read.Categories[0].Available != 1 {
			t.Fatalf("replays applied the tap %d times", read.Categories[0].Available)
		}
		for _, r := range results {
			if string(r.Body) != "1" || r.Status != 200 {
				t.Fatalf("replay answered %d %q, want the first answer", r.Status, r.Body)
			}
		}
		if _, _, err := st.Idempotent(ctx, "user:1", "tap-1", "PUT beds", tap); !errors.Is(err, storage.ErrKeyReused) {
			t.Fatalf("same key, other request: want ErrKeyReused, got %v", err)
		}
		// Another caller's identical key is theirs alone.
		if _, replayed, err := st.Idempotent(ctx, "user:2", "tap-1", "POST adjust", tap); err != nil || replayed {
			t.Fatalf("keys are per caller: replayed=%v err=%v", replayed, err)
		}
	})
}

func TestIdempotency_FailedWriteSavesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000008")
		if _, err := st.PutBeds(ctx, system, h.ID, t0.Add(time.Hour), cats(20, 0)); err != nil {
			t.Fatal(err)
		}
		put := func(at time.Time) func(tx *storage.Store) (storage.Response, error) {
			return func(tx *storage.Store) (storage.Response, error) {
				_, err := tx.PutBeds(ctx, system, h.ID, at, cats(19, 1))
				return storage.Response{Status: 200, Body: []byte("ok")}, err
			}
		}
		if _, _, err := st.Idempotent(ctx, "user:1", "k", "f", put(t0)); !errors.Is(err, storage.ErrStale) {
			t.Fatalf("want stale, got %v", err)
		}
		if _, replayed, err := st.Idempotent(ctx, "user:1", "k", "f", put(t0.Add(2*time.Hour))); err != nil || replayed {
			t.Fatalf("a retry after a refusal must run: replayed=%v err=%v", replayed, err)
		}
	})
}

// Replaying the audit events from empty reproduces the stored state.
func TestAudit_ReplayReproducesCurrentState(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		h := newHome(t, st, "1-100000009")
		must := func(_ any, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(st.PutBeds(ctx, system, h.ID, t0, cats(20, 2)))
		must(st.AdjustBed(ctx, system, h.ID, resOP, domain.Move{From: domain.BucketAvailable, To: domain.BucketOccupied, Count: 1}, t0.Add(time.Minute)))
		must(st.ConfirmBeds(ctx, system, h.ID, t0.Add(2*time.Hour)))
		exp := t0.Add(72 * time.Hour)
		must(st.SetStatus(ctx, system, h.ID, domain.StatusChange{Status: domain.Closed, Reason: domain.ClosureInfection, ExpiresAt: &exp}))
		must(st.SetSuspension(ctx, system, h.ID, domain.Suspension{Suspended: true, Reason: "CQC rated Inadequate"}))
		must(st.AdjustBed(ctx, system, h.ID, nurDem, domain.Move{From: domain.BucketUnavailable, To: domain.BucketAvailable, Count: 1}, t0.Add(3*time.Hour)))

		events, err := st.History(ctx, h.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var beds []domain.Category
		var status domain.StatusChange
		var sus domain.Suspension
		for i := len(events) - 1; i >= 0; i-- { // History is newest first
			e := events[i]
			if e.Actor != "user:1" || e.Source != "api" {
				t.Fatalf("event %d lacks who and how: %+v", e.Seq, e)
			}
			switch e.Kind {
			case storage.KindBeds, storage.KindAdjust, storage.KindConfirm:
				var v struct{ Categories []domain.Category }
				if err := json.Unmarshal(e.New, &v); err != nil {
					t.Fatal(err)
				}
				beds = v.Categories
			case storage.KindStatus:
				json.Unmarshal(e.New, &status)
			case storage.KindSuspension:
				json.Unmarshal(e.New, &sus)
			}
		}
		cur, _ := st.GetBeds(ctx, h.ID)
		want, _ := json.Marshal(cur.Categories)
		got, _ := json.Marshal(beds)
		if string(want) != string(got) {
			t.Fatalf("replayed beds differ:\n got %s\nwant %s", got, want)
		}
		if status.Status != cur.Home.Status || !status.ExpiresAt.Equal(*cur.Home.StatusExpiresAt) || sus.Suspended != cur.Home.Suspended {
			t.Fatalf("replayed status/suspension differ: %+v %+v vs %+v", status, sus, cur.Home)
		}
	})
}

// Writers to different homes race; the feed must come out in commit order
// with no gaps, so a poller that saw position N has seen everything up to N.
func TestChanges_FeedIsGaplessAndOrdered(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		homes := []domain.Home{newHome(t, st, "1-200000001"), newHome(t, st, "1-200000002"), newHome(t, st, "1-200000003")}
		start, _ := st.FeedPosition(ctx)
		var wg sync.WaitGroup
		for _, h := range homes {
			wg.Add(1)
			go func(h domain.Home) {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					if _, err := st.PutBeds(ctx, system, h.ID, t0.Add(time.Duration(i)*time.Minute), cats(20, i)); err != nil {
						t.Error(err)
					}
				}
			}(h)
		}
		wg.Wait()
		events, err := st.Changes(ctx, start, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 15 {
			t.Fatalf("want 15 changes, got %d", len(events))
		}
		for i, e := range events {
			if e.Seq != start+int64(i)+1 {
				t.Fatalf("feed position %d at index %d: gaps or disorder", e.Seq, i)
			}
			if e.Actor != "" {
				t.Fatal("the feed must not carry actors")
			}
		}
		page, _ := st.Changes(ctx, events[9].Seq, 1000)
		if len(page) != 5 || page[0].Seq != events[10].Seq {
			t.Fatal("since must return only later changes")
		}
	})
}
