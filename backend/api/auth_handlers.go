package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenResponse struct {
	AccessToken      string        `json:"access_token"`
	TokenType        string        `json:"token_type"`
	ExpiresIn        int           `json:"expires_in"`
	RefreshToken     string        `json:"refresh_token,omitempty"`
	RefreshExpiresIn int           `json:"refresh_expires_in,omitempty"`
	User             *storage.User `json:"user,omitempty"`
}

// limit applies the login limiters; both the address and the account count.
func (s *Server) limit(c *fiber.Ctx, account string) error {
	now := s.now()
	ip := strings.Clone(c.IP()) // kept as a map key: fiber reuses its strings
	ok1, wait1 := s.loginIP.Allow(ip, now)
	ok2, wait2 := s.logins.Allow(account+"|"+ip, now)
	if ok1 && ok2 {
		return nil
	}
	p := problem(kindRateLimited, "too many sign-in attempts; wait and try again")
	p.retry = int(math.Ceil(max(wait1, wait2).Seconds()))
	return p
}

func (s *Server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.Email == "" || req.Password == "" {
		return validation(domain.FieldError{Field: "email", Reason: "email and password are required"})
	}
	email := storage.NormaliseEmail(req.Email)
	if err := s.limit(c, email); err != nil {
		return err
	}
	u, err := s.store.UserByEmail(c.UserContext(), email)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	// The dummy check spends the same time for an unknown address, so timing
	// does not tell which addresses have accounts.
	if !auth.CheckPasswordOrDummy(u.PasswordHash, req.Password) || u.Disabled {
		return problem(kindUnauth, "wrong e-mail address or password")
	}
	s.logins.Reset(email + "|" + strings.Clone(c.IP()))
	family, err := auth.NewToken()
	if err != nil {
		return err
	}
	return s.issueUserTokens(c, u, family[:22])
}

// issueUserTokens starts a sign-in: a new refresh token in a new family.
func (s *Server) issueUserTokens(c *fiber.Ctx, u storage.User, family string) error {
	refresh, err := auth.NewToken()
	if err != nil {
		return err
	}
	if err := s.store.SaveRefreshToken(c.UserContext(), u.ID, family, auth.HashToken(refresh), s.now().Add(s.opts.RefreshTokenTTL)); err != nil {
		return err
	}
	return s.sendUserTokens(c, u, refresh)
}

// sendUserTokens answers with a fresh access token and the refresh token.
func (s *Server) sendUserTokens(c *fiber.Ctx, u storage.User, refresh string) error {
	var org int64
	if u.OrganisationID != nil {
		org = *u.OrganisationID
	}
	access, exp, err := s.issuer.Sign(fmt.Sprintf("user:%d", u.ID), u.Role, org)
	if err != nil {
		return err
	}
	u.PasswordHash = ""
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(exp.Sub(s.now()).Seconds()),
		RefreshToken: refresh, RefreshExpiresIn: int(s.opts.RefreshTokenTTL.Seconds()), User: &u})
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) refresh(c *fiber.Ctx) error {
	var req refreshRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return validation(domain.FieldError{Field: "refresh_token", Reason: "required"})
	}
	next, err := auth.NewToken()
	if err != nil {
		return err
	}
	userID, err := s.store.RotateRefreshToken(c.UserContext(), auth.HashToken(req.RefreshToken), auth.HashToken(next), s.now().Add(s.opts.RefreshTokenTTL))
	switch {
	case errors.Is(err, storage.ErrTokenReused):
		return problem(kindUnauth, "this refresh token was already used; the sign-in has been revoked, sign in again")
	case errors.Is(err, storage.ErrNotFound):
		return problem(kindUnauth, "the refresh token is invalid, expired or revoked")
	case err != nil:
		return err
	}
	u, err := s.store.UserByID(c.UserContext(), userID)
	if err != nil {
		return err
	}
	if u.Disabled {
		return problem(kindUnauth, "the account is disabled")
	}
	return s.sendUserTokens(c, u, next)
}

func (s *Server) logout(c *fiber.Ctx) error {
	var req refreshRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return validation(domain.FieldError{Field: "refresh_token", Reason: "required"})
	}
	err := s.store.RevokeRefreshToken(c.UserContext(), auth.HashToken(req.RefreshToken))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type clientTokenRequest struct {
	GrantType    string `json:"grant_type" form:"grant_type"`
	ClientID     string `json:"client_id" form:"client_id"`
	ClientSecret string `json:"client_secret" form:"client_secret"`
}

// clientToken is the OAuth 2 client-credentials grant for NHS and council
// systems: form-encoded or JSON, credentials in the body or Basic auth.
func (s *Server) clientToken(c *fiber.Ctx) error {
	var req clientTokenRequest
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationForm) {
		req.GrantType, req.ClientID, req.ClientSecret = c.FormValue("grant_type"), c.FormValue("client_id"), c.FormValue("client_secret")
	} else if err := decode(c, &req); err != nil {
		return err
	}
	if basic, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Basic "); ok {
		raw, err := base64.StdEncoding.DecodeString(basic)
		if err != nil {
			return problem(kindMalformed, "bad Basic credentials")
		}
		req.ClientID, req.ClientSecret, _ = strings.Cut(string(raw), ":")
	}
	if req.GrantType != "client_credentials" {
		return validation(domain.FieldError{Field: "grant_type", Reason: "must be client_credentials"})
	}
	if req.ClientID == "" || req.ClientSecret == "" {
		return validation(domain.FieldError{Field: "client_id", Reason: "client_id and client_secret are required"})
	}
	if err := s.limit(c, "client:"+req.ClientID); err != nil {
		return err
	}
	cl, err := s.store.ClientByName(c.UserContext(), req.ClientID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if !auth.CheckPasswordOrDummy(cl.SecretHash, req.ClientSecret) || cl.Disabled {
		return problem(kindUnauth, "wrong client id or secret")
	}
	var org int64
	if cl.OrganisationID != nil {
		org = *cl.OrganisationID
	}
	access, exp, err := s.issuer.Sign(fmt.Sprintf("client:%d", cl.ID), domain.RoleSystem, org)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(exp.Sub(s.now()).Seconds())})
}

type meResponse struct {
	Subject      string               `json:"subject"`
	Role         domain.Role          `json:"role"`
	User         *storage.User        `json:"user,omitempty"`
	Organisation *domain.Organisation `json:"organisation,omitempty"`
}

func (s *Server) me(c *fiber.Ctx) error {
	p := who(c)
	out := meResponse{Subject: p.Subject, Role: p.Role}
	if p.UserID != 0 {
		u, err := s.store.UserByID(c.UserContext(), p.UserID)
		if err != nil {
			return err
		}
		u.PasswordHash = ""
		out.User = &u
	}
	if p.OrgID != 0 {
		org, err := s.store.Organisation(c.UserContext(), p.OrgID)
		if err != nil {
			return err
		}
		out.Organisation = &org
	}
	return c.JSON(out)
}

func (s *Server) jwks(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/jwk-set+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(s.key.JWKS())
}
