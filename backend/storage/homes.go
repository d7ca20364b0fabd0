package storage

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"gorm.io/gorm"
)

// HomeQuery selects homes for listing.
type HomeQuery struct {
	Area     *domain.Area // commissioners see their area only
	IDs      []int64      // managers see their own homes only; nil means no restriction
	AfterID  int64        // keyset cursor
	Limit    int
	District string
}

// ListHomes lists homes by id, at most q.Limit of them after q.AfterID.
func (s *Store) ListHomes(ctx context.Context, q HomeQuery) ([]domain.Home, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	tx := db.Model(&homeRow{}).Where("id > ?", q.AfterID).Order("id").Limit(q.Limit)
	if q.Area != nil {
		tx = tx.Where("(local_authority = ? AND ? <> '') OR (icb = ? AND ? <> '')",
			q.Area.LocalAuthority, q.Area.LocalAuthority, q.Area.ICB, q.Area.ICB)
	}
	if q.IDs != nil {
		if len(q.IDs) == 0 {
			return []domain.Home{}, nil
		}
		tx = tx.Where("id IN ?", q.IDs)
	}
	if q.District != "" {
		tx = tx.Where("district = ?", q.District)
	}
	var rows []homeRow
	if err := tx.Find(&rows).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]domain.Home, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// GetHome reads one home.
func (s *Store) GetHome(ctx context.Context, id int64) (domain.Home, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r homeRow
	if err := db.Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.Home{}, classify(err)
	}
	return r.domain(), nil
}

// HomeByCQCID reads one home by its CQC location ID.
func (s *Store) HomeByCQCID(ctx context.Context, cqcID string) (domain.Home, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r homeRow
	if err := db.Where("cqc_location_id = ?", cqcID).Take(&r).Error; err != nil {
		return domain.Home{}, classify(err)
	}
	return r.domain(), nil
}

// CreateHome adds a home and audits it. A second home with the same CQC
// location ID is refused with ErrDuplicate.
func (s *Store) CreateHome(ctx context.Context, a Actor, h domain.Home) (domain.Home, error) {
	var out domain.Home
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = s.createHome(tx, a, h)
		return err
	})
	return out, err
}

func (s *Store) createHome(tx *gorm.DB, a Actor, h domain.Home) (domain.Home, error) {
	h.ID = 0
	h.UpdatedAt = s.now()
	h.Status, h.StatusReason, h.StatusExpiresAt = domain.Open, "", nil
	h.BedsObservedAt = nil
	if h.Suspended {
		t := s.now()
		h.SuspendedAt = &t
	}
	r := homeRowFrom(h)
	if err := tx.Create(&r).Error; err != nil {
		return domain.Home{}, err
	}
	out := r.domain()
	_, err := s.record(tx, r.ID, KindHome, a, nil, nil, out)
	return out, err
}

// HomeEdit is the part of a home an admin or commissioner may edit; status,
// suspension and beds have their own audited calls.
type HomeEdit struct {
	ODSCode        *string
	Name           *string
	Address        *string
	Postcode       *string
	Phone          *string
	Latitude       *float64
	Longitude      *float64
	LocalAuthority *string
	District       *string
	ICB            *string
	RegisteredBeds *int
	Nursing        *bool
	Rating         *domain.Rating
	RatingDate     *time.Time
	Specialisms    *[]string
}

// Apply returns h with the edit's fields set.
func (e HomeEdit) Apply(h domain.Home) domain.Home {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&h.ODSCode, e.ODSCode)
	set(&h.Name, e.Name)
	set(&h.Address, e.Address)
	set(&h.Postcode, e.Postcode)
	set(&h.Phone, e.Phone)
	set(&h.LocalAuthority, e.LocalAuthority)
	set(&h.District, e.District)
	set(&h.ICB, e.ICB)
	if e.Latitude != nil {
		h.Latitude = *e.Latitude
	}
	if e.Longitude != nil {
		h.Longitude = *e.Longitude
	}
	if e.RegisteredBeds != nil {
		h.RegisteredBeds = *e.RegisteredBeds
	}
	if e.Nursing != nil {
		h.Nursing = *e.Nursing
	}
	if e.Rating != nil {
		h.Rating = *e.Rating
	}
	if e.RatingDate != nil {
		h.RatingDate = e.RatingDate
	}
	if e.Specialisms != nil {
		h.Specialisms = *e.Specialisms
	}
	return h
}

