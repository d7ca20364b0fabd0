package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
)

func TestImportHomes_ALargeImportOutlastsTheRequestTimeout(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			o := storage.Options{Timeout: 50 * time.Millisecond} // far shorter than the import takes
			if d == storage.Postgres {
				o.DatabaseURL = storagetest.NewDatabase(t)
			} else {
				o.DataDir = t.TempDir()
			}
			st, err := storage.Open(o)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			home := func(i int, name string) domain.Home {
				return domain.Home{CQCLocationID: fmt.Sprintf("1-%09d", i), Name: name, Postcode: "ST4 6QG",
					Latitude: 52.8, Longitude: -2.1, LocalAuthority: "Staffordshire", RegisteredBeds: 40, Rating: domain.Good}
			}
			all := func(domain.Home) bool { return true }
			if _, err := st.ImportHomes(ctx, system, []domain.Home{home(1, "Old name")}, all); err != nil {
				t.Fatal(err)
			}
			var rows []domain.Home
			for i := 1; i <= 2500; i++ {
				rows = append(rows, home(i, fmt.Sprintf("Home %d", i)))
			}
			rows = append(rows, home(2, "Home 2, again")) // a repeated row updates the home it created
			start := time.Now()
			res, err := st.ImportHomes(ctx, system, rows, all)
			if err != nil {
				t.Fatalf("import of %d rows after %s: %v", len(rows), time.Since(start), err)
			}
			if res.Created != 2499 || res.Updated != 2 {
				t.Fatalf("want 2499 created and 2 updated, got %+v", res)
			}
			for id, want := range map[string]string{"1-000000001": "Home 1", "1-000000002": "Home 2, again", "1-000002500": "Home 2500"} {
				h, err := st.HomeByCQCID(ctx, id)
				if err != nil || h.Name != want {
					t.Fatalf("%s: %q %v, want %q", id, h.Name, err, want)
				}
			}
		})
	}
}
