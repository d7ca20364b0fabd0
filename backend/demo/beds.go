package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

// groupsFor maps a home's CQC service user bands to the council's client groups.
func groupsFor(specialisms []string) []domain.ClientGroup {
	var out []domain.ClientGroup
	add := func(g domain.ClientGroup) {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	for _, s := range specialisms {
		switch s {
		case bandOlder:
			add(domain.OlderPeople)
		case bandDementia:
			add(domain.Dementia)
		case bandPhysical, bandSensory:
			add(domain.PhysicalDisability)
		case bandMentalHealth:
			add(domain.MentalHealth)
		case bandLearning:
			add(domain.LearningDisabilityAutism)
		}
	}
	return out
}

// staffsCategories splits a home's beds into one to four categories. A
// nursing home usually keeps some residential beds too.
func staffsCategories(r *rand.Rand, h domain.Home, observed time.Time) []domain.Category {
	types := []domain.CareType{domain.Residential}
	if h.Nursing {
		types = []domain.CareType{domain.Nursing}
		if r.Float64() < 0.7 {
			types = append(types, domain.Residential)
		}
	}
	var keys []domain.CategoryKey
	var weights []int
	for _, t := range types {
		for _, g := range groupsFor(h.Specialisms) {
			w := 1
			if g == domain.OlderPeople || g == domain.Dementia {
				w = 3 // most beds are for older people and dementia
			}
			if t == domain.Nursing {
				w *= 2
			}
			keys, weights = append(keys, domain.CategoryKey{CareType: t, ClientGroup: g}), append(weights, w)
		}
	}
	if len(keys) > 4 {
		keys, weights = keys[:4], weights[:4]
	}
	// A few rooms are out of use or doubles let as singles, so capacity may
	// fall a little short of the registered beds, never above.
	caps := split(h.RegisteredBeds-r.IntN(3), weights)
	out := make([]domain.Category, len(keys))
	for j, k := range keys {
		out[j] = staffsCategory(r, k, caps[j], observed)
	}
	return out
}

// split shares total among weights, each part at least 1, summing to total.
func split(total int, weights []int) []int {
	parts := make([]int, len(weights))
	sum := 0
	for _, w := range weights {
		sum += w
	}
	rest := total - len(weights)
	given := 0
	for j, w := range weights {
		parts[j] = 1 + rest*w/sum
		given += parts[j]
	}
	parts[0] += total - given
	return parts
}

func staffsCategory(r *rand.Rand, k domain.CategoryKey, capacity int, observed time.Time) domain.Category {
	c := domain.Category{CategoryKey: k, ObservedAt: observed, ReceivedAt: observed}
	c.Capacity = capacity
	// Each bed is drawn on its own so the county totals come near the national
	// split: 86% occupied, about 10% admittable, the rest held or out of use.
	for range capacity {
		switch p := r.Float64(); {
		case p < 0.86:
			c.Occupied++
		case p < 0.88:
			c.Reserved++
		case p < 0.975:
			c.Available++
		default:
			c.Unavailable++
		}
	}
	if c.Unavailable > 0 {
		reasons := []domain.UnavailableReason{domain.ReasonStaffing, domain.ReasonMaintenance,
			domain.ReasonInfectionControl, domain.ReasonOther}
		c.UnavailableReason = reasons[r.IntN(len(reasons))]
	}
	c.StayTypes = []domain.StayType{domain.LongTerm}
	if r.Float64() < 0.45 {
		c.StayTypes = append(c.StayTypes, domain.Respite)
	}
	d2a := 0.2
	if k.CareType == domain.Nursing {
		d2a = 0.4
	}
	if r.Float64() < d2a {
		c.StayTypes = append(c.StayTypes, domain.DischargeToAssess)
	}
	if r.Float64() < 0.08 {
		c.StayTypes = append(c.StayTypes, domain.IntermediateCare)
	}
	switch p := r.Float64(); {
	case p < 0.06:
		c.Allocation, c.BlockBookedBy = domain.BlockBooked, CommissionerOrganisation
	case p < 0.95:
		c.Allocation = domain.Spot
	}
	if r.Float64() < 0.75 {
		fee := 850 + 5*r.IntN(61) // £850 to £1,150
		if k.CareType == domain.Nursing {
			fee = 1050 + 5*r.IntN(71) // £1,050 to £1,400
		}
		c.WeeklyFeeFrom = &fee
	}
	if r.Float64() < 0.85 {
		accepted := r.Float64() < 0.65
		c.GuideRateAccepted, c.TopUpRequired = &accepted, ptr(!accepted)
	}
	switch p := r.Float64(); {
	case p < 0.30:
		c.AdmitWithin = domain.SameDay
	case p < 0.65:
		c.AdmitWithin = domain.NextDay
	case p < 0.85:
		c.AdmitWithin = domain.Later
	}
	if c.Occupied > 0 && r.Float64() < 0.12 {
		c.FreeWithin24h = ptr(r.IntN(2))
		c.FreeWithin72h = ptr(min(c.Occupied, *c.FreeWithin24h+r.IntN(2)))
	}
	if c.Available > 0 && r.Float64() < 0.15 {
		c.Note = "Ground-floor room with en-suite"
	}
	return c
}
