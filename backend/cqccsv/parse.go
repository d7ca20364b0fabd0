// Package cqccsv reads care homes from a CSV in the layout of the CQC's
// "Care directory with filters", so an area's homes can be imported from the
// register rather than typed in.
package cqccsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
)

// Limits on what Parse accepts. The full directory lists every regulated
// location in England (care homes, agencies, surgeries: some 50,000 and
// growing), so the row limit leaves it room; the line limit is far above a
// real row of about 130 columns.
const (
	MaxRows      = 100_000   // data rows, care homes or not
	MaxLineBytes = 64 << 10  // bytes in one line
	MaxBytes     = 256 << 20 // bytes in the whole input
)

// headerSearchRows is how many records Parse looks through for the header,
// past the title lines some exports of the spreadsheet carry.
const headerSearchRows = 10

// Errors for input Parse refuses as a whole.
var (
	ErrLineTooLong = fmt.Errorf("cqccsv: a line is longer than %d bytes", MaxLineBytes)
	ErrTooLarge    = fmt.Errorf("cqccsv: input is larger than %d bytes", MaxBytes)
	ErrTooManyRows = fmt.Errorf("cqccsv: more than %d rows", MaxRows)
	ErrNoHeader    = errors.New(`cqccsv: no header row with a "Location ID" column`)
)

// Row is one care home read from the file, with its provider as the CQC names it.
type Row struct {
	Home          domain.Home
	ProviderCQCID string
	ProviderName  string
}

// RowError is a row that could not be imported: the import reports it and goes on.
type RowError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error gives the row error as "line N: field: reason".
func (e RowError) Error() string {
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
}

// Parse reads care homes from r. Rows that are not care homes are skipped;
// rows that are care homes but fail validation become RowErrors. The error is
// for input refused as a whole: unreadable CSV, no header, missing columns or
// a limit exceeded.
func Parse(r io.Reader) ([]Row, []RowError, error) {
	cr := csv.NewReader(&limitReader{r: r})
	cr.FieldsPerRecord = -1 // title lines and short rows differ in width
	cr.LazyQuotes = true    // stray quotes in names are common in exports
	cr.ReuseRecord = true

	var h header
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF || n == headerSearchRows {
			return nil, nil, ErrNoHeader
		}
		if err != nil {
			return nil, nil, readErr(err)
		}
		var ok bool
		if h, ok, err = readHeader(rec); err != nil {
			return nil, nil, err
		} else if ok {
			break
		}
	}

	var rows []Row
	var bad []RowError
	seen := map[string]int{}
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, readErr(err)
		}
		if n == MaxRows {
			return nil, nil, ErrTooManyRows
		}
		line, _ := cr.FieldPos(0)
		row, errs, skip := parseRow(h, rec, line)
		if skip {
			continue
		}
		if len(errs) == 0 {
			if first, dup := seen[row.Home.CQCLocationID]; dup {
				errs = append(errs, RowError{line, "cqc_location_id", fmt.Sprintf("listed twice, first on line %d", first)})
			}
		}
		if len(errs) > 0 {
			bad = append(bad, errs...)
			continue
		}
		seen[row.Home.CQCLocationID] = line
		rows = append(rows, row)
	}
	return rows, bad, nil
}

// parseRow reads one record. skip is true for locations that are not care
// homes: no care-home service and no beds.
func parseRow(h header, rec []string, line int) (row Row, errs []RowError, skip bool) {
	fail := func(field, reason string) { errs = append(errs, RowError{line, field, reason}) }

	nursing, residential := yes(h.get(rec, "nursing")), yes(h.get(rec, "residential"))
	beds := 0
	if s := h.get(rec, "beds"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			fail("registered_beds", fmt.Sprintf("not a whole number: %q", s))
		}
		beds = n
	}
	if !nursing && !residential && !yes(h.get(rec, "care_home")) && beds == 0 && len(errs) == 0 {
		return row, nil, true
	}

	home := domain.Home{
		CQCLocationID:  h.get(rec, "id"),
		ODSCode:        strings.ToUpper(h.get(rec, "ods")),
		Name:           h.get(rec, "name"),
		Address:        joinNonEmpty(h.get(rec, "street"), h.get(rec, "line2"), h.get(rec, "city")),
		Postcode:       strings.ToUpper(h.get(rec, "postcode")),
		Phone:          h.get(rec, "phone"),
		LocalAuthority: h.get(rec, "la"),
		RegisteredBeds: beds,
		Nursing:        nursing,
		Rating:         domain.ParseRating(h.get(rec, "rating")),
		Specialisms:    []string{},
		Status:         domain.Open,
	}
	for _, f := range []struct {
		field string
		key   string
		dst   *float64
	}{{"latitude", "lat", &home.Latitude}, {"longitude", "lon", &home.Longitude}} {
		s := h.get(rec, f.key)
		x, err := strconv.ParseFloat(s, 64)
		switch {
		case s == "":
			fail(f.field, "missing")
		case err != nil:
			fail(f.field, fmt.Sprintf("not a number: %q", s))
		}
		*f.dst = x
	}
	if s := h.get(rec, "rating_date"); s != "" {
		d, err := parseDate(s)
		if err != nil {
			fail("cqc_rating_date", fmt.Sprintf("not a date (dd/mm/yyyy): %q", s))
		} else {
			home.RatingDate = &d
		}
	}
	for _, b := range h.bands {
		if b.index < len(rec) && yes(rec[b.index]) {
			home.Specialisms = append(home.Specialisms, b.name)
		}
	}
	row = Row{Home: home, ProviderCQCID: h.get(rec, "provider_id"), ProviderName: h.get(rec, "provider_name")}
	if row.ProviderCQCID != "" && !domain.ValidCQCID(row.ProviderCQCID) {
		fail("provider_id", `must be "1-" followed by digits`)
	}
	var v *domain.ValidationError
	if err := home.Validate(); errors.As(err, &v) {
		for _, f := range v.Fields {
			// A value already reported as unreadable is not reported again as
			// invalid; Validate names both coordinates "latitude".
			if !hasField(errs, f.Field) && (f.Field != "latitude" || !hasField(errs, "longitude")) {
				fail(f.Field, f.Reason)
			}
		}
	}
	return row, errs, false
}

// parseDate reads the CQC's dd/mm/yyyy, and the ISO form the spreadsheet
// gives when saved as CSV by some tools.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"02/01/2006", "2/1/2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a date")
}

func joinNonEmpty(parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

func hasField(errs []RowError, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// readErr passes the limit errors through and labels the rest.
func readErr(err error) error {
	if errors.Is(err, ErrLineTooLong) || errors.Is(err, ErrTooLarge) {
		return err
	}
	return fmt.Errorf("cqccsv: %w", err)
}

// limitReader fails once a line or the whole input runs past its limit, so a
// file without newlines cannot make encoding/csv buffer it all.
type limitReader struct {
	r     io.Reader
	total int
	line  int
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.total += n
	if l.total > MaxBytes {
		return 0, ErrTooLarge
	}
	for _, b := range p[:n] {
		if b == '\n' {
			l.line = 0
			continue
		}
		if l.line++; l.line > MaxLineBytes {
			return 0, ErrLineTooLong
		}
	}
	return n, err
}
