package alerts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/alerts"
	"github.com/bedstate/bedstate/backend/api"
	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/push/pushtest"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
	"github.com/bedstate/bedstate/backend/vacancy"
	"github.com/bedstate/bedstate/backend/webhook"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

var bg = context.Background()

// stack is the whole alert path: the real API, store and dispatcher, and a
// local push service that decrypts every message independently.
type stack struct {
	t      *testing.T
	st     *storage.Store
	srv    *api.Server
	app    *fiber.App
	disp   *alerts.Dispatcher
	recv   *pushtest.Receiver
	keys   push.Keys
	reg    *prometheus.Registry
	stop   context.CancelFunc
	opts   alerts.Options
	sender *push.Sender
}

func fastOptions() alerts.Options {
	return alerts.Options{TTL: 30 * time.Minute, RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		MaxAttempts: 3, Poll: 50 * time.Millisecond, Workers: 16, Lease: time.Second}
}

func newStack(t *testing.T, st *storage.Store, recv *pushtest.Receiver, o alerts.Options) *stack {
	t.Helper()
	key, err := auth.LoadOrCreateKey("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := push.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, st: st, recv: recv, keys: keys, opts: o}
	s.build(key)
	s.start()
	return s
}

func (s *stack) build(key *auth.Key) {
	s.reg = prometheus.NewRegistry()
	s.opts.Registry = s.reg
	s.sender = push.NewSender(push.Options{Keys: s.keys, Subject: "mailto:alerts@bedstate.test",
		Allow: push.NewAllowlist([]string{s.recv.Host()})})
	s.disp = alerts.New(s.st, s.sender, webhook.NewSender(true), s.opts)
	index := vacancy.New(domain.DefaultThresholds)
	if err := api.Reload(bg, s.st, index, 0); err != nil {
		s.t.Fatal(err)
	}
	s.srv = api.New(s.st, index, key, api.Options{Push: s.sender, Notifier: s.disp, WebhookLoopbackHTTP: true, Registry: s.reg})
	s.app = s.srv.App()
}

// start runs the dispatcher until stop or the end of the test.
func (s *stack) start() {
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { defer close(done); s.disp.Run(ctx) }()
	s.stop = func() { cancel(); <-done }
	s.t.Cleanup(s.stop)
}

func (s *stack) call(method, path, token string, body any) (int, []byte) {
	s.t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.app.Test(req, -1)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func (s *stack) must(method, path, token string, body any, want int) []byte {
	s.t.Helper()
	status, out := s.call(method, path, token, body)
	if status != want {
		s.t.Fatalf("%s %s: want %d, got %d %s", method, path, want, status, out)
	}
	return out
}

var users atomic.Int64

func (s *stack) user(role domain.Role, homes ...int64) (int64, string) {
	s.t.Helper()
	u, err := s.st.CreateUser(bg, storage.User{Email: fmt.Sprintf("u%d-%d@bedstate.test", users.Add(1), time.Now().UnixNano()),
		Role: role, PasswordHash: "x", HomeIDs: homes})
	if err != nil {
		s.t.Fatal(err)
	}
	tok, _, err := s.srv.Issuer().Sign(fmt.Sprintf("user:%d", u.ID), role, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID, tok
}

var cqc atomic.Int64

// home makes a home near Royal Stoke with the given categories.
func (s *stack) home(lat, lon float64, cats ...domain.Category) domain.Home {
	s.t.Helper()
	h, err := s.st.CreateHome(bg, storage.Actor{Subject: "system", Source: "import"}, domain.Home{
		CQCLocationID: fmt.Sprintf("1-7%08d", cqc.Add(1)), Name: "Alert House", Postcode: "ST4 6QG", Latitude: lat, Longitude: lon,
		LocalAuthority: "Staffordshire", District: "Newcastle-under-Lyme", ICB: "QNC", RegisteredBeds: 60, Rating: domain.Good})
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.st.PutBeds(bg, storage.Actor{Subject: "system", Source: "api"}, h.ID, time.Now().Add(-time.Hour), cats); err != nil {
		s.t.Fatal(err)
	}
	s.srv.Reload(bg, h.ID)
	return h
}

func cat(ct domain.CareType, g domain.ClientGroup, occupied, available int) domain.Category {
	return domain.Category{CategoryKey: domain.CategoryKey{CareType: ct, ClientGroup: g},
		Counts: domain.Counts{Capacity: occupied + available, Occupied: occupied, Available: available}}
}

// device registers a receiver subscription for the user, with an optional inline filter.
func (s *stack) device(token string, filter map[string]any) (pushtest.Subscription, int64) {
	s.t.Helper()
	sub := s.recv.NewSubscription(s.t)
	body := map[string]any{"subscription": json.RawMessage(sub.JSON())}
	if filter != nil {
		body["filter"] = filter
	}
	var out struct{ ID int64 }
	json.Unmarshal(s.must("POST", "/api/v1/push/subscriptions", token, body, 201), &out)
	return sub, out.ID
}

func (s *stack) tap(token string, homeID int64, ct, g, from, to string) {
	s.t.Helper()
	s.must("POST", fmt.Sprintf("/api/v1/homes/%d/beds/adjust", homeID), token,
		map[string]any{"care_type": ct, "client_group": g, "from": from, "to": to}, 200)
}

// received waits until the subscription has n messages, then returns them.
func (s *stack) received(sub pushtest.Subscription, n int) []pushtest.Message {
	s.t.Helper()
	id := s.recv.IDOf(sub.Endpoint)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := s.recv.Received(s.t, id)
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) < n {
				s.t.Fatalf("device %s: want %d messages, got %d", id, n, len(got))
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// quiet asserts a device got nothing more than n messages for a while.
func (s *stack) quiet(sub pushtest.Subscription, n int) {
	s.t.Helper()
	time.Sleep(300 * time.Millisecond)
	if got := s.recv.Received(s.t, s.recv.IDOf(sub.Endpoint)); len(got) != n {
		s.t.Fatalf("device %s: want %d messages, got %d: %+v", s.recv.IDOf(sub.Endpoint), n, len(got), got)
	}
}

func payload(t *testing.T, m pushtest.Message) alerts.PushPayload {
	t.Helper()
	var p alerts.PushPayload
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
		t.Fatalf("payload %q: %v", m.Payload, err)
	}
	return p
}

func eachDialect(t *testing.T, fn func(t *testing.T, st *storage.Store, recv *pushtest.Receiver)) {
	recv := pushtest.Start(t, false)
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, storagetest.Open(t, d), recv)
		})
	}
}