// UpdateHome applies an edit after check approves the edited home (the
// caller's scope and validation), in one transaction.
func (s *Store) UpdateHome(ctx context.Context, a Actor, id int64, e HomeEdit, check func(old, new domain.Home) error) (domain.Home, error) {
	var out domain.Home
	err := s.tx(ctx, func(tx *gorm.DB) error {
		cur, err := s.loadBeds(tx, id, true)
		if err != nil {
			return err
		}
		next := e.Apply(cur.Home)
		if err := check(cur.Home, next); err != nil {
			return err
		}
		next.UpdatedAt = s.now()
		r := homeRowFrom(next)
		if err := tx.Model(&homeRow{}).Where("id = ?", id).Select("*").Omit("id").Updates(&r).Error; err != nil {
			return err
		}
		out = r.domain() // as stored, with defaults filled in
		_, err = s.record(tx, id, KindHome, a, nil, cur.Home, out)
		return err
	})
	return out, err
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// importTimeout bounds an import's one transaction: a national register
// (15,000 homes, each written and audited) takes far longer than a request's
// usual database timeout.
const importTimeout = 10 * time.Minute

// importLookup is how many CQC IDs one query looks up, well under SQLite's
// and PostgreSQL's limits on bound parameters.
const importLookup = 1000

// ImportHomes creates homes by CQC location ID, or updates the register's
// fields of those that exist (name, address, beds, rating...), leaving beds,
// status and suspension alone. It runs in one transaction: all or nothing.
func (s *Store) ImportHomes(ctx context.Context, a Actor, homes []domain.Home, allowed func(domain.Home) bool) (ImportResult, error) {
	var res ImportResult
	err := s.txWithin(ctx, importTimeout, func(tx *gorm.DB) error {
		existing, err := homesByCQCID(tx, homes)
		if err != nil {
			return err
		}
		for _, h := range homes {
			if !allowed(h) {
				return ErrForbidden
			}
			old, ok := existing[h.CQCLocationID]
			if !ok {
				out, err := s.createHome(tx, a, h)
				if err != nil {
					return err
				}
				existing[h.CQCLocationID] = out // a repeated row updates it
				res.Created++
				continue
			}
			if !allowed(old) {
				return ErrForbidden
			}
			next := old
			next.ODSCode, next.Name, next.Address, next.Postcode = h.ODSCode, h.Name, h.Address, h.Postcode
			next.Phone, next.Latitude, next.Longitude = h.Phone, h.Latitude, h.Longitude
			next.LocalAuthority, next.District, next.ICB = h.LocalAuthority, h.District, h.ICB
			next.RegisteredBeds, next.Nursing, next.Rating, next.RatingDate = h.RegisteredBeds, h.Nursing, h.Rating, h.RatingDate
			next.Specialisms, next.ProviderID = h.Specialisms, h.ProviderID
			next.UpdatedAt = s.now()
			r := homeRowFrom(next)
			if err := tx.Model(&homeRow{}).Where("id = ?", old.ID).Select("*").Omit("id").Updates(&r).Error; err != nil {
				return err
			}
			if _, err := s.record(tx, old.ID, KindHome, a, nil, old, r.domain()); err != nil {
				return err
			}
			existing[h.CQCLocationID] = r.domain()
			res.Updated++
		}
		return nil
	})
	return res, err
}

// homesByCQCID reads the homes the import names that exist already, a chunk
// of CQC IDs a query.
func homesByCQCID(tx *gorm.DB, homes []domain.Home) (map[string]domain.Home, error) {
	ids := make([]string, len(homes))
	for i, h := range homes {
		ids[i] = h.CQCLocationID
	}
	out := make(map[string]domain.Home, len(homes))
	for chunk := range slices.Chunk(ids, importLookup) {
		var rows []homeRow
		if err := tx.Where("cqc_location_id IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.CQCLocationID] = r.domain()
		}
	}
	return out, nil
}

// ErrForbidden refuses a write outside the caller's scope.
var ErrForbidden = errors.New("outside the caller's scope")

// SetStatus changes a home's admissions status and audits it.
func (s *Store) SetStatus(ctx context.Context, a Actor, id int64, c domain.StatusChange) (domain.Home, error) {
	return s.changeHome(ctx, a, id, KindStatus, func(h *domain.Home) any {
		h.Status, h.StatusReason, h.StatusNote, h.StatusExpiresAt = c.Status, c.Reason, c.Note, utcp(c.ExpiresAt)
		if c.Status == domain.Open {
			h.StatusReason, h.StatusExpiresAt = "", nil
		}
		return domain.StatusChange{Status: h.Status, Reason: h.StatusReason, Note: h.StatusNote, ExpiresAt: h.StatusExpiresAt}
	}, func(h domain.Home) any {
		return domain.StatusChange{Status: h.Status, Reason: h.StatusReason, Note: h.StatusNote, ExpiresAt: h.StatusExpiresAt}
	})
}

// SetSuspension suspends a home from new placements or reinstates it.
func (s *Store) SetSuspension(ctx context.Context, a Actor, id int64, sus domain.Suspension) (domain.Home, error) {
	return s.changeHome(ctx, a, id, KindSuspension, func(h *domain.Home) any {
		h.Suspended, h.SuspensionReason = sus.Suspended, sus.Reason
		if sus.Suspended {
			t := s.now()
			h.SuspendedAt = &t
		} else {
			h.SuspendedAt = nil
		}
		return domain.Suspension{Suspended: h.Suspended, Reason: h.SuspensionReason}
	}, func(h domain.Home) any {
		return domain.Suspension{Suspended: h.Suspended, Reason: h.SuspensionReason}
	})
}

func (s *Store) changeHome(ctx context.Context, a Actor, id int64, kind string, apply func(*domain.Home) any, view func(domain.Home) any) (domain.Home, error) {
	var out domain.Home
	err := s.tx(ctx, func(tx *gorm.DB) error {
		cur, err := s.loadBeds(tx, id, true)
		if err != nil {
			return err
		}
		old := view(cur.Home)
		next := cur.Home
		neu := apply(&next)
		next.UpdatedAt = s.now()
		r := homeRowFrom(next)
		if err := tx.Model(&homeRow{}).Where("id = ?", id).Select("*").Omit("id").Updates(&r).Error; err != nil {
			return err
		}
		out = r.domain()
		if kind == KindStatus { // a new decision: its own lapse is yet to come
			if err := tx.Exec(`UPDATE homes SET closure_lapse_seen = ? WHERE id = ?`, false, id).Error; err != nil {
				return err
			}
		}
		_, err = s.record(tx, id, kind, a, nil, old, neu)
		return err
	})
	return out, err
}

// AnnounceLapsedClosures finds closures and restrictions whose expiry has
// passed and not yet been announced, marks them, and records a lapse event
// for each, so the dispatcher tells coordinators the home is offered again.
// The home's stored status stays as it was: the home is asked to decide.
func (s *Store) AnnounceLapsedClosures(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *gorm.DB) error {
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		var rows []homeRow
		if err := tx.Raw(`SELECT * FROM homes WHERE status <> 'open' AND status_expires_at <= ? AND closure_lapse_seen = ?
			ORDER BY id LIMIT 500`+lock, now.UTC(), false).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := tx.Exec(`UPDATE homes SET closure_lapse_seen = ? WHERE id = ?`, true, r.ID).Error; err != nil {
				return err
			}
			h := r.domain()
			was := domain.StatusChange{Status: h.Status, Reason: h.StatusReason, Note: h.StatusNote, ExpiresAt: h.StatusExpiresAt}
			// The stored status does not change (the home is asked to decide), so
			// old and new are the same: the kind says what happened.
			if _, err := s.record(tx, r.ID, KindLapse, Actor{Subject: "system", Source: "api"}, nil, was, was); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Area is one local authority's district, with how many homes it has.
type Area struct {
	LocalAuthority string `json:"local_authority"`
	District       string `json:"district"`
	Homes          int    `json:"homes"`
}

// Areas lists every local authority and district that has homes, for
// filters.
func (s *Store) Areas(ctx context.Context) ([]Area, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var out []Area
	err := db.Raw(`SELECT local_authority, district, COUNT(*) AS homes FROM homes
		GROUP BY local_authority, district ORDER BY local_authority, district`).Scan(&out).Error
	if out == nil {
		out = []Area{}
	}
	return out, classify(err)
}
