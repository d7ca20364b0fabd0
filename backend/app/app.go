// Package app wires Bedstate together: configuration, database, keys, the
// vacancy snapshot, the HTTP server and its lifecycle, and the subcommands.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/bedstate/bedstate/backend/alerts"
	"github.com/bedstate/bedstate/backend/api"
	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/config"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/vacancy"
	"github.com/bedstate/bedstate/backend/webhook"
	"github.com/bedstate/bedstate/pwa"
	"github.com/prometheus/client_golang/prometheus"
	_ "time/tzdata" // Europe/London for reminders, even where the system has no zone files
)

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, cfg *config.Config) (*storage.Store, error) {
	st, err := storage.Open(storage.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir,
		MaxOpenConns: cfg.MaxOpenConns, Timeout: cfg.DBTimeout})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return st, nil
}

// Service is a built Bedstate: the HTTP server, its snapshot and the alert dispatcher.
type Service struct {
	Server     *api.Server
	Index      *vacancy.Index
	Dispatcher *alerts.Dispatcher
}

// Build makes the service over an open store: keys, snapshot, dispatcher and routes.
func Build(ctx context.Context, cfg *config.Config, st *storage.Store) (*Service, error) {
	key, err := auth.LoadOrCreateKey(cfg.JWTPrivateKey, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	vapid, err := push.LoadOrCreateKeys(cfg.VAPIDPublicKey, cfg.VAPIDPrivateKey, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("VAPID keys: %w", err)
	}
	reg := prometheus.NewRegistry()
	th := domain.Thresholds{Fresh: cfg.FreshFor, Stale: cfg.StaleAfter}
	sender := push.NewSender(push.Options{Keys: vapid, Subject: cfg.VAPIDSubject,
		Allow: push.NewAllowlist(cfg.PushAllowedHosts), PerHost: cfg.PushPerHost})
	disp := alerts.New(st, sender, webhook.NewSender(cfg.WebhookLoopbackHTTP), alerts.Options{
		TTL: cfg.PushTTL, ReminderAt: cfg.ReminderAt, Thresholds: th, Registry: reg})
	index := vacancy.New(th)
	if err := api.Reload(ctx, st, index, 0); err != nil {
		return nil, fmt.Errorf("load snapshot: %w", err)
	}
	srv := api.New(st, index, key, api.Options{
		AccessTokenTTL: cfg.AccessTokenTTL, RefreshTokenTTL: cfg.RefreshTokenTTL,
		MaxBodyBytes: cfg.MaxBodyBytes, ImportMaxBytes: cfg.ImportMaxBytes,
		LoginAttempts: cfg.LoginAttempts, LoginWindow: cfg.LoginWindow,
		TrustedProxies: cfg.TrustedProxies, Static: pwa.Handler(),
		Push: sender, Notifier: disp, WebhookLoopbackHTTP: cfg.WebhookLoopbackHTTP, Registry: reg,
	})
	if err := disp.Prime(ctx); err != nil {
		return nil, fmt.Errorf("load alert filters: %w", err)
	}
	// Loading the snapshot and the alert tables leaves garbage several times
	// their size; hand it back now rather than whenever the scavenger gets to it.
	debug.FreeOSMemory()
	return &Service{Server: srv, Index: index, Dispatcher: disp}, nil
}

// Serve runs the service until SIGINT or SIGTERM. With demo, an empty
// database is first loaded with the Staffordshire demo data and log-ins.
func Serve(cfg *config.Config, demoMode bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if demoMode {
		seeded, err := SeedDemo(ctx, st)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		printDemo(seeded)
	}
	svc, err := Build(ctx, cfg, st)
	if err != nil {
		return err
	}
	srv := svc.Server
	// Other instances' writes arrive by LISTEN/NOTIFY; the periodic reload
	// is the safety net for anything missed. Their outbox rows are anyone's
	// to dispatch, so a notification wakes the dispatcher too.
	go st.Listen(ctx, func(id int64) { srv.Reload(ctx, id); svc.Dispatcher.Wake() })
	dispatched := make(chan struct{})
	go func() { defer close(dispatched); svc.Dispatcher.Run(ctx) }()
	go every(ctx, 5*time.Minute, func() { srv.Reload(ctx, 0) })
	go every(ctx, time.Hour, func() {
		if _, err := st.PruneIdempotencyKeys(ctx, 7*24*time.Hour); err != nil {
			slog.Warn("pruning idempotency keys failed", "error", err)
		}
	})
	app := srv.App()
	ln, err := net.Listen("tcp", ":"+cfg.Port)
	if err != nil {
		return err
	}
	slog.Info("bedstate serving", "address", "http://localhost:"+cfg.Port, "database", st.Dialect())
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	err = app.ShutdownWithTimeout(20 * time.Second)
	<-dispatched // sends in flight finish and their outcomes are recorded
	return err
}

func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

func printDemo(seeded bool) {
	if seeded {
		fmt.Println("Loaded the Staffordshire demo data.")
	}
	fmt.Println("Demo log-ins (password " + DemoPassword + "):")
	for _, l := range DemoLogins {
		fmt.Printf("  %-13s %s\n", l.Role, l.Email)
	}
	fmt.Printf("  %-13s client id %s, secret %s\n", "system", DemoClient, DemoPassword)
}
