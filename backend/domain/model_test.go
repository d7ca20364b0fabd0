package domain

import (
	"strings"
	"testing"
)

func validHome() Home {
	return Home{
		CQCLocationID:  "1-545611283",
		Name:           "Ashcroft House",
		Address:        "12 Weston Road, Stafford",
		Postcode:       "ST16 3RS",
		Latitude:       52.8066,
		Longitude:      -2.1171,
		LocalAuthority: "Staffordshire",
		District:       "Stafford",
		ICB:            "QNC",
		RegisteredBeds: 40,
		Rating:         Good,
		Status:         Open,
	}
}

func TestHome_Validate(t *testing.T) {
	tests := []struct {
		name string
		in   func(h *Home)
		want string // field in error, "" for valid
	}{
		{"valid", func(h *Home) {}, ""},
		{"bad cqc id", func(h *Home) { h.CQCLocationID = "545611283" }, "cqc_location_id"},
		{"ods code optional", func(h *Home) { h.ODSCode = "" }, ""},
		{"ods code site", func(h *Home) { h.ODSCode = "VN4X2" }, ""},
		{"bad ods code", func(h *Home) { h.ODSCode = "vn4x2" }, "ods_code"},
		{"no name", func(h *Home) { h.Name = "" }, "name"},
		{"name too long", func(h *Home) { h.Name = strings.Repeat("a", 201) }, "name"},
		{"no postcode", func(h *Home) { h.Postcode = "" }, "postcode"},
		{"postcode too long", func(h *Home) { h.Postcode = "ST16 3RS XX" }, "postcode"},
		{"swapped coordinates", func(h *Home) { h.Latitude, h.Longitude = h.Longitude, h.Latitude }, "latitude"},
		{"null island", func(h *Home) { h.Latitude, h.Longitude = 0, 0 }, "latitude"},
		{"no local authority", func(h *Home) { h.LocalAuthority = "" }, "local_authority"},
		{"zero beds allowed", func(h *Home) { h.RegisteredBeds = 0 }, ""},
		{"negative beds", func(h *Home) { h.RegisteredBeds = -1 }, "registered_beds"},
		{"too many beds", func(h *Home) { h.RegisteredBeds = 1001 }, "registered_beds"},
		{"no rating allowed", func(h *Home) { h.Rating = "" }, ""},
		{"not yet rated", func(h *Home) { h.Rating = NotYetRated }, ""},
		{"unknown rating", func(h *Home) { h.Rating = "Good" }, "cqc_rating"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := validHome()
			tt.in(&h)
			err := h.Validate()
			checkField(t, err, tt.want)
		})
	}
}

func TestSuspension_Validate(t *testing.T) {
	tests := []struct {
		name    string
		in      Suspension
		wantErr bool
	}{
		{"lift needs no reason", Suspension{Suspended: false}, false},
		{"suspend with reason", Suspension{Suspended: true, Reason: "CQC rated Inadequate"}, false},
		{"suspend without reason", Suspension{Suspended: true}, true},
		{"reason too short", Suspension{Suspended: true, Reason: "no"}, true},
		{"reason too long", Suspension{Suspended: true, Reason: strings.Repeat("x", MaxNoteLength+1)}, true},
		{"reason at limit", Suspension{Suspended: true, Reason: strings.Repeat("x", MaxNoteLength)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !hasField(err, "reason") {
				t.Errorf("fields = %v, want reason", fields(err))
			}
		})
	}
}

func TestArea_Covers(t *testing.T) {
	tests := []struct {
		name string
		in   Area
		la   string
		icb  string
		want bool
	}{
		{"same council", Area{LocalAuthority: "Staffordshire"}, "Staffordshire", "QNC", true},
		{"other council", Area{LocalAuthority: "Staffordshire"}, "Stoke-on-Trent", "QNC", false},
		{"same icb", Area{ICB: "QNC"}, "Stoke-on-Trent", "QNC", true},
		{"other icb", Area{ICB: "QNC"}, "Shropshire", "QOC", false},
		{"either matches", Area{LocalAuthority: "Shropshire", ICB: "QNC"}, "Staffordshire", "QNC", true},
		{"empty area covers nothing", Area{}, "Staffordshire", "QNC", false},
		{"empty area and home without icb", Area{}, "Staffordshire", "", false},
		{"icb area and home without icb", Area{ICB: "QNC"}, "Staffordshire", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Covers(tt.la, tt.icb); got != tt.want {
				t.Errorf("Covers(%q, %q) = %v, want %v", tt.la, tt.icb, got, tt.want)
			}
		})
	}
}

func TestOrganisation_Area(t *testing.T) {
	tests := []struct {
		name string
		in   Organisation
		want Area
	}{
		{"council", Organisation{Kind: OrgLocalAuthority, LocalAuthority: "Staffordshire"}, Area{LocalAuthority: "Staffordshire"}},
		{"icb", Organisation{Kind: OrgICB, ODSCode: "QNC"}, Area{ICB: "QNC"}},
		{"trust commissions nothing", Organisation{Kind: OrgNHSTrust, ODSCode: "RJE"}, Area{}},
		{"provider commissions nothing", Organisation{Kind: OrgCareProvider, ODSCode: "AB1", LocalAuthority: "Staffordshire"}, Area{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Area(); got != tt.want {
				t.Errorf("Area() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRole_Valid(t *testing.T) {
	tests := []struct {
		name string
		in   bool
		want bool
	}{
		{"manager", RoleManager.Valid(), true},
		{"system", RoleSystem.Valid(), true},
		{"unknown role", Role("root").Valid(), false},
		{"icb kind", OrgICB.Valid(), true},
		{"unknown kind", OrgKind("charity").Valid(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in != tt.want {
				t.Errorf("got %v, want %v", tt.in, tt.want)
			}
		})
	}
}
