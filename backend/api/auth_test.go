package api_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/auth"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
	"github.com/golang-jwt/jwt/v5"
)

const password = "correct horse battery"

func (ts *testServer) loginUser(role domain.Role) storage.User {
	ts.t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		ts.t.Fatal(err)
	}
	u, err := ts.store.CreateUser(bg, storage.User{Email: fmt.Sprintf("Login-%d@Test.bedstate.test", time.Now().UnixNano()), Role: role, PasswordHash: hash})
	if err != nil {
		ts.t.Fatal(err)
	}
	return u
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

func TestAuth_LoginRefreshRotationAndLogout(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		u := ts.loginUser(domain.RoleCoordinator)
		r := ts.call("POST", "/api/v1/auth/login", "", map[string]string{"email": strings.ToUpper(u.Email), "password": password})
		if r.Status != 200 {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		if contains(string(r.Body), "password") {
			t.Fatal("the login answer must not echo password material")
		}
		var tok tokens
		r.json(t, &tok)
		if tok.ExpiresIn < 60 || tok.RefreshToken == "" {
			t.Fatalf("bad tokens %+v", tok)
		}
		if me := ts.call("GET", "/api/v1/me", tok.AccessToken, nil); me.Status != 200 || !contains(string(me.Body), `"role":"coordinator"`) {
			t.Fatalf("me: %d %s", me.Status, me.Body)
		}
		// Rotation: the new refresh token works once; the old one is spent.
		r = ts.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken})
		if r.Status != 200 {
			t.Fatalf("refresh: %d %s", r.Status, r.Body)
		}
		var next tokens
		r.json(t, &next)
		if next.RefreshToken == tok.RefreshToken {
			t.Fatal("refresh must rotate the token")
		}
		// Reuse of the rotated token revokes the whole login, including the new token.
		if r := ts.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken}); r.Status != 401 {
			t.Fatalf("reuse: want 401, got %d", r.Status)
		}
		if r := ts.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": next.RefreshToken}); r.Status != 401 {
			t.Fatalf("after reuse the family must be revoked, got %d", r.Status)
		}
		// Logout ends a fresh login.
		r = ts.call("POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": password})
		r.json(t, &tok)
		if r := ts.call("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": tok.RefreshToken}); r.Status != 204 {
			t.Fatalf("logout: %d", r.Status)
		}
		if r := ts.call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken}); r.Status != 401 {
			t.Fatalf("refresh after logout: want 401, got %d", r.Status)
		}
	})
}

func TestAuth_WrongPasswordAndUnknownUserLookAlikeAndAreRateLimited(t *testing.T) {
	ts := newTestServer(t, storagetest.Dialects[0])
	u := ts.loginUser(domain.RoleManager)
	a := ts.call("POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": "wrong password!"})
	b := ts.call("POST", "/api/v1/auth/login", "", map[string]string{"email": "nobody@test.bedstate.test", "password": "wrong password!"})
	if a.Status != 401 || b.Status != 401 || string(a.Body) != string(b.Body) {
		t.Fatalf("want identical 401s, got %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
	}
	ts.call("POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": "wrong password!"})
	ts.call("POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": "wrong password!"})
	r := ts.call("POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": password})
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after 3 failures even the right password waits: want 429 with Retry-After, got %d", r.Status)
	}
}

