package vacancy

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

func TestCatBit(t *testing.T) {
	seen := map[uint16]bool{}
	for _, ct := range domain.CareTypes {
		for _, cg := range domain.ClientGroups {
			b := catBit(domain.CategoryKey{CareType: ct, ClientGroup: cg})
			if b == 0 || b&(b-1) != 0 || b == otherBit || seen[b] {
				t.Fatalf("%s/%s: bit %b is not a bit of its own", ct, cg, b)
			}
			seen[b] = true
		}
	}
	for _, k := range []domain.CategoryKey{{CareType: "spa", ClientGroup: domain.Dementia}, {CareType: domain.Nursing, ClientGroup: "pets"}, {}} {
		if catBit(k) != otherBit {
			t.Fatalf("%v: an unknown key must get otherBit", k)
		}
	}
}

func TestWantBits(t *testing.T) {
	bit := func(ct domain.CareType, cg domain.ClientGroup) uint16 {
		return catBit(domain.CategoryKey{CareType: ct, ClientGroup: cg})
	}
	tests := []struct {
		name string
		in   domain.Filter
		want uint16
	}{
		{"no care type or client group: all", domain.Filter{}, 1<<10 - 1 | otherBit},
		{"one care type", domain.Filter{CareTypes: []domain.CareType{domain.Nursing}},
			bit(domain.Nursing, domain.OlderPeople) | bit(domain.Nursing, domain.Dementia) | bit(domain.Nursing, domain.LearningDisabilityAutism) |
				bit(domain.Nursing, domain.MentalHealth) | bit(domain.Nursing, domain.PhysicalDisability) | otherBit},
		{"one client group", domain.Filter{ClientGroups: []domain.ClientGroup{domain.Dementia}},
			bit(domain.Residential, domain.Dementia) | bit(domain.Nursing, domain.Dementia) | otherBit},
		{"both", domain.Filter{CareTypes: []domain.CareType{domain.Residential}, ClientGroups: []domain.ClientGroup{domain.Dementia, domain.MentalHealth}},
			bit(domain.Residential, domain.Dementia) | bit(domain.Residential, domain.MentalHealth) | otherBit},
		{"unknown care type: only unknown keys can match", domain.Filter{CareTypes: []domain.CareType{"spa"}}, otherBit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wantBits(&tt.in); got != tt.want {
				t.Fatalf("got %b, want %b", got, tt.want)
			}
		})
	}
}

func TestBoundingBox_HoldsEveryPointOfTheCircle(t *testing.T) {
	tests := []struct {
		name          string
		lat, lon, rKm float64
	}{
		{"Royal Stoke, 15 km", 53.0027, -2.2137, 15},
		{"Cornwall, 25 km", 50.1, -5.5, 25},
		{"Northumberland, 100 km", 55.8, -2.0, 100},
		{"the largest radius", 52.5, -1.5, 500},
		{"a tiny radius", 51.5, -0.1, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			minLat, maxLat, minLon, maxLon := boundingBox(tt.lat, tt.lon, tt.rKm)
			// Points on and just inside the circle, in every direction.
			for i := range 3600 {
				bearing := float64(i) / 10 * math.Pi / 180
				for _, frac := range []float64{1, 0.999999, 0.5} {
					lat, lon := destination(tt.lat, tt.lon, bearing, tt.rKm*frac)
					if domain.DistanceKm(tt.lat, tt.lon, lat, lon) > tt.rKm {
						continue // rounding put it just outside: the filter refuses it too
					}
					if lat < minLat || lat > maxLat || lon < minLon || lon > maxLon {
						t.Fatalf("(%f, %f) at bearing %.1f is within %g km but outside the box", lat, lon, float64(i)/10, tt.rKm)
					}
				}
			}
			// And the box is not much bigger than the circle.
			if d := domain.DistanceKm(tt.lat, tt.lon, maxLat, tt.lon); d > tt.rKm*1.01 {
				t.Fatalf("box reaches %f km north, for a %g km radius", d, tt.rKm)
			}
			if d := domain.DistanceKm(tt.lat, tt.lon, tt.lat, maxLon); d > tt.rKm*1.05 {
				t.Fatalf("box reaches %f km east, for a %g km radius", d, tt.rKm)
			}
		})
	}
	if minLat, maxLat, minLon, maxLon := boundingBox(89.9, 0, 100); minLat > 89 || maxLat < 90 || !math.IsInf(minLon, -1) || !math.IsInf(maxLon, 1) {
		t.Fatal("a circle round a pole takes every longitude")
	}
}

