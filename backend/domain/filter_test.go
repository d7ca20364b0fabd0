package domain

import (
	"testing"
	"time"
)

func f64(x float64) *float64 { return &x }
func boolp(b bool) *bool     { return &b }

// royalStoke is the point coordinators search from in these tests.
var royalStoke = struct{ lat, lon float64 }{53.0027, -2.2137}

func TestFilter_Validate(t *testing.T) {
	tests := []struct {
		name string
		in   Filter
		want string // field in error, "" for valid
	}{
		{"empty", Filter{}, ""},
		{"full", Filter{
			CareTypes: []CareType{Nursing}, ClientGroups: []ClientGroup{Dementia}, StayType: DischargeToAssess,
			Latitude: f64(royalStoke.lat), Longitude: f64(royalStoke.lon), RadiusKm: 25,
			MinRating: Good, AdmitWithin: NextDay, MinFreshness: Stale,
		}, ""},
		{"bad care type", Filter{CareTypes: []CareType{"hospice"}}, "care_type"},
		{"bad client group", Filter{ClientGroups: []ClientGroup{"children"}}, "client_group"},
		{"bad stay type", Filter{StayType: "holiday"}, "stay_type"},
		{"latitude alone", Filter{Latitude: f64(53)}, "latitude"},
		{"longitude alone", Filter{Longitude: f64(-2)}, "latitude"},
		{"point outside England", Filter{Latitude: f64(-2.2), Longitude: f64(53)}, "latitude"},
		{"negative radius", Filter{Latitude: f64(53), Longitude: f64(-2), RadiusKm: -1}, "radius_km"},
		{"radius too big", Filter{Latitude: f64(53), Longitude: f64(-2), RadiusKm: 501}, "radius_km"},
		{"radius without point", Filter{RadiusKm: 10}, "radius_km"},
		{"not yet rated is no minimum", Filter{MinRating: NotYetRated}, "min_rating"},
		{"unknown rating", Filter{MinRating: "Good"}, "min_rating"},
		{"bad admit within", Filter{AdmitWithin: "soon"}, "admit_within"},
		{"bad freshness", Filter{MinFreshness: "mouldy"}, "freshness"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			checkField(t, err, tt.want)
		})
	}
}

