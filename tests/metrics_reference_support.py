"""The raw tables of a collected warehouse, read for the reference tests of the metrics
(tests/test_metrics_reference_*.py) with nothing but plain joins, and the small helpers they share.

The references are computed in pandas from these frames by the definitions of docs/metrics.md,
never from the warehouse's facts, views or query functions: what is here is only who is who (a
commit's author by the exact identity, an item's or comment's author by login on the same host,
ignoring case) and which groups a repository belongs to.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from warehouse import metrics

# The key columns of each level as the metric functions name them.
KEYS = {"repo": ["forge", "host", "path"], "entity": ["entity_id"], "archetype": ["archetype"],
        "country": ["country"], "ecosystem": ["scope"]}
LEVELS = tuple(KEYS)
WINDOWS = (30, 90, 365)
EARLIER = (0, 45, 200)  # days before the collection's moment


def moments(con) -> list[tuple[int, object, object]]:
    """(days earlier, the moment, the ``now`` to pass): the collection's moment passed as None and
    as itself, then earlier moments (computed live)."""
    as_of = metrics.as_of(con)
    assert as_of is not None, "the demo warehouse's results are fresh"
    out = [(0, as_of, None)]
    out += [(earlier, as_of - timedelta(days=earlier), as_of - timedelta(days=earlier)) for earlier in EARLIER]
    return out


def repos(con) -> pd.DataFrame:
    """Every repository with the groups it belongs to (level keys as columns)."""
    return con.execute("""
        SELECT r.forge, r.host, r.path, r.entity_id, e.archetype, e.country, 'ecosystem' AS scope,
               r.archived, r.is_fork, r.fork_parent, r.forks_count, r.created_at, r.pushed_at
        FROM repos r JOIN entities e ON e.entity_id = r.entity_id
    """).df()


def _login_persons(con) -> pd.DataFrame:
    # A login on one host is one person (the identities are built so); ignoring case and spaces.
    people = con.execute("""
        SELECT pi.forge, pi.host, lower(trim(pi.login)) AS login_key, pi.person_id, p.is_bot
        FROM person_identities pi JOIN persons p USING (person_id)
        WHERE nullif(trim(pi.login), '') IS NOT NULL
    """).df()
    return people.sort_values("person_id").drop_duplicates(["forge", "host", "login_key"])


def _by_login(df: pd.DataFrame, people: pd.DataFrame, prefix: str) -> pd.DataFrame:
    keyed = df.assign(login_key=df["author_login"].str.strip().str.lower())
    out = keyed.merge(people.rename(columns={"person_id": f"{prefix}person_id", "is_bot": f"{prefix}is_bot"}),
                      how="left", on=["forge", "host", "login_key"])
    assert len(out) == len(df)
    out[f"{prefix}is_bot"] = out[f"{prefix}is_bot"].astype("boolean").fillna(False).astype(bool)
    return out


def with_groups(df: pd.DataFrame, repo_frame: pd.DataFrame) -> pd.DataFrame:
    """``df`` (forge, host, repo_path) with its repository's group columns."""
    groups = repo_frame[["forge", "host", "path", "entity_id", "archetype", "country", "scope"]]
    out = df.merge(groups.rename(columns={"path": "repo_path"}), on=["forge", "host", "repo_path"])
    return out.assign(path=out["repo_path"])


def commits(con, repo_frame: pd.DataFrame) -> pd.DataFrame:
    """Every commit with its repository's groups, its author's person (by the exact identity:
    login, e-mail and name as the forge gave them), bot flag and e-mail domain."""
    raw = con.execute("""
        SELECT forge, host, repo_path, sha, committed_at, author_login, author_email, author_name
        FROM commits
    """).df()
    people = con.execute("""
        SELECT pi.forge, pi.host, pi.login AS author_login, pi.email AS author_email,
               pi.name AS author_name, pi.person_id, p.is_bot
        FROM person_identities pi JOIN persons p USING (person_id)
    """).df()
    on = ["forge", "host", "author_login", "author_email", "author_name"]
    merged = raw.merge(people, how="left", on=on)  # pandas matches missing values with each other
    assert len(merged) == len(raw)
    merged["is_bot"] = merged["is_bot"].astype("boolean").fillna(False).astype(bool)
    email = merged["author_email"].fillna("").str.strip().str.lower()
    domain = email.str.extract(r"@([^@]+)$")[0]
    merged["email_domain"] = domain.where(domain.notna() & (domain != ""), None)
    return with_groups(merged, repo_frame)


def comments(con) -> pd.DataFrame:
    """Every comment, review comment and note with its author's person and bot flag."""
    raw = con.execute("""
        SELECT forge, host, repo_path, comment_id, item_kind, item_number, kind, author_login,
               created_at, system
        FROM comments
    """).df()
    return _by_login(raw, _login_persons(con), "")


