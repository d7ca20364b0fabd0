package auth

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashPassword(t *testing.T) {
	tests := []struct {
		name    string
		pw      string
		wantErr error
	}{
		{"ten characters", "abcdefghij", nil},
		{"nine characters", "abcdefghi", ErrWeakPassword},
		{"empty", "", ErrWeakPassword},
		{"ten multibyte characters", strings.Repeat("é", 10), nil},
		{"nine multibyte characters", strings.Repeat("é", 9), ErrWeakPassword},
		{"72 bytes", strings.Repeat("a", 72), nil},
		{"73 bytes", strings.Repeat("a", 73), ErrWeakPassword},
		{"37 two-byte characters", strings.Repeat("é", 37), ErrWeakPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := HashPassword(tt.pw)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if cost, _ := bcrypt.Cost([]byte(h)); cost != bcrypt.DefaultCost {
				t.Errorf("cost = %d, want %d", cost, bcrypt.DefaultCost)
			}
			if !CheckPassword(h, tt.pw) {
				t.Error("CheckPassword refused the right password")
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	pw := strings.Repeat("x", 72)
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		hash string
		pw   string
		want bool
	}{
		{"right", h, pw, true},
		{"wrong", h, strings.Repeat("y", 72), false},
		{"empty password", h, "", false},
		// bcrypt alone would accept this: it reads only 72 bytes.
		{"right plus extra bytes", h, pw + "anything", false},
		{"empty hash", "", pw, false},
		{"malformed hash", "$2a$10$short", pw, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.hash, tt.pw); got != tt.want {
				t.Errorf("CheckPassword = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckPasswordOrDummy(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		hash string
		pw   string
		want bool
	}{
		{"known user, right password", h, "correct horse battery", true},
		{"known user, wrong password", h, "wrong horse battery", false},
		{"unknown user", "", "correct horse battery", false},
		{"unknown user, empty password", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPasswordOrDummy(tt.hash, tt.pw); got != tt.want {
				t.Errorf("CheckPasswordOrDummy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDummyHash_CostsAsMuchAsARealOne(t *testing.T) {
	cost, err := bcrypt.Cost([]byte(dummyHash))
	if err != nil {
		t.Fatal(err)
	}
	if cost != bcrypt.DefaultCost {
		t.Errorf("dummy cost = %d, want %d like HashPassword", cost, bcrypt.DefaultCost)
	}
}
