"""Goals for councils on a small hand-built warehouse, against hand-worked answers.

"Today" is 2025-06-30 throughout. The world:

- dortmund (GitHub stadtdortmund, openCoDE stadt-dortmund):
  r1  github stadtdortmund/r1, created 2024-01-10, MIT, has publiccode.yml; commits c1 2024-01-15,
      c2 2025-05-01 (dave@dortmund.de)
  r1m opencode stadt-dortmund/r1, created 2024-03-01, no licence detected, same commits: a mirror
  r2  github stadtdortmund/r2, created 2024-07-15, NOASSERTION; commit c3 2024-08-01 by
      alice@muenchen.de (a contribution by muenchen)
  r3  github stadtdortmund/r3, created 2025-02-01, GPL-3.0-or-later, no commits
  r4  github stadtdortmund/r4, a fork (left out of every goal metric), MIT
  it-at-m forks r1 (listed in r1's forks): dortmund's r1 is reused by muenchen.
- muenchen (GitHub it-at-m): m1 created 2023-01-01, EUPL-1.2, commit c9 2023-01-02 (alice).
- empty: no repositories.

Commits are at 12:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pandas as pd
import pytest

from collectors.registry import HEALTH_GOAL_METRICS, parse_registry
from warehouse import goals, metrics, reuse
from warehouse.identities import rebuild_identities
from warehouse.schema import migrate
from warehouse.state import sync_registry

TODAY = date(2025, 6, 30)

ENTITIES = """\
[[entity]]
id = "dortmund"
name = "Stadt Dortmund"
country = "DE"
archetype = "local"
email_domains = ["dortmund.de"]
  [[entity.account]]
  forge = "github"
  owner = "stadtdortmund"
  [[entity.account]]
  forge = "opencode"
  owner = "stadt-dortmund"
{dortmund_goals}

[[entity]]
id = "muenchen"
name = "Landeshauptstadt München"
country = "DE"
archetype = "local"
email_domains = ["muenchen.de"]
  [[entity.account]]
  forge = "github"
  owner = "it-at-m"
{muenchen_goals}

