package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) getBeds(c *fiber.Ctx) error {
	h, err := s.loadHome(c)
	if err != nil {
		return err
	}
	if err := s.canRead(c, h); err != nil {
		return err
	}
	st, err := s.store.GetBeds(c.UserContext(), h.ID)
	if err != nil {
		return err
	}
	return c.JSON(s.bedsView(st))
}

// categoryInput is one category as a manager sends it; the server stamps
// observed and received times.
type categoryInput struct {
	CareType          domain.CareType          `json:"care_type"`
	ClientGroup       domain.ClientGroup       `json:"client_group"`
	Capacity          int                      `json:"capacity"`
	Occupied          int                      `json:"occupied"`
	Reserved          int                      `json:"reserved"`
	Available         int                      `json:"available"`
	Unavailable       int                      `json:"unavailable"`
	UnavailableReason domain.UnavailableReason `json:"unavailable_reason"`
	StayTypes         []domain.StayType        `json:"stay_types"`
	Allocation        domain.Allocation        `json:"allocation"`
	BlockBookedBy     string                   `json:"block_booked_by"`
	FreeWithin24h     *int                     `json:"free_within_24h"`
	FreeWithin72h     *int                     `json:"free_within_72h"`
	WeeklyFeeFrom     *int                     `json:"weekly_fee_from"`
	GuideRateAccepted *bool                    `json:"guide_rate_accepted"`
	TopUpRequired     *bool                    `json:"top_up_required"`
	AdmitWithin       domain.AdmitWithin       `json:"admit_within"`
	Note              string                   `json:"note"`
}

type bedsInput struct {
	ObservedAt *time.Time      `json:"observed_at"`
	Categories []categoryInput `json:"categories"`
}

// write runs a bed write once per Idempotency-Key and answers with its
// result; a replay answers with the first result and writes nothing.
func (s *Server) write(c *fiber.Ctx, h domain.Home, fn func(tx *storage.Store) (any, error)) error {
	key := c.Get("Idempotency-Key")
	if len(key) > 200 {
		return validation(domain.FieldError{Field: "Idempotency-Key", Reason: "at most 200 characters"})
	}
	sum := sha256.Sum256(c.Body())
	fingerprint := c.Method() + " " + c.Path() + " " + hex.EncodeToString(sum[:])
	res, replayed, err := s.store.Idempotent(c.UserContext(), who(c).Subject, key, fingerprint, func(tx *storage.Store) (storage.Response, error) {
		v, err := fn(tx)
		if err != nil {
			return storage.Response{}, err
		}
		body, err := json.Marshal(v)
		return storage.Response{Status: fiber.StatusOK, Body: body}, err
	})
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
	} else {
		s.Reload(c.UserContext(), h.ID)
		if s.opts.Notifier != nil {
			s.opts.Notifier.Wake() // the outbox row is committed: alerts go now
		}
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(res.Status).Send(res.Body)
}

func (s *Server) bedHome(c *fiber.Ctx) (domain.Home, error) {
	h, err := s.loadHome(c)
	if err != nil {
		return h, err
	}
	return h, s.canWriteBeds(c, h)
}

func (s *Server) putBeds(c *fiber.Ctx) error {
	h, err := s.bedHome(c)
	if err != nil {
		return err
	}
	var in bedsInput
	if err := decode(c, &in); err != nil {
		return err
	}
	observed, err := checkObserved("observed_at", in.ObservedAt, s.now(), true)
	if err != nil {
		return err
	}
	if in.Categories == nil {
		return validation(domain.FieldError{Field: "categories", Reason: "required (an empty list removes every category)"})
	}
	cats := make([]domain.Category, len(in.Categories))
	for i, ci := range in.Categories {
		cats[i] = domain.Category{CategoryKey: domain.CategoryKey{CareType: ci.CareType, ClientGroup: ci.ClientGroup},
			Counts:            domain.Counts{Capacity: ci.Capacity, Occupied: ci.Occupied, Reserved: ci.Reserved, Available: ci.Available, Unavailable: ci.Unavailable},
			UnavailableReason: ci.UnavailableReason, StayTypes: ci.StayTypes, Allocation: ci.Allocation, BlockBookedBy: ci.BlockBookedBy,
			FreeWithin24h: ci.FreeWithin24h, FreeWithin72h: ci.FreeWithin72h, WeeklyFeeFrom: ci.WeeklyFeeFrom,
			GuideRateAccepted: ci.GuideRateAccepted, TopUpRequired: ci.TopUpRequired, AdmitWithin: ci.AdmitWithin, Note: ci.Note}
	}
	// Validate before the transaction too, so bad input costs no lock.
	if _, err := domain.ValidateCategories(cats, h.RegisteredBeds); err != nil {
		return err
	}
	actor := who(c).actor(c, "")
	return s.write(c, h, func(tx *storage.Store) (any, error) {
		st, err := tx.PutBeds(c.UserContext(), actor, h.ID, observed, cats)
		return s.bedsView(st), err
	})
}

