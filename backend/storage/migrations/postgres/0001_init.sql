-- Bedstate schema, PostgreSQL. Times are timestamptz, kept in UTC.
CREATE TABLE organisations (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    ods_code        TEXT UNIQUE,
    local_authority TEXT NOT NULL DEFAULT ''
);

CREATE TABLE hospitals (
    id              BIGSERIAL PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL UNIQUE,
    ods_site_code   TEXT NOT NULL DEFAULT '',
    latitude        DOUBLE PRECISION NOT NULL,
    longitude       DOUBLE PRECISION NOT NULL
);

CREATE TABLE homes (
    id                BIGSERIAL PRIMARY KEY,
    cqc_location_id   TEXT NOT NULL UNIQUE,
    ods_code          TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL,
    address           TEXT NOT NULL DEFAULT '',
    postcode          TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    latitude          DOUBLE PRECISION NOT NULL,
    longitude         DOUBLE PRECISION NOT NULL,
    local_authority   TEXT NOT NULL,
    district          TEXT NOT NULL DEFAULT '',
    icb               TEXT NOT NULL DEFAULT '',
    provider_id       BIGINT REFERENCES organisations(id),
    registered_beds   INTEGER NOT NULL DEFAULT 0,
    nursing           BOOLEAN NOT NULL DEFAULT FALSE,
    cqc_rating        TEXT NOT NULL DEFAULT 'not_yet_rated',
    cqc_rating_date   TIMESTAMPTZ,
    specialisms       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'open',
    status_reason     TEXT NOT NULL DEFAULT '',
    status_note       TEXT NOT NULL DEFAULT '',
    status_expires_at TIMESTAMPTZ,
    suspended         BOOLEAN NOT NULL DEFAULT FALSE,
    suspension_reason TEXT NOT NULL DEFAULT '',
    suspended_at      TIMESTAMPTZ,
    beds_observed_at  TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX homes_local_authority ON homes (local_authority);
CREATE INDEX homes_icb ON homes (icb);

CREATE TABLE bed_categories (
    home_id             BIGINT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    care_type           TEXT NOT NULL,
    client_group        TEXT NOT NULL,
    capacity            INTEGER NOT NULL,
    occupied            INTEGER NOT NULL,
    reserved            INTEGER NOT NULL,
    available           INTEGER NOT NULL,
    unavailable         INTEGER NOT NULL,
    unavailable_reason  TEXT NOT NULL DEFAULT '',
    stay_types          TEXT NOT NULL DEFAULT '',
    allocation          TEXT NOT NULL DEFAULT '',
    block_booked_by     TEXT NOT NULL DEFAULT '',
    free_within_24h     INTEGER,
    free_within_72h     INTEGER,
    weekly_fee_from     INTEGER,
    guide_rate_accepted BOOLEAN,
    top_up_required     BOOLEAN,
    admit_within        TEXT NOT NULL DEFAULT '',
    note                TEXT NOT NULL DEFAULT '',
    observed_at         TIMESTAMPTZ NOT NULL,
    received_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (home_id, care_type, client_group),
    -- The four-way split is checked in Go first; this is the last line of defence.
    CHECK (capacity = occupied + reserved + available + unavailable),
    CHECK (occupied >= 0 AND reserved >= 0 AND available >= 0 AND unavailable >= 0)
);

-- The feed counter is taken as the last step of each write, under a row lock,
-- so feed positions are handed out in commit order and a poller never skips one.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('feed', 0);

CREATE TABLE audit_events (
    id           BIGSERIAL PRIMARY KEY,
    seq          BIGINT NOT NULL UNIQUE,
    home_id      BIGINT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    actor_org_id BIGINT,
    source       TEXT NOT NULL,
    observed_at  TIMESTAMPTZ,
    received_at  TIMESTAMPTZ NOT NULL,
    old_value    TEXT NOT NULL,
    new_value    TEXT NOT NULL
);
CREATE INDEX audit_events_home ON audit_events (home_id, seq);

CREATE TABLE outbox (
    id            BIGSERIAL PRIMARY KEY,
    seq           BIGINT NOT NULL,
    home_id       BIGINT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    processed_at  TIMESTAMPTZ,
    attempts      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (id) WHERE processed_at IS NULL;

CREATE TABLE users (
    id              BIGSERIAL PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL,
    organisation_id BIGINT REFERENCES organisations(id),
    hospital_id     BIGINT REFERENCES hospitals(id),
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_homes (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    home_id BIGINT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, home_id)
);

CREATE TABLE api_clients (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    secret_hash     TEXT NOT NULL,
    organisation_id BIGINT REFERENCES organisations(id),
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE refresh_tokens (
    id         BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    rotated_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

CREATE TABLE idempotency_keys (
    actor       TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (actor, key)
);

-- Devices that receive vacancy alerts (filled in by the alerts work).
CREATE TABLE push_subscriptions (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
