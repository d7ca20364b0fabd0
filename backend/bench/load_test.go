//go:build bench

package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/demo"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

// bulkLoad writes a dataset into an empty store the way app.LoadDataset
// leaves it (TestBenchLoaderMatchesLoadDataset checks that), but with
// multi-row INSERTs in one transaction: LoadDataset makes several round trips
// per home and takes about 35 s for 15,000 homes on PostgreSQL. Homes get ids
// 1..n in dataset order. Like LoadDataset, every home has one audit event and
// one outbox event; the suspensions and closures LoadDataset audits
// separately are written straight into the home rows.
func bulkLoad(ctx context.Context, st *storage.Store, ds demo.Dataset) error {
	sqlDB, err := st.DB().DB()
	if err != nil {
		return err
	}
	pg := st.Dialect() == storage.Postgres
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	orgIDs := map[string]int64{} // by ODS code
	orgRows := make([][]any, len(ds.Organisations))
	for i, o := range ds.Organisations {
		id := int64(i + 1)
		var ods any
		if o.ODSCode != "" {
			ods, orgIDs[o.ODSCode] = o.ODSCode, id
		}
		orgRows[i] = []any{id, string(o.Kind), o.Name, ods, o.LocalAuthority}
	}
	if err := insertRows(ctx, tx, pg, "organisations", []string{"id", "kind", "name", "ods_code", "local_authority"}, orgRows); err != nil {
		return err
	}
	hospRows := make([][]any, len(ds.Hospitals))
	for i, h := range ds.Hospitals {
		hospRows[i] = []any{h.Name, orgIDs[h.TrustODS], h.ODSSiteCode, h.Latitude, h.Longitude}
	}
	if err := insertRows(ctx, tx, pg, "hospitals", []string{"name", "organisation_id", "ods_site_code", "latitude", "longitude"}, hospRows); err != nil {
		return err
	}

	now := st.Now()
	homeCols := []string{"id", "cqc_location_id", "ods_code", "name", "address", "postcode", "phone", "latitude", "longitude",
		"local_authority", "district", "icb", "provider_id", "registered_beds", "nursing", "cqc_rating", "cqc_rating_date",
		"specialisms", "status", "status_reason", "status_note", "status_expires_at", "suspended", "suspension_reason",
		"suspended_at", "beds_observed_at", "updated_at"}
	catCols := []string{"home_id", "care_type", "client_group", "capacity", "occupied", "reserved", "available", "unavailable",
		"unavailable_reason", "stay_types", "allocation", "block_booked_by", "free_within_24h", "free_within_72h",
		"weekly_fee_from", "guide_rate_accepted", "top_up_required", "admit_within", "note", "observed_at", "received_at"}
	eventCols := []string{"seq", "home_id", "kind", "actor", "source", "received_at", "old_value", "new_value"}
	outboxCols := []string{"seq", "home_id", "kind", "payload", "created_at"}

	const batch = 500 // homes per statement: 13,500 parameters, 21 per category row
	for start := 0; start < len(ds.Homes); start += batch {
		seeds := ds.Homes[start:min(start+batch, len(ds.Homes))]
		var homes, cats, events, outbox [][]any
		for i, s := range seeds {
			id := int64(start + i + 1)
			h := s.Home
			h.ID, h.UpdatedAt = id, now
			if h.Rating == "" {
				h.Rating = domain.NotYetRated
			}
			if h.Status == "" {
				h.Status = domain.Open
			}
			if pid, ok := orgIDs[s.ProviderODS]; ok {
				h.ProviderID = &pid
			}
			var suspendedAt *time.Time
			if h.Suspended {
				suspendedAt = &now
			}
			var latest time.Time
			for _, c := range s.Categories {
				if c.ObservedAt.After(latest) {
					latest = c.ObservedAt
				}
			}
			var bedsObserved *time.Time
			if len(s.Categories) > 0 {
				bedsObserved = &latest
			}
			homes = append(homes, []any{id, h.CQCLocationID, h.ODSCode, h.Name, h.Address, h.Postcode, h.Phone, h.Latitude, h.Longitude,
				h.LocalAuthority, h.District, h.ICB, nullInt(h.ProviderID), h.RegisteredBeds, h.Nursing, string(h.Rating), nullTime(h.RatingDate),
				strings.Join(h.Specialisms, "|"), string(h.Status), string(h.StatusReason), h.StatusNote, nullTime(h.StatusExpiresAt),
				h.Suspended, h.SuspensionReason, nullTime(suspendedAt), nullTime(bedsObserved), now})
			for _, c := range s.Categories {
				stays := make([]string, len(c.StayTypes))
				for k, x := range c.StayTypes {
					stays[k] = string(x)
				}
				cats = append(cats, []any{id, string(c.CareType), string(c.ClientGroup), c.Capacity, c.Occupied, c.Reserved, c.Available,
					c.Unavailable, string(c.UnavailableReason), strings.Join(stays, "|"), string(c.Allocation), c.BlockBookedBy,
					nullInt(c.FreeWithin24h), nullInt(c.FreeWithin72h), nullInt(c.WeeklyFeeFrom), nullBool(c.GuideRateAccepted),
					nullBool(c.TopUpRequired), string(c.AdmitWithin), c.Note, c.ObservedAt.UTC(), c.ReceivedAt.UTC()})
			}
			newJSON, err := json.Marshal(h)
			if err != nil {
				return err
			}
			payload, err := json.Marshal(storage.OutboxPayload{Seq: id, HomeID: id, Kind: storage.KindHome,
				Old: json.RawMessage("null"), New: newJSON})
			if err != nil {
				return err
			}
			events = append(events, []any{id, id, storage.KindHome, "system", "import", now, "null", string(newJSON)})
			outbox = append(outbox, []any{id, id, storage.KindHome, string(payload), now})
		}
		for _, step := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{{"homes", homeCols, homes}, {"bed_categories", catCols, cats}, {"audit_events", eventCols, events}, {"outbox", outboxCols, outbox}} {
			// Category rows are 21 parameters each; split to stay under SQLite's 32,766.
			for from := 0; from < len(step.rows); from += 1000 {
				if err := insertRows(ctx, tx, pg, step.table, step.cols, step.rows[from:min(from+1000, len(step.rows))]); err != nil {
					return err
				}
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE counters SET value = %d WHERE name = 'feed'", len(ds.Homes))); err != nil {
		return err
	}
	if pg {
		// Explicit ids leave PostgreSQL's sequences behind; SQLite's
		// AUTOINCREMENT follows explicit ids by itself.
		for _, table := range []string{"organisations", "homes"} {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), (SELECT max(id) FROM %[1]s))", table)); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if pg {
		// Autovacuum would vacuum and analyse the new tables within a
		// minute; a benchmark should not depend on whether it has yet.
		if _, err := sqlDB.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			return err
		}
	}
	return nil
}

// insertRows writes rows with one multi-row INSERT.
func insertRows(ctx context.Context, tx *sql.Tx, pg bool, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, len(rows)*len(cols))
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			if pg {
				fmt.Fprintf(&b, "$%d", len(args))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

// Typed nil pointers become SQL NULL; drivers differ in how they take them.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func nullInt[T int | int64](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullBool(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}