type confirmInput struct {
	ObservedAt *time.Time `json:"observed_at"`
}

func (s *Server) confirmBeds(c *fiber.Ctx) error {
	h, err := s.bedHome(c)
	if err != nil {
		return err
	}
	var in confirmInput
	if len(c.Body()) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	observed, err := checkObserved("observed_at", in.ObservedAt, s.now(), false)
	if err != nil {
		return err
	}
	actor := who(c).actor(c, "")
	return s.write(c, h, func(tx *storage.Store) (any, error) {
		st, err := tx.ConfirmBeds(c.UserContext(), actor, h.ID, observed)
		return s.bedsView(st), err
	})
}

type adjustInput struct {
	CareType    domain.CareType    `json:"care_type"`
	ClientGroup domain.ClientGroup `json:"client_group"`
	From        domain.Bucket      `json:"from"`
	To          domain.Bucket      `json:"to"`
	Count       *int               `json:"count"`
	ObservedAt  *time.Time         `json:"observed_at"`
	// Why, when beds become unavailable; "other" when not given.
	UnavailableReason domain.UnavailableReason `json:"unavailable_reason"`
}

func (s *Server) adjustBed(c *fiber.Ctx) error {
	h, err := s.bedHome(c)
	if err != nil {
		return err
	}
	var in adjustInput
	if err := decode(c, &in); err != nil {
		return err
	}
	m := domain.Move{From: in.From, To: in.To, Count: 1, Reason: in.UnavailableReason}
	if in.Count != nil {
		m.Count = *in.Count
	}
	v := &domain.ValidationError{}
	if !in.CareType.Valid() {
		v.Add("care_type", "must be residential or nursing")
	}
	if !in.ClientGroup.Valid() {
		v.Add("client_group", "unknown client group")
	}
	m.Validate(v)
	if err := v.Err(); err != nil {
		return err
	}
	observed, err := checkObserved("observed_at", in.ObservedAt, s.now(), false)
	if err != nil {
		return err
	}
	key := domain.CategoryKey{CareType: in.CareType, ClientGroup: in.ClientGroup}
	actor := who(c).actor(c, "")
	return s.write(c, h, func(tx *storage.Store) (any, error) {
		st, err := tx.AdjustBed(c.UserContext(), actor, h.ID, key, m, observed)
		if err != nil && isNotFound(err) {
			return nil, problem(kindNotFound, "this home has no "+key.String()+" category")
		}
		return s.bedsView(st), err
	})
}

func (s *Server) setStatus(c *fiber.Ctx) error {
	h, err := s.bedHome(c)
	if err != nil {
		return err
	}
	var in domain.StatusChange
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := in.Validate(s.now()); err != nil {
		return err
	}
	actor := who(c).actor(c, "")
	return s.write(c, h, func(tx *storage.Store) (any, error) {
		out, err := tx.SetStatus(c.UserContext(), actor, h.ID, in)
		return viewHome(out, s.now()), err
	})
}

func (s *Server) setSuspension(c *fiber.Ctx) error {
	h, err := s.loadHome(c)
	if err != nil {
		return err
	}
	if err := s.canCommission(c, h); err != nil {
		return err
	}
	var in domain.Suspension
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	actor := who(c).actor(c, "")
	return s.write(c, h, func(tx *storage.Store) (any, error) {
		out, err := tx.SetSuspension(c.UserContext(), actor, h.ID, in)
		return viewHome(out, s.now()), err
	})
}

type historyPage struct {
	Events     []storage.Event `json:"events"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

func (s *Server) history(c *fiber.Ctx) error {
	h, err := s.loadHome(c)
	if err != nil {
		return err
	}
	if err := s.canAudit(c, h); err != nil {
		return err
	}
	limit, err := intQuery(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	before, err := intQuery(c, "cursor", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	events, err := s.store.History(c.UserContext(), h.ID, int64(before), limit)
	if err != nil {
		return err
	}
	out := historyPage{Events: events}
	if len(events) == limit {
		out.NextCursor = strconv.FormatInt(events[len(events)-1].Seq, 10)
	}
	return c.JSON(out)
}

func intQuery(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, validation(domain.FieldError{Field: name, Reason: "must be a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)})
	}
	return n, nil
}
