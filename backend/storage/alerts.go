package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AlertFilter is one of a user's saved alert filters.
type AlertFilter struct {
	ID        int64         `json:"id"`
	UserID    int64         `json:"-"`
	Name      string        `json:"name"`
	Filter    domain.Filter `json:"filter"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

type alertFilterRow struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	Name      string
	Filter    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (alertFilterRow) TableName() string { return "alert_filters" }

func (r alertFilterRow) domain() AlertFilter {
	f := AlertFilter{ID: r.ID, UserID: r.UserID, Name: r.Name, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	json.Unmarshal([]byte(r.Filter), &f.Filter)
	return f
}

// bumpAlerts marks the matching tables changed, for every dispatcher.
func bumpAlerts(tx *gorm.DB) error {
	return tx.Exec(`UPDATE counters SET value = value + 1 WHERE name = 'alerts'`).Error
}

// AlertsVersion changes whenever filters, devices or webhooks change.
func (s *Store) AlertsVersion(ctx context.Context) (int64, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var v int64
	err := db.Raw(`SELECT value FROM counters WHERE name = 'alerts'`).Scan(&v).Error
	return v, classify(err)
}

// SaveAlertFilter creates (ID 0) or replaces one of the user's filters.
func (s *Store) SaveAlertFilter(ctx context.Context, f AlertFilter) (AlertFilter, error) {
	body, err := json.Marshal(f.Filter)
	if err != nil {
		return f, err
	}
	now := s.now()
	r := alertFilterRow{ID: f.ID, UserID: f.UserID, Name: f.Name, Filter: string(body), CreatedAt: now, UpdatedAt: now}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if f.ID == 0 {
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
		} else {
			res := tx.Model(&alertFilterRow{}).Where("id = ? AND user_id = ?", f.ID, f.UserID).
				Updates(map[string]any{"name": r.Name, "filter": r.Filter, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return ErrNotFound
			}
			if err := tx.Where("id = ?", f.ID).Take(&r).Error; err != nil {
				return err
			}
		}
		return bumpAlerts(tx)
	})
	return r.domain(), err
}

// AlertFilters lists a user's filters.
func (s *Store) AlertFilters(ctx context.Context, userID int64) ([]AlertFilter, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var rows []alertFilterRow
	if err := db.Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]AlertFilter, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// DeleteAlertFilter removes one of the user's filters.
func (s *Store) DeleteAlertFilter(ctx context.Context, userID, id int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND user_id = ?", id, userID).Delete(&alertFilterRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return bumpAlerts(tx)
	})
}

// PushSubscription is one device that receives Web Push alerts.
type PushSubscription struct {
	ID            int64      `json:"id"`
	UserID        int64      `json:"-"`
	Endpoint      string     `json:"endpoint"`
	P256dh        string     `json:"-"`
	Auth          string     `json:"-"`
	FilterID      *int64     `json:"filter_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	LastSuccessAt *time.Time `json:"last_success_at,omitempty"`
}

type pushRow struct {
	ID            int64 `gorm:"primaryKey"`
	UserID        int64
	Endpoint      string
	P256dh        string `gorm:"column:p256dh"`
	Auth          string
	FilterID      *int64
	CreatedAt     time.Time
	LastSuccessAt *time.Time
}

func (pushRow) TableName() string { return "push_subscriptions" }

func (r pushRow) domain() PushSubscription {
	return PushSubscription{ID: r.ID, UserID: r.UserID, Endpoint: r.Endpoint, P256dh: r.P256dh, Auth: r.Auth,
		FilterID: r.FilterID, CreatedAt: r.CreatedAt.UTC(), LastSuccessAt: utcp(r.LastSuccessAt)}
}

// DeviceFilterName names the filter a device registered with inline: it
// belongs to that device, is replaced when the device registers again, and
// goes when the device goes.
const DeviceFilterName = "This device"

// SavePushSubscription registers a device, or updates it when the browser
// sends the same endpoint again (a re-sync, or another user on that device).
// With an inline filter, the device's own filter is saved (replaced on a
// re-sync) in the same transaction, and the device follows it alone.
func (s *Store) SavePushSubscription(ctx context.Context, p PushSubscription, inline *domain.Filter) (PushSubscription, error) {
	r := pushRow{UserID: p.UserID, Endpoint: p.Endpoint, P256dh: p.P256dh, Auth: p.Auth, FilterID: p.FilterID, CreatedAt: s.now()}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if inline != nil {
			body, err := json.Marshal(inline)
			if err != nil {
				return err
			}
			now := s.now()
			var prev pushRow
			err = tx.Where("endpoint = ? AND user_id = ?", p.Endpoint, p.UserID).Take(&prev).Error
			reuse := err == nil && prev.FilterID != nil
			if reuse {
				res := tx.Model(&alertFilterRow{}).Where("id = ? AND user_id = ? AND name = ?", *prev.FilterID, p.UserID, DeviceFilterName).
					Updates(map[string]any{"filter": string(body), "updated_at": now})
				if res.Error != nil {
					return res.Error
				}
				reuse = res.RowsAffected == 1
			}
			if reuse {
				r.FilterID = prev.FilterID
			} else {
				f := alertFilterRow{UserID: p.UserID, Name: DeviceFilterName, Filter: string(body), CreatedAt: now, UpdatedAt: now}
				if err := tx.Create(&f).Error; err != nil {
					return err
				}
				r.FilterID = &f.ID
			}
		} else if p.FilterID != nil {
			var n int64
			if err := tx.Model(&alertFilterRow{}).Where("id = ? AND user_id = ?", *p.FilterID, p.UserID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return ErrReference
			}
		}
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "endpoint"}},
			DoUpdates: clause.AssignmentColumns([]string{"user_id", "p256dh", "auth", "filter_id"})}).Create(&r).Error
		if err != nil {
			return err
		}
		if err := tx.Where("endpoint = ?", p.Endpoint).Take(&r).Error; err != nil {
			return err
		}
		return bumpAlerts(tx)
	})
	return r.domain(), err
}

