package alerts

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

// reminderWindow is how long after the reminder time a late-starting server
// still sends that day's reminders; nobody wants one at midnight.
const reminderWindow = 2 * time.Hour

// remind sends each manager whose homes have neither been updated nor
// confirmed today (Europe/London) one push per device, once a day. Several
// instances may try: the delivery key makes it once.
func (d *Dispatcher) remind(ctx context.Context, now time.Time) {
	if d.o.ReminderAt == "" {
		return
	}
	local := now.In(d.london)
	at, err := time.ParseInLocation("15:04", d.o.ReminderAt, d.london)
	if err != nil {
		return
	}
	due := time.Date(local.Year(), local.Month(), local.Day(), at.Hour(), at.Minute(), 0, 0, d.london)
	day := local.Format("20060102")
	if local.Before(due) || local.After(due.Add(reminderWindow)) || d.remindedOn == day {
		return
	}
	if err := d.SendReminders(ctx, now); err != nil {
		slog.Warn("manager reminders failed; will try again", "error", err)
		return
	}
	d.remindedOn = day
}

// SendReminders queues today's reminders now.
func (d *Dispatcher) SendReminders(ctx context.Context, now time.Time) error {
	local := now.In(d.london)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, d.london)
	late, err := d.store.HomesNotUpdatedSince(ctx, midnight)
	if err != nil || len(late) == 0 {
		return err
	}
	m, err := d.targets(ctx)
	if err != nil {
		return err
	}
	day, _ := strconv.ParseInt(local.Format("20060102"), 10, 64)
	key := -day // reminders have no outbox event: the day keys them, one per device
	var ds []storage.Delivery
	for userID, homes := range late {
		h, err := d.store.GetHome(ctx, homes[0])
		if err != nil {
			return err
		}
		p := PushPayload{Type: domain.AlertReminder, HomeID: h.ID, HomeName: clip(h.Name, 60), Available: len(homes),
			URL: "/manage/" + strconv.FormatInt(h.ID, 10), Tag: "reminder"}
		body, _ := json.Marshal(p)
		for _, i := range m.byUser[userID] {
			dev := &m.devices[i]
			ds = append(ds, storage.Delivery{OutboxID: &key, Channel: storage.ChannelPush, TargetID: dev.ID,
				Owner: owner("user", userID), HomeID: &h.ID, Kind: string(domain.AlertReminder), Topic: "reminder",
				Urgency: "normal", TTL: int((4 * time.Hour).Seconds()), Payload: string(body), EventAt: now})
		}
	}
	if err := d.store.QueueDeliveries(ctx, ds, nil, 0, nil); err != nil {
		return err
	}
	d.wakeSender()
	return nil
}

// QueueTest queues a test event to one webhook, for its owner to check
// their receiver.
func (d *Dispatcher) QueueTest(ctx context.Context, w storage.Webhook, now time.Time) error {
	id := "test-" + strconv.FormatInt(now.UnixNano(), 36)
	body, _ := json.Marshal(WebhookEvent{ID: id, Type: domain.AlertTest, OccurredAt: now.UTC()})
	err := d.store.QueueDeliveries(ctx, []storage.Delivery{{Channel: storage.ChannelWebhook, TargetID: w.ID,
		Owner: owner("client", w.ClientID), Kind: string(domain.AlertTest), Topic: id, Payload: string(body), EventAt: now}}, nil, 0, nil)
	d.wakeSender()
	return err
}
