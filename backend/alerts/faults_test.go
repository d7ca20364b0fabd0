package alerts_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/alerts"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push/pushtest"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
	"github.com/bedstate/bedstate/backend/webhook"
)

func (s *stack) deliveries(token, query string) []storage.Delivery {
	s.t.Helper()
	var out struct{ Deliveries []storage.Delivery }
	json.Unmarshal(s.must("GET", "/api/v1/deliveries?"+query, token, nil, 200), &out)
	return out.Deliveries
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFaults_GonePrunesRateLimitIsWaitedOutAndErrorsDeadLetter(t *testing.T) {
	recv := pushtest.Start(t, false)
	s := newStack(t, storagetest.Open(t, storage.Postgres), recv, fastOptions())
	h := s.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0))
	_, mgr := s.user(domain.RoleManager, h.ID)
	_, admin := s.user(domain.RoleAdmin)
	_, gone := s.user(domain.RoleCoordinator)
	_, limited := s.user(domain.RoleCoordinator)
	_, broken := s.user(domain.RoleCoordinator)
	goneDev, _ := s.device(gone, map[string]any{})
	limitedDev, _ := s.device(limited, map[string]any{})
	brokenDev, _ := s.device(broken, map[string]any{})
	recv.Gone(t, recv.IDOf(goneDev.Endpoint))
	recv.Fail(t, recv.IDOf(limitedDev.Endpoint), 429, 1, 1)
	recv.Fail(t, recv.IDOf(brokenDev.Endpoint), 500, 100, 0)

	start := time.Now()
	s.tap(mgr, h.ID, "nursing", "dementia", "occupied", "available")

	// 429 with Retry-After: 1 is waited out, then delivered.
	got := s.received(limitedDev, 1)
	if waited := got[0].At.Sub(start); waited < time.Second {
		t.Fatalf("Retry-After: 1 not honoured: delivered after %v", waited)
	}
	// 410 prunes the device.
	waitFor(t, "the gone device to be pruned", func() bool {
		var list struct{ Subscriptions []any }
		json.Unmarshal(s.must("GET", "/api/v1/push/subscriptions", gone, nil, 200), &list)
		return len(list.Subscriptions) == 0
	})
	// 500 is retried, then dead-lettered where admins can see it.
	waitFor(t, "the failing delivery to be dead-lettered", func() bool {
		return len(s.deliveries(admin, "status=dead")) == 1
	})
	dead := s.deliveries(admin, "status=dead")[0]
	if dead.Attempts != 3 || dead.ResponseStatus != 500 || dead.Channel != "push" {
		t.Fatalf("dead letter: %+v", dead)
	}
	if pruned := s.deliveries(admin, "status=pruned"); len(pruned) != 1 || pruned[0].ResponseStatus != 410 {
		t.Fatalf("pruned: %+v", pruned)
	}
	_, body := s.call("GET", "/metrics", "", nil)
	if !strings.Contains(string(body), "bedstate_alert_latency_seconds_count 1") ||
		!strings.Contains(string(body), `bedstate_deliveries_total{channel="push",outcome="dead"} 1`) {
		t.Fatalf("metrics must show the latency and outcomes:\n%s", grep(string(body), "bedstate_"))
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A dispatcher that dies holding claimed work loses nothing: its leases
// lapse and the next dispatcher delivers.
func TestFaults_KilledDispatcherLosesNothing(t *testing.T) {
	recv := pushtest.Start(t, false)
	st := storagetest.Open(t, storage.Postgres)
	s := newStack(t, st, recv, fastOptions())
	s.stop() // no dispatcher for now: the update waits in the outbox
	h := s.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0))
	_, mgr := s.user(domain.RoleManager, h.ID)
	var devs []pushtest.Subscription
	for i := 0; i < 200; i++ {
		_, tok := s.user(domain.RoleCoordinator)
		d, _ := s.device(tok, map[string]any{})
		devs = append(devs, d)
	}
	s.tap(mgr, h.ID, "nursing", "dementia", "occupied", "available")
	// A dispatcher claims the event and dies before recording anything.
	if claimed, err := st.ClaimOutbox(bg, 100, 300*time.Millisecond); err != nil || len(claimed) == 0 {
		t.Fatalf("claim: %v %d", err, len(claimed))
	}
	// Another is killed in the middle of sending.
	s.start()
	waitFor(t, "some sends", func() bool { return recv.Stats(t).Delivered > 0 })
	s.stop()
	// A fresh one finishes the job once the leases lapse.
	s.start()
	for _, d := range devs {
		s.received(d, 1)
	}
}

// Two instances on one PostgreSQL share the work: each device alerted once.
func TestFaults_TwoDispatchersAlertEachDeviceOnce(t *testing.T) {
	recv := pushtest.Start(t, false)
	url := storagetest.NewDatabase(t)
	open := func() *storage.Store {
		st, err := storage.Open(storage.Options{DatabaseURL: url, MaxOpenConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(bg); err != nil {
			t.Fatal(err)
		}
		return st
	}
	a := newStack(t, open(), recv, fastOptions())
	b := newStack(t, open(), recv, fastOptions())
	b.keys = a.keys // one deployment, one VAPID key pair
	b.stop()
	b.build(nil)
	b.start()
	h := a.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0))
	_, mgr := a.user(domain.RoleManager, h.ID)
	var devs []pushtest.Subscription
	for i := 0; i < 30; i++ {
		_, tok := a.user(domain.RoleCoordinator)
		d, _ := a.device(tok, map[string]any{})
		devs = append(devs, d)
	}
	a.tap(mgr, h.ID, "nursing", "dementia", "occupied", "available")
	b.disp.Wake()
	for _, d := range devs {
		a.received(d, 1)
	}
	time.Sleep(500 * time.Millisecond)
	for _, d := range devs {
		if n := len(recv.Received(t, recv.IDOf(d.Endpoint))); n != 1 {
			t.Fatalf("device alerted %d times", n)
		}
	}
}

// A system's webhook receives a signed event it can verify, and its owner
// can read the delivery log and send a test event.
func TestWebhooks_SignedVacancyEventTestEventAndLog(t *testing.T) {
	recv := pushtest.Start(t, false)
	s := newStack(t, storagetest.Open(t, storage.SQLite), recv, fastOptions())
	var mu sync.Mutex
	var bodies []alerts.WebhookEvent
	var secret string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			w.WriteHeader(400)
			return
		}
		var e alerts.WebhookEvent
		json.Unmarshal(body, &e)
		bodies = append(bodies, e)
		w.WriteHeader(204)
	}))
	defer hook.Close()
	h := s.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0))
	_, mgr := s.user(domain.RoleManager, h.ID)
	hash, _ := s.st.CreateClient(bg, storage.Client{Name: "trust-system", SecretHash: "x"})
	sys, _, _ := s.srv.Issuer().Sign(fmt.Sprintf("client:%d", hash.ID), domain.RoleSystem, 0)
	var created struct {
		ID     int64
		Secret string
	}
	mu.Lock()
	json.Unmarshal(s.must("POST", "/api/v1/webhooks", sys, map[string]any{"url": hook.URL + "/bedstate",
		"filter": map[string]any{"care_types": []string{"nursing"}}}, 201), &created)
	secret = created.Secret
	mu.Unlock()

	s.tap(mgr, h.ID, "nursing", "dementia", "occupied", "available")
	s.must("POST", fmt.Sprintf("/api/v1/webhooks/%d/test", created.ID), sys, nil, 202)
	waitFor(t, "two verified webhook events", func() bool { mu.Lock(); defer mu.Unlock(); return len(bodies) == 2 })
	mu.Lock()
	var vacancy, test *alerts.WebhookEvent
	for i := range bodies {
		switch bodies[i].Type {
		case domain.AlertVacancy:
			vacancy = &bodies[i]
		case domain.AlertTest:
			test = &bodies[i]
		}
	}
	mu.Unlock()
	if vacancy == nil || test == nil || vacancy.Home.ID != h.ID || vacancy.Home.CQCLocationID != h.CQCLocationID ||
		vacancy.Category.Available != 1 || vacancy.FeedCursor == "" {
		t.Fatalf("webhook events: %+v", bodies)
	}
	var log struct{ Deliveries []storage.Delivery }
	waitFor(t, "the delivery log", func() bool {
		json.Unmarshal(s.must("GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", created.ID), sys, nil, 200), &log)
		return len(log.Deliveries) == 2 && log.Deliveries[0].Status == "delivered" && log.Deliveries[1].Status == "delivered"
	})
}

// Managers whose homes were neither updated nor confirmed today get one
// reminder a day on each device; those who updated get none.
func TestReminders_OncePerDayToManagersWhoHaveNotUpdated(t *testing.T) {
	recv := pushtest.Start(t, false)
	s := newStack(t, storagetest.Open(t, storage.SQLite), recv, fastOptions())
	late := s.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0))
	prompt := s.home(53.01, -2.21, cat(domain.Nursing, domain.Dementia, 10, 0))
	// Both were last observed an hour ago; make "late" yesterday's.
	if _, err := s.st.PutBeds(bg, storage.Actor{Subject: "system", Source: "api"}, late.ID, time.Now().Add(-30*time.Hour), nil); err == nil {
		t.Fatal("setup: an older update must be refused")
	}
	if err := s.st.DB().Exec(`UPDATE homes SET beds_observed_at = ? WHERE id = ?`, time.Now().Add(-30*time.Hour), late.ID).Error; err != nil {
		t.Fatal(err)
	}
	_, lateMgr := s.user(domain.RoleManager, late.ID)
	_, promptMgr := s.user(domain.RoleManager, prompt.ID)
	lateDev, _ := s.device(lateMgr, nil)
	promptDev, _ := s.device(promptMgr, nil)
	now := time.Now()
	if err := s.disp.SendReminders(bg, now); err != nil {
		t.Fatal(err)
	}
	if err := s.disp.SendReminders(bg, now); err != nil { // a second instance, or a restart
		t.Fatal(err)
	}
	p := payload(t, s.received(lateDev, 1)[0])
	if p.Type != domain.AlertReminder || p.HomeID != late.ID || !strings.Contains(p.URL, "/manage/") {
		t.Fatalf("reminder: %+v", p)
	}
	s.quiet(lateDev, 1)
	s.quiet(promptDev, 0)
}
