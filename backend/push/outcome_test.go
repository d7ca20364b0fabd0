package push

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	netErr := &url.Error{Op: "Post", URL: "https://fcm.googleapis.com/x", Err: errors.New("connection reset")}
	tests := []struct {
		name string
		in   Answer
		want Outcome
	}{
		{"created", Answer{Status: 201}, Delivered},
		{"ok", Answer{Status: 200}, Delivered},
		{"not found", Answer{Status: 404}, Gone},
		{"gone", Answer{Status: 410}, Gone},
		{"too many", Answer{Status: 429}, Retry},
		{"timeout", Answer{Status: 408}, Retry},
		{"server error", Answer{Status: 500}, Retry},
		{"unavailable", Answer{Status: 503}, Retry},
		{"bad request", Answer{Status: 400}, Drop},
		{"too large", Answer{Status: 413}, Drop},
		{"unauthorised VAPID", Answer{Status: 403}, Drop},
		{"network error", Answer{Err: netErr}, Retry},
		{"shutting down mid-send", Answer{Err: context.Canceled}, Retry},
		{"refused before sending", Answer{Err: errors.New("not on the allowlist")}, Drop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.in); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAllowlist(t *testing.T) {
	a := NewAllowlist(append([]string{"127.0.0.1:9999"}, DefaultAllowedHosts...))
	tests := []struct {
		endpoint string
		ok       bool
	}{
		{"https://fcm.googleapis.com/fcm/send/abc", true},
		{"https://updates.push.services.mozilla.com/wpush/v2/x", true},
		{"https://web.push.apple.com/QGx", true},
		{"https://db5p.notify.windows.com/w/?token=x", true},
		{"https://evil.example.com/push", false},
		{"https://fcm.googleapis.com.evil.example/x", false},
		{"http://fcm.googleapis.com/fcm/send/abc", false},
		{"http://127.0.0.1:9999/push/1", true},
		{"http://127.0.0.1:8080/push/1", false},
		{"http://10.0.0.1:9999/push/1", false},
		{"https://user:pw@fcm.googleapis.com/x", false},
		{"not a url", false},
	}
	for _, tt := range tests {
		if err := a.Check(tt.endpoint); (err == nil) != tt.ok {
			t.Errorf("%s: got %v, want ok=%v", tt.endpoint, err, tt.ok)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if got := RetryAfter("120", now); got != 2*time.Minute {
		t.Fatal(got)
	}
	if got := RetryAfter("Mon, 23 Nov 2026 12:00:30 GMT", now); got != 30*time.Second {
		t.Fatal(got)
	}
	if got := RetryAfter("soon", now); got != 0 {
		t.Fatal(got)
	}
}

func TestKeys_GenerateCheckAndKeep(t *testing.T) {
	dir := t.TempDir()
	k, err := LoadOrCreateKeys("", "", dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateKeys("", "", dir)
	if err != nil || again != k {
		t.Fatal("keys must be generated once and kept")
	}
	other, _ := GenerateKeys()
	if _, err := LoadOrCreateKeys(k.Public, other.Private, dir); err == nil {
		t.Fatal("a mismatched pair must be refused")
	}
	if err := CheckKeys(k.Public, "AAAAAAAAAAAAAAAAAAAAAA"); err != nil {
		t.Fatalf("a P-256 point and 16-byte auth are valid: %v", err)
	}
	if err := CheckKeys("AAAA", "AAAAAAAAAAAAAAAAAAAAAA"); err == nil {
		t.Fatal("a bad point must be refused")
	}
}

func TestRecordSize_PadsToStepsWithinTheCap(t *testing.T) {
	s := NewSender(Options{})
	for _, tt := range []struct{ payload, want int }{{0, 128}, {25, 128}, {26, 192}, {250, 384}, {409, 512}} {
		if got := s.recordSize(tt.payload); int(got) != tt.want || int(got) < tt.payload+overhead {
			t.Errorf("payload %d: record %d, want %d", tt.payload, got, tt.want)
		}
	}
}
