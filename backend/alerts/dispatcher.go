package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/webhook"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a dispatcher.
type Options struct {
	TTL          time.Duration // how long a push service keeps an undelivered alert
	MaxAttempts  int           // then a delivery is dead-lettered
	RetryBase    time.Duration // first retry delay; doubles each attempt, with jitter
	RetryMax     time.Duration
	Workers      int           // sends in flight in all
	FilledWindow time.Duration // how far back a "filled" update looks for those alerted
	ReminderAt   string        // "15:00", Europe/London; "" for none
	Poll         time.Duration // how often to look for work without a wake-up
	Lease        time.Duration // how long claimed work is this dispatcher's before others may take it
	Thresholds   domain.Thresholds
	Registry     prometheus.Registerer
}

// Dispatcher claims outbox events, matches them to filters, records
// deliveries and sends them. Every instance runs one; they share the work.
type Dispatcher struct {
	store  *storage.Store
	push   *push.Sender
	hooks  *webhook.Sender
	o      Options
	london *time.Location

	mu      sync.Mutex
	matcher *matcher

	wakeOutbox, wakeSend chan struct{}
	jobs                 chan job // deliveries to send, from the outbox and from claims
	remindedOn           string

	latency  prometheus.Histogram
	outcomes *prometheus.CounterVec
}

// New makes a dispatcher.
func New(store *storage.Store, p *push.Sender, h *webhook.Sender, o Options) *Dispatcher {
	if o.TTL <= 0 {
		o.TTL = 6 * time.Hour
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 5 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = time.Hour
	}
	if o.Workers <= 0 {
		o.Workers = 128
	}
	if o.FilledWindow <= 0 {
		o.FilledWindow = 72 * time.Hour
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Thresholds.Fresh == 0 {
		o.Thresholds = domain.DefaultThresholds
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		london = time.UTC
	}
	d := &Dispatcher{store: store, push: p, hooks: h, o: o, london: london,
		wakeOutbox: make(chan struct{}, 1), wakeSend: make(chan struct{}, 1), jobs: make(chan job, 2*o.Workers),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bedstate_alert_latency_seconds",
			Help:    "From bed update to the push service's or webhook's acceptance.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bedstate_deliveries_total",
			Help: "Delivery attempts by channel and outcome."}, []string{"channel", "outcome"}),
	}
	if o.Registry != nil {
		o.Registry.MustRegister(d.latency, d.outcomes)
	}
	return d
}

// Wake tells the dispatcher there may be new work, so alerts leave at once
// rather than at the next poll.
func (d *Dispatcher) Wake() {
	select {
	case d.wakeOutbox <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) wakeSender() {
	select {
	case d.wakeSend <- struct{}{}:
	default:
	}
}

// Prime loads the matching tables, so the first alert after a start does
// not wait for them.
func (d *Dispatcher) Prime(ctx context.Context) error {
	_, err := d.targets(ctx)
	return err
}

// Run works until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	if err := d.Prime(ctx); err != nil && ctx.Err() == nil {
		slog.Warn("loading alert filters failed; will load on first use", "error", err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); d.loop(ctx, d.wakeOutbox, d.processOutbox) }()
	go func() { defer wg.Done(); d.sendLoop(ctx) }()
	wg.Wait()
}

// loop runs step until it finds no work, then waits for a wake-up or the poll.
func (d *Dispatcher) loop(ctx context.Context, wake chan struct{}, step func(context.Context) (bool, error)) {
	t := time.NewTicker(d.o.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		more, err := step(ctx)
		if err != nil && ctx.Err() == nil {
			slog.Warn("alert dispatcher step failed; retrying", "error", err)
			more = false
		}
		if more {
			continue
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-t.C:
			d.remind(ctx, time.Now())
			if _, err := d.store.AnnounceLapsedClosures(ctx, time.Now()); err != nil && ctx.Err() == nil {
				slog.Warn("announcing lapsed closures failed; will try again", "error", err)
			}
		}
	}
}

// targets returns the matching tables, reloaded only when they changed.
func (d *Dispatcher) targets(ctx context.Context) (*matcher, error) {
	v, err := d.store.AlertsVersion(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	m := d.matcher
	d.mu.Unlock()
	if m != nil && m.version == v {
		return m, nil
	}
	t, err := d.store.AlertTargets(ctx)
	if err != nil {
		return nil, err
	}
	m = newMatcher(t)
	d.mu.Lock()
	d.matcher = m
	d.mu.Unlock()
	return m, nil
}

// processOutbox turns one batch of outbox events into deliveries.
func (d *Dispatcher) processOutbox(ctx context.Context) (bool, error) {
	events, err := d.store.ClaimOutbox(ctx, 100, d.o.Lease)
	if err != nil || len(events) == 0 {
		return false, err
	}
	m, err := d.targets(ctx)
	if err != nil {
		return false, err
	}
	var ds []storage.Delivery
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
		more, err := d.match(ctx, m, e)
		if err != nil {
			return false, err // the lease lapses and the batch is taken again
		}
		ds = append(ds, more...)
	}
	// Recorded as claimed by this dispatcher and sent as each chunk commits.
	err = d.store.QueueDeliveries(ctx, ds, ids, d.o.Lease, func(chunk []storage.Delivery) {
		for _, dl := range chunk {
			d.feed(ctx, job{m: m, d: dl})
		}
	})
	if err != nil {
		return false, err
	}
	return len(events) == 100, nil
}

