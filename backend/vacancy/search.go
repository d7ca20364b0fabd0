package vacancy

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

// Query is one vacancy search.
type Query struct {
	Filter domain.Filter
	After  *Cursor
	Limit  int
}

// Result is one home with matching vacancies. Home and Categories point into
// the snapshot, which never changes in place: read them, never write them.
type Result struct {
	Home       *domain.Home
	Categories []*domain.Category // only those that match, with available > 0
	DistanceKm *float64
	ObservedAt time.Time // the freshest matching figure
	Freshness  domain.Freshness
	Status     domain.AdmissionStatus // effective at the time of the search
}

// Page is one page of results.
type Page struct {
	Results []Result
	Next    *Cursor
	Total   int
}

// Cursor is the sort key of the last result of a page: results are ordered
// by distance (when a point is given), then freshest first, then home id.
type Cursor struct {
	Distance float64
	Observed int64
	HomeID   int64
}

// String encodes the cursor opaquely for the API.
func (c Cursor) String() string {
	s := fmt.Sprintf("%s.%d.%d", strconv.FormatFloat(c.Distance, 'g', -1, 64), c.Observed, c.HomeID)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// ParseCursor decodes a cursor from the API.
func ParseCursor(s string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("malformed cursor")
	}
	parts := strings.Split(string(b), ".")
	if len(parts) < 3 {
		return nil, fmt.Errorf("malformed cursor")
	}
	// The distance may itself contain a dot: the last two parts are integers.
	n := len(parts)
	d, err1 := strconv.ParseFloat(strings.Join(parts[:n-2], "."), 64)
	o, err2 := strconv.ParseInt(parts[n-2], 10, 64)
	id, err3 := strconv.ParseInt(parts[n-1], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || math.IsNaN(d) {
		return nil, fmt.Errorf("malformed cursor")
	}
	return &Cursor{Distance: d, Observed: o, HomeID: id}, nil
}

func less(a, b Cursor) bool {
	if a.Distance != b.Distance {
		return a.Distance < b.Distance
	}
	if a.Observed != b.Observed {
		return a.Observed > b.Observed // fresher first
	}
	return a.HomeID < b.HomeID
}

// hit is a matching home found by the scan: its sort key and which of its
// categories match (bit j for cats[j]). Only a page's hits become Results.
type hit struct {
	key      Cursor
	observed time.Time
	e        *entry
	cats     uint64 // a home has at most ten categories, one per key
}

// Search answers a query at time now. It scans the flat summaries, judges
// only the homes they cannot rule out with the Filter itself, keeps only the
// best hits for the page asked for, and builds Results for those.
func (x *Index) Search(q Query, now time.Time) Page {
	f := &q.Filter
	p := newPrefilter(f)
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	// One more than the page shows whether there is a next page; the slice
	// is cut back to that whenever it holds a few pages' worth, so a search
	// matching thousands of homes sorts and keeps little.
	keep := limit + 1
	hits := make([]hit, 0, 4*keep)
	var worst *Cursor // once cut back, hits past this cannot make the page
	total := 0
	x.mu.RLock()
	for i := range x.sums {
		if !p.mayMatch(&x.sums[i]) {
			continue
		}
		e := x.homes[i]
		if !f.MatchHome(&e.home, now) {
			continue
		}
		var cats uint64
		var freshest time.Time
		for j := range e.cats {
			c := &e.cats[j]
			if e.bits[j]&p.want == 0 || !f.MatchCategory(c, x.th, now) {
				continue
			}
			cats |= 1 << j
			if c.ObservedAt.After(freshest) {
				freshest = c.ObservedAt
			}
		}
		if cats == 0 {
			continue
		}
		total++
		k := Cursor{Observed: freshest.UnixNano(), HomeID: e.home.ID}
		if d, ok := f.Distance(e.home.Latitude, e.home.Longitude); ok {
			k.Distance = math.Round(d*100) / 100
		}
		if (q.After != nil && !less(*q.After, k)) || (worst != nil && !less(k, *worst)) {
			continue // on an earlier page, or beyond this one
		}
		if len(hits) == cap(hits) {
			sortHits(hits)
			hits = hits[:keep]
			w := hits[keep-1].key
			worst = &w
		}
		hits = append(hits, hit{key: k, observed: freshest, e: e, cats: cats})
	}
	x.mu.RUnlock()

	sortHits(hits)
	page := Page{Total: total}
	if len(hits) > limit {
		hits = hits[:limit]
		c := hits[limit-1].key
		page.Next = &c
	}
	page.Results = make([]Result, len(hits))
	for i, h := range hits {
		page.Results[i] = x.result(h, f, now)
	}
	return page
}

func sortHits(hits []hit) {
	slices.SortFunc(hits, func(a, b hit) int {
		switch {
		case less(a.key, b.key):
			return -1
		case less(b.key, a.key):
			return 1
		}
		return 0
	})
}

func (x *Index) result(h hit, f *domain.Filter, now time.Time) Result {
	home := &h.e.home
	r := Result{Home: home, ObservedAt: h.observed, Freshness: x.th.Band(h.observed, now),
		Status: domain.EffectiveStatus(home.Status, home.StatusExpiresAt, now)}
	if f.Latitude != nil && f.Longitude != nil {
		d := h.key.Distance
		r.DistanceKm = &d
	}
	for j := range h.e.cats {
		if h.cats&(1<<j) != 0 {
			r.Categories = append(r.Categories, &h.e.cats[j])
		}
	}
	return r
}