def items(con, repo_frame: pd.DataFrame, comment_frame: pd.DataFrame) -> pd.DataFrame:
    """Every issue and change request with its groups, author person and bot flag, when it was
    resolved (merged: merged_at; closed: closed_at; open: never, whatever an old closed_at says)
    and its first response (the earliest comment, review comment or note that is no system note,
    not by a bot and not by the author: the same person when both are known, else the same login
    ignoring case; a comment and an item both without a login are no response)."""
    raw = con.execute("""
        SELECT forge, host, repo_path, kind, number, state, author_login, created_at, closed_at, merged_at
        FROM items
    """).df()
    out = _by_login(raw, _login_persons(con), "author_")
    out["resolved_at"] = out["merged_at"].where(out["state"] == "merged",
                                                out["closed_at"].where(out["state"] == "closed"))
    c = comment_frame[~comment_frame["system"] & ~comment_frame["is_bot"]]
    pairs = c.merge(out[["forge", "host", "repo_path", "kind", "number", "author_login", "author_person_id"]]
                    .rename(columns={"kind": "item_kind", "number": "item_number", "author_login": "item_login"}),
                    on=["forge", "host", "repo_path", "item_kind", "item_number"])
    both_known = pairs["person_id"].notna() & pairs["author_person_id"].notna()
    same_login = (pairs["author_login"].str.strip().str.lower().fillna("\0none")
                  == pairs["item_login"].str.strip().str.lower().fillna("\0none"))
    other = np.where(both_known, pairs["person_id"] != pairs["author_person_id"], ~same_login)
    first = (pairs[other].groupby(["forge", "host", "repo_path", "item_kind", "item_number"])["created_at"].min()
             .rename("first_response_at").reset_index()
             .rename(columns={"item_kind": "kind", "item_number": "number"}))
    out = out.merge(first, how="left", on=["forge", "host", "repo_path", "kind", "number"])
    return with_groups(out, repo_frame)


def releases(con, repo_frame: pd.DataFrame) -> pd.DataFrame:
    raw = con.execute("SELECT forge, host, repo_path, tag, published_at, prerelease FROM releases").df()
    return with_groups(raw, repo_frame)


def all_groups(repo_frame: pd.DataFrame, level: str) -> pd.Index:
    """Every group of the level (every group in scope is listed, also those without data)."""
    keys = KEYS[level]
    rows = repo_frame[keys].drop_duplicates()
    return pd.MultiIndex.from_frame(rows) if len(keys) > 1 else pd.Index(rows[keys[0]], name=keys[0])


def per_group(values: pd.DataFrame | pd.Series, repo_frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """``values`` (indexed by the level's keys) reindexed to every group, sorted."""
    index = all_groups(repo_frame, level)
    return values.reindex(index).sort_index()


def engine_frame(df: pd.DataFrame, level: str, columns: list[str], extra_keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """An engine answer indexed like the references (level keys, then ``extra_keys``), sorted."""
    return df.set_index(KEYS[level] + list(extra_keys))[columns].sort_index()


def assert_same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    pd.testing.assert_frame_equal(got, want[got.columns.tolist()] if set(got.columns) == set(want.columns) else want,
                                  check_names=False, check_dtype=False, check_index_type=False,
                                  check_exact=False, rtol=1e-9, atol=1e-9, obj=what)



# Filtered scopes (docs/metrics.md, "filters"), by name: some keep or drop whole groups of the
# level, others (forge or repository filters) change a group's value; both kinds are compared.
FILTERS = ("entity, forge github", "entity, country DE", "archetype, archetype local",
           "ecosystem, forge gitlab", "repo, entity neustadt", "country, entity digitalagency",
           "entity, one repository")


def filtered_scope(name: str, repo_frame: pd.DataFrame) -> metrics.Scope:
    if name == "entity, one repository":
        # A busy repository of an entity with several, so that the filter changes the entity's value.
        row = repo_frame[repo_frame["entity_id"] == "kommuneforbund"].sort_values(
            ["pushed_at", "path"], ascending=False).iloc[0]
        return metrics.Scope("entity", repo=(row["forge"], row["host"], row["path"]))
    level, rest = name.split(", ")
    field, value = rest.split(" ")
    field = {"entity": "entity_id"}.get(field, field)
    return metrics.Scope(level, **{field: value})


def in_scope(repo_frame: pd.DataFrame, scope: metrics.Scope) -> pd.DataFrame:
    """The repositories the scope's filters keep (combined with AND)."""
    keep = pd.Series(True, index=repo_frame.index)
    for name in ("entity_id", "archetype", "country", "forge"):
        value = getattr(scope, name)
        if value is not None:
            keep &= repo_frame[name] == value
    if scope.repo is not None:
        keep &= pd.Series(list(zip(repo_frame["forge"], repo_frame["host"], repo_frame["path"])),
                          index=repo_frame.index).map(lambda key: key == scope.repo)
    assert keep.any(), scope
    return repo_frame[keep]


def restrict(df: pd.DataFrame, repo_subset: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``df`` (forge, host, repo_path) that belong to ``repo_subset``."""
    keys = set(zip(repo_subset["forge"], repo_subset["host"], repo_subset["path"]))
    return df[[key in keys for key in zip(df["forge"], df["host"], df["repo_path"])]]


def filtered_moments(con) -> list[tuple[int, object, object]]:
    """The collection's moment (now=None) and one earlier moment."""
    all_moments = moments(con)
    return [all_moments[0], all_moments[2]]
