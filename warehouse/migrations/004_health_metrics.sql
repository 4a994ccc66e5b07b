-- Health metrics (CHAOSS), lifecycle and hygiene: the facts every metric is computed from.
--
-- The objects below take no parameters: they resolve people, bots, responses, licences and forks
-- once, in SQL. Windows, `now`, thresholds and the level of aggregation (repository, entity,
-- archetype, country, ecosystem) are applied by the query functions in warehouse/metrics.py, which
-- bind them as parameters. Definitions, formulas and caveats: docs/metrics.md.
--
-- Conventions: times are TIMESTAMPTZ; months are UTC calendar months as naive TIMESTAMPs (the
-- first instant of the month), whatever the session time zone. People come from migration 003
-- (persons, person_identities, person_logins); they are only as good as the last
-- warehouse.identities.rebuild_identities run.
--
-- Materialised facts. Resolving every commit's author (a five-column join of every commit with
-- person_identities) and every item's and comment's author takes seconds at the design scale
-- (5M commits), so the three fact sets are defined as views (*_live) and materialised as tables
-- of the same columns (commit_facts, item_facts, activity_events), sorted by entity and
-- repository so that a query for one entity or repository reads only its row groups.
-- warehouse.metrics.refresh_metric_facts(con) refills the tables and records the row counts it
-- saw in metric_facts_state; it belongs right after rebuild_identities in every collection. The
-- query functions read the tables when metric_facts_state matches the current row counts, and
-- the live views otherwise (correct, only slower).

-- The SPDX License List: every licence identifier with its isOsiApproved and
-- isDeprecatedLicenseId flags. Data from warehouse/data/osi_licenses.json (source and licence
-- noted there); tests/test_metrics.py checks that the two agree.
CREATE TABLE spdx_licenses (
    spdx_id      VARCHAR PRIMARY KEY,
    osi_approved BOOLEAN NOT NULL,
    deprecated   BOOLEAN NOT NULL
);

-- A UTC calendar month, as a naive TIMESTAMP, independent of the session time zone.
CREATE MACRO utc_month(ts) AS date_trunc('month', ts AT TIME ZONE 'UTC');

-- Seconds between two TIMESTAMPTZ values as a DOUBLE (b - a), never negative; NULL if either is.
-- (Not greatest(..., 0): DuckDB's greatest skips NULLs.)
CREATE MACRO seconds_between(a, b) AS
    CASE WHEN epoch(b) - epoch(a) < 0 THEN 0.0 ELSE epoch(b) - epoch(a) END;

-- Mail domains that say nothing about an employer: free-mail providers and forge no-reply
-- addresses. Commits from these count for the person alone in the Elephant Factor.
CREATE MACRO personal_mail_domain(d) AS
    d IS NULL OR NOT contains(d, '.') OR contains(d, 'noreply') OR contains(d, 'no-reply')
    OR d = 'localhost' OR ends_with(d, '.local') OR ends_with(d, '.localdomain')
    OR d IN (
        'gmail.com', 'googlemail.com', 'outlook.com', 'outlook.de', 'hotmail.com', 'hotmail.de',
        'live.com', 'live.de', 'msn.com', 'yahoo.com', 'yahoo.de', 'yahoo.fr', 'yahoo.it',
        'icloud.com', 'me.com', 'mac.com', 'aol.com', 'gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch',
        'gmx.com', 'web.de', 'freenet.de', 't-online.de', 'arcor.de', 'online.de', 'posteo.de',
        'posteo.net', 'mailbox.org', 'protonmail.com', 'protonmail.ch', 'proton.me', 'pm.me',
        'tutanota.com', 'tutanota.de', 'tuta.io', 'fastmail.com', 'fastmail.fm', 'hey.com',
        'zoho.com', 'yandex.ru', 'yandex.com', 'mail.ru', 'qq.com', '163.com', 'libero.it',
        'virgilio.it', 'alice.it', 'tiscali.it', 'orange.fr', 'free.fr', 'laposte.net',
        'wanadoo.fr', 'sfr.fr', 'hotmail.fr', 'hotmail.it', 'seznam.cz', 'wp.pl', 'o2.pl',
        'onet.pl', 'interia.pl', 'telenet.be', 'skynet.be', 'ziggo.nl', 'kpnmail.nl',
        'xs4all.nl', 'bluewin.ch', 'email.com', 'mail.com', 'users.sourceforge.net'
    );

-- Every commit with its repository's entity, its author person (NULL when the commit names no
-- author), whether that person is a bot, and the author's e-mail domain. One row per commit.
CREATE VIEW commit_facts_live AS
SELECT r.entity_id, c.forge, c.host, c.repo_path, c.sha, c.committed_at,
       utc_month(c.committed_at) AS month,
       pi.person_id,
       -- Without a rebuilt identity, a [bot] login or name still marks a bot.
       coalesce(p.is_bot, ends_with(lower(coalesce(c.author_login, c.author_name, '')), '[bot]')) AS is_bot,
       nullif(regexp_extract(lower(trim(c.author_email)), '@([^@]+)$', 1), '') AS email_domain
FROM commits AS c
JOIN repos AS r ON r.forge = c.forge AND r.host = c.host AND r.path = c.repo_path
LEFT JOIN person_identities AS pi
       ON pi.forge = c.forge AND pi.host = c.host
      AND pi.login IS NOT DISTINCT FROM c.author_login
      AND pi.email IS NOT DISTINCT FROM c.author_email
      AND pi.name IS NOT DISTINCT FROM c.author_name
LEFT JOIN persons AS p ON p.person_id = pi.person_id;

