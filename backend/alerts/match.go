// Package alerts turns outbox events into deliveries and delivers them: Web
// Push to coordinators' devices, signed webhooks to NHS systems, and the
// managers' daily reminder. It is the only caller of the push and webhook
// senders.
package alerts

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

// PushPayload is the JSON a device's service worker receives.
type PushPayload struct {
	Type        domain.AlertKind   `json:"type"`
	HomeID      int64              `json:"home_id"`
	HomeName    string             `json:"home_name"`
	District    string             `json:"district,omitempty"`
	CareType    domain.CareType    `json:"care_type,omitempty"`
	ClientGroup domain.ClientGroup `json:"client_group,omitempty"`
	Available   int                `json:"available"`
	ObservedAt  *time.Time         `json:"observed_at,omitempty"`
	URL         string             `json:"url"`
	Tag         string             `json:"tag"`
}

// WebhookEvent is the JSON body a webhook receives.
type WebhookEvent struct {
	ID         string           `json:"id"`
	Type       domain.AlertKind `json:"type"`
	OccurredAt time.Time        `json:"occurred_at"`
	FeedCursor string           `json:"feed_cursor,omitempty"`
	Home       *webhookHome     `json:"home,omitempty"`
	Category   *webhookCategory `json:"category,omitempty"`
	ObservedAt *time.Time       `json:"observed_at,omitempty"`
}

type webhookHome struct {
	ID             int64   `json:"id"`
	CQCLocationID  string  `json:"cqc_location_id"`
	Name           string  `json:"name"`
	District       string  `json:"district,omitempty"`
	LocalAuthority string  `json:"local_authority"`
	Postcode       string  `json:"postcode"`
	Latitude       float64 `json:"latitude"`
	Longitude      float64 `json:"longitude"`
}

type webhookCategory struct {
	CareType    domain.CareType    `json:"care_type"`
	ClientGroup domain.ClientGroup `json:"client_group"`
	Available   int                `json:"available"`
}

// clip keeps free text short so every payload fits one small padded record.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func pushPayload(kind domain.AlertKind, h *domain.Home, c *domain.Category, available int, topic string) []byte {
	p := PushPayload{Type: kind, HomeID: h.ID, HomeName: clip(h.Name, 60), District: clip(h.District, 40),
		Available: available, URL: "/board?home=" + strconv.FormatInt(h.ID, 10), Tag: topic}
	if c != nil {
		p.CareType, p.ClientGroup = c.CareType, c.ClientGroup
		if !c.ObservedAt.IsZero() {
			t := c.ObservedAt.UTC()
			p.ObservedAt = &t
		}
	}
	b, _ := json.Marshal(p)
	return b
}

func webhookPayload(id string, kind domain.AlertKind, seq int64, h *domain.Home, c *domain.Category, available int, now time.Time) []byte {
	e := WebhookEvent{ID: id, Type: kind, OccurredAt: now.UTC(), FeedCursor: strconv.FormatInt(seq, 10),
		Home: &webhookHome{ID: h.ID, CQCLocationID: h.CQCLocationID, Name: h.Name, District: h.District,
			LocalAuthority: h.LocalAuthority, Postcode: h.Postcode, Latitude: h.Latitude, Longitude: h.Longitude}}
	if c != nil {
		e.Category = &webhookCategory{CareType: c.CareType, ClientGroup: c.ClientGroup, Available: available}
		t := c.ObservedAt.UTC()
		e.ObservedAt = &t
	}
	b, _ := json.Marshal(e)
	return b
}

// matcher holds the matching tables, indexed for one pass per trigger.
type matcher struct {
	version  int64
	filters  []storage.TargetFilter
	devices  []storage.PushSubscription
	byUser   map[int64][]int // devices by user
	deviceOf map[int64]*storage.PushSubscription
	hooks    []storage.Webhook
	hookOf   map[int64]*storage.Webhook
}

func newMatcher(t storage.Targets) *matcher {
	m := &matcher{version: t.Version, filters: t.Filters, devices: t.Devices, hooks: t.Webhooks,
		byUser: map[int64][]int{}, deviceOf: map[int64]*storage.PushSubscription{}, hookOf: map[int64]*storage.Webhook{}}
	for i := range m.devices {
		d := &m.devices[i]
		m.byUser[d.UserID] = append(m.byUser[d.UserID], i)
		m.deviceOf[d.ID] = d
	}
	for i := range m.hooks {
		m.hookOf[m.hooks[i].ID] = &m.hooks[i]
	}
	return m
}

// mayAlert is who may receive vacancy alerts: those who may read vacancies.
func mayAlert(r domain.Role) bool {
	return r == domain.RoleCoordinator || r == domain.RoleCommissioner || r == domain.RoleAdmin
}

// devicesFor lists the devices whose filters match one vacancy: a device
// bound to one filter follows that filter; an unbound device follows every
// filter of its user. Each device appears once.
func (m *matcher) devicesFor(h *domain.Home, c *domain.Category, th domain.Thresholds, now time.Time) []*storage.PushSubscription {
	matchedFilter := map[int64]bool{}
	matchedUser := map[int64]bool{}
	for i := range m.filters {
		f := &m.filters[i]
		if mayAlert(f.Role) && f.Filter.MatchHome(h, now) && f.Filter.MatchCategory(c, th, now) {
			matchedFilter[f.ID] = true
			matchedUser[f.UserID] = true
		}
	}
	var out []*storage.PushSubscription
	for uid := range matchedUser {
		for _, i := range m.byUser[uid] {
			d := &m.devices[i]
			if d.FilterID == nil || matchedFilter[*d.FilterID] {
				out = append(out, d)
			}
		}
	}
	return out
}

func (m *matcher) hooksFor(h *domain.Home, c *domain.Category, th domain.Thresholds, now time.Time) []*storage.Webhook {
	var out []*storage.Webhook
	for i := range m.hooks {
		w := &m.hooks[i]
		if w.Filter.MatchHome(h, now) && w.Filter.MatchCategory(c, th, now) {
			out = append(out, w)
		}
	}
	return out
}

func owner(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }
