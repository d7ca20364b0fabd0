package vacancy

import (
	"fmt"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

func TestETag_HoldsForTheSameSnapshotWithinTheMinute(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 10, 0, time.UTC)
	x := New(domain.DefaultThresholds)
	x.RememberETag("coordinator q", x.Generation(), now, `W/"a"`)
	tests := []struct {
		name   string
		change func()
		at     time.Time
		want   bool
	}{
		{"same snapshot, same minute", func() {}, now.Add(40 * time.Second), true},
		{"the next minute", func() {}, now.Add(50 * time.Second), false},
		{"after a change", func() { x.Put(Home{Home: domain.Home{ID: 1}}) }, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.change()
			etag, ok := x.ETag("coordinator q", tt.at)
			if ok != tt.want || (ok && etag != `W/"a"`) {
				t.Fatalf("got %q %v, want %v", etag, ok, tt.want)
			}
		})
	}
	if _, ok := x.ETag("commissioner q", now); ok {
		t.Fatal("another key has no ETag")
	}
}

func TestETag_CacheIsBounded(t *testing.T) {
	now := time.Now()
	x := New(domain.DefaultThresholds)
	for i := range etagCacheSize * 3 {
		x.RememberETag(fmt.Sprint(i), x.Generation(), now, "e")
	}
	if n := len(x.etags.m); n != etagCacheSize {
		t.Fatalf("holds %d ETags, want %d", n, etagCacheSize)
	}
	x.RememberETag("last", x.Generation(), now, "e")
	if _, ok := x.ETag("last", now); !ok {
		t.Fatal("the newest ETag must be kept")
	}
}
