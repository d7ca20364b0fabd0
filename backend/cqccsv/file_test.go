package cqccsv

import (
	"errors"
	"io"
	"strings"
	"testing"
)

const validRow = "1-123456789,Elm House,30,ST16 1AA,Staffordshire,52.8,-2.1\n"
const minimalHeader = "Location ID,Location Name,Care homes beds,Location Postal Code,Location Local Authority,Location Latitude,Location Longitude\n"

func TestParse_File(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantRows int
		wantBad  int
		wantErr  error // nil for none; checked with errors.Is when not errAny
	}{
		{"minimal columns", minimalHeader + validRow, 1, 0, nil},
		{"header only", minimalHeader, 0, 0, nil},
		{"byte-order mark", "\ufeff" + minimalHeader + validRow, 1, 0, nil},
		{"crlf line ends", strings.ReplaceAll(minimalHeader+validRow, "\n", "\r\n"), 1, 0, nil},
		{"header case and spacing", strings.ToUpper(strings.ReplaceAll(minimalHeader, " ", "  ")) + validRow, 1, 0, nil},
		{"title lines above header", "Care directory with filters,,\nSource: CQC database as at 01 July 2025\n\n" + minimalHeader + validRow, 1, 0, nil},
		{"same home twice", minimalHeader + validRow + validRow, 1, 1, nil},
		{"empty input", "", 0, 0, ErrNoHeader},
		{"no location id column", "Name,Postcode\nElm House,ST16 1AA\n", 0, 0, ErrNoHeader},
		{"header too far down", strings.Repeat("title\n", headerSearchRows) + minimalHeader + validRow, 0, 0, ErrNoHeader},
		{"missing required column", "Location ID,Location Name,Location Postal Code\n", 0, 0, errAny},
		{"line too long", minimalHeader + strings.Repeat("x", MaxLineBytes+1) + "\n", 0, 0, ErrLineTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := Parse(strings.NewReader(tt.in))
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if len(rows) != tt.wantRows || len(bad) != tt.wantBad {
				t.Errorf("got %d rows and %d errors %+v, want %d and %d", len(rows), len(bad), bad, tt.wantRows, tt.wantBad)
			}
		})
	}
}

// errAny stands for "some error" in the table above.
var errAny = errors.New("any error")

type failingReader struct{ io.Reader }

var errDisk = errors.New("disk on fire")

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.Reader.Read(p)
	if err == io.EOF {
		return n, errDisk
	}
	return n, err
}

func TestParse_ReadErrorRefusesFile(t *testing.T) {
	rows, _, err := Parse(failingReader{strings.NewReader(minimalHeader + validRow)})
	if !errors.Is(err, errDisk) || rows != nil {
		t.Errorf("rows %v, err %v; want none and %v", rows, err, errDisk)
	}
}

func TestParse_MissingColumnsNamed(t *testing.T) {
	_, _, err := Parse(strings.NewReader("Location ID,Location Name,Location Postal Code\n"))
	for _, col := range []string{"Care homes beds", "Location Local Authority", "Location Latitude", "Location Longitude"} {
		if err == nil || !strings.Contains(err.Error(), col) {
			t.Errorf("error %v does not name %q", err, col)
		}
	}
}

// rowsReader streams a header and n short non-care-home rows without holding them.
type rowsReader struct {
	head []byte
	n    int
	cur  []byte
}

func (r *rowsReader) Read(p []byte) (int, error) {
	if len(r.head) > 0 {
		k := copy(p, r.head)
		r.head = r.head[k:]
		return k, nil
	}
	if len(r.cur) == 0 {
		if r.n == 0 {
			return 0, io.EOF
		}
		r.n--
		r.cur = []byte("1-1,Agency,0,ST16 1AA,Staffordshire,52.8,-2.1\n")
	}
	k := copy(p, r.cur)
	r.cur = r.cur[k:]
	return k, nil
}

func TestParse_RowLimit(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		wantErr error
	}{
		{"at the limit", MaxRows, nil},
		{"over the limit", MaxRows + 1, ErrTooManyRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse(&rowsReader{head: []byte(minimalHeader), n: tt.n})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRowError_Error(t *testing.T) {
	e := RowError{Line: 7, Field: "registered_beds", Reason: "not a whole number"}
	if got := e.Error(); got != "line 7: registered_beds: not a whole number" {
		t.Errorf("got %q", got)
	}
}
