package storage

import (
	"strings"
	"sync"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

// Rows mirror the tables; domain types stay free of gorm tags.

type homeRow struct {
	ID               int64  `gorm:"primaryKey"`
	CQCLocationID    string `gorm:"column:cqc_location_id"`
	ODSCode          string
	Name             string
	Address          string
	Postcode         string
	Phone            string
	Latitude         float64
	Longitude        float64
	LocalAuthority   string
	District         string
	ICB              string `gorm:"column:icb"`
	ProviderID       *int64
	RegisteredBeds   int
	Nursing          bool
	CQCRating        string     `gorm:"column:cqc_rating"`
	CQCRatingDate    *time.Time `gorm:"column:cqc_rating_date"`
	Specialisms      string
	Status           string
	StatusReason     string
	StatusNote       string
	StatusExpiresAt  *time.Time
	Suspended        bool
	SuspensionReason string
	SuspendedAt      *time.Time
	BedsObservedAt   *time.Time
	UpdatedAt        time.Time
}

func (homeRow) TableName() string { return "homes" }

func (r homeRow) domain() domain.Home {
	h := domain.Home{
		ID: r.ID, CQCLocationID: r.CQCLocationID, ODSCode: r.ODSCode, Name: r.Name, Address: r.Address,
		Postcode: r.Postcode, Phone: r.Phone, Latitude: r.Latitude, Longitude: r.Longitude,
		LocalAuthority: r.LocalAuthority, District: r.District, ICB: r.ICB, ProviderID: r.ProviderID,
		RegisteredBeds: r.RegisteredBeds, Nursing: r.Nursing, Rating: domain.Rating(r.CQCRating),
		RatingDate: utcp(r.CQCRatingDate), Specialisms: splitList(r.Specialisms),
		Status: domain.AdmissionStatus(r.Status), StatusReason: domain.ClosureReason(r.StatusReason),
		StatusNote: r.StatusNote, StatusExpiresAt: utcp(r.StatusExpiresAt), Suspended: r.Suspended,
		SuspensionReason: r.SuspensionReason, SuspendedAt: utcp(r.SuspendedAt),
		BedsObservedAt: utcp(r.BedsObservedAt), UpdatedAt: r.UpdatedAt.UTC(),
	}
	return h
}

func homeRowFrom(h domain.Home) homeRow {
	if h.Rating == "" {
		h.Rating = domain.NotYetRated
	}
	if h.Status == "" {
		h.Status = domain.Open
	}
	return homeRow{
		ID: h.ID, CQCLocationID: h.CQCLocationID, ODSCode: h.ODSCode, Name: h.Name, Address: h.Address,
		Postcode: h.Postcode, Phone: h.Phone, Latitude: h.Latitude, Longitude: h.Longitude,
		LocalAuthority: h.LocalAuthority, District: h.District, ICB: h.ICB, ProviderID: h.ProviderID,
		RegisteredBeds: h.RegisteredBeds, Nursing: h.Nursing, CQCRating: string(h.Rating),
		CQCRatingDate: utcp(h.RatingDate), Specialisms: strings.Join(h.Specialisms, "|"),
		Status: string(h.Status), StatusReason: string(h.StatusReason), StatusNote: h.StatusNote,
		StatusExpiresAt: utcp(h.StatusExpiresAt), Suspended: h.Suspended, SuspensionReason: h.SuspensionReason,
		SuspendedAt: utcp(h.SuspendedAt), BedsObservedAt: utcp(h.BedsObservedAt), UpdatedAt: h.UpdatedAt.UTC(),
	}
}

type categoryRow struct {
	HomeID            int64  `gorm:"primaryKey"`
	CareType          string `gorm:"primaryKey"`
	ClientGroup       string `gorm:"primaryKey"`
	Capacity          int
	Occupied          int
	Reserved          int
	Available         int
	Unavailable       int
	UnavailableReason string
	StayTypes         string
	Allocation        string
	BlockBookedBy     string
	FreeWithin24h     *int `gorm:"column:free_within_24h"`
	FreeWithin72h     *int `gorm:"column:free_within_72h"`
	WeeklyFeeFrom     *int
	GuideRateAccepted *bool
	TopUpRequired     *bool
	AdmitWithin       string
	Note              string
	ObservedAt        time.Time
	ReceivedAt        time.Time
}

func (categoryRow) TableName() string { return "bed_categories" }

func (r categoryRow) domain() domain.Category {
	return domain.Category{
		CategoryKey: domain.CategoryKey{CareType: intern(r.CareType, domain.CareTypes...),
			ClientGroup: intern(r.ClientGroup, domain.ClientGroups...)},
		Counts:            domain.Counts{Capacity: r.Capacity, Occupied: r.Occupied, Reserved: r.Reserved, Available: r.Available, Unavailable: r.Unavailable},
		UnavailableReason: intern(r.UnavailableReason, unavailableReasons...), StayTypes: sharedStays(r.StayTypes),
		Allocation: intern(r.Allocation, domain.Spot, domain.BlockBooked), BlockBookedBy: r.BlockBookedBy,
		FreeWithin24h: sharedInt(r.FreeWithin24h), FreeWithin72h: sharedInt(r.FreeWithin72h), WeeklyFeeFrom: sharedInt(r.WeeklyFeeFrom),
		GuideRateAccepted: sharedBool(r.GuideRateAccepted), TopUpRequired: sharedBool(r.TopUpRequired),
		AdmitWithin: intern(r.AdmitWithin, domain.SameDay, domain.NextDay, domain.Later), Note: r.Note,
		ObservedAt: r.ObservedAt.UTC(), ReceivedAt: r.ReceivedAt.UTC(),
	}
}

// A national snapshot holds 150,000 categories whose enums, stay-type lists,
// flags and small numbers repeat, so categoryRow.domain shares one copy of
// each instead of keeping the driver's. Categories read from the database
// are therefore read-only: never write through their pointers or into their
// StayTypes (a shared list has no spare capacity, so append copies it).

var unavailableReasons = []domain.UnavailableReason{domain.ReasonInfectionControl, domain.ReasonStaffing,
	domain.ReasonMaintenance, domain.ReasonRegulatory, domain.ReasonOther}

// intern gives the constant equal to s, or s itself when none is.
func intern[T ~string](s string, known ...T) T {
	for _, k := range known {
		if string(k) == s {
			return k
		}
	}
	return T(s)
}

var (
	sharedBools = [2]bool{false, true}
	smallInts   = func() (a [4097]int) {
		for i := range a {
			a[i] = i
		}
		return a
	}()
	stayLists = struct {
		sync.Mutex
		m map[string][]domain.StayType
	}{m: map[string][]domain.StayType{}}
)

func sharedBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	if *b {
		return &sharedBools[1]
	}
	return &sharedBools[0]
}

