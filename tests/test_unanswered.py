"""warehouse/unanswered.py on the collected simulator warehouse: every unanswered issue and change
request with its own title, author, age and address, grouped by repository, against plain SQL over
the raw tables."""

from __future__ import annotations

import duckdb
import pytest

from warehouse import metrics
from warehouse.metrics import Scope
from warehouse.unanswered import COLUMNS, unanswered_items

# The rule, on the raw tables only: open, by a person, at least 14 days old at the moment of the
# figures, in a repository that is not archived, and no comment by anyone else (no bot, no note).
RAW_SQL = """
    SELECT r.entity_id, i.forge, i.host, i.repo_path, i.kind, i.number, i.title, i.author_login,
           date_diff('second', i.created_at, $now::TIMESTAMPTZ) / 86400.0 AS days
    FROM items AS i
    JOIN repos AS r ON r.forge = i.forge AND r.host = i.host AND r.path = i.repo_path
    WHERE NOT r.archived AND i.state = 'open'
      AND NOT ends_with(lower(coalesce(i.author_login, '')), '[bot]')
      AND i.created_at <= $now::TIMESTAMPTZ - INTERVAL 14 DAY
      AND NOT EXISTS (
          SELECT 1 FROM comments AS c
          WHERE c.forge = i.forge AND c.host = i.host AND c.repo_path = i.repo_path
            AND c.item_kind = i.kind AND c.item_number = i.number AND NOT c.system
            AND NOT ends_with(lower(coalesce(c.author_login, '')), '[bot]')
            AND lower(coalesce(c.author_login, '')) <> lower(coalesce(i.author_login, '')))
"""


@pytest.fixture(scope="module")
def con(demo_db):
    with duckdb.connect(str(demo_db[0]), read_only=True) as connection:
        yield connection


def test_every_unanswered_item_with_its_title_author_age_and_address(con):
    now = metrics.as_of(con)
    raw = {(f, h, p, k, n): (e, title, author, days)
           for e, f, h, p, k, n, title, author, days in con.execute(RAW_SQL.replace("$now", "?"), [now, now]).fetchall()}
    items = unanswered_items(con)
    assert list(items.columns) == list(COLUMNS)
    assert len(raw) > 10 and len(items) == len(raw)
    for row in items.itertuples():
        entity, title, author, days = raw[(row.forge, row.host, row.path, row.item_kind, int(row.item_number))]
        assert (row.entity_id, row.title, row.author_login) == (entity, title, author)
        assert row.days == pytest.approx(days, abs=1e-3)
        segment = "/pull/" if row.item_kind == "change_request" else "/issues/"
        if row.forge != "github":
            segment = "/-/merge_requests/" if row.item_kind == "change_request" else "/-/issues/"
        assert row.item_url == row.html_url.rstrip("/") + segment + str(row.item_number)


def test_items_are_grouped_by_repository_longest_waiting_first(con):
    items = unanswered_items(con)
    repos = list(dict.fromkeys(zip(items["forge"], items["host"], items["path"])))
    # each repository's items are together, oldest first
    blocks = [items[(items["forge"] == f) & (items["host"] == h) & (items["path"] == p)] for f, h, p in repos]
    assert sum(len(b) for b in blocks) == len(items)
    for block in blocks:
        assert list(block.index) == list(range(block.index[0], block.index[0] + len(block)))
        assert list(block["days"]) == sorted(block["days"], reverse=True)
        assert set(block["repo_items"]) == {len(block)} and block["repo_oldest_days"].iloc[0] == block["days"].max()
    oldest = [b["days"].max() for b in blocks]
    assert oldest == sorted(oldest, reverse=True)


def test_the_scope_narrows_and_an_empty_scope_has_the_columns(con):
    everything = unanswered_items(con)
    entity = everything["entity_id"].iloc[0]
    mine = unanswered_items(con, Scope("entity", entity_id=entity))
    assert len(mine) == (everything["entity_id"] == entity).sum() and set(mine["entity_id"]) == {entity}
    none = unanswered_items(con, Scope(entity_id="no-such-entity"))
    assert none.empty and list(none.columns) == list(COLUMNS)
