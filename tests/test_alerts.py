"""`ossdash alerts`: each new alert arrives once per channel, a failing channel catches up later.

Real parts only: the forge simulator on loopback, real `ossdash collect --alerts` processes, a
real SMTP server (aiosmtpd) and a real HTTP receiver on 127.0.0.1, Apprise delivering to them,
and a refused port as the failing channel.
"""

from __future__ import annotations

import email
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller

from collectors.registry import (
    ALERT_RULES,
    RegistryError,
    load_registry,
    parse_registry,
)
from collectors.simulator import ForgeSimulator, World
from dashboard.commands.alerts import render
from warehouse.alert_delivery import BUNDLE, Journal, StoredAlert, record_conditions
from warehouse.alert_rules import Condition
from warehouse.alerts import run_alerts
from warehouse.goals import goal_progress
from warehouse.schema import migrate

CLI_TIMEOUT = 180
# The alert id closes the text of every alert: "(rule|entity|subject|occurrence)."
ALERT_ID = re.compile(r"\(([a-z_]+\|[^\s()]+\|\d+)\)\.$", re.MULTILINE)
REASON_RULE = {
    "inactive": "inactive", "abandoned": "abandoned", "unanswered_issue": "unanswered",
    "unanswered_change_request": "unanswered", "contract_expired": "contract", "contract_expiring": "contract",
    "single_maintainer": "single_maintainer",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content,
                                                      policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port(), ready_timeout=5)
    controller.start()
    try:
        yield controller.port, box
    finally:
        controller.stop()


@pytest.fixture
def receiver():
    posts: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            posts.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port, posts
    finally:
        server.shutdown()
        server.server_close()


def _with_blocks(text: str, blocks: dict[str, str]) -> str:
    """The simulator's registry with extra lines at the end of some entities' tables."""
    parts = text.split("[[entity]]\n")
    out = [parts[0]]
    for part in parts[1:]:
        entity_id = part.split('"')[1]
        out.append(part.rstrip("\n") + "\n" + blocks.get(entity_id, "") + "\n")
    return "[[entity]]\n".join(out)


NEUSTADT = """
  [[entity.alerts]]
  channel = "apprise"
  url_env = "TEST_ALERT_MAIL"

  [[entity.alerts]]
  channel = "apprise"
  url_env = "TEST_ALERT_HOOK"
  rules = ["unanswered", "account"]

  [[entity.alerts]]
  channel = "jsonl"
  path = "neustadt-alerts.jsonl"
"""
HAVENSTAD = """
  [[entity.alerts]]
  channel = "apprise"
  url_env = "TEST_ALERT_LATE"

  [[entity.alerts]]
  channel = "stdout"
"""


