package storage_test

import (
	"testing"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

// A device's inline filter is its own: a re-sync replaces it rather than
// piling up filters that would widen the user's other devices' alerts, and
// it goes with the device.
func TestDevices_InlineFilterIsReplacedOnResyncAndGoesWithTheDevice(t *testing.T) {
	eachDialect(t, func(t *testing.T, st *storage.Store) {
		u, err := st.CreateUser(ctx, storage.User{Email: "c@test.bedstate.test", Role: domain.RoleCoordinator, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		dev := storage.PushSubscription{UserID: u.ID, Endpoint: "https://fcm.googleapis.com/fcm/send/abc", P256dh: "k", Auth: "a"}
		first, err := st.SavePushSubscription(ctx, dev, &domain.Filter{CareTypes: []domain.CareType{domain.Nursing}})
		if err != nil {
			t.Fatal(err)
		}
		again, err := st.SavePushSubscription(ctx, dev, &domain.Filter{CareTypes: []domain.CareType{domain.Residential}})
		if err != nil {
			t.Fatal(err)
		}
		fs, _ := st.AlertFilters(ctx, u.ID)
		if again.ID != first.ID || len(fs) != 1 || *again.FilterID != fs[0].ID || fs[0].Filter.CareTypes[0] != domain.Residential {
			t.Fatalf("re-sync must replace the device's filter: %+v %+v", again, fs)
		}
		kept, _ := st.SaveAlertFilter(ctx, storage.AlertFilter{UserID: u.ID, Name: "Near Royal Stoke", Filter: domain.Filter{}})
		if err := st.DeletePushSubscription(ctx, u.ID, again.ID); err != nil {
			t.Fatal(err)
		}
		fs, _ = st.AlertFilters(ctx, u.ID)
		if len(fs) != 1 || fs[0].ID != kept.ID {
			t.Fatalf("deleting a device removes its own filter only: %+v", fs)
		}
		if _, err := st.SavePushSubscription(ctx, storage.PushSubscription{UserID: u.ID, Endpoint: dev.Endpoint, P256dh: "k", Auth: "a",
			FilterID: ptr(int64(999999))}, nil); err == nil {
			t.Fatal("a filter that is not the user's must be refused")
		}
	})
}

func ptr[T any](v T) *T { return &v }
