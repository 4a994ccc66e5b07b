-- Reuse and collaboration across entities, and goals for councils.
-- Definitions: docs/reuse-and-goals.md. Query functions: warehouse/reuse.py, warehouse/goals.py.

-- The registry's goals, mirrored by warehouse.goals.sync_goals(con, registry).
-- goal_no is the goal's position within its entity in the registry (1-based), so one entity
-- may hold the same metric twice (e.g. a milestone and a final target).
CREATE TABLE goals (
    entity_id VARCHAR NOT NULL,
    goal_no   INTEGER NOT NULL,
    metric    VARCHAR NOT NULL,
    target    DOUBLE NOT NULL,
    deadline  DATE NOT NULL,
    PRIMARY KEY (entity_id, goal_no)
);

-- A dated value of every entity's goal metrics. 'observed' rows are written after each
-- collection by warehouse.goals.write_snapshots (one per day: a rerun the same day replaces
-- them); 'reconstructed' rows come from repository creation dates and commit history and are
-- only kept for dates before an entity's first observed snapshot of that metric.
CREATE TABLE goal_snapshots (
    snapshot_date DATE NOT NULL,
    entity_id     VARCHAR NOT NULL,
    metric        VARCHAR NOT NULL,
    value         DOUBLE,              -- NULL: no data (e.g. a share of zero repositories)
    source        VARCHAR NOT NULL DEFAULT 'observed',  -- observed | reconstructed
    PRIMARY KEY (snapshot_date, entity_id, metric)
);

-- Each repository's root commit: its oldest commit on the default branch by committer time
-- (ties: smallest SHA), as far as the collected history reaches.
CREATE VIEW repo_roots AS
SELECT forge, host, repo_path,
       min(struct_pack(t := committed_at, s := sha)).s AS root_sha,
       count(*) AS commits
FROM commits
WHERE committed_at IS NOT NULL
GROUP BY forge, host, repo_path;

