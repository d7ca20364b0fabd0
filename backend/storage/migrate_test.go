package storage_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
)

// columns lists table.column for every table of the store's schema.
func columns(t *testing.T, st *storage.Store) []string {
	t.Helper()
	q := `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public'`
	if st.Dialect() == storage.SQLite {
		q = `SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	}
	var out []string
	if err := st.DB().Raw(q).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestMigrate_BothDialectsHaveTheSameTablesAndColumns(t *testing.T) {
	pg := storagetest.Open(t, storage.Postgres)
	lite := storagetest.Open(t, storage.SQLite)
	a, b := columns(t, pg), columns(t, lite)
	if len(a) < 100 {
		t.Fatalf("expected the full schema, got %d columns", len(a))
	}
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("schemas differ:\npostgres: %v\nsqlite:   %v", a, b)
	}
}

func TestMigrate_IsIdempotent(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			st := storagetest.Open(t, d)
			if err := st.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			v, err := st.SchemaVersion(context.Background())
			if err != nil || v < 1 {
				t.Fatalf("version %d, %v", v, err)
			}
		})
	}
}
