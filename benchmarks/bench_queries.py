"""Dashboard query times on a synthetic warehouse at the design scale.

The design's bar: every dashboard query under 150 ms at 100 entities, 20,000 repositories,
5 million commits and 1 million issues and change requests. This script builds such a warehouse
directly in DuckDB (deterministic: hash-based, no randomness between runs), runs the steps a
collection ends with (identities, metric facts, materialised results, reuse, goals), then times
every query function the dashboard calls through a read-only snapshot connection, as the
dashboard opens it.

Run: python benchmarks/bench_queries.py [--db PATH] [--keep [--resettle]] [--scale 1.0] [--repeat 5]
                                        [--results benchmarks/RESULTS.md]
Building takes several minutes at full scale; --keep reuses a warehouse built earlier at PATH.
Prints Markdown tables; with --results, also appends them to that file as a dated section.
Numbers, never asserted in unit tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb

from collectors.registry import ARCHETYPES, Registry, parse_registry
from warehouse import goals, metrics, reuse
from warehouse.identities import rebuild_identities
from warehouse.metrics import Scope
from warehouse.pages import activity_figures, directory, run_log
from warehouse.reader import open_readonly
from warehouse.schema import migrate
from warehouse.state import sync_registry

ENTITIES = 100
REPOS = 20_000
COMMITS = 5_000_000
ITEMS = 1_000_000
PERSONS_PER_ENTITY = 300
COUNTRIES = ("DE", "NL", "IT", "FR", "DK", "EU")
BAR_MS = 150.0


def registry_text(entities: int) -> str:
    """100 entities with a GitHub organisation and an openCoDE group each, and some goals."""
    out = ["[defaults]\nsince = 2015-01-01\nbots = [\"dependabot[bot]\"]\n"]
    for i in range(entities):
        goals_text = (
            '  [[entity.goal]]\n  metric = "public_repos"\n  target = 50\n  deadline = 2027-12-31\n'
            '  [[entity.goal]]\n  metric = "osi_licence_share"\n  target = 0.8\n  deadline = 2027-12-31\n'
        )
        if i % 4 == 0:
            goals_text += '  [[entity.goal]]\n  metric = "health_score"\n  target = 60\n  deadline = 2027-12-31\n'
        if i % 5 == 0:
            goals_text += ('  [[entity.goal]]\n  metric = "median_first_response_hours"\n  target = 48\n'
                           '  deadline = 2027-12-31\n')
        out.append(
            f'[[entity]]\nid = "e{i:03d}"\nname = "Gemeinde Ort{i:03d}"\ncountry = "{COUNTRIES[i % len(COUNTRIES)]}"\n'
            f'archetype = "{ARCHETYPES[i % len(ARCHETYPES)]}"\nemail_domains = ["e{i:03d}.example"]\n'
            f'  [[entity.account]]\n  forge = "github"\n  owner = "org{i:03d}"\n'
            f'  [[entity.account]]\n  forge = "opencode"\n  owner = "grp{i:03d}"\n{goals_text}\n'
        )
    return "\n".join(out)


# Every random choice is a hash of the row's coordinates, so the warehouse is the same each run.
_MACROS = """
CREATE OR REPLACE TEMP MACRO rnd(a, b) AS (hash(a, b) % 1000003) / 1000003.0;
CREATE OR REPLACE TEMP MACRO rnd3(a, b, c) AS (hash(a, b, c) % 1000003) / 1000003.0;
"""


def build(con: duckdb.DuckDBPyConnection, registry: Registry, scale: float, end: datetime) -> None:
    """Fill a migrated warehouse with the synthetic world; ``end`` is its last moment."""
    n_repos, n_commits, n_items = int(REPOS * scale), int(COMMITS * scale), int(ITEMS * scale)
    con.execute(_MACROS)
    p = {"end": end, "n": n_repos, "ents": ENTITIES, "ppe": PERSONS_PER_ENTITY}

    def run(sql: str, **extra) -> None:
        used = {k: v for k, v in {**p, **extra}.items() if f"${k}" in sql}
        con.execute(sql, used)

    # Repositories: entity sizes heavy-tailed (the largest has about 900), 15% on openCoDE,
    # a stage of life each: active, declining, inactive, abandoned, empty.
    run("""
        CREATE TEMP TABLE gen_repos AS
        SELECT i,
               floor($ents * pow(rnd(i, 1), 1.5))::INTEGER AS e,
               rnd(i, 2) < 0.15 AS oc,
               CASE WHEN rnd(i, 5) < 0.45 THEN 'active' WHEN rnd(i, 5) < 0.60 THEN 'declining'
                    WHEN rnd(i, 5) < 0.80 THEN 'inactive' WHEN rnd(i, 5) < 0.95 THEN 'abandoned'
                    ELSE 'empty' END AS stage,
               -- weight of the repository's activity: heavy-tailed over a random rank
               1.0 / pow((hash(i, 6) % $n) + 30, 1.2) AS w
        FROM range($n) t(i)
    """)
    run("""
        CREATE TEMP TABLE gen_repo AS
        SELECT g.*,
               CASE WHEN oc THEN 'opencode' ELSE 'github' END AS forge,
               CASE WHEN oc THEN 'gitlab.opencode.de' ELSE 'github.com' END AS host,
               CASE WHEN oc THEN 'grp' ELSE 'org' END || lpad(e::VARCHAR, 3, '0') AS owner,
               CASE WHEN oc THEN 'grp' ELSE 'org' END || lpad(e::VARCHAR, 3, '0') || '/repo-' || i AS path,
               'e' || lpad(e::VARCHAR, 3, '0') AS entity_id,
               $end::TIMESTAMPTZ - to_days(CASE stage WHEN 'active' THEN (rnd(i, 8) * 10)::INTEGER
                    WHEN 'declining' THEN 40 + (rnd(i, 8) * 30)::INTEGER
                    WHEN 'inactive' THEN 200 + (rnd(i, 8) * 150)::INTEGER
                    ELSE 400 + (rnd(i, 8) * 1500)::INTEGER END) AS last_at
        FROM gen_repos g
    """)
    run("""
        CREATE TEMP TABLE gen_span AS
        SELECT *, last_at - to_days(60 + (rnd(i, 9) * 2500)::INTEGER) AS created_at,
               CASE WHEN stage = 'empty' THEN 0
                    ELSE round($commits * w / sum(w) FILTER (WHERE stage <> 'empty') OVER ())::INTEGER END AS n_commits,
               CASE WHEN stage = 'empty' THEN 0
                    ELSE round($items * w / sum(w) FILTER (WHERE stage <> 'empty') OVER ())::INTEGER END AS n_items
        FROM gen_repo
    """, commits=n_commits, items=n_items)
    run("""
        INSERT INTO repos (forge, host, path, entity_id, account_owner, name, description, html_url, default_branch,
                           license_spdx, topics, language, archived, is_fork, fork_parent, stars, forks_count,
                           open_issues, created_at, pushed_at, updated_at)
        SELECT forge, host, path, entity_id, owner, 'repo-' || i, 'Repository ' || i, 'https://' || host || '/' || path,
               'main',
               ['MIT', 'Apache-2.0', 'EUPL-1.2', 'GPL-3.0-or-later', 'NOASSERTION', NULL, 'AGPL-3.0-only',
                'CC-BY-4.0'][1 + (hash(i, 10) % 8)::INTEGER],
               ['civic-tech'], 'Python', rnd(i, 11) < 0.08, rnd(i, 3) < 0.05,
               CASE WHEN rnd(i, 3) < 0.05 THEN 'org' || lpad((hash(i, 12) % $ents)::VARCHAR, 3, '0')
                    || '/repo-' || (hash(i, 13) % $n) END,
               (hash(i, 14) % 50)::INTEGER, (hash(i, 15) % 5)::INTEGER, 0, created_at, last_at, last_at
        FROM gen_span
    """)
    # Commits: authors are mostly the entity's own people (a core of a few, a long tail), 8% from
    # other entities, 5% dependabot; GitLab commits carry no login. Declining repositories had
    # most of their activity long ago.
    run("""
        CREATE TEMP TABLE gen_commit AS
        SELECT s.i, s.forge, s.host, s.path, s.e, s.stage, k,
               CASE WHEN s.stage = 'declining'
                    THEN s.created_at + (s.last_at - s.created_at) * pow(rnd3(s.i, k, 20), 2.0)
                    ELSE s.created_at + (s.last_at - s.created_at) * pow(rnd3(s.i, k, 20), 0.7) END AS t_at,
               (CASE WHEN rnd3(s.i, k, 21) < 0.05 THEN -1
                    WHEN rnd3(s.i, k, 21) < 0.13
                    THEN ((s.e + 1 + hash(s.i, k, 22) % ($ents - 1)) % $ents) * $ppe + (hash(s.i, k, 23) % 40)
                    ELSE s.e * $ppe + ((hash(s.i, 24) % $ppe + floor(60 * pow(rnd3(s.i, k, 25), 4))::BIGINT) % $ppe)
               END)::BIGINT AS person
        FROM gen_span s, range(s.n_commits) t(k)
        WHERE s.stage <> 'empty'
    """)
    run("""
        INSERT INTO commits (forge, host, repo_path, sha, author_name, author_email, author_login, authored_at,
                             committer_name, committer_email, committer_login, committed_at, message)
        SELECT forge, host, path, md5(path || ':' || k),
               CASE WHEN person < 0 THEN 'dependabot[bot]' ELSE 'Person ' || person END AS name,
               CASE WHEN person < 0 THEN '49699333+dependabot[bot]@users.noreply.github.com'
                    WHEN person % 10 < 7 THEN 'p' || person || '@e' || lpad((person // $ppe)::VARCHAR, 3, '0') || '.example'
                    ELSE 'p' || person || '@gmail.com' END AS email,
               CASE WHEN forge = 'opencode' THEN NULL WHEN person < 0 THEN 'dependabot[bot]' ELSE 'u' || person END,
               t_at, 'GitHub', 'noreply@github.com', NULL, t_at, 'change ' || k
        FROM gen_commit
    """)
    # A hundred mirrors: openCoDE copies of GitHub repositories of the same entity.
    run("""
        CREATE TEMP TABLE gen_mirror AS
        SELECT s.*, 'grp' || lpad(s.e::VARCHAR, 3, '0') || '/mirror-' || s.i AS mpath
        FROM gen_span s WHERE s.forge = 'github' AND s.stage = 'active' AND s.n_commits BETWEEN 20 AND 2000
        ORDER BY hash(s.i, 30) LIMIT 100
    """)
    run("""
        INSERT INTO repos (forge, host, path, entity_id, account_owner, name, html_url, default_branch, license_spdx,
                           archived, is_fork, stars, forks_count, open_issues, created_at, pushed_at, updated_at)
        SELECT 'opencode', 'gitlab.opencode.de', mpath, entity_id, 'grp' || lpad(e::VARCHAR, 3, '0'),
               'mirror-' || i, 'https://gitlab.opencode.de/' || mpath, 'main', 'EUPL-1.2', false, false, 0, 0, 0,
               created_at + INTERVAL 30 DAY, last_at, last_at
        FROM gen_mirror
    """)
    run("""
        INSERT INTO commits (forge, host, repo_path, sha, author_name, author_email, author_login, authored_at,
                             committer_name, committer_email, committer_login, committed_at, message)
        SELECT 'opencode', 'gitlab.opencode.de', m.mpath, c.sha, c.author_name, c.author_email, NULL,
               c.authored_at, c.committer_name, c.committer_email, NULL, c.committed_at, c.message
        FROM commits c JOIN gen_mirror m ON c.forge = 'github' AND c.host = 'github.com' AND c.repo_path = m.path
    """)
    # Issues (60%) and change requests; a fifth still open; answered mostly within days.
    run("""
        CREATE TEMP TABLE gen_item AS
        SELECT s.i, s.forge, s.host, s.path, s.e, k + 1 AS number,
               CASE WHEN rnd3(s.i, k, 40) < 0.6 THEN 'issue' ELSE 'change_request' END AS kind,
               s.created_at + (s.last_at - s.created_at) * pow(rnd3(s.i, k, 41), 0.7) AS created,
               rnd3(s.i, k, 42) AS r_state,
               (CASE WHEN rnd3(s.i, k, 43) < 0.04 THEN -1
                    ELSE s.e * $ppe + ((hash(s.i, 24) % $ppe + floor(120 * pow(rnd3(s.i, k, 44), 3))::BIGINT) % $ppe)
                END)::BIGINT AS person
        FROM gen_span s, range(s.n_items) t(k)
        WHERE s.stage <> 'empty'
    """)
    run("""
        INSERT INTO items (forge, host, repo_path, number, kind, title, state, author_login, created_at, updated_at,
                           closed_at, merged_at, labels, comments_count, draft)
        SELECT forge, host, path, number, kind, 'Item ' || number,
               CASE WHEN r_state < 0.2 THEN 'open' WHEN kind = 'change_request' AND r_state < 0.8 THEN 'merged'
                    ELSE 'closed' END,
               CASE WHEN person < 0 THEN 'dependabot[bot]' ELSE 'u' || person END,
               created, least(created + to_days((pow(rnd(number, i), 3) * 60)::INTEGER), $end::TIMESTAMPTZ),
               CASE WHEN r_state >= 0.2 THEN least(created + to_days((pow(rnd(number, i), 3) * 60)::INTEGER),
                                                   $end::TIMESTAMPTZ) END,
               CASE WHEN r_state >= 0.2 AND kind = 'change_request' AND r_state < 0.8
                    THEN least(created + to_days((pow(rnd(number, i), 3) * 60)::INTEGER), $end::TIMESTAMPTZ) END,
               [], 0, false
        FROM gen_item
    """)
    # About 1.5 comments per item; GitLab notes, a fifth of them system notes.
    run("""
        INSERT INTO comments (forge, host, repo_path, comment_id, item_kind, item_number, kind, author_login,
                              created_at, updated_at, system)
        SELECT g.forge, g.host, g.path, row_number() OVER () AS comment_id, g.kind, g.number,
               CASE WHEN g.forge = 'opencode' THEN 'note'
                    WHEN g.kind = 'change_request' AND rnd3(g.i, g.number, c) < 0.3 THEN 'review_comment'
                    ELSE 'comment' END,
               CASE WHEN rnd3(g.i, g.number * 7 + c, 50) < 0.1 THEN (CASE WHEN g.person < 0 THEN 'dependabot[bot]'
                                                                        ELSE 'u' || g.person END)
                    ELSE 'u' || (g.e * $ppe + (hash(g.i, g.number, c, 51) % 80))::BIGINT END,
               least(g.created + to_minutes((pow(rnd3(g.i, g.number, 52 + c), 2) * 14400)::INTEGER), $end::TIMESTAMPTZ),
               NULL, g.forge = 'opencode' AND rnd3(g.i, g.number, 60 + c) < 0.2
        FROM gen_item g, range((hash(g.i, g.number, 53) % 4)::INTEGER) t(c)
    """)
    run("""
        INSERT INTO releases (forge, host, repo_path, tag, name, published_at, prerelease)
        SELECT forge, host, path, 'v' || k, 'Release ' || k,
               created_at + (last_at - created_at) * ((k + 1) / (1.0 + least(50, 1 + n_commits // 60))),
               rnd3(i, k, 70) < 0.1
        FROM gen_span, range(least(50, 1 + n_commits // 60)::INTEGER) t(k)
        WHERE rnd(i, 71) < 0.4 AND stage <> 'empty'
    """)
    run("""
        INSERT INTO forks (forge, host, repo_path, fork_path, fork_owner, created_at, pushed_at)
        SELECT DISTINCT ON (forge, host, path, fork_owner) forge, host, path,
               fork_owner || '/repo-' || i, fork_owner, created_at + INTERVAL 100 DAY, NULL
        FROM (
            SELECT s.*, CASE WHEN rnd3(s.i, f, 81) < 0.3
                             THEN CASE WHEN s.forge = 'github' THEN 'org' ELSE 'grp' END
                                  || lpad(((s.e + 1 + hash(s.i, f, 82) % ($ents - 1)) % $ents)::VARCHAR, 3, '0')
                             ELSE 'user' || (hash(s.i, f, 83) % 100000) END AS fork_owner
            FROM gen_span s, range(1 + (hash(s.i, 84) % 4)::INTEGER) t(f)
            WHERE rnd(s.i, 80) < 0.08
        )
    """)
    run("""
        INSERT INTO root_files (forge, host, repo_path, has_readme, has_license, has_contributing,
                                has_code_of_conduct, has_security, has_publiccode, publiccode_sha, files)
        SELECT forge, host, path, rnd(i, 90) < 0.9, rnd(i, 91) < 0.8, rnd(i, 92) < 0.3, rnd(i, 93) < 0.2,
               rnd(i, 94) < 0.1, rnd(i, 95) < 0.15, CASE WHEN rnd(i, 95) < 0.15 THEN md5('pc' || i) END,
               ['README.md']
        FROM gen_span WHERE rnd(i, 96) < 0.9
    """)
    run("""
        INSERT INTO publiccode (forge, host, repo_path, blob_sha, valid, errors, version, name, license,
                                used_by, is_based_on, maintenance_type, maintenance_until)
        SELECT forge, host, path, md5('pc' || i), rnd(i, 97) < 0.9, [], '0.4', 'Repo ' || i,
               ['EUPL-1.2', 'MIT', 'AGPL-3.0-or-later'][1 + (hash(i, 98) % 3)::INTEGER],
               list_transform(range((hash(i, 99) % 4)::INTEGER),
                              lambda x: 'Gemeinde Ort' || lpad(((e + 1 + hash(i, x, 100) % ($ents - 1)) % $ents)::VARCHAR, 3, '0')),
               CASE WHEN rnd(i, 101) < 0.3 THEN ['https://github.com/org' || lpad(((e + 7) % $ents)::VARCHAR, 3, '0')
                                                 || '/repo-' || (hash(i, 102) % $n)] ELSE [] END,
               'contract', ($end::TIMESTAMPTZ - to_days(365) + to_days((rnd(i, 103) * 730)::INTEGER))::DATE
        FROM gen_span WHERE rnd(i, 95) < 0.15 AND rnd(i, 96) < 0.9
    """)
    run("""
        INSERT INTO members (forge, host, account_owner, login, name)
        SELECT 'github', 'github.com', 'org' || lpad(e::VARCHAR, 3, '0'), 'u' || (e * $ppe + m), 'Person ' || (e * $ppe + m)
        FROM range($ents) t(e), range(80) u(m)
    """)
    for table in ("gen_repos", "gen_repo", "gen_span", "gen_commit", "gen_mirror", "gen_item"):
        con.execute(f"DROP TABLE {table}")


def settle(con: duckdb.DuckDBPyConnection, registry: Registry, as_of: datetime) -> list[tuple[str, float]]:
    """The steps a collection ends with (warehouse.pipeline._settle), timed one by one."""
    steps = [
        ("rebuild_identities", lambda: rebuild_identities(con, registry)),
        ("refresh_metric_facts", lambda: metrics.refresh_metric_facts(con)),
        ("refresh_metric_results (new)", lambda: metrics.refresh_metric_results(con, as_of)),
        ("refresh_reuse (with the stored edges and summaries, new)", lambda: reuse.refresh_reuse(con)),
        ("sync_goals", lambda: goals.sync_goals(con, registry)),
        ("write_snapshots (goal metrics, reconstructed history)",
         lambda: goals.write_snapshots(con, registry, today=as_of.date(), refresh=False)),
    ]
    out = []
    con.execute("BEGIN")
    for name, step in steps:
        started = time.perf_counter()
        step()
        out.append((name, time.perf_counter() - started))
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    return out


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, int]:
    """Median and best of ``repeat`` warm runs, in milliseconds, and the rows of the answer."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    rows = len(result) if hasattr(result, "__len__") else 1
    return statistics.median(times), min(times), rows


def query_cases(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Callable[[], object]]]:
    sizes = con.execute(
        "SELECT entity_id, count(*) AS n FROM repos GROUP BY entity_id ORDER BY n DESC, entity_id"
    ).fetchall()
    big, typical = sizes[0][0], sizes[len(sizes) // 2][0]
    one = con.execute(
        "SELECT r.forge, r.host, r.path FROM repos r JOIN commits c ON c.forge = r.forge AND c.host = r.host"
        " AND c.repo_path = r.path WHERE r.entity_id = ? GROUP BY ALL ORDER BY count(*) DESC LIMIT 1", [big]
    ).fetchall()[0]
    sizes_of = dict(sizes)
    b = f"entity {big} ({sizes_of[big]} repos)"
    t = f"entity {typical} ({sizes_of[typical]} repos)"
    r = "its busiest repository"
    m = metrics
    return [
        ("directory.entities", lambda: directory.entities(con)),
        ("activity_figures.entity_overview (all entities)", lambda: activity_figures.entity_overview(con)),
        (f"activity_figures.entity_repos, {b}", lambda: activity_figures.entity_repos(con, big)),
        (f"activity_figures.commits_per_month, {b}", lambda: activity_figures.commits_per_month(con, big)),
        ("run_log.data_freshness", lambda: run_log.data_freshness(con)),
        (f"metrics.health_score by repo, {b}", lambda: m.health_score(con, Scope("repo", entity_id=big))),
        (f"metrics.health_score by repo, {t}", lambda: m.health_score(con, Scope("repo", entity_id=typical))),
        ("metrics.health_score by repo, all repositories", lambda: m.health_score(con, Scope("repo"))),
        ("metrics.health_score by entity, all entities", lambda: m.health_score(con, Scope("entity"))),
        (f"metrics.health_score by entity, {b}", lambda: m.health_score(con, Scope("entity", entity_id=big))),
        ("metrics.health_score by archetype", lambda: m.health_score(con, Scope("archetype"))),
        ("metrics.health_score by ecosystem", lambda: m.health_score(con, Scope("ecosystem"))),
        (f"metrics.health_parts, {r}", lambda: m.health_parts(con, Scope(repo=one))),
        (f"metrics.health_parts, {b}", lambda: m.health_parts(con, Scope(entity_id=big))),
        (f"metrics.lifecycle, {b}", lambda: m.lifecycle(con, Scope(entity_id=big))),
        ("metrics.lifecycle, all repositories", lambda: m.lifecycle(con)),
        ("metrics.lifecycle_summary by entity, all entities", lambda: m.lifecycle_summary(con, Scope("entity"))),
        ("metrics.lifecycle_summary by ecosystem", lambda: m.lifecycle_summary(con, Scope("ecosystem"))),
        (f"metrics.attention_list, {b}", lambda: m.attention_list(con, Scope(entity_id=big))),
        ("metrics.attention_list, all repositories", lambda: m.attention_list(con)),
        (f"metrics.activity_per_month by entity, {b}", lambda: m.activity_per_month(con, Scope("entity", entity_id=big))),
        (f"metrics.activity_per_month, {r}", lambda: m.activity_per_month(con, Scope("repo", repo=one))),
        ("metrics.activity_per_month by ecosystem", lambda: m.activity_per_month(con, Scope("ecosystem"))),
        (f"metrics.last_activity, {b}", lambda: m.last_activity(con, Scope(entity_id=big))),
        ("metrics.absence_factor by entity, all entities", lambda: m.absence_factor(con, Scope("entity"))),
        (f"metrics.absence_factor by repo, {b}", lambda: m.absence_factor(con, Scope("repo", entity_id=big))),
        ("metrics.elephant_factor by entity, all entities", lambda: m.elephant_factor(con, Scope("entity"))),
        ("metrics.inactive_contributors by entity, all entities", lambda: m.inactive_contributors(con, Scope("entity"))),
        (f"metrics.time_to_first_response by entity, {b}", lambda: m.time_to_first_response(con, Scope("entity", entity_id=big))),
        ("metrics.time_to_first_response by entity, all entities", lambda: m.time_to_first_response(con, Scope("entity"))),
        ("metrics.change_request_ratios by entity, all entities", lambda: m.change_request_ratios(con, Scope("entity"))),
        ("metrics.issue_age by entity, all entities", lambda: m.issue_age(con, Scope("entity"))),
        (f"metrics.issue_resolution_duration by entity, {b}", lambda: m.issue_resolution_duration(con, Scope("entity", entity_id=big))),
        ("metrics.release_frequency by entity, all entities", lambda: m.release_frequency(con, Scope("entity"))),
        ("metrics.technical_forks by entity, all entities", lambda: m.technical_forks(con, Scope("entity"))),
        (f"metrics.technical_fork_list, {b}", lambda: m.technical_fork_list(con, Scope(entity_id=big))),
        (f"metrics.hygiene, {b}", lambda: m.hygiene(con, Scope(entity_id=big))),
        ("metrics.hygiene, all repositories", lambda: m.hygiene(con)),
        ("reuse.entity_edges, all", lambda: reuse.entity_edges(con)),
        (f"reuse.entity_edges, {b}", lambda: reuse.entity_edges(con, big)),
        ("reuse.entity_reuse_summary, all entities", lambda: reuse.entity_reuse_summary(con)),
        (f"reuse.projects, {b}", lambda: reuse.projects(con, big)),
        ("reuse.mirrors", lambda: reuse.mirrors(con)),
        (f"goals.goal_progress, {b}", lambda: goals.goal_progress(con, entity_id=big)),
        ("goals.goal_progress, all entities", lambda: goals.goal_progress(con)),
        (f"goals.goal_history, {b}", lambda: goals.goal_history(con, big)),
        # Calls the stored results do not answer: computed live, for comparison.
        ("live: metrics.health_score by entity, other weights (stored part scores)",
         lambda: m.health_score(con, Scope("entity"), weights={"hygiene": 0.5})),
        (f"live: metrics.lifecycle, {b}, other thresholds",
         lambda: m.lifecycle(con, Scope(entity_id=big), thresholds=m.LifecycleThresholds(inactive_days=120))),
        ("live: metrics.absence_factor by entity, all entities, 90 days",
         lambda: m.absence_factor(con, Scope("entity"), days=90)),
        # Another period of the sidebar at the collection's moment: the window's inputs live.
        ("window: metrics.health_score by entity, all entities, 90 days",
         lambda: m.health_score(con, Scope("entity"), days=90)),
        (f"window: metrics.health_score by repo, {t}, 90 days",
         lambda: m.health_score(con, Scope("repo", entity_id=typical), days=90)),
        ("window: metrics.attention_list, all repositories, 90 days", lambda: m.attention_list(con, days=90)),
        ("live: metrics.health_score by entity, all entities, a day earlier",
         lambda: m.health_score(con, Scope("entity"), now=m.as_of(con) - timedelta(days=1))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="where to build (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="reuse the warehouse at --db if it exists")
    parser.add_argument("--resettle", action="store_true",
                        help="with --keep: run the steps after collection again before timing")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the design scale")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (median reported)")
    parser.add_argument("--results", type=Path, help="append the tables to this Markdown file")
    args = parser.parse_args()
    lines: list[str] = []

    def out(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "bench.duckdb"
    registry = parse_registry(registry_text(ENTITIES), "bench.toml")
    out(f"## Dashboard queries at the design scale ({datetime.now(UTC):%Y-%m-%d})")
    out()
    out(f"`python benchmarks/bench_queries.py`: {os.cpu_count()} cores, DuckDB {duckdb.__version__},"
        f" load average {os.getloadavg()[0]:.1f} at the start.")
    out()
    fresh = not (args.keep and args.db.exists())
    if fresh or args.resettle:
        if fresh:
            args.db.unlink(missing_ok=True)
        con = duckdb.connect(str(args.db))
        migrate(con)
        sync_registry(con, registry)
        if fresh:
            end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
            started = time.perf_counter()
            build(con, registry, args.scale, end)
            con.execute("CHECKPOINT")
            out(f"Synthetic warehouse built in {time.perf_counter() - started:.0f} s.")
            out()
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("entities", "repos", "commits", "items", "comments", "releases", "forks", "publiccode")}
        out(", ".join(f"{n:,} {t}" for t, n in counts.items()) + ".")
        out()
        steps = settle(con, registry, datetime.now(UTC))
        con.close()
        out("| step after collection | seconds |")
        out("|---|---|")
        for name, seconds in steps:
            out(f"| {name} | {seconds:.1f} |")
        out()
    con = open_readonly(args.db)
    try:
        out(f"Read through a read-only snapshot connection, as the dashboard reads; results as of"
            f" {metrics.as_of(con):%Y-%m-%d %H:%M} UTC (stored results fresh: {metrics.metric_results_fresh(con)},"
            f" reuse tables fresh: {reuse.reuse_fresh(con)}); {args.repeat} warm runs each.")
        out()
        out(f"| query | rows | median ms | best ms | under {BAR_MS:.0f} ms |")
        out("|---|---|---|---|---|")
        for name, fn in query_cases(con):
            ms, best, rows = timed(fn, args.repeat)
            out(f"| {name} | {rows:,} | {ms:,.0f} | {best:,.0f} | {'yes' if ms < BAR_MS else '**no**'} |")
    finally:
        con.close()
        if tmp is not None:
            tmp.cleanup()
    if args.results is not None:
        with args.results.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
