package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/config"
	"github.com/bedstate/bedstate/backend/cqccsv"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/push"
	"github.com/bedstate/bedstate/backend/storage"
)

const usage = `Usage: bedstate COMMAND [flags]

Commands:
  serve [--demo]           run the service (--demo loads demo data into an empty database)
  migrate                  apply database migrations
  seed-demo                load the Staffordshire demo data and log-ins
  import-homes FILE.csv    import homes from a CQC care directory CSV
  create-user --email E --password P --role R [--org ODS] [--home CQC_ID ...]
  create-client --name N --secret S [--org ODS]
  vapid-keys               print a new VAPID key pair for BEDSTATE_VAPID_PUBLIC_KEY and _PRIVATE_KEY

Configuration comes from environment variables; see the README.
`

// Main runs one subcommand and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	setLogLevel(cfg.LogLevel)
	ctx := context.Background()
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		demoMode := fs.Bool("demo", false, "load demo data and log-ins into an empty database")
		if fs.Parse(rest) != nil {
			return 2
		}
		err = Serve(cfg, *demoMode)
	case "migrate":
		err = withStore(ctx, cfg, func(st *storage.Store) error {
			v, err := st.SchemaVersion(ctx)
			fmt.Fprintf(stdout, "schema at version %d (%s)\n", v, st.Dialect())
			return err
		})
	case "seed-demo":
		err = withStore(ctx, cfg, func(st *storage.Store) error {
			seeded, err := SeedDemo(ctx, st)
			if err == nil && !seeded {
				fmt.Fprintln(stdout, "the database already holds homes; nothing loaded")
			}
			if err == nil && seeded {
				printDemo(true)
			}
			return err
		})
	case "import-homes":
		err = importHomes(ctx, cfg, rest, stdout)
	case "create-user":
		err = createUser(ctx, cfg, rest, stdout)
	case "create-client":
		err = createClient(ctx, cfg, rest, stdout)
	case "vapid-keys":
		k, kerr := push.GenerateKeys()
		if kerr == nil {
			fmt.Fprintf(stdout, "BEDSTATE_VAPID_PUBLIC_KEY=%s\nBEDSTATE_VAPID_PRIVATE_KEY=%s\n", k.Public, k.Private)
		}
		err = kerr
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "bedstate:", err)
		return 1
	}
	return 0
}

func withStore(ctx context.Context, cfg *config.Config, fn func(*storage.Store) error) error {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

func importHomes(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: bedstate import-homes FILE.csv")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	rows, rowErrs, err := cqccsv.Parse(f)
	if err != nil {
		return err
	}
	for _, e := range rowErrs {
		fmt.Fprintf(stdout, "line %d: %s: %s (skipped)\n", e.Line, e.Field, e.Reason)
	}
	return withStore(ctx, cfg, func(st *storage.Store) error {
		homes := make([]domain.Home, len(rows))
		for i, r := range rows {
			homes[i] = r.Home
		}
		res, err := st.ImportHomes(ctx, storage.Actor{Subject: "system", Source: "import"}, homes, func(domain.Home) bool { return true })
		if err == nil {
			fmt.Fprintf(stdout, "%d homes created, %d updated, %d rows skipped\n", res.Created, res.Updated, len(rowErrs))
		}
		return err
	})
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func createUser(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("create-user", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address")
	password := fs.String("password", "", "password, at least 10 characters")
	role := fs.String("role", "", "admin, commissioner, coordinator or manager")
	org := fs.String("org", "", "ODS code of the user's organisation")
	var homes listFlag
	fs.Var(&homes, "home", "CQC location ID of a home the manager manages (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := domain.Role(*role)
	if *email == "" || !r.Valid() || r == domain.RoleSystem {
		return fmt.Errorf("--email and --role (admin, commissioner, coordinator or manager) are required")
	}
	hash, err := auth.HashPassword(*password)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(st *storage.Store) error {
		u := storage.User{Email: *email, PasswordHash: hash, Role: r}
		if *org != "" {
			o, err := st.OrganisationByODS(ctx, *org)
			if err != nil {
				return fmt.Errorf("organisation %s: %w", *org, err)
			}
			u.OrganisationID = &o.ID
		}
		for _, cqc := range homes {
			h, err := st.HomeByCQCID(ctx, cqc)
			if err != nil {
				return fmt.Errorf("home %s: %w", cqc, err)
			}
			u.HomeIDs = append(u.HomeIDs, h.ID)
		}
		saved, err := st.CreateUser(ctx, u)
		if err == nil {
			fmt.Fprintf(stdout, "created %s user %d\n", saved.Role, saved.ID)
		}
		return err
	})
}

func createClient(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("create-client", flag.ContinueOnError)
	name := fs.String("name", "", "client id")
	secret := fs.String("secret", "", "client secret, at least 10 characters")
	org := fs.String("org", "", "ODS code of the client's organisation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("--name is required")
	}
	hash, err := auth.HashPassword(*secret)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(st *storage.Store) error {
		c := storage.Client{Name: *name, SecretHash: hash}
		if *org != "" {
			o, err := st.OrganisationByODS(ctx, *org)
			if err != nil {
				return fmt.Errorf("organisation %s: %w", *org, err)
			}
			c.OrganisationID = &o.ID
		}
		saved, err := st.CreateClient(ctx, c)
		if err == nil {
			fmt.Fprintf(stdout, "created client %s (%d)\n", saved.Name, saved.ID)
		}
		return err
	})
}

// setLogLevel applies BEDSTATE_LOG_LEVEL to the default logger.
func setLogLevel(level string) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})))
}
