package api

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) recover(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("panic", "path", c.Route().Path, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = problem(kindInternal, "")
		}
	}()
	return c.Next()
}

// securityHeaders applies to every answer; the PWA's CSP allows only this origin.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	c.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
	return c.Next()
}

// observe counts requests by route and status and times them.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = s.toProblem(err).Status
	}
	// fiber reuses its strings after the request: labels must be copies.
	s.metrics.observe(strings.Clone(c.Method()), strings.Clone(c.Route().Path), status, time.Since(start))
	return err
}

// limitBody refuses bodies over the route's limit with 413.
func (s *Server) limitBody(max int) fiber.Handler {
	if max == 0 {
		max = s.opts.MaxBodyBytes
	}
	return func(c *fiber.Ctx) error {
		if len(c.Body()) > max {
			return problem(kindTooLarge, fmt.Sprintf("at most %d bytes", max))
		}
		return c.Next()
	}
}

// principal is the caller, from a verified access token.
type principal struct {
	Subject  string
	UserID   int64
	ClientID int64
	Role     domain.Role
	OrgID    int64
	org      *domain.Organisation
}

const principalKey = "principal"

// authenticate verifies the bearer token and the caller's role.
func (s *Server) authenticate(roles []domain.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="bedstate"`)
			return problem(kindUnauth, "send an access token: Authorization: Bearer ...")
		}
		claims, err := s.issuer.Verify(token)
		if err != nil {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="bedstate", error="invalid_token"`)
			return problem(kindUnauth, "the access token is invalid or expired")
		}
		p := &principal{Subject: claims.Subject, Role: claims.Role, OrgID: claims.Org}
		kind, id, _ := strings.Cut(claims.Subject, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		switch {
		case err != nil:
			return problem(kindUnauth, "the access token is invalid or expired")
		case kind == "user" && claims.Role != domain.RoleSystem:
			p.UserID = n
		case kind == "client" && claims.Role == domain.RoleSystem:
			p.ClientID = n
		default:
			return problem(kindUnauth, "the access token is invalid or expired")
		}
		allowed := false
		for _, r := range roles {
			allowed = allowed || r == p.Role
		}
		if !allowed {
			return problem(kindForbidden, fmt.Sprintf("the %s role may not call this", p.Role))
		}
		c.Locals(principalKey, p)
		return c.Next()
	}
}

func who(c *fiber.Ctx) *principal {
	p, _ := c.Locals(principalKey).(*principal)
	return p
}

// actor describes the caller for the audit trail.
func (p *principal) actor(c *fiber.Ctx, source string) storage.Actor {
	a := storage.Actor{Subject: p.Subject, Source: source}
	if p.OrgID != 0 {
		org := p.OrgID
		a.OrgID = &org
	}
	if source == "" {
		a.Source = "api"
		if c.Get("X-Bedstate-Client") == "pwa" {
			a.Source = "app"
		}
	}
	return a
}

// area is a commissioner's commissioning area.
func (s *Server) area(c *fiber.Ctx) (domain.Area, error) {
	p := who(c)
	if p.org == nil {
		if p.OrgID == 0 {
			return domain.Area{}, nil
		}
		org, err := s.store.Organisation(c.UserContext(), p.OrgID)
		if err != nil {
			return domain.Area{}, err
		}
		p.org = &org
	}
	return p.org.Area(), nil
}

// canRead checks the caller may read a home and its beds: managers their
// own; everyone else every home, as vacancy search already shows them all
// (patients are placed across area boundaries).
func (s *Server) canRead(c *fiber.Ctx, h domain.Home) error {
	if who(c).Role == domain.RoleManager {
		return s.managesHome(c, h)
	}
	return nil
}

// canAudit checks the caller may read a home's audit trail, which names who
// made each change: managers their own homes, commissioners their area.
func (s *Server) canAudit(c *fiber.Ctx, h domain.Home) error {
	switch who(c).Role {
	case domain.RoleManager:
		return s.managesHome(c, h)
	case domain.RoleCommissioner:
		return s.inArea(c, h)
	}
	return nil
}

// canWriteBeds checks the caller may change a home's beds and status.
func (s *Server) canWriteBeds(c *fiber.Ctx, h domain.Home) error {
	if who(c).Role == domain.RoleManager {
		return s.managesHome(c, h)
	}
	return nil
}

// canCommission checks the caller may edit or suspend a home.
func (s *Server) canCommission(c *fiber.Ctx, h domain.Home) error {
	if who(c).Role == domain.RoleCommissioner {
		return s.inArea(c, h)
	}
	return nil
}

func (s *Server) managesHome(c *fiber.Ctx, h domain.Home) error {
	ok, err := s.store.ManagesHome(c.UserContext(), who(c).UserID, h.ID)
	if err != nil {
		return err
	}
	if !ok {
		return problem(kindForbidden, "you do not manage this home")
	}
	return nil
}

func (s *Server) inArea(c *fiber.Ctx, h domain.Home) error {
	a, err := s.area(c)
	if err != nil {
		return err
	}
	if !a.Covers(h.LocalAuthority, h.ICB) {
		return problem(kindForbidden, "this home is outside your organisation's area")
	}
	return nil
}
