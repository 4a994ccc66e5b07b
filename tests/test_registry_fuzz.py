"""Fuzzing the registry gate: whatever the file holds, `load_registry` returns a Registry or raises a
RegistryError whose every problem names the file, and a registry that validates collects.

(a) any text or bytes as the file, plus deep nesting, huge numbers and odd unicode;
(b) TOML built from strategies close to the real schema (entities, accounts, goals, settings);
(c) valid generated registries collected for real against the forge simulator.

The default suite tries 1,400 files and 5 collections (about 30 s); the `matrix` variants ten times as
many (and 50 collections).
Hypothesis keeps no example database here (``database=None``), so runs leave no files behind.
"""

from __future__ import annotations

import shutil
import string
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from collectors.base import CollectorOptions
from collectors.registry import (
    ARCHETYPES,
    EARLIEST_DATE,
    FORGES,
    GOAL_METRICS,
    HEALTH_GOAL_METRICS,
    SCORE_METRICS,
    SHARE_METRICS,
    Registry,
    RegistryError,
    load_registry,
    parse_registry,
)
from collectors.simulator import ForgeSimulator, World

FILE = "fuzz.toml"
SECRET = "pw-never-echoed-7f3a"

# --- checking one input ---------------------------------------------------------------------------


def outcome(text: str, path: str = FILE) -> Registry | RegistryError:
    """parse_registry's answer; any exception other than RegistryError fails the test."""
    try:
        return parse_registry(text, path)
    except RegistryError as exc:
        return exc


def check_answer(answer: Registry | RegistryError, path: str = FILE) -> None:
    if isinstance(answer, RegistryError):
        assert answer.problems and answer.path == path
        for problem in answer.problems:
            assert problem.startswith(f"{path}: "), problem
            assert "\n" not in problem and "\r" not in problem, problem
            assert SECRET not in problem, problem
            assert "Traceback" not in problem
        return
    assert isinstance(answer, Registry) and answer.entities
    check_usable(answer)


def check_usable(registry: Registry) -> None:
    """What a collection does with an accepted registry must not raise: hosts, tokens, patterns,
    urls as the HTTP libraries parse them, dates and settings within the calendar."""
    if registry.since is not None:
        assert datetime(1970, 1, 1, tzinfo=UTC) <= registry.since <= datetime.now(UTC)
        registry.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for account in registry.accounts:
        parts = urlsplit(account.url)
        assert parts.scheme in ("http", "https") and parts.hostname
        assert parts.port is None or 1 <= parts.port <= 65535
        assert account.host and account.label
        account.token()
        account.wants("some-repo")
    for entity in registry.entities:
        for goal in entity.goals:
            assert 0 <= goal.target <= 1e9 and EARLIEST_DATE <= goal.deadline <= date(2100, 12, 31)
    now = datetime.now(UTC)
    lc = registry.lifecycle
    now - timedelta(days=lc.recent_days + lc.baseline_days)  # what the lifecycle metric computes
    assert 0 < lc.declining_ratio <= 10
    assert all(0 <= w <= 100 for w in registry.health_weights.as_dict().values())


# --- TOML out of Python values --------------------------------------------------------------------


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def toml_document(data: dict) -> str:
    """Top-level keys as `key = value` lines; tables and arrays of tables as inline values."""
    return "".join(f"{toml_string(k)} = {toml_value(v)}\n" for k, v in data.items())


# --- (a) any text, any bytes ----------------------------------------------------------------------

GOOD = """\
[defaults]
since = 2020-01-01
bots = ["dependabot[bot]"]

[[entity]]
id = "alpha"
name = "Alpha City"
country = "DE"
archetype = "local"
email_domains = ["alpha.example"]

  [[entity.account]]
  forge = "gitlab"
  owner = "alpha/city"
  url = "https://git.alpha.example"
  include = ["portal-*"]

  [[entity.goal]]
  metric = "osi_licence_share"
  target = 0.9
  deadline = 2026-12-31

[settings.lifecycle]
recent_days = 90

[settings.health_weights]
hygiene = 0.1
"""
TOML_ALPHABET = string.ascii_letters + string.digits + " \t\n[]{}=\"'.,#-:+_\\" + "eE\u202e\u00e9\U0001f3d9\x00\x7f"
odd_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=TOML_ALPHABET, max_size=300),
    st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Co", "So", "Mn")), max_size=40),
)
nesting = st.builds(
    lambda depth, kind: "deep = " + ("[" * depth + "]" * depth if kind else "{a = " * depth + "1" + "}" * depth) + "\n",
    st.integers(1, 20_000), st.booleans(),
)
huge_number = st.one_of(
    st.integers(min_value=-(10**500), max_value=10**500),
    st.integers(4000, 4600).map(lambda digits: "9" * digits),
    st.sampled_from(["inf", "-inf", "nan", "1e400", "-0.0", "0x7fffffffffffffff", "1_000_000"]),
).map(str)


