package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bedstate/bedstate/backend/domain"
)

// Audience is the aud claim of every access token.
const Audience = "bedstate"

// leeway allows for clock skew between servers behind a load balancer.
const leeway = 30 * time.Second

// ErrInvalidToken is returned by Verify for every bad token. The wrapped
// detail is for logs only; callers answer 401 without saying why, so an
// attacker learns nothing from the reply.
var ErrInvalidToken = errors.New("auth: invalid token")

// Claims are the claims of an access token. Subject holds "user:<id>" or
// "client:<id>".
type Claims struct {
	jwt.RegisteredClaims
	Role domain.Role `json:"role"`
	Org  int64       `json:"org,omitempty"`
}

// Issuer signs and verifies access tokens with one key.
type Issuer struct {
	Key    *Key
	TTL    time.Duration
	Issuer string
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
}

func (i *Issuer) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

// Sign returns a signed ES256 access token for subject with role and
// organisation org, and the time it expires.
func (i *Issuer) Sign(subject string, role domain.Role, org int64) (token string, expires time.Time, err error) {
	if !role.Valid() {
		return "", time.Time{}, fmt.Errorf("auth: sign: unknown role %q", role)
	}
	if subject == "" {
		return "", time.Time{}, errors.New("auth: sign: empty subject")
	}
	jti, err := NewToken()
	if err != nil {
		return "", time.Time{}, err
	}
	// Truncate so the returned expiry equals the exp claim, which has
	// whole-second precision.
	now := i.now().Truncate(time.Second)
	expires = now.Add(i.TTL)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.Issuer,
			Subject:   subject,
			Audience:  jwt.ClaimStrings{Audience},
			ExpiresAt: jwt.NewNumericDate(expires),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		Role: role,
		Org:  org,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = i.Key.KID
	token, err = t.SignedString(i.Key.Private)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign: %w", err)
	}
	return token, expires, nil
}

// Verify checks token and returns its claims. Any failure wraps
// ErrInvalidToken.
func (i *Issuer) Verify(token string) (*Claims, error) {
	claims := &Claims{}
	_, err := jwt.ParseWithClaims(token, claims, i.keyFunc,
		// Pinning the algorithm stops "none" and HS256-with-the-public-key.
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}),
		// Without this a token with no exp would never expire.
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(i.Issuer),
		jwt.WithAudience(Audience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(i.now),
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if claims.Subject == "" {
		return nil, fmt.Errorf("%w: no subject", ErrInvalidToken)
	}
	// A role we do not know could be one we removed; never guess its rights.
	if !claims.Role.Valid() {
		return nil, fmt.Errorf("%w: unknown role %q", ErrInvalidToken, claims.Role)
	}
	return claims, nil
}

func (i *Issuer) keyFunc(t *jwt.Token) (any, error) {
	// WithValidMethods already checked alg; this is a second lock on the
	// same door, since the key type decides how the signature is read.
	if _, ok := t.Method.(*jwt.SigningMethodECDSA); !ok {
		return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
	}
	kid, _ := t.Header["kid"].(string)
	if kid != i.Key.KID {
		return nil, fmt.Errorf("unknown kid %q", kid)
	}
	return &i.Key.Private.PublicKey, nil
}
