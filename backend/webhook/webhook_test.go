package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/push"
)

func TestSignAndVerify(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"type":"vacancy"}`)
	sig := Sign("whsec_x", now, body)
	tests := []struct {
		name   string
		secret string
		body   []byte
		at     time.Time
		ok     bool
	}{
		{"genuine", "whsec_x", body, now.Add(time.Minute), true},
		{"other secret", "whsec_y", body, now, false},
		{"tampered body", "whsec_x", []byte(`{"type":"filled"}`), now, false},
		{"replayed later", "whsec_x", body, now.Add(10 * time.Minute), false},
	}
	for _, tt := range tests {
		if err := Verify(tt.secret, sig, tt.body, tt.at, 5*time.Minute); (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{"https://trust.nhs.uk/hooks": true, "http://trust.nhs.uk/hooks": false,
		"http://127.0.0.1:9000/h": false, "ftp://x/y": false, "https://u:p@x.nhs.uk/": false} {
		if err := CheckURL(raw, false); (err == nil) != ok {
			t.Errorf("%s: %v", raw, err)
		}
	}
	if err := CheckURL("http://127.0.0.1:9000/h", true); err != nil {
		t.Fatal("loopback http is allowed in development")
	}
}

func TestSender_RefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	got := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Verify("s", r.Header.Get(SignatureHeader), []byte(`{}`), time.Now(), time.Minute) == nil {
			got++
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	a := NewSender(false).Send(context.Background(), srv.URL, "s", "1", []byte(`{}`), time.Now())
	if a.Err == nil || push.Classify(a) != push.Retry {
		t.Fatalf("a loopback target must not be reached: %+v", a)
	}
	a = NewSender(true).Send(context.Background(), srv.URL, "s", "1", []byte(`{}`), time.Now())
	if a.Status != 204 || got != 1 {
		t.Fatalf("allowed loopback: %+v, verified %d", a, got)
	}
}
