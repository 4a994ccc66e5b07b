-- commit_home (migration 005) for some SHAs only: a table macro taking the name of a table with a
-- `sha` column. The SHAs are joined to the commits' scan, so that refresh_reuse after a change
-- reads the rows of those SHAs alone (a filter on the view's output is not pushed below its
-- grouping). Same columns and, for each SHA given, the same row as commit_home: every row of
-- the SHA is read, whichever repository holds it. warehouse.reuse.refresh uses it for the
-- projects whose repositories changed; tests/test_incremental_equals_clean.py checks that the
-- result equals a clean build's.
CREATE MACRO commit_home_of(shas) AS TABLE
WITH rows AS (
    SELECT c.sha, rp.project_id, c.committed_at,
           coalesce(r.created_at, TIMESTAMPTZ 'infinity') AS created_at,
           pi.person_id, coalesce(p.is_bot, false) AS is_bot
    FROM commits c
    JOIN query_table(shas) AS s ON s.sha = c.sha
    JOIN repos r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
    JOIN repo_project rp ON rp.forge = r.forge AND rp.host = r.host AND rp.path = r.path
    LEFT JOIN person_identities pi
           ON pi.forge = c.forge AND pi.host = c.host
          AND pi.login IS NOT DISTINCT FROM c.author_login
          AND pi.email IS NOT DISTINCT FROM c.author_email
          AND pi.name IS NOT DISTINCT FROM c.author_name
    LEFT JOIN persons p ON p.person_id = pi.person_id
),
home AS (
    SELECT sha,
           min(struct_pack(t := created_at, p := project_id, person := person_id, bot := is_bot,
                           at := committed_at)) AS h
    FROM rows
    GROUP BY sha
)
SELECT sha, h.p AS project_id, h.person AS person_id, h.bot AS is_bot, h.at AS committed_at
FROM home;
