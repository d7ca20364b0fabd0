// Package webhook sends signed JSON events to NHS and council systems. The
// signature, in the manner of Stripe and GitHub, covers a timestamp and the
// body, so a receiver can check the origin and refuse replays.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bedstate/bedstate/backend/push"
)

// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>".
const SignatureHeader = "Bedstate-Signature"

// Sign gives the signature header value for body at time t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header, refusing ones older than tolerance:
// what a receiver does, and what the tests do.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("malformed signature header")
	}
	if d := now.Sub(time.Unix(n, 0)); d > tolerance || d < -tolerance {
		return errors.New("signature too old or from the future: a replay?")
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return errors.New("signature does not match")
	}
	return nil
}

// NewSecret makes a signing secret, shown to the owner once.
func NewSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// CheckURL accepts https URLs; plain http only to loopback when allowed
// (development and tests).
func CheckURL(raw string, allowLoopbackHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || len(raw) > 2000 {
		return errors.New("must be an absolute https URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		ip := net.ParseIP(u.Hostname())
		if allowLoopbackHTTP && (u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())) {
			return nil
		}
	}
	return errors.New("must be an https URL")
}

// Sender posts events.
type Sender struct {
	client *http.Client
}

// NewSender makes a sender whose connections may not reach private,
// loopback or link-local addresses (unless allowLoopback), so a webhook URL
// cannot be used to probe the server's own network.
func NewSender(allowLoopback bool) *Sender {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil {
				return fmt.Errorf("webhook: unresolved address %s", host)
			}
			if allowLoopback && ip.IsLoopback() {
				return nil
			}
			if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
				return fmt.Errorf("webhook: address %s is not public", ip)
			}
			return nil
		}}
	tr := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 8, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second, ForceAttemptHTTP2: true}
	return &Sender{client: &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Send posts one signed event; the answer classifies as a push answer does.
func (s *Sender) Send(ctx context.Context, target, secret, eventID string, body []byte, now time.Time) push.Answer {
	req, err := http.NewRequestWithContext(ctx, "POST", target, bytes.NewReader(body))
	if err != nil {
		return push.Answer{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Bedstate-Webhooks/1")
	req.Header.Set("Bedstate-Event-Id", eventID)
	req.Header.Set(SignatureHeader, Sign(secret, now, body))
	res, err := s.client.Do(req)
	if err != nil {
		return push.Answer{Err: err}
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	return push.Answer{Status: res.StatusCode, RetryAfter: push.RetryAfter(res.Header.Get("Retry-After"), now)}
}
