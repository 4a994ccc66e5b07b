"""The goals page on the collected simulator warehouse with goals set in the registry: every goal
of the entity with its target, value now, deadline, status in plain words and trend chart, in
both languages, with filters; an entity without goals says where goals are set."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from collectors.registry import parse_registry
from dashboard.i18n import Translator
from warehouse import goals

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
ENTITY = "neustadt"
# Goals for the entity, as a council would write them in the registry (metric, target, deadline).
GOALS = (
    ("osi_licence_share", 0.9, date(2027, 12, 31)),
    ("public_repos", 20, date(2028, 6, 30)),
    ("active_share", 0.8, date(2026, 12, 31)),
    ("contributions_to_others", 3, date(2025, 12, 31)),
    ("median_first_response_hours", 48, date(2027, 6, 30)),  # less is better, in hours
)


def _with_goals(registry_text: str, entity_id: str) -> str:
    block = "".join(
        f"\n  [[entity.goal]]\n  metric = \"{m}\"\n  target = {v}\n  deadline = {d.isoformat()}\n" for m, v, d in GOALS
    )
    parts = registry_text.split("[[entity]]")
    return "[[entity]]".join(p + block if f'id = "{entity_id}"' in p else p for p in parts)


@pytest.fixture(scope="module")
def goals_db(demo_db, tmp_path_factory):
    """A copy of the demo warehouse whose registry gives the entity goals (unless the simulator's
    registry already does), with today's snapshot and the reconstructed history written."""
    source, world = demo_db
    path = tmp_path_factory.mktemp("goals") / "ossdash.duckdb"
    shutil.copy(source, path)
    registry = parse_registry(world.registry_toml("http://127.0.0.1:9"), "simulator.toml")
    if not any(e.goals for e in registry.entities):
        registry = parse_registry(_with_goals(world.registry_toml("http://127.0.0.1:9"), ENTITY), "goals.toml")
    with duckdb.connect(str(path)) as con:
        goals.sync_goals(con, registry)
        goals.write_snapshots(con, registry, refresh=False)
    entity = next(e for e in registry.entities if e.goals)
    return path, world, entity


@pytest.fixture
def warehouse(goals_db, monkeypatch):
    monkeypatch.setenv("OSSDASH_DB", str(goals_db[0]))
    return goals_db


