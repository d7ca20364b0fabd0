package domain

import (
	"errors"
	"testing"
	"time"
)

func fields(err error) []string {
	var v *ValidationError
	if !errors.As(err, &v) {
		return nil
	}
	var out []string
	for _, f := range v.Fields {
		out = append(out, f.Field)
	}
	return out
}

// checkField fails the test unless err names field, or is nil when field is "".
func checkField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if !hasField(err, field) {
		t.Fatalf("fields = %v, want %s", fields(err), field)
	}
}

func hasField(err error, field string) bool {
	for _, f := range fields(err) {
		if f == field {
			return true
		}
	}
	return false
}

func TestCounts_Validate(t *testing.T) {
	tests := []struct {
		name string
		in   Counts
		want []string // fields in error, nil for valid
	}{
		{"all zero", Counts{}, nil},
		{"sum holds", Counts{Capacity: 30, Occupied: 25, Reserved: 1, Available: 3, Unavailable: 1}, nil},
		{"sum too low", Counts{Capacity: 30, Occupied: 25}, []string{"capacity"}},
		{"sum too high", Counts{Capacity: 3, Occupied: 2, Available: 2}, []string{"capacity"}},
		{"negative available", Counts{Capacity: 3, Occupied: 4, Available: -1}, []string{"available"}},
		{"negative capacity", Counts{Capacity: -1, Unavailable: -1}, []string{"capacity", "unavailable"}},
		{"negative and wrong sum", Counts{Capacity: 10, Occupied: -2}, []string{"occupied", "capacity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &ValidationError{}
			tt.in.Validate("", v)
			got := fields(v.Err())
			if len(got) != len(tt.want) {
				t.Fatalf("fields = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("fields = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func validCategory() Category {
	return Category{
		CategoryKey: CategoryKey{Residential, OlderPeople},
		Counts:      Counts{Capacity: 20, Occupied: 17, Reserved: 1, Available: 2},
		ObservedAt:  time.Date(2025, 7, 14, 9, 0, 0, 0, time.UTC),
	}
}

func intp(n int) *int { return &n }

func TestCategory_Validate(t *testing.T) {
	tests := []struct {
		name string
		in   func(c *Category)
		want string // field expected in error, "" for valid
	}{
		{"valid", func(c *Category) {}, ""},
		{"bad care type", func(c *Category) { c.CareType = "hospice" }, "p.care_type"},
		{"bad client group", func(c *Category) { c.ClientGroup = "children" }, "p.client_group"},
		{"sum broken", func(c *Category) { c.Occupied = 1 }, "p.capacity"},
		{"unavailable needs reason", func(c *Category) { c.Occupied = 16; c.Unavailable = 1 }, "p.unavailable_reason"},
		{"unavailable with reason", func(c *Category) { c.Occupied = 16; c.Unavailable = 1; c.UnavailableReason = ReasonStaffing }, ""},
		{"unknown reason", func(c *Category) { c.UnavailableReason = "flood" }, "p.unavailable_reason"},
		{"unknown stay type", func(c *Category) { c.StayTypes = []StayType{LongTerm, "holiday"} }, "p.stay_types[1]"},
		{"d2a stay type", func(c *Category) { c.StayTypes = []StayType{DischargeToAssess} }, ""},
		{"bad allocation", func(c *Category) { c.Allocation = "auction" }, "p.allocation"},
		{"block booked needs commissioner", func(c *Category) { c.Allocation = BlockBooked }, "p.block_booked_by"},
		{"block booked with commissioner", func(c *Category) { c.Allocation = BlockBooked; c.BlockBookedBy = "QNC" }, ""},
		{"negative fee", func(c *Category) { c.WeeklyFeeFrom = intp(-1) }, "p.weekly_fee_from"},
		{"negative forward look", func(c *Category) { c.FreeWithin72h = intp(-2) }, "p.free_within_72h"},
		{"bad admit within", func(c *Category) { c.AdmitWithin = "soon" }, "p.admit_within"},
		{"note at limit", func(c *Category) { c.Note = string(make([]rune, MaxNoteLength)) }, ""},
		{"note too long", func(c *Category) { c.Note = string(make([]rune, MaxNoteLength+1)) }, "p.note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCategory()
			tt.in(&c)
			v := &ValidationError{}
			c.Validate("p.", v)
			err := v.Err()
			checkField(t, err, tt.want)
		})
	}
}

func TestValidateCategories(t *testing.T) {
	nursing := validCategory()
	nursing.CareType = Nursing
	broken := validCategory()
	broken.Available = 5
	tests := []struct {
		name         string
		in           []Category
		registered   int
		wantErr      string
		wantWarnings int
	}{
		{"empty", nil, 40, "", 0},
		{"two categories within registration", []Category{validCategory(), nursing}, 40, "", 0},
		{"duplicate", []Category{validCategory(), nursing, validCategory()}, 60, "categories[2].client_group", 0},
		{"invalid category named by index", []Category{validCategory(), broken}, 60, "categories[1].capacity", 0},
		{"above registered beds warns", []Category{validCategory(), nursing}, 39, "", 1},
		{"unknown registration never warns", []Category{validCategory(), nursing}, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warnings, err := ValidateCategories(tt.in, tt.registered)
			if len(warnings) != tt.wantWarnings {
				t.Errorf("warnings = %v, want %d", warnings, tt.wantWarnings)
			}
			checkField(t, err, tt.wantErr)
		})
	}
}

func TestMove_Validate(t *testing.T) {
	tests := []struct {
		name string
		in   Move
		want []string
	}{
		{"bed freed", Move{From: BucketOccupied, To: BucketAvailable, Count: 1}, nil},
		{"admission", Move{From: BucketAvailable, To: BucketOccupied, Count: 2}, nil},
		{"unknown from", Move{From: "empty", To: BucketAvailable, Count: 1}, []string{"from"}},
		{"unknown to", Move{From: BucketOccupied, To: "", Count: 1}, []string{"to"}},
		{"same bucket", Move{From: BucketReserved, To: BucketReserved, Count: 1}, []string{"to"}},
		{"zero count", Move{From: BucketOccupied, To: BucketAvailable, Count: 0}, []string{"count"}},
		{"negative count", Move{From: BucketOccupied, To: BucketAvailable, Count: -3}, []string{"count"}},
		{"huge count", Move{From: BucketOccupied, To: BucketAvailable, Count: 1001}, []string{"count"}},
		{"made unavailable with a reason", Move{From: BucketAvailable, To: BucketUnavailable, Count: 1, Reason: ReasonStaffing}, nil},
		{"a reason for an admission", Move{From: BucketAvailable, To: BucketOccupied, Count: 1, Reason: ReasonStaffing}, []string{"unavailable_reason"}},
		{"unknown reason", Move{From: BucketAvailable, To: BucketUnavailable, Count: 1, Reason: "gremlins"}, []string{"unavailable_reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &ValidationError{}
			tt.in.Validate(v)
			got := fields(v.Err())
			if len(got) != len(tt.want) {
				t.Fatalf("fields = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("fields = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestMove_Apply(t *testing.T) {
	start := Counts{Capacity: 30, Occupied: 25, Reserved: 1, Available: 3, Unavailable: 1}
	tests := []struct {
		name      string
		in        Move
		want      Counts
		notEnough bool
		wantErr   bool
	}{
		{"bed freed", Move{From: BucketOccupied, To: BucketAvailable, Count: 1}, Counts{30, 24, 1, 4, 1}, false, false},
		{"admit all available", Move{From: BucketAvailable, To: BucketOccupied, Count: 3}, Counts{30, 28, 1, 0, 1}, false, false},
		{"reserve one", Move{From: BucketAvailable, To: BucketReserved, Count: 1}, Counts{30, 25, 2, 2, 1}, false, false},
		{"back into use", Move{From: BucketUnavailable, To: BucketAvailable, Count: 1}, Counts{30, 25, 1, 4, 0}, false, false},
		{"not enough available", Move{From: BucketAvailable, To: BucketOccupied, Count: 4}, start, true, true},
		{"not enough unavailable", Move{From: BucketUnavailable, To: BucketAvailable, Count: 2}, start, true, true},
		{"unknown bucket", Move{From: "nowhere", To: BucketAvailable, Count: 1}, start, false, true},
		{"zero count refused", Move{From: BucketAvailable, To: BucketOccupied, Count: 0}, start, false, true},
		{"negative count refused", Move{From: BucketAvailable, To: BucketOccupied, Count: -5}, start, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Apply(start)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			var ne *ErrNotEnough
			if tt.notEnough && !errors.As(err, &ne) {
				t.Fatalf("err = %v, want ErrNotEnough", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			v := &ValidationError{}
			got.Validate("", v)
			if v.Err() != nil {
				t.Errorf("counts invalid after apply: %v", v.Err())
			}
		})
	}
}

func TestErrNotEnough_Message(t *testing.T) {
	_, err := Move{From: BucketAvailable, To: BucketOccupied, Count: 2}.Apply(Counts{Capacity: 1, Available: 1})
	if err == nil || err.Error() != "only 1 available beds to move" {
		t.Fatalf("err = %v", err)
	}
}
