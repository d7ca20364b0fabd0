package storage

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies every migration not yet applied, one transaction per step,
// and records each in schema_version. It is safe to run on every start.
func (s *Store) Migrate(ctx context.Context) error {
	db, cancel := s.conn(ctx)
	defer cancel()
	if s.dialect == Postgres {
		// Several instances may start at once: serialise their migrations.
		return db.Connection(func(c *gorm.DB) error {
			if err := c.Exec("SELECT pg_advisory_lock(7261)").Error; err != nil {
				return classify(err)
			}
			defer c.Exec("SELECT pg_advisory_unlock(7261)")
			return s.migrate(c)
		})
	}
	return s.migrate(db)
}

func (s *Store) migrate(db *gorm.DB) error {
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`).Error; err != nil {
		return classify(err)
	}
	var applied []int
	if err := db.Raw(`SELECT version FROM schema_version`).Scan(&applied).Error; err != nil {
		return classify(err)
	}
	done := map[int]bool{}
	for _, v := range applied {
		done[v] = true
	}
	dir := "migrations/" + string(s.dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		version, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		if done[version] {
			continue
		}
		body, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return err
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			for _, stmt := range splitSQL(string(body)) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%s: %w", e.Name(), err)
				}
			}
			return tx.Exec(`INSERT INTO schema_version (version, name) VALUES (?, ?)`, version, e.Name()).Error
		})
		if err != nil {
			return classify(err)
		}
	}
	return nil
}

// SchemaVersion reports the highest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var v int
	err := db.Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v).Error
	return v, classify(err)
}

// splitSQL splits a migration into statements on semicolons at line ends.
// Migrations keep to plain DDL so this is enough; no semicolons in strings.
func splitSQL(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// MigrationsDigest identifies the embedded migrations, so tests can keep one
// migrated template database per schema.
func MigrationsDigest() string {
	h := sha256.New()
	fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}
