// Package demo generates deterministic demonstration and benchmark data as
// domain values: a Staffordshire dataset for demos and a national-scale one for
// load tests. It touches no database; storage loads what it returns.
package demo

import (
	"strconv"

	"github.com/bedstate/bedstate/backend/domain"
)

// Dataset is a set of organisations, hospitals and homes that refer to each
// other by ODS code, because database IDs do not exist until storage loads them.
type Dataset struct {
	Organisations []domain.Organisation // IDs left 0; refer by ODS code
	Hospitals     []HospitalSeed
	Homes         []HomeSeed
}

// HospitalSeed is a hospital and the ODS code of the NHS trust that runs it.
type HospitalSeed struct {
	domain.Hospital
	TrustODS string
}

// HomeSeed is a home, the ODS code of its provider and its bed categories.
type HomeSeed struct {
	Home        domain.Home
	ProviderODS string
	Categories  []domain.Category
}

// Demo users' anchors in the Staffordshire dataset, for seeding accounts.
const (
	// CoordinatorHospital is the hospital the demo discharge coordinator works at.
	CoordinatorHospital = "Royal Stoke University Hospital"
	// CoordinatorTrustODS is the trust of the demo discharge coordinator.
	CoordinatorTrustODS = "RJE"
	// CommissionerOrganisation is the council the demo commissioner works for.
	CommissionerOrganisation = "Staffordshire County Council"
	// ManagerProviderODS is the provider that runs the demo manager's homes.
	ManagerProviderODS = "AB1"
	// StaffordshireICB is the ODS code of the Staffordshire and Stoke-on-Trent ICB.
	StaffordshireICB = "QNC"
)

// ManagerHomes returns the CQC location IDs of the two Staffordshire homes the
// demo manager manages. Both are open, not suspended and run by ManagerProviderODS.
func ManagerHomes() []string {
	return []string{cqcID(staffsSeed, 0), cqcID(staffsSeed, 1)}
}

// mix is SplitMix64's finaliser: a cheap, well-spread hash of an index, so
// identifiers are fixed by position and never depend on the order of random draws.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// cqcStep is a prime, so it shares no factor with 9e9 and i*cqcStep walks the
// whole ten-digit range without repeating: IDs are unique by construction.
const cqcStep = 4_294_967_311

// appendCQCID appends home i's CQC location ID, "1-" and ten digits.
func appendCQCID(b []byte, seed uint64, i int) []byte {
	const span = 9_000_000_000
	n := (mix(seed)%span + uint64(i)*cqcStep%span) % span
	return strconv.AppendUint(append(b, "1-"...), 1_000_000_000+n, 10)
}

func cqcID(seed uint64, i int) string { return string(appendCQCID(nil, seed, i)) }

// postcodeLetters are the letters used in the inward part of a postcode
// (C, I, K, M, O and V are never used there).
const postcodeLetters = "ABDEFGHJLNPQRSTUWXYZ"
