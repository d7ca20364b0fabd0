package domain

import "time"

// Filter selects vacancies: it serves the vacancy search and, later, alert
// subscriptions, so both agree on what "matching" means.
type Filter struct {
	CareTypes        []CareType    `json:"care_types,omitempty"`
	ClientGroups     []ClientGroup `json:"client_groups,omitempty"`
	StayType         StayType      `json:"stay_type,omitempty"`
	LocalAuthorities []string      `json:"local_authorities,omitempty"`
	Districts        []string      `json:"districts,omitempty"`
	HospitalID       *int64        `json:"hospital_id,omitempty"` // resolved by the caller into Latitude and Longitude
	Latitude         *float64      `json:"latitude,omitempty"`
	Longitude        *float64      `json:"longitude,omitempty"`
	RadiusKm         float64       `json:"radius_km,omitempty"`
	MinRating        Rating        `json:"min_rating,omitempty"`
	GuideRateOnly    bool          `json:"guide_rate_only,omitempty"`
	AdmitWithin      AdmitWithin   `json:"admit_within,omitempty"`
	// MinFreshness is the stalest band shown; empty means ageing, so stale
	// figures are left out unless asked for.
	MinFreshness     Freshness `json:"min_freshness,omitempty"`
	IncludeClosed    bool      `json:"include_closed,omitempty"`
	IncludeSuspended bool      `json:"include_suspended,omitempty"`
}

// Validate checks a filter's values.
func (f Filter) Validate() error {
	v := &ValidationError{}
	for _, t := range f.CareTypes {
		if !t.Valid() {
			v.Add("care_type", "must be residential or nursing")
		}
	}
	for _, g := range f.ClientGroups {
		if !g.Valid() {
			v.Add("client_group", "unknown client group")
		}
	}
	if f.StayType != "" && !f.StayType.Valid() {
		v.Add("stay_type", "unknown stay type")
	}
	if (f.Latitude == nil) != (f.Longitude == nil) {
		v.Add("latitude", "latitude and longitude go together")
	}
	if f.Latitude != nil && f.Longitude != nil && !ValidCoordinates(*f.Latitude, *f.Longitude) {
		v.Add("latitude", "must be a point in England")
	}
	if f.RadiusKm < 0 || f.RadiusKm > 500 {
		v.Add("radius_km", "must be between 0 and 500")
	}
	if f.RadiusKm > 0 && f.Latitude == nil {
		v.Add("radius_km", "needs a point: latitude and longitude, or a hospital")
	}
	if f.MinRating != "" && f.MinRating.Rank() == 0 {
		v.Add("min_rating", "must be outstanding, good, requires_improvement or inadequate")
	}
	if f.AdmitWithin != "" && !f.AdmitWithin.Valid() {
		v.Add("admit_within", "must be same_day, next_day or later")
	}
	if f.MinFreshness != "" && !f.MinFreshness.Valid() {
		v.Add("freshness", "must be fresh, ageing or stale")
	}
	return v.Err()
}

// Distance gives the distance from the filter's point to (lat, lon), and
// whether the filter has a point at all.
func (f Filter) Distance(lat, lon float64) (float64, bool) {
	if f.Latitude == nil || f.Longitude == nil {
		return 0, false
	}
	return DistanceKm(*f.Latitude, *f.Longitude, lat, lon), true
}

// MatchHome reports whether a home passes the filter's home-level tests
// (area, distance, rating, status, suspension) at time now.
func (f Filter) MatchHome(h *Home, now time.Time) bool {
	if h.Suspended && !f.IncludeSuspended {
		return false
	}
	if !f.IncludeClosed && EffectiveStatus(h.Status, h.StatusExpiresAt, now) == Closed {
		return false
	}
	if len(f.LocalAuthorities) > 0 && !contains(f.LocalAuthorities, h.LocalAuthority) {
		return false
	}
	if len(f.Districts) > 0 && !contains(f.Districts, h.District) {
		return false
	}
	if f.MinRating != "" && h.Rating.Rank() < f.MinRating.Rank() {
		return false
	}
	if f.RadiusKm > 0 {
		if d, ok := f.Distance(h.Latitude, h.Longitude); ok && d > f.RadiusKm {
			return false
		}
	}
	return true
}

// MatchCategory reports whether one category of a home has an admissible bed
// that passes the filter, with freshness judged by th at time now.
func (f Filter) MatchCategory(c *Category, th Thresholds, now time.Time) bool {
	if c.Available < 1 {
		return false
	}
	if len(f.CareTypes) > 0 && !contains(f.CareTypes, c.CareType) {
		return false
	}
	if len(f.ClientGroups) > 0 && !contains(f.ClientGroups, c.ClientGroup) {
		return false
	}
	if f.StayType != "" && len(c.StayTypes) > 0 && !contains(c.StayTypes, f.StayType) {
		return false
	}
	if f.StayType != "" && len(c.StayTypes) == 0 && f.StayType != LongTerm {
		return false // a category that names no stay types takes long-term stays only
	}
	if f.GuideRateOnly && (c.GuideRateAccepted == nil || !*c.GuideRateAccepted) {
		return false
	}
	if f.AdmitWithin != "" && !c.AdmitWithin.Within(f.AdmitWithin) {
		return false
	}
	min := f.MinFreshness
	if min == "" {
		min = Ageing
	}
	return th.Band(c.ObservedAt, now).AtLeast(min)
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}
