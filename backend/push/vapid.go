// Package push sends Web Push messages (RFC 8030, 8291, 8292) with
// webpush-go, to allow-listed push services only.
package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// Keys are the VAPID key pair, base64url as browsers and webpush-go take them.
type Keys struct {
	Public  string `json:"public_key"`
	Private string `json:"private_key"`
}

// GenerateKeys makes a new VAPID key pair.
func GenerateKeys() (Keys, error) {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	return Keys{Public: pub, Private: priv}, err
}

// LoadOrCreateKeys takes the keys from configuration when both are given,
// else from dataDir/vapid.json, generating that file once. Keys must be
// kept: new keys orphan every subscription browsers hold.
func LoadOrCreateKeys(public, private, dataDir string) (Keys, error) {
	if public != "" || private != "" {
		k := Keys{Public: public, Private: private}
		return k, k.Check()
	}
	path := filepath.Join(dataDir, "vapid.json")
	if b, err := os.ReadFile(path); err == nil {
		var k Keys
		if err := json.Unmarshal(b, &k); err != nil {
			return Keys{}, fmt.Errorf("%s: %w", path, err)
		}
		return k, k.Check()
	} else if !errors.Is(err, os.ErrNotExist) {
		return Keys{}, err
	}
	k, err := GenerateKeys()
	if err != nil {
		return Keys{}, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Keys{}, err
	}
	b, _ := json.Marshal(k)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another instance won the race: use its keys
		return LoadOrCreateKeys("", "", dataDir)
	}
	if err != nil {
		return Keys{}, err
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		return Keys{}, err
	}
	return k, nil
}

// Check makes sure the pair is a P-256 key and its public half.
func (k Keys) Check() error {
	priv, err := base64.RawURLEncoding.DecodeString(k.Private)
	if err != nil {
		return fmt.Errorf("VAPID private key: not base64url")
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return fmt.Errorf("VAPID private key: %w", err)
	}
	if base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()) != k.Public {
		return fmt.Errorf("VAPID public key does not match the private key")
	}
	return nil
}
