-- Registry settings, and metric results materialised once after each collection.
-- Definitions: docs/metrics.md (sections "Settings" and "Materialised results").

-- The registry's [settings.*] tables, mirrored by warehouse.state.sync_registry(con, registry):
-- one row per (section, key), every key written (defaults included), so the dashboard, which
-- never reads the registry, computes with the same thresholds and weights as the pipeline.
-- No rows (a warehouse never collected): the query functions use their built-in defaults.
CREATE TABLE settings (
    section VARCHAR NOT NULL,   -- lifecycle | health_weights
    key     VARCHAR NOT NULL,   -- a field of warehouse.metrics.LifecycleThresholds, or a health part
    value   DOUBLE NOT NULL,
    PRIMARY KEY (section, key)
);

-- Per-repository results at the moment of the last collection (computed_at in
-- metric_results_state), with the default window and targets and the stored settings, written by
-- warehouse.metrics.refresh_metric_results(con, now) after refresh_metric_facts. The query
-- functions read them when asked for exactly those parameters while metric_results_state still
-- matches the source tables' row counts, and compute live otherwise: the same rows either way.

-- warehouse.metrics.lifecycle, one row per repository.
CREATE TABLE repo_lifecycle (
    forge                  VARCHAR NOT NULL,
    host                   VARCHAR NOT NULL,
    path                   VARCHAR NOT NULL,
    entity_id              VARCHAR NOT NULL,
    html_url               VARCHAR,
    stage                  VARCHAR NOT NULL,
    archived               BOOLEAN NOT NULL,
    created_at             TIMESTAMPTZ,
    last_activity_at       TIMESTAMPTZ,
    last_human_activity_at TIMESTAMPTZ,
    idle_days              DOUBLE,
    recent_events          BIGINT NOT NULL,
    baseline_events        BIGINT NOT NULL,
    unanswered_open_items  BIGINT NOT NULL,
    PRIMARY KEY (forge, host, path)
);

-- warehouse.metrics.health_inputs, one row per repository, with the score of each part (0-100,
-- NULL when missing) computed from them; the weights are applied when reading, so any weights can
-- use them.
CREATE TABLE repo_health_inputs (
    forge                 VARCHAR NOT NULL,
    host                  VARCHAR NOT NULL,
    path                  VARCHAR NOT NULL,
    entity_id             VARCHAR NOT NULL,
    html_url              VARCHAR,
    stage                 VARCHAR NOT NULL,
    archived              BOOLEAN NOT NULL,
    active_periods        BIGINT NOT NULL,
    periods_considered    BIGINT NOT NULL,
    items_due             BIGINT NOT NULL,
    items_handled         BIGINT NOT NULL,
    median_response_hours DOUBLE,
    absence_factor        BIGINT,
    participants          BIGINT NOT NULL,
    releases_ever         BIGINT NOT NULL,
    releases_in_window    BIGINT NOT NULL,
    checks_passed         BIGINT,
    checks                BIGINT,
    activity              DOUBLE,
    responsiveness        DOUBLE,
    sustainability        DOUBLE,
    community             DOUBLE,
    hygiene               DOUBLE,
    release_cadence       DOUBLE,
    PRIMARY KEY (forge, host, path)
);

-- warehouse.metrics.health_parts without the weights: one row per repository and part.
CREATE TABLE repo_health_parts (
    forge          VARCHAR NOT NULL,
    host           VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,
    entity_id      VARCHAR NOT NULL,
    html_url       VARCHAR,
    stage          VARCHAR NOT NULL,
    part           VARCHAR NOT NULL,
    part_no        INTEGER NOT NULL,   -- the part's place in warehouse.metrics.HEALTH_PARTS
    score          DOUBLE,
    missing        BOOLEAN NOT NULL,
    missing_reason VARCHAR,
    inputs         VARCHAR NOT NULL,   -- JSON
    PRIMARY KEY (forge, host, path, part)
);

-- warehouse.metrics.attention_list over every repository, in its order (position).
CREATE TABLE attention_findings (
    position    INTEGER NOT NULL PRIMARY KEY,
    entity_id   VARCHAR NOT NULL,
    forge       VARCHAR NOT NULL,
    host        VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    html_url    VARCHAR,
    reason      VARCHAR NOT NULL,
    detail      VARCHAR,
    item_kind   VARCHAR,
    item_number INTEGER,
    item_url    VARCHAR,
    since       TIMESTAMPTZ,
    days        DOUBLE
);

-- What the last refresh_metric_results computed with, and the row counts of the tables the
-- results come from (warehouse.metrics.metric_results_fresh compares them with the current ones).
CREATE TABLE metric_results_state (
    computed_at         TIMESTAMPTZ NOT NULL,  -- the `now` of every result above
    window_days         DOUBLE NOT NULL,
    recent_days         DOUBLE NOT NULL,
    baseline_days       DOUBLE NOT NULL,
    declining_ratio     DOUBLE NOT NULL,
    inactive_days       DOUBLE NOT NULL,
    abandoned_days      DOUBLE NOT NULL,
    repos               BIGINT NOT NULL,
    entities            BIGINT NOT NULL,
    commits             BIGINT NOT NULL,
    items               BIGINT NOT NULL,
    comments            BIGINT NOT NULL,
    releases            BIGINT NOT NULL,
    root_files          BIGINT NOT NULL,
    publiccode          BIGINT NOT NULL,
    persons             BIGINT NOT NULL,
    person_identities   BIGINT NOT NULL,
    settings            BIGINT NOT NULL
);

-- warehouse.reuse.entity_edges (every entity, every kind) and entity_reuse_summary (every
-- entity), written by warehouse.reuse.refresh_reuse with the tables they are computed from, and
-- read while reuse_fresh holds.
CREATE TABLE entity_edges_cache (
    position INTEGER NOT NULL PRIMARY KEY,
    source   VARCHAR NOT NULL,
    target   VARCHAR NOT NULL,
    kind     VARCHAR NOT NULL,
    weight   BIGINT NOT NULL,
    evidence VARCHAR
);

CREATE TABLE entity_reuse_cache (
    entity_id                   VARCHAR PRIMARY KEY,
    name                        VARCHAR,
    projects                    BIGINT NOT NULL,
    mirrored_projects           BIGINT NOT NULL,
    projects_reused_by_others   BIGINT NOT NULL,
    reusing_entities            BIGINT NOT NULL,
    projects_reused_from_others BIGINT NOT NULL,
    contributions_to_others     BIGINT NOT NULL,
    commits_to_others           BIGINT NOT NULL,
    contributors_to_others      BIGINT NOT NULL,
    external_contributors       BIGINT NOT NULL,
    unaffiliated_contributors   BIGINT NOT NULL
);

-- Edges and summaries refreshed before this migration are not in the caches: mark the reuse
-- tables stale, so reading computes live until the next refresh_reuse.
DELETE FROM reuse_state;