@st.composite
def spliced(draw):
    """GOOD with something odd put in at a line start or in place of a value."""
    lines = GOOD.splitlines(keepends=True)
    at = draw(st.integers(0, len(lines)))
    piece = draw(st.one_of(odd_text, nesting, huge_number.map(lambda n: f"x = {n}\n")))
    if at < len(lines) and "=" in lines[at] and draw(st.booleans()):
        key = lines[at].split("=", 1)[0]
        lines[at] = f"{key}= {draw(st.one_of(huge_number, odd_text.map(toml_string)))}\n"
    else:
        lines.insert(at, piece)
    return "".join(lines)


def check_text(text: str) -> None:
    check_answer(outcome(text))


def check_bytes(data: bytes, folder: Path) -> None:
    path = folder / "fuzz.toml"
    path.write_bytes(data)
    try:
        answer = load_registry(path)
    except RegistryError as exc:
        answer = exc
    check_answer(answer, str(path))


any_text = st.one_of(odd_text, nesting, spliced())
any_bytes = st.one_of(
    st.binary(max_size=400),
    spliced().map(lambda t: t.encode("utf-8", "surrogatepass")),
    spliced().map(lambda t: t.encode("utf-16")),
    st.builds(lambda t, cut: t.encode("utf-8")[:cut], spliced(), st.integers(0, 600)),
)


@pytest.fixture(scope="module")
def folder():
    path = Path(tempfile.mkdtemp(prefix="registry-fuzz-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@settings(max_examples=600, deadline=None, database=None)
@given(text=any_text)
def test_any_text_gives_a_registry_or_a_registry_error(text):
    check_text(text)


@settings(max_examples=300, deadline=None, database=None)
@given(data=any_bytes)
def test_any_bytes_give_a_registry_or_a_registry_error(data, folder):
    check_bytes(data, folder)


@pytest.mark.matrix
@settings(max_examples=6000, deadline=None, database=None)
@given(text=any_text)
def test_any_text_matrix(text):
    check_text(text)


@pytest.mark.matrix
@settings(max_examples=3000, deadline=None, database=None)
@given(data=any_bytes)
def test_any_bytes_matrix(data, folder):
    check_bytes(data, folder)


def test_the_fixed_hard_cases():
    """Depths around the parser's recursion limit and the largest numbers, tried one by one."""
    for depth in (100, 300, 330, 340, 400, 1000, 100_000):
        for text in ("a = " + "[" * depth + "]" * depth, "a = " + "{b = " * depth + "1" + "}" * depth):
            check_text(text + "\n" + GOOD)
    for number in ("9" * 4300, "9" * 4301, str(2**63), str(-(2**63) - 1), "1e308", "1e309"):
        for key in ("recent_days", "hygiene"):
            check_text(GOOD.replace("recent_days = 90" if key == "recent_days" else "hygiene = 0.1", f"{key} = {number}"))
        check_text(GOOD.replace("target = 0.9", f"target = {number}"))


# --- (b) structured: close to the schema ----------------------------------------------------------

garbage = st.one_of(st.text(max_size=30), st.integers(-5, 10**30), st.floats(), st.booleans(), st.lists(st.integers(), max_size=2))


def maybe_garbage(strategy):
    """Mostly the strategy's (often valid) values, sometimes a value of any type: so that a fair
    share of the generated documents validates and the accepted side is tested too."""
    return weighted((20, strategy), (1, garbage))


def mostly(valid, odd):
    return weighted((8, valid), (1, odd))


def weighted(*choices):
    """one_of with weights (one_of draws its distinct branches about equally often)."""
    picks = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(range(len(picks))).flatmap(lambda i: picks[i])


def stray(table, key: str, value):
    """The table, now and then with a field the schema does not know (or forbids, like 'token')."""
    extra = weighted((7, st.none()), (1, value))
    return st.tuples(table, extra).map(lambda pair: pair[0] if pair[1] is None else {**pair[0], key: pair[1]})


valid_id = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)
name_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=220)
owner_text = st.from_regex(r"[A-Za-z0-9_.-]{1,20}(/[A-Za-z0-9_.-]{1,12}){0,3}", fullmatch=True)
any_date = st.one_of(
    st.dates(),
    st.datetimes(timezones=st.none() | st.integers(-1439, 1439).map(lambda m: timezone(timedelta(minutes=m)))),
)
host = st.one_of(
    st.sampled_from(["127.0.0.1", "git.example.org", "GHE.Example.org", "bücher.example", "[::1]", "[::1", "[fe80::1%25eth0]",
                     "[::ffff:127.0.0.1]", "", "-bad-", "a..b", "x_y.example", "exa mple.org", "ex\u202eample.org", "999.1.1.1"]),
    st.text(max_size=15),
)
port = st.one_of(st.just(""), st.sampled_from([":0", ":1", ":80", ":65535", ":65536", ":99999999999", ":", ":http", ":-1"]),
                 st.integers(-10, 10**6).map(lambda p: f":{p}"))
