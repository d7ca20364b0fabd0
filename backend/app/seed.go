package app

import (
	"context"
	"fmt"

	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/demo"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
)

// DemoPassword is the password of every demo log-in. Demo log-ins exist only
// in demo mode.
const DemoPassword = "bedstate-demo"

// DemoLogin names one demo account.
type DemoLogin struct {
	Role  domain.Role
	Email string
}

// DemoLogins are the accounts SeedDemo creates, one per role.
var DemoLogins = []DemoLogin{
	{domain.RoleAdmin, "admin@demo.bedstate.test"},
	{domain.RoleCommissioner, "commissioner@demo.bedstate.test"},
	{domain.RoleCoordinator, "coordinator@demo.bedstate.test"},
	{domain.RoleManager, "manager@demo.bedstate.test"},
}

// DemoClient is the demo system client's id; its secret is DemoPassword.
const DemoClient = "demo-nhs-system"

// LoadDataset writes a generated dataset (organisations, hospitals, homes and
// their beds) into an empty store. It returns organisation ids by name.
func LoadDataset(ctx context.Context, st *storage.Store, ds demo.Dataset) (map[string]int64, error) {
	orgs := map[string]int64{}
	byODS := map[string]int64{}
	for _, o := range ds.Organisations {
		saved, err := st.UpsertOrganisation(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("organisation %s: %w", o.Name, err)
		}
		orgs[o.Name] = saved.ID
		if o.ODSCode != "" {
			byODS[o.ODSCode] = saved.ID
		}
	}
	for _, h := range ds.Hospitals {
		h.OrganisationID = byODS[h.TrustODS]
		if _, err := st.UpsertHospital(ctx, h.Hospital); err != nil {
			return nil, fmt.Errorf("hospital %s: %w", h.Name, err)
		}
	}
	system := storage.Actor{Subject: "system", Source: "import"}
	homes := make([]domain.Home, len(ds.Homes))
	for i, h := range ds.Homes {
		homes[i] = h.Home
		if id, ok := byODS[h.ProviderODS]; ok {
			homes[i].ProviderID = &id
		}
	}
	if _, err := st.ImportHomes(ctx, system, homes, func(domain.Home) bool { return true }); err != nil {
		return nil, fmt.Errorf("homes: %w", err)
	}
	for _, h := range ds.Homes {
		saved, err := st.HomeByCQCID(ctx, h.Home.CQCLocationID)
		if err != nil {
			return nil, err
		}
		if err := st.SeedBeds(ctx, saved.ID, h.Categories); err != nil {
			return nil, fmt.Errorf("beds of %s: %w", h.Home.CQCLocationID, err)
		}
		if h.Home.Suspended {
			if _, err := st.SetSuspension(ctx, system, saved.ID, domain.Suspension{Suspended: true, Reason: h.Home.SuspensionReason}); err != nil {
				return nil, err
			}
		}
		if h.Home.Status != "" && h.Home.Status != domain.Open {
			if _, err := st.SetStatus(ctx, system, saved.ID, domain.StatusChange{Status: h.Home.Status, Reason: h.Home.StatusReason,
				Note: h.Home.StatusNote, ExpiresAt: h.Home.StatusExpiresAt}); err != nil {
				return nil, err
			}
		}
	}
	return orgs, nil
}

// SeedDemo loads the Staffordshire dataset and the demo log-ins, unless the
// store already holds homes (a restart of a demo keeps its data).
func SeedDemo(ctx context.Context, st *storage.Store) (seeded bool, err error) {
	existing, err := st.ListHomes(ctx, storage.HomeQuery{Limit: 1})
	if err != nil {
		return false, err
	}
	if len(existing) > 0 {
		return false, nil
	}
	ds := demo.Staffordshire(st.Now())
	orgs, err := LoadDataset(ctx, st, ds)
	if err != nil {
		return false, err
	}
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return false, err
	}
	council := orgs[demo.CommissionerOrganisation]
	trust, err := st.OrganisationByODS(ctx, demo.CoordinatorTrustODS)
	if err != nil {
		return false, err
	}
	var hospitalID *int64
	hospitals, err := st.Hospitals(ctx)
	if err != nil {
		return false, err
	}
	for _, h := range hospitals {
		if h.Name == demo.CoordinatorHospital {
			id := h.ID
			hospitalID = &id
		}
	}
	var managed []int64
	for _, cqc := range demo.ManagerHomes() {
		h, err := st.HomeByCQCID(ctx, cqc)
		if err != nil {
			return false, err
		}
		managed = append(managed, h.ID)
	}
	provider, err := st.OrganisationByODS(ctx, demo.ManagerProviderODS)
	if err != nil {
		return false, err
	}
	users := []storage.User{
		{Email: DemoLogins[0].Email, Name: "Demo admin", Role: domain.RoleAdmin},
		{Email: DemoLogins[1].Email, Name: "Demo commissioner", Role: domain.RoleCommissioner, OrganisationID: &council},
		{Email: DemoLogins[2].Email, Name: "Demo discharge coordinator", Role: domain.RoleCoordinator, OrganisationID: &trust.ID, HospitalID: hospitalID},
		{Email: DemoLogins[3].Email, Name: "Demo care-home manager", Role: domain.RoleManager, OrganisationID: &provider.ID, HomeIDs: managed},
	}
	for _, u := range users {
		u.PasswordHash = hash
		if _, err := st.CreateUser(ctx, u); err != nil {
			return false, fmt.Errorf("demo user %s: %w", u.Email, err)
		}
	}
	if _, err := st.CreateClient(ctx, storage.Client{Name: DemoClient, SecretHash: hash, OrganisationID: &trust.ID}); err != nil {
		return false, err
	}
	return true, nil
}
