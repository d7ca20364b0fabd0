//go:build bench

package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/alerts"
	"github.com/bedstate/bedstate/backend/api"
	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/push/pushtest"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/vacancy"
	"github.com/bedstate/bedstate/backend/webhook"
	"github.com/gofiber/fiber/v2"
)

// alertStack is Bedstate's alert path as serve runs it: the API, the store
// and the dispatcher, sending to the local push service.
type alertStack struct {
	st      *storage.Store
	app     *fiber.App
	disp    *alerts.Dispatcher
	home    int64
	manager string
}

// newAlertStack loads n coordinators, each with an empty filter (every
// vacancy) and one device, and a home with a full nursing dementia category.
func newAlertStack(t *testing.T, d storage.Dialect, subs []pushtest.Subscription, rcv *pushtest.Receiver) *alertStack {
	t.Helper()
	st, _ := openStore(t, d)
	ctx := context.Background()
	h, err := st.CreateHome(ctx, storage.Actor{Subject: "system", Source: "import"}, domain.Home{CQCLocationID: "1-100200300",
		Name: "Fan-out House", Postcode: "ST4 6QG", Latitude: 53.01, Longitude: -2.21, LocalAuthority: "Staffordshire", RegisteredBeds: 80})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutBeds(ctx, storage.Actor{Subject: "system", Source: "api"}, h.ID, time.Now().Add(-time.Hour),
		[]domain.Category{{CategoryKey: domain.CategoryKey{CareType: domain.Nursing, ClientGroup: domain.Dementia},
			Counts: domain.Counts{Capacity: 70, Occupied: 70}}}); err != nil {
		t.Fatal(err)
	}
	mgr, err := st.CreateUser(ctx, storage.User{Email: "manager@fanout.test", Role: domain.RoleManager, PasswordHash: "x", HomeIDs: []int64{h.ID}})
	if err != nil {
		t.Fatal(err)
	}
	bulkDevices(t, st, subs)
	key, _ := auth.LoadOrCreateKey("", t.TempDir())
	keys, _ := push.GenerateKeys()
	sender := push.NewSender(push.Options{Keys: keys, Subject: pushSubject, Allow: push.NewAllowlist([]string{rcv.Host()}), PerHost: pushConcurrency})
	disp := alerts.New(st, sender, webhook.NewSender(false), alerts.Options{TTL: pushTTL * time.Second, Workers: pushConcurrency, ReminderAt: ""})
	index := vacancy.New(domain.DefaultThresholds)
	api.Reload(ctx, st, index, 0)
	srv := api.New(st, index, key, api.Options{Push: sender, Notifier: disp})
	tok, _, _ := srv.Issuer().Sign(fmt.Sprintf("user:%d", mgr.ID), domain.RoleManager, 0)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); disp.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &alertStack{st: st, app: srv.App(), disp: disp, home: h.ID, manager: tok}
}

// bulkDevices inserts a coordinator, an empty filter and a device per
// subscription, in multi-row statements: loading, not what is measured.
func bulkDevices(t *testing.T, st *storage.Store, subs []pushtest.Subscription) {
	t.Helper()
	db := st.DB()
	now := time.Now().UTC()
	for start := 0; start < len(subs); start += 500 {
		end := min(start+500, len(subs))
		var u, f, p strings.Builder
		var ua, fa, pa []any
		for i := start; i < end; i++ {
			sep := ""
			if i > start {
				sep = ","
			}
			u.WriteString(sep + "(?,?,?,?)")
			ua = append(ua, fmt.Sprintf("coordinator%d@fanout.test", i), "x", "coordinator", now)
		}
		var ids []int64
		if err := db.Raw("INSERT INTO users (email, password_hash, role, created_at) VALUES "+u.String()+" RETURNING id", ua...).
			Scan(&ids).Error; err != nil || len(ids) != end-start {
			t.Fatalf("users: %v (%d ids)", err, len(ids))
		}
		for i := start; i < end; i++ {
			sep := ""
			if i > start {
				sep = ","
			}
			uid := ids[i-start]
			f.WriteString(sep + "(?,?,?,?,?)")
			fa = append(fa, uid, "Everything", "{}", now, now)
			s := subs[i]
			p.WriteString(sep + "(?,?,?,?,?)")
			pa = append(pa, uid, s.Endpoint, s.P256dh, s.Auth, now)
		}
		if err := db.Exec("INSERT INTO alert_filters (user_id, name, filter, created_at, updated_at) VALUES "+f.String(), fa...).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) VALUES "+p.String(), pa...).Error; err != nil {
			t.Fatal(err)
		}
	}
	db.Exec(`UPDATE counters SET value = value + 1 WHERE name = 'alerts'`)
}