// destination is the point distKm from (lat, lon) on the bearing (radians).
func destination(lat, lon, bearing, distKm float64) (float64, float64) {
	const rad = math.Pi / 180
	d := distKm / 6371.0088
	φ1, λ1 := lat*rad, lon*rad
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(d) + math.Cos(φ1)*math.Sin(d)*math.Cos(bearing))
	λ2 := λ1 + math.Atan2(math.Sin(bearing)*math.Sin(d)*math.Cos(φ1), math.Cos(d)-math.Sin(φ1)*math.Sin(φ2))
	return φ2 / rad, λ2 / rad
}

func TestPrefilter_MayMatch(t *testing.T) {
	lat, lon := 53.0, -2.2
	nursingDementia := catBit(domain.CategoryKey{CareType: domain.Nursing, ClientGroup: domain.Dementia})
	home := summary{lat: 53.05, lon: -2.2, localAuthority: "Staffordshire", available: nursingDementia, rating: 3}
	tests := []struct {
		name string
		f    domain.Filter
		s    summary
		want bool
	}{
		{"anything", domain.Filter{}, home, true},
		{"no bed available", domain.Filter{}, summary{lat: 53, lon: -2.2}, false},
		{"the category has a bed", domain.Filter{CareTypes: []domain.CareType{domain.Nursing}}, home, true},
		{"another category", domain.Filter{CareTypes: []domain.CareType{domain.Residential}}, home, false},
		{"rating high enough", domain.Filter{MinRating: domain.Good}, home, true},
		{"rating too low", domain.Filter{MinRating: domain.Outstanding}, home, false},
		{"suspended", domain.Filter{}, summary{available: nursingDementia, suspended: true}, false},
		{"suspended, asked for", domain.Filter{IncludeSuspended: true}, summary{available: nursingDementia, suspended: true}, true},
		{"within the box", domain.Filter{Latitude: &lat, Longitude: &lon, RadiusKm: 10}, home, true},
		{"outside the box", domain.Filter{Latitude: &lat, Longitude: &lon, RadiusKm: 5}, home, false},
		{"a point but no radius", domain.Filter{Latitude: &lat, Longitude: &lon}, home, true},
		{"its local authority", domain.Filter{LocalAuthorities: []string{"Stoke-on-Trent", "Staffordshire"}}, home, true},
		{"another local authority", domain.Filter{LocalAuthorities: []string{"Stoke-on-Trent"}}, home, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPrefilter(&tt.f)
			if got := p.mayMatch(&tt.s); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSearch_AgreesWithTheFilter compares Search with a plain scan that asks
// domain.Filter about every home and category, over random homes and
// filters, before and after Puts.
func TestSearch_AgreesWithTheFilter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(1, 2))
	x := New(domain.DefaultThresholds)
	homes := make([]Home, 600)
	for i := range homes {
		homes[i] = randomHome(r, int64(i+1), now)
	}
	x.Replace(homes)
	for round := range 3 {
		for range 150 {
			f := randomFilter(r)
			q := Query{Filter: f, Limit: 1 + r.IntN(40)}
			want := plainSearch(homes, f, x.th, now)
			var got []Result
			for pages := 0; ; pages++ {
				page := x.Search(q, now)
				if page.Total != len(want) {
					t.Fatalf("round %d, %+v: total %d, want %d", round, f, page.Total, len(want))
				}
				got = append(got, page.Results...)
				if page.Next == nil {
					break
				}
				q.After = page.Next
			}
			if len(got) != len(want) {
				t.Fatalf("round %d, %+v: paged through %d results, want %d", round, f, len(got), len(want))
			}
			for i := range want {
				assertSameResult(t, got[i], want[i])
			}
		}
		// Change some homes, add some, and search again.
		for range 50 {
			i := r.IntN(len(homes))
			homes[i] = randomHome(r, homes[i].Home.ID, now)
			x.Put(homes[i])
		}
		for range 5 {
			h := randomHome(r, int64(1000+len(homes)), now)
			homes = append(homes, h)
			x.Put(h)
		}
	}
}

func assertSameResult(t *testing.T, got, want Result) {
	t.Helper()
	if got.Home.ID != want.Home.ID || !got.ObservedAt.Equal(want.ObservedAt) || got.Freshness != want.Freshness ||
		got.Status != want.Status || (got.DistanceKm == nil) != (want.DistanceKm == nil) ||
		(got.DistanceKm != nil && *got.DistanceKm != *want.DistanceKm) || len(got.Categories) != len(want.Categories) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for j := range want.Categories {
		if got.Categories[j].CategoryKey != want.Categories[j].CategoryKey || got.Categories[j].Available != want.Categories[j].Available {
			t.Fatalf("home %d: categories differ", want.Home.ID)
		}
	}
}

// plainSearch is the search without summaries: every home and category
// through the Filter, all results sorted.
func plainSearch(homes []Home, f domain.Filter, th domain.Thresholds, now time.Time) []Result {
	var out []Result
	for i := range homes {
		h := &homes[i].Home
		if !f.MatchHome(h, now) {
			continue
		}
		r := Result{Home: h, Status: domain.EffectiveStatus(h.Status, h.StatusExpiresAt, now)}
		for j := range homes[i].Categories {
			c := &homes[i].Categories[j]
			if f.MatchCategory(c, th, now) {
				r.Categories = append(r.Categories, c)
				if c.ObservedAt.After(r.ObservedAt) {
					r.ObservedAt = c.ObservedAt
				}
			}
		}
		if len(r.Categories) == 0 {
			continue
		}
		r.Freshness = th.Band(r.ObservedAt, now)
		if d, ok := f.Distance(h.Latitude, h.Longitude); ok {
			d = math.Round(d*100) / 100
			r.DistanceKm = &d
		}
		out = append(out, r)
	}
	key := func(r Result) Cursor {
		c := Cursor{Observed: r.ObservedAt.UnixNano(), HomeID: r.Home.ID}
		if r.DistanceKm != nil {
			c.Distance = *r.DistanceKm
		}
		return c
	}
	for i := 1; i < len(out); i++ { // insertion sort: plain on purpose
		for j := i; j > 0 && less(key(out[j]), key(out[j-1])); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

var (
	areas   = []string{"Staffordshire", "Stoke-on-Trent", "Cheshire East", "Derbyshire"}
	ratings = []domain.Rating{domain.Outstanding, domain.Good, domain.RequiresImprovement, domain.Inadequate, domain.NotYetRated}
)

func randomHome(r *rand.Rand, id int64, now time.Time) Home {
	h := domain.Home{ID: id, Latitude: 52.7 + r.Float64()*0.6, Longitude: -2.6 + r.Float64()*0.8,
		LocalAuthority: pick(r, areas), District: pick(r, areas), Rating: pick(r, ratings), Status: domain.Open,
		Suspended: r.IntN(20) == 0}
	switch r.IntN(10) {
	case 0:
		exp := now.Add(time.Duration(r.IntN(96)-48) * time.Hour) // some closures have lapsed
		h.Status, h.StatusExpiresAt = domain.Closed, &exp
	case 1:
		h.Status = domain.Restricted
	}
	var cats []domain.Category
	for _, ct := range domain.CareTypes {
		for _, cg := range domain.ClientGroups {
			if r.IntN(3) != 0 {
				continue
			}
			c := domain.Category{CategoryKey: domain.CategoryKey{CareType: ct, ClientGroup: cg},
				Counts:     domain.Counts{Capacity: 10, Available: r.IntN(3)},
				ObservedAt: now.Add(-time.Duration(r.IntN(100)) * time.Hour)}
			c.Occupied = c.Capacity - c.Available
			if r.IntN(2) == 0 {
				c.StayTypes = []domain.StayType{pick(r, domain.StayTypes)}
			}
			if r.IntN(2) == 0 {
				c.AdmitWithin = pick(r, []domain.AdmitWithin{domain.SameDay, domain.NextDay, domain.Later})
			}
			yes := r.IntN(2) == 0
			c.GuideRateAccepted = &yes
			cats = append(cats, c)
		}
	}
	return Home{Home: h, Categories: cats}
}

func randomFilter(r *rand.Rand) domain.Filter {
	var f domain.Filter
	if r.IntN(2) == 0 {
		f.CareTypes = []domain.CareType{pick(r, domain.CareTypes)}
	}
	if r.IntN(2) == 0 {
		f.ClientGroups = []domain.ClientGroup{pick(r, domain.ClientGroups), pick(r, domain.ClientGroups)}
	}
	if r.IntN(2) == 0 {
		lat, lon := 52.7+r.Float64()*0.6, -2.6+r.Float64()*0.8
		f.Latitude, f.Longitude = &lat, &lon
		if r.IntN(3) != 0 {
			f.RadiusKm = float64(1 + r.IntN(30))
		}
	}
	if r.IntN(4) == 0 {
		f.LocalAuthorities = []string{pick(r, areas)}
	}
	if r.IntN(6) == 0 {
		f.Districts = []string{pick(r, areas)}
	}
	if r.IntN(4) == 0 {
		f.MinRating = pick(r, ratings[:4])
	}
	if r.IntN(6) == 0 {
		f.StayType = pick(r, domain.StayTypes)
	}
	if r.IntN(6) == 0 {
		f.AdmitWithin = pick(r, []domain.AdmitWithin{domain.SameDay, domain.NextDay, domain.Later})
	}
	f.GuideRateOnly = r.IntN(6) == 0
	f.IncludeClosed = r.IntN(4) == 0
	f.IncludeSuspended = r.IntN(4) == 0
	if r.IntN(4) == 0 {
		f.MinFreshness = pick(r, []domain.Freshness{domain.Fresh, domain.Ageing, domain.Stale})
	}
	return f
}
