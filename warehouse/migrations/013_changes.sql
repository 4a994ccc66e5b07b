-- Cost follows change (docs/collection.md, "After collecting"): what a run changed, so that the
-- work after it (identities, metric facts) touches only that; and person ids that stay put.

-- Repositories that got new or changed rows in the current run (commits, items, comments,
-- releases, forks, root files, publiccode.yml, or their own metadata), written with the rows in
-- the same transaction (warehouse.changes), and those holding commits, items or comments of an
-- identity whose person or bot flag the identity rebuild changed. Emptied once the work after
-- the run is done: a published warehouse holds no rows here.
CREATE TABLE changed_repos (
    forge     VARCHAR NOT NULL,
    host      VARCHAR NOT NULL,
    repo_path VARCHAR NOT NULL,
    reason    VARCHAR NOT NULL,  -- rows (collected) | identities (an author's person changed)
    PRIMARY KEY (forge, host, repo_path)
);

-- Changes that are not one repository's: 'everything' (the registry moved repositories between
-- entities or changed entities, accounts or settings; the schema changed) and 'identities'
-- (organisation members or the registry's aliases and bots changed). Emptied like changed_repos.
CREATE TABLE changed_scopes (
    scope  VARCHAR PRIMARY KEY,
    reason VARCHAR NOT NULL
);

-- Digests of the registry's parts as of the last run, to notice a change of them.
--   structure: entities, accounts, e-mail domains and settings; identities: aliases and bots.
CREATE TABLE registry_digests (
    part   VARCHAR PRIMARY KEY,
    digest VARCHAR NOT NULL
);

-- The schema version the materialised facts were refreshed under: another one refills them.
ALTER TABLE metric_facts_state ADD COLUMN schema_version INTEGER;

-- Person ids become 64-bit hashes of the person's smallest identity (warehouse/identities.py),
-- so that a new identity no longer renumbers other persons. Every stored person id widens to
-- BIGINT; a column under a primary key cannot change its type in place, so those tables are
-- copied. The ids already stored are replaced by the next rebuild, which refreshes everything.
CREATE TABLE persons_013 (
    person_id    BIGINT PRIMARY KEY,
    display_name VARCHAR,
    is_bot       BOOLEAN NOT NULL
);
INSERT INTO persons_013 SELECT person_id, display_name, is_bot FROM persons;
DROP TABLE persons;
ALTER TABLE persons_013 RENAME TO persons;

CREATE TABLE person_affiliations_013 (
    person_id BIGINT NOT NULL,
    entity_id VARCHAR NOT NULL,
    source    VARCHAR NOT NULL,  -- member | email_domain | alias
    PRIMARY KEY (person_id, entity_id, source)
);
INSERT INTO person_affiliations_013 SELECT person_id, entity_id, source FROM person_affiliations;
DROP TABLE person_affiliations;
ALTER TABLE person_affiliations_013 RENAME TO person_affiliations;

CREATE TABLE person_project_commits_013 (
    person_id  BIGINT NOT NULL,
    project_id VARCHAR NOT NULL,
    owner      VARCHAR NOT NULL,
    commits    BIGINT NOT NULL,
    first_at   TIMESTAMPTZ,
    last_at    TIMESTAMPTZ,
    PRIMARY KEY (person_id, project_id)
);
INSERT INTO person_project_commits_013
SELECT person_id, project_id, owner, commits, first_at, last_at FROM person_project_commits;
DROP TABLE person_project_commits;
ALTER TABLE person_project_commits_013 RENAME TO person_project_commits;

ALTER TABLE person_identities ALTER COLUMN person_id TYPE BIGINT;
ALTER TABLE commit_facts ALTER COLUMN person_id TYPE BIGINT;
ALTER TABLE item_facts ALTER COLUMN author_person_id TYPE BIGINT;
ALTER TABLE activity_events ALTER COLUMN person_id TYPE BIGINT;

INSERT INTO changed_scopes VALUES ('everything', 'schema 013: person ids are hashes');

-- The fact sets of migration 004 for a set of repositories: table macros taking the name of a
-- table or view with the repositories' forge, host, path and entity_id (`repos` for all of
-- them). The repository set is joined to each source table's scan, so a refresh of a few
-- repositories reads their rows only: a filter on a view's output is not pushed below its joins
-- and grouped subqueries. The *_live views are these macros over `repos`: same columns, same rows.
CREATE MACRO commit_facts_of(scope) AS TABLE
SELECT r.entity_id, c.forge, c.host, c.repo_path, c.sha, c.committed_at,
       utc_month(c.committed_at) AS month,
       pi.person_id,
       -- Without a rebuilt identity, a [bot] login or name still marks a bot.
       coalesce(p.is_bot, ends_with(lower(coalesce(c.author_login, c.author_name, '')), '[bot]')) AS is_bot,
       nullif(regexp_extract(lower(trim(c.author_email)), '@([^@]+)$', 1), '') AS email_domain
FROM commits AS c
JOIN query_table(scope) AS r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
LEFT JOIN person_identities AS pi
       ON pi.forge = c.forge AND pi.host = c.host
      AND pi.login IS NOT DISTINCT FROM c.author_login
      AND pi.email IS NOT DISTINCT FROM c.author_email
      AND pi.name IS NOT DISTINCT FROM c.author_name
LEFT JOIN persons AS p ON p.person_id = pi.person_id;

