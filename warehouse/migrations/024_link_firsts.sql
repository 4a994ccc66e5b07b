-- Each reuse or collaboration link's first pieces of evidence (warehouse.reuse.link_pieces), written
-- by warehouse.reuse.refresh_reuse with the stored edges and read while reuse_fresh holds: a
-- summary of every link reads these few rows per link instead of evaluating the evidence views
-- (every person pair of an ecosystem). Read by scans, written by one writer: no index.
CREATE TABLE link_firsts (
    kind          VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    target        VARCHAR NOT NULL,
    project_forge VARCHAR,
    project_path  VARCHAR,
    forge         VARCHAR,
    path          VARCHAR,
    person        VARCHAR,
    commits       BIGINT,
    other_commits BIGINT,
    text          VARCHAR,
    method        VARCHAR,
    pieces        BIGINT NOT NULL,   -- the link's pieces in all
    rank          INTEGER NOT NULL   -- 1 for the link's first piece
);

-- A warehouse upgraded with fresh stored edges would keep reading them and find no first pieces:
-- the next collection's settle refreshes the reuse tables whole when their state is gone.
DELETE FROM reuse_state;
