// Package vacancy keeps an in-memory snapshot of every home's beds and
// answers vacancy searches from it, so a national search costs a scan of
// memory rather than a SQL query per request.
package vacancy

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

// Index is the snapshot. Writers replace one home at a time; readers scan.
type Index struct {
	mu       sync.RWMutex
	homes    []*entry  // by home id
	sums     []summary // sums[i] summarises homes[i]: what a search scans
	pos      map[int64]int
	gen      atomic.Uint64
	modified atomic.Int64 // unix nanoseconds of the last change
	th       domain.Thresholds
	etags    etagCache
}

// entry is one home as held. Entries are replaced, never changed in place, so
// a search may keep pointers into one after it releases the lock.
type entry struct {
	home domain.Home
	cats []domain.Category
	bits []uint16 // bits[i] is catBit(cats[i].CategoryKey)
}

func newEntry(h Home) *entry {
	e := &entry{home: h.Home, cats: h.Categories, bits: make([]uint16, len(h.Categories))}
	for i := range h.Categories {
		e.bits[i] = catBit(h.Categories[i].CategoryKey)
	}
	return e
}

// New makes an empty index judging freshness by th.
func New(th domain.Thresholds) *Index {
	x := &Index{pos: map[int64]int{}, th: th, etags: newETagCache(etagCacheSize)}
	x.modified.Store(time.Now().UnixNano())
	return x
}

// Thresholds are the freshness bands the index uses.
func (x *Index) Thresholds() domain.Thresholds { return x.th }

// Generation changes whenever the snapshot changes.
func (x *Index) Generation() uint64 { return x.gen.Load() }

// LastModified is when the snapshot last changed.
func (x *Index) LastModified() time.Time { return time.Unix(0, x.modified.Load()).UTC() }

// Len is the number of homes held.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.homes)
}

// Home is one home's state as the index holds it.
type Home struct {
	Home       domain.Home
	Categories []domain.Category
}

// Replace swaps the whole snapshot, for start-up and periodic reloads.
func (x *Index) Replace(all []Home) {
	homes := make([]*entry, len(all))
	for i, h := range all {
		homes[i] = newEntry(h)
	}
	sort.Slice(homes, func(i, j int) bool { return homes[i].home.ID < homes[j].home.ID })
	pos := make(map[int64]int, len(homes))
	sums := make([]summary, len(homes))
	for i, e := range homes {
		pos[e.home.ID] = i
		sums[i] = summarise(e)
	}
	x.mu.Lock()
	x.homes, x.sums, x.pos = homes, sums, pos
	x.touch()
	x.mu.Unlock()
}

// Put adds or replaces one home.
func (x *Index) Put(h Home) {
	e := newEntry(h)
	s := summarise(e)
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.pos[h.Home.ID]; ok {
		x.homes[i], x.sums[i] = e, s
	} else {
		i := sort.Search(len(x.homes), func(i int) bool { return x.homes[i].home.ID > h.Home.ID })
		x.homes = append(x.homes, nil)
		copy(x.homes[i+1:], x.homes[i:])
		x.homes[i] = e
		x.sums = append(x.sums, summary{})
		copy(x.sums[i+1:], x.sums[i:])
		x.sums[i] = s
		for j := i; j < len(x.homes); j++ {
			x.pos[x.homes[j].home.ID] = j
		}
	}
	x.touch()
}

// Get returns one home's state.
func (x *Index) Get(id int64) (Home, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok := x.pos[id]
	if !ok {
		return Home{}, false
	}
	e := x.homes[i]
	return Home{Home: e.home, Categories: e.cats}, true
}

// All returns every home, by id, for the whole-snapshot export.
func (x *Index) All() []Home {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]Home, len(x.homes))
	for i, e := range x.homes {
		out[i] = Home{Home: e.home, Categories: e.cats}
	}
	return out
}

func (x *Index) touch() {
	x.gen.Add(1)
	x.modified.Store(time.Now().UnixNano())
}
