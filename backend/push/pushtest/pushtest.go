// Package pushtest runs a local Web Push service for tests: receiver.mjs, a
// node script that checks VAPID headers (RFC 8292) and decrypts aes128gcm
// messages (RFC 8291) with npm http_ece, independently of the Go sender.
// It needs node on PATH and the repository's node_modules (npm ci).
package pushtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Receiver is a running receiver.mjs.
type Receiver struct {
	url    string
	client *http.Client
}

// Subscription is what a browser's PushSubscription holds.
type Subscription struct {
	Endpoint string
	P256dh   string
	Auth     string
}

// JSON is the subscription as PushSubscription.toJSON() writes it, the body
// a browser posts to the application server.
func (s Subscription) JSON() []byte {
	b, _ := json.Marshal(subscriptionJSON{Endpoint: s.Endpoint, Keys: keysJSON{s.P256dh, s.Auth}})
	return b
}

type subscriptionJSON struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"`
	Keys           keysJSON `json:"keys"`
}

type keysJSON struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// Message is a push the receiver accepted and decrypted.
type Message struct {
	ID          string // subscription id
	Payload     string
	TTL         string
	Topic       string
	Urgency     string
	Bytes       int // body length
	HeaderBytes int // request line and headers, approximately
	At          time.Time
}

// Stats counts the pushes since the start or the last Reset. Failed counts
// refused pushes (bad VAPID, undecryptable), not injected failures.
type Stats struct {
	Delivered   int
	Failed      int
	Bytes       int64 // body bytes of delivered pushes
	HeaderBytes int64
	FirstAt     time.Time
	LastAt      time.Time
	CPU         time.Duration // the receiver process's CPU time
}

// Start runs the receiver until the test ends. With countOnly, for
// benchmarks, it checks the VAPID claims of every push but the signature
// only of the first push under each VAPID key and of every 100th push, and
// decrypts and records every 100th push only, counting the rest.
func Start(t testing.TB, countOnly bool) *Receiver {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("pushtest: %v", err)
	}
	args := []string{filepath.Join(root, "backend", "push", "pushtest", "receiver.mjs"), "0"}
	if countOnly {
		args = append(args, "--count-only")
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = root
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("pushtest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("pushtest: start node (needs node on PATH): %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("receiver.mjs stderr:\n%s", stderr)
		}
	})

	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "LISTENING "); ok {
				port <- p
			}
		}
		close(port)
	}()
	select {
	case p, ok := <-port:
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("pushtest: receiver.mjs exited before listening (npm ci run?):\n%s", stderr)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		return &Receiver{url: "http://127.0.0.1:" + p, client: &http.Client{Timeout: time.Minute, Transport: tr}}
	case <-time.After(15 * time.Second):
		t.Fatalf("pushtest: receiver.mjs did not start in 15 s:\n%s", stderr)
	}
	return nil
}

// repoRoot is the directory holding go.mod and node_modules: found from
// this source file, or from the working directory when built with -trimpath.
func repoRoot() (string, error) {
	dirs := []string{}
	if _, file, _, ok := runtime.Caller(0); ok {
		dirs = append(dirs, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	for _, d := range dirs {
		for ; d != filepath.Dir(d); d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "backend", "push", "pushtest", "receiver.mjs")); err == nil {
				return d, nil
			}
		}
	}
	return "", errors.New("cannot find the repository holding backend/push/pushtest/receiver.mjs")
}

// URL is the receiver's origin, http://127.0.0.1:<port>.
func (r *Receiver) URL() string { return r.url }

// Host is the receiver's host:port, for a push-service allowlist.
func (r *Receiver) Host() string { return strings.TrimPrefix(r.url, "http://") }

// IDOf is the subscription id in an endpoint the receiver made, or "".
func (r *Receiver) IDOf(endpoint string) string {
	id, ok := strings.CutPrefix(endpoint, r.url+"/push/")
	if !ok {
		return ""
	}
	return id
}

// NewSubscription makes a subscription with fresh keys.
func (r *Receiver) NewSubscription(t testing.TB) Subscription {
	t.Helper()
	var s subscriptionJSON
	r.call(t, "POST", "/_new", nil, &s)
	return Subscription{Endpoint: s.Endpoint, P256dh: s.Keys.P256dh, Auth: s.Keys.Auth}
}