-- Every repository with the project it belongs to (live; materialised into repo_project).
-- Repositories that are not forks and share a root commit form one project when they lie on at least two different forge hosts: one
-- repository per (forge, host), the earliest created there. The project's canonical repository
-- is the earliest created of them (ties: forge, host, path); the others are its mirrors. Every
-- other repository is a project of its own. project_id = 'forge:host/path' of the canonical.
CREATE VIEW repo_project_live AS
WITH cand AS (
    SELECT r.forge, r.host, r.path, r.created_at, rr.root_sha,
           row_number() OVER (PARTITION BY rr.root_sha, r.forge, r.host
                              ORDER BY r.created_at NULLS LAST, r.path) AS host_rank
    FROM repos r
    JOIN repo_roots rr ON rr.forge = r.forge AND rr.host = r.host AND rr.repo_path = r.path
    WHERE NOT r.is_fork
),
grouped AS (
    SELECT forge, host, path, root_sha,
           count(*) OVER (PARTITION BY root_sha) AS hosts,
           first_value(forge) OVER w AS c_forge,
           first_value(host) OVER w AS c_host,
           first_value(path) OVER w AS c_path
    FROM cand
    WHERE host_rank = 1
    WINDOW w AS (PARTITION BY root_sha ORDER BY created_at NULLS LAST, forge, host, path
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
mapped AS (
    SELECT r.forge, r.host, r.path, r.entity_id,
           CASE WHEN g.hosts >= 2 THEN g.c_forge ELSE r.forge END AS project_forge,
           CASE WHEN g.hosts >= 2 THEN g.c_host ELSE r.host END AS project_host,
           CASE WHEN g.hosts >= 2 THEN g.c_path ELSE r.path END AS project_path,
           CASE WHEN g.hosts >= 2 THEN g.root_sha END AS mirror_root_sha
    FROM repos r
    LEFT JOIN grouped g ON g.forge = r.forge AND g.host = r.host AND g.path = r.path
)
SELECT forge, host, path, entity_id,
       project_forge || ':' || project_host || '/' || project_path AS project_id,
       project_forge, project_host, project_path,
       (forge = project_forge AND host = project_host AND path = project_path) AS is_canonical,
       mirror_root_sha
FROM mapped;

-- Derived tables, rebuilt from the *_live views by warehouse.reuse.refresh_reuse(con) after each
-- collection (after identities), so that the dashboard reads them cheaply; like persons, they are
-- only as current as the last refresh. reuse_state records the source row counts it saw
-- (warehouse.reuse.reuse_fresh compares them with the current ones).
CREATE TABLE reuse_state (
    refreshed_at         TIMESTAMPTZ NOT NULL,
    repos                BIGINT NOT NULL,
    commits              BIGINT NOT NULL,
    forks                BIGINT NOT NULL,
    publiccode           BIGINT NOT NULL,
    accounts             BIGINT NOT NULL,
    entities             BIGINT NOT NULL,
    persons              BIGINT NOT NULL,
    person_identities    BIGINT NOT NULL,
    person_affiliations  BIGINT NOT NULL
);

CREATE TABLE repo_project (
    forge           VARCHAR NOT NULL,
    host            VARCHAR NOT NULL,
    path            VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    project_id      VARCHAR NOT NULL,
    project_forge   VARCHAR NOT NULL,
    project_host    VARCHAR NOT NULL,
    project_path    VARCHAR NOT NULL,
    is_canonical    BOOLEAN NOT NULL,
    mirror_root_sha VARCHAR,
    PRIMARY KEY (forge, host, path)
);

-- One row per project: its canonical repository, owner entity, and its mirrors.
CREATE VIEW projects AS
SELECT rp.project_id,
       rp.project_forge AS forge,
       rp.project_host AS host,
       rp.project_path AS path,
       any_value(rp.entity_id) FILTER (WHERE rp.is_canonical) AS entity_id,
       count(*) AS repos,
       coalesce(list(rp.forge || ':' || rp.host || '/' || rp.path ORDER BY rp.forge, rp.host, rp.path)
                FILTER (WHERE NOT rp.is_canonical), []) AS mirrors,
       coalesce(list(DISTINCT rp.entity_id) FILTER (WHERE NOT rp.is_canonical), []) AS mirror_entities,
       any_value(rp.mirror_root_sha) AS root_sha
FROM repo_project rp
GROUP BY rp.project_id, rp.project_forge, rp.project_host, rp.project_path;

-- Forks of one entity's repository owned by another entity, one row per fork repository, from
-- two sources: the parent's fork listing (forks) and the fork's own metadata (repos.is_fork,
-- repos.fork_parent), which name the same fork at most once after deduplication on
-- (forge, host, lower(fork_path)). The fork's entity is the collected fork repository's entity,
-- else the entity of the registry account owning the fork's namespace (fork_owner); the
-- parent's entity is the collected parent repository's entity, else the account owning the
-- parent's namespace. An account owns a namespace when its owner equals it or a group above it
-- (GitLab groups nest), case-insensitively, on the same forge and host; the longest owner wins.
-- A fork by an owner outside the registry has no target entity and yields no row.
CREATE VIEW fork_evidence AS
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
fork_acc AS (
    SELECT f.forge, f.host, f.fork_key, arg_max(a.entity_id, length(a.owner)) AS entity_id
    FROM forks_seen f
    JOIN accounts a ON a.forge = f.forge AND a.host = f.host
     AND (lower(f.fork_ns) = lower(a.owner) OR starts_with(lower(f.fork_ns), lower(a.owner) || '/'))
    GROUP BY f.forge, f.host, f.fork_key
),
parent_acc AS (
    SELECT f.forge, f.host, f.fork_key, arg_max(a.entity_id, length(a.owner)) AS entity_id
    FROM forks_seen f
    JOIN accounts a ON a.forge = f.forge AND a.host = f.host
     AND (lower(f.parent_ns) = lower(a.owner) OR starts_with(lower(f.parent_ns), lower(a.owner) || '/'))
    GROUP BY f.forge, f.host, f.fork_key
),
resolved AS (
    SELECT f.forge, f.host, f.fork_path, f.parent_path,
           coalesce(fr.entity_id, fa.entity_id) AS target,
           coalesce(pr.entity_id, pa.entity_id) AS source,
           pr.path AS parent_repo_path
    FROM forks_seen f
    LEFT JOIN repos fr ON fr.forge = f.forge AND fr.host = f.host AND lower(fr.path) = f.fork_key
    LEFT JOIN repos pr ON pr.forge = f.forge AND pr.host = f.host AND lower(pr.path) = lower(f.parent_path)
    LEFT JOIN fork_acc fa ON fa.forge = f.forge AND fa.host = f.host AND fa.fork_key = f.fork_key
    LEFT JOIN parent_acc pa ON pa.forge = f.forge AND pa.host = f.host AND pa.fork_key = f.fork_key
)
SELECT r.source, r.target, rp.project_id AS source_project,
       r.forge, r.host, r.parent_path, r.fork_path
FROM resolved r
LEFT JOIN repo_project rp ON rp.forge = r.forge AND rp.host = r.host AND rp.path = r.parent_repo_path
WHERE r.source IS NOT NULL AND r.target IS NOT NULL AND r.source <> r.target;

-- Mirrors owned by another entity than the project's canonical repository.
CREATE VIEW mirror_evidence AS
SELECT p.entity_id AS source, rp.entity_id AS target, rp.project_id AS source_project,
       rp.forge, rp.host, rp.path
FROM repo_project rp
JOIN projects p ON p.project_id = rp.project_id
WHERE NOT rp.is_canonical AND rp.entity_id <> p.entity_id;

-- Each commit SHA's home project: the project of the earliest created repository holding it
-- (ties: project_id), so a fork's inherited history stays with the project it came from and a
-- commit in two mirrors counts once. Its author is the author person of that repository's row.
CREATE VIEW commit_home AS
WITH rows AS (
    SELECT c.sha, rp.project_id, c.committed_at,
           coalesce(r.created_at, TIMESTAMPTZ 'infinity') AS created_at,
           pi.person_id, coalesce(p.is_bot, false) AS is_bot
    FROM commits c
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

-- Non-bot persons' commits per project (by home project), with the project's owner (the entity of
-- its canonical repository) and the person's first and last commit there. Live view; materialised
-- into person_project_commits (after repo_project).
CREATE VIEW person_project_commits_live AS
SELECT h.person_id, h.project_id, p.entity_id AS owner, count(*) AS commits,
       min(h.committed_at) AS first_at, max(h.committed_at) AS last_at
FROM commit_home h
JOIN projects p ON p.project_id = h.project_id
WHERE h.person_id IS NOT NULL AND NOT h.is_bot
GROUP BY h.person_id, h.project_id, p.entity_id;

CREATE TABLE person_project_commits (
    person_id  INTEGER NOT NULL,
    project_id VARCHAR NOT NULL,
    owner      VARCHAR NOT NULL,
    commits    BIGINT NOT NULL,
    first_at   TIMESTAMPTZ,
    last_at    TIMESTAMPTZ,
    PRIMARY KEY (person_id, project_id)
);

-- publiccode.yml usedBy / isBasedOn texts resolved to entities (warehouse.reuse.match_entity and
-- URL matching), one row per distinct text; texts not yet here are resolved on the fly.
CREATE TABLE publiccode_matches (
    text       VARCHAR PRIMARY KEY,
    entity_id  VARCHAR,       -- NULL: no match
    project_id VARCHAR,       -- isBasedOn URL of a collected repository
    method     VARCHAR,       -- exact | core | fuzzy | repo_url | account_url
    score      DOUBLE
);

-- A person affiliated with entity `target` (and not with the project's owner `source`) who
-- authored commits in a project of `source`.
CREATE VIEW contribution_evidence AS
WITH aff AS (SELECT DISTINCT person_id, entity_id FROM person_affiliations)
SELECT ppc.owner AS source, a.entity_id AS target, ppc.project_id AS source_project,
       ppc.person_id, ppc.commits, ppc.first_at
FROM person_project_commits ppc
JOIN aff a ON a.person_id = ppc.person_id AND a.entity_id <> ppc.owner
WHERE NOT EXISTS (SELECT 1 FROM aff o WHERE o.person_id = ppc.person_id AND o.entity_id = ppc.owner);

-- A person affiliated with neither of two entities who authored commits in projects of both.
-- Undirected: source < target.
CREATE VIEW shared_contributor_evidence AS
WITH aff AS (SELECT DISTINCT person_id, entity_id FROM person_affiliations),
pe AS (
    SELECT person_id, owner, sum(commits) AS commits
    FROM person_project_commits ppc
    WHERE NOT EXISTS (SELECT 1 FROM aff a WHERE a.person_id = ppc.person_id AND a.entity_id = ppc.owner)
    GROUP BY person_id, owner
)
SELECT x.owner AS source, y.owner AS target, x.person_id, x.commits AS source_commits, y.commits AS target_commits
FROM pe x
JOIN pe y ON y.person_id = x.person_id AND x.owner < y.owner;
