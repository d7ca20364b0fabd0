package pushtest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/SherClockHolmes/webpush-go"

	"github.com/bedstate/bedstate/backend/push/pushtest"
)

// sender sends with webpush-go v1.4.0 straight, as the Bedstate sender will.
type sender struct {
	priv, pub string
	client    *http.Client
}

func newSender(t *testing.T) sender {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	return sender{priv, pub, &http.Client{Timeout: 10 * time.Second}}
}

func (s sender) options() *webpush.Options {
	return &webpush.Options{
		HTTPClient:      s.client,
		Subscriber:      "alerts@bedstate.example",
		VAPIDPublicKey:  s.pub,
		VAPIDPrivateKey: s.priv,
		TTL:             300,
	}
}

// send pushes payload to sub and returns the status and Retry-After.
func (s sender) send(t *testing.T, sub pushtest.Subscription, payload string, o *webpush.Options) (int, string) {
	t.Helper()
	if o == nil {
		o = s.options()
	}
	ws := &webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}}
	resp, err := webpush.SendNotification([]byte(payload), ws, o)
	if err != nil {
		t.Fatalf("webpush-go: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func TestDecryptsWebpushGoMessage(t *testing.T) {
	r := pushtest.Start(t, false)
	s := newSender(t)
	sub := r.NewSubscription(t)
	payload := `{"home":"1-10000302982","category":"nursing","free":1}`

	o := s.options()
	o.Topic = "home-1-10000302982"
	o.Urgency = webpush.UrgencyHigh
	o.RecordSize = 256
	if code, _ := s.send(t, sub, payload, o); code != http.StatusCreated {
		t.Fatalf("push answered %d, want 201", code)
	}

	got := r.Received(t, r.IDOf(sub.Endpoint))
	if len(got) != 1 {
		t.Fatalf("received %d messages, want 1", len(got))
	}
	m := got[0]
	if m.Payload != payload || m.TTL != "300" || m.Topic != o.Topic || m.Urgency != "high" {
		t.Errorf("received %+v, want payload %s, TTL 300, topic %s, urgency high", m, payload, o.Topic)
	}
	// webpush-go pads every message to exactly RecordSize bytes.
	if m.Bytes != 256 {
		t.Errorf("body is %d bytes, want RecordSize 256", m.Bytes)
	}
	if st := r.Stats(t); st.Delivered != 1 || st.Failed != 0 || st.Bytes != 256 {
		t.Errorf("stats %+v, want 1 delivered of 256 bytes", st)
	}
	if all := r.Received(t, ""); len(all) != 1 {
		t.Errorf("all received: %d messages, want 1", len(all))
	}
}

func TestRefusesWrongKeysAndBadVAPID(t *testing.T) {
	r := pushtest.Start(t, false)
	s := newSender(t)
	a, b := r.NewSubscription(t), r.NewSubscription(t)

	// Encrypted for b's keys, sent to a's endpoint.
	wrong := pushtest.Subscription{Endpoint: a.Endpoint, P256dh: b.P256dh, Auth: b.Auth}
	if code, _ := s.send(t, wrong, "x", nil); code != http.StatusBadRequest {
		t.Errorf("message for other keys answered %d, want 400", code)
	}

	// Signed with another key, with the first public key in k=.
	other := newSender(t)
	o := s.options()
	o.VAPIDPrivateKey = other.priv
	if code, _ := s.send(t, a, "x", o); code != http.StatusBadRequest {
		t.Errorf("bad VAPID signature answered %d, want 400", code)
	}

	if got := r.Received(t, ""); len(got) != 0 {
		t.Errorf("refused pushes were recorded: %+v", got)
	}
	if st := r.Stats(t); st.Failed != 2 || st.Delivered != 0 {
		t.Errorf("stats %+v, want 2 failed", st)
	}
	if fs := r.Failures(t); len(fs) != 2 || !strings.Contains(fs[0].Reason, "decrypt") || !strings.Contains(fs[1].Reason, "signature") {
		t.Errorf("failures %+v, want a decryption failure and a bad signature", fs)
	}
	if code, _ := s.send(t, a, "ok", nil); code != http.StatusCreated {
		t.Errorf("good push after refusals answered %d, want 201", code)
	}
}

func TestInjectedFailures(t *testing.T) {
	r := pushtest.Start(t, false)
	s := newSender(t)
	sub := r.NewSubscription(t)
	id := r.IDOf(sub.Endpoint)

	r.Fail(t, id, http.StatusGone, 1, 0)
	if code, _ := s.send(t, sub, "a", nil); code != http.StatusGone {
		t.Errorf("after Fail(410) push answered %d, want 410", code)
	}
	r.Fail(t, "*", http.StatusTooManyRequests, 2, 7)
	for range 2 {
		if code, ra := s.send(t, sub, "b", nil); code != http.StatusTooManyRequests || ra != "7" {
			t.Errorf("after Fail(*, 429) push answered %d Retry-After %q, want 429 and 7", code, ra)
		}
	}
	if code, _ := s.send(t, sub, "c", nil); code != http.StatusCreated {
		t.Errorf("after the injected failures push answered %d, want 201", code)
	}
	if got := r.Received(t, id); len(got) != 1 || got[0].Payload != "c" {
		t.Errorf("received %+v, want only c", got)
	}

	r.Gone(t, id)
	for range 2 {
		if code, _ := s.send(t, sub, "d", nil); code != http.StatusGone {
			t.Errorf("gone subscription answered %d, want 410", code)
		}
	}
	unknown := pushtest.Subscription{Endpoint: r.URL() + "/push/nope", P256dh: sub.P256dh, Auth: sub.Auth}
	if code, _ := s.send(t, unknown, "e", nil); code != http.StatusNotFound {
		t.Errorf("unknown subscription answered %d, want 404", code)
	}

	r.Reset(t)
	if st := r.Stats(t); st.Delivered != 0 || len(r.Received(t, "")) != 0 {
		t.Errorf("after Reset: %+v", st)
	}
}

func TestCountOnly(t *testing.T) {
	r := pushtest.Start(t, true)
	s := newSender(t)
	subs := r.NewSubscriptions(t, 3)
	if len(subs) != 3 || r.Host() == "" || r.IDOf(subs[2].Endpoint) == "" {
		t.Fatalf("NewSubscriptions: %+v", subs)
	}
	o := s.options()
	o.RecordSize = 128
	for i := range 150 {
		if code, _ := s.send(t, subs[i%3], "m", o); code != http.StatusCreated {
			t.Fatalf("push %d answered %d", i, code)
		}
	}
	st := r.Stats(t)
	if st.Delivered != 150 || st.Bytes != 150*128 || st.FirstAt.IsZero() || st.LastAt.Before(st.FirstAt) {
		t.Errorf("stats %+v, want 150 delivered of 128 bytes", st)
	}
	if got := r.Received(t, ""); len(got) != 2 || got[0].Payload != "m" {
		t.Errorf("count-only recorded %+v, want the 1st and 101st", got)
	}

	// The first push under a new VAPID key still has its signature checked.
	o.VAPIDPublicKey, o.VAPIDPrivateKey = newSender(t).pub, newSender(t).priv
	if code, _ := s.send(t, subs[0], "m", o); code != http.StatusBadRequest {
		t.Errorf("bad VAPID in count-only mode answered %d, want 400", code)
	}
}

func TestSubscriptionJSON(t *testing.T) {
	s := pushtest.Subscription{Endpoint: "http://127.0.0.1:1/push/a", P256dh: "BP", Auth: "au"}
	want := `{"endpoint":"http://127.0.0.1:1/push/a","expirationTime":null,"keys":{"p256dh":"BP","auth":"au"}}`
	if got := string(s.JSON()); got != want {
		t.Errorf("JSON() = %s, want %s", got, want)
	}
}
