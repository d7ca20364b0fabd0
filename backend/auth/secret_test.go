package auth

import (
	"encoding/base64"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("%q is not base64url: %v", s, err)
		}
		if len(b) != 32 {
			t.Fatalf("token has %d bytes, want 32", len(b))
		}
		if seen[s] {
			t.Fatal("repeated token")
		}
		seen[s] = true
	}
}

func TestHashToken(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := HashToken(tt.in); got != tt.want {
				t.Errorf("HashToken(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