userinfo = st.sampled_from(["", "", "", "user@", f"user:{SECRET}@", f"oauth2:{SECRET}@", f":{SECRET}@"])
url_path = st.one_of(st.sampled_from(["", "/", "/api/v3", "/gitlab/", "/a b", "/%zz", "/x?y=1", "/x#f", "/é"]), st.text(max_size=10))
url = st.one_of(
    st.builds(lambda s, u, h, p, path: f"{s}://{u}{h}{p}{path}",
              st.sampled_from(["http", "https", "HTTPS", "ftp", "file", ""]), userinfo, host, port, url_path),
    st.text(max_size=40),
    garbage,
)
pattern = mostly(st.sampled_from(["*", "portal-*", "[a-m]*", "[", "?", "**", "*-old"]), st.text(max_size=20))



valid_url = st.builds(lambda s, h, p, path: f"{s}://{h}{p}{path}", st.sampled_from(["http", "https"]),
                      st.sampled_from(["127.0.0.1", "git.example.org", "[::1]", "bücher.example"]),
                      st.sampled_from(["", ":1", ":8080", ":65535"]), st.sampled_from(["", "/", "/api/v3", "/gitlab"]))

account = stray(st.fixed_dictionaries(
    {"forge": maybe_garbage(st.sampled_from(FORGES)), "owner": maybe_garbage(owner_text)},
    optional={
        "url": mostly(valid_url, url),
        "include": maybe_garbage(st.lists(pattern, max_size=4)),
        "exclude": maybe_garbage(st.lists(pattern, max_size=4)),
        "token_env": weighted((4, st.from_regex(r"[A-Z_][A-Z0-9_]{0,20}", fullmatch=True)),
                              (1, st.sampled_from(["PATH", "HOME", "1X", "A" * 129, "MY TOKEN", ""])), (1, garbage)),
    },
), "token", st.just(SECRET))
goal = stray(st.fixed_dictionaries(
    {
        "metric": maybe_garbage(st.sampled_from(GOAL_METRICS + HEALTH_GOAL_METRICS)),
        "target": weighted((4, st.floats(0, 1)), (1, st.integers(0, 100)), (1, st.floats()),
                           (1, st.integers(-(10**400), 10**400)), (1, garbage)),
        "deadline": maybe_garbage(mostly(st.dates(date(1970, 1, 1), date(2100, 12, 31)), any_date)),
    },
), "deadlines", any_date)
entity = stray(st.fixed_dictionaries(
    {
        "id": maybe_garbage(valid_id),
        "name": maybe_garbage(mostly(st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=80), name_text)),
        "country": maybe_garbage(mostly(st.sampled_from(["DE", "NL", "IT", "FR", "EU"]), st.sampled_from(["de", "DEU", ""]))),
        "archetype": maybe_garbage(st.sampled_from(ARCHETYPES)),
    },
    optional={
        "email_domains": maybe_garbage(st.lists(mostly(st.sampled_from(["alpha.example", "a.b.example"]), st.sampled_from(["@x", "X.ORG"])), max_size=3)),
        "account": maybe_garbage(st.lists(account, max_size=4)),
        "goal": maybe_garbage(st.lists(goal, max_size=3)),
    },
), "website", garbage)
days = weighted((6, st.integers(1, 36_500)), (1, st.integers(-5, 40_000)), (1, st.integers(-(10**40), 10**40)),
               (1, st.floats()), (1, garbage))
