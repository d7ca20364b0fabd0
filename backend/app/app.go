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
	"syscall"
	"time"

	"github.com/bedstate/bedstate/backend/api"
	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/config"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/vacancy"
	"github.com/bedstate/bedstate/pwa"
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

// Build makes the server over an open store: keys, snapshot and routes.
func Build(ctx context.Context, cfg *config.Config, st *storage.Store) (*api.Server, *vacancy.Index, error) {
	key, err := auth.LoadOrCreateKey(cfg.JWTPrivateKey, cfg.DataDir)
	if err != nil {
		return nil, nil, fmt.Errorf("signing key: %w", err)
	}
	index := vacancy.New(domain.Thresholds{Fresh: cfg.FreshFor, Stale: cfg.StaleAfter})
	if err := api.Reload(ctx, st, index, 0); err != nil {
		return nil, nil, fmt.Errorf("load snapshot: %w", err)
	}
	srv := api.New(st, index, key, api.Options{
		AccessTokenTTL: cfg.AccessTokenTTL, RefreshTokenTTL: cfg.RefreshTokenTTL,
		MaxBodyBytes: cfg.MaxBodyBytes, ImportMaxBytes: cfg.ImportMaxBytes,
		LoginAttempts: cfg.LoginAttempts, LoginWindow: cfg.LoginWindow,
		TrustedProxies: cfg.TrustedProxies, Static: pwa.Handler(),
	})
	return srv, index, nil
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
	srv, _, err := Build(ctx, cfg, st)
	if err != nil {
		return err
	}
	// Other instances' writes arrive by LISTEN/NOTIFY; the periodic reload
	// is the safety net for anything missed.
	go st.Listen(ctx, func(id int64) { srv.Reload(ctx, id) })
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
	return app.ShutdownWithTimeout(20 * time.Second)
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
