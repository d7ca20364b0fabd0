package push_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/push/pushtest"
)

// Messages this sender encrypts and signs are read by an independent
// implementation (npm http_ece) that also checks the VAPID JWT.
func TestSender_AnIndependentDecoderReadsWhatWeSend(t *testing.T) {
	recv := pushtest.Start(t, false)
	keys, err := push.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	s := push.NewSender(push.Options{Keys: keys, Subject: "alerts@bedstate.test", Allow: push.NewAllowlist([]string{recv.Host()})})
	sub := recv.NewSubscription(t)
	for i, payload := range []string{`{"type":"vacancy","available":1}`, strings.Repeat("x", s.MaxPayload()), ""} {
		a := s.Send(context.Background(), push.Message{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth,
			Payload: []byte(payload), Topic: "abc", Urgency: "high", TTL: 60})
		if a.Status != 201 || a.Err != nil {
			t.Fatalf("message %d: %+v %v", i, a, recv.Failures(t))
		}
		got := recv.Received(t, recv.IDOf(sub.Endpoint))
		m := got[len(got)-1]
		if m.Payload != payload || m.Topic != "abc" || m.Urgency != "high" || m.TTL != "60" {
			t.Fatalf("message %d arrived as %+v", i, m)
		}
		if m.Bytes%64 != 0 || m.Bytes > push.DefaultRecordSize || m.Bytes < len(payload)+103 {
			t.Fatalf("message %d: %d bytes on the wire for a %d-byte payload", i, m.Bytes, len(payload))
		}
	}
	if a := s.Send(context.Background(), push.Message{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth,
		Payload: make([]byte, s.MaxPayload()+1)}); a.Err == nil || push.Classify(a) != push.Drop {
		t.Fatalf("an oversized payload must be refused before sending: %+v", a)
	}
	other := recv.NewSubscription(t)
	if a := s.Send(context.Background(), push.Message{Endpoint: other.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth,
		Payload: []byte("x"), TTL: 60}); a.Status != 400 {
		t.Fatalf("a message encrypted for another device's keys must be refused by the push service: %+v", a)
	}
}
