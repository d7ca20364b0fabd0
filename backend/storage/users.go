package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"gorm.io/gorm"
)

// User is a person who signs in.
type User struct {
	ID             int64       `json:"id"`
	Email          string      `json:"email"`
	Name           string      `json:"name,omitempty"`
	PasswordHash   string      `json:"-"`
	Role           domain.Role `json:"role"`
	OrganisationID *int64      `json:"organisation_id,omitempty"`
	HospitalID     *int64      `json:"hospital_id,omitempty"`
	Disabled       bool        `json:"disabled"`
	CreatedAt      time.Time   `json:"created_at"`
	HomeIDs        []int64     `json:"home_ids,omitempty"`
}

type userRow struct {
	ID             int64 `gorm:"primaryKey"`
	Email          string
	Name           string
	PasswordHash   string
	Role           string
	OrganisationID *int64
	HospitalID     *int64
	Disabled       bool
	CreatedAt      time.Time
}

func (userRow) TableName() string { return "users" }

type userHomeRow struct {
	UserID int64 `gorm:"primaryKey"`
	HomeID int64 `gorm:"primaryKey"`
}

func (userHomeRow) TableName() string { return "user_homes" }

// NormaliseEmail folds an address for lookups.
func NormaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// CreateUser adds a user and assigns the homes a manager manages.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		r := userRow{Email: NormaliseEmail(u.Email), Name: u.Name, PasswordHash: u.PasswordHash, Role: string(u.Role),
			OrganisationID: u.OrganisationID, HospitalID: u.HospitalID, CreatedAt: s.now()}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		u.ID, u.Email, u.CreatedAt = r.ID, r.Email, r.CreatedAt
		for _, h := range u.HomeIDs {
			if err := tx.Create(&userHomeRow{UserID: r.ID, HomeID: h}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return u, err
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string) error {
	db, cancel := s.conn(ctx)
	defer cancel()
	return classify(db.Model(&userRow{}).Where("id = ?", id).Update("password_hash", hash).Error)
}

// UserByEmail reads a user by e-mail address.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return s.user(ctx, "email = ?", NormaliseEmail(email))
}

// UserByID reads a user by id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return s.user(ctx, "id = ?", id)
}

func (s *Store) user(ctx context.Context, where string, arg any) (User, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r userRow
	if err := db.Where(where, arg).Take(&r).Error; err != nil {
		return User{}, classify(err)
	}
	u := User{ID: r.ID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash, Role: domain.Role(r.Role),
		OrganisationID: r.OrganisationID, HospitalID: r.HospitalID, Disabled: r.Disabled, CreatedAt: r.CreatedAt.UTC()}
	var homes []int64
	if err := db.Model(&userHomeRow{}).Where("user_id = ?", r.ID).Order("home_id").Pluck("home_id", &homes).Error; err != nil {
		return User{}, classify(err)
	}
	u.HomeIDs = homes
	return u, nil
}

// UserScope limits a user listing to one organisation's people and the
// managers of homes in an area; nil lists everyone.
type UserScope struct {
	OrganisationID int64
	Area           domain.Area
}