// PushSubscriptions lists a user's devices.
func (s *Store) PushSubscriptions(ctx context.Context, userID int64) ([]PushSubscription, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var rows []pushRow
	if err := db.Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]PushSubscription, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// DeletePushSubscription removes a device, and the filter it registered
// inline; userID 0 removes anyone's (admins).
func (s *Store) DeletePushSubscription(ctx context.Context, userID, id int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("id = ?", id)
		if userID != 0 {
			q = q.Where("user_id = ?", userID)
		}
		var dev pushRow
		if err := q.Take(&dev).Error; err != nil {
			return err
		}
		if err := tx.Where("id = ?", dev.ID).Delete(&pushRow{}).Error; err != nil {
			return err
		}
		if dev.FilterID != nil {
			if err := tx.Exec(`DELETE FROM alert_filters WHERE id = ? AND name = ? AND NOT EXISTS
				(SELECT 1 FROM push_subscriptions WHERE filter_id = ?)`, *dev.FilterID, DeviceFilterName, *dev.FilterID).Error; err != nil {
				return err
			}
		}
		return bumpAlerts(tx)
	})
}

// Webhook is a system client's endpoint for signed vacancy events.
type Webhook struct {
	ID        int64         `json:"id"`
	ClientID  int64         `json:"-"`
	URL       string        `json:"url"`
	Secret    string        `json:"-"`
	Filter    domain.Filter `json:"filter"`
	CreatedAt time.Time     `json:"created_at"`
}

type webhookRow struct {
	ID        int64 `gorm:"primaryKey"`
	ClientID  int64
	URL       string `gorm:"column:url"`
	Secret    string
	Filter    string
	CreatedAt time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) domain() Webhook {
	w := Webhook{ID: r.ID, ClientID: r.ClientID, URL: r.URL, Secret: r.Secret, CreatedAt: r.CreatedAt.UTC()}
	json.Unmarshal([]byte(r.Filter), &w.Filter)
	return w
}

// CreateWebhook registers a webhook.
func (s *Store) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	body, err := json.Marshal(w.Filter)
	if err != nil {
		return w, err
	}
	r := webhookRow{ClientID: w.ClientID, URL: w.URL, Secret: w.Secret, Filter: string(body), CreatedAt: s.now()}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return bumpAlerts(tx)
	})
	return r.domain(), err
}

// Webhooks lists a client's webhooks.
func (s *Store) Webhooks(ctx context.Context, clientID int64) ([]Webhook, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var rows []webhookRow
	if err := db.Where("client_id = ?", clientID).Order("id").Find(&rows).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Webhook reads one of a client's webhooks.
func (s *Store) Webhook(ctx context.Context, clientID, id int64) (Webhook, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r webhookRow
	if err := db.Where("id = ? AND client_id = ?", id, clientID).Take(&r).Error; err != nil {
		return Webhook{}, classify(err)
	}
	return r.domain(), nil
}

// DeleteWebhook removes one of a client's webhooks.
func (s *Store) DeleteWebhook(ctx context.Context, clientID, id int64) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND client_id = ?", id, clientID).Delete(&webhookRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return bumpAlerts(tx)
	})
}

// Targets is everything a dispatcher matches events against.
type Targets struct {
	Version  int64
	Filters  []TargetFilter
	Devices  []PushSubscription
	Webhooks []Webhook
}

// TargetFilter is a filter with its owner's role, which bounds what they may see.
type TargetFilter struct {
	AlertFilter
	Role domain.Role
}

// AlertTargets loads the matching tables: filters of active users who may
// read vacancies, every device, every webhook.
func (s *Store) AlertTargets(ctx context.Context) (Targets, error) {
	var t Targets
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Raw(`SELECT value FROM counters WHERE name = 'alerts'`).Scan(&t.Version).Error; err != nil {
			return err
		}
		var filters []struct {
			ID        int64
			UserID    int64
			Name      string
			Filter    string
			CreatedAt time.Time
			UpdatedAt time.Time
			Role      string
		}
		if err := tx.Table("alert_filters f").Select("f.id, f.user_id, f.name, f.filter, f.created_at, f.updated_at, u.role").
			Joins("JOIN users u ON u.id = f.user_id").Where("u.disabled = ?", false).Order("f.id").Scan(&filters).Error; err != nil {
			return err
		}
		for _, f := range filters {
			r := alertFilterRow{ID: f.ID, UserID: f.UserID, Name: f.Name, Filter: f.Filter, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
			t.Filters = append(t.Filters, TargetFilter{AlertFilter: r.domain(), Role: domain.Role(f.Role)})
		}
		var devices []pushRow
		if err := tx.Order("id").Find(&devices).Error; err != nil {
			return err
		}
		for _, d := range devices {
			t.Devices = append(t.Devices, d.domain())
		}
		var hooks []webhookRow
		if err := tx.Order("id").Find(&hooks).Error; err != nil {
			return err
		}
		for _, h := range hooks {
			t.Webhooks = append(t.Webhooks, h.domain())
		}
		return nil
	})
	return t, err
}