[[entity]]
id = "empty"
name = "Gemeinde Leer"
country = "DE"
archetype = "local"
{empty_goals}
"""


def goal(metric, target, deadline):
    return f"  [[entity.goal]]\n  metric = \"{metric}\"\n  target = {target}\n  deadline = {deadline}\n"


DORTMUND_GOALS = [
    ("public_repos", 3, "2027-01-01"),      # 1 achieved: 3 >= 3
    ("public_repos", 4.8, "2026-02-25"),    # 2 on track: projected 5 >= 4.8
    ("public_repos", 5.5, "2026-02-25"),    # 3 at risk: 4.95 <= 5 < 5.5
    ("public_repos", 8, "2026-02-25"),      # 4 off track: 5 < 7.2
    ("public_repos", 4, "2025-01-01"),      # 5 missed at deadline: 2 on 2025-01-01 (3 now) < 4
    ("osi_licence_share", 0.6, "2026-12-31"),  # 6 achieved: 2/3
    ("publiccode_share", 0.5, "2026-12-31"),   # 7 not enough history: 1/3 now, no trend
    ("reused_by_others", 1, "2026-12-31"),     # 8 achieved: 1
    ("active_share", 0.3, "2026-12-31"),       # 9 achieved: 1/3
]
MUENCHEN_GOALS = [("contributions_to_others", 10, "2026-06-30")]
EMPTY_GOALS = [("public_repos", 1, "2026-06-30"), ("publiccode_share", 0.5, "2026-06-30")]


def registry_text(since: str | None = None) -> str:
    text = ENTITIES.format(
        dortmund_goals="".join(goal(*g) for g in DORTMUND_GOALS),
        muenchen_goals="".join(goal(*g) for g in MUENCHEN_GOALS),
        empty_goals="".join(goal(*g) for g in EMPTY_GOALS),
    )
    return (f"[defaults]\nsince = {since}\n\n" if since else "") + text


GH = "'github', 'github.com'"
OC = "'opencode', 'gitlab.opencode.de'"


def build(con, since: str | None = None):
    migrate(con)
    registry = parse_registry(registry_text(since))
    sync_registry(con, registry)
    repos = [
        (GH, "stadtdortmund/r1", "dortmund", "stadtdortmund", "'MIT'", False, "2024-01-10"),
        (OC, "stadt-dortmund/r1", "dortmund", "stadt-dortmund", "NULL", False, "2024-03-01"),
        (GH, "stadtdortmund/r2", "dortmund", "stadtdortmund", "'NOASSERTION'", False, "2024-07-15"),
        (GH, "stadtdortmund/r3", "dortmund", "stadtdortmund", "'GPL-3.0-or-later'", False, "2025-02-01"),
        (GH, "stadtdortmund/r4", "dortmund", "stadtdortmund", "'MIT'", True, "2025-03-01"),
        (GH, "it-at-m/m1", "muenchen", "it-at-m", "'EUPL-1.2'", False, "2023-01-01"),
    ]
    for fh, path, entity, owner, lic, fork, created in repos:
        con.execute(
            "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, license_spdx, archived,"
            " is_fork, fork_parent, stars, forks_count, open_issues, created_at) VALUES"
            f" ({fh}, '{path}', '{entity}', '{owner}', '{path.split('/')[-1]}', {lic}, false, {str(fork).lower()},"
            f" {'%s' % (chr(39) + 'someone/x' + chr(39)) if fork else 'NULL'}, 0, 0, 0, TIMESTAMPTZ '{created} 00:00:00+00')"
        )
    commits = [
        (GH, "stadtdortmund/r1", "c1", "dave", "dave@dortmund.de", "2024-01-15"),
        (GH, "stadtdortmund/r1", "c2", "dave", "dave@dortmund.de", "2025-05-01"),
        (OC, "stadt-dortmund/r1", "c1", None, "dave@dortmund.de", "2024-01-15"),
        (OC, "stadt-dortmund/r1", "c2", None, "dave@dortmund.de", "2025-05-01"),
        (GH, "stadtdortmund/r2", "c3", "alice", "alice@muenchen.de", "2024-08-01"),
        (GH, "it-at-m/m1", "c9", "alice", "alice@muenchen.de", "2023-01-02"),
    ]
    for fh, path, sha, login, email, at in commits:
        login_sql = "NULL" if login is None else f"'{login}'"
        con.execute(
            "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name, committed_at)"
            f" VALUES ({fh}, '{path}', '{sha}', {login_sql}, '{email}', '{email.split('@')[0]}',"
            f" TIMESTAMPTZ '{at} 12:00:00+00')"
        )
    con.execute(
        f"INSERT INTO root_files VALUES ({GH}, 'stadtdortmund/r1', true, true, false, false, false, true, 'x',"
        " ['README.md', 'LICENSE', 'publiccode.yml'], [], NULL)"
    )
    con.execute(f"INSERT INTO forks (forge, host, repo_path, fork_path, fork_owner) VALUES ({GH}, 'stadtdortmund/r1', 'it-at-m/r1', 'it-at-m')")
    rebuild_identities(con, registry)
    reuse.refresh_reuse(con)
    return registry


@pytest.fixture
def world(tmp_path):
    con = duckdb.connect(str(tmp_path / "goals.duckdb"))
    registry = build(con)
    yield con, registry
    con.close()


def _values(df: pd.DataFrame) -> dict[tuple[str, str], float | None]:
    return {(r.entity_id, r.metric): (None if pd.isna(r.value) else r.value) for r in df.itertuples()}


# --------------------------------------------------------------------------- licences


def test_osi_share_follows_the_hygiene_judgement(world):
    con, registry = world
    # The health metrics' repo_hygiene judges licences against the SPDX list (migration 004):
    # an expression counts when it evaluates to OSI-approved; publiccode.yml legal.license stands
    # in for a forge that names no licence. r2 (NOASSERTION) gets "MIT OR Apache-2.0" from its
    # publiccode.yml: 3 of 3; then r3 becomes "CC-BY-4.0" (not OSI-approved): 2 of 3.
    con.execute(
        f"INSERT INTO publiccode (forge, host, repo_path, valid, license) VALUES ({GH}, 'stadtdortmund/r2', true,"
        " 'MIT OR Apache-2.0')"
    )
    v = _values(goals.goal_values(con, registry, TODAY, metrics=["osi_licence_share", "publiccode_share"]))
    assert v[("dortmund", "osi_licence_share")] == 1.0
    # r2 now has a publiccode.yml too (a parsed file counts even without a root listing): 2 of 3
    assert v[("dortmund", "publiccode_share")] == pytest.approx(2 / 3)
    con.execute("UPDATE repos SET license_spdx = 'CC-BY-4.0' WHERE path = 'stadtdortmund/r3'")
    v = _values(goals.goal_values(con, registry, TODAY, metrics=["osi_licence_share"]))
    assert v[("dortmund", "osi_licence_share")] == pytest.approx(2 / 3)


# --------------------------------------------------------------------------- values


def test_goal_values(world):
    con, registry = world
    v = _values(goals.goal_values(con, registry, TODAY))
    assert v == {
        # dortmund: projects r1 (+ mirror r1m, once), r2, r3; the fork r4 is left out
        ("dortmund", "public_repos"): 3,
        ("dortmund", "osi_licence_share"): pytest.approx(2 / 3),   # MIT (r1), GPL-3.0-or-later (r3)
        ("dortmund", "publiccode_share"): pytest.approx(1 / 3),    # r1
        ("dortmund", "active_share"): pytest.approx(1 / 3),        # c2 2025-05-01 in r1
        ("dortmund", "contributions_to_others"): 0,
        ("dortmund", "reused_by_others"): 1,                       # r1 forked by it-at-m
        ("muenchen", "public_repos"): 1,
        ("muenchen", "osi_licence_share"): 1.0,                    # EUPL-1.2
        ("muenchen", "publiccode_share"): 0.0,
        ("muenchen", "active_share"): 0.0,                         # last commit 2023
        ("muenchen", "contributions_to_others"): 1,                # alice's c3 in dortmund's r2
        ("muenchen", "reused_by_others"): 0,
        ("empty", "public_repos"): 0,
        ("empty", "osi_licence_share"): None,                      # a share of nothing: no data
        ("empty", "publiccode_share"): None,
        ("empty", "active_share"): None,
        ("empty", "contributions_to_others"): 0,
        ("empty", "reused_by_others"): 0,
    }


def test_values_on_an_earlier_day(world):
    con, registry = world
    # 2024-08-31: r1 and r2 exist; c3 (2024-08-01) lies in the 90 days, c1 (2024-01-15) does not.
    v = _values(goals.goal_values(con, registry, date(2024, 8, 31), metrics=["public_repos", "active_share"]))
    assert v[("dortmund", "public_repos")] == 2
    assert v[("dortmund", "active_share")] == 0.5
    # 2024-07-31 ends before c3 (2024-08-01 12:00): nothing active.
    v = _values(goals.goal_values(con, registry, date(2024, 7, 31), metrics=["active_share"]))
    assert v[("dortmund", "active_share")] == 0.0


# --------------------------------------------------------------------------- reconstruction


def test_reconstruct_history(world):
    con, registry = world
    h = goals.reconstruct_history(con, registry, months=15, today=TODAY)
    ends = [date(2024, m, d) for m, d in ((3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31), (9, 30),
                                          (10, 31), (11, 30), (12, 31))]
    ends += [date(2025, m, d) for m, d in ((1, 31), (2, 28), (3, 31), (4, 30), (5, 31))]

    def series(entity, metric):
        s = h[(h["entity_id"] == entity) & (h["metric"] == metric)]
        return dict(zip(s["snapshot_date"], s["value"]))

    # r1's project from 2024-01-10, r2 from 2024-07-15, r3 from 2025-02-01
    assert series("dortmund", "public_repos") == dict(zip(ends, [1] * 4 + [2] * 7 + [3] * 4))
    # 90-day windows end at the end of each day: only c1 (Mar 2024), c3 (Aug, Sep 2024), c2 (May 2025)
    assert series("dortmund", "active_share") == dict(zip(ends, [
        1.0, 0.0, 0.0, 0.0,                    # Mar-Jun 2024: r1 alone
        0.0, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0,    # Jul 2024-Jan 2025: r1, r2
        0.0, 0.0, 0.0, pytest.approx(1 / 3),  # Feb-May 2025: r1, r2, r3
    ]))
    assert series("muenchen", "public_repos") == dict(zip(ends, [1] * 15))
    assert series("muenchen", "active_share") == dict(zip(ends, [0.0] * 15))
    # alice's first commit in dortmund's r2: 2024-08-01
    assert series("muenchen", "contributions_to_others") == dict(zip(ends, [0] * 5 + [1] * 10))
    assert series("empty", "public_repos") == dict(zip(ends, [0] * 15))
    assert series("empty", "active_share") == {}  # no projects: no data, no row
    assert set(h["metric"]) == {"public_repos", "active_share", "contributions_to_others"}


def test_reconstruction_respects_history_horizon(tmp_path):
    con = duckdb.connect(str(tmp_path / "since.duckdb"))
    registry = build(con, since="2024-06-01")
    h = goals.reconstruct_history(con, registry, months=15, today=TODAY)
    active = h[(h["entity_id"] == "dortmund") & (h["metric"] == "active_share")]
    # A 90-day window must start on or after 2024-06-01: 2024-08-31's starts 2024-06-03,
    # 2024-07-31's starts 2024-05-03.
    assert min(active["snapshot_date"]) == date(2024, 8, 31)
    assert len(active) == 10
    con.close()


# --------------------------------------------------------------------------- snapshots


def test_snapshots_are_idempotent_per_day(world):
    con, registry = world
    assert goals.write_snapshots(con, registry, today=TODAY) == 18  # 3 entities x 6 metrics

    def observed():
        return con.execute(
            "SELECT snapshot_date, entity_id, metric, value FROM goal_snapshots WHERE source = 'observed'"
            " ORDER BY ALL"
        ).fetchall()

    def reconstructed():
        return con.execute("SELECT count(*), max(snapshot_date) FROM goal_snapshots WHERE source = 'reconstructed'").fetchall()[0]

    first = observed()
    assert len(first) == 18
    # 24 month ends 2023-06-30 .. 2025-05-31: public_repos and contributions for 3 entities
    # (2 x 72), active_share for muenchen (24) and dortmund from Jan 2024 (17).
    assert reconstructed() == (185, date(2025, 5, 31))
    goals.write_snapshots(con, registry, today=TODAY)
    assert observed() == first
    assert reconstructed() == (185, date(2025, 5, 31))
    # New data the same day replaces that day's values; still one row per (day, entity, metric).
    con.execute(
        "INSERT INTO repos (forge, host, path, entity_id, account_owner, name, archived, is_fork, stars,"
        " forks_count, open_issues, created_at) VALUES ('github', 'github.com', 'stadtdortmund/r5', 'dortmund',"
        " 'stadtdortmund', 'r5', false, false, 0, 0, 0, TIMESTAMPTZ '2025-06-29 00:00:00+00')"
    )
    goals.write_snapshots(con, registry, today=TODAY)
    again = observed()
    assert len(again) == 18
    assert {(e, m): v for _, e, m, v in again}[("dortmund", "public_repos")] == 4
    # Another day adds a snapshot; reconstructed rows stay before the first observed day.
    goals.write_snapshots(con, registry, today=date(2025, 7, 1))
    assert len(observed()) == 36
    # month ends 2023-07-31 .. 2025-06-30, those before 2025-06-30: 23 per entity and metric,
    # dortmund's active_share from Jan 2024: 17; muenchen's: 23.
    assert reconstructed() == (23 * 3 * 2 + 17 + 23, date(2025, 5, 31))
    hist = goals.goal_history(con, "dortmund", "public_repos")
    assert list(hist.columns) == ["snapshot_date", "entity_id", "metric", "value", "source"]
    assert list(hist["value"].iloc[-2:]) == [4.0, 4.0]


def test_sync_goals(world):
    con, registry = world
    assert goals.sync_goals(con, registry) == 12
    assert goals.sync_goals(con, registry) == 12
    rows = con.execute("SELECT entity_id, goal_no, metric, target, deadline FROM goals ORDER BY ALL").fetchall()
    assert len(rows) == 12
    assert rows[0] == ("dortmund", 1, "public_repos", 3.0, date(2027, 1, 1))
    assert ("empty", 2, "publiccode_share", 0.5, date(2026, 6, 30)) in rows


# --------------------------------------------------------------------------- progress


def test_trend_and_status_helpers():
    t = goals.fit_trend([(date(2025, 1, 1), 1.0), (date(2025, 1, 11), 2.0), (date(2025, 1, 21), 3.0)])
    assert t.slope_per_day == pytest.approx(0.1) and t.points == 3 and t.first == date(2025, 1, 1)
    assert goals.fit_trend([(date(2025, 1, 1), 1.0)]).slope_per_day is None
    assert goals.fit_trend([(date(2025, 1, 1), 1.0), (date(2025, 1, 5), 2.0)]).slope_per_day is None  # 4 days
    d, today = date(2026, 1, 1), date(2025, 1, 1)
    assert goals.goal_status(10, 10, 10, d, today) == "achieved"
    assert goals.goal_status(5, 10, 10, d, today) == "on track"
    assert goals.goal_status(5, 10, 9, d, today) == "at risk"
    assert goals.goal_status(5, 10, 8.99, d, today) == "off track"
    assert goals.goal_status(None, 10, None, d, today) == "no data"
    # Met now, but the trend leaves it short by the deadline: said apart from achieved (once
    # "achieved" while the line drawn beside it fell below the target).
    assert goals.goal_status(12, 10, 8, d, today) == "met at risk"
    assert goals.goal_status(12, 10, 8, d, today, trend=False) == "achieved"  # no trend to say otherwise
    # Short, and too little history for a trend: its own status (once "off track", which it is not).
    assert goals.goal_status(5, 10, 5, d, today, trend=False) == "not enough history"
    assert goals.goal_status(5, 10, None, d, today) == "not enough history"
    # On or past the deadline: judged by the value at the deadline, never on, at or off track
    # (once "off track" whatever the value then).
    assert goals.goal_status(5, 10, 20, today, today, deadline_value=5) == "missed at deadline"
    assert goals.goal_status(5, 10, 20, today, today, deadline_value=10) == "met at deadline"
    assert goals.goal_status(12, 10, 12, date(2024, 12, 31), today, deadline_value=9) == "missed at deadline"
    assert goals.goal_status(5, 10, 5, date(2024, 12, 31), today) == "deadline passed"  # value then unknown
    assert goals.goal_status(None, 10, None, date(2024, 12, 31), today) == "no data"
    assert set(goals.STATUS_TONE) == set(goals.STATUSES) and len(set(goals.STATUSES)) == 10


def test_goal_progress(world):
    con, registry = world
    # An observed snapshot 120 days before today: public_repos was 2. With today's 3, the trend is
    # 1/120 per day (0.25 a month); 240 days to 2026-02-25 project 3 + 2 = 5.
    con.execute("INSERT INTO goal_snapshots VALUES (DATE '2025-03-02', 'dortmund', 'public_repos', 2, 'observed')")
    p = goals.goal_progress(con, registry, today=TODAY)
    assert list(p.columns) == ["entity_id", "goal_no", "metric", "unit", "target", "deadline", "as_of", "value",
                               "trend_per_month", "trend_points", "trend_from", "reconstructed", "days_left",
                               "projected", "status", "lower_is_better", "deadline_value", "deadline_value_date",
                               "deadline_value_source"]
    d = p[p["entity_id"] == "dortmund"].set_index("goal_no")
    # 5: deadline passed (was "off track"): judged at 2025-01-01, when r1 and r2 existed.
    # 7: one value and nothing to reconstruct (was "off track"): not enough history.
    assert list(d["status"]) == ["achieved", "on track", "at risk", "off track", "missed at deadline",
                                 "achieved", "not enough history", "achieved", "achieved"]
    assert d.loc[5, "deadline_value"] == 2 and d.loc[5, "deadline_value_date"] == date(2025, 1, 1)
    assert d.loc[5, "deadline_value_source"] == "reconstructed" and d.loc[5, "value"] == 3
    assert pd.isna(d.loc[2, "deadline_value"]) and d.loc[2, "deadline_value_source"] is None
    assert d.loc[2, "value"] == 3
    assert d.loc[2, "trend_per_month"] == pytest.approx(0.25)
    assert d.loc[2, "days_left"] == 240
    assert d.loc[2, "projected"] == pytest.approx(5.0)
    assert d.loc[2, "trend_points"] == 2 and d.loc[2, "trend_from"] == date(2025, 3, 2)
    assert not d.loc[2, "reconstructed"]
    assert d.loc[5, "days_left"] == -180
    # publiccode_share: no history stored and none to reconstruct: flat projection of 1/3.
    assert d.loc[7, "trend_points"] == 1 and pd.isna(d.loc[7, "trend_per_month"])
    assert d.loc[7, "projected"] == pytest.approx(1 / 3)
    assert d.loc[7, "unit"] == "share" and d.loc[2, "unit"] == "count"
    # muenchen: nothing stored, so reconstructed history (12 month ends) + today: 0 0 then 1 x 11.
    m = p[p["entity_id"] == "muenchen"].iloc[0]
    assert m["value"] == 1 and m["reconstructed"] and m["trend_points"] == 13
    assert m["trend_per_month"] > 0 and m["projected"] < 9 and m["status"] == "off track"
    # empty: 0 repositories all along (12 reconstructed month ends): a flat trend at 0, off
    # track; a share of nothing: no data.
    e = p[p["entity_id"] == "empty"].set_index("goal_no")
    assert e.loc[1, "value"] == 0 and e.loc[1, "projected"] == 0 and e.loc[1, "status"] == "off track"
    assert pd.isna(e.loc[2, "value"]) and e.loc[2, "status"] == "no data"
    # One entity only.
    assert set(goals.goal_progress(con, registry, entity_id="empty", today=TODAY)["entity_id"]) == {"empty"}


def test_goal_progress_from_goals_table_and_custom_metric(world):
    con, registry = world
    goals.sync_goals(con, registry)

    @goals.register_metric("repos_with_commits", description="repositories with at least one commit")
    def _with_commits(con, entity_ids, day):
        rows = con.execute(
            "SELECT r.entity_id, count(DISTINCT r.path) FROM repos r JOIN commits c"
            " ON c.forge = r.forge AND c.host = r.host AND c.repo_path = r.path GROUP BY r.entity_id"
        ).fetchall()
        found = dict(rows)
        return {e: float(found.get(e, 0)) for e in entity_ids}

    try:
        con.execute("INSERT INTO goals VALUES ('dortmund', 99, 'repos_with_commits', 3, DATE '2026-01-01')")
        p = goals.goal_progress(con, None, entity_id="dortmund", today=TODAY)
        assert len(p) == 10  # nine from the registry, one added
        row = p[p["goal_no"] == 99].iloc[0]
        # r1, r1m, r2 have commits
        assert row["value"] == 3 and row["status"] == "achieved" and row["unit"] == "count"
    finally:
        goals.METRICS.pop("repos_with_commits", None)


def test_a_met_goal_whose_trend_falls_short_is_met_at_risk(world):
    con, registry = world
    # active_share: 90 % observed 120 days ago, 1/3 today: -0.567 / 120 a day; 549 days to
    # 2026-12-31 take it below 0 (clipped to 0): met now (1/3 >= 30 %), short by the deadline.
    con.execute("INSERT INTO goal_snapshots VALUES (DATE '2025-03-02', 'dortmund', 'active_share', 0.9, 'observed')")
    p = goals.goal_progress(con, registry, entity_id="dortmund", today=TODAY).set_index("goal_no")
    assert p.loc[9, "value"] == pytest.approx(1 / 3) and p.loc[9, "projected"] == 0
    assert p.loc[9, "trend_per_month"] == pytest.approx((1 / 3 - 0.9) / 120 * 30)
    assert p.loc[9, "status"] == "met at risk"


def test_past_deadlines_are_judged_by_the_value_at_the_deadline(world):
    con, registry = world
    goals.sync_goals(con, registry)
    # An observed snapshot 30 days before a deadline, and one after it (never used for it).
    con.execute("INSERT INTO goal_snapshots VALUES (DATE '2025-05-16', 'dortmund', 'active_share', 0.5, 'observed')")
    con.execute("INSERT INTO goal_snapshots VALUES (DATE '2025-06-20', 'dortmund', 'active_share', 0.1, 'observed')")
    added = [
        (20, "public_repos", 2, date(2025, 1, 1)),       # 2 on 2025-01-01 (reconstructed): met; 3 now
        (21, "public_repos", 3, date(2024, 12, 31)),     # 2 then: missed, though 3 now meets it
        (22, "active_share", 0.4, date(2025, 6, 15)),    # 50 % observed 2025-05-16: met; 33 % now
        (23, "active_share", 0.4, date(2025, 8, 1)),     # ahead: 33 % now, the trend down: off track
        (24, "public_repos", 3, TODAY),                  # today: the value now is the value then
        (25, "publiccode_share", 0.2, date(2025, 1, 1)),  # no dated history: value then unknown
    ]
    for no, metric, target, deadline in added:
        con.execute("INSERT INTO goals VALUES ('dortmund', ?, ?, ?, ?)", [no, metric, target, deadline])
    p = goals.goal_progress(con, None, entity_id="dortmund", today=TODAY).set_index("goal_no")
    got = {n: (p.loc[n, "status"], None if pd.isna(p.loc[n, "deadline_value"]) else round(p.loc[n, "deadline_value"], 3),
               p.loc[n, "deadline_value_date"], p.loc[n, "deadline_value_source"]) for n, *_ in added}
    assert got == {
        20: ("met at deadline", 2, date(2025, 1, 1), "reconstructed"),
        21: ("missed at deadline", 2, date(2024, 12, 31), "reconstructed"),
        22: ("met at deadline", 0.5, date(2025, 5, 16), "observed"),
        23: ("off track", None, None, None),
        24: ("met at deadline", 3, TODAY, "now"),
        25: ("deadline passed", None, None, None),
    }
    assert p.loc[21, "value"] == 3 and p.loc[25, "value"] == pytest.approx(1 / 3)
    # Stored snapshots are preferred to reconstructing: a month end stored as reconstructed
    # within DEADLINE_VALUE_DAYS days before the deadline is the value then.
    con.execute("INSERT INTO goal_snapshots VALUES (DATE '2024-11-30', 'dortmund', 'publiccode_share', 0.25, 'reconstructed')")
    p = goals.goal_progress(con, None, entity_id="dortmund", today=TODAY).set_index("goal_no")
    assert (p.loc[25, "status"], p.loc[25, "deadline_value"], p.loc[25, "deadline_value_date"]) == \
        ("met at deadline", 0.25, date(2024, 11, 30))


def test_no_goals_and_no_data(tmp_path):
    con = duckdb.connect(str(tmp_path / "none.duckdb"))
    migrate(con)
    registry = parse_registry('[[entity]]\nid = "x"\nname = "X"\ncountry = "DE"\narchetype = "local"\n')
    sync_registry(con, registry)
    assert goals.goal_progress(con, registry, today=TODAY).empty
    v = _values(goals.goal_values(con, registry, TODAY))
    assert v[("x", "public_repos")] == 0 and v[("x", "active_share")] is None
    assert goals.write_snapshots(con, registry, today=TODAY) == 6
    con.close()


# --------------------------------------------------------------------------- health metrics as goals
#
# A second world, for the health metrics a goal may name. "Today" is still 2025-06-30: a metric on
# a day is taken at its end, MOMENT = 2025-07-01 00:00 UTC; the 365-day window starts 2024-07-01.
#
# kiel (GitHub org kiel, e-mail domain kiel.de), one repository kiel/app, created 2024-01-01, MIT,
# with a README, LICENSE and CONTRIBUTING:
#   commits  k0 2023-05-01 carl@kiel.de, k1 2024-03-01 anna@kiel.de, k2 2024-09-01 anna,
#            k3 2024-10-01 ben@gmail.com, k4 2025-01-15 anna, k5 2025-03-01 dependabot[bot],
#            k6 2025-06-01 anna (all at 12:00)
#   items    #1 issue by ben 2024-08-01, closed 08-05, answered by anna after 10 h
#            #2 issue by ben 2025-05-01, open, answered by anna after 48 h
#            #3 change request by ben 2025-02-01, merged 02-02, reviewed by anna after 2 h
#            #4 change request by ben 2025-03-01, closed unmerged 03-10, never answered
#            #5 issue by ben 2025-06-20, open, never answered
#            #6 issue by ben 2024-05-01, open, never answered
#   releases v1 2024-06-01, v2 2024-12-01, v3-rc1 2025-03-15 (pre-release), v3 2025-04-01
# leer: no repositories.

KIEL = """\
[[entity]]
id = "kiel"
name = "Landeshauptstadt Kiel"
country = "DE"
archetype = "local"
email_domains = ["kiel.de"]
  [[entity.account]]
  forge = "github"
  owner = "kiel"
{kiel_goals}

