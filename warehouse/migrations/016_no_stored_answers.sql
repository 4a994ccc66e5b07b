-- The stored answers of migration 007 are gone: every answer at every level is a query over the
-- fact tables (docs/metrics.md, "Materialised facts and results"). The per-repository results
-- of migration 006 stay.
DROP TABLE IF EXISTS metric_frames;
