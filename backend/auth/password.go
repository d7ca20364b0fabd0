package auth

import (
	"errors"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Password length limits. bcrypt ignores everything after 72 bytes, so a
// longer password would be weaker than it looks.
const (
	MinPasswordChars = 10
	MaxPasswordBytes = 72
)

// ErrWeakPassword is returned by HashPassword for a password that is too
// short or too long.
var ErrWeakPassword = errors.New("auth: password must be at least 10 characters and at most 72 bytes")

// dummyHash is the bcrypt hash, at bcrypt.DefaultCost, of a random string
// nobody knows. Checking against it when an email is unknown makes that login
// take as long as one for a real account, so timing does not reveal which
// emails have accounts. It is a constant so no start-up pays for hashing it.
const dummyHash = "$2a$10$x2JDOVIQGqrujucStMmslOZJhGZSUyymHxQ6BHqjUWztyAQTQmSDS"

// HashPassword returns the bcrypt hash of pw, or ErrWeakPassword.
func HashPassword(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < MinPasswordChars || len(pw) > MaxPasswordBytes {
		return "", ErrWeakPassword
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CheckPassword reports whether pw matches hash. The comparison is constant
// time.
func CheckPassword(hash, pw string) bool {
	// bcrypt would compare only the first 72 bytes and accept the rest as
	// anything; no stored password is longer, so refuse.
	if len(pw) > MaxPasswordBytes {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// CheckPasswordOrDummy is CheckPassword for logins: when hash is empty (no
// such user, or a user without a password) it still spends the time of a
// bcrypt comparison and returns false.
func CheckPasswordOrDummy(hash, pw string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(pw))
		return false
	}
	return CheckPassword(hash, pw)
}