// ListUsers lists users, everyone or those in scope.
func (s *Store) ListUsers(ctx context.Context, scope *UserScope) ([]User, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	q := db.Model(&userRow{}).Order("id")
	if scope != nil {
		managers := db.Table("user_homes uh").Select("uh.user_id").Joins("JOIN homes h ON h.id = uh.home_id").
			Where("(h.local_authority = ? AND ? <> '') OR (h.icb = ? AND ? <> '')",
				scope.Area.LocalAuthority, scope.Area.LocalAuthority, scope.Area.ICB, scope.Area.ICB)
		q = q.Where("organisation_id = ? OR id IN (?)", scope.OrganisationID, managers)
	}
	var rows []userRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, classify(err)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = User{ID: r.ID, Email: r.Email, Name: r.Name, Role: domain.Role(r.Role), OrganisationID: r.OrganisationID,
			HospitalID: r.HospitalID, Disabled: r.Disabled, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// ManagesHome reports whether the user is assigned to the home.
func (s *Store) ManagesHome(ctx context.Context, userID, homeID int64) (bool, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var n int64
	err := db.Model(&userHomeRow{}).Where("user_id = ? AND home_id = ?", userID, homeID).Count(&n).Error
	return n > 0, classify(err)
}

// Client is an NHS or council system with read-only access.
type Client struct {
	ID             int64
	Name           string
	SecretHash     string
	OrganisationID *int64
	Disabled       bool
}

type clientRow struct {
	ID             int64 `gorm:"primaryKey"`
	Name           string
	SecretHash     string
	OrganisationID *int64
	Disabled       bool
	CreatedAt      time.Time
}

func (clientRow) TableName() string { return "api_clients" }

// CreateClient adds a system client.
func (s *Store) CreateClient(ctx context.Context, c Client) (Client, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	r := clientRow{Name: c.Name, SecretHash: c.SecretHash, OrganisationID: c.OrganisationID, CreatedAt: s.now()}
	if err := db.Create(&r).Error; err != nil {
		return Client{}, classify(err)
	}
	c.ID = r.ID
	return c, nil
}

// ClientByName reads a system client by its name (its client id).
func (s *Store) ClientByName(ctx context.Context, name string) (Client, error) {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r clientRow
	if err := db.Where("name = ?", name).Take(&r).Error; err != nil {
		return Client{}, classify(err)
	}
	return Client{ID: r.ID, Name: r.Name, SecretHash: r.SecretHash, OrganisationID: r.OrganisationID, Disabled: r.Disabled}, nil
}

type refreshRow struct {
	ID        int64 `gorm:"primaryKey"`
	TokenHash string
	UserID    int64
	Family    string
	ExpiresAt time.Time
	RotatedAt *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (refreshRow) TableName() string { return "refresh_tokens" }

// ErrTokenReused reports a rotated refresh token presented again: its whole
// login (family) has been revoked, as the token may have been stolen.
var ErrTokenReused = errors.New("refresh token reused")

// SaveRefreshToken stores the hash of a new refresh token in a login family.
func (s *Store) SaveRefreshToken(ctx context.Context, userID int64, family, hash string, expires time.Time) error {
	db, cancel := s.conn(ctx)
	defer cancel()
	return classify(db.Create(&refreshRow{TokenHash: hash, UserID: userID, Family: family, ExpiresAt: expires.UTC(), CreatedAt: s.now()}).Error)
}

// RotateRefreshToken swaps a valid refresh token for a new one in the same
// family and returns the user. Presenting a token already rotated revokes the
// family and returns ErrTokenReused; unknown, expired or revoked tokens give ErrNotFound.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash string, expires time.Time) (int64, error) {
	var userID int64
	reused := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var r refreshRow
		if err := tx.Where("token_hash = ?", oldHash).Take(&r).Error; err != nil {
			return err
		}
		now := s.now()
		if r.RevokedAt != nil || now.After(r.ExpiresAt) {
			return ErrNotFound
		}
		if r.RotatedAt != nil {
			reused = true
			return tx.Model(&refreshRow{}).Where("family = ? AND revoked_at IS NULL", r.Family).Update("revoked_at", now).Error
		}
		// Only one of two racing refreshes may win the rotation.
		res := tx.Model(&refreshRow{}).Where("id = ? AND rotated_at IS NULL", r.ID).Update("rotated_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrNotFound
		}
		userID = r.UserID
		return tx.Create(&refreshRow{TokenHash: newHash, UserID: r.UserID, Family: r.Family, ExpiresAt: expires.UTC(), CreatedAt: now}).Error
	})
	if err != nil {
		return 0, err
	}
	if reused {
		return 0, ErrTokenReused
	}
	return userID, nil
}

// RevokeRefreshToken ends the login the token belongs to.
func (s *Store) RevokeRefreshToken(ctx context.Context, hash string) error {
	db, cancel := s.conn(ctx)
	defer cancel()
	var r refreshRow
	if err := db.Where("token_hash = ?", hash).Take(&r).Error; err != nil {
		return classify(err)
	}
	return classify(db.Model(&refreshRow{}).Where("family = ? AND revoked_at IS NULL", r.Family).Update("revoked_at", s.now()).Error)
}
