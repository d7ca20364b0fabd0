package auth

import (
	"sync"
	"time"
)

// maxLimiterKeys bounds a Limiter's memory when someone tries many emails or
// addresses at once.
const maxLimiterKeys = 10000

// Limiter allows at most limit attempts per key in each fixed window, such as
// five logins per "email|ip" per fifteen minutes. It is safe for concurrent
// use.
type Limiter struct {
	limit  int
	window time.Duration
	cap    int

	mu        sync.Mutex
	entries   map[string]*limiterWindow
	lastSweep time.Time
}

type limiterWindow struct {
	start time.Time
	count int
}

// NewLimiter returns a Limiter allowing limit attempts per key per window.
func NewLimiter(limit int, window time.Duration) *Limiter {
	return &Limiter{
		limit:   limit,
		window:  window,
		cap:     maxLimiterKeys,
		entries: make(map[string]*limiterWindow),
	}
}

// Allow records an attempt for key at now. It reports whether the attempt may
// go ahead and, if not, how long until the window ends.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()

	// One pass per window keeps the map to keys seen recently without
	// scanning on every call.
	if now.Sub(l.lastSweep) >= l.window {
		l.sweep(now)
		l.lastSweep = now
	}

	w := l.entries[key]
	if w == nil || now.Sub(w.start) >= l.window {
		if w == nil && len(l.entries) >= l.cap {
			l.sweep(now)
			if len(l.entries) >= l.cap {
				l.evictOldest()
			}
		}
		w = &limiterWindow{start: now}
		l.entries[key] = w
	}
	if w.count >= l.limit {
		return false, w.start.Add(l.window).Sub(now)
	}
	w.count++
	return true, 0
}

// Reset forgets key, for example after a successful login, so a user who
// mistyped a few times is not locked out later.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

func (l *Limiter) sweep(now time.Time) {
	for k, w := range l.entries {
		if now.Sub(w.start) >= l.window {
			delete(l.entries, k)
		}
	}
}

// evictOldest drops the key whose window started first: it is the closest to
// expiring anyway, so forgetting it loses the least.
func (l *Limiter) evictOldest() {
	var oldestKey string
	var oldest time.Time
	found := false
	for k, w := range l.entries {
		if !found || w.start.Before(oldest) {
			oldestKey, oldest, found = k, w.start, true
		}
	}
	delete(l.entries, oldestKey)
}
