package demo

import (
	"reflect"
	"testing"

	"github.com/bedstate/bedstate/backend/domain"
)

func TestNational_Valid(t *testing.T) {
	n := 15000
	if testing.Short() {
		n = 2000
	}
	d := National(n, 42, now)
	if len(d.Homes) != n {
		t.Fatalf("got %d homes, want %d", len(d.Homes), n)
	}
	checkDataset(t, d, 10, 10)
	var cats, withBeds, available int
	las, icbs := map[string]bool{}, map[string]bool{}
	for _, s := range d.Homes {
		las[s.Home.LocalAuthority], icbs[s.Home.ICB] = true, true
		seen := map[domain.CategoryKey]bool{}
		for _, c := range s.Categories {
			seen[c.CategoryKey] = true
			cats++
			if c.Available > 0 {
				withBeds++
				available += c.Available
			}
		}
		if len(seen) != 10 {
			t.Fatalf("home %s: %d distinct categories", s.Home.CQCLocationID, len(seen))
		}
	}
	if share := float64(withBeds) / float64(cats); share < 0.05 || share > 0.15 {
		t.Errorf("%.3f of categories have a bed available, want about 0.1", share)
	}
	if len(las) < 140 || len(icbs) != nationalICBs {
		t.Errorf("%d local authorities and %d ICBs", len(las), len(icbs))
	}
}

func TestNational_SameForSameSeed(t *testing.T) {
	if !reflect.DeepEqual(National(500, 7, now), National(500, 7, now)) {
		t.Error("same seed, different data")
	}
	if reflect.DeepEqual(National(500, 7, now).Homes[0], National(500, 8, now).Homes[0]) {
		t.Error("different seeds, same data")
	}
}

func TestNational_FewAllocations(t *testing.T) {
	// Two or so per provider and a few hundred fixed; none per home or category.
	allocs := testing.AllocsPerRun(1, func() { National(15000, 1, now) })
	if allocs > 8000 {
		t.Errorf("%.0f allocations for 15,000 homes", allocs)
	}
}

func TestNational_Empty(t *testing.T) {
	if d := National(0, 1, now); len(d.Homes) != 0 || len(d.Organisations) == 0 {
		t.Errorf("got %d homes, %d organisations", len(d.Homes), len(d.Organisations))
	}
}

func BenchmarkNational(b *testing.B) {
	for b.Loop() {
		National(15000, 1, now)
	}
}
