package cqccsv

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

func TestParse_Sample(t *testing.T) {
	f, err := os.Open("testdata/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, bad, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 {
		t.Errorf("got %d rows, want 8 (10 less one agency, one bad)", len(rows))
	}
	wantBad := []RowError{{Line: 8, Field: "registered_beds", Reason: `not a whole number: "forty"`}}
	if !reflect.DeepEqual(bad, wantBad) {
		t.Errorf("row errors = %+v, want %+v", bad, wantBad)
	}
	for _, r := range rows {
		if err := r.Home.Validate(); err != nil {
			t.Errorf("%s: %v", r.Home.Name, err)
		}
		if r.Home.Name == "Chase Home Support" {
			t.Error("domiciliary agency imported as a care home")
		}
	}

	rated := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	want := Row{
		Home: domain.Home{
			CQCLocationID:  "1-1100000001",
			ODSCode:        "VS101",
			Name:           "Ashcroft House",
			Address:        "12 Weston Road, Stafford",
			Postcode:       "ST16 3RS",
			Phone:          "01632960101",
			Latitude:       52.8089,
			Longitude:      -2.0953,
			LocalAuthority: "Staffordshire",
			RegisteredBeds: 40,
			Rating:         domain.Good,
			RatingDate:     &rated,
			Specialisms:    []string{"Dementia", "Older People"},
			Status:         domain.Open,
		},
		ProviderCQCID: "1-1000000101",
		ProviderName:  "Trentside Care Ltd",
	}
	if !reflect.DeepEqual(rows[0], want) {
		t.Errorf("first row\n got %+v\nwant %+v", rows[0], want)
	}

	byName := map[string]Row{}
	for _, r := range rows {
		byName[r.Home.Name] = r
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"nursing and residential is nursing", byName["The Beeches Nursing Home"].Home.Nursing, true},
		{"residential only", byName["Ashcroft House"].Home.Nursing, false},
		{"requires improvement", byName["The Beeches Nursing Home"].Home.Rating, domain.RequiresImprovement},
		{"outstanding", byName["Hollybank House, Leek"].Home.Rating, domain.Outstanding},
		{"inadequate", byName["Oakwood Manor"].Home.Rating, domain.Inadequate},
		{"unrated", byName["Meadowbank Lodge"].Home.Rating, domain.NotYetRated},
		{"unrated has no date", byName["Meadowbank Lodge"].Home.RatingDate == nil, true},
		{"address lines joined", byName["The Beeches Nursing Home"].Home.Address, "3 Leek Road, Endon, Stoke-on-Trent"},
		{"quoted comma in name", byName["Hollybank House, Leek"].Home.RegisteredBeds, 28},
		{"bands in header order", byName["Meadowbank Lodge"].Home.Specialisms,
			[]string{"Learning disabilities or autistic spectrum disorder", "Physical Disability", "Younger Adults"}},
		{"other local authority", byName["Hartshill Care Centre"].Home.LocalAuthority, "Stoke-on-Trent"},
		{"apostrophe in provider", byName["Sycamore Court Nursing Home"].ProviderName, "St Chad's Care Ltd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

// shortHeader uses the weekly directory's shorter names, in another order.
const shortHeader = "Name,Location ID,Postcode,Local authority,Latitude,Longitude,Care home beds,Phone number,Address,Latest overall rating,Service type - Care home service with nursing,Service user band - Older People\n"

func TestParse_Rows(t *testing.T) {
	tests := []struct {
		name     string
		in       string // one data row under shortHeader
		wantRows int
		wantBad  []string // fields of row errors
	}{
		{"valid nursing home", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,30,01632960000,1 High Street,Good,Y,Y", 1, nil},
		{"flag in lower case", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,30,,,Good,yes,y", 1, nil},
		{"beds alone make a care home", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,30,,,,,", 1, nil},
		{"no beds and no service skipped", "Elm Agency,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,0,,,,,", 0, nil},
		{"empty beds and no service skipped", "Elm Agency,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,,,,,,", 0, nil},
		{"nursing with no beds given", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,,,,,Y,", 1, nil},
		{"bad beds", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,3O,,,,Y,", 0, []string{"registered_beds"}},
		{"negative beds", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,-3,,,,Y,", 0, []string{"registered_beds"}},
		{"bad latitude", "Elm House,1-123456789,ST16 1AA,Staffordshire,north,-2.1,30,,,,Y,", 0, []string{"latitude"}},
		{"missing longitude", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,,30,,,,Y,", 0, []string{"longitude"}},
		{"swapped coordinates", "Elm House,1-123456789,ST16 1AA,Staffordshire,-2.1,52.8,30,,,,Y,", 0, []string{"latitude"}},
		{"bad location id", "Elm House,RXX01,ST16 1AA,Staffordshire,52.8,-2.1,30,,,,Y,", 0, []string{"cqc_location_id"}},
		{"no name, no postcode", ",1-123456789,,Staffordshire,52.8,-2.1,30,,,,Y,", 0, []string{"name", "postcode"}},
		{"no local authority", "Elm House,1-123456789,ST16 1AA,,52.8,-2.1,30,,,,Y,", 0, []string{"local_authority"}},
		{"unknown rating is unrated", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,30,,,Insufficient evidence to rate,Y,", 1, nil},
		{"stray quote kept", `Elm "House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,30,,,,Y,`, 1, nil},
		{"short row", "Elm House,1-123456789,ST16 1AA,Staffordshire,52.8,-2.1,30", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := Parse(strings.NewReader(shortHeader + tt.in + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tt.wantRows {
				t.Errorf("got %d rows, want %d", len(rows), tt.wantRows)
			}
			var got []string
			for _, e := range bad {
				got = append(got, e.Field)
				if e.Line != 2 {
					t.Errorf("error on line %d, want 2", e.Line)
				}
			}
			if !reflect.DeepEqual(got, tt.wantBad) {
				t.Errorf("row errors %+v, want fields %v", bad, tt.wantBad)
			}
		})
	}
}

func TestParse_Dates(t *testing.T) {
	head := "Location ID,Location Name,Care homes beds,Location Postal Code,Location Local Authority,Location Latitude,Location Longitude,Publication Date\n"
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantBad bool
	}{
		{"dd/mm/yyyy", "14/03/2024", time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC), false},
		{"d/m/yyyy", "4/3/2024", time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), false},
		{"iso", "2024-03-14", time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC), false},
		{"us order refused", "03/14/2024", time.Time{}, true},
		{"text refused", "March 2024", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := Parse(strings.NewReader(head + "1-123456789,Elm House,30,ST16 1AA,Staffordshire,52.8,-2.1," + tt.in + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantBad {
				if len(bad) != 1 || bad[0].Field != "cqc_rating_date" {
					t.Errorf("row errors %+v, want one on cqc_rating_date", bad)
				}
				return
			}
			if len(rows) != 1 || rows[0].Home.RatingDate == nil || !rows[0].Home.RatingDate.Equal(tt.want) {
				t.Errorf("rows %+v, bad %+v; want date %v", rows, bad, tt.want)
			}
		})
	}
}