-- Every issue and change request with its author, when it was resolved, and its first response.
--   resolved_at: merged -> merged_at (else closed_at); closed -> closed_at; open -> NULL. A
--     reopened item is open: a closed_at left over from before the reopening is ignored.
--   first_response_at: the earliest comment, review comment or note that is not a GitLab system
--     note, not by a bot and not by the item's author (the same person, when both are resolved;
--     else the same login, case-insensitively). A comment by an unknown author on an item by an
--     unknown author is no response.
CREATE VIEW item_facts_live AS
WITH authored AS (
    SELECT r.entity_id, i.forge, i.host, i.repo_path, i.kind, i.number, i.state, i.draft, i.created_at,
           i.closed_at, i.merged_at, i.author_login,
           l.person_id AS author_person_id,
           coalesce(p.is_bot, ends_with(lower(coalesce(i.author_login, '')), '[bot]')) AS author_is_bot
    FROM items AS i
    JOIN repos AS r ON r.forge = i.forge AND r.host = i.host AND r.path = i.repo_path
    LEFT JOIN person_logins AS l
           ON l.forge = i.forge AND l.host = i.host AND l.login_key = lower(trim(i.author_login))
    LEFT JOIN persons AS p ON p.person_id = l.person_id
),
responses AS (
    SELECT a.forge, a.host, a.repo_path, a.kind, a.number,
           min(c.created_at) AS first_response_at, count(*) AS responses
    FROM authored AS a
    JOIN comments AS c
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

-- Every dated event in a repository, with whether a bot caused it (NULL: actor unknown).
--   commit (committed_at, author), item_opened (created_at, author), item_closed (resolved_at,
--   actor unknown), comment (created_at, author; GitLab system notes included: they record
--   closing, labelling, ... by their author), release (published_at; no actor, counted as human).
CREATE VIEW activity_events_live AS
SELECT r.entity_id, e.forge, e.host, e.repo_path, e.event_at, e.event, e.is_bot, e.person_id
FROM (
    SELECT forge, host, repo_path, committed_at AS event_at, 'commit' AS event, is_bot, person_id
    FROM commit_facts_live WHERE committed_at IS NOT NULL
    UNION ALL
    SELECT i.forge, i.host, i.repo_path, i.created_at, 'item_opened',
           coalesce(p.is_bot, ends_with(lower(coalesce(i.author_login, '')), '[bot]')), l.person_id
    FROM items AS i
    LEFT JOIN person_logins AS l
           ON l.forge = i.forge AND l.host = i.host AND l.login_key = lower(trim(i.author_login))
    LEFT JOIN persons AS p ON p.person_id = l.person_id
    WHERE i.created_at IS NOT NULL
    UNION ALL
    SELECT forge, host, repo_path,
           CASE state WHEN 'merged' THEN coalesce(merged_at, closed_at) ELSE closed_at END,
           'item_closed', NULL::BOOLEAN, NULL::INTEGER
    FROM items
    WHERE state IN ('closed', 'merged') AND coalesce(merged_at, closed_at) IS NOT NULL
    UNION ALL
    SELECT c.forge, c.host, c.repo_path, c.created_at, 'comment',
           coalesce(p.is_bot, ends_with(lower(coalesce(c.author_login, '')), '[bot]')), l.person_id
    FROM comments AS c
    LEFT JOIN person_logins AS l
           ON l.forge = c.forge AND l.host = c.host AND l.login_key = lower(trim(c.author_login))
    LEFT JOIN persons AS p ON p.person_id = l.person_id
    WHERE c.created_at IS NOT NULL
    UNION ALL
    SELECT forge, host, repo_path, published_at, 'release', false, NULL::INTEGER
    FROM releases WHERE published_at IS NOT NULL
) AS e
JOIN repos AS r ON r.forge = e.forge AND r.host = e.host AND r.path = e.repo_path;

-- The materialised fact sets (see the header): same columns as the *_live views.
CREATE TABLE commit_facts (
    entity_id    VARCHAR NOT NULL,
    forge        VARCHAR NOT NULL,
    host         VARCHAR NOT NULL,
    repo_path    VARCHAR NOT NULL,
    sha          VARCHAR NOT NULL,
    committed_at TIMESTAMPTZ,
    month        TIMESTAMP,
    person_id    INTEGER,
    is_bot       BOOLEAN,
    email_domain VARCHAR
);

CREATE TABLE item_facts (
    entity_id         VARCHAR NOT NULL,
    forge             VARCHAR NOT NULL,
    host              VARCHAR NOT NULL,
    repo_path         VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,
    number            INTEGER NOT NULL,
    state             VARCHAR NOT NULL,
    draft             BOOLEAN,
    created_at        TIMESTAMPTZ,
    resolved_at       TIMESTAMPTZ,
    author_login      VARCHAR,
    author_person_id  INTEGER,
    author_is_bot     BOOLEAN,
    first_response_at TIMESTAMPTZ,
    responses         BIGINT
);

CREATE TABLE activity_events (
    entity_id VARCHAR NOT NULL,
    forge     VARCHAR NOT NULL,
    host      VARCHAR NOT NULL,
    repo_path VARCHAR NOT NULL,
    event_at  TIMESTAMPTZ,
    event     VARCHAR NOT NULL,
    is_bot    BOOLEAN,
    person_id INTEGER
);

-- What the last refresh_metric_facts saw: the row counts of the tables the facts come from.
CREATE TABLE metric_facts_state (
    refreshed_at      TIMESTAMPTZ NOT NULL,
    repos             BIGINT NOT NULL,
    commits           BIGINT NOT NULL,
    items             BIGINT NOT NULL,
    comments          BIGINT NOT NULL,
    releases          BIGINT NOT NULL,
    persons           BIGINT NOT NULL,
    person_identities BIGINT NOT NULL
);

-- Commits per repository, UTC month and author person: the aggregate a monthly chart needs, and
-- the next candidate for materialisation (it shrinks the commits by the commits per person and month).
CREATE VIEW commit_months AS
SELECT entity_id, forge, host, repo_path, month, person_id, is_bot,
       count(*) AS commits, min(committed_at) AS first_at, max(committed_at) AS last_at
FROM commit_facts  -- the materialised table
GROUP BY ALL;

-- The licence each repository is judged by: the forge's SPDX id when it names one, else the
-- publiccode.yml legal.license expression, else whatever the forge said (NOASSERTION, other).
CREATE VIEW repo_licences AS
SELECT r.forge, r.host, r.path AS repo_path,
       CASE WHEN nullif(trim(r.license_spdx), '') IS NOT NULL
                 AND upper(trim(r.license_spdx)) NOT IN ('NOASSERTION', 'OTHER', 'NONE')
            THEN trim(r.license_spdx)
            WHEN nullif(trim(pc.license), '') IS NOT NULL THEN trim(pc.license)
            ELSE nullif(trim(r.license_spdx), '') END AS licence,
       CASE WHEN nullif(trim(r.license_spdx), '') IS NOT NULL
                 AND upper(trim(r.license_spdx)) NOT IN ('NOASSERTION', 'OTHER', 'NONE')
            THEN 'forge'
            WHEN nullif(trim(pc.license), '') IS NOT NULL THEN 'publiccode'
            WHEN nullif(trim(r.license_spdx), '') IS NOT NULL THEN 'forge' END AS licence_source
FROM repos AS r
LEFT JOIN publiccode AS pc ON pc.forge = r.forge AND pc.host = r.host AND pc.repo_path = r.path;

-- Each distinct licence (an SPDX expression) judged against the SPDX License List.
--   osi_approved: the expression evaluates to true when each identifier is replaced by its
--     isOsiApproved flag (AND binds tighter than OR; "WITH exception" keeps the licence's flag;
--     "id+" is looked up as itself, then without the +; unknown identifiers are false).
--   recognised: every identifier is on the SPDX License List.
--   licence_status: none | osi_approved | not_osi_approved | unrecognised.
CREATE VIEW licence_evaluation AS
WITH RECURSIVE exprs AS (
    SELECT DISTINCT licence FROM repo_licences
    WHERE licence IS NOT NULL AND upper(licence) <> 'NONE'
),
split AS (
    SELECT licence,
           string_split_regex(trim(regexp_replace(
               regexp_replace(licence, '\s+(WITH|with)\s+[^\s()]+', '', 'g'),
               '([()])', ' \1 ', 'g')), '\s+') AS toks
    FROM exprs
),
tokens AS (
    SELECT licence, unnest(toks) AS tok, generate_subscripts(toks, 1) AS pos FROM split
),
mapped AS (
    SELECT t.licence, t.pos,
           CASE WHEN upper(t.tok) IN ('AND', 'OR') THEN upper(t.tok)
                WHEN t.tok IN ('(', ')') THEN t.tok
                WHEN coalesce(s1.osi_approved, s2.osi_approved, false) THEN 'T'
                ELSE 'F' END AS sym,
           upper(t.tok) IN ('AND', 'OR') OR t.tok IN ('(', ')')
               OR s1.spdx_id IS NOT NULL OR s2.spdx_id IS NOT NULL AS known
    FROM tokens AS t
    LEFT JOIN spdx_licenses AS s1 ON lower(s1.spdx_id) = lower(t.tok)
    LEFT JOIN spdx_licenses AS s2 ON lower(s2.spdx_id) = lower(regexp_replace(t.tok, '\+$', ''))
    WHERE t.tok <> ''
),
symbolic AS (
    SELECT licence, string_agg(sym, ' ' ORDER BY pos) AS expr, bool_and(known) AS recognised
    FROM mapped GROUP BY licence
),
-- Rewrite T/F expressions to a single T or F: collapse "( X )", reduce "X AND Y" anywhere
-- (AND binds tightest), reduce "X OR Y" only between OR, parentheses or the ends.
reduced(licence, expr, done, depth) AS (
    SELECT licence, expr, expr IN ('T', 'F'), 0 FROM symbolic
    UNION ALL
    SELECT licence, nxt, nxt IN ('T', 'F') OR nxt = expr, depth + 1
    FROM (
        SELECT licence, expr, depth,
               regexp_replace(regexp_replace(
                   regexp_replace(regexp_replace(
                       regexp_replace(expr, '\(\s*([TF])\s*\)', '\1', 'g'),
                       'T AND T', 'T', 'g'), '[TF] AND [TF]', 'F', 'g'),
                   '(^|\( |OR )F OR F( OR| \)|$)', '\1F\2', 'g'),
               '(^|\( |OR )[TF] OR [TF]( OR| \)|$)', '\1T\2', 'g') AS nxt
        FROM reduced
        WHERE NOT done AND depth < 100
    )
),
final AS (
    SELECT licence, arg_max(expr, depth) AS expr FROM reduced GROUP BY licence
)
SELECT s.licence, s.recognised, f.expr = 'T' AS osi_approved,
       CASE WHEN f.expr = 'T' THEN 'osi_approved'
            WHEN s.recognised AND f.expr = 'F' THEN 'not_osi_approved'
            ELSE 'unrecognised' END AS licence_status
FROM symbolic AS s JOIN final AS f USING (licence);

-- Hygiene facts per repository (no judgement of dates: contract expiry needs `now`).
CREATE VIEW repo_hygiene AS
SELECT r.forge, r.host, r.path AS repo_path,
       l.licence, l.licence_source,
       CASE WHEN l.licence IS NULL OR upper(l.licence) = 'NONE' THEN 'none'
            ELSE coalesce(le.licence_status, 'unrecognised') END AS licence_status,
       coalesce(le.osi_approved, false) AS osi_licence,
       rf.repo_path IS NOT NULL AS root_files_collected,
       rf.has_readme, rf.has_license, rf.has_contributing, rf.has_code_of_conduct, rf.has_security,
       coalesce(rf.has_publiccode, false) OR pc.repo_path IS NOT NULL AS has_publiccode,
       pc.valid AS publiccode_valid,
       pc.maintenance_type, pc.maintenance_until
FROM repos AS r
LEFT JOIN repo_licences AS l ON l.forge = r.forge AND l.host = r.host AND l.repo_path = r.path
LEFT JOIN licence_evaluation AS le ON le.licence = l.licence
LEFT JOIN root_files AS rf ON rf.forge = r.forge AND rf.host = r.host AND rf.repo_path = r.path
LEFT JOIN publiccode AS pc ON pc.forge = r.forge AND pc.host = r.host AND pc.repo_path = r.path;

-- Technical forks of collected repositories: the forks listing, plus collected repositories
-- that name a collected parent. A fork that is itself collected, with commits collected, is
--   contributing      when it has at least one commit whose sha is not among the parent's,
--   non_contributing  when all its commits are among the parent's;
-- any other fork is unknown. (CHAOSS calls a fork contributing when it opened a change request
-- upstream; the forges' item data do not say which fork a change request came from.)
CREATE VIEW technical_forks AS
WITH listed AS (
    SELECT f.forge, f.host, p.path AS parent_path, f.fork_path, f.fork_owner, f.created_at
    FROM forks AS f
    JOIN repos AS p ON p.forge = f.forge AND p.host = f.host AND p.path = f.repo_path
    UNION ALL
    SELECT r.forge, r.host, p.path, r.path, r.account_owner, r.created_at
    FROM repos AS r
    JOIN repos AS p ON p.forge = r.forge AND p.host = r.host AND lower(p.path) = lower(r.fork_parent)
    WHERE r.is_fork
),
pairs AS (
    SELECT forge, host, parent_path, lower(fork_path) AS fork_key,
           min(fork_path) AS fork_path, min(fork_owner) AS fork_owner, min(created_at) AS created_at
    FROM listed GROUP BY forge, host, parent_path, lower(fork_path)
),
collected AS (
    SELECT pr.*, fr.path AS collected_path, fr.entity_id AS fork_entity_id
    FROM pairs AS pr
    LEFT JOIN repos AS fr ON fr.forge = pr.forge AND fr.host = pr.host AND lower(fr.path) = pr.fork_key
),
own AS (
    SELECT c.forge, c.host, c.parent_path, c.fork_key,
           count(*) AS fork_commits,
           count(*) FILTER (WHERE pc.sha IS NULL) AS commits_not_in_parent
    FROM collected AS c
    JOIN commits AS fc ON fc.forge = c.forge AND fc.host = c.host AND fc.repo_path = c.collected_path
    LEFT JOIN commits AS pc
           ON pc.forge = c.forge AND pc.host = c.host AND pc.repo_path = c.parent_path AND pc.sha = fc.sha
    GROUP BY ALL
)
SELECT c.forge, c.host, c.parent_path, c.fork_path, c.fork_owner, c.created_at,
       c.collected_path IS NOT NULL AS collected, c.fork_entity_id,
       coalesce(o.fork_commits, 0) AS fork_commits,
       coalesce(o.commits_not_in_parent, 0) AS commits_not_in_parent,
       CASE WHEN c.collected_path IS NULL OR coalesce(o.fork_commits, 0) = 0 THEN 'unknown'
            WHEN o.commits_not_in_parent > 0 THEN 'contributing'
            ELSE 'non_contributing' END AS fork_status
FROM collected AS c
LEFT JOIN own AS o
       ON o.forge = c.forge AND o.host = c.host AND o.parent_path = c.parent_path AND o.fork_key = c.fork_key;

-- SPDX License List data (generated from warehouse/data/osi_licenses.json; see the note there).
INSERT INTO spdx_licenses (spdx_id, osi_approved, deprecated) VALUES
('0BSD', true, false),
('3D-Slicer-1.0', false, false),
('AAL', true, false),
('Abstyles', false, false),
('AdaCore-doc', false, false),
('Adobe-2006', false, false),
('Adobe-Display-PostScript', false, false),
('Adobe-Glyph', false, false),
('Adobe-Utopia', false, false),
('ADSL', false, false),
('Advanced-Cryptics-Dictionary', false, false),
('AFL-1.1', true, false),
('AFL-1.2', true, false),
('AFL-2.0', true, false),
('AFL-2.1', true, false),
('AFL-3.0', true, false),
('Afmparse', false, false),
('AGPL-1.0', false, true),
('AGPL-1.0-only', false, false),
('AGPL-1.0-or-later', false, false),
('AGPL-3.0', true, true),
('AGPL-3.0-only', true, false),
('AGPL-3.0-or-later', true, false),
('Aladdin', false, false),
('ALGLIB-Documentation', true, false),
('AMD-newlib', false, false),
('AMDPLPA', false, false),
('AML', false, false),
('AML-glslang', false, false),
('AMPAS', false, false),
('ANTLR-PD', false, false),
('ANTLR-PD-fallback', false, false),
('any-OSI', false, false),
('any-OSI-perl-modules', false, false),
('Apache-1.0', false, false),
('Apache-1.1', true, false),
('Apache-2.0', true, false),
('APAFML', false, false),
('APL-1.0', true, false),
('App-s2p', false, false),
('APSL-1.0', true, false),
('APSL-1.1', true, false),
('APSL-1.2', true, false),
('APSL-2.0', true, false),
('Arphic-1999', false, false),
('Artistic-1.0', true, false),
('Artistic-1.0-cl8', true, false),
('Artistic-1.0-Perl', true, false),
('Artistic-2.0', true, false),
('Artistic-dist', false, false),
('Aspell-RU', false, false),
('ASWF-Digital-Assets-1.0', false, false),
('ASWF-Digital-Assets-1.1', false, false),
('atc-game', false, false),
('Baekmuk', false, false),
('Bahyph', false, false),
('Barr', false, false),
('bcrypt-Solar-Designer', false, false),
('Beerware', false, false),
('Bitstream-Charter', false, false),
('Bitstream-Vera', false, false),
('BitTorrent-1.0', false, false),
('BitTorrent-1.1', false, false),
('blessing', false, false),
('BlueOak-1.0.0', true, false),
('Boehm-GC', false, false),
('Boehm-GC-without-fee', false, false),
('BOLA-1.1', false, false),
('Borceux', false, false),
('Brian-Gladman-2-Clause', false, false),
('Brian-Gladman-3-Clause', false, false),
('Brian-Gladman-3-Clause-no-conversion', false, false),
('BSD-1-Clause', true, false),
('BSD-2-Clause', true, false),
('BSD-2-Clause-Darwin', false, false),
('BSD-2-Clause-first-lines', false, false),
('BSD-2-Clause-FreeBSD', false, true),
('BSD-2-Clause-NetBSD', false, true),
('BSD-2-Clause-Patent', true, false),
('BSD-2-Clause-pkgconf-disclaimer', false, false),
('BSD-2-Clause-pos-unchanged', false, false),
('BSD-2-Clause-Views', false, false),
('BSD-3-Clause', true, false),
('BSD-3-Clause-acpica', false, false),
('BSD-3-Clause-Attribution', false, false),
('BSD-3-Clause-Clear', false, false),
('BSD-3-Clause-flex', false, false),
('BSD-3-Clause-HP', false, false),
('BSD-3-Clause-LBNL', true, false),
('BSD-3-Clause-Modification', false, false),
('BSD-3-Clause-No-Military-License', false, false),
('BSD-3-Clause-No-Nuclear-License', false, false),
('BSD-3-Clause-No-Nuclear-License-2014', false, false),
('BSD-3-Clause-No-Nuclear-Warranty', false, false),
('BSD-3-Clause-Open-MPI', true, false),
('BSD-3-Clause-OpenWebUI', false, false),
('BSD-3-Clause-Sun', false, false),
('BSD-3-Clause-Tso', false, false),
('BSD-4-Clause', false, false),
('BSD-4-Clause-Shortened', false, false),
('BSD-4-Clause-UC', false, false),
('BSD-4.3RENO', false, false),
('BSD-4.3TAHOE', false, false),
('BSD-Advertising-Acknowledgement', false, false),
('BSD-ask-to-endorse', true, false),
('BSD-Attribution-HPND-disclaimer', false, false),
('BSD-Inferno-Nettverk', false, false),
('BSD-Mark-Modifications', false, false),
('BSD-Protection', false, false),
('BSD-Source-alt-GPL', false, false),
('BSD-Source-beginning-file', false, false),
('BSD-Source-Code', false, false),
('BSD-Source-Code-no-disclaimer', false, false),
('BSD-Systemics', false, false),
('BSD-Systemics-W3Works', false, false),
('BSL-1.0', true, false),
('Buddy', false, false),
('Bugroff', false, false),
('BUSL-1.1', false, false),
('bzip2-1.0.5', false, true),
('bzip2-1.0.6', false, false),
('C-UDA-1.0', false, false),
('CAL-1.0', true, false),
('CAL-1.0-Combined-Work-Exception', true, false),
('Caldera', false, false),
('Caldera-no-preamble', false, false),
('CAPEC-tou', false, false),
('Catharon', false, false),
('CATOSL-1.1', true, false),
('CC-BY-1.0', false, false),
('CC-BY-2.0', false, false),
('CC-BY-2.5', false, false),
('CC-BY-2.5-AU', false, false),
('CC-BY-3.0', false, false),
('CC-BY-3.0-AT', false, false),
('CC-BY-3.0-AU', false, false),
('CC-BY-3.0-DE', false, false),
('CC-BY-3.0-IGO', false, false),
('CC-BY-3.0-NL', false, false),
('CC-BY-3.0-US', false, false),
('CC-BY-4.0', false, false),
('CC-BY-NC-1.0', false, false),
('CC-BY-NC-2.0', false, false),
('CC-BY-NC-2.5', false, false),
('CC-BY-NC-3.0', false, false),
('CC-BY-NC-3.0-DE', false, false),
('CC-BY-NC-3.0-IGO', false, false),
('CC-BY-NC-4.0', false, false),
('CC-BY-NC-ND-1.0', false, false),
('CC-BY-NC-ND-2.0', false, false),
('CC-BY-NC-ND-2.5', false, false),
('CC-BY-NC-ND-3.0', false, false),
('CC-BY-NC-ND-3.0-DE', false, false),
('CC-BY-NC-ND-3.0-IGO', false, false),
('CC-BY-NC-ND-4.0', false, false),
('CC-BY-NC-SA-1.0', false, false),
('CC-BY-NC-SA-2.0', false, false),
('CC-BY-NC-SA-2.0-DE', false, false),
('CC-BY-NC-SA-2.0-FR', false, false),
('CC-BY-NC-SA-2.0-UK', false, false),
('CC-BY-NC-SA-2.5', false, false),
('CC-BY-NC-SA-3.0', false, false),
('CC-BY-NC-SA-3.0-DE', false, false),
('CC-BY-NC-SA-3.0-IGO', false, false),
('CC-BY-NC-SA-4.0', false, false),
('CC-BY-ND-1.0', false, false),
('CC-BY-ND-2.0', false, false),
('CC-BY-ND-2.5', false, false),
('CC-BY-ND-3.0', false, false),
('CC-BY-ND-3.0-DE', false, false),
('CC-BY-ND-4.0', false, false),
('CC-BY-SA-1.0', false, false),
('CC-BY-SA-2.0', false, false),
('CC-BY-SA-2.0-UK', false, false),
('CC-BY-SA-2.1-JP', false, false),
('CC-BY-SA-2.5', false, false),
('CC-BY-SA-3.0', false, false),
('CC-BY-SA-3.0-AT', false, false),
('CC-BY-SA-3.0-DE', false, false),
('CC-BY-SA-3.0-IGO', false, false),
('CC-BY-SA-4.0', false, false),
('CC-PDDC', false, false),
('CC-PDM-1.0', false, false),
('CC-SA-1.0', false, false),
('CC0-1.0', false, false),
('CDDL-1.0', true, false),
('CDDL-1.1', true, false),
('CDL-1.0', false, false),
('CDLA-Permissive-1.0', false, false),
('CDLA-Permissive-2.0', false, false),
('CDLA-Sharing-1.0', false, false),
('CECILL-1.0', false, false),
('CECILL-1.1', false, false),
('CECILL-2.0', false, false),
('CECILL-2.1', true, false),
('CECILL-B', false, false),
('CECILL-C', false, false),
('CERN-OHL-1.1', false, false),
('CERN-OHL-1.2', false, false),
('CERN-OHL-P-2.0', true, false),
('CERN-OHL-S-2.0', true, false),
('CERN-OHL-W-2.0', true, false),
('CFITSIO', false, false),
('check-cvs', false, false),
('checkmk', false, false),
('ClArtistic', false, false),
('Clips', false, false),
('CMU-Mach', false, false),
('CMU-Mach-nodoc', false, false),
('CNRI-Jython', false, false),
('CNRI-Python', true, false),
('CNRI-Python-GPL-Compatible', true, false),
('COIL-1.0', false, false),
('Community-Spec-1.0', false, false),
('Condor-1.1', false, false),
('copyleft-next-0.3.0', false, false),
('copyleft-next-0.3.1', false, false),
('Cornell-Lossless-JPEG', false, false),
('CPAL-1.0', true, false),
('CPL-1.0', true, false),
('CPOL-1.02', false, false),
('Cronyx', false, false),
('Crossword', false, false),
('CryptoSwift', false, false),
('CrystalStacker', false, false),
('CUA-OPL-1.0', true, false),
('Cube', false, false),
('curl', true, false),
('cve-tou', false, false),
('D-FSL-1.0', false, false),
('DEC-3-Clause', false, false),
('diffmark', false, false),
('DL-DE-BY-2.0', false, false),
('DL-DE-ZERO-2.0', false, false),
('DOC', false, false),
('DocBook-DTD', false, false),
('DocBook-Schema', false, false),
('DocBook-Stylesheet', false, false),
('DocBook-XML', false, false),
('Dotseqn', false, false),
('DRL-1.0', false, false),
('DRL-1.1', false, false),
('DSDP', false, false),
('dtoa', false, false),
('dvipdfm', false, false),
('ECL-1.0', true, false),
('ECL-2.0', true, false),
('eCos-2.0', false, true),
('EFL-1.0', true, false),
('EFL-2.0', true, false),
('eGenix', false, false),
('Elastic-2.0', false, false),
('Entessa', true, false),
('EPICS', false, false),
('EPL-1.0', true, false),
('EPL-2.0', true, false),
('ErlPL-1.1', false, false),
('ESA-PL-permissive-2.4', false, false),
('ESA-PL-strong-copyleft-2.4', false, false),
('ESA-PL-weak-copyleft-2.4', false, false),
('etalab-2.0', false, false),
('EUDatagrid', true, false),
('EUPL-1.0', false, false),
('EUPL-1.1', true, false),
('EUPL-1.2', true, false),
('Eurosym', false, false),
('Fair', true, false),
('FBM', false, false),
('FDK-AAC', false, false),
('FDK-MPEG-H', false, false),
('Ferguson-Twofish', false, false),
('Frameworx-1.0', true, false),
('FreeBSD-DOC', false, false),
('FreeImage', false, false),
('FSFAP', false, false),
('FSFAP-no-warranty-disclaimer', false, false),
('FSFUL', false, false),
('FSFULLR', false, false),
('FSFULLRSD', false, false),
('FSFULLRWD', false, false),
('FSL-1.1-ALv2', false, false),
('FSL-1.1-MIT', false, false),
('FTL', false, false),
('Furuseth', false, false),
('fwlw', false, false),
('Game-Programming-Gems', false, false),
('GCR-docs', false, false),
('GD', false, false),
('generic-xts', false, false),
('GFDL-1.1', false, true),
('GFDL-1.1-invariants-only', false, false),
('GFDL-1.1-invariants-or-later', false, false),
('GFDL-1.1-no-invariants-only', false, false),
('GFDL-1.1-no-invariants-or-later', false, false),
('GFDL-1.1-only', false, false),
('GFDL-1.1-or-later', false, false),
('GFDL-1.2', false, true),
('GFDL-1.2-invariants-only', false, false),
('GFDL-1.2-invariants-or-later', false, false),
('GFDL-1.2-no-invariants-only', false, false),
('GFDL-1.2-no-invariants-or-later', false, false),
('GFDL-1.2-only', false, false),
('GFDL-1.2-or-later', false, false),
('GFDL-1.3', false, true),
('GFDL-1.3-invariants-only', false, false),
('GFDL-1.3-invariants-or-later', false, false),
('GFDL-1.3-no-invariants-only', false, false),
('GFDL-1.3-no-invariants-or-later', false, false),
('GFDL-1.3-only', false, false),
('GFDL-1.3-or-later', false, false),
('Giftware', false, false),
('GL2PS', false, false),
('Glide', false, false),
('Glulxe', false, false),
('GLWTPL', false, false),
('gnuplot', false, false),
('GPL-1.0', false, true),
('GPL-1.0+', false, true),
('GPL-1.0-only', false, false),
('GPL-1.0-or-later', false, false),
('GPL-2.0', true, true),
('GPL-2.0+', true, true),
('GPL-2.0-only', true, false),
('GPL-2.0-or-later', true, false),
('GPL-2.0-with-autoconf-exception', false, true),
('GPL-2.0-with-bison-exception', false, true),
('GPL-2.0-with-classpath-exception', false, true),
('GPL-2.0-with-font-exception', false, true),
('GPL-2.0-with-GCC-exception', false, true),
('GPL-3.0', true, true),
('GPL-3.0+', true, true),
('GPL-3.0-only', true, false),
('GPL-3.0-or-later', true, false),
('GPL-3.0-with-autoconf-exception', false, true),
('GPL-3.0-with-GCC-exception', true, true),
('Graphics-Gems', false, false),
('gSOAP-1.3b', false, false),
('gtkbook', false, false),
('Gutmann', false, false),
('HaskellReport', false, false),
('HDF5', false, false),
('hdparm', false, false),
('HIDAPI', false, false),
('Hippocratic-2.1', false, false),
('Hippocratic-3.0-core', false, false),
('HP-1986', false, false),
('HP-1989', false, false),
('HPND', true, false),
('HPND-DEC', false, false),
('HPND-doc', false, false),
('HPND-doc-sell', false, false),
('HPND-export-US', false, false),
('HPND-export-US-acknowledgement', false, false),
('HPND-export-US-modify', false, false),
('HPND-export2-US', false, false),
('HPND-Fenneberg-Livingston', false, false),
('HPND-INRIA-IMAG', false, false),
('HPND-Intel', false, false),
('HPND-Kevlin-Henney', false, false),
('HPND-Markus-Kuhn', false, false),
('HPND-merchantability-variant', false, false),
('HPND-MIT-disclaimer', false, false),
('HPND-Netrek', false, false),
('HPND-Pbmplus', false, false),
('HPND-sell-MIT-disclaimer-xserver', false, false),
('HPND-sell-regexpr', false, false),
('HPND-sell-variant', false, false),
('HPND-sell-variant-critical-systems', false, false),
('HPND-sell-variant-MIT-disclaimer', false, false),
('HPND-sell-variant-MIT-disclaimer-rev', false, false),
('HPND-SMC', false, false),
('HPND-UC', false, false),
('HPND-UC-export-US', false, false),
('HTMLTIDY', false, false),
('hyphen-bulgarian', false, false),
('IBM-pibs', false, false),
('ICU', true, false),
('IEC-Code-Components-EULA', false, false),
('IJG', false, false),
('IJG-short', false, false),
('ImageMagick', false, false),
('iMatix', false, false),
('Imlib2', false, false),
('Info-ZIP', false, false),
('Informatica', false, false),
('Inner-Net-2.0', false, false),
('InnoSetup', false, false),
('Intel', true, false),
('Intel-ACPI', false, false),
('Interbase-1.0', false, false),
('IPA', true, false),
('IPL-1.0', true, false),
('ISC', true, false),
('ISC-Veillard', false, false),
('ISO-permission', false, false),
('Jam', true, false),
('JasPer-2.0', false, false),
('jove', false, false),
('JPL-image', false, false),
('JPNIC', false, false),
('JSON', false, false),
('Kastrup', false, false),
('Kazlib', false, false),
('Knuth-CTAN', false, false),
('LAL-1.2', false, false),
('LAL-1.3', false, false),
('Latex2e', false, false),
('Latex2e-translated-notice', false, false),
('Leptonica', false, false),
('LGPL-2.0', true, true),
('LGPL-2.0+', true, true),
('LGPL-2.0-only', true, false),
('LGPL-2.0-or-later', true, false),
('LGPL-2.1', true, true),
('LGPL-2.1+', true, true),
('LGPL-2.1-only', true, false),
('LGPL-2.1-or-later', true, false),
('LGPL-3.0', true, true),
('LGPL-3.0+', true, true),
('LGPL-3.0-only', true, false),
('LGPL-3.0-or-later', true, false),
('LGPLLR', false, false),
('Libpng', false, false),
('libpng-1.6.35', false, false),
('libpng-2.0', false, false),
('libselinux-1.0', false, false),
('libtiff', false, false),
('libutil-David-Nugent', false, false),
('LiLiQ-P-1.1', true, false),
('LiLiQ-R-1.1', true, false),
('LiLiQ-Rplus-1.1', true, false),
('Linux-man-pages-1-para', false, false),
('Linux-man-pages-copyleft', false, false),
('Linux-man-pages-copyleft-2-para', false, false),
('Linux-man-pages-copyleft-var', false, false),
('Linux-OpenIB', false, false),
('LOOP', false, false),
('LPD-document', false, false),
('LPL-1.0', true, false),
('LPL-1.02', true, false),
('LPPL-1.0', false, false),
('LPPL-1.1', false, false),
('LPPL-1.2', false, false),
('LPPL-1.3a', false, false),
('LPPL-1.3c', true, false),
('lsof', false, false),
('Lucida-Bitmap-Fonts', false, false),
('LZMA-SDK-9.11-to-9.20', false, false),
('LZMA-SDK-9.22', false, false),
('Mackerras-3-Clause', false, false),
('Mackerras-3-Clause-acknowledgment', false, false),
('magaz', false, false),
('mailprio', false, false),
('MakeIndex', false, false),
('man2html', false, false),
('Martin-Birgmeier', false, false),
('McPhee-slideshow', false, false),
('metamail', false, false),
('Minpack', false, false),
('MIPS', false, false),
('MirOS', true, false),
('MIT', true, false),
('MIT-0', true, false),
('MIT-advertising', false, false),
('MIT-Click', false, false),
('MIT-CMU', false, false),
('MIT-enna', false, false),
('MIT-feh', false, false),
('MIT-Festival', false, false),
('MIT-Khronos-old', false, false),
('MIT-Modern-Variant', true, false),
('MIT-open-group', false, false),
('MIT-STK', false, false),
('MIT-testregex', false, false),
('MIT-Wu', false, false),
('MITNFA', false, false),
('MMIXware', false, false),
('MMPL-1.0.1', false, false),
('Motosoto', true, false),
('MPEG-SSG', false, false),
('mpi-permissive', false, false),
('mpich2', false, false),
('MPL-1.0', true, false),
('MPL-1.1', true, false),
('MPL-2.0', true, false),
('MPL-2.0-no-copyleft-exception', true, false),
('mplus', false, false),
('MS-LPL', false, false),
('MS-PL', true, false),
('MS-RL', true, false),
('MTLL', false, false),
('MulanPSL-1.0', false, false),
('MulanPSL-2.0', true, false),
('Multics', true, false),
('Mup', false, false),
('MVT-1.1', false, false),
('NAIST-2003', false, false),
('NASA-1.3', true, false),
('Naumen', true, false),
('NBPL-1.0', false, false),
('NCBI-PD', false, false),
('NCGL-UK-2.0', false, false),
('NCL', false, false),
('NCSA', true, false),
('Net-SNMP', false, true),
('NetCDF', false, false),
('Newsletr', false, false),
('NGPL', true, false),
('ngrep', false, false),
('NICTA-1.0', false, false),
('NIST-PD', false, false),
('NIST-PD-fallback', false, false),
('NIST-PD-TNT', false, false),
('NIST-Software', false, false),
('NLOD-1.0', false, false),
('NLOD-2.0', false, false),
('NLPL', false, false),
('Nokia', true, false),
('NOSL', false, false),
('Noweb', false, false),
('NPL-1.0', false, false),
('NPL-1.1', false, false),
('NPOSL-3.0', true, false),
('NRL', false, false),
('NTIA-PD', false, false),
('NTP', true, false),
('NTP-0', false, false),
('Nunit', false, true),
('O-UDA-1.0', false, false),
('OAR', false, false),
('OCCT-PL', false, false),
('OCLC-2.0', true, false),
('ODbL-1.0', false, false),
('ODC-By-1.0', false, false),
('OFFIS', false, false),
('OFL-1.0', false, false),
('OFL-1.0-no-RFN', false, false),
('OFL-1.0-RFN', false, false),
('OFL-1.1', true, false),
('OFL-1.1-no-RFN', true, false),
('OFL-1.1-RFN', true, false),
('OGC-1.0', false, false),
('OGDL-Taiwan-1.0', false, false),
('OGL-Canada-2.0', false, false),
('OGL-UK-1.0', false, false),
('OGL-UK-2.0', false, false),
('OGL-UK-3.0', false, false),
('OGTSL', true, false),
('OLDAP-1.1', false, false),
('OLDAP-1.2', false, false),
('OLDAP-1.3', false, false),
('OLDAP-1.4', false, false),
('OLDAP-2.0', false, false),
('OLDAP-2.0.1', false, false),
('OLDAP-2.1', false, false),
('OLDAP-2.2', false, false),
('OLDAP-2.2.1', false, false),
('OLDAP-2.2.2', false, false),
('OLDAP-2.3', false, false),
('OLDAP-2.4', false, false),
('OLDAP-2.5', false, false),
('OLDAP-2.6', false, false),
('OLDAP-2.7', false, false),
('OLDAP-2.8', true, false),
('OLFL-1.3', true, false),
('OML', false, false),
('OpenMDW-1.0', false, false),
('OpenPBS-2.3', false, false),
('OpenSSL', false, false),
('OpenSSL-standalone', false, false),
('OpenVision', false, false),
('OPL-1.0', false, false),
('OPL-UK-3.0', false, false),
('OPUBL-1.0', false, false),
('OSC-1.0', true, false),
('OSET-PL-2.1', true, false),
('OSL-1.0', true, false),
('OSL-1.1', false, false),
('OSL-2.0', true, false),
('OSL-2.1', true, false),
('OSL-3.0', true, false),
('OSSP', false, false),
('PADL', false, false),
('ParaType-Free-Font-1.3', false, false),
('Parity-6.0.0', false, false),
('Parity-7.0.0', false, false),
('PDDL-1.0', false, false),
('PHP-3.0', true, false),
('PHP-3.01', true, false),
('Pixar', false, false),
('pkgconf', false, false),
('Plexus', false, false),
('pnmstitch', false, false),
('PolyForm-Noncommercial-1.0.0', false, false),
('PolyForm-Small-Business-1.0.0', false, false),
('PostgreSQL', true, false),
('PPL', false, false),
('PSF-2.0', false, false),
('psfrag', false, false),
('psutils', false, false),
('Python-2.0', true, false),
('Python-2.0.1', true, false),
('python-ldap', false, false),
('Qhull', false, false),
('QPL-1.0', true, false),
('QPL-1.0-INRIA-2004', false, false),
('radvd', false, false),
('Rdisc', false, false),
('RHeCos-1.1', false, false),
('RPL-1.1', true, false),
('RPL-1.5', true, false),
('RPSL-1.0', true, false),
('RSA-MD', false, false),
('RSCPL', true, false),
('Ruby', false, false),
('Ruby-pty', false, false),
('SAX-PD', false, false),
('SAX-PD-2.0', false, false),
('Saxpath', false, false),
('SCEA', false, false),
('SchemeReport', false, false),
('Sendmail', false, false),
('Sendmail-8.23', false, false),
('Sendmail-Open-Source-1.1', false, false),
('SGI-B-1.0', false, false),
('SGI-B-1.1', false, false),
('SGI-B-2.0', false, false),
('SGI-OpenGL', false, false),
('SGMLUG-PM', false, false),
('SGP4', false, false),
('SHL-0.5', false, false),
('SHL-0.51', false, false),
('SimPL-2.0', true, false),
('SISSL', true, false),
('SISSL-1.2', false, false),
('SL', false, false),
('Sleepycat', true, false),
('SMAIL-GPL', false, false),
('SMLNJ', false, false),
('SMPPL', false, false),
('SNIA', false, false),
('snprintf', false, false),
('SOFA', false, false),
('softSurfer', false, false),
('Soundex', false, false),
('Spencer-86', false, false),
('Spencer-94', false, false),
('Spencer-99', false, false),
('SPL-1.0', true, false),
('ssh-keyscan', false, false),
('SSH-OpenSSH', false, false),
('SSH-short', false, false),
('SSLeay-standalone', false, false),
('SSPL-1.0', false, false),
('StandardML-NJ', false, true),
('SugarCRM-1.1.3', false, false),
('SUL-1.0', false, false),
('Sun-PPP', false, false),
('Sun-PPP-2000', false, false),
('SunPro', false, false),
('SWL', false, false),
('swrule', false, false),
('Symlinks', false, false),
('TAPR-OHL-1.0', false, false),
('TCL', false, false),
('TCP-wrappers', false, false),
('TekHVC', false, false),
('TermReadKey', false, false),
('TGPPL-1.0', false, false),
('ThirdEye', false, false),
('threeparttable', false, false),
('TMate', false, false),
('TORQUE-1.1', false, false),
('TOSL', false, false),
('TPDL', false, false),
('TPL-1.0', false, false),
('TrustedQSL', false, false),
('TTWL', false, false),
('TTYP0', false, false),
('TU-Berlin-1.0', false, false),
('TU-Berlin-2.0', false, false),
('Ubuntu-font-1.0', false, false),
('UCAR', false, false),
('UCL-1.0', true, false),
('ulem', false, false),
('UMich-Merit', false, false),
('Unicode-3.0', true, false),
('Unicode-DFS-2015', false, false),
('Unicode-DFS-2016', true, false),
('Unicode-TOU', false, false),
('UnixCrypt', false, false),
('Unlicense', true, false),
('Unlicense-libtelnet', false, false),
('Unlicense-libwhirlpool', false, false),
('UnRAR', false, false),
('UPL-1.0', true, false),
('URT-RLE', false, false),
('Vim', false, false),
('Vixie-Cron', false, false),
('VOSTROM', false, false),
('VSL-1.0', true, false),
('W3C', true, false),
('W3C-19980720', false, false),
('W3C-20150513', true, false),
('w3m', false, false),
('Watcom-1.0', true, false),
('Widget-Workshop', false, false),
('WordNet', true, false),
('Wsuipa', false, false),
('WTFNMFPL', false, false),
('WTFPL', false, false),
('wwl', false, false),
('wxWindows', true, true),
('X11', false, false),
('X11-distribute-modifications-variant', false, false),
('X11-no-permit-persons', false, false),
('X11-swapped', false, false),
('Xdebug-1.03', false, false),
('Xerox', false, false),
('Xfig', false, false),
('XFree86-1.1', false, false),
('xinetd', false, false),
('xkeyboard-config-Zinoviev', false, false),
('xlock', false, false),
('Xnet', true, false),
('xpp', false, false),
('XSkat', false, false),
('xzoom', false, false),
('YPL-1.0', false, false),
('YPL-1.1', false, false),
('Zed', false, false),
('Zeeff', false, false),
('Zend-2.0', false, false),
('Zimbra-1.3', false, false),
('Zimbra-1.4', false, false),
('Zlib', true, false),
('zlib-acknowledgement', false, false),
('ZPL-1.1', false, false),
('ZPL-2.0', true, false),
('ZPL-2.1', true, false);
