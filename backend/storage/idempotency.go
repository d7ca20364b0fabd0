package storage

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type idemRow struct {
	Actor       string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	Fingerprint string
	Status      int
	Body        string
	CreatedAt   time.Time
}

func (idemRow) TableName() string { return "idempotency_keys" }

// Response is an HTTP answer kept for an idempotent write.
type Response struct {
	Status int
	Body   []byte
}

// Idempotent runs fn once per actor and key. The key is claimed, fn's writes
// made and its answer saved in one transaction, so a replay (even one racing
// the first request) gets the first answer and changes nothing. A failed fn
// saves nothing, so the client may retry with the same key. fingerprint
// identifies the request; the same key with another request is ErrKeyReused.
func (s *Store) Idempotent(ctx context.Context, actor, key, fingerprint string, fn func(tx *Store) (Response, error)) (Response, bool, error) {
	if key == "" {
		r, err := fn(s)
		return r, false, err
	}
	var out Response
	replayed := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&idemRow{Actor: actor, Key: key, Fingerprint: fingerprint, CreatedAt: s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var prev idemRow
			if err := tx.Where("actor = ? AND key = ?", actor, key).Take(&prev).Error; err != nil {
				return err
			}
			if prev.Fingerprint != fingerprint {
				return ErrKeyReused
			}
			replayed = true
			out = Response{Status: prev.Status, Body: []byte(prev.Body)}
			return nil
		}
		inner := *s
		inner.db = tx
		r, err := fn(&inner)
		if err != nil {
			return err
		}
		out = r
		return tx.Model(&idemRow{}).Where("actor = ? AND key = ?", actor, key).
			Updates(map[string]any{"status": r.Status, "body": string(r.Body)}).Error
	})
	if err != nil {
		return Response{}, false, err // s.tx has classified it
	}
	return out, replayed, nil
}

// PruneIdempotencyKeys forgets keys older than age; offline queues are
// replayed within days, not weeks.
func (s *Store) PruneIdempotencyKeys(ctx context.Context, age time.Duration) (int64, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	res := db.Where("created_at < ?", s.now().Add(-age)).Delete(&idemRow{})
	return res.RowsAffected, classify(res.Error)
}
