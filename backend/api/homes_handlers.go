package api

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"github.com/bedstate/bedstate/backend/cqccsv"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

type homesPage struct {
	Homes      []homeView `json:"homes"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

func (s *Server) listHomes(c *fiber.Ctx) error {
	q := storage.HomeQuery{Limit: 100, District: c.Query("district")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return validation(domain.FieldError{Field: "limit", Reason: "must be 1 to 500"})
		}
		q.Limit = n
	}
	if v := c.Query("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return validation(domain.FieldError{Field: "cursor", Reason: "malformed cursor"})
		}
		q.AfterID = n
	}
	p := who(c)
	switch p.Role {
	case domain.RoleManager:
		u, err := s.store.UserByID(c.UserContext(), p.UserID)
		if err != nil {
			return err
		}
		q.IDs = u.HomeIDs
		if q.IDs == nil {
			q.IDs = []int64{}
		}
	case domain.RoleCommissioner:
		a, err := s.area(c)
		if err != nil {
			return err
		}
		q.Area = &a
	}
	homes, err := s.store.ListHomes(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := homesPage{Homes: make([]homeView, len(homes))}
	now := s.now()
	for i, h := range homes {
		out.Homes[i] = viewHome(h, now)
	}
	if len(homes) == q.Limit {
		out.NextCursor = strconv.FormatInt(homes[len(homes)-1].ID, 10)
	}
	return c.JSON(out)
}

// loadHome reads the home named in the path.
func (s *Server) loadHome(c *fiber.Ctx) (domain.Home, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id < 1 {
		return domain.Home{}, problem(kindNotFound, "no such home")
	}
	h, err := s.store.GetHome(c.UserContext(), id)
	if errors.Is(err, storage.ErrNotFound) {
		return h, problem(kindNotFound, "no such home")
	}
	return h, err
}

func (s *Server) getHome(c *fiber.Ctx) error {
	h, err := s.loadHome(c)
	if err != nil {
		return err
	}
	if err := s.canRead(c, h); err != nil {
		return err
	}
	return c.JSON(viewHome(h, s.now()))
}

// homeInput is what admins and commissioners send to create a home.
type homeInput struct {
	CQCLocationID  string        `json:"cqc_location_id"`
	ODSCode        string        `json:"ods_code"`
	Name           string        `json:"name"`
	Address        string        `json:"address"`
	Postcode       string        `json:"postcode"`
	Phone          string        `json:"phone"`
	Latitude       float64       `json:"latitude"`
	Longitude      float64       `json:"longitude"`
	LocalAuthority string        `json:"local_authority"`
	District       string        `json:"district"`
	ICB            string        `json:"icb"`
	RegisteredBeds int           `json:"registered_beds"`
	Nursing        bool          `json:"nursing"`
	Rating         domain.Rating `json:"cqc_rating"`
	RatingDate     *time.Time    `json:"cqc_rating_date"`
	Specialisms    []string      `json:"specialisms"`
}

func (s *Server) createHome(c *fiber.Ctx) error {
	var in homeInput
	if err := decode(c, &in); err != nil {
		return err
	}
	h := domain.Home{CQCLocationID: in.CQCLocationID, ODSCode: in.ODSCode, Name: in.Name, Address: in.Address,
		Postcode: in.Postcode, Phone: in.Phone, Latitude: in.Latitude, Longitude: in.Longitude,
		LocalAuthority: in.LocalAuthority, District: in.District, ICB: in.ICB, RegisteredBeds: in.RegisteredBeds,
		Nursing: in.Nursing, Rating: in.Rating, RatingDate: in.RatingDate, Specialisms: in.Specialisms}
	if err := h.Validate(); err != nil {
		return err
	}
	if err := s.canCommission(c, h); err != nil {
		return err
	}
	out, err := s.store.CreateHome(c.UserContext(), who(c).actor(c, ""), h)
	if errors.Is(err, storage.ErrDuplicate) {
		return problem(kindDuplicate, "a home with this CQC location ID exists")
	}
	if err != nil {
		return err
	}
	s.Reload(c.UserContext(), out.ID)
	c.Location("/api/v1/homes/" + strconv.FormatInt(out.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(viewHome(out, s.now()))
}

// homeEditInput is a partial edit; absent fields stay as they are.
type homeEditInput struct {
	ODSCode        *string        `json:"ods_code"`
	Name           *string        `json:"name"`
	Address        *string        `json:"address"`
	Postcode       *string        `json:"postcode"`
	Phone          *string        `json:"phone"`
	Latitude       *float64       `json:"latitude"`
	Longitude      *float64       `json:"longitude"`
	LocalAuthority *string        `json:"local_authority"`
	District       *string        `json:"district"`
	ICB            *string        `json:"icb"`
	RegisteredBeds *int           `json:"registered_beds"`
	Nursing        *bool          `json:"nursing"`
	Rating         *domain.Rating `json:"cqc_rating"`
	RatingDate     *time.Time     `json:"cqc_rating_date"`
	Specialisms    *[]string      `json:"specialisms"`
}

func (s *Server) updateHome(c *fiber.Ctx) error {
	h, err := s.loadHome(c)
	if err != nil {
		return err
	}
	if err := s.canCommission(c, h); err != nil {
		return err
	}
	var in homeEditInput
	if err := decode(c, &in); err != nil {
		return err
	}
	edit := storage.HomeEdit(in)
	out, err := s.store.UpdateHome(c.UserContext(), who(c).actor(c, ""), h.ID, edit, func(old, next domain.Home) error {
		if err := next.Validate(); err != nil {
			return err
		}
		// A commissioner may not move a home out of their own area.
		return s.canCommission(c, next)
	})
	if err != nil {
		return err
	}
	s.Reload(c.UserContext(), out.ID)
	return c.JSON(viewHome(out, s.now()))
}

type importResult struct {
	storage.ImportResult
	Errors []cqccsv.RowError `json:"errors"`
}

// importHomes takes a CSV in the CQC care directory's layout. Rows with errors
// are reported and skipped; the good rows are written in one transaction.
func (s *Server) importHomes(c *fiber.Ctx) error {
	ct := c.Get(fiber.HeaderContentType)
	if !bytes.HasPrefix([]byte(ct), []byte("text/csv")) {
		return problem(kindMediaType, "send text/csv")
	}
	rows, rowErrs, err := cqccsv.Parse(bytes.NewReader(c.Body()))
	if err != nil {
		return validation(domain.FieldError{Field: "body", Reason: err.Error()})
	}
	homes := make([]domain.Home, len(rows))
	for i, r := range rows {
		homes[i] = r.Home
	}
	isCommissioner := who(c).Role == domain.RoleCommissioner
	var area domain.Area
	if isCommissioner {
		if area, err = s.area(c); err != nil {
			return err
		}
	}
	res, err := s.store.ImportHomes(c.UserContext(), who(c).actor(c, "import"), homes, func(h domain.Home) bool {
		return !isCommissioner || area.Covers(h.LocalAuthority, h.ICB)
	})
	if errors.Is(err, storage.ErrForbidden) {
		return problem(kindForbidden, "the file holds homes outside your organisation's area; nothing was imported")
	}
	if err != nil {
		return err
	}
	s.Reload(c.UserContext(), 0)
	if rowErrs == nil {
		rowErrs = []cqccsv.RowError{}
	}
	return c.JSON(importResult{ImportResult: res, Errors: rowErrs})
}
