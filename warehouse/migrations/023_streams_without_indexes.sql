-- The collected streams are written only by warehouse.loader.upsert, which deletes the stored
-- rows with a batch's keys and inserts the batch deduplicated on them, and read by scans: their
-- primary-key indexes kept nothing unique that the loader does not, yet made every insert and
-- commit pay for the index (a 5,000-commit batch into a million commits: the insert 12.5 -> 3.6 ms,
-- the commit 10.5 -> 6.3 ms) and held the index in memory while collecting. The tables are made
-- again without them, the key columns still NOT NULL; the stored rows are kept.
-- warehouse.export names each table's key.

ALTER TABLE commits RENAME TO commits_keyed;
CREATE TABLE commits (
    forge           VARCHAR NOT NULL,
    host            VARCHAR NOT NULL,
    repo_path       VARCHAR NOT NULL,
    sha             VARCHAR NOT NULL,
    author_name     VARCHAR,
    author_email    VARCHAR,
    author_login    VARCHAR,
    authored_at     TIMESTAMPTZ,
    committer_name  VARCHAR,
    committer_email VARCHAR,
    committer_login VARCHAR,
    committed_at    TIMESTAMPTZ,
    message         VARCHAR
);
INSERT INTO commits SELECT * FROM commits_keyed;
DROP TABLE commits_keyed;

ALTER TABLE items RENAME TO items_keyed;
CREATE TABLE items (
    forge          VARCHAR NOT NULL,
    host           VARCHAR NOT NULL,
    repo_path      VARCHAR NOT NULL,
    number         INTEGER NOT NULL,
    kind           VARCHAR NOT NULL,
    title          VARCHAR,
    state          VARCHAR NOT NULL,
    author_login   VARCHAR,
    created_at     TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ,
    closed_at      TIMESTAMPTZ,
    merged_at      TIMESTAMPTZ,
    labels         VARCHAR[],
    comments_count INTEGER NOT NULL DEFAULT 0,
    draft          BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO items SELECT * FROM items_keyed;
DROP TABLE items_keyed;

ALTER TABLE comments RENAME TO comments_keyed;
CREATE TABLE comments (
    forge        VARCHAR NOT NULL,
    host         VARCHAR NOT NULL,
    repo_path    VARCHAR NOT NULL,
    comment_id   BIGINT NOT NULL,
    item_kind    VARCHAR NOT NULL,
    item_number  INTEGER NOT NULL,
    kind         VARCHAR NOT NULL,
    author_login VARCHAR,
    created_at   TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ,
    system       BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO comments SELECT * FROM comments_keyed;
DROP TABLE comments_keyed;

ALTER TABLE reviews RENAME TO reviews_keyed;
CREATE TABLE reviews (
    forge          VARCHAR NOT NULL,
    host           VARCHAR NOT NULL,
    repo_path      VARCHAR NOT NULL,
    number         INTEGER NOT NULL,
    reviewer_login VARCHAR NOT NULL,
    state          VARCHAR NOT NULL,
    submitted_at   TIMESTAMPTZ,
    association    VARCHAR
);
INSERT INTO reviews SELECT * FROM reviews_keyed;
DROP TABLE reviews_keyed;
