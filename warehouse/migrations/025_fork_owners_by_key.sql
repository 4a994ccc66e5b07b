-- fork_evidence as in 005, its owning accounts found by equality on each namespace and the groups
-- above it instead of a starts_with join (every fork against every account of its host: 40 ms
-- at a quarter of the design scale, growing with forks times accounts; read by every badge and
-- public-code answer and the reuse refresh). Same rows.
CREATE OR REPLACE VIEW fork_evidence AS
WITH seen AS (
    SELECT forge, host, repo_path AS parent_path, fork_path, fork_owner AS fork_ns FROM forks
    UNION ALL
    SELECT forge, host, fork_parent, path,
           CASE WHEN contains(path, '/') THEN regexp_extract(path, '^(.*)/[^/]*$', 1) ELSE path END
    FROM repos
    WHERE is_fork AND fork_parent IS NOT NULL
),
forks_seen AS (
    SELECT forge, host, lower(fork_path) AS fork_key,
           min(fork_path) AS fork_path,
           min(parent_path) AS parent_path,
           min(fork_ns) AS fork_ns,
           CASE WHEN contains(min(parent_path), '/')
                THEN regexp_extract(min(parent_path), '^(.*)/[^/]*$', 1)
                ELSE min(parent_path) END AS parent_ns
    FROM seen
    GROUP BY forge, host, lower(fork_path)
),
-- The namespaces an account could own: the fork's and the parent's, and each group above them.
-- Equal to an owner or a group above it, as in 005, but matched on equality: the join on
-- starts_with compared every fork with every account of its host.
owned AS (
    SELECT forge, host, fork_key, side, array_to_string(parts[1:k], '/') AS owner_key
    FROM (
        SELECT forge, host, fork_key, side, parts, unnest(range(1, len(parts) + 1)) AS k
        FROM (
            SELECT forge, host, fork_key, 'fork' AS side, string_split(lower(fork_ns), '/') AS parts
            FROM forks_seen
            UNION ALL
            SELECT forge, host, fork_key, 'parent', string_split(lower(parent_ns), '/') FROM forks_seen
        )
    )
),
owners AS (
    SELECT o.forge, o.host, o.fork_key, o.side, arg_max(a.entity_id, length(a.owner)) AS entity_id
    FROM owned o
    JOIN accounts a ON a.forge = o.forge AND a.host = o.host AND lower(a.owner) = o.owner_key
    GROUP BY o.forge, o.host, o.fork_key, o.side
),
resolved AS (
    SELECT f.forge, f.host, f.fork_path, f.parent_path,
           coalesce(fr.entity_id, fa.entity_id) AS target,
           coalesce(pr.entity_id, pa.entity_id) AS source,
           pr.path AS parent_repo_path
    FROM forks_seen f
    LEFT JOIN repos fr ON fr.forge = f.forge AND fr.host = f.host AND lower(fr.path) = f.fork_key
    LEFT JOIN repos pr ON pr.forge = f.forge AND pr.host = f.host AND lower(pr.path) = lower(f.parent_path)
    LEFT JOIN owners fa ON fa.forge = f.forge AND fa.host = f.host AND fa.fork_key = f.fork_key AND fa.side = 'fork'
    LEFT JOIN owners pa ON pa.forge = f.forge AND pa.host = f.host AND pa.fork_key = f.fork_key AND pa.side = 'parent'
)
SELECT r.source, r.target, rp.project_id AS source_project,
       r.forge, r.host, r.parent_path, r.fork_path
FROM resolved r
LEFT JOIN repo_project rp ON rp.forge = r.forge AND rp.host = r.host AND rp.path = r.parent_repo_path
WHERE r.source IS NOT NULL AND r.target IS NOT NULL AND r.source <> r.target;
