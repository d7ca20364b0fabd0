package demo

import "github.com/bedstate/bedstate/backend/domain"

// town is a place homes are put near, with the postcode districts that cover it.
type town struct {
	name      string
	lat, lon  float64
	postcodes []string
}

// district is one of Staffordshire's eight districts and its main towns.
type district struct {
	name  string
	towns []town
	homes int // how many demo homes, roughly in proportion to population
}

// staffsDistricts add up to 100 homes.
var staffsDistricts = []district{
	{"Cannock Chase", []town{
		{"Cannock", 52.6906, -2.0307, []string{"WS11", "WS12"}},
		{"Hednesford", 52.7110, -2.0008, []string{"WS12"}},
		{"Rugeley", 52.7597, -1.9366, []string{"WS15"}},
	}, 11},
	{"East Staffordshire", []town{
		{"Burton upon Trent", 52.8019, -1.6370, []string{"DE13", "DE14", "DE15"}},
		{"Uttoxeter", 52.8983, -1.8654, []string{"ST14"}},
	}, 14},
	{"Lichfield", []town{
		{"Lichfield", 52.6835, -1.8265, []string{"WS13", "WS14"}},
		{"Burntwood", 52.6802, -1.9222, []string{"WS7"}},
	}, 12},
	{"Newcastle-under-Lyme", []town{
		{"Newcastle-under-Lyme", 53.0117, -2.2278, []string{"ST5"}},
		{"Kidsgrove", 53.0866, -2.2377, []string{"ST7"}},
	}, 14},
	{"South Staffordshire", []town{
		{"Codsall", 52.6283, -2.1961, []string{"WV8"}},
		{"Penkridge", 52.7234, -2.1175, []string{"ST19"}},
		{"Perton", 52.5945, -2.2049, []string{"WV6"}},
		{"Wombourne", 52.5347, -2.1858, []string{"WV5"}},
	}, 12},
	{"Stafford", []town{
		{"Stafford", 52.8066, -2.1171, []string{"ST16", "ST17", "ST18"}},
		{"Stone", 52.9034, -2.1470, []string{"ST15"}},
	}, 15},
	{"Staffordshire Moorlands", []town{
		{"Leek", 53.1046, -2.0230, []string{"ST13"}},
		{"Cheadle", 52.9873, -1.9887, []string{"ST10"}},
		{"Biddulph", 53.1178, -2.1750, []string{"ST8"}},
	}, 11},
	{"Tamworth", []town{
		{"Tamworth", 52.6338, -1.6952, []string{"B77", "B78", "B79"}},
	}, 11},
}

var staffsOrganisations = []domain.Organisation{
	// Staffordshire's GSS code E10000028 does not fit an ODS code and the
	// council has no ODS code homes would know it by, so none is given: the
	// council is found by name (CommissionerOrganisation).
	{Kind: domain.OrgLocalAuthority, Name: "Staffordshire County Council", LocalAuthority: "Staffordshire"},
	{Kind: domain.OrgICB, Name: "Staffordshire and Stoke-on-Trent ICB", ODSCode: "QNC"},
	{Kind: domain.OrgNHSTrust, Name: "University Hospitals of North Midlands NHS Trust", ODSCode: "RJE"},
	{Kind: domain.OrgNHSTrust, Name: "University Hospitals of Derby and Burton NHS Foundation Trust", ODSCode: "RTG"},
	{Kind: domain.OrgNHSTrust, Name: "Midlands Partnership University NHS Foundation Trust", ODSCode: "RRE"},
}

