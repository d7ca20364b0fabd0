package storage

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"gorm.io/gorm"
)

func openSQLite(t *testing.T, timeout time.Duration) *Store {
	t.Helper()
	s, err := Open(Options{DataDir: t.TempDir(), Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTx_SQLiteTransactionsQueueInOrder(t *testing.T) {
	s := openSQLite(t, 5*time.Second)
	ctx := context.Background()
	var mu sync.Mutex
	var order []int
	first := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.tx(ctx, func(tx *gorm.DB) error {
			close(first)
			<-release
			mu.Lock()
			order = append(order, 0)
			mu.Unlock()
			return nil
		})
	}()
	<-first
	for i := 1; i <= 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.tx(ctx, func(tx *gorm.DB) error {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return nil
			}); err != nil {
				t.Error(err)
			}
		}()
		time.Sleep(20 * time.Millisecond) // let each queue before the next
	}
	close(release)
	wg.Wait()
	if len(order) != 4 || order[0] != 0 || order[1] != 1 || order[2] != 2 || order[3] != 3 {
		t.Fatalf("transactions ran in order %v, want [0 1 2 3]", order)
	}
}

func TestTx_NestedTransactionsDoNotQueueBehindTheirOwnLock(t *testing.T) {
	s := openSQLite(t, time.Second)
	ctx := context.Background()
	start := time.Now()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		inner := *s // as Idempotent hands fn a store over its transaction
		inner.db = tx
		return inner.tx(ctx, func(tx *gorm.DB) error { return tx.Exec("SELECT 1").Error })
	})
	if err != nil || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("nested transaction: %v after %s", err, time.Since(start))
	}
	// And through Idempotent itself.
	_, _, err = s.Idempotent(ctx, "user:1", "key", "fp", func(inner *Store) (Response, error) {
		_, err := inner.CreateHome(ctx, Actor{Subject: "user:1", Source: "api"}, importHome("1-100000001", "Home"))
		return Response{Status: 201}, err
	})
	if err != nil {
		t.Fatalf("Idempotent with a write inside: %v", err)
	}
}

func TestTx_AWaitForTheLockEndsAtTheTimeout(t *testing.T) {
	s := openSQLite(t, 100*time.Millisecond)
	s.writer <- struct{}{} // another transaction holds it
	defer func() { <-s.writer }()
	start := time.Now()
	err := s.tx(context.Background(), func(tx *gorm.DB) error { return nil })
	if !errors.Is(err, ErrUnavailable) || time.Since(start) > time.Second {
		t.Fatalf("want ErrUnavailable at the timeout, got %v after %s", err, time.Since(start))
	}
}

func importHome(cqc, name string) domain.Home {
	return domain.Home{CQCLocationID: cqc, Name: name, Postcode: "ST4 6QG", Latitude: 52.8, Longitude: -2.1,
		LocalAuthority: "Staffordshire", RegisteredBeds: 40, Rating: domain.Good}
}
