//go:build bench

package bench

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/SherClockHolmes/webpush-go"

	"github.com/bedstate/bedstate/backend/push/pushtest"
)

// The push fan-out: one bed-free alert to every coordinator's subscription,
// about 10,000 nationally.
const (
	pushSubscriptionCount = 10_000
	pushConcurrency       = 64
	pushTTL               = 300 // seconds
	pushSubject           = "alerts@bedstate.example"
	pushRuns              = 3 // the median counts: the machine is shared
)

// pushPayload is a bed-free alert of about 200 bytes.
func pushPayload() []byte {
	return []byte(`{"type":"bed-free","home":{"id":"1-10000302982","name":"Oakfield House Nursing Home","town":"Stafford"},` +
		`"category":"nursing-dementia","free":1,"at":"2026-11-23T10:15:00Z","url":"/homes/1-10000302982?c=nursing-dementia"}`)
}

// pushRecordSize is the smallest RecordSize webpush-go v1.4.0 accepts for a
// payload. It pads every body to exactly RecordSize bytes: 86 bytes of
// aes128gcm header (salt, record size, key length, sender key), the payload,
// the 0x02 delimiter, zero padding and the 16-byte GCM tag. At payload+103
// there is no padding, the same bytes web-push (which never pads) sends.
func pushRecordSize(payload []byte) uint32 { return uint32(len(payload) + 103) }

// pushVAPID is an application server's VAPID key pair.
type pushVAPID struct{ private, public string }

func newPushVAPID(t *testing.T) pushVAPID {
	t.Helper()
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	return pushVAPID{priv, pub}
}

// pushHTTPClient is a client that keeps a connection per concurrent sender.
func pushHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = pushConcurrency
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// pushResult is one sender's run, with the receiver's byte counts.
type pushResult struct {
	name              string
	n                 int
	elapsed           time.Duration
	bodyBytes, header float64 // per push
	receiverCPU       time.Duration
	runs              []float64 // pushes per second of each run, ascending
}

func (r pushResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// pushMeasure completes a run of n pushes from the receiver's counts, which
// must show all n delivered. Reset the receiver before the run.
func pushMeasure(t *testing.T, rcv *pushtest.Receiver, name string, n int, elapsed time.Duration) pushResult {
	t.Helper()
	st := rcv.Stats(t)
	if st.Delivered != n || st.Failed != 0 {
		t.Fatalf("%s: the receiver has %d delivered and %d refused of %d", name, st.Delivered, st.Failed, n)
	}
	return pushResult{name: name, n: n, elapsed: elapsed, bodyBytes: float64(st.Bytes) / float64(n),
		header: float64(st.HeaderBytes) / float64(n), receiverCPU: st.CPU}
}

// pushMedian runs a fan-out of the subscriptions pushRuns times, checks
// each, and returns the median run with the rates of all.
func pushMedian(t *testing.T, rcv *pushtest.Receiver, name string, subs []pushtest.Subscription, payload []byte, run func() time.Duration) pushResult {
	t.Helper()
	var rs []pushResult
	for range pushRuns {
		rcv.Reset(t)
		rs = append(rs, pushMeasure(t, rcv, name, len(subs), run()))
		checkPushSample(t, rcv, string(payload))
	}
	slices.SortFunc(rs, func(a, b pushResult) int { return cmp.Compare(a.elapsed, b.elapsed) })
	m := rs[len(rs)/2]
	for _, r := range rs {
		m.runs = append(m.runs, r.rate())
	}
	slices.Sort(m.runs)
	return m
}

func printPushResult(r pushResult) {
	runs := ""
	for _, x := range r.runs {
		runs += fmt.Sprintf(" %.0f", x)
	}
	fmt.Printf("   push fan-out | %-22s | %d pushes | %.2f s | %.0f/s | %.0f B/push | %.0f B headers/push | receiver CPU %.0f µs/push | runs%s/s\n",
		r.name, r.n, r.elapsed.Seconds(), r.rate(), r.bodyBytes, r.header, float64(r.receiverCPU.Microseconds())/float64(r.n), runs)
}

// pushFanOutWebpushGo sends payload to every subscription with plain
// webpush-go from pushConcurrency goroutines and returns the wall time until
// the last push was answered. Any answer but 201 fails the test.
func pushFanOutWebpushGo(t *testing.T, subs []pushtest.Subscription, payload []byte, v pushVAPID) time.Duration {
	t.Helper()
	client := pushHTTPClient()
	defer client.CloseIdleConnections()
	// Capacity = length: webpush-go v1.4.0 appends its padding to the
	// message's slice, which must then grow into a copy of its own instead
	// of writing into the array the goroutines share.
	payload = payload[:len(payload):len(payload)]
	var next, failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range pushConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &webpush.Options{
				HTTPClient: client, Subscriber: pushSubject, TTL: pushTTL, Urgency: webpush.UrgencyHigh,
				RecordSize: pushRecordSize(payload), VAPIDPublicKey: v.public, VAPIDPrivateKey: v.private,
			}
			for i := next.Add(1) - 1; i < int64(len(subs)); i = next.Add(1) - 1 {
				s := subs[i]
				ws := &webpush.Subscription{Endpoint: s.Endpoint, Keys: webpush.Keys{P256dh: s.P256dh, Auth: s.Auth}}
				resp, err := webpush.SendNotification(payload, ws, o)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("answered %s", resp.Status)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { t.Errorf("webpush-go push to %s: %v", s.Endpoint, err) })
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if n := failed.Load(); n > 0 {
		t.Fatalf("webpush-go: %d of %d pushes failed", n, len(subs))
	}
	return elapsed
}

// pushFanOutNode runs push-baseline.mjs (npm web-push) over the same
// subscriptions and payload and returns its own timing of the sends.
func pushFanOutNode(t *testing.T, subs []pushtest.Subscription, payload []byte, v pushVAPID) time.Duration {
	t.Helper()
	js := make([]json.RawMessage, len(subs))
	for i, s := range subs {
		js[i] = s.JSON()
	}
	job, err := json.Marshal(map[string]any{
		"subscriptions": js, "payload": string(payload), "ttl": pushTTL, "urgency": "high",
		"concurrency": pushConcurrency,
		"vapid":       map[string]string{"subject": "mailto:" + pushSubject, "publicKey": v.public, "privateKey": v.private},
	})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "push-job.json")
	if err := os.WriteFile(file, job, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", "push-baseline.mjs", file).Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("push-baseline.mjs: %v\n%s", err, stderr)
	}
	var r struct {
		N        int
		Seconds  float64
		Statuses map[string]int
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("push-baseline.mjs printed %q: %v", out, err)
	}
	if r.N != len(subs) || r.Statuses["201"] != len(subs) {
		t.Fatalf("push-baseline.mjs: %d pushes answered %v, want %d 201s", r.N, r.Statuses, len(subs))
	}
	return time.Duration(r.Seconds * float64(time.Second))
}

