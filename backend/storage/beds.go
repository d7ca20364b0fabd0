package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// BedState is a home's bed categories as stored, with the feed position of
// the change that produced it.
type BedState struct {
	Home       domain.Home `json:"-"`
	ObservedAt *time.Time  `json:"observed_at,omitempty"`
	// When counts last changed and when "no change today" was last
	// confirmed, as observed: what a manager's screen shows.
	UpdatedAt   *time.Time        `json:"-"`
	ConfirmedAt *time.Time        `json:"-"`
	Categories  []domain.Category `json:"categories"`
	Seq         int64             `json:"-"`
	Warnings    []string          `json:"-"`
}

// bedsValue is what the audit keeps for a bed change: the whole state, so
// replaying the events reproduces the current state.
type bedsValue struct {
	ObservedAt *time.Time        `json:"observed_at,omitempty"`
	Categories []domain.Category `json:"categories"`
	Move       *movedValue       `json:"move,omitempty"`
}

type movedValue struct {
	domain.CategoryKey
	domain.Move
}

// StaleError refuses an update observed before the stored state; it carries
// that state so the caller can show it.
type StaleError struct{ Current BedState }

func (e *StaleError) Error() string { return ErrStale.Error() }

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// NotEnoughError refuses a one-tap move that would make a count negative.
type NotEnoughError struct {
	Current BedState
	Err     error
}

func (e *NotEnoughError) Error() string { return e.Err.Error() }

// GetBeds reads a home's bed state.
func (s *Store) GetBeds(ctx context.Context, homeID int64) (BedState, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var st BedState
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		st, err = s.loadBeds(tx, homeID, false)
		return err
	})
	return st, classify(err)
}

// loadBeds reads the home and its categories; with lock, the home row is
// locked for update on PostgreSQL (SQLite's immediate transaction already
// holds the write lock), so concurrent writes to one home take turns.
func (s *Store) loadBeds(tx *gorm.DB, homeID int64, lock bool) (BedState, error) {
	var h homeRow
	q := tx
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("id = ?", homeID).Take(&h).Error; err != nil {
		return BedState{}, err
	}
	var rows []categoryRow
	if err := tx.Where("home_id = ?", homeID).Find(&rows).Error; err != nil {
		return BedState{}, err
	}
	st := BedState{Home: h.domain(), ObservedAt: utcp(h.BedsObservedAt), Categories: make([]domain.Category, len(rows))}
	for i, r := range rows {
		st.Categories[i] = r.domain()
	}
	sortCategories(st.Categories)
	var err error
	st.UpdatedAt, st.ConfirmedAt, err = lastTimes(tx, homeID)
	if st.UpdatedAt == nil && st.ConfirmedAt == nil {
		// Figures loaded without an audit trail (demo data, imports of
		// older systems): the time they were observed is all there is.
		st.UpdatedAt = st.ObservedAt
	}
	return st, err
}

// lastTimes reads when a home's counts last changed and when they were last
// confirmed, from the audit trail.
// The newest event is the latest observed: bed writes never move a home's
// observed time back. A plain column keeps the time typed on SQLite, where
// MAX() would hand back text.
func lastTimes(tx *gorm.DB, homeID int64) (updated, confirmed *time.Time, err error) {
	latest := func(kinds ...string) (*time.Time, error) {
		var ts []time.Time
		err := tx.Raw(`SELECT observed_at FROM audit_events WHERE home_id = ? AND kind IN ? AND observed_at IS NOT NULL
			ORDER BY seq DESC LIMIT 1`, homeID, kinds).Scan(&ts).Error
		if err != nil || len(ts) == 0 {
			return nil, err
		}
		t := ts[0].UTC()
		return &t, nil
	}
	if updated, err = latest(KindBeds, KindAdjust); err != nil {
		return nil, nil, err
	}
	confirmed, err = latest(KindConfirm)
	return updated, confirmed, err
}

func sortCategories(cats []domain.Category) {
	rank := func(k domain.CategoryKey) int {
		r := 0
		for i, t := range domain.CareTypes {
			if t == k.CareType {
				r = i * 10
			}
		}
		for i, g := range domain.ClientGroups {
			if g == k.ClientGroup {
				r += i
			}
		}
		return r
	}
	sort.Slice(cats, func(i, j int) bool { return rank(cats[i].CategoryKey) < rank(cats[j].CategoryKey) })
}

// loadCurrent locks and reads a home's beds for a write observed at
// observedAt, refusing it with a StaleError when the stored state is newer.
func (s *Store) loadCurrent(tx *gorm.DB, homeID int64, observedAt time.Time) (BedState, error) {
	cur, err := s.loadBeds(tx, homeID, true)
	if err != nil {
		return cur, err
	}
	if cur.ObservedAt != nil && observedAt.Before(*cur.ObservedAt) {
		return cur, &StaleError{Current: cur}
	}
	return cur, nil
}

