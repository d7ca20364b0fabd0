package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

// staffsSeed fixes the Staffordshire dataset: the same seed gives the same homes.
const staffsSeed = 2025

// Homes given special states, by index. 0 and 1 are the manager's homes and
// must stay open, unsuspended and well rated.
const (
	closedHome     = 30 // closed by an infection outbreak
	restrictedHome = 45 // restricted by staffing
)

var (
	suspendedHomes  = []int{17, 53} // inadequate and suspended
	inadequateHomes = []int{17, 53, 88}
)

// Staffordshire returns the demo dataset: Staffordshire County Council, the
// ICB, three NHS trusts with five hospitals, twelve care providers and a
// hundred homes over the county's eight districts, with figures timed
// relative to now. Output depends only on now.
func Staffordshire(now time.Time) Dataset {
	now = now.UTC().Truncate(time.Second)
	r := rand.New(rand.NewPCG(staffsSeed, staffsSeed))
	d := Dataset{
		Organisations: append(append([]domain.Organisation{}, staffsOrganisations...), staffsProviders...),
		Hospitals:     append([]HospitalSeed{}, staffsHospitals...),
	}
	names := r.Perm(len(homeNames))
	i := 0
	for _, dist := range staffsDistricts {
		for range dist.homes {
			d.Homes = append(d.Homes, staffsHome(r, i, dist, names, now))
			i++
		}
	}
	return d
}

func staffsHome(r *rand.Rand, i int, dist district, names []int, now time.Time) HomeSeed {
	t := dist.towns[r.IntN(len(dist.towns))]
	nursing := r.Float64() < 0.45
	beds := 20 + r.IntN(41) // residential: 20 to 60
	if nursing {
		beds = 35 + r.IntN(56) // nursing: 35 to 90
	}
	h := domain.Home{
		CQCLocationID:  cqcID(staffsSeed, i),
		ODSCode:        fmt.Sprintf("VS%03d", i+1),
		Name:           homeName(homeNames[names[i%len(names)]], i >= len(names), nursing, r),
		Address:        fmt.Sprintf("%d %s, %s", 1+r.IntN(180), streets[r.IntN(len(streets))], t.name),
		Postcode:       postcode(r, t.postcodes[r.IntN(len(t.postcodes))]),
		Phone:          fmt.Sprintf("01632 960%03d", i),
		Latitude:       round4(t.lat + (r.Float64()*2-1)*0.025), // about 3 km either way
		Longitude:      round4(t.lon + (r.Float64()*2-1)*0.04),
		LocalAuthority: "Staffordshire",
		District:       dist.name,
		ICB:            StaffordshireICB,
		RegisteredBeds: beds,
		Nursing:        nursing,
		Rating:         staffsRating(r, i),
		Specialisms:    specialisms(r),
		Status:         domain.Open,
		UpdatedAt:      now,
	}
	rated := now.AddDate(0, 0, -30-r.IntN(900)).Truncate(24 * time.Hour)
	h.RatingDate = &rated
	provider := staffsProviders[r.IntN(len(staffsProviders))].ODSCode
	switch {
	case i < 2:
		// The manager's homes show the usual case: older people and dementia.
		provider = ManagerProviderODS
		h.Specialisms = []string{bandOlder, bandDementia}
	case i == closedHome:
		h.Status, h.StatusReason = domain.Closed, domain.ClosureInfection
		h.StatusNote = "Norovirus outbreak: closed to admissions until 48 hours clear"
		h.StatusExpiresAt = ptr(now.Add(3 * 24 * time.Hour))
	case i == restrictedHome:
		h.Status, h.StatusReason = domain.Restricted, domain.ClosureStaffing
		h.StatusNote = "Nursing vacancies: long-term admissions only"
		h.StatusExpiresAt = ptr(now.Add(5 * 24 * time.Hour))
	}
	for _, s := range suspendedHomes {
		if i == s {
			h.Suspended = true
			h.SuspensionReason = "CQC rated Inadequate: new placements paused pending review"
			h.SuspendedAt = ptr(now.AddDate(0, 0, -20))
		}
	}
	observed := observedAt(r, now, i < 2)
	h.BedsObservedAt = &observed
	return HomeSeed{Home: h, ProviderODS: provider, Categories: staffsCategories(r, h, observed)}
}

// homeName builds a name from a base; a base used a second time gets the
// other style of name, so no two homes share one.
func homeName(base string, second, nursing bool, r *rand.Rand) string {
	kind := "Care Home"
	if nursing {
		kind = "Nursing Home"
	}
	plain := strings.HasPrefix(base, "The ") || strings.Contains(base, " ")
	switch {
	case !second && plain:
		return base
	case !second:
		return base + " " + homeSuffixes[r.IntN(len(homeSuffixes))]
	}
	return base + " " + kind
}

func staffsRating(r *rand.Rand, i int) domain.Rating {
	for _, x := range inadequateHomes {
		if i == x {
			return domain.Inadequate
		}
	}
	if i < 2 {
		return domain.Good
	}
	switch p := r.Float64(); {
	case p < 0.08:
		return domain.Outstanding
	case p < 0.78:
		return domain.Good
	case p < 0.97:
		return domain.RequiresImprovement
	}
	return domain.NotYetRated
}

func specialisms(r *rand.Rand) []string {
	if r.Float64() < 0.05 {
		return []string{bandLearning, bandYounger, bandPhysical}
	}
	out := []string{bandOlder}
	for _, b := range []struct {
		name string
		p    float64
	}{{bandDementia, 0.7}, {bandPhysical, 0.4}, {bandSensory, 0.2}, {bandMentalHealth, 0.15}, {bandYounger, 0.1}} {
		if r.Float64() < b.p {
			out = append(out, b.name)
		}
	}
	return out
}

// observedAt spreads the time of each home's last update: most fresh, some
// ageing, a few stale. Forced-fresh homes are the manager's, for the demo.
func observedAt(r *rand.Rand, now time.Time, fresh bool) time.Time {
	p := r.Float64()
	if fresh {
		p = 0
	}
	var age time.Duration
	switch {
	case p < 0.72:
		age = 10*time.Minute + time.Duration(r.Int64N(int64(22*time.Hour)))
	case p < 0.90:
		age = 26*time.Hour + time.Duration(r.Int64N(int64(44*time.Hour)))
	default:
		age = 4*24*time.Hour + time.Duration(r.Int64N(int64(17*24*time.Hour)))
	}
	return now.Add(-age).Truncate(time.Second)
}

func postcode(r *rand.Rand, outward string) string {
	return fmt.Sprintf("%s %d%c%c", outward, 1+r.IntN(9),
		postcodeLetters[r.IntN(len(postcodeLetters))], postcodeLetters[r.IntN(len(postcodeLetters))])
}

func round4(x float64) float64 { return math.Round(x*10000) / 10000 }

func ptr[T any](v T) *T { return &v }