def _page(lang: str = "en", **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page("views/goals.py").run()
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _projects(world, entity_id: str) -> int:
    """The entity's projects as the simulator made them: its repositories that are neither forks
    nor mirrors of another repository."""
    accounts = {(a.forge, a.path) for a in world.accounts if a.entity_id == entity_id}
    return sum(1 for r in world.repos if (r.forge, r.account) in accounts and not r.is_fork and not r.mirror_of)


def _shown(t: Translator, metric: str, value: float) -> str:
    if goals.is_share(metric):
        return t.percent(value, 0 if float(round(value * 100, 1)).is_integer() else 1)
    if goals.unit_of(metric) == "hours":
        return t("report.unit_hours", value=t.number(value, 1))
    return t.number(value)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# Every status's word as a sentence starts with it, per language: the catalogue's, for the
# warehouse's statuses.
STATUS_WORD = {lang: {s: _cap(Translator(lang).label("status", s)) for s in goals.STATUSES} for lang in ("en", "de")}


def _sentences(at: AppTest) -> list[str]:
    return [b.value.replace("\\", "") for b in (*at.success, *at.warning, *at.info)]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_goal_with_target_value_deadline_status_and_chart(warehouse, lang):
    path, world, entity = warehouse
    t = Translator(lang)
    at = _page(lang, entity=entity.id)
    _clean(at)
    assert at.title[0].value == t("nav.goals")
    assert at.header[0].value.replace("\\", "") == entity.name
    headings = [s.value.replace("\\", "") for s in at.subheader]
    metrics = [m for m in at.metric]
    with duckdb.connect(str(path), read_only=True) as con:
        progress = goals.goal_progress(con, entity_id=entity.id).set_index("goal_no")
    used = set()
    for n, goal in enumerate(entity.goals, start=1):
        label = t.label("goal_metric", goal.metric)
        assert label in headings, (label, headings)
        row = progress.loc[n]
        # each goal's box: target, value now (past the deadline: the value at it first), the
        # deadline as a long date, days left
        i = next(k for k, m in enumerate(metrics) if m.label == t("goals.figure.target") and k not in used)
        used.add(i)
        assert metrics[i].value == _shown(t, goal.metric, goal.target)
        if row["days_left"] > 0:
            assert [m.label for m in metrics[i:i + 4]] == [t(f"goals.figure.{k}") for k in
                                                           ("target", "value", "deadline", "days_left")]
            assert metrics[i + 2].value == t.date(goal.deadline, "long")
            assert metrics[i + 3].value == t.number((goal.deadline - row["as_of"]).days)
        else:
            assert [m.label for m in metrics[i:i + 4]] == [t(f"goals.figure.{k}") for k in
                                                           ("target", "then", "value", "deadline")]
            assert metrics[i + 3].value == t.date(goal.deadline, "long")
        if goal.metric == "public_repos":
            assert metrics[i + 1].value == t.number(_projects(world, entity.id))
    # a plain sentence per goal that starts with its own status word and says what it rests on
    sentences = _sentences(at)
    words = [STATUS_WORD[lang][progress.loc[n, "status"]] for n in range(1, len(entity.goals) + 1)]
    starts = [next(w for w in sorted(STATUS_WORD[lang].values(), key=len, reverse=True) if s.startswith(w + ":"))
              for s in sentences if any(s.startswith(w + ":") for w in STATUS_WORD[lang].values())]
    assert sorted(starts) == sorted(words)  # boxes are read by kind, not in page order
    rests = t("report.rests_on", basis="").split(" ")[0]
    assert sum(rests in s for s in sentences) >= len([w for w in words if w != STATUS_WORD[lang]["no data"]])
    # the summary counts the statuses the goals have, and they add up; a trend chart per goal
    summary = {m.label: m.value for m in metrics[: 1 + len(set(words))]}
    assert summary[t("goals.figure.goals")] == t.number(len(entity.goals))
    assert {w: int(summary[w]) for w in set(words)} == {w: words.count(w) for w in set(words)}
    charts = at.get("vega_lite_chart")
    assert len(charts) == len(entity.goals)
    for chart, goal in zip(charts, entity.goals):
        spec = json.loads(chart.proto.spec)
        assert spec["title"] == t("goals.chart.title", metric=t.label("goal_metric", goal.metric))
        marks = [layer["mark"]["type"] for layer in spec["layer"]]
        assert marks.count("rule") == 2  # the target (horizontal) and the deadline (vertical)
        assert spec["layer"][0]["encoding"]["x"]["title"] == t("goals.chart.date")
    table = at.dataframe[0].value
    assert list(table["metric"]) == [g.metric for g in entity.goals]
    assert set(table["status_label"]) <= {t.label("status", s) for s in goals.STATUSES}
    assert list(table["deadline_shown"]) == [t.date(g.deadline, "long") for g in entity.goals]
    # a share's trend is in percentage points, never a percentage
    for shown, unit in zip(table["trend_shown"], table["unit"]):
        if unit == "share" and shown != t.none():
            assert t("report.points_short", value="").strip() in shown and "%" not in shown, shown
    report_buttons = [b for b in at.get("download_button")]
    assert len(report_buttons) == 3  # the table's CSV, the report as HTML and as PDF


def test_status_words_agree_with_the_stored_goals(warehouse):
    """The page's status words are the warehouse's, told independently from the snapshot table:
    a goal whose value now meets its target says it is met (achieved, or met now but at risk
    when its trend leaves it short); one whose deadline has passed is judged at the deadline."""
    path, _world, entity = warehouse
    at = _page("en", entity=entity.id)
    _clean(at)
    with duckdb.connect(str(path), read_only=True) as con:
        latest = dict(con.execute(
            "SELECT metric, arg_max(value, snapshot_date) FROM goal_snapshots WHERE entity_id = ? AND source = 'observed'"
            " GROUP BY metric", [entity.id]).fetchall())
        as_of = goals.goal_progress(con, entity_id=entity.id)["as_of"].iloc[0]
    sentences = _sentences(at)
    words = STATUS_WORD["en"]
    for goal in entity.goals:
        shown = _shown(Translator("en"), goal.metric, goal.target)
        mine = [s for s in sentences if f"target of {shown}" in s or f"target is {shown}" in s
                or f"target of at most {shown}" in s]
        assert mine, (goal, sentences)
        now = latest.get(goal.metric)
        if goal.deadline <= as_of:
            assert any(s.startswith((words["met at deadline"], words["missed at deadline"], words["deadline passed"]))
                       for s in mine)
            continue
        reached = now is not None and (now <= goal.target if goals.lower_is_better(goal.metric) else now >= goal.target)
        met = (words["achieved"] + ":", words["met at risk"] + ":")
        if reached:
            assert any(s.startswith(met) for s in mine)
        else:
            assert not any(s.startswith(met) for s in mine)
        assert not any(s.startswith(words["off track"]) for s in mine if "too little history" in s)


def test_an_entity_without_goals_says_so_without_registry_text(warehouse):
    _path, world, entity = warehouse
    other = next(e for e in world.entities if e.id != entity.id)
    for lang, words in (("en", "has no goals yet"), ("de", "noch keine Ziele")):
        at = _page(lang, entity=other.id)
        _clean(at)
        assert any(words in i.value for i in at.info)
        # the way goals are set belongs to the documentation, not on a council's page
        assert any("docs/reuse-and-goals.md" in m.value for m in at.markdown)
        assert not at.code and not any("[[entity.goal]]" in m.value for m in at.markdown)
        assert not at.get("vega_lite_chart")


def test_the_page_opens_on_the_first_entity_with_goals(warehouse):
    _path, _world, entity = warehouse
    at = _page("en")
    _clean(at)
    assert at.selectbox[0].value == entity.id
    # the entities without goals come after, and say so
    options = at.selectbox[0].options
    assert options[0] == entity.name and all(o.endswith("(no goals)") for o in options[1:])


def test_archetype_filter_narrows_the_entity_choice(warehouse):
    _path, world, entity = warehouse
    at = _page("de", entity=entity.id)
    archetype = next(e.archetype for e in world.entities if e.id == entity.id)
    at.sidebar.selectbox[1].set_value(archetype).run()
    _clean(at)
    same = {e.name for e in world.entities if e.archetype == archetype}
    # an entity without goals is named with "(keine Ziele)"
    assert {o.removesuffix(" (keine Ziele)") for o in at.selectbox[0].options} == same
    assert at.selectbox[0].value == entity.id
    other = next(e.archetype for e in world.entities if e.archetype != archetype)
    at.sidebar.selectbox[1].set_value(other).run()
    _clean(at)
    assert at.selectbox[0].value != entity.id
    assert {o.removesuffix(" (keine Ziele)") for o in at.selectbox[0].options} == \
        {e.name for e in world.entities if e.archetype == other}


def test_the_entity_chosen_on_the_attention_page_carries_over(warehouse):
    _path, world, entity = warehouse
    country = next(e.country for e in world.entities if e.id == entity.id)
    peers = sorted((e for e in world.entities if e.country == country), key=lambda e: e.name)
    chosen = peers[-1]  # not the first option, which a page falls back to
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["country"] = country
    at.switch_page("views/attention.py").run()
    _clean(at)
    at.selectbox[0].set_value(chosen.id).run()
    at.switch_page("views/goals.py").run()
    _clean(at)
    assert at.selectbox[0].value == chosen.id
    assert at.query_params["entity"] == chosen.id