func TestAuth_ClientCredentialsGiveAReadOnlyToken(t *testing.T) {
	ts := newTestServer(t, storagetest.Dialects[0])
	hash, _ := auth.HashPassword("system secret 1")
	if _, err := ts.store.CreateClient(bg, storage.Client{Name: "trust-system", SecretHash: hash}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"trust-system"}, "client_secret": {"system secret 1"}}
	r := ts.call("POST", "/api/v1/auth/token", "", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != 200 {
		t.Fatalf("form grant: %d %s", r.Status, r.Body)
	}
	var tok tokens
	r.json(t, &tok)
	if tok.RefreshToken != "" {
		t.Fatal("client credentials get no refresh token")
	}
	basic := base64.StdEncoding.EncodeToString([]byte("trust-system:system secret 1"))
	if r := ts.call("POST", "/api/v1/auth/token", "", map[string]string{"grant_type": "client_credentials"}, "Authorization", "Basic "+basic); r.Status != 200 {
		t.Fatalf("basic grant: %d %s", r.Status, r.Body)
	}
	if r := ts.call("POST", "/api/v1/auth/token", "", map[string]string{"grant_type": "client_credentials", "client_id": "trust-system", "client_secret": "nope nope nope"}); r.Status != 401 {
		t.Fatalf("wrong secret: %d", r.Status)
	}
	h := ts.home("Staffordshire", 52.8, -2.1, time.Now(), category(domain.Residential, domain.OlderPeople, 5, 1))
	if r := ts.call("GET", fmt.Sprintf("/api/v1/homes/%d/beds", h.ID), tok.AccessToken, nil); r.Status != 200 {
		t.Fatalf("system read: %d", r.Status)
	}
	if r := ts.call("POST", fmt.Sprintf("/api/v1/homes/%d/beds/confirm", h.ID), tok.AccessToken, map[string]any{}); r.Status != 403 {
		t.Fatalf("system write: want 403, got %d", r.Status)
	}
}

func TestAuth_JWKSPublishesTheSigningKey(t *testing.T) {
	ts := newTestServer(t, storagetest.Dialects[0])
	r := ts.call("GET", "/.well-known/jwks.json", "", nil)
	if r.Status != 200 || !contains(string(r.Body), `"kid":"`+ts.key.KID+`"`) || !contains(string(r.Body), `"alg":"ES256"`) {
		t.Fatalf("jwks: %d %s", r.Status, r.Body)
	}
	if contains(string(r.Body), `"d"`) {
		t.Fatal("the JWKS must not publish the private key")
	}
}

// Tokens that are expired, unsigned, signed by another key or with another
// algorithm are all refused with 401.
func TestAuth_BadTokensAreRefused(t *testing.T) {
	ts := newTestServer(t, storagetest.Dialects[0])
	u, good := ts.user(domain.RoleAdmin, 0)
	claims := func(exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"iss": "bedstate", "aud": "bedstate", "sub": fmt.Sprintf("user:%d", u.ID), "role": "admin",
			"iat": time.Now().Add(-time.Minute).Unix(), "exp": exp.Unix()}
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		tok := jwt.NewWithClaims(m, c)
		tok.Header["kid"] = ts.key.KID
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := ts.key.Private.PublicKey.ECDH()
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(time.Now().Add(time.Hour))).SignedString(jwt.UnsafeAllowNoneSignatureType)
	noExp := claims(time.Now())
	delete(noExp, "exp")
	cases := map[string]string{
		"expired":           sign(jwt.SigningMethodES256, ts.key.Private, claims(time.Now().Add(-time.Hour))),
		"unsigned":          unsigned,
		"other key":         sign(jwt.SigningMethodES256, other, claims(time.Now().Add(time.Hour))),
		"HS256 with pubkey": sign(jwt.SigningMethodHS256, pub.Bytes(), claims(time.Now().Add(time.Hour))),
		"no expiry":         sign(jwt.SigningMethodES256, ts.key.Private, noExp),
		"garbage":           "not.a.token",
		"tampered":          good[:len(good)-4] + "AAAA",
	}
	if r := ts.call("GET", "/api/v1/me", good, nil); r.Status != 200 {
		t.Fatalf("the good token must pass, got %d", r.Status)
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			r := ts.call("GET", "/api/v1/me", tok, nil)
			if r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("want 401 with WWW-Authenticate, got %d %s", r.Status, r.Body)
			}
		})
	}
	if r := ts.call("GET", "/api/v1/me", "", nil); r.Status != 401 {
		t.Fatalf("no token: want 401, got %d", r.Status)
	}
}
