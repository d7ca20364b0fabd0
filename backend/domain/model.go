package domain

import "time"

// Organisation is a care provider, NHS trust, ICB or local authority.
type Organisation struct {
	ID             int64   `json:"id"`
	Kind           OrgKind `json:"kind"`
	Name           string  `json:"name"`
	ODSCode        string  `json:"ods_code,omitempty"`
	LocalAuthority string  `json:"local_authority,omitempty"` // the area a local authority commissions
}

// Area is the commissioning area of the organisation.
func (o Organisation) Area() Area {
	switch o.Kind {
	case OrgLocalAuthority:
		return Area{LocalAuthority: o.LocalAuthority}
	case OrgICB:
		return Area{ICB: o.ODSCode}
	}
	return Area{}
}

// Hospital is a hospital site of an NHS trust, a point coordinators search from.
type Hospital struct {
	ID             int64   `json:"id"`
	OrganisationID int64   `json:"organisation_id"`
	Name           string  `json:"name"`
	ODSSiteCode    string  `json:"ods_site_code,omitempty"`
	Latitude       float64 `json:"latitude"`
	Longitude      float64 `json:"longitude"`
}

// Home is one care home: one CQC location.
type Home struct {
	ID               int64           `json:"id"`
	CQCLocationID    string          `json:"cqc_location_id"`
	ODSCode          string          `json:"ods_code,omitempty"`
	Name             string          `json:"name"`
	Address          string          `json:"address"`
	Postcode         string          `json:"postcode"`
	Phone            string          `json:"phone,omitempty"`
	Latitude         float64         `json:"latitude"`
	Longitude        float64         `json:"longitude"`
	LocalAuthority   string          `json:"local_authority"`
	District         string          `json:"district,omitempty"`
	ICB              string          `json:"icb,omitempty"`
	ProviderID       *int64          `json:"provider_id,omitempty"`
	RegisteredBeds   int             `json:"registered_beds"`
	Nursing          bool            `json:"nursing"`
	Rating           Rating          `json:"cqc_rating"`
	RatingDate       *time.Time      `json:"cqc_rating_date,omitempty"`
	Specialisms      []string        `json:"specialisms"`
	Status           AdmissionStatus `json:"status"`
	StatusReason     ClosureReason   `json:"status_reason,omitempty"`
	StatusNote       string          `json:"status_note,omitempty"`
	StatusExpiresAt  *time.Time      `json:"status_expires_at,omitempty"`
	Suspended        bool            `json:"suspended"`
	SuspensionReason string          `json:"suspension_reason,omitempty"`
	SuspendedAt      *time.Time      `json:"suspended_at,omitempty"`
	BedsObservedAt   *time.Time      `json:"beds_observed_at,omitempty"`
	UpdatedAt        time.Time       `json:"updated_at"`
}

// Validate checks a home as an admin or commissioner enters it.
func (h Home) Validate() error {
	v := &ValidationError{}
	if !ValidCQCID(h.CQCLocationID) {
		v.Add("cqc_location_id", `must be "1-" followed by digits, e.g. 1-545611283`)
	}
	if h.ODSCode != "" && !ValidODSCode(h.ODSCode) {
		v.Add("ods_code", "must be 3 to 6 capital letters or digits")
	}
	if h.Name == "" || len(h.Name) > 200 {
		v.Add("name", "required, at most 200 characters")
	}
	if h.Postcode == "" || len(h.Postcode) > 10 {
		v.Add("postcode", "required, at most 10 characters")
	}
	if !ValidCoordinates(h.Latitude, h.Longitude) {
		v.Add("latitude", "latitude and longitude must be a point in England")
	}
	if h.LocalAuthority == "" {
		v.Add("local_authority", "required")
	}
	if h.RegisteredBeds < 0 || h.RegisteredBeds > 1000 {
		v.Add("registered_beds", "must be between 0 and 1000")
	}
	if h.Rating != "" && !h.Rating.Valid() {
		v.Add("cqc_rating", "must be outstanding, good, requires_improvement, inadequate or not_yet_rated")
	}
	return v.Err()
}

// Suspension is a commissioner's decision to stop new placements at a home.
type Suspension struct {
	Suspended bool   `json:"suspended"`
	Reason    string `json:"reason,omitempty"`
}

// Validate checks a suspension: suspending needs a reason, for the audit.
func (s Suspension) Validate() error {
	v := &ValidationError{}
	if s.Suspended && (len(s.Reason) < 3 || len(s.Reason) > MaxNoteLength) {
		v.Add("reason", "required when suspending, 3 to 280 characters")
	}
	return v.Err()
}
