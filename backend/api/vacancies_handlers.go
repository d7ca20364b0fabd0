package api

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/vacancy"
	"github.com/gofiber/fiber/v2"
)

var vacancyParams = map[string]bool{
	"care_type": true, "client_group": true, "stay_type": true, "local_authority": true, "district": true,
	"lat": true, "lon": true, "hospital_id": true, "radius_km": true, "min_rating": true, "guide_rate_only": true,
	"admit_within": true, "freshness": true, "include_closed": true, "include_suspended": true, "limit": true, "cursor": true,
}

type vacancyCategory struct {
	CareType          domain.CareType    `json:"care_type"`
	ClientGroup       domain.ClientGroup `json:"client_group"`
	Available         int                `json:"available"`
	StayTypes         []domain.StayType  `json:"stay_types"`
	AdmitWithin       domain.AdmitWithin `json:"admit_within,omitempty"`
	WeeklyFeeFrom     *int               `json:"weekly_fee_from,omitempty"`
	GuideRateAccepted *bool              `json:"guide_rate_accepted,omitempty"`
	TopUpRequired     *bool              `json:"top_up_required,omitempty"`
	ObservedAt        time.Time          `json:"observed_at"`
	Freshness         domain.Freshness   `json:"freshness"`
}

type vacancyResult struct {
	ID             int64                  `json:"id"`
	CQCLocationID  string                 `json:"cqc_location_id"`
	Name           string                 `json:"name"`
	District       string                 `json:"district"`
	LocalAuthority string                 `json:"local_authority"`
	Postcode       string                 `json:"postcode"`
	Phone          string                 `json:"phone,omitempty"`
	Latitude       float64                `json:"latitude"`
	Longitude      float64                `json:"longitude"`
	Rating         domain.Rating          `json:"cqc_rating"`
	Nursing        bool                   `json:"nursing"`
	Status         domain.AdmissionStatus `json:"status"`
	Suspended      bool                   `json:"suspended"`
	DistanceKm     *float64               `json:"distance_km,omitempty"`
	ObservedAt     time.Time              `json:"observed_at"`
	Freshness      domain.Freshness       `json:"freshness"`
	Categories     []vacancyCategory      `json:"categories"`
}

