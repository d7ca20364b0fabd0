package storage

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
)

// Actor says who made a change, for the audit trail.
type Actor struct {
	Subject string // "user:12", "client:3" or "system"
	OrgID   *int64
	Source  string // app, api, bulk or import
}

// Audit event kinds.
const (
	KindBeds       = "beds"
	KindAdjust     = "adjust"
	KindConfirm    = "confirm"
	KindStatus     = "status"
	KindSuspension = "suspension"
	KindHome       = "home"
	KindLapse      = "lapse" // a closure's expiry passed: the home is offered again
)

// Event is one append-only audit record; the changes feed is the same
// records without the actor.
type Event struct {
	Seq           int64           `json:"seq"`
	HomeID        int64           `json:"home_id"`
	CQCLocationID string          `json:"cqc_location_id"`
	Kind          string          `json:"kind"`
	Actor         string          `json:"actor,omitempty"`
	Source        string          `json:"source"`
	ObservedAt    *time.Time      `json:"observed_at,omitempty"`
	ReceivedAt    time.Time       `json:"received_at"`
	Old           json.RawMessage `json:"old"`
	New           json.RawMessage `json:"new"`
}

type auditRow struct {
	ID         int64 `gorm:"primaryKey"`
	Seq        int64
	HomeID     int64
	Kind       string
	Actor      string
	ActorOrgID *int64
	Source     string
	ObservedAt *time.Time
	ReceivedAt time.Time
	OldValue   string
	NewValue   string
}

func (auditRow) TableName() string { return "audit_events" }

type outboxRow struct {
	ID        int64 `gorm:"primaryKey"`
	Seq       int64
	HomeID    int64
	Kind      string
	Payload   string
	CreatedAt time.Time
}

func (outboxRow) TableName() string { return "outbox" }

// record appends the audit event and the outbox event of one change, inside
// the change's transaction. The feed counter is taken here, last, so its row
// lock is held only for the rest of the commit and positions follow commit order.
func (s *Store) record(tx *gorm.DB, homeID int64, kind string, a Actor, observed *time.Time, old, new any) (int64, error) {
	oldJSON, err := json.Marshal(old)
	if err != nil {
		return 0, err
	}
	newJSON, err := json.Marshal(new)
	if err != nil {
		return 0, err
	}
	var seq int64
	if err := tx.Raw(`UPDATE counters SET value = value + 1 WHERE name = 'feed' RETURNING value`).Scan(&seq).Error; err != nil {
		return 0, err
	}
	now := s.now()
	ev := auditRow{Seq: seq, HomeID: homeID, Kind: kind, Actor: a.Subject, ActorOrgID: a.OrgID, Source: a.Source,
		ObservedAt: utcp(observed), ReceivedAt: now, OldValue: string(oldJSON), NewValue: string(newJSON)}
	if err := tx.Create(&ev).Error; err != nil {
		return 0, err
	}
	payload, err := json.Marshal(OutboxPayload{Seq: seq, HomeID: homeID, Kind: kind, Old: oldJSON, New: newJSON})
	if err != nil {
		return 0, err
	}
	if err := tx.Create(&outboxRow{Seq: seq, HomeID: homeID, Kind: kind, Payload: string(payload), CreatedAt: now}).Error; err != nil {
		return 0, err
	}
	if s.dialect == Postgres {
		// Delivered at commit only, to every instance listening, which then
		// refreshes that home in its vacancy snapshot.
		if err := tx.Exec(`SELECT pg_notify('bedstate_changes', ?)`, itoa(homeID)).Error; err != nil {
			return 0, err
		}
	}
	return seq, nil
}

// OutboxPayload is what the alert dispatcher reads: the state before and
// after one change, so it can tell a bed freed from a bed filled.
type OutboxPayload struct {
	Seq    int64           `json:"seq"`
	HomeID int64           `json:"home_id"`
	Kind   string          `json:"kind"`
	Old    json.RawMessage `json:"old"`
	New    json.RawMessage `json:"new"`
}

// History lists a home's audit events, newest first, at most limit of them,
// before the feed position before (0 for the newest).
func (s *Store) History(ctx context.Context, homeID int64, before int64, limit int) ([]Event, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	q := db.Table("audit_events AS a").Select("a.*, h.cqc_location_id").
		Joins("JOIN homes h ON h.id = a.home_id").Where("a.home_id = ?", homeID)
	if before > 0 {
		q = q.Where("a.seq < ?", before)
	}
	return scanEvents(q.Order("a.seq DESC").Limit(limit), true)
}

// Changes lists events after feed position since, oldest first: the feed a
// polling system follows. Actors are left out: the feed carries no personal data.
func (s *Store) Changes(ctx context.Context, since int64, limit int) ([]Event, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	q := db.Table("audit_events AS a").Select("a.*, h.cqc_location_id").
		Joins("JOIN homes h ON h.id = a.home_id").Where("a.seq > ?", since).Order("a.seq ASC").Limit(limit)
	return scanEvents(q, false)
}

// FeedPosition is the newest feed position.
func (s *Store) FeedPosition(ctx context.Context) (int64, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var v int64
	err := db.Raw(`SELECT value FROM counters WHERE name = 'feed'`).Scan(&v).Error
	return v, classify(err)
}

func scanEvents(q *gorm.DB, withActor bool) ([]Event, error) {
	var rows []struct {
		Seq           int64
		HomeID        int64
		Kind          string
		Actor         string
		Source        string
		ObservedAt    *time.Time
		ReceivedAt    time.Time
		OldValue      string
		NewValue      string
		CQCLocationID string `gorm:"column:cqc_location_id"`
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		e := Event{Seq: r.Seq, HomeID: r.HomeID, CQCLocationID: r.CQCLocationID, Kind: r.Kind, Source: r.Source,
			ObservedAt: utcp(r.ObservedAt), ReceivedAt: r.ReceivedAt.UTC(),
			Old: json.RawMessage(r.OldValue), New: json.RawMessage(r.NewValue)}
		if withActor {
			e.Actor = r.Actor
		}
		out = append(out, e)
	}
	return out, nil
}
