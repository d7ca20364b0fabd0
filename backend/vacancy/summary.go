package vacancy

import (
	"math"
	"slices"

	"github.com/bedstate/bedstate/backend/domain"
)

// summary is the little a search needs to rule a home out: held in a flat
// slice, a national scan reads about 50 bytes a home instead of the home and
// its ten categories (2.6 kB). Its tests are necessary conditions only; a
// home that passes them is judged by the Filter itself.
type summary struct {
	lat, lon       float64
	localAuthority string
	available      uint16 // catBit of every category with a bed available
	rating         int8   // Rating.Rank()
	suspended      bool
}

func summarise(e *entry) summary {
	s := summary{lat: e.home.Latitude, lon: e.home.Longitude, localAuthority: e.home.LocalAuthority,
		rating: int8(e.home.Rating.Rank()), suspended: e.home.Suspended}
	for i := range e.cats {
		if e.cats[i].Available > 0 {
			s.available |= e.bits[i]
		}
	}
	return s
}

// otherBit stands for any category whose key is not a known care type and
// client group, so that such a category is never skipped by the mask.
const otherBit = 1 << 15

// catBit gives each known category (care type x client group, ten of them)
// its own bit.
func catBit(k domain.CategoryKey) uint16 {
	t := slices.Index(domain.CareTypes, k.CareType)
	g := slices.Index(domain.ClientGroups, k.ClientGroup)
	if t < 0 || g < 0 {
		return otherBit
	}
	return 1 << (t*len(domain.ClientGroups) + g)
}

// wantBits is the mask of categories the filter's care types and client
// groups admit (all of them when it names none).
func wantBits(f *domain.Filter) uint16 {
	want := uint16(otherBit)
	for _, t := range domain.CareTypes {
		if len(f.CareTypes) > 0 && !slices.Contains(f.CareTypes, t) {
			continue
		}
		for _, g := range domain.ClientGroups {
			if len(f.ClientGroups) == 0 || slices.Contains(f.ClientGroups, g) {
				want |= catBit(domain.CategoryKey{CareType: t, ClientGroup: g})
			}
		}
	}
	return want
}

// prefilter is a filter's cheap tests on summaries.
type prefilter struct {
	f                              *domain.Filter
	want                           uint16
	minRating                      int8
	box                            bool
	minLat, maxLat, minLon, maxLon float64
}

func newPrefilter(f *domain.Filter) prefilter {
	p := prefilter{f: f, want: wantBits(f)}
	if f.MinRating != "" {
		p.minRating = int8(f.MinRating.Rank())
	}
	if f.RadiusKm > 0 && f.Latitude != nil && f.Longitude != nil {
		p.box = true
		p.minLat, p.maxLat, p.minLon, p.maxLon = boundingBox(*f.Latitude, *f.Longitude, f.RadiusKm)
	}
	return p
}

// mayMatch reports whether the home summarised by s can match: false only
// when the Filter would refuse it.
func (p *prefilter) mayMatch(s *summary) bool {
	if s.available&p.want == 0 || s.rating < p.minRating || (s.suspended && !p.f.IncludeSuspended) {
		return false
	}
	if p.box && (s.lat < p.minLat || s.lat > p.maxLat || s.lon < p.minLon || s.lon > p.maxLon) {
		return false
	}
	return len(p.f.LocalAuthorities) == 0 || slices.Contains(p.f.LocalAuthorities, s.localAuthority)
}

// boxRadiusKm is a little under the Earth's mean radius (domain uses
// 6371.0088 km), which widens the box: it must never be narrower than the
// circle the haversine draws.
const boxRadiusKm = 6371.0

// boundingBox bounds, in degrees, the points within radiusKm of (lat, lon):
// exactly on a sphere (the longitude bound is where the circle touches its
// meridians), then widened by a margin against rounding.
func boundingBox(lat, lon, radiusKm float64) (minLat, maxLat, minLon, maxLon float64) {
	const deg = 180 / math.Pi
	r := radiusKm / boxRadiusKm * 1.001 // radians, with a 0.1% margin
	minLat, maxLat = lat-r*deg, lat+r*deg
	minLon, maxLon = math.Inf(-1), math.Inf(1)
	if minLat <= -90 || maxLat >= 90 {
		return // the circle takes in a pole: every longitude
	}
	if s := math.Sin(r) / math.Cos(lat/deg); s < 1 {
		d := math.Asin(s) * deg
		if lon-d > -180 && lon+d < 180 { // no wrapping round the antimeridian
			minLon, maxLon = lon-d, lon+d
		}
	}
	return
}