[[entity]]
id = "leer"
name = "Stadt Leer"
country = "DE"
archetype = "local"
"""
KIEL_GOALS = [
    ("median_first_response_hours", 12, "2026-06-30"),   # 1 lower is better: 10 <= 12, achieved
    ("median_first_response_hours", 8, "2026-06-30"),    # 2 10 > 8; the trend decides
    ("commits", 10, "2026-06-30"),                       # 3
    ("health_score", 50, "2026-06-30"),                  # 4 50.83 >= 50: achieved
]


def build_kiel(con, since: str | None = None):
    migrate(con)
    text = KIEL.format(kiel_goals="".join(goal(*g) for g in KIEL_GOALS))
    registry = parse_registry((f"[defaults]\nsince = {since}\n\n" if since else "") + text)
    sync_registry(con, registry)
    con.execute(
        f"INSERT INTO repos (forge, host, path, entity_id, account_owner, name, html_url, license_spdx, archived,"
        f" is_fork, stars, forks_count, open_issues, created_at) VALUES ({GH}, 'kiel/app', 'kiel', 'kiel', 'app',"
        " 'https://github.com/kiel/app', 'MIT', false, false, 0, 0, 0, TIMESTAMPTZ '2024-01-01 00:00:00+00')"
    )
    people = {"anna": "anna@kiel.de", "ben": "ben@gmail.com", "carl": "carl@kiel.de",
              "dependabot[bot]": "49699333+dependabot[bot]@users.noreply.github.com"}
    for sha, login, at in [("k0", "carl", "2023-05-01"), ("k1", "anna", "2024-03-01"), ("k2", "anna", "2024-09-01"),
                           ("k3", "ben", "2024-10-01"), ("k4", "anna", "2025-01-15"),
                           ("k5", "dependabot[bot]", "2025-03-01"), ("k6", "anna", "2025-06-01")]:
        con.execute(
            "INSERT INTO commits (forge, host, repo_path, sha, author_login, author_email, author_name, committed_at)"
            f" VALUES ({GH}, 'kiel/app', ?, ?, ?, ?, ?)",
            [sha, login, people[login], login, f"{at} 12:00:00+00"],
        )
    items = [
        (1, "issue", "closed", "2024-08-01", "2024-08-05", None),
        (2, "issue", "open", "2025-05-01", None, None),
        (3, "change_request", "merged", "2025-02-01", "2025-02-02", "2025-02-02"),
        (4, "change_request", "closed", "2025-03-01", "2025-03-10", None),
        (5, "issue", "open", "2025-06-20", None, None),
        (6, "issue", "open", "2024-05-01", None, None),
    ]
    for number, kind, state, created, closed, merged in items:
        con.execute(
            "INSERT INTO items (forge, host, repo_path, number, kind, state, author_login, created_at, closed_at,"
            f" merged_at) VALUES ({GH}, 'kiel/app', ?, ?, ?, 'ben', ?, ?, ?)",
            [number, kind, state, f"{created} 00:00:00+00", closed and f"{closed} 00:00:00+00",
             merged and f"{merged} 00:00:00+00"],
        )
    for cid, kind, number, ckind, at in [(1, "issue", 1, "comment", "2024-08-01 10:00"),
                                         (2, "issue", 2, "comment", "2025-05-03 00:00"),
                                         (3, "change_request", 3, "review_comment", "2025-02-01 02:00")]:
        con.execute(
            "INSERT INTO comments (forge, host, repo_path, comment_id, item_kind, item_number, kind, author_login,"
            f" created_at) VALUES ({GH}, 'kiel/app', ?, ?, ?, ?, 'anna', ?)",
            [cid, kind, number, ckind, f"{at}:00+00"],
        )
    for tag, at, pre in [("v1", "2024-06-01", False), ("v2", "2024-12-01", False), ("v3-rc1", "2025-03-15", True),
                         ("v3", "2025-04-01", False)]:
        con.execute(
            f"INSERT INTO releases (forge, host, repo_path, tag, published_at, prerelease) VALUES ({GH}, 'kiel/app', ?, ?, ?)",
            [tag, f"{at} 00:00:00+00", pre],
        )
    con.execute(
        f"INSERT INTO root_files VALUES ({GH}, 'kiel/app', true, true, true, false, false, false, NULL,"
        " ['README.md', 'LICENSE', 'CONTRIBUTING.md'], [], NULL)"
    )
    rebuild_identities(con, registry)
    metrics.refresh_metric_facts(con)
    reuse.refresh_reuse(con)
    return registry


@pytest.fixture
def kiel(tmp_path):
    con = duckdb.connect(str(tmp_path / "kiel.duckdb"))
    registry = build_kiel(con)
    yield con, registry
    con.close()


def test_health_goal_metrics(kiel):
    con, registry = kiel
    v = _values(goals.goal_values(con, registry, TODAY, metrics=list(HEALTH_GOAL_METRICS)))
    kiel_values = {m: v[("kiel", m)] for m in HEALTH_GOAL_METRICS}
    assert kiel_values == {
        # commits in the window: k2 k3 k4 k5 k6 (the bot's included); people: anna, ben
        "commits": 5,
        "active_contributors": 2,
        # commits by people: anna 3 of 4 > half: 1; by organisation: kiel (anna) 3, ben alone 1: 1
        "absence_factor": 1,
        "elephant_factor": 1,
        # opened in the window: #1-#5; answered after 10, 48 and 2 hours: median 10
        "median_first_response_hours": 10.0,
        # change requests opened in the window #3 #4, both resolved in it: 2 / 2; merged 1 of 2
        "closure_ratio": 1.0,
        "acceptance_ratio": 0.5,
        # open at MOMENT: #2 (61 days), #5 (11 days), #6 (426 days): median 61
        "median_issue_age_days": 61.0,
        # v2, v3 in the window (v3-rc1 is a pre-release, v1 too old): 2 a year
        "releases_per_year": 2.0,
        # contributors anna, ben, carl; carl's last commit is from 2023: 1 of 3
        "inactive_contributor_share": pytest.approx(1 / 3),
        # OSI licence, README, CONTRIBUTING of 6 checks
        "hygiene_share": 0.5,
        # activity: human events in 10 of the 12 30-day periods before MOMENT (none from Dec 3 to
        #   Jan 2 or from Oct 4 to Nov 2): 83.33; responsiveness: of #1-#5, due by June 24, #1 #2 #3
        #   handled within 7 days: 60; sustainability: factor 1 of 4: 25; community: anna, ben: 20;
        #   hygiene 50; release cadence 2 of 4: 50.
        #   0.25 * 83.333 + 0.2 * 60 + 0.2 * 25 + 0.15 * 20 + 0.1 * 50 + 0.1 * 50 = 50.833
        "health_score": pytest.approx(0.25 * 100 * 10 / 12 + 0.2 * 60 + 0.2 * 25 + 0.15 * 20 + 0.1 * 50 + 0.1 * 50),
    }
    # leer has no repository: no data, never a zero.
    assert all(v[("leer", m)] is None for m in HEALTH_GOAL_METRICS)
    # One entity alone gives the same values as all at once.
    alone = _values(goals.goal_values(con, parse_registry(KIEL.format(kiel_goals="").split("\n\n[[entity]]\nid = \"leer\"")[0]),
                                      TODAY, metrics=list(HEALTH_GOAL_METRICS)))
    assert {m: alone[("kiel", m)] for m in HEALTH_GOAL_METRICS} == kiel_values


def test_health_goal_metric_units():
    assert goals.unit_of("health_score") == "score" and goals.unit_of("hygiene_share") == "share"
    assert goals.unit_of("median_first_response_hours") == "hours" and goals.lower_is_better("median_issue_age_days")
    assert not goals.lower_is_better("commits") and goals.unit_of("public_repos") == "count"


def test_lower_is_better_status():
    d, today = date(2026, 1, 1), date(2025, 1, 1)
    assert goals.goal_status(10, 12, 10, d, today, lower_is_better=True) == "achieved"
    assert goals.goal_status(20, 12, 11, d, today, lower_is_better=True) == "on track"
    # at risk: projected within 12 / 0.9 = 13.33
    assert goals.goal_status(20, 12, 13, d, today, lower_is_better=True) == "at risk"
    assert goals.goal_status(20, 12, 14, d, today, lower_is_better=True) == "off track"
    # The deadline reached: judged by the value at it (once "off track" whatever that value).
    assert goals.goal_status(20, 12, 5, today, today, lower_is_better=True, deadline_value=20) == "missed at deadline"
    assert goals.goal_status(20, 12, 5, today, today, lower_is_better=True, deadline_value=11) == "met at deadline"
    # Met now (10 <= 12), but the trend climbs to 15 by the deadline: met at risk.
    assert goals.goal_status(10, 12, 15, d, today, lower_is_better=True) == "met at risk"
    assert goals.goal_status(None, 12, None, d, today, lower_is_better=True) == "no data"


def test_health_goal_progress(kiel):
    con, registry = kiel
    p = goals.goal_progress(con, registry, entity_id="kiel", today=TODAY).set_index("goal_no")
    assert list(p["unit"]) == ["hours", "hours", "count", "score"]
    assert list(p["lower_is_better"]) == [True, True, False, False]
    assert p.loc[1, "value"] == 10 and p.loc[1, "status"] == "achieved"
    # median_first_response_hours, reconstructed at the month ends of the last 12 months: nothing
    # answered in June and July 2024; #1 (10 h) from August; with #3 (2 h) from February 2025: 6;
    # with #2 (48 h) in May, #6 out of the window: median of 10, 2, 48 = 10. Today 10.
    ends = [date(2024, 8, 31), date(2024, 9, 30), date(2024, 10, 31), date(2024, 11, 30), date(2024, 12, 31),
            date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)]
    points = list(zip(ends, [10.0] * 6 + [6.0] * 3 + [10.0])) + [(TODAY, 10.0)]
    trend = goals.fit_trend(points)
    assert p.loc[2, "trend_points"] == 11 and p.loc[2, "reconstructed"]
    assert p.loc[2, "trend_per_month"] == pytest.approx(trend.slope_per_day * 30)
    # The dip in spring pulls the line down: 365 days on it, the projection reaches the target of 8.
    projected = 10 + trend.slope_per_day * 365
    assert trend.slope_per_day < 0 and p.loc[2, "projected"] == pytest.approx(projected)
    assert p.loc[2, "status"] == ("on track" if projected <= 8 else "at risk" if projected <= 8 / 0.9 else "off track")
    assert p.loc[4, "value"] == pytest.approx(50.833, abs=1e-3) and p.loc[4, "status"] == "achieved"
    # health_score has no reconstructed history: today's value alone, no trend.
    assert p.loc[4, "trend_points"] == 1 and not p.loc[4, "reconstructed"]


def test_health_goal_history(kiel):
    con, registry = kiel
    h = goals.reconstruct_history(con, registry, months=12, today=TODAY)
    commits = h[(h["entity_id"] == "kiel") & (h["metric"] == "commits")]
    # 365 days up to each month end, 2024-06-30 .. 2025-05-31: k1 alone until August, k2 from
    # September, k3 from October, k4 from January; k1 leaves and k5 (a bot's) comes in March.
    assert list(commits["value"]) == [1, 1, 1, 2, 3, 3, 3, 4, 4, 4, 4, 4]
    # Not reconstructed: the health score and hygiene (today's files say nothing of the past).
    assert not {"health_score", "hygiene_share"} & set(h["metric"])
    assert set(h["metric"]) >= {"commits", "median_first_response_hours"}
    # With a history horizon of 2024-01-01, a day's 365 days must start on or after it: from
    # 2024-12-31 (its window starts 2024-01-02) on.
    con2 = duckdb.connect()
    registry2 = build_kiel(con2, since="2024-01-01")
    h2 = goals.reconstruct_history(con2, registry2, months=12, today=TODAY)
    commits2 = h2[(h2["entity_id"] == "kiel") & (h2["metric"] == "commits")]
    assert list(commits2["snapshot_date"]) == [date(2024, 12, 31), date(2025, 1, 31), date(2025, 2, 28),
                                               date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)]
    con2.close()


def test_goal_progress_reads_the_snapshot_of_the_collection(kiel):
    # As the pipeline leaves it: results materialised at the collection's moment, then the day's
    # snapshot. goal_progress without a day is as of that collection and takes the stored values.
    con, registry = kiel
    moment = datetime(2025, 6, 30, 15, 0, tzinfo=UTC)
    metrics.refresh_metric_results(con, moment)
    goals.write_snapshots(con, registry, today=moment.date(), refresh=False)
    assert metrics.as_of(con) == moment
    stored = goals.goal_progress(con, registry, entity_id="kiel")
    assert set(stored["as_of"]) == {TODAY}
    # The same values computed live at that moment (a warehouse whose results are stale).
    con.execute("DELETE FROM metric_results_state")
    live = goals.goal_values(con, registry, TODAY)
    assert metrics.as_of(con) is None
    for r in stored.itertuples():
        want = live[(live["entity_id"] == r.entity_id) & (live["metric"] == r.metric)]["value"].iloc[0]
        # Taken at 15:00, not at the day's end: issue ages are 9 hours shorter than at midnight.
        assert r.value == pytest.approx(want), r.metric
