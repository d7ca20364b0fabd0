package storage

import (
	"context"

	"github.com/bedstate/bedstate/backend/domain"
)

// snapshotBatch is how many homes EachBeds reads at a time: a national load
// then never holds more than a batch of gorm rows alongside what it has built.
const snapshotBatch = 2000

// EachBeds reads every home with its categories, by id, snapshotBatch homes
// at a time (two queries a batch, each within the store's timeout), and hands
// each batch to fn. A change committed meanwhile may show in a later batch,
// as it may between two queries of one batch: callers refresh single homes
// after writes.
func (s *Store) EachBeds(ctx context.Context, fn func([]BedState) error) error {
	var after int64
	for {
		batch, err := s.bedsAfter(ctx, after, snapshotBatch)
		if err != nil {
			return err
		}
		if len(batch) > 0 {
			if err := fn(batch); err != nil {
				return err
			}
		}
		if len(batch) < snapshotBatch {
			return nil
		}
		after = batch[len(batch)-1].Home.ID
	}
}

// AllBeds reads every home with its categories, by id.
func (s *Store) AllBeds(ctx context.Context) ([]BedState, error) {
	var out []BedState
	err := s.EachBeds(ctx, func(batch []BedState) error {
		out = append(out, batch...)
		return nil
	})
	return out, err
}

// bedsAfter reads up to n homes with ids above after, with their categories.
func (s *Store) bedsAfter(ctx context.Context, after int64, n int) ([]BedState, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var homes []homeRow
	if err := db.Where("id > ?", after).Order("id").Limit(n).Find(&homes).Error; err != nil {
		return nil, classify(err)
	}
	if len(homes) == 0 {
		return nil, nil
	}
	var cats []categoryRow
	if err := db.Where("home_id > ? AND home_id <= ?", after, homes[len(homes)-1].ID).Order("home_id").Find(&cats).Error; err != nil {
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
