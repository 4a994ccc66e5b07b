-- The stored answers of migration 007 are gone: every answer at every level is a query over the
-- fact tables (docs/metrics.md, "Materialised facts and results"). The per-repository results
-- of migration 006 stay.
DROP TABLE IF EXISTS metric_frames;

-- Whether a commit's SHA is in more than one repository (a mirror, a fork). Above the repository
-- level a commit counts once by SHA; counting distinct SHAs of every commit costs five times a
-- plain count, so only shared ones are counted by SHA: commits = non-shared rows + distinct shared
-- SHAs. Filled by warehouse.metrics.refresh_metric_facts (the schema version changed: the next
-- refresh refills the facts whole).
ALTER TABLE commit_facts ADD COLUMN shared BOOLEAN NOT NULL DEFAULT false;
CREATE OR REPLACE VIEW commit_facts_live AS
SELECT *, count(*) OVER (PARTITION BY sha) > 1 AS shared FROM commit_facts_of('repos');
