-- A closure whose expiry passes stops counting: the home is offered again.
-- Dispatchers announce that once, as a reopening; this marks it announced.
ALTER TABLE homes ADD COLUMN closure_lapse_seen BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX homes_closures ON homes (status_expires_at) WHERE status <> 'open';
