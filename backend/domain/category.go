// Package domain holds Bedstate's rules as plain Go: bed categories, the
// four-way bed count, freshness, admissions status, suspension, ratings and
// vacancy filters. It imports nothing of fiber, gorm or the rest of Bedstate.
package domain

import "fmt"

// CareType says whether a bed is in a residential or a nursing home service.
type CareType string

// Care types, as the CQC registers them.
const (
	Residential CareType = "residential"
	Nursing     CareType = "nursing"
)

// CareTypes lists every care type in display order.
var CareTypes = []CareType{Residential, Nursing}

// Valid reports whether t is a known care type.
func (t CareType) Valid() bool { return t == Residential || t == Nursing }

// ClientGroup is the need a bed serves: the council's "lot".
type ClientGroup string

// Client groups used by councils' dynamic purchasing systems.
const (
	OlderPeople              ClientGroup = "older_people"
	Dementia                 ClientGroup = "dementia"
	LearningDisabilityAutism ClientGroup = "learning_disability_autism"
	MentalHealth             ClientGroup = "mental_health"
	PhysicalDisability       ClientGroup = "physical_disability_sensory"
)

// ClientGroups lists every client group in display order.
var ClientGroups = []ClientGroup{OlderPeople, Dementia, LearningDisabilityAutism, MentalHealth, PhysicalDisability}

// Valid reports whether g is a known client group.
func (g ClientGroup) Valid() bool {
	for _, x := range ClientGroups {
		if g == x {
			return true
		}
	}
	return false
}

// CategoryKey names one bed category of a home: care type by client group.
type CategoryKey struct {
	CareType    CareType    `json:"care_type"`
	ClientGroup ClientGroup `json:"client_group"`
}

// String gives the key as "care_type/client_group", as used in topics and logs.
func (k CategoryKey) String() string { return fmt.Sprintf("%s/%s", k.CareType, k.ClientGroup) }

// StayType says what length of stay a category takes.
type StayType string

// Stay types. Short-term stays are split by purpose because discharge to
// assess needs a bed the same or next day.
const (
	LongTerm          StayType = "long_term"
	Respite           StayType = "respite"
	DischargeToAssess StayType = "discharge_to_assess"
	IntermediateCare  StayType = "intermediate_care"
)

// StayTypes lists every stay type.
var StayTypes = []StayType{LongTerm, Respite, DischargeToAssess, IntermediateCare}

// Valid reports whether s is a known stay type.
func (s StayType) Valid() bool {
	for _, x := range StayTypes {
		if s == x {
			return true
		}
	}
	return false
}

// Allocation says whether beds are bought spot or block-booked by one commissioner.
type Allocation string

// Allocations.
const (
	Spot        Allocation = "spot"
	BlockBooked Allocation = "block_booked"
)

// Valid reports whether a is a known allocation.
func (a Allocation) Valid() bool { return a == Spot || a == BlockBooked }

// UnavailableReason says why vacant beds cannot admit.
type UnavailableReason string

// Reasons a vacant bed is not admissible.
const (
	ReasonInfectionControl UnavailableReason = "infection_control"
	ReasonStaffing         UnavailableReason = "staffing"
	ReasonMaintenance      UnavailableReason = "maintenance"
	ReasonRegulatory       UnavailableReason = "regulatory"
	ReasonOther            UnavailableReason = "other"
)

// Valid reports whether r is a known reason.
func (r UnavailableReason) Valid() bool {
	switch r {
	case ReasonInfectionControl, ReasonStaffing, ReasonMaintenance, ReasonRegulatory, ReasonOther:
		return true
	}
	return false
}

// AdmitWithin says how soon a home can admit into a category.
type AdmitWithin string

// How soon a home can admit, in increasing delay.
const (
	SameDay AdmitWithin = "same_day"
	NextDay AdmitWithin = "next_day"
	Later   AdmitWithin = "later"
)

// Valid reports whether a is a known admission delay.
func (a AdmitWithin) Valid() bool { return a.rank() > 0 }

func (a AdmitWithin) rank() int {
	switch a {
	case SameDay:
		return 1
	case NextDay:
		return 2
	case Later:
		return 3
	}
	return 0
}

// Within reports whether a home admitting with delay a meets a need of at most max.
// An unknown delay never meets a need, so a home that has not said is not offered
// for a same-day discharge.
func (a AdmitWithin) Within(max AdmitWithin) bool {
	return a.rank() > 0 && a.rank() <= max.rank()
}