// PutBeds replaces a home's whole bed state, observed at observedAt. An update
// observed before the stored state is refused with a StaleError, so a phone
// replaying an old offline queue cannot overwrite a newer update.
func (s *Store) PutBeds(ctx context.Context, a Actor, homeID int64, observedAt time.Time, cats []domain.Category) (BedState, error) {
	observedAt = micro(observedAt)
	var out BedState
	err := s.tx(ctx, func(tx *gorm.DB) error {
		cur, err := s.loadCurrent(tx, homeID, observedAt)
		if err != nil {
			return err
		}
		warnings, err := domain.ValidateCategories(cats, cur.Home.RegisteredBeds)
		if err != nil {
			return err
		}
		now := s.now()
		next := make([]domain.Category, len(cats))
		for i, c := range cats {
			c.ObservedAt, c.ReceivedAt = observedAt.UTC(), now
			next[i] = c
		}
		sortCategories(next)
		if err := tx.Where("home_id = ?", homeID).Delete(&categoryRow{}).Error; err != nil {
			return err
		}
		if len(next) > 0 {
			rows := make([]categoryRow, len(next))
			for i, c := range next {
				rows[i] = categoryRowFrom(homeID, c)
			}
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		out, err = s.commitBeds(tx, a, KindBeds, cur, next, observedAt, nil)
		out.Warnings = warnings
		return err
	})
	return out, err
}

// ConfirmBeds records "no change today": every category's observed time moves
// to observedAt and no count changes.
func (s *Store) ConfirmBeds(ctx context.Context, a Actor, homeID int64, observedAt time.Time) (BedState, error) {
	observedAt = micro(observedAt)
	var out BedState
	err := s.tx(ctx, func(tx *gorm.DB) error {
		cur, err := s.loadCurrent(tx, homeID, observedAt)
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.Model(&categoryRow{}).Where("home_id = ?", homeID).
			Updates(map[string]any{"observed_at": observedAt.UTC(), "received_at": now}).Error; err != nil {
			return err
		}
		next := make([]domain.Category, len(cur.Categories))
		for i, c := range cur.Categories {
			c.ObservedAt, c.ReceivedAt = observedAt.UTC(), now
			next[i] = c
		}
		out, err = s.commitBeds(tx, a, KindConfirm, cur, next, observedAt, nil)
		return err
	})
	return out, err
}

// AdjustBed makes a one-tap move of beds within one category. It applies a
// change to the counts stored now, under the home's lock, rather than writing
// counts the phone saw earlier, so a concurrent tap on another device is never
// lost. Its observed time only ever moves the category's figure forward.
func (s *Store) AdjustBed(ctx context.Context, a Actor, homeID int64, key domain.CategoryKey, m domain.Move, observedAt time.Time) (BedState, error) {
	observedAt = micro(observedAt)
	var out BedState
	err := s.tx(ctx, func(tx *gorm.DB) error {
		cur, err := s.loadBeds(tx, homeID, true)
		if err != nil {
			return err
		}
		idx := -1
		for i, c := range cur.Categories {
			if c.CategoryKey == key {
				idx = i
			}
		}
		if idx < 0 {
			return fmt.Errorf("category %s: %w", key, ErrNotFound)
		}
		c := cur.Categories[idx]
		counts, err := m.Apply(c.Counts)
		if err != nil {
			return &NotEnoughError{Current: cur, Err: err}
		}
		c.Counts = counts
		if m.To == domain.BucketUnavailable && m.Reason != "" {
			c.UnavailableReason = m.Reason
		}
		if c.Unavailable > 0 && c.UnavailableReason == "" {
			c.UnavailableReason = domain.ReasonOther
		}
		if c.Unavailable == 0 {
			c.UnavailableReason = ""
		}
		now := s.now()
		if observedAt.After(c.ObservedAt) {
			c.ObservedAt = observedAt.UTC()
		}
		c.ReceivedAt = now
		if err := tx.Model(&categoryRow{}).Where("home_id = ? AND care_type = ? AND client_group = ?", homeID, key.CareType, key.ClientGroup).
			Updates(map[string]any{"occupied": c.Occupied, "reserved": c.Reserved, "available": c.Available,
				"unavailable": c.Unavailable, "unavailable_reason": string(c.UnavailableReason),
				"observed_at": c.ObservedAt, "received_at": now}).Error; err != nil {
			return err
		}
		next := append([]domain.Category(nil), cur.Categories...)
		next[idx] = c
		homeObserved := observedAt
		if cur.ObservedAt != nil && cur.ObservedAt.After(observedAt) {
			homeObserved = *cur.ObservedAt
		}
		out, err = s.commitBeds(tx, a, KindAdjust, cur, next, homeObserved, &movedValue{CategoryKey: key, Move: m})
		return err
	})
	return out, err
}

// commitBeds moves the home's observed time forward and records the change.
func (s *Store) commitBeds(tx *gorm.DB, a Actor, kind string, cur BedState, next []domain.Category, observedAt time.Time, move *movedValue) (BedState, error) {
	obs := observedAt.UTC()
	now := s.now()
	if err := tx.Model(&homeRow{}).Where("id = ?", cur.Home.ID).
		Updates(map[string]any{"beds_observed_at": obs, "updated_at": now}).Error; err != nil {
		return BedState{}, err
	}
	old := bedsValue{ObservedAt: cur.ObservedAt, Categories: cur.Categories}
	neu := bedsValue{ObservedAt: &obs, Categories: next, Move: move}
	seq, err := s.record(tx, cur.Home.ID, kind, a, &obs, old, neu)
	if err != nil {
		return BedState{}, err
	}
	h := cur.Home
	h.BedsObservedAt, h.UpdatedAt = &obs, now
	out := BedState{Home: h, ObservedAt: &obs, Categories: next, Seq: seq, UpdatedAt: cur.UpdatedAt, ConfirmedAt: cur.ConfirmedAt}
	if kind == KindConfirm {
		out.ConfirmedAt = &obs
	} else if out.UpdatedAt == nil || obs.After(*out.UpdatedAt) {
		out.UpdatedAt = &obs
	}
	return out, nil
}
