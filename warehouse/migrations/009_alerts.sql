-- Alerts and their delivery (docs/alerts.md), written by `ossdash alerts` and `ossdash collect
-- --alerts` through a working copy like every other write, so they survive publishing.

-- One row per occurrence of a condition: alert_key names the rule, entity and subject (the same
-- condition keeps its key from run to run); a condition that clears gets cleared_at, and if it
-- returns later it is a new occurrence (alert_id = alert_key '|' occurrence) and alerts again.
CREATE TABLE alerts (
    alert_id   VARCHAR PRIMARY KEY,
    alert_key  VARCHAR NOT NULL,
    occurrence INTEGER NOT NULL,
    rule       VARCHAR NOT NULL,     -- collectors.registry.ALERT_RULES
    entity_id  VARCHAR NOT NULL,
    subject    VARCHAR NOT NULL,
    facts      VARCHAR NOT NULL,     -- JSON: what the texts say (repository, item, days, status...)
    raised_at  TIMESTAMPTZ NOT NULL,
    cleared_at TIMESTAMPTZ,          -- NULL while the condition holds
    UNIQUE (alert_key, occurrence)
);

-- One row per alert and channel the entity configured for its rule when it was raised. A
-- pending row is tried on every run until the channel takes it; a failure keeps it pending.
CREATE TABLE alert_deliveries (
    alert_id        VARCHAR NOT NULL,
    channel_id      VARCHAR NOT NULL,  -- collectors.registry.AlertChannel.channel_id (never a URL)
    status          VARCHAR NOT NULL,  -- pending | delivered
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      VARCHAR,
    last_attempt_at TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    PRIMARY KEY (alert_id, channel_id)
);
