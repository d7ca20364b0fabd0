package demo

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

var now = time.Date(2025, 7, 14, 9, 30, 0, 0, time.UTC)

// checkDataset fails on anything storage would refuse or a demo would show wrong.
func checkDataset(t *testing.T, d Dataset, minCats, maxCats int) {
	t.Helper()
	orgs := map[string]domain.OrgKind{}
	for _, o := range d.Organisations {
		if !o.Kind.Valid() || o.Name == "" {
			t.Errorf("organisation %+v: bad kind or name", o)
		}
		if o.ODSCode == "" {
			continue
		}
		if !domain.ValidODSCode(o.ODSCode) {
			t.Errorf("organisation %s: bad ODS code %q", o.Name, o.ODSCode)
		}
		if _, dup := orgs[o.ODSCode]; dup {
			t.Errorf("ODS code %s used twice", o.ODSCode)
		}
		orgs[o.ODSCode] = o.Kind
	}
	for _, h := range d.Hospitals {
		if orgs[h.TrustODS] != domain.OrgNHSTrust {
			t.Errorf("hospital %s: trust %q is not an NHS trust in the dataset", h.Name, h.TrustODS)
		}
		if !domain.ValidCoordinates(h.Latitude, h.Longitude) {
			t.Errorf("hospital %s: bad coordinates", h.Name)
		}
	}
	ids := map[string]bool{}
	for _, s := range d.Homes {
		h := s.Home
		if err := h.Validate(); err != nil {
			t.Fatalf("home %s %s: %v", h.CQCLocationID, h.Name, err)
		}
		if ids[h.CQCLocationID] {
			t.Fatalf("CQC ID %s used twice", h.CQCLocationID)
		}
		ids[h.CQCLocationID] = true
		if orgs[s.ProviderODS] != domain.OrgCareProvider {
			t.Errorf("home %s: provider %q is not a care provider in the dataset", h.Name, s.ProviderODS)
		}
		if orgs[h.ICB] != domain.OrgICB {
			t.Errorf("home %s: ICB %q not in the dataset", h.Name, h.ICB)
		}
		if n := len(s.Categories); n < minCats || n > maxCats {
			t.Errorf("home %s: %d categories", h.Name, n)
		}
		warnings, err := domain.ValidateCategories(s.Categories, h.RegisteredBeds)
		if err != nil || len(warnings) > 0 {
			t.Fatalf("home %s: categories: %v %v", h.Name, err, warnings)
		}
		for _, c := range s.Categories {
			if c.CareType == domain.Nursing && !h.Nursing && c.Capacity > 0 {
				t.Errorf("home %s: nursing beds in a residential home", h.Name)
			}
			if c.ObservedAt.IsZero() || c.ObservedAt.After(now) {
				t.Errorf("home %s: observed at %v", h.Name, c.ObservedAt)
			}
		}
		if h.Status != domain.Open {
			if err := (domain.StatusChange{Status: h.Status, Reason: h.StatusReason, Note: h.StatusNote, ExpiresAt: h.StatusExpiresAt}).Validate(now); err != nil {
				t.Errorf("home %s: status: %v", h.Name, err)
			}
		}
		if err := (domain.Suspension{Suspended: h.Suspended, Reason: h.SuspensionReason}).Validate(); err != nil {
			t.Errorf("home %s: suspension: %v", h.Name, err)
		}
	}
}

func TestStaffordshire_Valid(t *testing.T) {
	d := Staffordshire(now)
	checkDataset(t, d, 1, 4)
	names, phones := map[string]bool{}, map[string]bool{}
	for _, s := range d.Homes {
		if names[s.Home.Name] || phones[s.Home.Phone] {
			t.Errorf("home %s: name or phone %s used twice", s.Home.Name, s.Home.Phone)
		}
		names[s.Home.Name], phones[s.Home.Phone] = true, true
	}
}

func TestStaffordshire_SameEveryRun(t *testing.T) {
	if !reflect.DeepEqual(Staffordshire(now), Staffordshire(now)) {
		t.Fatal("two runs differ")
	}
}

