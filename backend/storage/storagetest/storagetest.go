// Package storagetest gives tests a real, empty, migrated store: a temporary
// SQLite file, or a fresh PostgreSQL database on the server named by
// BEDSTATE_TEST_POSTGRES_URL (default: 127.0.0.1:5432, user postgres). A
// missing PostgreSQL fails the test: it is never skipped.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/storage"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for CREATE DATABASE
)

// Dialects are the databases every store and API suite runs against.
var Dialects = []storage.Dialect{storage.SQLite, storage.Postgres}

// ServerURL is the PostgreSQL server tests use.
func ServerURL() string {
	if u := os.Getenv("BEDSTATE_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// Open returns a migrated, empty store of the dialect, removed when the test ends.
func Open(t testing.TB, d storage.Dialect) *storage.Store {
	t.Helper()
	o := storage.Options{MaxOpenConns: 10, Timeout: 10 * time.Second}
	if d == storage.Postgres {
		o.DatabaseURL = NewDatabase(t)
	} else {
		o.DataDir = t.TempDir()
	}
	st, err := storage.Open(o)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return st
}

// NewDatabase creates an empty PostgreSQL database for the test, migrated by
// copying a template made once per test binary, and drops it afterwards.
// It returns the database's URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", ServerURL())
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("PostgreSQL is required for the tests and did not answer at %s: %v", ServerURL(), err)
	}
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(admin) })
	if templateErr != nil {
		t.Fatalf("PostgreSQL template: %v", templateErr)
	}
	name := "bedstate_test_" + randomHex()
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, templateName)); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", ServerURL())
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDatabase(ServerURL(), name)
}

// makeTemplate makes sure the migrated template of the current schema exists.
// Its name comes from the migrations, so every test binary shares it; an
// advisory lock keeps two binaries from building it at once.
func makeTemplate(admin *sql.DB) (string, error) {
	name := "bedstate_tmpl_" + storage.MigrationsDigest()
	ctx := context.Background()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(726101)"); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock(726101)")
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Templates of older schemas are no use to anyone now.
	rows, err := conn.QueryContext(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'bedstate_tmpl_%'")
	if err != nil {
		return "", err
	}
	var old []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			old = append(old, n)
		}
	}
	rows.Close()
	for _, n := range old {
		conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", n))
	}
	building := name + "_new"
	conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building))
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	st, err := storage.Open(storage.Options{DatabaseURL: withDatabase(ServerURL(), building), MaxOpenConns: 2})
	if err != nil {
		return "", err
	}
	err = st.Migrate(ctx)
	st.Close()
	if err != nil {
		return "", err
	}
	// Renamed only once complete, so a half-built template is never used.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
