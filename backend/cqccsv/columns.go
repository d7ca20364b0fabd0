package cqccsv

import (
	"fmt"
	"strings"
)

// column names one value Parse reads, by the header names it may carry.
// The first name is the CQC's "Care directory with filters" header; the
// others are the shorter names of the weekly directory and hand-made files.
type column struct {
	key      string
	names    []string
	required bool
}

var columns = []column{
	{"id", []string{"Location ID"}, true},
	{"name", []string{"Location Name", "Name"}, true},
	{"beds", []string{"Care homes beds", "Care home beds"}, true},
	{"phone", []string{"Location Telephone Number", "Phone number", "Telephone number"}, false},
	{"street", []string{"Location Street Address", "Address"}, false},
	{"line2", []string{"Location Address Line 2", "Address line 2"}, false},
	{"city", []string{"Location City", "City"}, false},
	{"postcode", []string{"Location Postal Code", "Postcode"}, true},
	{"la", []string{"Location Local Authority", "Local authority"}, true},
	{"lat", []string{"Location Latitude", "Latitude"}, true},
	{"lon", []string{"Location Longitude", "Longitude"}, true},
	{"ods", []string{"Location ODS Code", "ODS code"}, false},
	{"provider_id", []string{"Provider ID"}, false},
	{"provider_name", []string{"Provider Name"}, false},
	{"care_home", []string{"Care home?"}, false},
	{"nursing", []string{"Service type - Care home service with nursing"}, false},
	{"residential", []string{"Service type - Care home service without nursing"}, false},
	{"rating", []string{"Location Latest Overall Rating", "Latest overall rating", "Overall rating"}, false},
	{"rating_date", []string{"Publication Date"}, false},
}

// bandPrefix starts every service user band column; the rest of the header is
// the band's name, kept as the home's specialism.
const bandPrefix = "service user band - "

// header is the position of each known column in one file.
type header struct {
	index map[string]int
	bands []band
}

type band struct {
	index int
	name  string
}

// norm makes header names comparable: case, spacing and a byte-order mark
// differ between exports of the same file.
func norm(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// readHeader maps a header record to column positions. ok is false when the
// record is not a header (it has no Location ID), as for the title lines
// some exports put above it.
func readHeader(rec []string) (h header, ok bool, err error) {
	pos := map[string]int{}
	for i, name := range rec {
		if _, dup := pos[norm(name)]; !dup {
			pos[norm(name)] = i
		}
	}
	if _, ok := pos["location id"]; !ok {
		return h, false, nil
	}
	h.index = map[string]int{}
	var missing []string
	for _, c := range columns {
		for _, name := range c.names {
			if i, ok := pos[norm(name)]; ok {
				h.index[c.key] = i
				break
			}
		}
		if _, ok := h.index[c.key]; !ok && c.required {
			missing = append(missing, fmt.Sprintf("%q", c.names[0]))
		}
	}
	if len(missing) > 0 {
		return h, true, fmt.Errorf("cqccsv: missing columns %s", strings.Join(missing, ", "))
	}
	for i, name := range rec {
		s := strings.Join(strings.Fields(strings.TrimPrefix(name, "\ufeff")), " ")
		if len(s) > len(bandPrefix) && strings.EqualFold(s[:len(bandPrefix)], bandPrefix) {
			h.bands = append(h.bands, band{i, s[len(bandPrefix):]})
		}
	}
	return h, true, nil
}

// get returns the trimmed value of column key in rec, or "" when the file
// has no such column or the record is short.
func (h header) get(rec []string, key string) string {
	i, ok := h.index[key]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// yes reads the CQC's flags: "Y" when the location has the service, blank otherwise.
func yes(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "y" || s == "yes" || s == "true"
}
