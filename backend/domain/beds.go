package domain

import (
	"fmt"
	"time"
)

// Counts is the national four-way split of one bed category:
// Capacity = Occupied + Reserved + Available + Unavailable.
type Counts struct {
	Capacity    int `json:"capacity"`
	Occupied    int `json:"occupied"`
	Reserved    int `json:"reserved"`
	Available   int `json:"available"`
	Unavailable int `json:"unavailable"`
}

// Category is the state of one bed category of a home.
type Category struct {
	CategoryKey
	Counts
	UnavailableReason UnavailableReason `json:"unavailable_reason,omitempty"`
	StayTypes         []StayType        `json:"stay_types,omitempty"`
	Allocation        Allocation        `json:"allocation,omitempty"`
	BlockBookedBy     string            `json:"block_booked_by,omitempty"`
	FreeWithin24h     *int              `json:"free_within_24h,omitempty"`
	FreeWithin72h     *int              `json:"free_within_72h,omitempty"`
	WeeklyFeeFrom     *int              `json:"weekly_fee_from,omitempty"` // whole pounds
	GuideRateAccepted *bool             `json:"guide_rate_accepted,omitempty"`
	TopUpRequired     *bool             `json:"top_up_required,omitempty"`
	AdmitWithin       AdmitWithin       `json:"admit_within,omitempty"`
	Note              string            `json:"note,omitempty"`
	ObservedAt        time.Time         `json:"observed_at"`
	ReceivedAt        time.Time         `json:"received_at"`
}

// MaxNoteLength bounds the free-text note so it stays a note.
const MaxNoteLength = 280

// FieldError names one field that failed validation and why.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ValidationError is a list of field errors; it is what a 422 reports.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Fields) == 0 {
		return "invalid input"
	}
	return fmt.Sprintf("%s: %s", e.Fields[0].Field, e.Fields[0].Reason)
}

// Add records a field error.
func (e *ValidationError) Add(field, reason string) {
	e.Fields = append(e.Fields, FieldError{field, reason})
}

// Err returns e as an error when it holds any field error, else nil.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Validate checks the counts: none negative and the four parts summing to capacity.
func (c Counts) Validate(prefix string, v *ValidationError) {
	for _, f := range []struct {
		name string
		n    int
	}{{"capacity", c.Capacity}, {"occupied", c.Occupied}, {"reserved", c.Reserved}, {"available", c.Available}, {"unavailable", c.Unavailable}} {
		if f.n < 0 {
			v.Add(prefix+f.name, "must not be negative")
		}
	}
	if c.Occupied+c.Reserved+c.Available+c.Unavailable != c.Capacity {
		v.Add(prefix+"capacity", fmt.Sprintf("must equal occupied + reserved + available + unavailable (%d), got %d",
			c.Occupied+c.Reserved+c.Available+c.Unavailable, c.Capacity))
	}
}

// Validate checks one category as a manager submits it.
func (c Category) Validate(prefix string, v *ValidationError) {
	if !c.CareType.Valid() {
		v.Add(prefix+"care_type", "must be residential or nursing")
	}
	if !c.ClientGroup.Valid() {
		v.Add(prefix+"client_group", "unknown client group")
	}
	c.Counts.Validate(prefix, v)
	if c.Unavailable > 0 && c.UnavailableReason == "" {
		v.Add(prefix+"unavailable_reason", "required when unavailable is above 0")
	}
	if c.UnavailableReason != "" && !c.UnavailableReason.Valid() {
		v.Add(prefix+"unavailable_reason", "unknown reason")
	}
	for i, s := range c.StayTypes {
		if !s.Valid() {
			v.Add(fmt.Sprintf("%sstay_types[%d]", prefix, i), "unknown stay type")
		}
	}
	if c.Allocation != "" && !c.Allocation.Valid() {
		v.Add(prefix+"allocation", "must be spot or block_booked")
	}
	if c.Allocation == BlockBooked && c.BlockBookedBy == "" {
		v.Add(prefix+"block_booked_by", "required for block-booked beds")
	}
	for _, f := range []struct {
		name string
		n    *int
	}{{"free_within_24h", c.FreeWithin24h}, {"free_within_72h", c.FreeWithin72h}, {"weekly_fee_from", c.WeeklyFeeFrom}} {
		if f.n != nil && *f.n < 0 {
			v.Add(prefix+f.name, "must not be negative")
		}
	}
	if c.AdmitWithin != "" && !c.AdmitWithin.Valid() {
		v.Add(prefix+"admit_within", "must be same_day, next_day or later")
	}
	if len([]rune(c.Note)) > MaxNoteLength {
		v.Add(prefix+"note", fmt.Sprintf("at most %d characters", MaxNoteLength))
	}
}

