"""Issues and change requests nobody has answered, as a maintainer acts on them: each with its
title, author, age and address on the forge, grouped by repository.

Which items count is the attention list's rule (``warehouse.metrics.attention_list``: open,
opened by a person at least 14 days before the moment of the figures, no response by anyone else,
bots and system notes left out, archived repositories excluded); this module adds what the list
leaves out (the title and author, from ``items``) and orders the items for the attention page.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from warehouse.metrics import Scope, attention_list

UNANSWERED_REASONS = ("unanswered_issue", "unanswered_change_request")
COLUMNS = ("entity_id", "forge", "host", "path", "html_url", "item_kind", "item_number", "title", "author_login",
           "item_url", "opened_at", "days", "repo_items", "repo_oldest_days")

# The attention list's keys joined to the items table by bound lists (zipped by unnest), so that
# no value of a finding is ever part of the SQL text.
_TITLES_SQL = """
    WITH wanted AS (
        SELECT unnest($forges) AS forge, unnest($hosts) AS host, unnest($paths) AS repo_path,
               unnest($kinds) AS kind, unnest($numbers) AS number
    )
    SELECT i.forge, i.host, i.repo_path AS path, i.kind AS item_kind, i.number AS item_number,
           i.title, i.author_login
    FROM items AS i JOIN wanted AS w USING (forge, host, repo_path, kind, number)
"""


def unanswered_items(con: duckdb.DuckDBPyConnection, scope: Scope = Scope(), *,
                     now: datetime | None = None) -> pd.DataFrame:
    """Every unanswered issue and change request in ``scope`` (its repository-level filters), one
    row each, grouped by repository: the repository whose oldest item has waited longest first,
    then its items oldest first.

    Columns: entity_id, forge, host, path, html_url, item_kind (issue | change_request),
    item_number, title, author_login, item_url (the item on the forge), opened_at, days (its age
    at the moment of the figures), repo_items and repo_oldest_days (of its repository).
    """
    findings = attention_list(con, scope.at("repo"), now=now)
    rows = findings[findings["reason"].isin(UNANSWERED_REASONS)]
    rows = rows[["entity_id", "forge", "host", "path", "html_url", "item_kind", "item_number", "item_url", "since",
                 "days"]].rename(columns={"since": "opened_at"})
    if rows.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
        return empty.astype({"item_number": "Int64", "days": "float64", "repo_items": "int64",
                             "repo_oldest_days": "float64"})
    numbers = rows["item_number"].astype("int64")
    titles = con.sql(_TITLES_SQL, params={
        "forges": list(rows["forge"]), "hosts": list(rows["host"]), "paths": list(rows["path"]),
        "kinds": list(rows["item_kind"]), "numbers": [int(n) for n in numbers],
    }).to_df()
    titles["item_number"] = titles["item_number"].astype("Int64")
    out = rows.merge(titles, on=["forge", "host", "path", "item_kind", "item_number"], how="left")
    per_repo = out.groupby(["forge", "host", "path"])["days"]
    out["repo_items"] = per_repo.transform("size").astype("int64")
    out["repo_oldest_days"] = per_repo.transform("max")
    out = out.sort_values(["repo_oldest_days", "forge", "host", "path", "days", "item_number"],
                          ascending=[False, True, True, True, False, True], kind="stable")
    return out[list(COLUMNS)].reset_index(drop=True)


__all__ = ["COLUMNS", "UNANSWERED_REASONS", "unanswered_items"]