func sharedInt(n *int) *int {
	if n == nil || *n < 0 || *n >= len(smallInts) {
		return n
	}
	return &smallInts[*n]
}

// sharedStays gives the one list for a stay_types column value; nil for none.
func sharedStays(s string) []domain.StayType {
	if s == "" {
		return nil
	}
	stayLists.Lock()
	defer stayLists.Unlock()
	if l, ok := stayLists.m[s]; ok {
		return l
	}
	parts := splitList(s)
	l := make([]domain.StayType, len(parts))
	for i, p := range parts {
		l[i] = intern(p, domain.StayTypes...)
	}
	if len(stayLists.m) < 1024 { // valid lists are a few dozen; do not grow without bound
		stayLists.m[s] = l
	}
	return l
}

func categoryRowFrom(homeID int64, c domain.Category) categoryRow {
	stays := make([]string, len(c.StayTypes))
	for i, s := range c.StayTypes {
		stays[i] = string(s)
	}
	return categoryRow{
		HomeID: homeID, CareType: string(c.CareType), ClientGroup: string(c.ClientGroup),
		Capacity: c.Capacity, Occupied: c.Occupied, Reserved: c.Reserved, Available: c.Available, Unavailable: c.Unavailable,
		UnavailableReason: string(c.UnavailableReason), StayTypes: strings.Join(stays, "|"),
		Allocation: string(c.Allocation), BlockBookedBy: c.BlockBookedBy,
		FreeWithin24h: c.FreeWithin24h, FreeWithin72h: c.FreeWithin72h, WeeklyFeeFrom: c.WeeklyFeeFrom,
		GuideRateAccepted: c.GuideRateAccepted, TopUpRequired: c.TopUpRequired,
		AdmitWithin: string(c.AdmitWithin), Note: c.Note,
		ObservedAt: c.ObservedAt.UTC(), ReceivedAt: c.ReceivedAt.UTC(),
	}
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "|")
}

func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