type bedsValue struct {
	Categories []domain.Category `json:"categories"`
}

// match works out who to tell about one event.
func (d *Dispatcher) match(ctx context.Context, m *matcher, e storage.OutboxEvent) ([]storage.Delivery, error) {
	var p storage.OutboxPayload
	if err := json.Unmarshal([]byte(e.Payload), &p); err != nil {
		slog.Error("unreadable outbox event skipped", "outbox", e.ID, "error", err)
		return nil, nil
	}
	// Gate on the home as it is now: a home suspended or closed since the
	// event must not be offered.
	cur, err := d.store.GetBeds(ctx, e.HomeID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	now := time.Now()
	home := cur.Home
	var triggers []domain.Trigger
	cats := cur.Categories
	switch p.Kind {
	case storage.KindBeds, storage.KindAdjust, storage.KindConfirm:
		var before, after bedsValue
		json.Unmarshal(p.Old, &before)
		json.Unmarshal(p.New, &after)
		triggers = domain.BedTriggers(before.Categories, after.Categories)
		cats = after.Categories
	case storage.KindStatus:
		var before, after domain.StatusChange
		json.Unmarshal(p.Old, &before)
		json.Unmarshal(p.New, &after)
		was := domain.EffectiveStatus(before.Status, before.ExpiresAt, e.CreatedAt) != domain.Closed
		is := domain.EffectiveStatus(after.Status, after.ExpiresAt, now) != domain.Closed
		if was != is {
			triggers = domain.HomeTriggers(cats, is)
		}
	case storage.KindLapse:
		triggers = domain.HomeTriggers(cats, true)
	case storage.KindSuspension:
		var before, after domain.Suspension
		json.Unmarshal(p.Old, &before)
		json.Unmarshal(p.New, &after)
		if before.Suspended != after.Suspended {
			triggers = domain.HomeTriggers(cats, !after.Suspended)
		}
	}
	admitting := domain.Admitting(&home, now)
	outboxID := e.ID
	var out []storage.Delivery
	for _, t := range triggers {
		c := categoryOf(cats, t.Key)
		if c == nil {
			c = &domain.Category{CategoryKey: t.Key}
		}
		c.Available = t.Available
		topic := domain.Topic(home.ID, t.Key)
		base := storage.Delivery{OutboxID: &outboxID, HomeID: &home.ID, Kind: string(t.Kind), Topic: topic, EventAt: e.CreatedAt}
		switch t.Kind {
		case domain.AlertVacancy:
			if !admitting {
				continue // suspended and closed homes never trigger alerts
			}
			for _, dev := range m.devicesFor(&home, c, d.o.Thresholds, now) {
				out = append(out, d.pushDelivery(base, dev, "high", pushPayload(t.Kind, &home, c, t.Available, topic)))
			}
			for _, w := range m.hooksFor(&home, c, d.o.Thresholds, now) {
				out = append(out, d.hookDelivery(base, w, webhookPayload(eventID(p.Seq, topic), t.Kind, p.Seq, &home, c, t.Available, now)))
			}
		case domain.AlertFilled:
			// Only those told of this vacancy hear it has gone; quietly, with
			// the same topic and tag so the old notification is replaced.
			told, err := d.store.Alerted(ctx, topic, now.Add(-d.o.FilledWindow))
			if err != nil {
				return nil, err
			}
			for _, id := range told[storage.ChannelPush] {
				if dev := m.deviceOf[id]; dev != nil {
					out = append(out, d.pushDelivery(base, dev, "low", pushPayload(t.Kind, &home, c, t.Available, topic)))
				}
			}
			for _, id := range told[storage.ChannelWebhook] {
				if w := m.hookOf[id]; w != nil {
					out = append(out, d.hookDelivery(base, w, webhookPayload(eventID(p.Seq, topic), t.Kind, p.Seq, &home, c, t.Available, now)))
				}
			}
		}
	}
	return out, nil
}

func eventID(seq int64, topic string) string { return strconv.FormatInt(seq, 10) + "-" + topic }

func categoryOf(cats []domain.Category, k domain.CategoryKey) *domain.Category {
	for i := range cats {
		if cats[i].CategoryKey == k {
			c := cats[i]
			return &c
		}
	}
	return nil
}

func (d *Dispatcher) pushDelivery(base storage.Delivery, dev *storage.PushSubscription, urgency string, payload []byte) storage.Delivery {
	base.Channel, base.TargetID, base.Owner = storage.ChannelPush, dev.ID, owner("user", dev.UserID)
	base.Urgency, base.TTL, base.Payload = urgency, int(d.o.TTL.Seconds()), string(payload)
	return base
}

func (d *Dispatcher) hookDelivery(base storage.Delivery, w *storage.Webhook, payload []byte) storage.Delivery {
	base.Channel, base.TargetID, base.Owner = storage.ChannelWebhook, w.ID, owner("client", w.ClientID)
	base.Payload = string(payload)
	return base
}

// backoff is the wait before retry number attempt: exponential with jitter,
// and never shorter than the push service's Retry-After.
func (d *Dispatcher) backoff(attempt int, retryAfter time.Duration) time.Duration {
	wait := d.o.RetryBase << min(attempt-1, 20)
	if wait > d.o.RetryMax || wait <= 0 {
		wait = d.o.RetryMax
	}
	wait = time.Duration(float64(wait) * (0.5 + rand.Float64()))
	return max(wait, retryAfter)
}
