-- Each repository's activity per week (weeks of 7 days counted from the Unix epoch, UTC), kept by
-- refresh_metric_facts beside activity_events and from it. A query about a moment reads the weeks
-- wholly before or inside its windows from here and the events of the few weeks a boundary falls in
-- one by one, instead of every event of every repository's history (the lifecycle's counts and last
-- activity, the health score's active periods). first_human_at and last_human_at are enough for the
-- periods a week's human events fall in when a period is at least a week long: a week then meets at
-- most two periods, and both of its ends lie in them.
CREATE MACRO utc_week(ts) AS floor(epoch_us(ts) / 604800000000.0)::BIGINT;

CREATE MACRO activity_weeks_in(events) AS TABLE
SELECT entity_id, forge, host, repo_path, utc_week(event_at) AS week,
       count(*) FILTER (WHERE event IN ('commit', 'item_opened')) AS data_events,
       count(*) FILTER (WHERE is_bot = false) AS human_events,
       min(event_at) FILTER (WHERE is_bot = false) AS first_human_at,
       max(event_at) FILTER (WHERE is_bot = false) AS last_human_at,
       max(event_at) AS last_at
FROM query_table(events)
WHERE event_at IS NOT NULL
GROUP BY entity_id, forge, host, repo_path, utc_week(event_at);

CREATE TABLE activity_weeks (
    entity_id      VARCHAR NOT NULL,
    forge          VARCHAR NOT NULL,
    host           VARCHAR NOT NULL,
    repo_path      VARCHAR NOT NULL,
    week           BIGINT NOT NULL,
    data_events    BIGINT NOT NULL,   -- commits and items opened, bots' too
    human_events   BIGINT NOT NULL,   -- events by people (is_bot false)
    first_human_at TIMESTAMPTZ,
    last_human_at  TIMESTAMPTZ,
    last_at        TIMESTAMPTZ NOT NULL
);

CREATE VIEW activity_weeks_live AS SELECT * FROM activity_weeks_in('activity_events_live');

-- Filled from the stored events so that facts fresh before the upgrade stay fresh with it.
INSERT INTO activity_weeks
SELECT * FROM activity_weeks_in('activity_events') ORDER BY entity_id, forge, host, repo_path, week;