number = weighted((6, st.floats(0, 10)), (1, st.floats()), (1, st.integers(-(10**40), 10**40)), (1, garbage))
registry_data = st.fixed_dictionaries(
    {"entity": maybe_garbage(st.lists(entity, min_size=1, max_size=4))},
    optional={
        "defaults": maybe_garbage(st.fixed_dictionaries({}, optional={
            "since": maybe_garbage(mostly(st.dates(date(1970, 1, 1), date(2025, 12, 31)), any_date)), "bots": maybe_garbage(st.lists(st.text(max_size=20), max_size=3)),
            })),
        "alias": maybe_garbage(st.lists(st.fixed_dictionaries({"name": maybe_garbage(name_text)}, optional={
            "logins": maybe_garbage(st.lists(st.one_of(st.sampled_from(["github:erika", "gitlab:", "svn:x"]), st.text(max_size=20)), max_size=3)),
            "emails": maybe_garbage(st.lists(st.sampled_from(["Erika@Example.org", "erika", "a b@c"]), max_size=3)),
        }), max_size=3)),
        "settings": maybe_garbage(st.fixed_dictionaries({}, optional={
            "lifecycle": maybe_garbage(st.fixed_dictionaries({}, optional={
                "recent_days": days, "baseline_days": days, "inactive_days": days, "abandoned_days": days,
                "declining_ratio": number})),
            "health_weights": maybe_garbage(st.fixed_dictionaries({}, optional={
                k: number for k in ("activity", "responsiveness", "sustainability", "community", "hygiene", "release_cadence")})),
        })),
    },
)


def check_structured(data: dict) -> None:
    answer = outcome(toml_document(data))
    check_answer(answer)


@settings(max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=registry_data)
def test_structured_registries_give_a_registry_or_named_problems(data):
    # too_slow: the nested strategies draw many values per example; generation, not the check, is slow
    check_structured(data)


@pytest.mark.matrix
@settings(max_examples=5000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=registry_data)
def test_structured_matrix(data):
    check_structured(data)


def test_structured_generation_reaches_valid_registries():
    # a generator that never produced a valid registry would only ever test the error paths
    found = find(registry_data, lambda d: isinstance(outcome(toml_document(d)), Registry),
                 settings=settings(max_examples=2000, database=None, deadline=None, phases=[Phase.generate],
                                   suppress_health_check=[HealthCheck.too_slow]))  # no shrinking: any one will do
    check_usable(parse_registry(toml_document(found), FILE))


def test_the_serialiser_writes_what_the_registry_reads():
    # guards the generator itself: a valid document built here must validate
    data = {"defaults": {"since": date(2020, 1, 1)}, "entity": [{
        "id": "a", "name": 'Quote " and \\ and \u00e9 \U0001f3d9', "country": "DE", "archetype": "local",
        "account": [{"forge": "gitlab", "owner": "a/b", "url": "https://git.example.org/x", "include": ["p-*"]}],
        "goal": [{"metric": "health_score", "target": 70.5, "deadline": date(2030, 1, 1)}]}],
        "settings": {"lifecycle": {"recent_days": 30}}}
    registry = parse_registry(toml_document(data), FILE)
    assert registry.entities[0].name == 'Quote " and \\ and \u00e9 \U0001f3d9'
    assert registry.accounts[0].include == ("p-*",) and registry.lifecycle.recent_days == 30


# --- (c) what validates, collects -----------------------------------------------------------------

# a generous timeout: these examples test what validates, not timeouts, and a loaded machine
# can keep the simulator from answering within a second
FAST = CollectorOptions(timeout=10.0, max_rate_wait=1.0, retries=1, backoff=0.01)
PATTERNS = ["*", "*-*", "[a-m]*", "?*", "library-*", "*portal*", "x*"]


