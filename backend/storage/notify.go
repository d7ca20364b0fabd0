package storage

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen follows bed-state changes committed by any instance on the same
// PostgreSQL and calls changed with each home's id. After a lost connection
// it calls changed(0), meaning "reload everything", as notifications sent
// while disconnected are gone. It returns when ctx ends; on SQLite there is
// only one instance and it returns at once.
func (s *Store) Listen(ctx context.Context, changed func(homeID int64)) {
	if s.dialect != Postgres {
		return
	}
	backoff := time.Second
	first := true
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, s.url)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN bedstate_changes")
		}
		if err == nil {
			if !first {
				changed(0)
			}
			first = false
			backoff = time.Second
			for {
				n, werr := conn.WaitForNotification(ctx)
				if werr != nil {
					err = werr
					break
				}
				if id, perr := strconv.ParseInt(n.Payload, 10, 64); perr == nil {
					changed(id)
				}
			}
		}
		if conn != nil {
			conn.Close(context.Background())
		}
		if ctx.Err() != nil {
			return
		}
		first = false
		slog.Warn("change listener lost its connection; retrying", "error", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}
