"""The data status page: the runs, requests and accounts recorded, on the demo warehouse; and on a
warehouse whose second run met faults, the errors with their repository and reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from collectors.base import CollectorOptions
from collectors.registry import parse_registry
from collectors.simulator import ForgeSimulator, World
from dashboard.i18n import Translator
from warehouse.pipeline import collect

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
FAST = CollectorOptions(timeout=10.0, max_rate_wait=1.0, retries=2, backoff=0.01)


@pytest.fixture(scope="module")
def faulty_db(tmp_path_factory):
    """A small world collected with faults (GitHub's repository-level issue comments answer 503,
    a GitLab endpoint asks to wait an hour), then again without: the warehouse after the faulty
    run alone, and after both."""
    world = World(seed=7, activity_scale=0.15)
    folder = tmp_path_factory.mktemp("faulty")
    path = folder / "ossdash.duckdb"
    with ForgeSimulator(world) as sim:
        registry = parse_registry(sim.registry_toml(), "faulty.toml")
        sim.faults.server_error(status=503, endpoint="/repos/{owner}/{repo}/issues/comments")
        sim.faults.secondary_limit(retry_after=3600, forge="gitlab", endpoint="/projects/:id/forks")
        assert collect(registry, path, options=FAST).status == "partial"
        after_faults = folder / "after-faults.duckdb"
        shutil.copy(path, after_faults)
        sim.faults.clear()
        assert collect(registry, path, options=FAST).status == "ok"
    return after_faults, path, world


def _page(lang: str = "en", **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page("views/status.py").run()
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _sql(path, sql: str, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_runs_requests_and_accounts_recorded(demo_db, monkeypatch, lang):
    path, world = demo_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    t = Translator(lang)
    at = _page(lang)
    _clean(at)
    assert at.title[0].value == t("nav.status")
    (runs, requests, not_modified), = _sql(path, "SELECT count(*), sum(requests), sum(not_modified) FROM runs")
    figures = _figures(at)
    assert figures[t("status.figure.runs")] == t.number(runs)
    assert figures[t("status.figure.requests")] == t.number(requests)
    assert figures[t("status.figure.not_modified")] == t.percent(not_modified / requests)
    assert figures[t("status.figure.last_run")] == t.label("status.run", "ok")
    assert figures[t("status.figure.stale")] == t.number(0)
    run_table, freshness, errors_or_usage = at.dataframe[0].value, at.dataframe[1].value, at.dataframe[2].value
    assert list(run_table["requests"]) == [requests]
    # every account of the registry, each collected just now
    assert sorted(zip(freshness["forge"], freshness["owner"])) == sorted((a.forge, a.path) for a in world.accounts)
    assert (freshness["age_days"] < 1).all() and not freshness["stale"].any()
    # requests per account add up to the run's
    assert errors_or_usage["requests"].sum() == requests
    assert any(t("status.no_errors", days=t.number(365)) == s.value for s in at.success)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1 and json.loads(charts[0].proto.spec)["title"] == t("status.chart.title")
    assert len(at.get("download_button")) == 3


def test_errors_with_repository_and_reason(faulty_db, monkeypatch):
    path, _, _ = faulty_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    t = Translator("de")
    at = _page("de")
    _clean(at)
    figures = _figures(at)
    assert figures["Erhebungsläufe"] == "1"
    assert figures["Letzter Lauf"] == "teilweise fehlgeschlagen"
    messages = [m for (error,) in _sql(path, "SELECT error FROM run_accounts WHERE error IS NOT NULL")
                for m in error.split("\n") if m.strip()]
    assert messages
    errors = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert sorted(errors["message"]) == sorted(messages)
    # the repository each message names, and its reason
    github = errors[errors["forge"] == "github"]
    # (the collector's "kept failing (5xx)" message names no repository: the column stays empty)
    assert len(github) and all(pd.isna(repo) or repo in msg for repo, msg in zip(github["repo_path"], github["message"]))
    assert set(github["category"]) == {"transient"}
    assert set(github["category_label"]) == {"Plattform nicht erreichbar"}
    gitlab = errors[errors["forge"].isin(["gitlab", "opencode"])]
    assert len(gitlab) and set(gitlab["category"]) == {"rate_limit"}
    assert figures[t.label("status.category", "rate_limit")] == t.number(len(gitlab))
    # accounts that never finished a collection are out of date, and said so
    bad = {(f, o) for f, o in _sql(path, "SELECT forge, owner FROM run_accounts WHERE status IN ('partial', 'failed')")}
    assert figures["Veraltete Konten"] == t.number(len(bad))
    assert any("nicht erfolgreich erhoben" in w.value for w in at.warning)
    # the last run's outcome leads the page, with the counts of the run log
    assert at.warning[0].value.startswith("Der letzte Lauf (1) ist teilweise fehlgeschlagen")
    assert f"{len(messages)} Fehler in {len(bad)} Konten" in at.warning[0].value
    freshness = at.dataframe[1].value
    assert {(f, o) for f, o, s in zip(freshness["forge"], freshness["owner"], freshness["stale"]) if s} == bad


def test_after_a_clean_run_the_errors_stay_listed_and_accounts_are_current(faulty_db, monkeypatch):
    _, path, world = faulty_db
    monkeypatch.setenv("OSSDASH_DB", str(path))
    at = _page("en")
    _clean(at)
    figures = _figures(at)
    assert figures["Collection runs"] == "2" and figures["Last run"] == "ok"
    assert figures["Accounts out of date"] == "0" and not at.warning
    errors = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert set(errors["run_id"]) == {1}
    (requests,), = _sql(path, "SELECT sum(requests) FROM runs")
    assert figures["Requests"] == Translator("en").number(requests)
    # the forge filter narrows the per-account tables
    at.sidebar.selectbox[2].set_value("gitlab").run()
    _clean(at)
    errors = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert set(errors["forge"]) == {"gitlab"}
    freshness = at.dataframe[1].value
    assert set(freshness["forge"]) == {"gitlab"}
    assert len(freshness) == sum(1 for a in world.accounts if a.forge == "gitlab")
    at.sidebar.selectbox[3].set_value(90).run()
    _clean(at)
    assert _figures(at)["Collection runs"] == "2"  # both runs were today


def test_a_message_naming_a_repository_is_attributed_to_it(faulty_db, monkeypatch, tmp_path):
    source, _, _ = faulty_db
    path = tmp_path / "ossdash.duckdb"
    shutil.copy(source, path)
    with duckdb.connect(str(path)) as con:
        # a repository the warehouse holds (one that failed on its first collection is not stored)
        (forge, owner, repo_path), = con.execute(
            "SELECT forge, account_owner, max(path) FROM repos GROUP BY ALL ORDER BY ALL LIMIT 1").fetchall()
        message = f"{forge}:{owner}: commits of {repo_path}: unreadable answer from the forge"
        con.execute("UPDATE run_accounts SET error = ? WHERE forge = ? AND owner = ?", [message, forge, owner])
    monkeypatch.setenv("OSSDASH_DB", str(path))
    at = _page("en")
    _clean(at)
    errors = next(d.value for d in at.dataframe if "message" in d.value.columns)
    row = errors[errors["message"] == message]
    assert list(row["repo_path"]) == [repo_path]
    assert list(row["category_label"]) == ["malformed answer"]


def test_an_interrupted_run_is_said_so_and_the_page_never_contradicts_itself(tmp_path, monkeypatch):
    """After Ctrl-C in the middle of the third account: the last run reads "interrupted", the
    accounts it stopped in or never reached are listed with that reason, and no "no errors" line
    stands beside accounts that are out of date."""
    from collectors.base import make_collector

    world = World(seed=7, activity_scale=0.15)
    path = tmp_path / "ossdash.duckdb"
    with ForgeSimulator(world) as sim:
        registry = parse_registry(sim.registry_toml(), "sim.toml")
        stop_at = registry.accounts[2]

        def factory(account):
            if account == stop_at:
                raise KeyboardInterrupt
            return make_collector(account)

        assert collect(registry, path, collector_factory=factory).status == "interrupted"
    monkeypatch.setenv("OSSDASH_DB", str(path))
    at = _page("en")
    _clean(at)
    assert _figures(at)["Last run"] == "interrupted"
    # The stopped account's host lane ends there; the other hosts' lanes stop at their next
    # repository, so how many finished depends on timing: the page must say what the log holds.
    with duckdb.connect(str(path), read_only=True) as con:
        unfinished = con.execute("SELECT count(*) FROM run_accounts WHERE status IN ('interrupted', 'not_reached')"
                                 ).fetchone()[0]
    assert unfinished >= 1
    assert at.warning[0].value.startswith(
        f"The last run (1) was interrupted: {unfinished} accounts were not finished")
    errors = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert set(errors["category"]) == {"interrupted"} and len(errors) == unfinished
    assert not at.success, "no 'no errors' beside an interrupted run"
    runs = at.dataframe[0].value
    assert runs.loc[0, "status_label"] == "interrupted" and runs.loc[0, "accounts_unfinished"] == unfinished
