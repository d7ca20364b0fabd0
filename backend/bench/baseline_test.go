//go:build bench

package bench

import (
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

// baseline answers the same vacancy searches as GET /api/v1/vacancies with
// one SQL query per request instead of the in-memory snapshot: what the
// service would cost without the vacancy index. It verifies the same access
// token and writes the same JSON, so the comparison is of the search alone.
// It understands the parameters of the benchmark's query mix only.
type baseline struct {
	db   *sql.DB
	pg   bool
	iss  *auth.Issuer
	th   domain.Thresholds
	size int
}

func newBaseline(st *storage.Store, iss *auth.Issuer, th domain.Thresholds) (*baseline, error) {
	db, err := st.DB().DB()
	if err != nil {
		return nil, err
	}
	return &baseline{db: db, pg: st.Dialect() == storage.Postgres, iss: iss, th: th, size: 50}, nil
}

func (b *baseline) app() *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/vacancies", b.vacancies)
	return app
}

// The JSON of one result, as the API writes it.
type baseCategory struct {
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

type baseResult struct {
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
	Categories     []baseCategory         `json:"categories"`
}

type basePage struct {
	Vacancies []baseResult `json:"vacancies"`
	Total     int          `json:"total"`
}

const baselineSelect = `SELECT h.id, h.cqc_location_id, h.name, h.district, h.local_authority, h.postcode, h.phone,
	h.latitude, h.longitude, h.cqc_rating, h.nursing, h.status, h.status_expires_at, h.suspended,
	c.care_type, c.client_group, c.available, c.stay_types, c.admit_within, c.weekly_fee_from,
	c.guide_rate_accepted, c.top_up_required, c.observed_at
FROM bed_categories c JOIN homes h ON h.id = c.home_id
WHERE c.available > 0 AND c.observed_at >= ? AND NOT h.suspended
	AND NOT (h.status = 'closed' AND (h.status_expires_at IS NULL OR h.status_expires_at > ?))`

func (b *baseline) vacancies(c *fiber.Ctx) error {
	token, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if _, err := b.iss.Verify(token); err != nil {
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	now := time.Now().UTC()
	var where strings.Builder
	where.WriteString(baselineSelect)
	// Freshness "ageing" (the default) admits figures up to the stale limit.
	args := []any{now.Add(-b.th.Stale), now}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		fmt.Fprintf(&where, " AND %s IN (?%s)", col, strings.Repeat(", ?", len(vals)-1))
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("c.care_type", list(c, "care_type"))
	in("c.client_group", list(c, "client_group"))
	in("h.local_authority", list(c, "local_authority"))
	if min := domain.Rating(c.Query("min_rating")); min != "" {
		var ok []string
		for _, r := range []domain.Rating{domain.Outstanding, domain.Good, domain.RequiresImprovement, domain.Inadequate} {
			if r.Rank() >= min.Rank() {
				ok = append(ok, string(r))
			}
		}
		in("h.cqc_rating", ok)
	}
	var lat, lon, radius float64
	point := c.Query("lat") != ""
	if point {
		lat, _ = strconv.ParseFloat(c.Query("lat"), 64)
		lon, _ = strconv.ParseFloat(c.Query("lon"), 64)
		radius, _ = strconv.ParseFloat(c.Query("radius_km"), 64)
	}
	if radius > 0 {
		// A bounding box a little larger than the circle; the exact
		// distance is checked below.
		dLat := radius / 110.0
		dLon := radius / (110.0 * math.Cos((math.Abs(lat)+dLat)*math.Pi/180))
		where.WriteString(" AND h.latitude BETWEEN ? AND ? AND h.longitude BETWEEN ? AND ?")
		args = append(args, lat-dLat, lat+dLat, lon-dLon, lon+dLon)
	}
	query := where.String()
	if b.pg {
		query = numbered(query)
	}
	rows, err := b.db.QueryContext(c.UserContext(), query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var results []*baseResult
	byID := map[int64]*baseResult{}
	for rows.Next() {
		var (
			r                      baseResult
			status, stays          string
			expires                sql.NullTime
			cat                    baseCategory
			fee                    sql.NullInt64
			guide, topUp           sql.NullBool
			careType, clientGroup  string
			admit, rating, postcde string
		)
		if err := rows.Scan(&r.ID, &r.CQCLocationID, &r.Name, &r.District, &r.LocalAuthority, &postcde, &r.Phone,
			&r.Latitude, &r.Longitude, &rating, &r.Nursing, &status, &expires, &r.Suspended,
			&careType, &clientGroup, &cat.Available, &stays, &admit, &fee, &guide, &topUp, &cat.ObservedAt); err != nil {
			return err
		}
		res := byID[r.ID]
		if res == nil {
			if point {
				d := domain.DistanceKm(lat, lon, r.Latitude, r.Longitude)
				if radius > 0 && d > radius {
					continue
				}
				d = math.Round(d*100) / 100
				r.DistanceKm = &d
			}
			r.Postcode, r.Rating = postcde, domain.Rating(rating)
			var exp *time.Time
			if expires.Valid {
				exp = &expires.Time
			}
			r.Status = domain.EffectiveStatus(domain.AdmissionStatus(status), exp, now)
			res = &r
			byID[r.ID] = res
			results = append(results, res)
		}
		cat.CareType, cat.ClientGroup, cat.AdmitWithin = domain.CareType(careType), domain.ClientGroup(clientGroup), domain.AdmitWithin(admit)
		cat.StayTypes = []domain.StayType{}
		if stays != "" {
			for _, s := range strings.Split(stays, "|") {
				cat.StayTypes = append(cat.StayTypes, domain.StayType(s))
			}
		}
		if fee.Valid {
			v := int(fee.Int64)
			cat.WeeklyFeeFrom = &v
		}
		if guide.Valid {
			cat.GuideRateAccepted = &guide.Bool
		}
		if topUp.Valid {
			cat.TopUpRequired = &topUp.Bool
		}
		cat.ObservedAt = cat.ObservedAt.UTC()
		cat.Freshness = b.th.Band(cat.ObservedAt, now)
		res.Categories = append(res.Categories, cat)
		if cat.ObservedAt.After(res.ObservedAt) {
			res.ObservedAt = cat.ObservedAt
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	dist := func(r *baseResult) float64 {
		if r.DistanceKm == nil {
			return 0
		}
		return *r.DistanceKm
	}
	sort.Slice(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if dist(a) != dist(b) {
			return dist(a) < dist(b)
		}
		if !a.ObservedAt.Equal(b.ObservedAt) {
			return a.ObservedAt.After(b.ObservedAt)
		}
		return a.ID < b.ID
	})
	page := basePage{Total: len(results), Vacancies: make([]baseResult, 0, b.size)}
	for _, r := range results[:min(b.size, len(results))] {
		r.Freshness = b.th.Band(r.ObservedAt, now)
		sort.SliceStable(r.Categories, func(i, j int) bool { return catRank(r.Categories[i]) < catRank(r.Categories[j]) })
		page.Vacancies = append(page.Vacancies, *r)
	}
	return c.JSON(page)
}

// catRank orders a home's categories as the application lists them.
func catRank(c baseCategory) int {
	return 10*slices.Index(domain.CareTypes, c.CareType) + slices.Index(domain.ClientGroups, c.ClientGroup)
}

// numbered rewrites ? placeholders as PostgreSQL's $1, $2...
func numbered(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// list reads a comma-separated, repeatable query parameter.
func list(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Context().QueryArgs().PeekMulti(name) {
		for _, part := range strings.Split(string(v), ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
