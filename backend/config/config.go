// Package config reads Bedstate's settings from environment variables.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting. The README's configuration table lists them.
type Config struct {
	Port            string        // PORT
	DatabaseURL     string        // DATABASE_URL; empty means the embedded SQLite
	DataDir         string        // BEDSTATE_DATA_DIR
	JWTPrivateKey   string        // BEDSTATE_JWT_PRIVATE_KEY (PEM); else generated in DataDir
	AccessTokenTTL  time.Duration // BEDSTATE_ACCESS_TOKEN_TTL
	RefreshTokenTTL time.Duration // BEDSTATE_REFRESH_TOKEN_TTL
	FreshFor        time.Duration // BEDSTATE_FRESH_FOR: figures younger are fresh
	StaleAfter      time.Duration // BEDSTATE_STALE_AFTER: figures older are stale
	MaxOpenConns    int           // BEDSTATE_DB_MAX_CONNS
	DBTimeout       time.Duration // BEDSTATE_DB_TIMEOUT: longest a request waits on the database
	LoginAttempts   int           // BEDSTATE_LOGIN_ATTEMPTS per email and address per LoginWindow
	LoginWindow     time.Duration // BEDSTATE_LOGIN_WINDOW
	MaxBodyBytes    int           // BEDSTATE_MAX_BODY_BYTES
	ImportMaxBytes  int           // BEDSTATE_IMPORT_MAX_BYTES for CSV imports
	TrustedProxies  []string      // BEDSTATE_TRUSTED_PROXIES: addresses whose X-Forwarded-For is believed
	LogLevel        string        // BEDSTATE_LOG_LEVEL: debug, info, warn, error

	VAPIDPublicKey      string        // BEDSTATE_VAPID_PUBLIC_KEY; with the private key, else generated in DataDir
	VAPIDPrivateKey     string        // BEDSTATE_VAPID_PRIVATE_KEY
	VAPIDSubject        string        // BEDSTATE_VAPID_SUBJECT: a contact address or https URL for push services
	PushAllowedHosts    []string      // BEDSTATE_PUSH_ALLOWED_HOSTS: replaces the default push services
	PushTTL             time.Duration // BEDSTATE_PUSH_TTL: how long push services keep an undelivered alert
	PushPerHost         int           // BEDSTATE_PUSH_PER_HOST: requests in flight to one push service
	ReminderAt          string        // BEDSTATE_REMINDER_AT: managers' daily reminder, HH:MM Europe/London; "off" for none
	WebhookLoopbackHTTP bool          // BEDSTATE_WEBHOOK_ALLOW_LOOPBACK: http webhooks to 127.0.0.1 (development only)
}

// Load reads the configuration from the environment, with defaults that suit
// a local run on the embedded database.
func Load() (*Config, error) {
	c := &Config{
		Port:          get("PORT", "8080"),
		DatabaseURL:   os.Getenv("DATABASE_URL"),
		DataDir:       get("BEDSTATE_DATA_DIR", "./data"),
		JWTPrivateKey: os.Getenv("BEDSTATE_JWT_PRIVATE_KEY"),
		LogLevel:      get("BEDSTATE_LOG_LEVEL", "info"),
	}
	var errs []string
	dur := func(name, def string) time.Duration {
		d, err := time.ParseDuration(get(name, def))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s: want a positive duration such as %s", name, def))
		}
		return d
	}
	num := func(name string, def int) int {
		n, err := strconv.Atoi(get(name, strconv.Itoa(def)))
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Sprintf("%s: want a positive whole number", name))
		}
		return n
	}
	c.AccessTokenTTL = dur("BEDSTATE_ACCESS_TOKEN_TTL", "15m")
	c.RefreshTokenTTL = dur("BEDSTATE_REFRESH_TOKEN_TTL", "720h")
	c.FreshFor = dur("BEDSTATE_FRESH_FOR", "24h")
	c.StaleAfter = dur("BEDSTATE_STALE_AFTER", "72h")
	c.DBTimeout = dur("BEDSTATE_DB_TIMEOUT", "5s")
	c.LoginWindow = dur("BEDSTATE_LOGIN_WINDOW", "1m")
	c.MaxOpenConns = num("BEDSTATE_DB_MAX_CONNS", 20)
	c.LoginAttempts = num("BEDSTATE_LOGIN_ATTEMPTS", 5)
	c.MaxBodyBytes = num("BEDSTATE_MAX_BODY_BYTES", 64<<10)
	c.ImportMaxBytes = num("BEDSTATE_IMPORT_MAX_BYTES", 32<<20)
	c.VAPIDPublicKey = os.Getenv("BEDSTATE_VAPID_PUBLIC_KEY")
	c.VAPIDPrivateKey = os.Getenv("BEDSTATE_VAPID_PRIVATE_KEY")
	c.VAPIDSubject = get("BEDSTATE_VAPID_SUBJECT", "mailto:bedstate-admin@localhost")
	c.PushTTL = dur("BEDSTATE_PUSH_TTL", "6h")
	c.PushPerHost = num("BEDSTATE_PUSH_PER_HOST", 64)
	c.ReminderAt = get("BEDSTATE_REMINDER_AT", "15:00")
	if c.ReminderAt == "off" {
		c.ReminderAt = ""
	} else if _, err := time.Parse("15:04", c.ReminderAt); err != nil {
		errs = append(errs, "BEDSTATE_REMINDER_AT: want HH:MM (Europe/London) or off")
	}
	c.WebhookLoopbackHTTP = os.Getenv("BEDSTATE_WEBHOOK_ALLOW_LOOPBACK") == "true"
	if (c.VAPIDPublicKey == "") != (c.VAPIDPrivateKey == "") {
		errs = append(errs, "BEDSTATE_VAPID_PUBLIC_KEY and BEDSTATE_VAPID_PRIVATE_KEY go together")
	}
	if h := os.Getenv("BEDSTATE_PUSH_ALLOWED_HOSTS"); h != "" {
		for _, x := range strings.Split(h, ",") {
			if x = strings.TrimSpace(x); x != "" {
				c.PushAllowedHosts = append(c.PushAllowedHosts, x)
			}
		}
	}
	if p := os.Getenv("BEDSTATE_TRUSTED_PROXIES"); p != "" {
		c.TrustedProxies = strings.Split(p, ",")
	}
	if c.StaleAfter < c.FreshFor {
		errs = append(errs, "BEDSTATE_STALE_AFTER must not be shorter than BEDSTATE_FRESH_FOR")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

func get(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
