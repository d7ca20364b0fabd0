package vacancy

import (
	"sync"
	"time"
)

// etagCacheSize bounds the ETags remembered: one per (caller's role, query)
// that pollers revalidate.
const etagCacheSize = 1024

// etagCache remembers the ETag of recent answers, so a revalidation of an
// unchanged snapshot within the same minute is a 304 without a search. A
// full cache forgets an entry at random (Go's map order).
type etagCache struct {
	mu  sync.Mutex
	max int
	m   map[string]etagEntry
}

type etagEntry struct {
	gen    uint64 // the snapshot's generation the answer was computed from
	minute int64  // and the minute: freshness bands and closures lapse with time
	etag   string
}

func newETagCache(max int) etagCache {
	return etagCache{max: max, m: make(map[string]etagEntry, max)}
}

// ETag gives the ETag remembered for key if it was computed from the
// snapshot as it is now, within the same minute as now.
func (x *Index) ETag(key string, now time.Time) (string, bool) {
	c := &x.etags
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || e.gen != x.Generation() || e.minute != minute(now) {
		return "", false
	}
	return e.etag, true
}

// RememberETag keeps the ETag of the answer to key, computed at time now from
// the snapshot at generation gen (read before the search, so a change racing
// the search makes the entry stale rather than wrong). Remember only answers
// to valid queries: a remembered ETag earns a 304 without the query being
// parsed again.
func (x *Index) RememberETag(key string, gen uint64, now time.Time, etag string) {
	c := &x.etags
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok && len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[key] = etagEntry{gen: gen, minute: minute(now), etag: etag}
}

func minute(t time.Time) int64 { return t.Unix() / 60 }