// NewSubscriptions makes n subscriptions in one request.
func (r *Receiver) NewSubscriptions(t testing.TB, n int) []Subscription {
	t.Helper()
	var ss []subscriptionJSON
	r.call(t, "POST", "/_bulk_new", map[string]int{"n": n}, &ss)
	out := make([]Subscription, len(ss))
	for i, s := range ss {
		out[i] = Subscription{Endpoint: s.Endpoint, P256dh: s.Keys.P256dh, Auth: s.Keys.Auth}
	}
	return out
}

// Fail makes the next count pushes to subscription id ("*" for any) answer
// status, with Retry-After when retryAfter > 0, without delivering them.
func (r *Receiver) Fail(t testing.TB, id string, status, count, retryAfter int) {
	t.Helper()
	body := map[string]any{"id": id, "status": status, "count": count}
	if retryAfter > 0 {
		body["retry_after"] = retryAfter
	}
	r.call(t, "POST", "/_fail", body, nil)
}

// Gone makes every later push to subscription id answer 410 Gone.
func (r *Receiver) Gone(t testing.TB, id string) {
	t.Helper()
	r.call(t, "POST", "/_gone", map[string]string{"id": id}, nil)
}

// Received lists the messages delivered to subscription id, or to all when
// id is "", oldest first.
func (r *Receiver) Received(t testing.TB, id string) []Message {
	t.Helper()
	var ms []struct {
		ID, Payload, TTL, Topic, Urgency string
		Bytes, HeaderBytes               int
		At                               int64
	}
	r.call(t, "GET", "/_received?id="+url.QueryEscape(id), nil, &ms)
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = Message{m.ID, m.Payload, m.TTL, m.Topic, m.Urgency, m.Bytes, m.HeaderBytes, time.UnixMilli(m.At)}
	}
	return out
}

// Failure is a push the receiver refused with 400, and why.
type Failure struct {
	ID     string // subscription id
	Reason string
	At     time.Time
}

// Failures lists the refused pushes (the first 1,000) since the start or
// the last Reset.
func (r *Receiver) Failures(t testing.TB) []Failure {
	t.Helper()
	var fs []struct {
		ID, Reason string
		At         int64
	}
	r.call(t, "GET", "/_failures", nil, &fs)
	out := make([]Failure, len(fs))
	for i, f := range fs {
		out[i] = Failure{f.ID, f.Reason, time.UnixMilli(f.At)}
	}
	return out
}

// Stats counts the pushes since the start or the last Reset.
func (r *Receiver) Stats(t testing.TB) Stats {
	t.Helper()
	var s struct {
		Delivered   int     `json:"delivered"`
		Failed      int     `json:"failed"`
		Bytes       int64   `json:"bytes"`
		HeaderBytes int64   `json:"header_bytes"`
		FirstAt     *int64  `json:"first_at"`
		LastAt      *int64  `json:"last_at"`
		CPUms       float64 `json:"cpu_ms"`
	}
	r.call(t, "GET", "/_stats", nil, &s)
	out := Stats{Delivered: s.Delivered, Failed: s.Failed, Bytes: s.Bytes, HeaderBytes: s.HeaderBytes,
		CPU: time.Duration(s.CPUms * float64(time.Millisecond))}
	if s.FirstAt != nil {
		out.FirstAt, out.LastAt = time.UnixMilli(*s.FirstAt), time.UnixMilli(*s.LastAt)
	}
	return out
}

// Reset forgets messages, counts and injected failures; subscriptions and
// their gone marks stay.
func (r *Receiver) Reset(t testing.TB) {
	t.Helper()
	r.call(t, "POST", "/_reset", nil, nil)
}

func (r *Receiver) call(t testing.TB, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("pushtest: %v", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.url+path, body)
	if err != nil {
		t.Fatalf("pushtest: %v", err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("pushtest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode >= 300 {
		t.Fatalf("pushtest: %s %s: %d %s %v", method, path, resp.StatusCode, b, err)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("pushtest: %s %s: %v", method, path, err)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
