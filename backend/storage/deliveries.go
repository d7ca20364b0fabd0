package storage

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// OutboxEvent is one claimed outbox row.
type OutboxEvent struct {
	ID        int64
	Seq       int64
	HomeID    int64
	Kind      string
	Payload   string
	CreatedAt time.Time
}

// ClaimOutbox takes up to limit unprocessed events for lease; several
// instances on one PostgreSQL share the work (SKIP LOCKED), and an event
// whose claimer died is taken again once its lease ends.
func (s *Store) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]OutboxEvent, error) {
	var out []OutboxEvent
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		if err := tx.Raw(`SELECT id, seq, home_id, kind, payload, created_at FROM outbox
			WHERE processed_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)
			ORDER BY id LIMIT ?`+lock, now, limit).Scan(&out).Error; err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]int64, len(out))
		for i, e := range out {
			ids[i] = e.ID
		}
		return tx.Exec(`UPDATE outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id IN ?`, now.Add(lease), ids).Error
	})
	return out, err
}

// Delivery is one message to one device or webhook, and its fate.
type Delivery struct {
	ID             int64      `json:"id"`
	OutboxID       *int64     `json:"-"`
	Channel        string     `json:"channel"`
	TargetID       int64      `json:"target_id"`
	Owner          string     `json:"-"`
	HomeID         *int64     `json:"home_id,omitempty"`
	Kind           string     `json:"kind"`
	Topic          string     `json:"topic,omitempty"`
	Urgency        string     `json:"urgency,omitempty"`
	TTL            int        `json:"ttl,omitempty"`
	Payload        string     `json:"payload"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  time.Time  `json:"next_attempt_at"`
	EventAt        time.Time  `json:"event_at"`
	QueuedAt       time.Time  `json:"queued_at"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	ResponseStatus int        `json:"response_status,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
}

// Delivery states.
const (
	StatusQueued    = "queued"
	StatusSending   = "sending"
	StatusDelivered = "delivered"
	StatusRetry     = "retry"
	StatusDead      = "dead"    // gave up after the last attempt: admins see these
	StatusDropped   = "dropped" // refused for good (400, 413): logged, not retried
	StatusPruned    = "pruned"  // the device is gone (404, 410) and was removed
)

// Delivery channels.
const (
	ChannelPush    = "push"
	ChannelWebhook = "webhook"
)

type deliveryRow struct {
	ID             int64 `gorm:"primaryKey"`
	OutboxID       *int64
	Channel        string
	TargetID       int64
	Owner          string
	HomeID         *int64
	Kind           string
	Topic          string
	Urgency        string
	TTL            int `gorm:"column:ttl"`
	Payload        string
	Status         string
	Attempts       int
	NextAttemptAt  time.Time
	ClaimedUntil   *time.Time
	EventAt        time.Time
	QueuedAt       time.Time
	SentAt         *time.Time
	AnsweredAt     *time.Time
	ResponseStatus int
	LastError      string
}

func (deliveryRow) TableName() string { return "deliveries" }

func (r deliveryRow) domain() Delivery {
	return Delivery{ID: r.ID, OutboxID: r.OutboxID, Channel: r.Channel, TargetID: r.TargetID, Owner: r.Owner, HomeID: r.HomeID,
		Kind: r.Kind, Topic: r.Topic, Urgency: r.Urgency, TTL: r.TTL, Payload: r.Payload, Status: r.Status, Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), EventAt: r.EventAt.UTC(), QueuedAt: r.QueuedAt.UTC(), SentAt: utcp(r.SentAt),
		AnsweredAt: utcp(r.AnsweredAt), ResponseStatus: r.ResponseStatus, LastError: r.LastError}
}

// QueueDeliveries records new deliveries, a thousand per transaction. With
// a lease, each chunk is recorded as already claimed by the caller and
// handed to handoff once committed, so sending starts before the rest is
// written and no claim round trip is needed; without one, they wait as
// queued for any dispatcher. The last transaction marks the outbox events
// processed. A delivery already made for the same event, target and topic is
// skipped (and not handed off), so an event processed twice (by a claimer
// that died between chunks) alerts nobody twice.
func (s *Store) QueueDeliveries(ctx context.Context, ds []Delivery, processed []int64, lease time.Duration, handoff func([]Delivery)) error {
	const chunk = 1000
	for start := 0; start == 0 || start < len(ds); start += chunk {
		end := min(start+chunk, len(ds))
		last := end == len(ds)
		var inserted []deliveryRow
		err := s.tx(ctx, func(tx *gorm.DB) error {
			now := s.now()
			status, attempts := StatusQueued, 0
			var claimed *time.Time
			if lease > 0 {
				until := now.Add(lease)
				status, attempts, claimed = StatusSending, 1, &until
			}
			if end > start {
				// Plain SQL keeps this one statement per chunk on both dialects.
				var b strings.Builder
				args := make([]any, 0, (end-start)*16)
				b.WriteString(`INSERT INTO deliveries (outbox_id, channel, target_id, owner, home_id, kind, topic, urgency, ttl, payload,
					status, attempts, claimed_until, next_attempt_at, event_at, queued_at) VALUES `)
				for i, d := range ds[start:end] {
					if i > 0 {
						b.WriteString(",")
					}
					b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
					args = append(args, d.OutboxID, d.Channel, d.TargetID, d.Owner, d.HomeID, d.Kind, d.Topic, d.Urgency, d.TTL, d.Payload,
						status, attempts, claimed, now, d.EventAt.UTC(), now)
				}
				b.WriteString(` ON CONFLICT DO NOTHING RETURNING id, outbox_id, channel, target_id, owner, home_id, kind, topic, urgency,
					ttl, payload, status, attempts, next_attempt_at, event_at, queued_at`)
				if err := tx.Raw(b.String(), args...).Scan(&inserted).Error; err != nil {
					return err
				}
			}
			if last && len(processed) > 0 {
				return tx.Exec(`UPDATE outbox SET processed_at = ?, claimed_until = NULL WHERE id IN ?`, now, processed).Error
			}
			return nil
		})
		if err != nil {
			return err
		}
		if lease > 0 && handoff != nil && len(inserted) > 0 {
			out := make([]Delivery, len(inserted))
			for i, r := range inserted {
				out[i] = r.domain()
			}
			handoff(out)
		}
		if last {
			break
		}
	}
	return nil
}

// ClaimDeliveries takes up to limit deliveries that are due, for lease.
func (s *Store) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]Delivery, error) {
	var rows []deliveryRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		var ids []int64
		if err := tx.Raw(`SELECT id FROM deliveries
			WHERE (status IN ('queued', 'retry') AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_until < ?)
			ORDER BY next_attempt_at, id LIMIT ?`+lock, now, now, limit).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := tx.Exec(`UPDATE deliveries SET status = 'sending', claimed_until = ?, attempts = attempts + 1 WHERE id IN ?`, now.Add(lease), ids).Error; err != nil {
			return err
		}
		return tx.Where("id IN ?", ids).Order("id").Find(&rows).Error
	})
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, err
}

// Result is what happened to one delivery attempt.
type Result struct {
	ID             int64
	Status         string // delivered, retry, dead, dropped or pruned
	NextAttemptAt  time.Time
	SentAt         time.Time
	AnsweredAt     time.Time
	ResponseStatus int
	Error          string
	Channel        string
	TargetID       int64
}

// RecordResults writes a batch of outcomes in one transaction: delivery
// rows, devices' last success, and removal of devices the push service
// says are gone.
func (s *Store) RecordResults(ctx context.Context, results []Result) error {
	if len(results) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *gorm.DB) error {
		for start := 0; start < len(results); start += 500 {
			batch := results[start:min(start+500, len(results))]
			var b strings.Builder
			args := make([]any, 0, len(batch)*7)
			b.WriteString(`WITH v(id, status, next_at, sent_at, answered_at, code, err) AS (VALUES `)
			for i, r := range batch {
				if i > 0 {
					b.WriteString(",")
				}
				if i == 0 && s.dialect == Postgres {
					b.WriteString("(?::bigint, ?::text, ?::timestamptz, ?::timestamptz, ?::timestamptz, ?::int, ?::text)")
				} else {
					b.WriteString("(?,?,?,?,?,?,?)")
				}
				args = append(args, r.ID, r.Status, r.NextAttemptAt.UTC(), r.SentAt.UTC(), r.AnsweredAt.UTC(), r.ResponseStatus, truncate(r.Error, 500))
			}
			b.WriteString(`) UPDATE deliveries SET status = v.status, next_attempt_at = v.next_at, sent_at = v.sent_at,
				answered_at = v.answered_at, response_status = v.code, last_error = v.err, claimed_until = NULL
				FROM v WHERE deliveries.id = v.id`)
			if err := tx.Exec(b.String(), args...).Error; err != nil {
				return err
			}
		}
		var ok, gone []int64
		var last time.Time
		for _, r := range results {
			if r.Channel != ChannelPush {
				continue
			}
			switch r.Status {
			case StatusDelivered:
				ok = append(ok, r.TargetID)
				last = r.AnsweredAt
			case StatusPruned:
				gone = append(gone, r.TargetID)
			}
		}
		if len(ok) > 0 {
			if err := tx.Exec(`UPDATE push_subscriptions SET last_success_at = ? WHERE id IN ?`, last.UTC(), ok).Error; err != nil {
				return err
			}
		}
		if len(gone) > 0 {
			if err := tx.Exec(`DELETE FROM push_subscriptions WHERE id IN ?`, gone).Error; err != nil {
				return err
			}
			return bumpAlerts(tx)
		}
		return nil
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// DeliveryQuery selects deliveries for a log.
type DeliveryQuery struct {
	Owner    string // "" for every owner (admins)
	Channel  string
	TargetID int64
	Status   string
	BeforeID int64
	Limit    int
}

// Deliveries lists deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	tx := db.Model(&deliveryRow{}).Order("id DESC").Limit(q.Limit)
	if q.Owner != "" {
		tx = tx.Where("owner = ?", q.Owner)
	}
	if q.Channel != "" {
		tx = tx.Where("channel = ?", q.Channel)
	}
	if q.TargetID != 0 {
		tx = tx.Where("target_id = ?", q.TargetID)
	}
	if q.Status != "" {
		tx = tx.Where("status = ?", q.Status)
	}
	if q.BeforeID > 0 {
		tx = tx.Where("id < ?", q.BeforeID)
	}
	var rows []deliveryRow
	if err := tx.Find(&rows).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Alerted lists the devices and webhooks told of a vacancy on topic since
// the given time, so a "filled" update goes to exactly those.
func (s *Store) Alerted(ctx context.Context, topic string, since time.Time) (map[string][]int64, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var rows []struct {
		Channel  string
		TargetID int64
	}
	err := db.Raw(`SELECT DISTINCT channel, target_id FROM deliveries WHERE topic = ? AND kind = 'vacancy'
		AND status IN ('delivered', 'queued', 'sending', 'retry') AND queued_at >= ?`, topic, since).Scan(&rows).Error
	if err != nil {
		return nil, classify(err)
	}
	out := map[string][]int64{}
	for _, r := range rows {
		out[r.Channel] = append(out[r.Channel], r.TargetID)
	}
	return out, nil
}

// HomesNotUpdatedSince lists managers' homes whose beds were neither updated
// nor confirmed since the given time, with the managers to remind.
func (s *Store) HomesNotUpdatedSince(ctx context.Context, since time.Time) (map[int64][]int64, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var rows []struct {
		HomeID int64
		UserID int64
	}
	err := db.Raw(`SELECT uh.home_id, uh.user_id FROM user_homes uh
		JOIN homes h ON h.id = uh.home_id JOIN users u ON u.id = uh.user_id
		WHERE u.disabled = ? AND (h.beds_observed_at IS NULL OR h.beds_observed_at < ?)`, false, since.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, classify(err)
	}
	out := map[int64][]int64{}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r.HomeID)
	}
	return out, nil
}
