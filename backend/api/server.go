// Package api is Bedstate's HTTP interface: the fiber app, its route table
// with the role each route needs, and thin handlers over storage and vacancy.
package api

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/vacancy"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configure the server.
type Options struct {
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	MaxBodyBytes    int
	ImportMaxBytes  int
	LoginAttempts   int
	LoginWindow     time.Duration
	TrustedProxies  []string
	Static          fiber.Handler // the PWA; nil serves none

	Push                *push.Sender         // Web Push: the VAPID key and the allowlist
	Notifier            Notifier             // the alert dispatcher, woken after writes
	WebhookLoopbackHTTP bool                 // allow http://127.0.0.1 webhooks (development)
	Registry            *prometheus.Registry // shared with the dispatcher; nil makes one
}

// Server holds what the handlers need.
type Server struct {
	store   *storage.Store
	index   *vacancy.Index
	issuer  *auth.Issuer
	key     *auth.Key
	opts    Options
	logins  *auth.Limiter // per e-mail and address
	loginIP *auth.Limiter // per address, against spraying many e-mails
	metrics *metrics
	now     func() time.Time
}

// New makes a server over a migrated store and a loaded index.
func New(store *storage.Store, index *vacancy.Index, key *auth.Key, o Options) *Server {
	if o.AccessTokenTTL <= 0 {
		o.AccessTokenTTL = 15 * time.Minute
	}
	if o.RefreshTokenTTL <= 0 {
		o.RefreshTokenTTL = 30 * 24 * time.Hour
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 10
	}
	if o.ImportMaxBytes <= 0 {
		o.ImportMaxBytes = 32 << 20
	}
	if o.LoginAttempts <= 0 {
		o.LoginAttempts = 5
	}
	if o.LoginWindow <= 0 {
		o.LoginWindow = time.Minute
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	s := &Server{store: store, index: index, key: key, opts: o,
		issuer:  &auth.Issuer{Key: key, TTL: o.AccessTokenTTL, Issuer: "bedstate"},
		logins:  auth.NewLimiter(o.LoginAttempts, o.LoginWindow),
		loginIP: auth.NewLimiter(o.LoginAttempts*10, o.LoginWindow),
		metrics: newMetrics(o.Registry),
		now:     func() time.Time { return time.Now().UTC() },
	}
	s.metrics.index = func() float64 { return float64(index.Len()) }
	return s
}

// SetClock replaces the server's clock, for tests.
func (s *Server) SetClock(now func() time.Time) {
	s.now = now
	s.issuer.Now = now
}

// Issuer signs and checks access tokens.
func (s *Server) Issuer() *auth.Issuer { return s.issuer }

// App builds the fiber app with every route.
func (s *Server) App() *fiber.App {
	app := fiber.New(fiber.Config{
		ErrorHandler:            s.errorHandler,
		BodyLimit:               s.opts.ImportMaxBytes,
		DisableStartupMessage:   true,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             120 * time.Second,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          s.opts.TrustedProxies,
		ProxyHeader:             fiber.HeaderXForwardedFor,
	})
	app.Use(s.recover, s.securityHeaders, s.observe)
	for _, r := range s.routes() {
		handlers := []fiber.Handler{s.limitBody(r.maxBody)}
		if !r.public {
			handlers = append(handlers, s.authenticate(r.roles))
		}
		handlers = append(handlers, r.handler)
		app.Add(r.method, r.path, handlers...)
	}
	if s.opts.Static != nil {
		app.Use(s.opts.Static)
	}
	app.Use(func(c *fiber.Ctx) error { return problem(kindNotFound, "no such route") })
	return app
}

// Reload refreshes one home in the vacancy snapshot from the database, or
// every home when id is 0. Called after each write and on notifications from
// other instances.
func (s *Server) Reload(ctx context.Context, id int64) {
	if err := Reload(ctx, s.store, s.index, id); err != nil {
		slog.Warn("snapshot reload failed; the periodic reload will catch up", "home", id, "error", err)
	}
}

// Reload refreshes the index from the store: one home, or all when id is 0.
func Reload(ctx context.Context, store *storage.Store, index *vacancy.Index, id int64) error {
	if id == 0 {
		var homes []vacancy.Home
		err := store.EachBeds(ctx, func(batch []storage.BedState) error {
			for _, st := range batch {
				homes = append(homes, vacancy.Home{Home: st.Home, Categories: st.Categories})
			}
			return nil
		})
		if err != nil {
			return err
		}
		first := index.Len() == 0
		index.Replace(homes)
		if first {
			// The first load is one big burst of garbage (the driver's rows):
			// hand it back to the OS now rather than as the scavenger gets to it.
			debug.FreeOSMemory()
		}
		return nil
	}
	st, err := store.GetBeds(ctx, id)
	if err != nil {
		return err
	}
	index.Put(vacancy.Home{Home: st.Home, Categories: st.Categories})
	return nil
}

// route is one entry of the route table: who may call it is part of the entry.
type route struct {
	method  string
	path    string
	public  bool          // no sign-in: health, keys, sign-in itself
	roles   []domain.Role // roles allowed; organisation scope is checked in the handler
	maxBody int           // 0: the default limit
	handler fiber.Handler
}
