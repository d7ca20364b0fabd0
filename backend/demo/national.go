package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

// National sizes: England has about 150 local authorities with social care
// duties and 42 ICBs.
const (
	nationalLAs  = 150
	nationalICBs = 42
)

// groupShare is each client group's share of a home's beds, in percent, in
// the order of domain.ClientGroups.
var groupShare = [5]int{45, 35, 5, 7, 8}

// Shared, read-only slices; their capacity equals their length so an append
// by a caller copies rather than writes into a neighbour's.
var (
	nationalSpecialisms = [][]string{
		{bandOlder, bandDementia},
		{bandOlder},
		{bandOlder, bandDementia, bandPhysical},
		{bandOlder, bandMentalHealth},
		{bandLearning, bandYounger},
	}
	nationalStays = [][]domain.StayType{
		{domain.LongTerm},
		{domain.LongTerm, domain.Respite},
		{domain.LongTerm, domain.Respite, domain.DischargeToAssess},
		{domain.LongTerm, domain.DischargeToAssess},
	}
	admitWithins = []domain.AdmitWithin{domain.SameDay, domain.NextDay, domain.Later, ""}
)

type place struct {
	name     string
	icb      string
	lat, lon float64
}

// National returns n homes spread over England, each with all ten categories
// (every care type by client group), for benchmarks and load tests. Most
// categories have nothing available and about one in ten has one to three
// beds. The same n, seed and now give the same data. Homes share some
// read-only slices (specialisms, stay types): copy before changing them.
func National(n int, seed uint64, now time.Time) Dataset {
	now = now.UTC().Truncate(time.Second)
	r := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	las, orgs, hospitals := nationalAreas(r)
	providers := make([]string, max(1, n/10))
	for p := range providers {
		providers[p] = fmt.Sprintf("N%05d", p) // made up: "N" and five digits
		orgs = append(orgs, domain.Organisation{Kind: domain.OrgCareProvider,
			Name: fmt.Sprintf("Care Provider %05d", p+1), ODSCode: providers[p]})
	}

	names := make([]string, 0, len(homeNames)*len(homeSuffixes))
	for _, suffix := range homeSuffixes {
		for _, base := range homeNames {
			names = append(names, base+" "+suffix)
		}
	}

	// One allocation each for the homes, categories, optional fields and text,
	// so 15,000 homes cost a handful of allocations rather than a million.
	homes := make([]HomeSeed, n)
	cats := make([]domain.Category, n*10)
	fees := make([]int, n*10)
	flags := make([]bool, n*20)
	times := make([]time.Time, n*2)
	var buf []byte
	ends := make([]int, 0, n*3)
	for i := range n {
		la := &las[r.IntN(len(las))]
		nursing := r.Float64() < 0.5
		h := &homes[i].Home
		h.LocalAuthority, h.ICB = la.name, la.icb
		h.Latitude = clamp(round4(la.lat+(r.Float64()*2-1)*0.15), 49.9, 55.8)
		h.Longitude = clamp(round4(la.lon+(r.Float64()*2-1)*0.2), -5.7, 1.75)
		h.Name = names[i%len(names)]
		h.Nursing = nursing
		h.RegisteredBeds = 20 + r.IntN(71)
		h.Rating = nationalRating(r)
		h.Specialisms = nationalSpecialisms[r.IntN(len(nationalSpecialisms))]
		h.Status = domain.Open
		h.UpdatedAt = now
		if h.Rating == domain.Inadequate && r.Float64() < 0.6 {
			h.Suspended, h.SuspensionReason = true, "CQC rated Inadequate"
		}
		if r.Float64() < 0.005 {
			times[2*i+1] = now.Add(time.Duration(1+r.IntN(10)) * 24 * time.Hour)
			h.Status, h.StatusReason, h.StatusExpiresAt = domain.Closed, domain.ClosureInfection, &times[2*i+1]
		}
		times[2*i] = observedAt(r, now, false)
		h.BedsObservedAt = &times[2*i]
		homes[i].ProviderODS = providers[r.IntN(len(providers))]

		buf = appendCQCID(buf, seed, i)
		ends = append(ends, len(buf))
		buf = strconv.AppendInt(buf, int64(1+r.IntN(200)), 10)
		buf = append(buf, ' ')
		buf = append(buf, streets[r.IntN(len(streets))]...)
		ends = append(ends, len(buf))
		buf = append(buf, postcodeLetters[r.IntN(20)], postcodeLetters[r.IntN(20)])
		buf = strconv.AppendInt(buf, int64(1+r.IntN(30)), 10)
		buf = append(buf, ' ', byte('1'+r.IntN(9)), postcodeLetters[r.IntN(20)], postcodeLetters[r.IntN(20)])
		ends = append(ends, len(buf))

		c := cats[i*10 : i*10+10 : i*10+10]
		nationalCategories(r, c, *h, fees[i*10:i*10+10], flags[i*20:i*20+20])
		homes[i].Categories = c
	}
	text := string(buf)
	for i := range homes {
		e := ends[i*3 : i*3+3]
		start := 0
		if i > 0 {
			start = ends[i*3-1]
		}
		h := &homes[i].Home
		h.CQCLocationID = text[start:e[0]]
		h.Address = text[e[0]:e[1]]
		h.Postcode = text[e[1]:e[2]]
	}
	return Dataset{Organisations: orgs, Hospitals: hospitals, Homes: homes}
}

