package api

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/webhook"
	"github.com/gofiber/fiber/v2"
)

// Notifier is the alert dispatcher as handlers see it: they never send
// anything themselves, they only wake it.
type Notifier interface {
	Wake()
	QueueTest(ctx context.Context, w storage.Webhook, now time.Time) error
}

// filterInput is an alert filter as users and systems send it. Closed,
// suspended and stale homes never alert, so those switches are not offered.
type filterInput struct {
	CareTypes        []domain.CareType    `json:"care_types"`
	ClientGroups     []domain.ClientGroup `json:"client_groups"`
	StayType         domain.StayType      `json:"stay_type"`
	LocalAuthorities []string             `json:"local_authorities"`
	Districts        []string             `json:"districts"`
	HospitalID       *int64               `json:"hospital_id"`
	Latitude         *float64             `json:"latitude"`
	Longitude        *float64             `json:"longitude"`
	RadiusKm         float64              `json:"radius_km"`
	MinRating        domain.Rating        `json:"min_rating"`
	GuideRateOnly    bool                 `json:"guide_rate_only"`
	AdmitWithin      domain.AdmitWithin   `json:"admit_within"`
}

// filter checks the input and resolves a hospital into its point.
func (s *Server) filter(c *fiber.Ctx, in filterInput) (domain.Filter, error) {
	f := domain.Filter{CareTypes: in.CareTypes, ClientGroups: in.ClientGroups, StayType: in.StayType,
		LocalAuthorities: in.LocalAuthorities, Districts: in.Districts, HospitalID: in.HospitalID,
		Latitude: in.Latitude, Longitude: in.Longitude, RadiusKm: in.RadiusKm, MinRating: in.MinRating,
		GuideRateOnly: in.GuideRateOnly, AdmitWithin: in.AdmitWithin}
	if in.HospitalID != nil {
		if in.Latitude != nil || in.Longitude != nil {
			return f, validation(domain.FieldError{Field: "filter.hospital_id", Reason: "give a hospital or a point, not both"})
		}
		h, err := s.store.Hospital(c.UserContext(), *in.HospitalID)
		if isNotFound(err) {
			return f, validation(domain.FieldError{Field: "filter.hospital_id", Reason: "no such hospital"})
		}
		if err != nil {
			return f, err
		}
		f.Latitude, f.Longitude = &h.Latitude, &h.Longitude
	}
	if err := f.Validate(); err != nil {
		// Name fields as the caller sent them, inside "filter".
		if ve, ok := err.(*domain.ValidationError); ok {
			for i := range ve.Fields {
				ve.Fields[i].Field = "filter." + ve.Fields[i].Field
			}
		}
		return f, err
	}
	return f, nil
}

func (s *Server) vapidKey(c *fiber.Ctx) error {
	if s.opts.Push == nil {
		return problem(kindUnavailable, "Web Push is not configured")
	}
	return c.JSON(fiber.Map{"public_key": s.opts.Push.PublicKey()})
}

type subscriptionInput struct {
	Subscription struct {
		Endpoint       string   `json:"endpoint"`
		ExpirationTime *float64 `json:"expirationTime"`
		Keys           struct {
			P256dh string `json:"p256dh"`
			Auth   string `json:"auth"`
		} `json:"keys"`
	} `json:"subscription"`
	Filter   *filterInput `json:"filter"`
	FilterID *int64       `json:"filter_id"`
}

func (s *Server) listDevices(c *fiber.Ctx) error {
	subs, err := s.store.PushSubscriptions(c.UserContext(), who(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"subscriptions": subs})
}

// subscribe registers this device for alerts. With a filter, the filter is
// saved and the device follows it alone; with filter_id, that saved filter;
// with neither, every filter of the user (or, for managers, reminders only).
func (s *Server) subscribe(c *fiber.Ctx) error {
	if s.opts.Push == nil {
		return problem(kindUnavailable, "Web Push is not configured")
	}
	var in subscriptionInput
	if err := decode(c, &in); err != nil {
		return err
	}
	sub := in.Subscription
	if err := s.opts.Push.Allow().Check(sub.Endpoint); err != nil || len(sub.Endpoint) > 2000 {
		return validation(domain.FieldError{Field: "subscription.endpoint", Reason: "not an allowed push service"})
	}
	if err := push.CheckKeys(sub.Keys.P256dh, sub.Keys.Auth); err != nil {
		return validation(domain.FieldError{Field: "subscription.keys", Reason: err.Error()})
	}
	p := who(c)
	if (in.Filter != nil || in.FilterID != nil) && !mayHaveAlerts(p.Role) {
		return problem(kindForbidden, "vacancy alerts are for those who read vacancies")
	}
	if in.Filter != nil && in.FilterID != nil {
		return validation(domain.FieldError{Field: "filter_id", Reason: "give a filter or a filter_id, not both"})
	}
	var inline *domain.Filter
	if in.Filter != nil {
		f, err := s.filter(c, *in.Filter)
		if err != nil {
			return err
		}
		inline = &f
	}
	out, err := s.store.SavePushSubscription(c.UserContext(), storage.PushSubscription{UserID: p.UserID,
		Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth, FilterID: in.FilterID}, inline)
	if errors.Is(err, storage.ErrReference) {
		return validation(domain.FieldError{Field: "filter_id", Reason: "not one of your alert filters"})
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func mayHaveAlerts(r domain.Role) bool {
	return r == domain.RoleAdmin || r == domain.RoleCommissioner || r == domain.RoleCoordinator
}

func pathID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, problem(kindNotFound, "")
	}
	return id, nil
}