// ValidateCategories checks a whole bed state: each category valid and none twice.
// It returns warnings that do not refuse the update, such as capacity above the
// home's registered beds (registered counts lag real extensions).
func ValidateCategories(cats []Category, registeredBeds int) (warnings []string, err error) {
	v := &ValidationError{}
	seen := map[CategoryKey]bool{}
	total := 0
	for i, c := range cats {
		p := fmt.Sprintf("categories[%d].", i)
		c.Validate(p, v)
		if seen[c.CategoryKey] {
			v.Add(p+"client_group", "category listed twice")
		}
		seen[c.CategoryKey] = true
		total += c.Capacity
	}
	if registeredBeds > 0 && total > registeredBeds {
		warnings = append(warnings, fmt.Sprintf("total capacity %d is above the %d beds registered with the CQC", total, registeredBeds))
	}
	return warnings, v.Err()
}

// Bucket names one part of the four-way split, for one-tap moves between them.
type Bucket string

// The four parts of a category's capacity.
const (
	BucketOccupied    Bucket = "occupied"
	BucketReserved    Bucket = "reserved"
	BucketAvailable   Bucket = "available"
	BucketUnavailable Bucket = "unavailable"
)

func (c *Counts) bucket(b Bucket) *int {
	switch b {
	case BucketOccupied:
		return &c.Occupied
	case BucketReserved:
		return &c.Reserved
	case BucketAvailable:
		return &c.Available
	case BucketUnavailable:
		return &c.Unavailable
	}
	return nil
}

// Move is a one-tap change: Count beds move from one part to another, so the
// sum always holds. "A bed freed" is occupied to available.
type Move struct {
	From   Bucket            `json:"from"`
	To     Bucket            `json:"to"`
	Count  int               `json:"count"`
	Reason UnavailableReason `json:"unavailable_reason,omitempty"` // why, when beds become unavailable
}

// Validate checks the move's shape, independent of any current state.
func (m Move) Validate(v *ValidationError) {
	var c Counts
	if c.bucket(m.From) == nil {
		v.Add("from", "must be occupied, reserved, available or unavailable")
	}
	if c.bucket(m.To) == nil {
		v.Add("to", "must be occupied, reserved, available or unavailable")
	}
	if m.From == m.To && m.From != "" {
		v.Add("to", "must differ from from")
	}
	if m.Count < 1 || m.Count > 1000 {
		v.Add("count", "must be between 1 and 1000")
	}
	if m.Reason != "" && (m.To != BucketUnavailable || !m.Reason.Valid()) {
		v.Add("unavailable_reason", "only for beds moved to unavailable: infection_control, staffing, maintenance, regulatory or other")
	}
}

// ErrNotEnough is returned when a move takes more beds than a part holds.
type ErrNotEnough struct {
	Bucket Bucket
	Have   int
}

func (e *ErrNotEnough) Error() string {
	return fmt.Sprintf("only %d %s beds to move", e.Have, e.Bucket)
}

// Apply moves beds within c. It fails, changing nothing, when From holds fewer than Count.
func (m Move) Apply(c Counts) (Counts, error) {
	from, to := c.bucket(m.From), c.bucket(m.To)
	if from == nil || to == nil {
		return c, &ErrNotEnough{Bucket: m.From}
	}
	if m.Count < 1 {
		// A negative count would pass the "enough beds" test and drive To below zero.
		return c, &ValidationError{Fields: []FieldError{{"count", "must be at least 1"}}}
	}
	if *from < m.Count {
		return c, &ErrNotEnough{Bucket: m.From, Have: *from}
	}
	*from -= m.Count
	*to += m.Count
	return c, nil
}
