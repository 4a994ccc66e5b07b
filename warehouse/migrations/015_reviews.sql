-- Reviews of change requests (collectors/reviews.py, docs/collection.md): GitHub's submitted pull
-- request reviews, GitLab's merge request approvals (state APPROVED). One row per change request,
-- reviewer and state, at the reviewer's first review in that state. A change request whose reviews
-- were read and held none has one row with state 'NONE' and reviewer_login ''; one without any row
-- has its reviews unknown (not read yet, or the forge refused them).
CREATE TABLE reviews (
    forge          VARCHAR NOT NULL,
    host           VARCHAR NOT NULL,
    repo_path      VARCHAR NOT NULL,
    number         INTEGER NOT NULL,      -- the change request's number (GitLab: iid)
    reviewer_login VARCHAR NOT NULL,      -- '' for the NONE row and for a reviewer whose account is gone
    state          VARCHAR NOT NULL,      -- APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | NONE
    submitted_at   TIMESTAMPTZ,           -- unknown on a GitLab that does not send approved_at
    association    VARCHAR,               -- GitHub's author_association of the reviewer
    PRIMARY KEY (forge, host, repo_path, number, reviewer_login, state)
);
