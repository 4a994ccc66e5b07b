"""The identities seen, counted per repository (``identity_seen``, migration 022), and their sum.

An identity is one distinct (forge, host, login, email, name) seen as a commit author or
committer, an item or comment author (login only), or an organisation or group member (login and
name). Members are counted from their own small table at every read; the rest is kept per
repository so that a run refreshes the rows of the repositories it changed alone.
"""

from __future__ import annotations

import duckdb

# At least one of login, e-mail and name, blanks aside.
_SOME = "coalesce(nullif(trim(login), ''), nullif(trim(email), ''), nullif(trim(name), '')) IS NOT NULL"

# The rows of {source} (a table of forge, host, repo_path; or no filter when empty).
_PER_REPO_SQL = """
INSERT INTO identity_seen (forge, host, repo_path, login, email, name, n)
WITH raw AS (
    SELECT forge, host, repo_path, author_login AS login, author_email AS email, author_name AS name
    FROM commits c {join}
    UNION ALL
    SELECT forge, host, repo_path, committer_login, committer_email, committer_name FROM commits c {join}
    UNION ALL
    SELECT forge, host, repo_path, author_login, NULL, NULL FROM items c {join}
    UNION ALL
    SELECT forge, host, repo_path, author_login, NULL, NULL FROM comments c {join}
)
SELECT forge, host, repo_path, login, email, name, count(*) AS n
FROM raw
WHERE """ + _SOME + """
GROUP BY forge, host, repo_path, login, email, name
"""

_SEMI_JOIN = "SEMI JOIN {source} x ON x.forge = c.forge AND x.host = c.host AND x.repo_path = c.repo_path"

# The order the persons' ids and the union-find rely on.
ORDER = "forge, host, login NULLS FIRST, email NULLS FIRST, name NULLS FIRST"

# Every identity of the warehouse, counted, in ORDER; {where} filters the summed rows.
_TOTALS_SQL = """
WITH seen AS (
    SELECT forge, host, login, email, name, n FROM identity_seen
    UNION ALL
    SELECT forge, host, login, NULL, name, 1 FROM members WHERE """ + _SOME.replace("email", "NULL") + """
)
SELECT forge, host, login, email, name, sum(n)::BIGINT AS n
FROM seen s {where}
GROUP BY forge, host, login, email, name
ORDER BY """ + ORDER


def refill(con: duckdb.DuckDBPyConnection) -> None:
    """Count every repository's identities again."""
    con.execute("DELETE FROM identity_seen")
    con.execute(_PER_REPO_SQL.format(join=""))


def refresh(con: duckdb.DuckDBPyConnection, repos: str) -> None:
    """Count again the identities of the repositories in the table ``repos`` (forge, host, repo_path)."""
    con.execute(f"DELETE FROM identity_seen c WHERE EXISTS (SELECT 1 FROM {repos} x WHERE x.forge = c.forge "
                "AND x.host = c.host AND x.repo_path = c.repo_path)")
    con.execute(_PER_REPO_SQL.format(join=_SEMI_JOIN.format(source=repos)))


def same_identity(a: str, b: str) -> str:
    """SQL: the rows aliased ``a`` and ``b`` name the same identity (login, e-mail or name may be NULL)."""
    return (f"{a}.forge = {b}.forge AND {a}.host = {b}.host AND {a}.login IS NOT DISTINCT FROM {b}.login"
            f" AND {a}.email IS NOT DISTINCT FROM {b}.email AND {a}.name IS NOT DISTINCT FROM {b}.name")


def totals_sql(identities: str | None = None) -> str:
    """The query of every identity with its count, or of those in the table ``identities``
    (forge, host, login, email, name), in the persons' order."""
    where = "" if identities is None else f"SEMI JOIN {identities} t ON {same_identity('t', 's')}"
    return _TOTALS_SQL.format(where=where)
