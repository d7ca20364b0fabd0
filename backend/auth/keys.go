package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// keyFile is the name of the signing key file inside the data directory.
const keyFile = "jwt-es256.pem"

// Key is the ES256 key that signs and verifies access tokens.
type Key struct {
	Private *ecdsa.PrivateKey
	// KID names the key in token headers and the JWKS, so a rotated key can
	// be told apart from the old one.
	KID string
}

// LoadOrCreateKey returns the signing key. A PEM in pemEnv (the value of
// BEDSTATE_JWT_PRIVATE_KEY) wins; otherwise the key is read from
// <dataDir>/jwt-es256.pem, and generated and saved there on first start.
// Keeping the key across restarts keeps everyone signed in.
func LoadOrCreateKey(pemEnv string, dataDir string) (*Key, error) {
	if pemEnv != "" {
		k, err := parseKey([]byte(pemEnv))
		if err != nil {
			return nil, fmt.Errorf("auth: BEDSTATE_JWT_PRIVATE_KEY: %w", err)
		}
		return k, nil
	}

	path := filepath.Join(dataDir, keyFile)
	data, err := os.ReadFile(path)
	if err == nil {
		k, err := parseKey(data)
		if err != nil {
			return nil, fmt.Errorf("auth: %s: %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("auth: read signing key: %w", err)
	}

	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("auth: encode signing key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create data directory: %w", err)
	}
	// O_EXCL so two instances starting together cannot overwrite each
	// other's key; the loser fails and a restart reads the winner's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("auth: save signing key: %w", err)
	}
	err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A half-written file would stop every later start, so remove it.
		_ = os.Remove(path)
		return nil, fmt.Errorf("auth: save signing key: %w", err)
	}
	return newKey(priv)
}

// parseKey reads a P-256 private key from a PEM "EC PRIVATE KEY" (SEC 1) or
// "PRIVATE KEY" (PKCS#8) block.
func parseKey(data []byte) (*Key, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var priv *ecdsa.PrivateKey
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		priv = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		ec, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("key is %T, want an ECDSA P-256 key", k)
		}
		priv = ec
	default:
		return nil, fmt.Errorf("PEM block is %q, want EC PRIVATE KEY or PRIVATE KEY", block.Type)
	}
	if priv.Curve != elliptic.P256() {
		return nil, fmt.Errorf("key is on %s, want P-256", priv.Curve.Params().Name)
	}
	return newKey(priv)
}

func newKey(priv *ecdsa.PrivateKey) (*Key, error) {
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("auth: encode public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return &Key{Private: priv, KID: base64.RawURLEncoding.EncodeToString(sum[:])[:16]}, nil
}

type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKS returns the public key as a JSON Web Key Set, so other systems can
// check our tokens without holding the private key. It panics if the key is
// not a valid P-256 key, which LoadOrCreateKey never returns.
func (k *Key) JWKS() []byte {
	// Bytes is the uncompressed point 0x04 || X || Y with X and Y already
	// left-padded to 32 bytes, as RFC 7518 requires.
	point, err := k.Private.PublicKey.Bytes()
	if err != nil || len(point) != 65 {
		panic("auth: JWKS of an invalid P-256 key")
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{{
		Kty: "EC",
		Crv: "P-256",
		X:   base64.RawURLEncoding.EncodeToString(point[1:33]),
		Y:   base64.RawURLEncoding.EncodeToString(point[33:65]),
		Kid: k.KID,
		Alg: "ES256",
		Use: "sig",
	}}}
	b, err := json.Marshal(set)
	if err != nil {
		panic(err)
	}
	return b
}
