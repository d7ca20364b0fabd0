package push

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultAllowedHosts are the push services of the major browsers. A
// leading "*." allows any subdomain.
var DefaultAllowedHosts = []string{
	"fcm.googleapis.com", "android.googleapis.com", // Chrome, Edge on Android
	"updates.push.services.mozilla.com", "*.push.services.mozilla.com", // Firefox
	"web.push.apple.com", "*.push.apple.com", // Safari, iOS 16.4+
	"*.notify.windows.com", // Edge on Windows
}

// Allowlist decides which endpoints the server may call, so a submitted
// subscription cannot point it at an arbitrary URL.
type Allowlist struct {
	hosts []string
}

// NewAllowlist makes an allowlist; nil means DefaultAllowedHosts.
func NewAllowlist(hosts []string) Allowlist {
	if len(hosts) == 0 {
		hosts = DefaultAllowedHosts
	}
	return Allowlist{hosts: hosts}
}

// Check accepts https endpoints on listed hosts, and plain http only for
// loopback hosts listed by name and port (tests and local runs).
func (a Allowlist) Check(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.User != nil {
		return errors.New("endpoint must be an absolute URL")
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
		for _, h := range a.hosts {
			if strings.EqualFold(h, host) || strings.EqualFold(h, u.Host) ||
				(strings.HasPrefix(h, "*.") && strings.HasSuffix(strings.ToLower(host), strings.ToLower(h[1:]))) {
				return nil
			}
		}
	case "http":
		ip := net.ParseIP(host)
		loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
		for _, h := range a.hosts {
			if loopback && strings.EqualFold(h, u.Host) {
				return nil
			}
		}
		return errors.New("plain http is allowed only for loopback push services named in BEDSTATE_PUSH_ALLOWED_HOSTS")
	}
	return fmt.Errorf("push service %q is not on the allowlist", host)
}

// CheckKeys validates a subscription's keys: p256dh a P-256 public point,
// auth 16 bytes, as browsers make them.
func CheckKeys(p256dh, auth string) error {
	pub, err := decodeKey(p256dh)
	if err != nil {
		return errors.New("keys.p256dh must be base64url")
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		return errors.New("keys.p256dh must be an uncompressed P-256 point")
	}
	a, err := decodeKey(auth)
	if err != nil || len(a) != 16 {
		return errors.New("keys.auth must be 16 bytes, base64url")
	}
	return nil
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// Message is one push to one device.
type Message struct {
	Endpoint string
	P256dh   string
	Auth     string
	Payload  []byte
	Topic    string
	Urgency  string // very-low, low, normal or high
	TTL      int    // seconds
}

// Answer is the push service's reply.
type Answer struct {
	Status     int           // 0 when no answer came
	RetryAfter time.Duration // from Retry-After, if given
	Err        error         // network failure or refusal to send
}

// Options configure a Sender.
type Options struct {
	Keys       Keys
	Subject    string // mailto: address or https URL
	Allow      Allowlist
	PerHost    int    // most requests in flight to one push service
	RecordSize uint32 // body bytes per message (webpush-go pads to it)
	Timeout    time.Duration
	Transport  http.RoundTripper // nil: a pooled transport
}

// Sender sends pushes with reused connections and bounded concurrency per
// push service.
type Sender struct {
	o      Options
	client *http.Client
	vapid  *vapid
	mu     sync.Mutex
	slots  map[string]chan struct{}
}

// NewSender makes a sender.
func NewSender(o Options) *Sender {
	if o.PerHost <= 0 {
		o.PerHost = 64
	}
	if o.RecordSize == 0 {
		o.RecordSize = DefaultRecordSize
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        4 * o.PerHost,
			MaxIdleConnsPerHost: o.PerHost,
			MaxConnsPerHost:     o.PerHost,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 5 * time.Second,
		}
	}
	s := &Sender{o: o, client: &http.Client{Transport: tr, Timeout: o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		slots: map[string]chan struct{}{}}
	s.vapid, _ = newVAPID(o.Keys, o.Subject) // nil with bad keys: Send then refuses
	return s
}

// DefaultRecordSize caps a message at 512 bytes on the wire instead of the
// 4,096 webpush-go pads to by default: alerts are a few hundred bytes, and
// hospital networks and phone plans pay for every byte. Payloads up to 409
// bytes fit.
const DefaultRecordSize = 512

// overhead is what encryption adds to a payload: the 86-byte aes128gcm
// header, the delimiter and the 16-byte tag.
const overhead = 86 + 1 + 16

// padTo is the step messages are padded to: lengths are rounded up to it,
// so the size on the wire tells little about which alert it is.
const padTo = 64

// MaxPayload is the largest payload that fits the record size.
func (s *Sender) MaxPayload() int { return int(s.o.RecordSize) - overhead }

// recordSize is the body size for a payload: padded to the next step, never
// above the configured maximum.
func (s *Sender) recordSize(n int) uint32 {
	size := (n + overhead + padTo - 1) / padTo * padTo
	return uint32(min(size, int(s.o.RecordSize)))
}

// PublicKey is the VAPID public key browsers subscribe with.
func (s *Sender) PublicKey() string { return s.o.Keys.Public }

// Allow is the sender's allowlist.
func (s *Sender) Allow() Allowlist { return s.o.Allow }

func (s *Sender) slot(host string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.slots[host]
	if !ok {
		c = make(chan struct{}, s.o.PerHost)
		s.slots[host] = c
	}
	return c
}

// Send sends one message and reports the push service's answer.
func (s *Sender) Send(ctx context.Context, m Message) Answer {
	if err := s.o.Allow.Check(m.Endpoint); err != nil {
		return Answer{Err: err}
	}
	if len(m.Payload) > s.MaxPayload() {
		return Answer{Err: fmt.Errorf("payload of %d bytes is over %d", len(m.Payload), s.MaxPayload())}
	}
	u, _ := url.Parse(m.Endpoint)
	slot := s.slot(u.Host)
	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		return Answer{Err: ctx.Err()}
	}
	defer func() { <-slot }()
	req, err := s.request(ctx, m)
	if err != nil {
		return Answer{Err: err}
	}
	res, err := s.client.Do(req)
	if err != nil {
		return Answer{Err: err}
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 4096)) // lets the connection be reused
	return Answer{Status: res.StatusCode, RetryAfter: RetryAfter(res.Header.Get("Retry-After"), time.Now())}
}

// request builds the encrypted, VAPID-signed POST (RFC 8030, 8291, 8292).
func (s *Sender) request(ctx context.Context, m Message) (*http.Request, error) {
	if s.vapid == nil {
		return nil, errors.New("VAPID keys are not usable")
	}
	ua, err := decodeKey(m.P256dh)
	if err != nil {
		return nil, fmt.Errorf("p256dh: %w", err)
	}
	auth, err := decodeKey(m.Auth)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	body, err := encrypt(m.Payload, ua, auth, int(s.recordSize(len(m.Payload)))-86-16)
	if err != nil {
		return nil, err
	}
	authz, err := s.vapid.header(m.Endpoint, time.Now())
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", m.Endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("TTL", strconv.Itoa(m.TTL))
	req.Header.Set("Authorization", authz)
	if m.Topic != "" {
		req.Header.Set("Topic", m.Topic)
	}
	if m.Urgency != "" {
		req.Header.Set("Urgency", m.Urgency)
	}
	return req, nil
}

// RetryAfter reads a Retry-After header: seconds or an HTTP date.
func RetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