def _expected(db: Path, registry, entity_id: str, rules=ALERT_RULES) -> set[str]:
    """Alert keys (rule|entity|subject) of the conditions the published warehouse holds."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        keys = set()
        for reason, forge, host, path, kind, number, since in con.execute(
            "SELECT reason, forge, host, path, item_kind, item_number, since FROM attention_findings "
            "WHERE entity_id = ?", [entity_id]
        ).fetchall():
            rule = REASON_RULE.get(reason)
            subject = f"{forge}:{host}/{path}"
            if rule == "unanswered":
                subject += f"#{kind}:{number}"
            elif rule == "contract":
                subject += f"@{reason.removeprefix('contract_')}:{since.astimezone(UTC).date().isoformat()}"
            if rule:
                keys.add(f"{rule}|{entity_id}|{subject}")
        progress = goal_progress(con, registry, entity_id=entity_id)
        for row in progress.itertuples():
            if row.status in ("at risk", "off track", "met at risk"):
                keys.add(f"goal|{entity_id}|{row.metric}@{row.deadline}:{row.status.replace(' ', '_')}")
        accounts = con.execute(
            "SELECT forge, host, owner, list(status ORDER BY run_id DESC)[1:2] FROM run_accounts "
            "WHERE entity_id = ? GROUP BY ALL", [entity_id]).fetchall()
        for forge, host, owner, last in accounts:
            if len(last) == 2 and all(s in ("failed", "skipped") for s in last):
                keys.add(f"account|{entity_id}|{forge}:{host}/{owner}")
        return {k for k in keys if k.split("|")[0] in rules}
    finally:
        con.close()


def _ids(texts) -> list[str]:
    """The alert ids in messages (one alert's, or several in one Apprise message)."""
    found = []
    for text in texts:
        ids = ALERT_ID.findall(text.replace("\r\n", "\n"))
        assert ids, f"no alert id in {text!r}"
        found += ids
    return found


def _key(alert_id: str) -> str:
    return alert_id.rsplit("|", 1)[0]


def _collect(registry_path: Path, db: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: PLW1510 - the exit code is what the test checks
        [sys.executable, "-m", "dashboard.cli", "collect", "--config", str(registry_path), "--db", str(db),
         "--alerts"], capture_output=True, text=True, env=env, timeout=CLI_TIMEOUT,
    )


def test_three_collections_deliver_each_alert_once_and_a_failed_channel_catches_up(tmp_path, smtp, receiver):
    smtp_port, mailbox = smtp
    http_port, posts = receiver
    refused = _free_port()  # nothing listens there: connection refused
    # The world's clock stands 40 days back, so what a test adds now is weeks old by the time the
    # pipeline (which uses the real clock) looks: an issue added now is unanswered past 14 days.
    world = World(seed=7, now=datetime.now(UTC).replace(microsecond=0) - timedelta(days=40), activity_scale=0.15)
    db = tmp_path / "ossdash.duckdb"
    env = {**os.environ,
           "TEST_ALERT_MAIL": f"mailto://127.0.0.1:{smtp_port}?to=ospo@neustadt.example"
                              "&from=ossdash@neustadt.example&mode=insecure",
           "TEST_ALERT_HOOK": f"json://127.0.0.1:{http_port}/neustadt",
           "TEST_ALERT_LATE": f"json://127.0.0.1:{refused}/havenstad"}
    with ForgeSimulator(world) as sim:
        registry_path = tmp_path / "registry.toml"
        registry_path.write_text(_with_blocks(sim.registry_toml(goals=True),
                                              {"neustadt": NEUSTADT, "havenstad": HAVENSTAD}), encoding="utf-8")
        registry = load_registry(registry_path)
        mail_seen: list[str] = []
        hook_seen: list[str] = []
        jsonl = tmp_path / "neustadt-alerts.jsonl"
        expected: dict[str, list[set[str]]] = {"neustadt": [], "havenstad": []}

        def run_once(exit_code: int):
            done = _collect(registry_path, db, env)
            # The collection's own exit code: a failing alert channel never changes it.
            assert done.returncode == exit_code, done.stderr[-2000:]
            for entity_id, found in expected.items():
                found.append(_expected(db, registry, entity_id))
            return done

        def new_in(entity_id: str, index: int, rules=ALERT_RULES) -> set[str]:
            now = expected[entity_id][index]
            before = expected[entity_id][index - 1] if index else set()
            return {k for k in now - before if k.split("|")[0] in rules}

        def delivered_since(seen: list[str], texts: list[str]) -> list[str]:
            fresh = texts[len(seen):]
            seen.extend(fresh)
            return fresh

        # Run 1: everything that holds is new.
        first = run_once(0)
        mails = _ids(delivered_since(mail_seen, [m.get_body(("plain",)).get_content() for m in mailbox.messages]))
        hooks = _ids(delivered_since(hook_seen, [p["message"] for path, p in posts if path == "/neustadt"]))
        assert sorted(mails) == sorted(f"{k}|1" for k in new_in("neustadt", 0))
        assert sorted(hooks) == sorted(f"{k}|1" for k in new_in("neustadt", 0, ("unanswered", "account")))
        assert any(k.startswith("unanswered|") for k in new_in("neustadt", 0)), "the world should have unanswered items"
        assert "channel apprise:TEST_ALERT_LATE failed" in first.stderr and "connection" in first.stderr.lower()
        # The stdout channel: havenstad's alerts, in English for a Dutch city, once each.
        printed = ALERT_ID.findall(first.stdout)
        assert sorted(printed) == sorted(f"{k}|1" for k in new_in("havenstad", 0))
        assert "Raised on" in first.stdout and "Gemeldet" not in first.stdout

        # Run 2: on openCoDE an issue nobody answers and an answer to an old unanswered one; and
        # neustadt's GitHub account starts failing (401, no retry).
        unanswered = sorted(k for k in new_in("neustadt", 0) if k.startswith("unanswered|neustadt|opencode:"))
        answered_key = unanswered[0]
        answered_repo = answered_key.split("/", 2)[2].split("#")[0]
        kind, number = answered_key.rsplit("#", 1)[1].split(":")
        world.advance(5)
        world.add_comment("opencode", answered_repo, kind, int(number),
                          author_login=_other_person(world, answered_repo))
        new_issue = world.add_item("opencode", answered_repo, "issue")
        fault = sim.faults.reflect(status=401, forge="github", path="stadt-neustadt", times=None)
        second = run_once(1)  # partial: the failing account
        planted = f"unanswered|neustadt|opencode:{sim.url('opencode').split('://')[1]}"
        mails = _ids(delivered_since(mail_seen, [m.get_body(("plain",)).get_content() for m in mailbox.messages]))
        hooks = _ids(delivered_since(hook_seen, [p["message"] for path, p in posts if path == "/neustadt"]))
        assert sorted(mails) == sorted(f"{k}|1" for k in new_in("neustadt", 1))
        assert sorted(hooks) == sorted(f"{k}|1" for k in new_in("neustadt", 1, ("unanswered", "account")))
        assert f"{planted}/{answered_repo}#issue:{new_issue}|1" in hooks, hooks
        assert answered_key not in expected["neustadt"][1], "an answered issue is no longer a condition"
        assert "channel apprise:TEST_ALERT_LATE failed" in second.stderr

        # Run 3: the account fails a second time in a row, and the refused channel works again.
        world.advance(5)
        env["TEST_ALERT_LATE"] = f"json://127.0.0.1:{http_port}/havenstad"
        third = run_once(1)
        sim.faults.remove(fault)
        mails = _ids(delivered_since(mail_seen, [m.get_body(("plain",)).get_content() for m in mailbox.messages]))
        hooks = _ids(delivered_since(hook_seen, [p["message"] for path, p in posts if path == "/neustadt"]))
        github_host = sim.url("github").split("://")[1].removesuffix("/api/v3")
        account_key = f"account|neustadt|github:{github_host}/stadt-neustadt"
        assert account_key in new_in("neustadt", 2)
        assert sorted(mails) == sorted(f"{k}|1" for k in new_in("neustadt", 2))
        assert sorted(hooks) == sorted(f"{k}|1" for k in new_in("neustadt", 2, ("unanswered", "account")))
        assert f"{account_key}|1" in hooks
        assert "TEST_ALERT_LATE" not in third.stderr, third.stderr[-2000:]

    # The late channel got every havenstad alert of the three runs, once each, in run 3 only.
    late = _ids(p["message"] for path, p in posts if path == "/havenstad")
    backlog = new_in("havenstad", 0) | new_in("havenstad", 1) | new_in("havenstad", 2)
    assert backlog and sorted(late) == sorted(f"{k}|1" for k in backlog)
    # Once each, on every channel, across the three runs.
    for ids in (_ids(mail_seen), _ids(hook_seen), late):
        assert len(ids) == len(set(ids))
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["alert_id"] for line in lines) == sorted(_ids(mail_seen))
    assert {line["language"] for line in lines} == {"de"}  # a German city's alerts are German
    assert all("Gemeldet am" in m for m in mail_seen)
    assert all("Raised on" in p["message"] for path, p in posts if path == "/havenstad")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM alert_deliveries WHERE status <> 'delivered'").fetchone()[0] == 0
        attempts = dict(con.execute(
            "SELECT alert_id, attempts FROM alert_deliveries WHERE channel_id = 'apprise:TEST_ALERT_LATE'").fetchall())
    finally:
        con.close()
    # Tried in every run until it worked: alerts of run 1 three times, of run 2 twice, of run 3 once.
    assert attempts == {f"{k}|1": 3 - n for n in range(3) for k in new_in("havenstad", n)}
    # Apprise messages bundle up to BUNDLE alerts of one entity: a few mails, not one per alert.
    assert len(mailbox.messages) == sum(math.ceil(len(new_in("neustadt", n)) / BUNDLE) for n in range(3)) == 3