func TestStaffordshire_Shape(t *testing.T) {
	d := Staffordshire(now)
	var total, occupied, available, unavailable, suspended, inadequate, closed, guide, d2a, fees int
	bands := map[domain.Freshness]int{}
	districts := map[string]int{}
	for _, s := range d.Homes {
		h := s.Home
		districts[h.District]++
		if h.Suspended {
			suspended++
		}
		if h.Rating == domain.Inadequate {
			inadequate++
		}
		if h.Status == domain.Closed {
			closed++
			if h.StatusReason != domain.ClosureInfection || !h.StatusExpiresAt.After(now) {
				t.Errorf("closed home %s: reason %s, expires %v", h.Name, h.StatusReason, h.StatusExpiresAt)
			}
		}
		if h.LocalAuthority != "Staffordshire" || h.ICB != "QNC" || h.RegisteredBeds < 20 || h.RegisteredBeds > 90 {
			t.Errorf("home %s: %s %s %d beds", h.Name, h.LocalAuthority, h.ICB, h.RegisteredBeds)
		}
		bands[domain.DefaultThresholds.Band(*h.BedsObservedAt, now)]++
		for _, c := range s.Categories {
			total += c.Capacity
			occupied += c.Occupied
			available += c.Available
			unavailable += c.Unavailable
			if c.GuideRateAccepted != nil && *c.GuideRateAccepted {
				guide++
			}
			if slices.Contains(c.StayTypes, domain.DischargeToAssess) {
				d2a++
			}
			if c.WeeklyFeeFrom != nil {
				fees++
				if *c.WeeklyFeeFrom < 850 || *c.WeeklyFeeFrom > 1400 {
					t.Errorf("home %s: fee %d", h.Name, *c.WeeklyFeeFrom)
				}
			}
		}
	}
	tests := []struct {
		name     string
		got      float64
		min, max float64
	}{
		{"homes", float64(len(d.Homes)), 90, 110},
		{"districts", float64(len(districts)), 8, 8},
		{"providers", float64(len(d.Organisations) - len(staffsOrganisations)), 10, 14},
		{"hospitals", float64(len(d.Hospitals)), 5, 5},
		{"occupied share", float64(occupied) / float64(total), 0.82, 0.90},
		{"available share", float64(available) / float64(total), 0.07, 0.13},
		{"unavailable beds", float64(unavailable), 10, 200},
		{"suspended homes", float64(suspended), 1, 2},
		{"inadequate homes", float64(inadequate), 2, 3},
		{"closed homes", float64(closed), 1, 1},
		{"fresh homes", float64(bands[domain.Fresh]), 55, 90},
		{"ageing homes", float64(bands[domain.Ageing]), 5, 30},
		{"stale homes", float64(bands[domain.Stale]), 2, 20},
		{"guide rate categories", float64(guide), 50, 1000},
		{"d2a categories", float64(d2a), 20, 1000},
		{"categories with fees", float64(fees), 50, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got < tt.min || tt.got > tt.max {
				t.Errorf("%s = %.3f, want %.3f to %.3f", tt.name, tt.got, tt.min, tt.max)
			}
		})
	}
}

func TestManagerHomes(t *testing.T) {
	d := Staffordshire(now)
	ids := ManagerHomes()
	if len(ids) != 2 {
		t.Fatalf("got %d homes", len(ids))
	}
	for _, id := range ids {
		i := slices.IndexFunc(d.Homes, func(s HomeSeed) bool { return s.Home.CQCLocationID == id })
		if i < 0 {
			t.Fatalf("manager home %s not in the dataset", id)
		}
		s := d.Homes[i]
		if s.Home.Suspended || s.Home.Status != domain.Open || s.ProviderODS != ManagerProviderODS {
			t.Errorf("manager home %s: suspended %v, status %s, provider %s", s.Home.Name, s.Home.Suspended, s.Home.Status, s.ProviderODS)
		}
	}
	if !slices.ContainsFunc(d.Hospitals, func(h HospitalSeed) bool {
		return h.Name == CoordinatorHospital && h.TrustODS == CoordinatorTrustODS
	}) {
		t.Errorf("coordinator hospital %s of %s not in the dataset", CoordinatorHospital, CoordinatorTrustODS)
	}
	if !slices.ContainsFunc(d.Organisations, func(o domain.Organisation) bool {
		return o.Name == CommissionerOrganisation && o.Kind == domain.OrgLocalAuthority
	}) {
		t.Errorf("commissioner organisation %s not in the dataset", CommissionerOrganisation)
	}
}
