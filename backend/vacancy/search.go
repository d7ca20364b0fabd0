package vacancy

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
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

// Result is one home with matching vacancies.
type Result struct {
	Home       *domain.Home
	Categories []domain.Category // only those that match, with available > 0
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

func (r *Result) key() Cursor {
	c := Cursor{Observed: r.ObservedAt.UnixNano(), HomeID: r.Home.ID}
	if r.DistanceKm != nil {
		c.Distance = *r.DistanceKm
	}
	return c
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

// Search answers a query at time now.
func (x *Index) Search(q Query, now time.Time) Page {
	f := q.Filter
	// Entries are never changed in place, so results may point into them
	// after the lock is released.
	x.mu.RLock()
	var matched []Result
	for _, e := range x.homes {
		h := &e.home
		if !f.MatchHome(h, now) {
			continue
		}
		var cats []domain.Category
		var freshest time.Time
		for i := range e.cats {
			c := &e.cats[i]
			if f.MatchCategory(c, x.th, now) {
				cats = append(cats, *c)
				if c.ObservedAt.After(freshest) {
					freshest = c.ObservedAt
				}
			}
		}
		if len(cats) == 0 {
			continue
		}
		r := Result{Home: h, Categories: cats, ObservedAt: freshest, Freshness: x.th.Band(freshest, now),
			Status: domain.EffectiveStatus(h.Status, h.StatusExpiresAt, now)}
		if d, ok := f.Distance(h.Latitude, h.Longitude); ok {
			d = math.Round(d*100) / 100
			r.DistanceKm = &d
		}
		matched = append(matched, r)
	}
	x.mu.RUnlock()
	sort.Slice(matched, func(i, j int) bool { return less(matched[i].key(), matched[j].key()) })
	start := 0
	if q.After != nil {
		start = sort.Search(len(matched), func(i int) bool { return less(*q.After, matched[i].key()) })
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	end := min(start+limit, len(matched))
	page := Page{Results: matched[start:end], Total: len(matched)}
	if end < len(matched) && end > start {
		c := matched[end-1].key()
		page.Next = &c
	}
	return page
}
