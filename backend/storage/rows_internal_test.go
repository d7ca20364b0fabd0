package storage

import (
	"testing"

	"github.com/bedstate/bedstate/backend/domain"
)

func TestCategoryRow_DomainSharesRepeatedValues(t *testing.T) {
	n, big, yes, no := 7, 100000, true, false
	row := func() categoryRow {
		n2, big2, yes2, no2 := n, big, yes, no // the driver allocates each row's own
		return categoryRow{CareType: "nursing", ClientGroup: "dementia", UnavailableReason: "staffing",
			StayTypes: "long_term|respite", Allocation: "spot", AdmitWithin: "same_day",
			FreeWithin24h: &n2, FreeWithin72h: nil, WeeklyFeeFrom: &big2, GuideRateAccepted: &yes2, TopUpRequired: &no2}
	}
	a, b := row().domain(), row().domain()
	tests := []struct {
		name string
		ok   bool
	}{
		{"values as read", a.CareType == domain.Nursing && a.ClientGroup == domain.Dementia && a.UnavailableReason == domain.ReasonStaffing &&
			a.Allocation == domain.Spot && a.AdmitWithin == domain.SameDay && *a.FreeWithin24h == 7 && a.FreeWithin72h == nil &&
			*a.WeeklyFeeFrom == big && *a.GuideRateAccepted && !*a.TopUpRequired &&
			len(a.StayTypes) == 2 && a.StayTypes[0] == domain.LongTerm && a.StayTypes[1] == domain.Respite},
		{"small ints shared", a.FreeWithin24h == b.FreeWithin24h},
		{"large ints kept", a.WeeklyFeeFrom != b.WeeklyFeeFrom},
		{"bools shared", a.GuideRateAccepted == b.GuideRateAccepted && a.TopUpRequired == b.TopUpRequired},
		{"stay lists shared", &a.StayTypes[0] == &b.StayTypes[0]},
		{"stay lists have no room to append into", cap(a.StayTypes) == len(a.StayTypes)},
		{"no stay types is nil", categoryRow{}.domain().StayTypes == nil},
		{"unknown enums kept", categoryRow{CareType: "spa"}.domain().CareType == "spa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Fatalf("%+v", a)
			}
		})
	}
}