func (s *Server) unsubscribe(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	owner := who(c).UserID
	if who(c).Role == domain.RoleAdmin {
		owner = 0
	}
	if err := s.store.DeletePushSubscription(c.UserContext(), owner, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type alertInput struct {
	Name   string      `json:"name"`
	Filter filterInput `json:"filter"`
}

func (s *Server) saveAlert(c *fiber.Ctx, id int64) (storage.AlertFilter, error) {
	var in alertInput
	if err := decode(c, &in); err != nil {
		return storage.AlertFilter{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 80 {
		return storage.AlertFilter{}, validation(domain.FieldError{Field: "name", Reason: "required, at most 80 characters"})
	}
	f, err := s.filter(c, in.Filter)
	if err != nil {
		return storage.AlertFilter{}, err
	}
	return s.store.SaveAlertFilter(c.UserContext(), storage.AlertFilter{ID: id, UserID: who(c).UserID, Name: in.Name, Filter: f})
}

func (s *Server) listAlerts(c *fiber.Ctx) error {
	fs, err := s.store.AlertFilters(c.UserContext(), who(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"alerts": fs})
}

func (s *Server) createAlert(c *fiber.Ctx) error {
	f, err := s.saveAlert(c, 0)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

func (s *Server) updateAlert(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f, err := s.saveAlert(c, id)
	if err != nil {
		return err
	}
	return c.JSON(f)
}

func (s *Server) deleteAlert(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteAlertFilter(c.UserContext(), who(c).UserID, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type webhookInput struct {
	URL    string      `json:"url"`
	Filter filterInput `json:"filter"`
}

type webhookCreated struct {
	storage.Webhook
	Secret string `json:"secret"`
}

func (s *Server) listWebhooks(c *fiber.Ctx) error {
	hs, err := s.store.Webhooks(c.UserContext(), who(c).ClientID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"webhooks": hs})
}

// createWebhook registers an endpoint; its signing secret is shown once.
func (s *Server) createWebhook(c *fiber.Ctx) error {
	var in webhookInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := webhook.CheckURL(in.URL, s.opts.WebhookLoopbackHTTP); err != nil {
		return validation(domain.FieldError{Field: "url", Reason: err.Error()})
	}
	f, err := s.filter(c, in.Filter)
	if err != nil {
		return err
	}
	w, err := s.store.CreateWebhook(c.UserContext(), storage.Webhook{ClientID: who(c).ClientID, URL: in.URL, Secret: webhook.NewSecret(), Filter: f})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(webhookCreated{Webhook: w, Secret: w.Secret})
}

func (s *Server) deleteWebhook(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteWebhook(c.UserContext(), who(c).ClientID, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) webhookDeliveries(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := s.store.Webhook(c.UserContext(), who(c).ClientID, id); err != nil {
		return err
	}
	return s.deliveryLog(c, storage.DeliveryQuery{Owner: "client:" + strconv.FormatInt(who(c).ClientID, 10),
		Channel: storage.ChannelWebhook, TargetID: id})
}

func (s *Server) testWebhook(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	w, err := s.store.Webhook(c.UserContext(), who(c).ClientID, id)
	if err != nil {
		return err
	}
	if s.opts.Notifier == nil {
		return problem(kindUnavailable, "alerts are not running")
	}
	if err := s.opts.Notifier.QueueTest(c.UserContext(), w, s.now()); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"queued": true})
}

// deliveries is the admins' view of every delivery, such as the dead letters.
func (s *Server) deliveries(c *fiber.Ctx) error {
	q := storage.DeliveryQuery{Status: c.Query("status"), Channel: c.Query("channel")}
	switch q.Status {
	case "", storage.StatusQueued, storage.StatusSending, storage.StatusDelivered, storage.StatusRetry,
		storage.StatusDead, storage.StatusDropped, storage.StatusPruned:
	default:
		return validation(domain.FieldError{Field: "status", Reason: "unknown status"})
	}
	if q.Channel != "" && q.Channel != storage.ChannelPush && q.Channel != storage.ChannelWebhook {
		return validation(domain.FieldError{Field: "channel", Reason: "must be push or webhook"})
	}
	return s.deliveryLog(c, q)
}

func (s *Server) deliveryLog(c *fiber.Ctx, q storage.DeliveryQuery) error {
	limit, err := intQuery(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	before, err := intQuery(c, "cursor", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	q.Limit, q.BeforeID = limit, int64(before)
	ds, err := s.store.Deliveries(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := fiber.Map{"deliveries": ds}
	if len(ds) == limit {
		out["next_cursor"] = strconv.FormatInt(ds[len(ds)-1].ID, 10)
	}
	return c.JSON(out)
}