func TestFilter_MatchHome(t *testing.T) {
	near := func(h *Home) { h.Latitude, h.Longitude = 52.8266, -2.1198 } // County Hospital, 20.6 km away
	tests := []struct {
		name   string
		filter Filter
		home   func(h *Home)
		want   bool
	}{
		{"empty filter matches open home", Filter{}, func(h *Home) {}, true},
		{"empty status is open", Filter{}, func(h *Home) { h.Status = "" }, true},
		{"suspended excluded", Filter{}, func(h *Home) { h.Suspended = true }, false},
		{"suspended included on request", Filter{IncludeSuspended: true}, func(h *Home) { h.Suspended = true }, true},
		{"closed excluded", Filter{}, func(h *Home) { h.Status = Closed; h.StatusExpiresAt = at(time.Hour) }, false},
		{"closed included on request", Filter{IncludeClosed: true}, func(h *Home) { h.Status = Closed; h.StatusExpiresAt = at(time.Hour) }, true},
		{"expired closure is open", Filter{}, func(h *Home) { h.Status = Closed; h.StatusExpiresAt = at(-time.Hour) }, true},
		{"restricted is not closed", Filter{}, func(h *Home) { h.Status = Restricted; h.StatusExpiresAt = at(time.Hour) }, true},
		{"local authority matches", Filter{LocalAuthorities: []string{"Stoke-on-Trent", "Staffordshire"}}, func(h *Home) {}, true},
		{"local authority differs", Filter{LocalAuthorities: []string{"Stoke-on-Trent"}}, func(h *Home) {}, false},
		{"district matches", Filter{Districts: []string{"Stafford"}}, func(h *Home) {}, true},
		{"district differs", Filter{Districts: []string{"Tamworth"}}, func(h *Home) {}, false},
		{"min rating met", Filter{MinRating: Good}, func(h *Home) { h.Rating = Outstanding }, true},
		{"min rating equal", Filter{MinRating: Good}, func(h *Home) { h.Rating = Good }, true},
		{"min rating missed", Filter{MinRating: Good}, func(h *Home) { h.Rating = RequiresImprovement }, false},
		{"unrated misses any minimum", Filter{MinRating: Inadequate}, func(h *Home) { h.Rating = NotYetRated }, false},
		{"within radius", Filter{Latitude: f64(royalStoke.lat), Longitude: f64(royalStoke.lon), RadiusKm: 21}, near, true},
		{"outside radius", Filter{Latitude: f64(royalStoke.lat), Longitude: f64(royalStoke.lon), RadiusKm: 20}, near, false},
		{"point without radius does not limit", Filter{Latitude: f64(royalStoke.lat), Longitude: f64(royalStoke.lon)}, near, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := validHome()
			tt.home(&h)
			if got := tt.filter.MatchHome(&h, now); got != tt.want {
				t.Errorf("MatchHome = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilter_MatchCategory(t *testing.T) {
	tests := []struct {
		name   string
		filter Filter
		cat    func(c *Category)
		want   bool
	}{
		{"empty filter matches available fresh bed", Filter{}, func(c *Category) {}, true},
		{"no available bed", Filter{}, func(c *Category) { c.Occupied += c.Available; c.Available = 0 }, false},
		{"care type matches", Filter{CareTypes: []CareType{Residential, Nursing}}, func(c *Category) {}, true},
		{"care type differs", Filter{CareTypes: []CareType{Nursing}}, func(c *Category) {}, false},
		{"client group matches", Filter{ClientGroups: []ClientGroup{OlderPeople}}, func(c *Category) {}, true},
		{"client group differs", Filter{ClientGroups: []ClientGroup{Dementia}}, func(c *Category) {}, false},
		{"stay type listed", Filter{StayType: DischargeToAssess}, func(c *Category) { c.StayTypes = []StayType{LongTerm, DischargeToAssess} }, true},
		{"stay type not listed", Filter{StayType: Respite}, func(c *Category) { c.StayTypes = []StayType{LongTerm, DischargeToAssess} }, false},
		{"no stay types means long term", Filter{StayType: LongTerm}, func(c *Category) {}, true},
		{"no stay types is not d2a", Filter{StayType: DischargeToAssess}, func(c *Category) {}, false},
		{"guide rate accepted", Filter{GuideRateOnly: true}, func(c *Category) { c.GuideRateAccepted = boolp(true) }, true},
		{"guide rate refused", Filter{GuideRateOnly: true}, func(c *Category) { c.GuideRateAccepted = boolp(false) }, false},
		{"guide rate unknown", Filter{GuideRateOnly: true}, func(c *Category) {}, false},
		{"admit same day for next day need", Filter{AdmitWithin: NextDay}, func(c *Category) { c.AdmitWithin = SameDay }, true},
		{"admit later for next day need", Filter{AdmitWithin: NextDay}, func(c *Category) { c.AdmitWithin = Later }, false},
		{"admit unknown for any need", Filter{AdmitWithin: Later}, func(c *Category) {}, false},
		{"ageing shown by default", Filter{}, func(c *Category) { c.ObservedAt = now.Add(-48 * time.Hour) }, true},
		{"stale excluded by default", Filter{}, func(c *Category) { c.ObservedAt = now.Add(-73 * time.Hour) }, false},
		{"stale shown on request", Filter{MinFreshness: Stale}, func(c *Category) { c.ObservedAt = now.Add(-73 * time.Hour) }, true},
		{"never observed shown on request", Filter{MinFreshness: Stale}, func(c *Category) { c.ObservedAt = time.Time{} }, true},
		{"fresh only excludes ageing", Filter{MinFreshness: Fresh}, func(c *Category) { c.ObservedAt = now.Add(-25 * time.Hour) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCategory()
			c.ObservedAt = now.Add(-time.Hour)
			tt.cat(&c)
			if got := tt.filter.MatchCategory(&c, DefaultThresholds, now); got != tt.want {
				t.Errorf("MatchCategory = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilter_Distance(t *testing.T) {
	if _, ok := (Filter{}).Distance(53, -2); ok {
		t.Error("a filter without a point has no distance")
	}
	f := Filter{Latitude: f64(royalStoke.lat), Longitude: f64(royalStoke.lon)}
	if d, ok := f.Distance(royalStoke.lat, royalStoke.lon); !ok || d != 0 {
		t.Errorf("Distance = %v, %v; want 0, true", d, ok)
	}
}