def _other_person(world: World, repo_path: str) -> str:
    repo = world.repo("opencode", repo_path)
    authors = {i.author.login for i in repo.items}
    return next(p.login for p in world.people if p.login not in authors and not p.login.endswith("[bot]"))


# --- the state machine, the journal, the command's exits, the registry, the texts ----------------


def _state_db():
    con = duckdb.connect(":memory:")
    migrate(con)
    return con


def test_a_condition_alerts_once_while_it_holds_and_again_when_it_returns():
    registry = parse_registry(
        '[[entity]]\nid = "x"\nname = "X"\ncountry = "DE"\narchetype = "local"\n'
        '[[entity.alerts]]\nchannel = "stdout"\n[[entity.alerts]]\nchannel = "jsonl"\npath = "a.jsonl"\n'
        'rules = ["goal"]\n')
    con = _state_db()
    unanswered = Condition("unanswered", "x", "github:github.com/x/app#issue:1")
    goal = Condition("goal", "x", "public_repos@2027-12-31:at_risk")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)

    def pending(channel_id):
        return sorted(r[0] for r in con.execute(
            "SELECT alert_id FROM alert_deliveries WHERE channel_id = ? AND status = 'pending'", [channel_id]).fetchall())

    raised, cleared = record_conditions(con, registry, [unanswered, goal], t0)
    assert sorted(raised) == sorted([f"{unanswered.key}|1", f"{goal.key}|1"]) and cleared == []
    assert pending("stdout") == sorted(raised) and pending("jsonl:a.jsonl") == [f"{goal.key}|1"]
    # Still holding: nothing new.
    assert record_conditions(con, registry, [unanswered, goal], t0 + timedelta(days=1)) == ([], [])
    # The issue was answered: cleared, not alerted.
    assert record_conditions(con, registry, [goal], t0 + timedelta(days=2)) == ([], [f"{unanswered.key}|1"])
    # It is unanswered again (reopened, say): a new occurrence, a new alert.
    raised, _ = record_conditions(con, registry, [goal, unanswered], t0 + timedelta(days=3))
    assert raised == [f"{unanswered.key}|2"]
    assert con.execute("SELECT count(*) FROM alerts").fetchone()[0] == 3


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A small collected warehouse and its registry text (the simulator is gone afterwards)."""
    from warehouse.pipeline import collect

    folder = tmp_path_factory.mktemp("alerts")
    world = World(seed=7, activity_scale=0.15)
    with ForgeSimulator(world) as sim:
        text = sim.registry_toml()
        summary = collect(parse_registry(text, str(folder / "registry.toml")), folder / "ossdash.duckdb")
    assert summary.status == "ok"
    return folder / "ossdash.duckdb", text


def _copy(collected, tmp_path, blocks: dict[str, str]):
    db = tmp_path / "ossdash.duckdb"
    shutil.copyfile(collected[0], db)
    path = tmp_path / "registry.toml"
    path.write_text(_with_blocks(collected[1], blocks), encoding="utf-8")
    return db, path, load_registry(path)


class _Dies:
    """A renderer that dies (as a crash would) after ``after`` messages."""

    def __init__(self, after: int):
        self.after = after
        self.calls = 0

    def __call__(self, alerts, language):
        if self.calls >= self.after:
            raise KeyboardInterrupt  # stands for the process dying mid-delivery
        self.calls += 1
        return render(alerts, language)


def test_a_pass_that_dies_mid_delivery_resends_nothing_and_loses_nothing(collected, tmp_path):
    db, _, registry = _copy(collected, tmp_path, {"neustadt": '  [[entity.alerts]]\n  channel = "jsonl"\n'
                                                               '  path = "out.jsonl"\n'})
    out = tmp_path / "out.jsonl"
    before = db.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        run_alerts(registry, db, _Dies(after=3), sys.stdout)
    assert db.read_bytes() == before, "a pass that died published nothing"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert len(Journal(db).entries()) == 3
    result = run_alerts(registry, db, render, sys.stdout)
    assert result.recovered == 3 and result.ok
    ids = [json.loads(line)["alert_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids)) == len(result.raised) > 3, "each alert once, none lost"
    # The next pass finds everything delivered and empties the journal.
    again = run_alerts(registry, db, render, sys.stdout)
    assert (again.raised, again.delivered, again.recovered) == ([], 0, 0)
    assert Journal(db).entries() == []


def _alerts_cli(db: Path, registry_path: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: PLW1510 - the exit code is what the test checks
        [sys.executable, "-m", "dashboard.cli", "alerts", "--config", str(registry_path), "--db", str(db),
         "--timeout", "3"], capture_output=True, text=True, env=env or dict(os.environ), timeout=CLI_TIMEOUT,
    )


def test_the_command_exits_truthfully_and_an_unset_variable_fails_only_its_channel(collected, tmp_path):
    from warehouse.lock import CollectionLock

    db, path, _ = _copy(collected, tmp_path, {
        "neustadt": '  [[entity.alerts]]\n  channel = "apprise"\n  url_env = "TEST_ALERT_UNSET"\n'
                    '  [[entity.alerts]]\n  channel = "jsonl"\n  path = "out.jsonl"\n',
    })
    env = {k: v for k, v in os.environ.items() if k != "TEST_ALERT_UNSET"}
    with CollectionLock(db):
        busy = _alerts_cli(db, path, env)
    assert busy.returncode == 3 and "another collection is writing" in busy.stderr
    missing = _alerts_cli(tmp_path / "none.duckdb", path, env)
    assert missing.returncode == 2 and "no warehouse at" in missing.stderr
    done = _alerts_cli(db, path, env)
    assert done.returncode == 1, done.stderr
    assert "channel apprise:TEST_ALERT_UNSET failed: TEST_ALERT_UNSET is not set" in done.stderr
    assert "Traceback" not in done.stderr
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines, "the other channel was not held up"
    con = duckdb.connect(str(db), read_only=True)
    try:
        pending = con.execute("SELECT count(*) FROM alert_deliveries WHERE status = 'pending'").fetchone()[0]
    finally:
        con.close()
    assert pending == len(lines), "the unset channel keeps every alert for the next run"
    # The variable set, with a URL holding a secret that cannot be reached: reported without the secret.
    env["TEST_ALERT_UNSET"] = f"json://alice:s3cr3t-p4ss@127.0.0.1:{_free_port()}/hook"
    refused = _alerts_cli(db, path, env)
    assert refused.returncode == 1 and "s3cr3t-p4ss" not in refused.stderr + refused.stdout


def _registry_problems(extra: str) -> list[str]:
    text = '[[entity]]\nid = "muc"\nname = "München"\ncountry = "DE"\narchetype = "local"\n' + extra
    with pytest.raises(RegistryError) as info:
        parse_registry(text, "cities.toml")
    return info.value.problems


@pytest.mark.parametrize("extra, expected", [
    ('[[entity.alerts]]\nchannel = "apprise"\nurl = "mailto://u:p@example.org"\nurl_env = "MUC_URL"\n',
     "cities.toml: entity 'muc': alerts #1: field 'url': alert URLs carry secrets"),
    ('[[entity.alerts]]\nchannel = "apprise"\n', "cities.toml: entity 'muc': alerts #1: field 'url_env': required"),
    ('[[entity.alerts]]\nchannel = "apprise"\nurl_env = "PATH"\n', "field 'url_env': PATH holds no Apprise URL"),
    ('[[entity.alerts]]\nchannel = "sms"\n', "alerts #1: field 'channel': 'sms' is not one of stdout, jsonl, apprise"),
    ('[[entity.alerts]]\nchannel = "jsonl"\n', "alerts #1: field 'path': required for a jsonl channel"),
    ('[[entity.alerts]]\nchannel = "stdout"\nrules = ["inactiv"]\n', "field 'rules': 'inactiv' is not an alert rule"),
    ('[[entity.alerts]]\nchannel = "stdout"\n[[entity.alerts]]\nchannel = "stdout"\n',
     "alerts #2: channel stdout is already listed"),
    ('language = "fr"\n', "cities.toml: entity 'muc': field 'language': 'fr' is not one of en, de"),
    ('alert_unanswered_days = 0\n', "field 'alert_unanswered_days': must be a whole number of days"),
])
def test_registry_refuses_bad_alert_channels_with_file_entity_and_field(extra, expected):
    problems = _registry_problems(extra)
    assert any(expected in p for p in problems), problems
    assert all("mailto://u:p@" not in p for p in problems)


def test_registry_alert_language_defaults_from_the_country():
    text = "".join(
        f'[[entity]]\nid = "e{i}"\nname = "E"\ncountry = "{country}"\narchetype = "local"\n{extra}'
        for i, (country, extra) in enumerate([("DE", ""), ("AT", ""), ("CH", ""), ("NL", ""), ("DE", 'language = "en"\n'),
                                              ("IT", 'language = "de"\n')]))
    registry = parse_registry(text)
    assert [e.alert_language for e in registry.entities] == ["de", "de", "de", "en", "en", "de"]
    channel = parse_registry(text + '[[entity.alerts]]\nchannel = "apprise"\nurl_env = "X_URL"\n').entities[-1].alerts[0]
    assert (channel.channel_id, channel.rules) == ("apprise:X_URL", ALERT_RULES)


SAMPLE_FACTS = {
    "inactive": {"repo": "org/app", "days": 200.4, "since": "2026-05-01T00:00:00+00:00"},
    "abandoned": {"repo": "org/app", "days": 400.0, "since": "2025-10-01T00:00:00+00:00"},
    "unanswered": {"repo": "org/app", "days": 20.0, "since": "2026-11-01T00:00:00+00:00", "item_kind": "change_request",
                   "item_number": 7, "url": "https://git.example.org/org/app/-/merge_requests/7"},
    "contract": {"repo": "org/app", "reason": "contract_expiring", "days": -30.0, "since": "2027-01-01T00:00:00+00:00"},
    "single_maintainer": {"repo": "org/app"},
    "goal": {"metric": "publiccode_share", "status": "at risk", "value": 0.5, "target": 0.8, "projected": 0.7,
             "deadline": "2027-12-31", "unit": "share"},
    "account": {"forge": "github", "owner": "it-at-m", "runs": 2, "error": "github:it-at-m: cannot reach\x1b[31m host"},
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_rule_has_its_text_in_both_languages(language):
    alerts = [StoredAlert(f"{rule}|muc|s|1", rule, "muc", "s", {**facts, "entity_name": "München"},
                          datetime(2026, 12, 1, tzinfo=UTC)) for rule, facts in SAMPLE_FACTS.items()]
    for alert in alerts:
        message = render([alert], language)
        assert message.title.startswith("München: ") and alert.alert_id in message.body
        assert "{" not in message.title + message.body and "\x1b" not in message.body
    bundle = render(alerts, language)
    assert ("7 new alerts" if language == "en" else "7 neue Hinweise") in bundle.title
    assert ALERT_ID.findall(bundle.body) == [a.alert_id for a in alerts]
    assert ("50%" if language == "en" else "50\u00a0%") in render([alerts[5]], language).body


def test_an_alerts_process_killed_between_two_deliveries_resends_nothing(collected, tmp_path):
    """SIGKILL while the second channel's message is on its way: the first is never sent again."""
    import signal

    arrived = threading.Event()
    accepted: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if self.path == "/b" and not arrived.is_set():
                arrived.set()  # the test kills the sender now; this one is never answered
                threading.Event().wait(3)
                return
            self.send_response(200)
            self.end_headers()
            accepted.append((self.path, body["message"]))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        channel = '  [[entity.alerts]]\n  channel = "apprise"\n  url_env = "{}"\n'
        db, path, _ = _copy(collected, tmp_path, {"neustadt": channel.format("TEST_HOOK_A"),
                                                  "havenstad": channel.format("TEST_HOOK_B")})
        env = {**os.environ, "TEST_HOOK_A": f"json://127.0.0.1:{server.server_port}/a",
               "TEST_HOOK_B": f"json://127.0.0.1:{server.server_port}/b"}
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "alerts", "--config", str(path), "--db", str(db)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert arrived.wait(60), f"the second channel was never tried: {process.poll()}"
            process.send_signal(signal.SIGKILL)
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
        first_a = [m for p, m in accepted if p == "/a"]
        assert len(first_a) == 1 and not [m for p, m in accepted if p == "/b"]
        assert len(Journal(db).entries()) == len(_ids(first_a))
        again = _alerts_cli(db, path, env)
        assert again.returncode == 0, again.stderr
        assert "found sent by an unfinished earlier run" in again.stderr
    finally:
        server.shutdown()
        server.server_close()
    a_ids = _ids(m for p, m in accepted if p == "/a")
    b_ids = _ids(m for p, m in accepted if p == "/b")
    assert len(a_ids) == len(set(a_ids)) and len(b_ids) == len(set(b_ids)) and b_ids
    assert {i.split("|")[1] for i in a_ids} == {"neustadt"} and {i.split("|")[1] for i in b_ids} == {"havenstad"}
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM alert_deliveries WHERE status <> 'delivered'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM alert_deliveries").fetchone()[0] == len(a_ids) + len(b_ids)
    finally:
        con.close()
