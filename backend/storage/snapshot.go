package storage

import (
	"context"

	"github.com/bedstate/bedstate/backend/domain"
)

// AllBeds reads every home with its categories, in two queries, for the
// in-memory vacancy snapshot.
func (s *Store) AllBeds(ctx context.Context) ([]BedState, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var homes []homeRow
	if err := db.Order("id").Find(&homes).Error; err != nil {
		return nil, classify(err)
	}
	var cats []categoryRow
	if err := db.Order("home_id").Find(&cats).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]BedState, len(homes))
	byID := make(map[int64]int, len(homes))
	for i, h := range homes {
		out[i] = BedState{Home: h.domain(), ObservedAt: utcp(h.BedsObservedAt)}
		byID[h.ID] = i
	}
	for _, c := range cats {
		if i, ok := byID[c.HomeID]; ok {
			out[i].Categories = append(out[i].Categories, c.domain())
		}
	}
	for i := range out {
		sortCategories(out[i].Categories)
	}
	return out, nil
}

// SeedBeds writes a home's categories without audit, for demo and benchmark
// data only: nothing real ever bypasses the audited calls.
func (s *Store) SeedBeds(ctx context.Context, homeID int64, cats []domain.Category) error {
	db, cancel := s.conn(ctx)
	defer cancel()
	rows := make([]categoryRow, len(cats))
	var latest *domain.Category
	for i, c := range cats {
		rows[i] = categoryRowFrom(homeID, c)
		if latest == nil || c.ObservedAt.After(latest.ObservedAt) {
			latest = &cats[i]
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := db.CreateInBatches(rows, 500).Error; err != nil {
		return classify(err)
	}
	return classify(db.Model(&homeRow{}).Where("id = ?", homeID).Update("beds_observed_at", latest.ObservedAt.UTC()).Error)
}
