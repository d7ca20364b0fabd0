package api

import (
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

type changesPage struct {
	Changes    []storage.Event `json:"changes"`
	NextCursor string          `json:"next_cursor"`
}

// changes is the feed a polling system follows: events after the cursor,
// oldest first. An empty page returns the same cursor to poll with again.
func (s *Server) changes(c *fiber.Ctx) error {
	var since int64
	if v := c.Query("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return validation(domain.FieldError{Field: "since", Reason: "malformed cursor"})
		}
		since = n
	}
	limit, err := intQuery(c, "limit", 200, 1, 1000)
	if err != nil {
		return err
	}
	events, err := s.store.Changes(c.UserContext(), since, limit)
	if err != nil {
		return err
	}
	next := since
	if len(events) > 0 {
		next = events[len(events)-1].Seq
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(changesPage{Changes: events, NextCursor: strconv.FormatInt(next, 10)})
}

type snapshotHome struct {
	homeView
	Categories []categoryView `json:"categories"`
}

type snapshot struct {
	GeneratedAt time.Time      `json:"generated_at"`
	FeedCursor  string         `json:"feed_cursor"`
	Homes       []snapshotHome `json:"homes"`
}

// loadSnapshot reads the feed position first, then every home: a change that
// lands in between is in the snapshot and in the feed after the cursor, and
// as feed events carry the whole state, applying it twice is harmless.
func (s *Server) loadSnapshot(c *fiber.Ctx) (snapshot, error) {
	pos, err := s.store.FeedPosition(c.UserContext())
	if err != nil {
		return snapshot{}, err
	}
	all, err := s.store.AllBeds(c.UserContext())
	if err != nil {
		return snapshot{}, err
	}
	now := s.now()
	out := snapshot{GeneratedAt: now, FeedCursor: strconv.FormatInt(pos, 10), Homes: make([]snapshotHome, len(all))}
	for i, st := range all {
		bv := s.bedsView(st)
		out.Homes[i] = snapshotHome{homeView: viewHome(st.Home, now), Categories: bv.Categories}
	}
	return out, nil
}

func (s *Server) snapshotJSON(c *fiber.Ctx) error {
	snap, err := s.loadSnapshot(c)
	if err != nil {
		return err
	}
	return c.JSON(snap)
}

var csvHeader = []string{"cqc_location_id", "home_name", "postcode", "district", "local_authority", "icb", "cqc_rating",
	"status", "suspended", "care_type", "client_group", "capacity", "occupied", "reserved", "available", "unavailable",
	"unavailable_reason", "observed_at", "received_at", "freshness"}

// snapshotCSV gives one row per home and category, for spreadsheets.
func (s *Server) snapshotCSV(c *fiber.Ctx) error {
	snap, err := s.loadSnapshot(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="bedstate-snapshot.csv"`)
	c.Set("X-Feed-Cursor", snap.FeedCursor)
	w := csv.NewWriter(c.Response().BodyWriter())
	if err := w.Write(csvHeader); err != nil {
		return err
	}
	for _, h := range snap.Homes {
		for _, cat := range h.Categories {
			row := []string{h.CQCLocationID, cell(h.Name), cell(h.Postcode), cell(h.District), cell(h.LocalAuthority), cell(h.ICB),
				string(h.Rating), string(h.Status), strconv.FormatBool(h.Suspended), string(cat.CareType), string(cat.ClientGroup),
				strconv.Itoa(cat.Capacity), strconv.Itoa(cat.Occupied), strconv.Itoa(cat.Reserved), strconv.Itoa(cat.Available),
				strconv.Itoa(cat.Unavailable), string(cat.UnavailableReason), cat.ObservedAt.Format(time.RFC3339),
				cat.ReceivedAt.Format(time.RFC3339), string(cat.Freshness)}
			if err := w.Write(row); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}

// cell defuses spreadsheet formulas in free text (CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