@pytest.fixture(scope="module")
def simulator():
    with ForgeSimulator(World(seed=7, activity_scale=0.15)) as sim:
        yield sim


@st.composite
def valid_registry(draw, sim: ForgeSimulator) -> tuple[str, set[str]]:
    """A registry that must validate: some of the simulator's real accounts and some unknown
    owners, spread over 1-3 entities; returns its text and the labels of the unknown accounts."""
    real = [(a.forge, a.path) for a in sim.world.accounts]
    picked = draw(st.lists(st.sampled_from(real), min_size=1, max_size=2, unique=True))
    unknown = draw(st.lists(st.tuples(st.sampled_from(FORGES), st.from_regex(r"nobody-[a-z0-9]{1,8}", fullmatch=True)),
                            max_size=2, unique_by=lambda t: (t[0], t[1].lower())))
    ids = draw(st.lists(valid_id, min_size=1, max_size=3, unique=True))
    entities = [{
        "id": eid,
        "name": draw(st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=60).filter(str.strip)),
        "country": draw(st.sampled_from(["DE", "NL", "IT", "EU"])),
        "archetype": draw(st.sampled_from(ARCHETYPES)),
        "account": [],
    } for eid in ids]
    for forge, owner in picked + unknown:
        acc = {"forge": forge, "owner": owner,
               "url": sim.url(forge) + draw(st.sampled_from(["", "/"]))}
        if draw(st.booleans()):
            acc["include"] = draw(st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3))
        if draw(st.booleans()):
            acc["exclude"] = draw(st.lists(st.sampled_from(PATTERNS[1:]), max_size=2))
        if draw(st.booleans()):
            acc["token_env"] = draw(st.from_regex(r"FUZZ_[A-Z]{1,6}_TOKEN", fullmatch=True))
        draw(st.sampled_from(entities))["account"].append(acc)
    for e in entities:
        metric = draw(st.sampled_from(GOAL_METRICS + HEALTH_GOAL_METRICS))
        high = 1 if metric in SHARE_METRICS else 100 if metric in SCORE_METRICS else 1e9
        e["goal"] = [{"metric": metric, "target": draw(st.floats(0, high)),
                      "deadline": draw(st.dates(EARLIEST_DATE, date(2100, 12, 31)))}]
        if not e["account"]:
            del e["account"]
    recent = draw(st.integers(1, 36_500))
    inactive = draw(st.integers(1, 36_500))
    data = {
        "defaults": {"since": draw(st.dates(EARLIEST_DATE, date.today()))},
        "entity": entities,
        "settings": {
            "lifecycle": {"recent_days": recent, "baseline_days": draw(st.integers(recent, 36_500)),
                          "inactive_days": inactive, "abandoned_days": draw(st.integers(inactive, 36_500)),
                          "declining_ratio": draw(st.floats(0.01, 10))},
            "health_weights": {"activity": draw(st.floats(0.01, 100)), "hygiene": draw(st.floats(0, 100))},
        },
    }
    return toml_document(data), {f"{forge}:{owner}" for forge, owner in unknown}


def check_collects(sim: ForgeSimulator, text: str, unknown: set[str]) -> None:
    from warehouse.pipeline import RunSummary, collect

    registry = parse_registry(text, FILE)  # must validate: the strategy only makes valid ones
    sim.reset_budgets()
    workdir = Path(tempfile.mkdtemp(prefix="registry-collect-"))
    try:
        summary = collect(registry, workdir / "fuzz.duckdb", options=FAST)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    assert isinstance(summary, RunSummary)
    assert len(summary.accounts) == len(registry.accounts)
    for result in summary.accounts:
        if result.label in unknown:
            assert result.status == "failed" and result.errors, result
            assert all(result.label in e for e in result.errors), result.errors
        else:
            assert result.status == "ok", result


def collect_test(max_examples: int):
    @settings(max_examples=max_examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def run(simulator, data):
        # too_slow: each example is a whole collection, slow by nature
        text, unknown = data.draw(valid_registry(simulator), label="registry")
        check_collects(simulator, text, unknown)

    return run


test_what_validates_collects = collect_test(max_examples=5)
test_what_validates_collects_matrix = pytest.mark.matrix(collect_test(max_examples=50))
