package alerts

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/storage"
)

// sendLoop is a pipeline: a claimer keeps the workers fed with due
// deliveries, the workers send, and a recorder writes outcomes in batches,
// so a large fan-out is paced by the push service, not by the database.
func (d *Dispatcher) sendLoop(ctx context.Context) {
	results := make(chan storage.Result, 2*d.o.Workers)
	var workers sync.WaitGroup
	for i := 0; i < d.o.Workers; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				select {
				case j := <-d.jobs:
					results <- d.deliver(ctx, j.m, j.d)
				case <-ctx.Done():
					return // jobs left in the channel keep their leases and are claimed again
				}
			}
		}()
	}
	recorded := make(chan struct{})
	go func() { defer close(recorded); d.record(results) }()

	t := time.NewTicker(d.o.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		batch, err := d.store.ClaimDeliveries(ctx, 500, d.o.Lease)
		var m *matcher
		if err == nil && len(batch) > 0 {
			// Once per batch, not per send: a 10,000-device fan-out would
			// otherwise ask the database 10,000 times.
			m, err = d.targets(ctx)
		}
		if err != nil && ctx.Err() == nil {
			slog.Warn("claiming deliveries failed; retrying", "error", err)
			batch = nil // their leases lapse and they are claimed again
		}
		for _, dl := range batch {
			d.feed(ctx, job{m: m, d: dl})
		}
		if len(batch) == 500 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-d.wakeSend:
		case <-t.C:
		}
	}
	workers.Wait()
	close(results)
	<-recorded
}

// record writes outcomes every 100 results or 20 ms, whichever first.
func (d *Dispatcher) record(results <-chan storage.Result) {
	var batch []storage.Result
	flush := func() {
		if len(batch) == 0 {
			return
		}
		// Outcomes are written even while shutting down: the sends happened.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := d.store.RecordResults(ctx, batch); err != nil {
			// The leases lapse and these are sent again: at least once.
			slog.Warn("recording delivery outcomes failed", "count", len(batch), "error", err)
		}
		batch = batch[:0]
	}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case r, ok := <-results:
			if !ok {
				flush()
				return
			}
			batch = append(batch, r)
			if len(batch) >= 100 {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}

// feed hands a claimed delivery to the workers, waiting while they are busy.
func (d *Dispatcher) feed(ctx context.Context, j job) {
	select {
	case d.jobs <- j:
	case <-ctx.Done():
	}
}

// job is one claimed delivery with the matching tables of its batch.
type job struct {
	m *matcher
	d storage.Delivery
}

// deliver sends one delivery and decides what happens next.
func (d *Dispatcher) deliver(ctx context.Context, m *matcher, job storage.Delivery) storage.Result {
	res := storage.Result{ID: job.ID, Channel: job.Channel, TargetID: job.TargetID, SentAt: time.Now()}
	var a push.Answer
	switch job.Channel {
	case storage.ChannelPush:
		dev := m.deviceOf[job.TargetID]
		if dev == nil {
			res.Status, res.AnsweredAt, res.Error = storage.StatusDropped, time.Now(), "device removed"
			return res
		}
		a = d.push.Send(ctx, push.Message{Endpoint: dev.Endpoint, P256dh: dev.P256dh, Auth: dev.Auth,
			Payload: []byte(job.Payload), Topic: job.Topic, Urgency: job.Urgency, TTL: job.TTL})
	case storage.ChannelWebhook:
		w := m.hookOf[job.TargetID]
		if w == nil {
			res.Status, res.AnsweredAt, res.Error = storage.StatusDropped, time.Now(), "webhook removed"
			return res
		}
		a = d.hooks.Send(ctx, w.URL, w.Secret, strconv.FormatInt(job.ID, 10), []byte(job.Payload), time.Now())
	}
	res.AnsweredAt, res.ResponseStatus = time.Now(), a.Status
	if a.Err != nil {
		res.Error = a.Err.Error()
	}
	outcome := push.Classify(a)
	switch outcome {
	case push.Delivered:
		res.Status = storage.StatusDelivered
		d.latency.Observe(res.AnsweredAt.Sub(job.EventAt).Seconds())
	case push.Gone:
		res.Status = storage.StatusPruned
		if job.Channel == storage.ChannelWebhook {
			res.Status = storage.StatusDropped // a webhook is removed by its owner, not by one answer
		}
	case push.Drop:
		res.Status = storage.StatusDropped
		slog.Warn("delivery refused for good", "delivery", job.ID, "channel", job.Channel, "status", a.Status)
	case push.Retry:
		res.Status = storage.StatusRetry
		res.NextAttemptAt = time.Now().Add(d.backoff(job.Attempts, a.RetryAfter))
		if job.Attempts >= d.o.MaxAttempts {
			res.Status = storage.StatusDead
			slog.Warn("delivery dead-lettered", "delivery", job.ID, "channel", job.Channel, "attempts", job.Attempts)
		}
	}
	if res.NextAttemptAt.IsZero() {
		res.NextAttemptAt = res.AnsweredAt
	}
	d.outcomes.WithLabelValues(job.Channel, res.Status).Inc()
	return res
}