// staffsProviders are invented care providers; ODS codes have the three-character
// head-office shape but are made up.
var staffsProviders = []domain.Organisation{
	{Kind: domain.OrgCareProvider, Name: "Trentside Care Ltd", ODSCode: "AB1"},
	{Kind: domain.OrgCareProvider, Name: "Moorland Homes Ltd", ODSCode: "AC2"},
	{Kind: domain.OrgCareProvider, Name: "Cannock Chase Care Group", ODSCode: "AD3"},
	{Kind: domain.OrgCareProvider, Name: "Heartlands Nursing Ltd", ODSCode: "AE4"},
	{Kind: domain.OrgCareProvider, Name: "Three Spires Healthcare Ltd", ODSCode: "AF5"},
	{Kind: domain.OrgCareProvider, Name: "Dove Valley Care Ltd", ODSCode: "AG6"},
	{Kind: domain.OrgCareProvider, Name: "Castle Care Homes Ltd", ODSCode: "C1A"},
	{Kind: domain.OrgCareProvider, Name: "Kingfisher Living Ltd", ODSCode: "C2X"},
	{Kind: domain.OrgCareProvider, Name: "Sandon Care Partnership", ODSCode: "C3K"},
	{Kind: domain.OrgCareProvider, Name: "Oakleaf Senior Living Ltd", ODSCode: "C4M"},
	{Kind: domain.OrgCareProvider, Name: "Wychnor Care Ltd", ODSCode: "C5P"},
	{Kind: domain.OrgCareProvider, Name: "Mercia Residential Care Ltd", ODSCode: "C6R"},
}

// staffsHospitals: the two community hospitals are placed under MPFT (RRE) as
// briefed; they may belong to UHDB (RTG) instead, so check before quoting.
var staffsHospitals = []HospitalSeed{
	{domain.Hospital{Name: "Royal Stoke University Hospital", Latitude: 53.0027, Longitude: -2.2137}, "RJE"},
	{domain.Hospital{Name: "County Hospital Stafford", Latitude: 52.8266, Longitude: -2.1198}, "RJE"},
	{domain.Hospital{Name: "Queen's Hospital Burton", Latitude: 52.8186, Longitude: -1.6580}, "RTG"},
	{domain.Hospital{Name: "Samuel Johnson Community Hospital", Latitude: 52.6929, Longitude: -1.8101}, "RRE"},
	{domain.Hospital{Name: "Sir Robert Peel Community Hospital", Latitude: 52.6240, Longitude: -1.7213}, "RRE"},
}

var homeNames = []string{
	"Ashcroft", "The Beeches", "Oakwood", "Meadowbank", "Willow Bank", "Hollybank", "Elmhurst",
	"Rosewood", "Brookfield", "Cedar Lodge", "Fernlea", "Hawthorn", "Larchwood", "Maple Court",
	"Orchard View", "The Priory", "Riverside", "Springfield", "Thornbury", "Westgate", "Abbeyfield",
	"Birchwood", "Chase View", "Dovecote", "Eastfield", "Foxhollow", "Greenacres", "Heathside",
	"Ivy Grange", "Juniper", "Kingsmead", "Lindens", "Moorview", "Netherton", "Oaklands",
	"Parkside", "Queensway", "Rowan", "Sandon", "Trentham", "Upper Meadow", "Valley View",
	"Woodlands", "Yew Tree", "The Limes", "The Laurels", "Highfield", "Lakeside", "Millbrook",
	"Sycamore",
}

var homeSuffixes = []string{"House", "Lodge", "Court", "Manor", "Grange", "Hall"}

var streets = []string{
	"Station Road", "Church Lane", "High Street", "Stone Road", "Lichfield Road", "Park Avenue",
	"Mill Lane", "Newcastle Road", "Uttoxeter Road", "Tamworth Road", "Victoria Road", "The Green",
	"Wolverhampton Road", "Leek Road", "Derby Road", "Cannock Road", "Meadow Way", "Oak Drive",
}

// Specialisms use the CQC's service user band names, as the register lists them.
const (
	bandDementia     = "Dementia"
	bandOlder        = "Older People"
	bandPhysical     = "Physical Disability"
	bandSensory      = "Sensory Impairment"
	bandMentalHealth = "Mental Health"
	bandLearning     = "Learning disabilities or autistic spectrum disorder"
	bandYounger      = "Younger Adults"
)
