-- Stored answers: the query functions' answers at the default parameters, for every group of a
-- level at once, computed after each collection with the results of migration 006.
-- Definitions: docs/metrics.md (section "Materialised results").

-- One answer of one function at one level (repo | entity | archetype | country | ecosystem, or
-- 'all' for a function without levels), as an Arrow IPC stream of the DataFrame the function
-- returns, taken at metric_results_state.computed_at with the function's default parameters.
-- Written by warehouse.metrics.refresh_metric_results; read, filtered to the groups asked for,
-- while metric_results_state is fresh.
CREATE TABLE metric_frames (
    function VARCHAR NOT NULL,
    level    VARCHAR NOT NULL,
    frame    BLOB NOT NULL,
    PRIMARY KEY (function, level)
);

-- The stored answers also depend on forks (technical forks) and affiliations (elephant factor).
ALTER TABLE metric_results_state ADD COLUMN forks BIGINT;
ALTER TABLE metric_results_state ADD COLUMN person_affiliations BIGINT;
-- Results computed before this migration lack the stored answers: stale until the next refresh.
DELETE FROM metric_results_state;