CREATE MACRO item_facts_of(scope) AS TABLE
WITH authored AS (
    SELECT r.entity_id, i.forge, i.host, i.repo_path, i.kind, i.number, i.state, i.draft, i.created_at,
           i.closed_at, i.merged_at, i.author_login,
           l.person_id AS author_person_id,
           coalesce(p.is_bot, ends_with(lower(coalesce(i.author_login, '')), '[bot]')) AS author_is_bot
    FROM items AS i
    JOIN query_table(scope) AS r ON r.forge = i.forge AND r.host = i.host AND r.path = i.repo_path
    LEFT JOIN person_logins AS l
           ON l.forge = i.forge AND l.host = i.host AND l.login_key = lower(trim(i.author_login))
    LEFT JOIN persons AS p ON p.person_id = l.person_id
),
responses AS (
    SELECT a.forge, a.host, a.repo_path, a.kind, a.number,
           min(c.created_at) AS first_response_at, count(*) AS responses
    FROM comments AS c
    JOIN query_table(scope) AS r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
    JOIN authored AS a
      ON c.forge = a.forge AND c.host = a.host AND c.repo_path = a.repo_path
     AND c.item_kind = a.kind AND c.item_number = a.number
    LEFT JOIN person_logins AS l
           ON l.forge = c.forge AND l.host = c.host AND l.login_key = lower(trim(c.author_login))
    LEFT JOIN persons AS p ON p.person_id = l.person_id
    WHERE NOT c.system
      AND NOT coalesce(p.is_bot, ends_with(lower(coalesce(c.author_login, '')), '[bot]'))
      AND CASE WHEN l.person_id IS NOT NULL AND a.author_person_id IS NOT NULL
               THEN l.person_id <> a.author_person_id
               ELSE lower(trim(c.author_login)) IS DISTINCT FROM lower(trim(a.author_login))
                    AND coalesce(c.author_login, a.author_login) IS NOT NULL
          END
    GROUP BY ALL
)
SELECT a.entity_id, a.forge, a.host, a.repo_path, a.kind, a.number, a.state, a.draft, a.created_at,
       CASE a.state WHEN 'merged' THEN coalesce(a.merged_at, a.closed_at)
                    WHEN 'closed' THEN a.closed_at END AS resolved_at,
       a.author_login, a.author_person_id, a.author_is_bot,
       r.first_response_at, coalesce(r.responses, 0) AS responses
FROM authored AS a
LEFT JOIN responses AS r
       ON r.forge = a.forge AND r.host = a.host AND r.repo_path = a.repo_path
      AND r.kind = a.kind AND r.number = a.number;

CREATE MACRO activity_events_of(scope) AS TABLE
SELECT entity_id, forge, host, repo_path, committed_at AS event_at, 'commit' AS event, is_bot, person_id
FROM commit_facts_of(scope) WHERE committed_at IS NOT NULL
UNION ALL
SELECT r.entity_id, i.forge, i.host, i.repo_path, i.created_at, 'item_opened',
       coalesce(p.is_bot, ends_with(lower(coalesce(i.author_login, '')), '[bot]')), l.person_id
FROM items AS i
JOIN query_table(scope) AS r ON r.forge = i.forge AND r.host = i.host AND r.path = i.repo_path
LEFT JOIN person_logins AS l
       ON l.forge = i.forge AND l.host = i.host AND l.login_key = lower(trim(i.author_login))
LEFT JOIN persons AS p ON p.person_id = l.person_id
WHERE i.created_at IS NOT NULL
UNION ALL
SELECT r.entity_id, i.forge, i.host, i.repo_path,
       CASE i.state WHEN 'merged' THEN coalesce(i.merged_at, i.closed_at) ELSE i.closed_at END,
       'item_closed', NULL::BOOLEAN, NULL::BIGINT
FROM items AS i
JOIN query_table(scope) AS r ON r.forge = i.forge AND r.host = i.host AND r.path = i.repo_path
WHERE i.state IN ('closed', 'merged') AND coalesce(i.merged_at, i.closed_at) IS NOT NULL
UNION ALL
SELECT r.entity_id, c.forge, c.host, c.repo_path, c.created_at, 'comment',
       coalesce(p.is_bot, ends_with(lower(coalesce(c.author_login, '')), '[bot]')), l.person_id
FROM comments AS c
JOIN query_table(scope) AS r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
LEFT JOIN person_logins AS l
       ON l.forge = c.forge AND l.host = c.host AND l.login_key = lower(trim(c.author_login))
LEFT JOIN persons AS p ON p.person_id = l.person_id
WHERE c.created_at IS NOT NULL
UNION ALL
SELECT r.entity_id, x.forge, x.host, x.repo_path, x.published_at, 'release', false, NULL::BIGINT
FROM releases AS x
JOIN query_table(scope) AS r ON r.forge = x.forge AND r.host = x.host AND r.path = x.repo_path
WHERE x.published_at IS NOT NULL;

CREATE OR REPLACE VIEW commit_facts_live AS SELECT * FROM commit_facts_of('repos');
CREATE OR REPLACE VIEW item_facts_live AS SELECT * FROM item_facts_of('repos');
CREATE OR REPLACE VIEW activity_events_live AS SELECT * FROM activity_events_of('repos');

-- Rows the incremental refreshes appended since the facts were last refilled whole in their sort
-- order; a refresh that would take them past a tenth of the facts refills (and re-sorts) them whole.
ALTER TABLE metric_facts_state ADD COLUMN unsorted_rows BIGINT;
