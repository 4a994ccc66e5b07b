-- Identities: persons merged across logins and e-mails, with bots flagged and
-- affiliations to entities. All three tables are derived: warehouse.identities
-- .rebuild_identities(con, registry) deletes and refills them after each collection.

-- One row per person (or bot). person_id is deterministic for the same data:
-- persons are numbered by their smallest identity (forge, host, login, email, name).
CREATE TABLE persons (
    person_id    INTEGER PRIMARY KEY,
    display_name VARCHAR,
    is_bot       BOOLEAN NOT NULL
);

-- One row per distinct identity seen, with its values exactly as the forge gave them
-- (so the *_authors views join on plain equality): commit authors and committers
-- (login, e-mail, name), item and comment authors (login), organisation/group members
-- (login, name).
CREATE TABLE person_identities (
    person_id INTEGER NOT NULL,
    forge     VARCHAR NOT NULL,
    host      VARCHAR NOT NULL,
    login     VARCHAR,
    email     VARCHAR,
    name      VARCHAR
);

-- A person may be affiliated to several entities, and to one entity for several reasons.
CREATE TABLE person_affiliations (
    person_id INTEGER NOT NULL,
    entity_id VARCHAR NOT NULL,
    source    VARCHAR NOT NULL,  -- member | email_domain | alias
    PRIMARY KEY (person_id, entity_id, source)
);

-- Login (case-insensitive) on one host -> person. Unique by construction: the same
-- login on the same host always belongs to one person.
CREATE VIEW person_logins AS
SELECT forge, host, lower(trim(login)) AS login_key, min(person_id) AS person_id
FROM person_identities
WHERE nullif(trim(login), '') IS NOT NULL
GROUP BY forge, host, lower(trim(login));

-- Each commit's author person. person_id is NULL when the commit names no author;
-- is_bot is then false, so `WHERE NOT is_bot` keeps unknown authors in counts.
CREATE VIEW commit_authors AS
SELECT c.forge, c.host, c.repo_path, c.sha, pi.person_id, coalesce(p.is_bot, false) AS is_bot
FROM commits c
LEFT JOIN person_identities pi
       ON pi.forge = c.forge AND pi.host = c.host
      AND pi.login IS NOT DISTINCT FROM c.author_login
      AND pi.email IS NOT DISTINCT FROM c.author_email
      AND pi.name IS NOT DISTINCT FROM c.author_name
LEFT JOIN persons p ON p.person_id = pi.person_id;

-- Each issue's / change request's author person, by login on the same host.
CREATE VIEW item_authors AS
SELECT i.forge, i.host, i.repo_path, i.kind, i.number, l.person_id, coalesce(p.is_bot, false) AS is_bot
FROM items i
LEFT JOIN person_logins l
       ON l.forge = i.forge AND l.host = i.host AND l.login_key = lower(trim(i.author_login))
LEFT JOIN persons p ON p.person_id = l.person_id;

-- Each comment's author person, by login on the same host.
CREATE VIEW comment_authors AS
SELECT c.forge, c.host, c.repo_path, c.kind, c.comment_id, c.item_kind, c.item_number,
       l.person_id, coalesce(p.is_bot, false) AS is_bot
FROM comments c
LEFT JOIN person_logins l
       ON l.forge = c.forge AND l.host = c.host AND l.login_key = lower(trim(c.author_login))
LEFT JOIN persons p ON p.person_id = l.person_id;