// TestBenchPushBaselines measures what sending one alert to every
// subscription costs without Bedstate: webpush-go straight from 64
// goroutines, and npm web-push as a second opinion. The receiver is the
// local pushtest service in count-only mode, on the same machine.
func TestBenchPushBaselines(t *testing.T) {
	fmt.Printf("\n-- push fan-out baselines: %d subscriptions, %d in flight, GOMAXPROCS=%d\n",
		pushSubscriptionCount, pushConcurrency, runtime.GOMAXPROCS(0))
	fmt.Println("   sender and node receiver share the machine; the receiver checks every push's VAPID claims,")
	fmt.Println("   each VAPID key's signature once and 1 push in 100, and decrypts 1 push in 100")
	rcv := pushtest.Start(t, true)
	start := time.Now()
	subs := rcv.NewSubscriptions(t, pushSubscriptionCount)
	fmt.Printf("   %d subscriptions created in %.2f s\n", len(subs), time.Since(start).Seconds())
	payload := pushPayload()
	v := newPushVAPID(t)
	fmt.Printf("   payload %d bytes, webpush-go RecordSize %d\n", len(payload), pushRecordSize(payload))

	fmt.Printf("   median of %d runs each\n", pushRuns)

	a := pushMedian(t, rcv, "webpush-go v1.4.0", subs, payload, func() time.Duration {
		return pushFanOutWebpushGo(t, subs, payload, v)
	})
	printPushResult(a)
	b := pushMedian(t, rcv, "web-push 3.6.7 (node)", subs, payload, func() time.Duration {
		return pushFanOutNode(t, subs, payload, v)
	})
	printPushResult(b)
	fmt.Printf("   webpush-go / web-push rate: %.2f\n", a.rate()/b.rate())
}

// checkPushSample checks the pushes the count-only receiver decrypted.
func checkPushSample(t *testing.T, rcv *pushtest.Receiver, payload string) {
	t.Helper()
	ms := rcv.Received(t, "")
	if len(ms) == 0 {
		t.Fatal("the receiver decrypted no sample push")
	}
	for _, m := range ms {
		if m.Payload != payload || m.TTL != fmt.Sprint(pushTTL) || !strings.EqualFold(m.Urgency, "high") {
			t.Fatalf("sample push %+v, want the payload with TTL %d and urgency high", m, pushTTL)
		}
	}
}
