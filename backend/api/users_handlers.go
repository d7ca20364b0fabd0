package api

import (
	"errors"

	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) listUsers(c *fiber.Ctx) error {
	p := who(c)
	var scope *storage.UserScope
	if p.Role == domain.RoleCommissioner {
		a, err := s.area(c)
		if err != nil {
			return err
		}
		scope = &storage.UserScope{OrganisationID: p.OrgID, Area: a}
	}
	users, err := s.store.ListUsers(c.UserContext(), scope)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"users": users})
}

type userInput struct {
	Email          string      `json:"email"`
	Name           string      `json:"name"`
	Password       string      `json:"password"`
	Role           domain.Role `json:"role"`
	OrganisationID *int64      `json:"organisation_id"`
	HospitalID     *int64      `json:"hospital_id"`
	HomeIDs        []int64     `json:"home_ids"`
}

// createUser adds a user. Commissioners manage their area's users: people of
// their own organisation, and managers of homes in their area; never admins.
func (s *Server) createUser(c *fiber.Ctx) error {
	var in userInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	if len(in.Email) < 3 || len(in.Email) > 254 || !containsAt(in.Email) {
		v.Add("email", "must be an e-mail address")
	}
	if !in.Role.Valid() || in.Role == domain.RoleSystem {
		v.Add("role", "must be admin, commissioner, coordinator or manager")
	}
	if in.Role != domain.RoleManager && len(in.HomeIDs) > 0 {
		v.Add("home_ids", "only managers manage homes")
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		v.Add("password", err.Error())
	}
	if err := v.Err(); err != nil {
		return err
	}
	p := who(c)
	if p.Role == domain.RoleCommissioner {
		if in.Role == domain.RoleAdmin {
			return problem(kindForbidden, "commissioners may not create admins")
		}
		if in.Role != domain.RoleManager {
			org := p.OrgID
			if in.OrganisationID != nil && *in.OrganisationID != org {
				return problem(kindForbidden, "commissioners create users in their own organisation only")
			}
			in.OrganisationID = &org
		}
		if in.Role == domain.RoleManager && in.OrganisationID != nil {
			org, err := s.store.Organisation(c.UserContext(), *in.OrganisationID)
			if err != nil && !isNotFound(err) {
				return err
			}
			if isNotFound(err) || org.Kind != domain.OrgCareProvider {
				return validation(domain.FieldError{Field: "organisation_id", Reason: "a manager belongs to a care provider"})
			}
		}
		if in.Role == domain.RoleManager && len(in.HomeIDs) == 0 {
			return validation(domain.FieldError{Field: "home_ids", Reason: "a manager needs at least one home in your area"})
		}
		for _, id := range in.HomeIDs {
			h, err := s.store.GetHome(c.UserContext(), id)
			if isNotFound(err) {
				return validation(domain.FieldError{Field: "home_ids", Reason: "no such home"})
			} else if err != nil {
				return err
			}
			if err := s.inArea(c, h); err != nil {
				return err
			}
		}
	}
	u, err := s.store.CreateUser(c.UserContext(), storage.User{Email: in.Email, Name: in.Name, PasswordHash: hash, Role: in.Role,
		OrganisationID: in.OrganisationID, HospitalID: in.HospitalID, HomeIDs: in.HomeIDs})
	if errors.Is(err, storage.ErrDuplicate) {
		return problem(kindDuplicate, "a user with this e-mail address exists")
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func containsAt(s string) bool {
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '@' {
			return true
		}
	}
	return false
}