// nationalAreas places the local authorities over England, groups them into
// ICBs by latitude, and gives each ICB one trust with one hospital.
func nationalAreas(r *rand.Rand) ([]place, []domain.Organisation, []HospitalSeed) {
	las := make([]place, nationalLAs)
	for j := range las {
		lat := 50.6 + r.Float64()*4.1
		// England narrows northwards: keep points roughly on land.
		west, east := -3.5, 1.4
		if lat > 53.5 {
			west, east = -3.1, -0.3
		} else if lat > 52 {
			west, east = -3.0, 1.3
		}
		las[j] = place{lat: lat, lon: west + r.Float64()*(east-west)}
	}
	slices.SortFunc(las, func(a, b place) int {
		switch {
		case a.lat < b.lat:
			return -1
		case a.lat > b.lat:
			return 1
		}
		return 0
	})
	orgs := make([]domain.Organisation, 0, nationalLAs+2*nationalICBs)
	hospitals := make([]HospitalSeed, 0, nationalICBs)
	for j := range las {
		k := j * nationalICBs / nationalLAs
		las[j].name = fmt.Sprintf("Local Authority %03d", j+1)
		las[j].icb = "Q" + letters2(k)
		orgs = append(orgs, domain.Organisation{Kind: domain.OrgLocalAuthority, Name: las[j].name, LocalAuthority: las[j].name})
		if j == 0 || k != (j-1)*nationalICBs/nationalLAs {
			trust := "R" + letters2(k)
			orgs = append(orgs,
				domain.Organisation{Kind: domain.OrgICB, Name: fmt.Sprintf("Integrated Care Board %02d", k+1), ODSCode: las[j].icb},
				domain.Organisation{Kind: domain.OrgNHSTrust, Name: fmt.Sprintf("NHS Trust %02d", k+1), ODSCode: trust})
			hospitals = append(hospitals, HospitalSeed{domain.Hospital{Name: fmt.Sprintf("General Hospital %02d", k+1),
				Latitude: round4(las[j].lat), Longitude: round4(las[j].lon)}, trust})
		}
	}
	return las, orgs, hospitals
}

// nationalCategories fills c with every care type by client group. A
// residential home's nursing categories have no beds.
func nationalCategories(r *rand.Rand, c []domain.Category, h domain.Home, fees []int, flags []bool) {
	beds := h.RegisteredBeds - r.IntN(3)
	observed := *h.BedsObservedAt
	stays := nationalStays[r.IntN(len(nationalStays))]
	given := 0
	for t, ct := range domain.CareTypes {
		share := 100 // percent of the home's beds in this care type
		switch {
		case h.Nursing:
			share = 40 + 20*t // 40% residential, 60% nursing
		case ct == domain.Nursing:
			share = 0
		}
		for g, cg := range domain.ClientGroups {
			j := t*5 + g
			x := &c[j]
			x.CategoryKey = domain.CategoryKey{CareType: ct, ClientGroup: cg}
			x.Capacity = beds * share * groupShare[g] / 10000
			given += x.Capacity
			x.ObservedAt, x.ReceivedAt = observed, observed
			x.StayTypes = stays
			x.Allocation = domain.Spot
			x.AdmitWithin = admitWithins[r.IntN(len(admitWithins))]
			fees[j] = 850 + 5*r.IntN(61) + 200*t
			x.WeeklyFeeFrom = &fees[j]
			flags[2*j] = r.Float64() < 0.65
			flags[2*j+1] = !flags[2*j]
			x.GuideRateAccepted, x.TopUpRequired = &flags[2*j], &flags[2*j+1]
		}
	}
	// Rounding leaves a few beds over; they go to the largest category.
	first := 0
	if h.Nursing {
		first = 5
	}
	c[first].Capacity += beds - given
	for j := range c {
		x := &c[j]
		free := x.Capacity
		if free > 0 && r.Float64() < 0.12 {
			x.Available = min(free, 1+r.IntN(3))
			free -= x.Available
		}
		if free > 0 && r.Float64() < 0.05 {
			x.Reserved = 1
			free--
		}
		if free > 0 && r.Float64() < 0.04 {
			x.Unavailable, x.UnavailableReason = 1, domain.ReasonStaffing
			free--
		}
		x.Occupied = free
	}
}

func nationalRating(r *rand.Rand) domain.Rating {
	switch p := r.Float64(); {
	case p < 0.05:
		return domain.Outstanding
	case p < 0.75:
		return domain.Good
	case p < 0.95:
		return domain.RequiresImprovement
	case p < 0.97:
		return domain.Inadequate
	}
	return domain.NotYetRated
}

func letters2(k int) string { return string([]byte{byte('A' + k/26%26), byte('A' + k%26)}) }

func clamp(x, lo, hi float64) float64 { return max(lo, min(hi, x)) }
