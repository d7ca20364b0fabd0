package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestLimiter_Allow(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	type step struct {
		key       string
		at        time.Duration // since t0
		reset     bool
		wantOK    bool
		wantRetry time.Duration
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"three allowed then refused", []step{
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: time.Minute, wantOK: true},
			{key: "a", at: 2 * time.Minute, wantOK: true},
			{key: "a", at: 3 * time.Minute, wantOK: false, wantRetry: 12 * time.Minute},
			{key: "a", at: 14 * time.Minute, wantOK: false, wantRetry: time.Minute},
		}},
		{"new window after expiry", []step{
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: false, wantRetry: 15 * time.Minute},
			{key: "a", at: 15 * time.Minute, wantOK: true},
		}},
		{"keys are independent", []step{
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: false, wantRetry: 15 * time.Minute},
			{key: "b", at: 0, wantOK: true},
		}},
		{"reset clears the count", []step{
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: time.Minute, reset: true},
			{key: "a", at: time.Minute, wantOK: true},
		}},
		{"refusals do not extend the window", []step{
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 0, wantOK: true},
			{key: "a", at: 10 * time.Minute, wantOK: false, wantRetry: 5 * time.Minute},
			{key: "a", at: 15 * time.Minute, wantOK: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLimiter(3, 15*time.Minute)
			for i, s := range tt.steps {
				if s.reset {
					l.Reset(s.key)
					continue
				}
				ok, retry := l.Allow(s.key, t0.Add(s.at))
				if ok != s.wantOK || retry != s.wantRetry {
					t.Errorf("step %d: Allow = %v, %v; want %v, %v", i, ok, retry, s.wantOK, s.wantRetry)
				}
			}
		})
	}
}

func TestLimiter_MemoryIsBounded(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(1, time.Minute)
	l.cap = 100

	// A flood of distinct keys within one window never grows past the cap.
	for i := range 1000 {
		l.Allow(fmt.Sprint("flood", i), t0.Add(time.Duration(i)*time.Millisecond))
	}
	if n := len(l.entries); n > 100 {
		t.Fatalf("%d entries, want at most 100", n)
	}
	// The newest keys are kept: the most recent one is still limited.
	if ok, _ := l.Allow("flood999", t0.Add(time.Second)); ok {
		t.Error("newest key was evicted")
	}

	// Once the window has passed, the next call sweeps the expired keys.
	l.Allow("late", t0.Add(2*time.Minute))
	if n := len(l.entries); n != 1 {
		t.Errorf("%d entries after the window passed, want 1", n)
	}
}

func TestLimiter_Concurrent(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(50, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 20 {
		wg.Go(func() {
			for range 10 {
				if ok, _ := l.Allow("k", t0); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Errorf("allowed %d, want 50", allowed)
	}
}
