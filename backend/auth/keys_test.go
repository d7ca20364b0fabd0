package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

func pemSEC1(t *testing.T, k *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

func pemPKCS8(t *testing.T, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func newECKey(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestLoadOrCreateKey_GeneratesOnceAndKeeps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")

	k1, err := LoadOrCreateKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "jwt-es256.pem")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %o, want 600", got)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := di.Mode().Perm(); got != 0o700 {
		t.Errorf("data dir mode = %o, want 700", got)
	}

	k2, err := LoadOrCreateKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Private.Equal(k2.Private) || k1.KID != k2.KID {
		t.Error("second start did not load the saved key")
	}
}

func TestLoadOrCreateKey_EnvWinsOverFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadOrCreateKey("", dir); err != nil {
		t.Fatal(err)
	}
	want := newECKey(t, elliptic.P256())
	k, err := LoadOrCreateKey(pemSEC1(t, want), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Private.Equal(want) {
		t.Error("env key was not used")
	}
}

func TestLoadOrCreateKey_CorruptFileIsAnErrorNotReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jwt-es256.pem")
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey("", dir); err == nil {
		t.Fatal("want an error for a corrupt key file")
	}
	b, _ := os.ReadFile(path)
	if string(b) != "not a key" {
		t.Error("corrupt key file was overwritten")
	}
}

func TestParseKey(t *testing.T) {
	p256 := newECKey(t, elliptic.P256())
	p384 := newECKey(t, elliptic.P384())
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&p256.PublicKey)

	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"sec1 p256", pemSEC1(t, p256), false},
		{"pkcs8 p256", pemPKCS8(t, p256), false},
		{"sec1 p384", pemSEC1(t, p384), true},
		{"pkcs8 p384", pemPKCS8(t, p384), true},
		{"pkcs8 rsa", pemPKCS8(t, rsaKey), true},
		{"public key", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})), true},
		{"not pem", "hello", true},
		{"empty block", "-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := parseKey([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && !k.Private.Equal(p256) {
				t.Error("parsed a different key")
			}
		})
	}
}

func TestKey_KID(t *testing.T) {
	priv := newECKey(t, elliptic.P256())
	k, err := parseKey([]byte(pemPKCS8(t, priv)))
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	sum := sha256.Sum256(der)
	want := base64.RawURLEncoding.EncodeToString(sum[:])[:16]
	if k.KID != want {
		t.Errorf("KID = %q, want %q", k.KID, want)
	}
}

func TestKey_JWKS(t *testing.T) {
	// Find a key whose X starts with a zero byte to prove left-padding.
	var priv *ecdsa.PrivateKey
	for range 10000 {
		priv = newECKey(t, elliptic.P256())
		b, _ := priv.PublicKey.Bytes()
		if b[1] == 0 {
			break
		}
	}
	k, err := newKey(priv)
	if err != nil {
		t.Fatal(err)
	}

	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(k.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("got %d keys, want 1", len(set.Keys))
	}
	j := set.Keys[0]
	for field, want := range map[string]string{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": k.KID} {
		if j[field] != want {
			t.Errorf("%s = %q, want %q", field, j[field], want)
		}
	}
	if len(j) != 7 {
		t.Errorf("JWK has %d fields, want 7: %v", len(j), j)
	}
	x, err := base64.RawURLEncoding.DecodeString(j["x"])
	if err != nil {
		t.Fatal(err)
	}
	y, err := base64.RawURLEncoding.DecodeString(j["y"])
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != 32 || len(y) != 32 {
		t.Fatalf("len(x), len(y) = %d, %d, want 32, 32", len(x), len(y))
	}
	point := append([]byte{4}, append(x, y...)...)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(&priv.PublicKey) {
		t.Error("JWKS does not hold the public key")
	}
	if bytes.Contains(k.JWKS(), []byte(`"d"`)) {
		t.Error("JWKS leaks the private key")
	}
}
