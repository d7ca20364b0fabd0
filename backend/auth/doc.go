// Package auth holds the pieces of sign-in that need no database or web
// framework: the ES256 signing key, access tokens, password hashes, opaque
// secrets and a login rate limiter.
package auth
