package vacancy

import (
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

func TestCursor_RoundTrips(t *testing.T) {
	for _, c := range []Cursor{{0, 0, 1}, {12.34, 1700000000123456789, 42}, {0.5, -5, 7}} {
		got, err := ParseCursor(c.String())
		if err != nil || *got != c {
			t.Fatalf("%+v came back as %+v (%v)", c, got, err)
		}
	}
	for _, bad := range []string{"", "%%%", "YWJj", "YS5iLmM"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Fatalf("%q must not parse", bad)
		}
	}
}

func TestSearch_OrdersByDistanceThenFreshness(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	x := New(domain.DefaultThresholds)
	cat := func(observed time.Time) []domain.Category {
		return []domain.Category{{CategoryKey: domain.CategoryKey{CareType: domain.Nursing, ClientGroup: domain.Dementia},
			Counts: domain.Counts{Capacity: 2, Available: 1, Occupied: 1}, ObservedAt: observed}}
	}
	home := func(id int64, lat float64) domain.Home {
		return domain.Home{ID: id, Latitude: lat, Longitude: -2.2, LocalAuthority: "Staffordshire", Status: domain.Open}
	}
	x.Replace([]Home{
		{home(1, 53.10), cat(now.Add(-time.Hour))},
		{home(2, 53.00), cat(now.Add(-5 * time.Hour))},
		{home(3, 53.00), cat(now.Add(-2 * time.Hour))},
		{home(4, 53.05), cat(now.Add(-100 * time.Hour))}, // stale: left out
	})
	x.Put(Home{home(5, 53.02), cat(now.Add(-time.Minute))})
	lat, lon := 53.0, -2.2
	page := x.Search(Query{Filter: domain.Filter{Latitude: &lat, Longitude: &lon}, Limit: 10}, now)
	var got []int64
	for _, r := range page.Results {
		got = append(got, r.Home.ID)
	}
	want := []int64{3, 2, 5, 1} // 3 and 2 tie on distance: the fresher first
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	gen := x.Generation()
	x.Put(Home{home(5, 53.02), nil})
	if x.Generation() == gen || x.Len() != 5 {
		t.Fatal("a put must replace in place and change the generation")
	}
}
