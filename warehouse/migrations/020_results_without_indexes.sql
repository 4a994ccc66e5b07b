-- The per-repository results are written whole by one writer after every collection and read by
-- scans: their primary-key indexes only made each write cost 3-5 times as much (the parts of the
-- health score, six rows a repository, most of all). The tables are made again without them; the
-- stored rows are kept, so the results stay as the last collection left them. warehouse.export
-- still names each table's key.

ALTER TABLE repo_lifecycle RENAME TO repo_lifecycle_keyed;
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
    unanswered_open_items  BIGINT NOT NULL
);
INSERT INTO repo_lifecycle SELECT * FROM repo_lifecycle_keyed;
DROP TABLE repo_lifecycle_keyed;

ALTER TABLE repo_health_inputs RENAME TO repo_health_inputs_keyed;
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
    release_cadence       DOUBLE
);
INSERT INTO repo_health_inputs SELECT * FROM repo_health_inputs_keyed;
DROP TABLE repo_health_inputs_keyed;

ALTER TABLE repo_health_parts RENAME TO repo_health_parts_keyed;
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
    inputs         VARCHAR NOT NULL    -- JSON
);
INSERT INTO repo_health_parts SELECT * FROM repo_health_parts_keyed;
DROP TABLE repo_health_parts_keyed;

ALTER TABLE attention_findings RENAME TO attention_findings_keyed;
CREATE TABLE attention_findings (
    position    INTEGER NOT NULL,
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
INSERT INTO attention_findings SELECT * FROM attention_findings_keyed;
DROP TABLE attention_findings_keyed;