// freeBed taps one bed free through the API, as a manager's phone does.
func (a *alertStack) freeBed(t *testing.T) {
	t.Helper()
	req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/homes/%d/beds/adjust", a.home),
		bytes.NewReader([]byte(`{"care_type":"nursing","client_group":"dementia","from":"occupied","to":"available"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.manager)
	res, err := a.app.Test(req, -1)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("free a bed: %v %v", res.StatusCode, err)
	}
}

// recorded waits until n vacancy deliveries are recorded as delivered.
func (a *alertStack) recorded(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var got int64
		a.st.DB().Raw(`SELECT COUNT(*) FROM deliveries WHERE status = 'delivered'`).Scan(&got)
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d deliveries recorded", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitDelivered(t *testing.T, rcv *pushtest.Receiver, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for rcv.Stats(t).Delivered < n {
		if time.Now().After(deadline) {
			t.Fatalf("the push service accepted only %d of %d", rcv.Stats(t).Delivered, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBenchAlertFanOut sends one vacancy to 10,000 devices through Bedstate
// (matching, delivery records and all) and, in the same run, the same
// fan-out with plain webpush-go from 64 goroutines and with npm web-push.
func TestBenchAlertFanOut(t *testing.T) {
	fmt.Printf("\n-- alert fan-out: one vacancy to %d devices, %d in flight to the push service\n", pushSubscriptionCount, pushConcurrency)
	rcv := pushtest.Start(t, true)
	subs := rcv.NewSubscriptions(t, pushSubscriptionCount)
	payload := pushPayload()
	v := newPushVAPID(t)
	base := pushMedian(t, rcv, "webpush-go v1.4.0", subs, payload, func() time.Duration { return pushFanOutWebpushGo(t, subs, payload, v) })
	printPushResult(base)
	node := pushMedian(t, rcv, "web-push 3.6.7 (node)", subs, payload, func() time.Duration { return pushFanOutNode(t, subs, payload, v) })
	printPushResult(node)
	for _, d := range []storage.Dialect{storage.Postgres, storage.SQLite} {
		a := newAlertStack(t, d, subs, rcv)
		var runs []pushResult
		var withRecords []float64
		for run := 1; run <= pushRuns; run++ {
			rcv.Reset(t)
			start := time.Now()
			a.freeBed(t)
			waitDelivered(t, rcv, len(subs))
			accepted := time.Since(start)
			a.recorded(t, int64(run*len(subs)))
			withRecords = append(withRecords, float64(len(subs))/time.Since(start).Seconds())
			runs = append(runs, pushMeasure(t, rcv, "bedstate ("+string(d)+")", len(subs), accepted))
		}
		slices.SortFunc(runs, func(x, y pushResult) int { return int(x.elapsed - y.elapsed) })
		m := runs[len(runs)/2]
		for _, r := range runs {
			m.runs = append(m.runs, r.rate())
		}
		slices.Sort(m.runs)
		slices.Sort(withRecords)
		printPushResult(m)
		fmt.Printf("   bedstate (%s): %.0f/s until every delivery is recorded; %.0f%% of plain webpush-go (target >= 70%%) %s; %.1fx web-push (target >= 8x) %s; %.0f B/push (target <= 600) %s\n",
			d, withRecords[len(withRecords)/2], 100*m.rate()/base.rate(), verdict(m.rate() >= 0.7*base.rate()),
			m.rate()/node.rate(), verdict(m.rate() >= 8*node.rate()), m.bodyBytes, verdict(m.bodyBytes <= 600))
	}
}

// TestBenchAlertLatency measures bed update to push-service acceptance for
// 1,000 matching devices, over 20 updates: median and p99 of every device's wait.
func TestBenchAlertLatency(t *testing.T) {
	const devices, updates = 1000, 20
	fmt.Printf("\n-- alert latency: bed update to push-service acceptance, %d devices, %d updates\n", devices, updates)
	rcv := pushtest.Start(t, false)
	subs := rcv.NewSubscriptions(t, devices)
	for _, d := range []storage.Dialect{storage.Postgres, storage.SQLite} {
		a := newAlertStack(t, d, subs, rcv)
		var waits []time.Duration
		for i := 0; i < updates; i++ {
			rcv.Reset(t)
			start := time.Now()
			a.freeBed(t)
			waitDelivered(t, rcv, devices)
			for _, m := range rcv.Received(t, "") {
				waits = append(waits, m.At.Sub(start))
			}
		}
		slices.Sort(waits)
		p50, p99 := waits[len(waits)/2], waits[len(waits)*99/100]
		fmt.Printf("   %-8s %d samples: median %.0f ms, p99 %.0f ms (target p99 < 1 s) %s\n", d, len(waits),
			millis(p50), millis(p99), verdict(p99 < time.Second))
	}
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