type vacancyPage struct {
	Vacancies  []vacancyResult `json:"vacancies"`
	Total      int             `json:"total"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// vacancies answers from the in-memory snapshot. The ETag is a hash of the
// answer itself and the caller's role, so it changes only when this answer
// does (a bed update at a home outside it keeps the poller's 304), and the
// freshness bands in the answer make it change as figures age. The index
// remembers each (role, query)'s last ETag with the snapshot generation and
// minute it was computed at, so a revalidation of an unchanged snapshot
// within the minute is a 304 that costs no search.
func (s *Server) vacancies(c *fiber.Ctx) error {
	now := s.now()
	role := who(c).Role
	key := string(role) + " " + string(c.Request().URI().QueryString())
	modified := s.index.LastModified()
	if minute := now.Truncate(time.Minute); minute.After(modified) {
		modified = minute
	}
	cacheHeaders := func(etag string) {
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderLastModified, modified.Format(http.TimeFormat))
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		c.Set(fiber.HeaderVary, "Authorization")
	}
	// Only valid queries are remembered, so a match needs no parsing.
	if etag, ok := s.index.ETag(key, now); ok && notModified(c, etag, modified) {
		s.metrics.notModified.Inc()
		cacheHeaders(etag)
		return c.SendStatus(fiber.StatusNotModified)
	}
	q, err := s.vacancyQuery(c)
	if err != nil {
		return err
	}
	gen := s.index.Generation() // before the search: a racing change makes the entry stale, not wrong
	body, err := json.Marshal(vacancyPageOf(s.index.Search(q, now), s.index.Thresholds(), now))
	if err != nil {
		return err
	}
	h := sha256.New()
	h.Write([]byte(role + "\n"))
	h.Write(body)
	etag := fmt.Sprintf(`W/"%x"`, h.Sum(nil)[:16])
	s.index.RememberETag(key, gen, now, etag)
	cacheHeaders(etag)
	if notModified(c, etag, modified) {
		s.metrics.notModified.Inc()
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

func vacancyPageOf(page vacancy.Page, th domain.Thresholds, now time.Time) vacancyPage {
	out := vacancyPage{Vacancies: make([]vacancyResult, len(page.Results)), Total: page.Total}
	for i, r := range page.Results {
		v := vacancyResult{ID: r.Home.ID, CQCLocationID: r.Home.CQCLocationID, Name: r.Home.Name, District: r.Home.District,
			LocalAuthority: r.Home.LocalAuthority, Postcode: r.Home.Postcode, Phone: r.Home.Phone,
			Latitude: r.Home.Latitude, Longitude: r.Home.Longitude, Rating: r.Home.Rating, Nursing: r.Home.Nursing,
			Status: r.Status, Suspended: r.Home.Suspended, DistanceKm: r.DistanceKm, ObservedAt: r.ObservedAt,
			Freshness: r.Freshness, Categories: make([]vacancyCategory, len(r.Categories))}
		for j, cat := range r.Categories {
			stays := cat.StayTypes
			if stays == nil {
				stays = []domain.StayType{}
			}
			v.Categories[j] = vacancyCategory{CareType: cat.CareType, ClientGroup: cat.ClientGroup, Available: cat.Available,
				StayTypes: stays, AdmitWithin: cat.AdmitWithin, WeeklyFeeFrom: cat.WeeklyFeeFrom,
				GuideRateAccepted: cat.GuideRateAccepted, TopUpRequired: cat.TopUpRequired,
				ObservedAt: cat.ObservedAt, Freshness: th.Band(cat.ObservedAt, now)}
		}
		out.Vacancies[i] = v
	}
	if page.Next != nil {
		out.NextCursor = page.Next.String()
	}
	return out
}

func notModified(c *fiber.Ctx, etag string, modified time.Time) bool {
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			// "*" is not honoured: it would answer 304 to a query never validated.
			if strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false // If-None-Match wins over If-Modified-Since (RFC 9110)
	}
	if ims := c.Get(fiber.HeaderIfModifiedSince); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

func (s *Server) vacancyQuery(c *fiber.Ctx) (vacancy.Query, error) {
	v := &domain.ValidationError{}
	args := c.Request().URI().QueryArgs()
	var f domain.Filter
	var err error
	list := func(name string) []string {
		var out []string
		for _, b := range args.PeekMulti(name) {
			for _, part := range strings.Split(string(b), ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
		return out
	}
	args.VisitAll(func(k, _ []byte) {
		if !vacancyParams[string(k)] {
			v.Add(string(k), "unknown query parameter")
		}
	})
	for _, t := range list("care_type") {
		f.CareTypes = append(f.CareTypes, domain.CareType(t))
	}
	for _, g := range list("client_group") {
		f.ClientGroups = append(f.ClientGroups, domain.ClientGroup(g))
	}
	f.StayType = domain.StayType(c.Query("stay_type"))
	f.LocalAuthorities = list("local_authority")
	f.Districts = list("district")
	f.MinRating = domain.Rating(c.Query("min_rating"))
	f.AdmitWithin = domain.AdmitWithin(c.Query("admit_within"))
	f.MinFreshness = domain.Freshness(c.Query("freshness"))
	f.GuideRateOnly = boolQuery(c, "guide_rate_only", v)
	f.IncludeClosed = boolQuery(c, "include_closed", v)
	f.IncludeSuspended = boolQuery(c, "include_suspended", v)
	if f.IncludeSuspended && who(c).Role != domain.RoleAdmin && who(c).Role != domain.RoleCommissioner {
		return vacancy.Query{}, problem(kindForbidden, "only commissioners and admins may include suspended homes")
	}
	for _, p := range []struct {
		name string
		dst  **float64
	}{{"lat", &f.Latitude}, {"lon", &f.Longitude}} {
		if s := c.Query(p.name); s != "" {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				v.Add(p.name, "must be a number")
				continue
			}
			*p.dst = &x
		}
	}
	if s := c.Query("radius_km"); s != "" {
		if f.RadiusKm, err = strconv.ParseFloat(s, 64); err != nil {
			v.Add("radius_km", "must be a number")
		}
	}
	if hid := c.Query("hospital_id"); hid != "" {
		id, err := strconv.ParseInt(hid, 10, 64)
		if err != nil {
			v.Add("hospital_id", "must be a hospital id")
		} else if f.Latitude != nil {
			v.Add("hospital_id", "give a hospital or a point, not both")
		} else {
			hosp, err := s.store.Hospital(c.UserContext(), id)
			if isNotFound(err) {
				v.Add("hospital_id", "no such hospital")
			} else if err != nil {
				return vacancy.Query{}, err
			} else {
				f.Latitude, f.Longitude = &hosp.Latitude, &hosp.Longitude
			}
		}
	}
	limit, err := intQuery(c, "limit", 50, 1, 200)
	if err != nil {
		return vacancy.Query{}, err
	}
	q := vacancy.Query{Filter: f, Limit: limit}
	if cur := c.Query("cursor"); cur != "" {
		if q.After, err = vacancy.ParseCursor(cur); err != nil {
			v.Add("cursor", "malformed cursor")
		}
	}
	if err := v.Err(); err != nil {
		return q, err
	}
	return q, f.Validate()
}

func boolQuery(c *fiber.Ctx, name string, v *domain.ValidationError) bool {
	switch c.Query(name) {
	case "", "false":
		return false
	case "true":
		return true
	}
	v.Add(name, "must be true or false")
	return false
}

// listAreas gives the local authorities and districts that have homes, for
// the board's and alert filters' area lists.
func (s *Server) listAreas(c *fiber.Ctx) error {
	areas, err := s.store.Areas(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"areas": areas})
}

func (s *Server) listHospitals(c *fiber.Ctx) error {
	hs, err := s.store.Hospitals(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"hospitals": hs})
}
