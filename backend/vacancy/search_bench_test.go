package vacancy_test

import (
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/demo"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/vacancy"
)

// BenchmarkSearch_National searches a national snapshot (15,000 homes, ten
// categories each) for one page, as the API does.
func BenchmarkSearch_National(b *testing.B) {
	now := time.Now()
	ds := demo.National(15_000, 20261123, now)
	homes := make([]vacancy.Home, len(ds.Homes))
	for i, h := range ds.Homes {
		h.Home.ID = int64(i + 1)
		homes[i] = vacancy.Home{Home: h.Home, Categories: h.Categories}
	}
	x := vacancy.New(domain.DefaultThresholds)
	x.Replace(homes)
	lat, lon := ds.Homes[7].Home.Latitude, ds.Homes[7].Home.Longitude
	for _, bc := range []struct {
		name string
		f    domain.Filter
	}{
		{"care type and client group", domain.Filter{CareTypes: []domain.CareType{domain.Residential}, ClientGroups: []domain.ClientGroup{domain.OlderPeople}}},
		{"within 25 km", domain.Filter{Latitude: &lat, Longitude: &lon, RadiusKm: 25}},
		{"local authority", domain.Filter{LocalAuthorities: []string{ds.Homes[7].Home.LocalAuthority}}},
		{"minimum rating", domain.Filter{MinRating: domain.Good, ClientGroups: []domain.ClientGroup{domain.Dementia}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				x.Search(vacancy.Query{Filter: bc.f, Limit: 50}, now)
			}
		})
	}
}
