-- Every stream the metrics need, beyond repositories and commits.

-- Issues and pull/merge requests as one kind-tagged stream.
CREATE TABLE items (
    forge          VARCHAR NOT NULL,
    host           VARCHAR NOT NULL,
    repo_path      VARCHAR NOT NULL,
    number         INTEGER NOT NULL,      -- GitHub number / GitLab iid (issues and MRs are numbered apart on GitLab)
    kind           VARCHAR NOT NULL,      -- issue | change_request
    title          VARCHAR,
    state          VARCHAR NOT NULL,      -- open | closed | merged
    author_login   VARCHAR,
    created_at     TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ,
    closed_at      TIMESTAMPTZ,
    merged_at      TIMESTAMPTZ,
    labels         VARCHAR[],
    comments_count INTEGER NOT NULL DEFAULT 0,
    draft          BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (forge, host, repo_path, kind, number)
);

-- Comments, review comments and notes: enough for time to first response.
CREATE TABLE comments (
    forge        VARCHAR NOT NULL,
    host         VARCHAR NOT NULL,
    repo_path    VARCHAR NOT NULL,
    comment_id   BIGINT NOT NULL,
    item_kind    VARCHAR NOT NULL,        -- issue | change_request
    item_number  INTEGER NOT NULL,
    kind         VARCHAR NOT NULL,        -- comment | review_comment | note
    author_login VARCHAR,
    created_at   TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ,
    system       BOOLEAN NOT NULL DEFAULT false,  -- GitLab system notes ("changed the title") are no response
    PRIMARY KEY (forge, host, repo_path, kind, comment_id)
);

CREATE TABLE releases (
    forge        VARCHAR NOT NULL,
    host         VARCHAR NOT NULL,
    repo_path    VARCHAR NOT NULL,
    tag          VARCHAR NOT NULL,
    name         VARCHAR,
    published_at TIMESTAMPTZ,
    prerelease   BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (forge, host, repo_path, tag)
);

CREATE TABLE forks (
    forge       VARCHAR NOT NULL,
    host        VARCHAR NOT NULL,
    repo_path   VARCHAR NOT NULL,         -- the repository forked
    fork_path   VARCHAR NOT NULL,
    fork_owner  VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ,
    pushed_at   TIMESTAMPTZ,
    PRIMARY KEY (forge, host, repo_path, fork_path)
);

-- Presence of the files that make a repository usable by others, from one root listing.
CREATE TABLE root_files (
    forge              VARCHAR NOT NULL,
    host               VARCHAR NOT NULL,
    repo_path          VARCHAR NOT NULL,
    has_readme         BOOLEAN NOT NULL,
    has_license        BOOLEAN NOT NULL,
    has_contributing   BOOLEAN NOT NULL,
    has_code_of_conduct BOOLEAN NOT NULL,
    has_security       BOOLEAN NOT NULL,
    has_publiccode     BOOLEAN NOT NULL,
    publiccode_sha     VARCHAR,           -- blob id of publiccode.yml, so an unchanged file is not fetched again
    files              VARCHAR[],
    PRIMARY KEY (forge, host, repo_path)
);

-- publiccode.yml as parsed; an invalid file is kept with its errors.
CREATE TABLE publiccode (
    forge               VARCHAR NOT NULL,
    host                VARCHAR NOT NULL,
    repo_path           VARCHAR NOT NULL,
    blob_sha            VARCHAR,
    valid               BOOLEAN NOT NULL,
    errors              VARCHAR[],
    version             VARCHAR,          -- publiccodeYmlVersion
    name                VARCHAR,
    url                 VARCHAR,
    landing_url         VARCHAR,
    development_status  VARCHAR,
    software_type       VARCHAR,
    license             VARCHAR,
    main_copyright_owner VARCHAR,
    used_by             VARCHAR[],
    is_based_on         VARCHAR[],
    maintenance_type    VARCHAR,
    maintenance_until   DATE,             -- latest contractor 'until' date
    contractors         VARCHAR,          -- JSON list of {name, until, website}
    contacts            VARCHAR,          -- JSON list of {name, email, affiliation}
    platforms           VARCHAR[],
    categories          VARCHAR[],
    it_section          VARCHAR,          -- JSON of the Italian extension, if any
    raw                 VARCHAR,          -- JSON of the whole parsed document
    PRIMARY KEY (forge, host, repo_path)
);

-- Public members of organisations and groups, for affiliation.
CREATE TABLE members (
    forge         VARCHAR NOT NULL,
    host          VARCHAR NOT NULL,
    account_owner VARCHAR NOT NULL,
    login         VARCHAR NOT NULL,
    name          VARCHAR,
    PRIMARY KEY (forge, host, account_owner, login)
);
