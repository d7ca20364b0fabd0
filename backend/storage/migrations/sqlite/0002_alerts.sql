-- Vacancy alerts: filters, devices, webhooks and the delivery log.
CREATE TABLE alert_filters (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX alert_filters_user ON alert_filters (user_id);

ALTER TABLE push_subscriptions ADD COLUMN filter_id BIGINT REFERENCES alert_filters(id) ON DELETE SET NULL;
ALTER TABLE push_subscriptions ADD COLUMN last_success_at DATETIME;
ALTER TABLE push_subscriptions ADD COLUMN broken_at DATETIME;
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id  BIGINT NOT NULL REFERENCES api_clients(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    filter     TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX webhooks_client ON webhooks (client_id);

-- One row per message to one device or webhook. Targets are not foreign keys:
-- the log outlives a pruned device.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id       BIGINT,
    channel         TEXT NOT NULL,
    target_id       BIGINT NOT NULL,
    owner           TEXT NOT NULL,
    home_id         BIGINT,
    kind            TEXT NOT NULL,
    topic           TEXT NOT NULL DEFAULT '',
    urgency         TEXT NOT NULL DEFAULT '',
    ttl             INTEGER NOT NULL DEFAULT 0,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    claimed_until   DATETIME,
    event_at        DATETIME NOT NULL,
    queued_at       DATETIME NOT NULL,
    sent_at         DATETIME,
    answered_at     DATETIME,
    response_status INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX deliveries_once ON deliveries (outbox_id, channel, target_id, topic);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('queued', 'retry');
CREATE INDEX deliveries_target ON deliveries (channel, target_id, topic);
CREATE INDEX deliveries_owner ON deliveries (owner, id);

-- Bumped on every change to filters, devices or webhooks, so dispatchers
-- reload their matching tables only when something changed.
INSERT INTO counters (name, value) VALUES ('alerts', 0);
