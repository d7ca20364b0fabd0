package auth

import (
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bedstate/bedstate/backend/domain"
)

var testNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func newTestIssuer(t *testing.T) *Issuer {
	t.Helper()
	k, err := newKey(newECKey(t, elliptic.P256()))
	if err != nil {
		t.Fatal(err)
	}
	return &Issuer{Key: k, TTL: 15 * time.Minute, Issuer: "https://bedstate.test", Now: func() time.Time { return testNow }}
}

// validClaims are the claims Sign would produce, for tests to spoil one at a time.
func validClaims(iss *Issuer) *Claims {
	return &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    iss.Issuer,
			Subject:   "user:7",
			Audience:  jwt.ClaimStrings{Audience},
			ExpiresAt: jwt.NewNumericDate(testNow.Add(iss.TTL)),
			NotBefore: jwt.NewNumericDate(testNow),
			IssuedAt:  jwt.NewNumericDate(testNow),
			ID:        "jti",
		},
		Role: domain.RoleCoordinator,
		Org:  3,
	}
}

func mint(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIssuer_SignVerifyRoundTrip(t *testing.T) {
	iss := newTestIssuer(t)
	tok, exp, err := iss.Sign("client:12", domain.RoleSystem, 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := testNow.Add(15 * time.Minute); !exp.Equal(want) {
		t.Errorf("expires = %v, want %v", exp, want)
	}
	c, err := iss.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "client:12" || c.Role != domain.RoleSystem || c.Org != 4 || c.Issuer != iss.Issuer {
		t.Errorf("claims = %+v", c)
	}
	if !c.ExpiresAt.Equal(exp) || !c.IssuedAt.Equal(testNow) || !c.NotBefore.Equal(testNow) {
		t.Errorf("times = iat %v nbf %v exp %v", c.IssuedAt, c.NotBefore, c.ExpiresAt)
	}
	if len(c.ID) < 32 {
		t.Errorf("jti = %q, want a random ID", c.ID)
	}

	// Header must name the key so verifiers can pick it from the JWKS.
	head, _, _ := strings.Cut(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(head)
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	if h["alg"] != "ES256" || h["kid"] != iss.Key.KID {
		t.Errorf("header = %v", h)
	}

	tok2, _, _ := iss.Sign("client:12", domain.RoleSystem, 4)
	c2, _ := iss.Verify(tok2)
	if c2.ID == c.ID {
		t.Error("two tokens share a jti")
	}
}

func TestIssuer_SignRefusesBadInput(t *testing.T) {
	iss := newTestIssuer(t)
	if _, _, err := iss.Sign("user:1", domain.Role("root"), 0); err == nil {
		t.Error("signed an unknown role")
	}
	if _, _, err := iss.Sign("", domain.RoleAdmin, 0); err == nil {
		t.Error("signed an empty subject")
	}
}

func TestIssuer_VerifyTime(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"fresh", 0, true},
		{"just before expiry", 15*time.Minute - time.Second, true},
		{"expired within leeway", 15*time.Minute + 10*time.Second, true},
		{"expired", 15*time.Minute + 31*time.Second, false},
		{"long expired", 24 * time.Hour, false},
		{"clock behind within leeway", -10 * time.Second, true},
		{"issued in the future", -time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := newTestIssuer(t)
			tok, _, err := iss.Sign("user:1", domain.RoleManager, 9)
			if err != nil {
				t.Fatal(err)
			}
			iss.Now = func() time.Time { return testNow.Add(tt.after) }
			_, err = iss.Verify(tok)
			if tt.ok && err != nil {
				t.Errorf("Verify: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestIssuer_VerifyRejects(t *testing.T) {
	iss := newTestIssuer(t)
	kid := iss.Key.KID
	own := iss.Key.Private

	other := newECKey(t, elliptic.P256())
	p384 := newECKey(t, elliptic.P384())
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&own.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	with := func(f func(c *Claims)) *Claims {
		c := validClaims(iss)
		f(c)
		return c
	}

	valid := mint(t, jwt.SigningMethodES256, own, kid, validClaims(iss))
	parts := strings.Split(valid, ".")
	adminPayload, _ := json.Marshal(with(func(c *Claims) { c.Role = domain.RoleAdmin }))
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(adminPayload) + "." + parts[2]

	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "not.a.token"},
		{"missing exp", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.ExpiresAt = nil }))},
		{"alg none", mint(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, validClaims(iss))},
		{"signature stripped", parts[0] + "." + parts[1] + "."},
		{"other ES256 key", mint(t, jwt.SigningMethodES256, other, kid, validClaims(iss))},
		{"HS256 with public key PEM", mint(t, jwt.SigningMethodHS256, pubPEM, kid, validClaims(iss))},
		{"HS256 with public key DER", mint(t, jwt.SigningMethodHS256, pubDER, kid, validClaims(iss))},
		{"RS256", mint(t, jwt.SigningMethodRS256, rsaKey, kid, validClaims(iss))},
		{"ES384", mint(t, jwt.SigningMethodES384, p384, kid, validClaims(iss))},
		{"wrong kid", mint(t, jwt.SigningMethodES256, own, "someone-else", validClaims(iss))},
		{"no kid", mint(t, jwt.SigningMethodES256, own, "", validClaims(iss))},
		{"wrong issuer", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.Issuer = "https://evil.test" }))},
		{"no issuer", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.Issuer = "" }))},
		{"wrong audience", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.Audience = jwt.ClaimStrings{"other"} }))},
		{"no audience", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.Audience = nil }))},
		{"not yet valid", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.NotBefore = jwt.NewNumericDate(testNow.Add(time.Hour)) }))},
		{"issued in the future", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.IssuedAt = jwt.NewNumericDate(testNow.Add(time.Hour)) }))},
		{"tampered payload", tampered},
		{"unknown role", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.Role = "root" }))},
		{"no role", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.Role = "" }))},
		{"no subject", mint(t, jwt.SigningMethodES256, own, kid, with(func(c *Claims) { c.Subject = "" }))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := iss.Verify(tt.token)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify err = %v, want ErrInvalidToken", err)
			}
			t.Log(err)
			if c != nil {
				t.Errorf("Verify returned claims %+v with an error", c)
			}
		})
	}

	// The untouched token passes, so each case above fails for its own reason.
	if _, err := iss.Verify(valid); err != nil {
		t.Fatalf("control token: %v", err)
	}
}
