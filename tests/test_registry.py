"""The registry: the shipped cities.toml, validation errors, and Account behaviour."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from collectors.base import CollectorOptions
from collectors.registry import (
    ARCHETYPES,
    BADGE_GOAL_METRICS,
    FORGES,
    GOAL_METRICS,
    HEALTH_GOAL_METRICS,
    LOWER_IS_BETTER,
    MAX_FILE_BYTES,
    PUBLIC_CODE_GOAL_METRICS,
    SCORE_METRICS,
    SHARE_METRICS,
    Account,
    HealthWeights,
    LifecycleSettings,
    RegistryError,
    load_registry,
    parse_registry,
)
from collectors.simulator import ForgeSimulator, World

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED = REPO_ROOT / "cities.toml"

# A small valid registry that each bad case below breaks in exactly one place.
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
  forge = "github"
  owner = "alpha-city"

  [[entity.goal]]
  metric = "osi_licence_share"
  target = 0.9
  deadline = 2026-12-31

[[entity]]
id = "beta"
name = "Beta Agency"
country = "NL"
archetype = "national"

  [[entity.account]]
  forge = "opencode"
  owner = "beta/sub-group"
"""


def errors_of(text: str, path: str = "test.toml") -> list[str]:
    with pytest.raises(RegistryError) as info:
        parse_registry(text, path)
    assert info.value.problems, "a RegistryError must list its problems"
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def one_error(text: str, path: str = "test.toml") -> str:
    problems = errors_of(text, path)
    assert len(problems) == 1, problems
    return problems[0]


# --- the shipped registry ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_registry(SHIPPED)


def test_shipped_registry_loads(shipped):
    assert shipped.path == str(SHIPPED)
    assert shipped.since is not None and shipped.since.tzinfo is not None
    assert all(a.forge in FORGES for a in shipped.accounts)


def test_shipped_registry_is_broad(shipped):
    assert len(shipped.entities) >= 12
    assert len({e.country for e in shipped.entities}) >= 6
    archetypes = {e.archetype for e in shipped.entities}
    assert len(archetypes) >= 4
    assert archetypes <= set(ARCHETYPES)
    assert all(e.accounts for e in shipped.entities), "every entity needs at least one account"


def test_shipped_munich_has_github_and_opencode(shipped):
    munich = shipped.entity("munich")
    assert munich.country == "DE"
    assert munich.archetype == "local"
    accounts = {(a.forge, a.owner, a.host) for a in munich.accounts}
    assert ("github", "it-at-m", "github.com") in accounts
    assert ("opencode", "landeshauptstadt-muenchen", "gitlab.opencode.de") in accounts
    assert "muenchen.de" in munich.email_domains


def test_shipped_registry_holds_no_tokens():
    text = SHIPPED.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        assert not line.strip().startswith("token ="), line
        assert "ghp_" not in line and "glpat-" not in line, line


def test_shipped_goals_are_in_range(shipped):
    goals = [g for e in shipped.entities for g in e.goals]
    assert goals
    for g in goals:
        if g.metric.endswith("_share"):
            assert 0 <= g.target <= 1


# --- a good registry -----------------------------------------------------------------------------


def test_good_registry_parses():
    reg = parse_registry(GOOD, "good.toml")
    assert [e.id for e in reg.entities] == ["alpha", "beta"]
    assert reg.bots == ("dependabot[bot]",)
    assert reg.since.date() == date(2020, 1, 1)
    alpha = reg.entity("alpha")
    assert alpha.goals[0].metric == "osi_licence_share"
    assert alpha.goals[0].target == 0.9
    assert alpha.goals[0].deadline == date(2026, 12, 31)
    assert reg.entity("beta").accounts[0].owner == "beta/sub-group"
    assert reg.entity("beta").email_domains == ()
    with pytest.raises(KeyError):
        reg.entity("gamma")


def test_aliases_parse():
    text = GOOD + """
[[alias]]
name = "Erika"
logins = ["github:erika", "opencode:emustermann"]
emails = ["Erika@Example.org"]
"""
    reg = parse_registry(text)
    assert reg.aliases[0].logins == ("github:erika", "opencode:emustermann")
    assert reg.aliases[0].emails == ("erika@example.org",)


# --- each kind of bad registry -------------------------------------------------------------------


def test_file_not_found(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(RegistryError) as info:
        load_registry(missing)
    assert str(missing) in str(info.value)
    assert "not found" in str(info.value)


def test_load_names_the_file(tmp_path):
    bad = tmp_path / "mine.toml"
    bad.write_text(GOOD.replace('forge = "github"', 'forge = "bitbucket"'), encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(bad)
    assert info.value.path == str(bad)
    assert all(p.startswith(f"{bad}: ") for p in info.value.problems)


def test_malformed_toml_names_the_line():
    text = GOOD.replace('name = "Beta Agency"', 'name = "Beta Agency')  # unterminated string
    line = GOOD.splitlines().index('name = "Beta Agency"') + 1
    msg = one_error(text)
    assert msg.startswith("test.toml: ")
    assert "malformed TOML" in msg
    assert f"line {line}," in msg


def test_unknown_forge():
    msg = one_error(GOOD.replace('forge = "github"', 'forge = "bitbucket"'))
    assert msg.startswith("test.toml: ")
    assert "entity 'alpha'" in msg
    assert "field 'forge'" in msg
    assert "bitbucket" in msg


def test_duplicate_id():
    msg = one_error(GOOD.replace('id = "beta"', 'id = "alpha"'))
    assert "entity 'alpha'" in msg
    assert "field 'id'" in msg
    assert "duplicate" in msg


def test_bad_archetype():
    msg = one_error(GOOD.replace('archetype = "local"', 'archetype = "city"'))
    assert "entity 'alpha'" in msg
    assert "field 'archetype'" in msg
    assert "'city'" in msg


def test_missing_owner():
    msg = one_error(GOOD.replace('  owner = "alpha-city"\n', ""))
    assert "entity 'alpha'" in msg
    assert "account #1" in msg
    assert "field 'owner'" in msg


def test_github_owner_is_not_a_path():
    msg = one_error(GOOD.replace('owner = "alpha-city"', 'owner = "alpha-city/some-repo"'))
    assert "entity 'alpha'" in msg and "field 'owner'" in msg


def test_token_in_file_is_rejected_without_echoing_it():
    secret = "fake-token-do-not-echo-0123"
    text = GOOD.replace('owner = "alpha-city"', f'owner = "alpha-city"\n  token = "{secret}"')
    msg = one_error(text)
    assert "entity 'alpha'" in msg
    assert "field 'token'" in msg
    assert "environment" in msg
    assert secret not in msg


@pytest.mark.parametrize(
    "where, text",
    [
        ("entity 'alpha'", GOOD.replace('id = "alpha"', 'id = "alpha"\ntoken = "s3cret-value"')),
        ("[defaults]", GOOD.replace("since = 2020-01-01", 'since = 2020-01-01\ntoken = "s3cret-value"')),
        ("top level", 'token = "s3cret-value"\n' + GOOD),
    ],
    ids=["entity", "defaults", "top-level"],
)
def test_token_anywhere_is_rejected(where, text):
    msg = one_error(text)
    assert where in msg and "field 'token'" in msg
    assert "s3cret-value" not in msg


def test_url_with_credentials_is_rejected_without_echoing_them():
    text = GOOD.replace(
        'owner = "beta/sub-group"', 'owner = "beta/sub-group"\n  url = "https://oauth2:glpat-secret@git.example.org"'
    )
    msg = one_error(text)
    assert "entity 'beta'" in msg and "field 'url'" in msg
    assert "glpat-secret" not in msg


def test_bad_url():
    msg = one_error(GOOD.replace('owner = "alpha-city"', 'owner = "alpha-city"\n  url = "ghe.example.org"'))
    assert "entity 'alpha'" in msg and "field 'url'" in msg


def test_bad_goal_metric():
    msg = one_error(GOOD.replace('metric = "osi_licence_share"', 'metric = "stars"'))
    assert "entity 'alpha'" in msg
    assert "goal #1" in msg
    assert "field 'metric'" in msg
    assert "'stars'" in msg


def test_bad_deadline():
    msg = one_error(GOOD.replace("deadline = 2026-12-31", 'deadline = "end of 2026"'))
    assert "entity 'alpha'" in msg
    assert "goal #1" in msg
    assert "field 'deadline'" in msg


def test_share_target_out_of_range():
    msg = one_error(GOOD.replace("target = 0.9", "target = 90"))
    assert "entity 'alpha'" in msg and "field 'target'" in msg


def test_bad_target():
    msg = one_error(GOOD.replace("target = 0.9", 'target = "most"'))
    assert "entity 'alpha'" in msg and "field 'target'" in msg


def test_unknown_field():
    msg = one_error(GOOD.replace('archetype = "local"', 'archetype = "local"\nwebsite = "https://alpha.example"'))
    assert "entity 'alpha'" in msg
    assert "field 'website'" in msg
    assert "unknown field" in msg


@pytest.mark.parametrize(
    "where, field, text",
    [
        ("account #1", "include_repos", GOOD.replace('owner = "alpha-city"', 'owner = "alpha-city"\n  include_repos = ["x"]')),
        ("goal #1", "deadlines", GOOD.replace("deadline = 2026-12-31", "deadline = 2026-12-31\n  deadlines = 2027-01-01")),
        ("[defaults]", "sinc", GOOD.replace("since = 2020-01-01", "since = 2020-01-01\nsinc = 2019-01-01")),
        ("top level", "entities", "entities = 3\n" + GOOD),
    ],
    ids=["account", "goal", "defaults", "top-level"],
)
def test_unknown_field_elsewhere(where, field, text):
    msg = one_error(text)
    assert where in msg and f"field '{field}'" in msg and "unknown field" in msg


def test_bad_country():
    msg = one_error(GOOD.replace('country = "DE"', 'country = "Germany"'))
    assert "entity 'alpha'" in msg
    assert "field 'country'" in msg
    assert "'Germany'" in msg


def test_bad_email_domain():
    msg = one_error(GOOD.replace('["alpha.example"]', '["@alpha.example"]'))
    assert "entity 'alpha'" in msg and "field 'email_domains'" in msg


def test_same_account_twice():
    twice = GOOD.replace('owner = "beta/sub-group"', 'owner = "Alpha-City"').replace('forge = "opencode"', 'forge = "github"')
    msg = one_error(twice)
    assert "entity 'beta'" in msg and "already listed under entity 'alpha'" in msg
    same_entity = GOOD.replace(
        '  [[entity.goal]]', '  [[entity.account]]\n  forge = "github"\n  owner = "alpha-city"\n\n  [[entity.goal]]'
    )
    msg = one_error(same_entity)
    assert "entity 'alpha'" in msg and "already listed" in msg


def test_every_problem_is_reported_at_once():
    text = (
        GOOD.replace('forge = "github"', 'forge = "bitbucket"')
        .replace('country = "NL"', 'country = "nl"')
        .replace('metric = "osi_licence_share"', 'metric = "stars"')
    )
    problems = errors_of(text)
    assert len(problems) == 3
    joined = "\n".join(problems)
    assert "field 'forge'" in joined and "field 'country'" in joined and "field 'metric'" in joined
    assert "entity 'beta'" in joined


def test_no_entities():
    msg = one_error("[defaults]\nsince = 2020-01-01\n")
    assert "entity" in msg


# --- settings -------------------------------------------------------------------------------------


def test_settings_default_when_absent():
    reg = parse_registry(GOOD)
    assert reg.lifecycle == LifecycleSettings()
    assert reg.health_weights == HealthWeights()


def test_settings_parse_over_the_defaults():
    reg = parse_registry(GOOD + """
[settings.lifecycle]
inactive_days = 120
declining_ratio = 1

[settings.health_weights]
hygiene = 0.3
release_cadence = 0
""")
    assert reg.lifecycle == LifecycleSettings(inactive_days=120, declining_ratio=1)
    assert reg.health_weights == HealthWeights(hygiene=0.3, release_cadence=0.0)
    assert reg.health_weights.as_dict()["activity"] == 0.25


def test_settings_defaults_are_the_warehouses():
    # The registry repeats the warehouse's defaults, because collectors never import the warehouse.
    from warehouse.metrics import DEFAULT_WEIGHTS, LifecycleThresholds

    assert LifecycleSettings().as_dict() == vars(LifecycleThresholds())
    assert HealthWeights().as_dict() == DEFAULT_WEIGHTS


@pytest.mark.parametrize(
    "settings, where, words",
    [
        ("[settings.lifecycle]\ninactive_dys = 100", "[settings.lifecycle]: field 'inactive_dys'", "unknown field"),
        ("[settings.lifecycle]\nrecent_days = 0", "[settings.lifecycle]: field 'recent_days'", "greater than 0"),
        ("[settings.lifecycle]\nabandoned_days = -5", "[settings.lifecycle]: field 'abandoned_days'", "greater than 0"),
        ("[settings.lifecycle]\ninactive_days = 180.5", "[settings.lifecycle]: field 'inactive_days'", "whole number"),
        ("[settings.lifecycle]\nrecent_days = true", "[settings.lifecycle]: field 'recent_days'", "whole number"),
        ("[settings.lifecycle]\ndeclining_ratio = 0", "[settings.lifecycle]: field 'declining_ratio'", "greater than 0"),
        ("[settings.lifecycle]\ndeclining_ratio = \"half\"", "[settings.lifecycle]: field 'declining_ratio'", "number"),
        ("[settings.lifecycle]\nbaseline_days = 60", "[settings.lifecycle]: field 'baseline_days'", "recent_days = 90"),
        ("[settings.lifecycle]\nabandoned_days = 100", "[settings.lifecycle]: field 'abandoned_days'", "inactive_days = 180"),
        ("[settings.health_weights]\npopularity = 1", "[settings.health_weights]: field 'popularity'", "unknown field"),
        ("[settings.health_weights]\nhygiene = -0.1", "[settings.health_weights]: field 'hygiene'", "0 or more"),
        ("[settings.health_weights]\nhygiene = \"much\"", "[settings.health_weights]: field 'hygiene'", "number"),
        ("[settings.health_weights]\n" + "\n".join(f"{p} = 0" for p in HealthWeights().as_dict()),
         "[settings.health_weights]", "add up to 0"),
        ("[settings]\nlifecycle = 3", "[settings.lifecycle]", "must be a table"),
        ("[settings.scores]\nx = 1", "[settings]: field 'scores'", "unknown field"),
        ("settings = 1", "[settings]", "must be a table"),
    ],
)
def test_bad_settings(settings, where, words):
    # A bare key belongs at the top, before any table.
    text = settings + "\n" + GOOD if settings.startswith("settings =") else GOOD + "\n" + settings + "\n"
    msg = one_error(text, "cities.toml")
    assert msg.startswith(f"cities.toml: {where}: ") and words in msg, msg


# --- goal metrics by name ------------------------------------------------------------------------


def test_goal_metric_names_are_the_warehouses():
    # The names the registry accepts are the metrics the warehouse computes (warehouse.goals).
    from warehouse import goals

    assert set(GOAL_METRICS + HEALTH_GOAL_METRICS + BADGE_GOAL_METRICS + PUBLIC_CODE_GOAL_METRICS) == set(goals.METRICS)
    assert {m for m in goals.METRICS if goals.METRICS[m].unit == "share"} == set(SHARE_METRICS)
    assert {m for m in goals.METRICS if goals.METRICS[m].unit == "score"} == set(SCORE_METRICS)
    assert {m for m in goals.METRICS if goals.METRICS[m].lower_is_better} == set(LOWER_IS_BETTER)


def test_public_code_goal_metric_names_are_one_per_checked_criterion():
    # collectors/registry.py lists the names literally; the warehouse derives them from its criteria.
    from warehouse.goals.public_code_metrics import (
        PUBLIC_CODE_GOAL_METRICS as WAREHOUSE_NAMES,
    )
    from warehouse.metrics.public_code_criteria import CHECKED_CRITERIA

    assert PUBLIC_CODE_GOAL_METRICS == tuple(f"public_code_{c}_share" for c in CHECKED_CRITERIA)
    assert PUBLIC_CODE_GOAL_METRICS == tuple(WAREHOUSE_NAMES)
    assert set(PUBLIC_CODE_GOAL_METRICS) <= set(SHARE_METRICS)
    text = GOOD.replace('metric = "osi_licence_share"', 'metric = "public_code_findable_share"')
    assert parse_registry(text).entity("alpha").goals[0].metric == "public_code_findable_share"
    msg = one_error(GOOD.replace('metric = "osi_licence_share"\n  target = 0.9',
                                 'metric = "public_code_findable_share"\n  target = 80'))
    assert "public_code_findable_share is a share" in msg, msg


def test_health_goal_metrics_accepted():
    text = GOOD.replace('metric = "osi_licence_share"\n  target = 0.9', 'metric = "median_first_response_hours"\n  target = 48')
    assert parse_registry(text).entity("alpha").goals[0].metric == "median_first_response_hours"
    text = GOOD.replace('metric = "osi_licence_share"\n  target = 0.9', 'metric = "health_score"\n  target = 70')
    assert parse_registry(text).entity("alpha").goals[0].target == 70


def test_goal_metric_typo_names_the_valid_ones():
    msg = one_error(GOOD.replace('metric = "osi_licence_share"', 'metric = "helth_score"'))
    assert "goal #1: field 'metric'" in msg and "did you mean 'health_score'?" in msg
    assert all(name in msg for name in GOAL_METRICS + HEALTH_GOAL_METRICS)


def test_score_and_share_targets_in_range():
    msg = one_error(GOOD.replace('metric = "osi_licence_share"\n  target = 0.9', 'metric = "health_score"\n  target = 120'))
    assert "field 'target'" in msg and "between 0 and 100" in msg
    msg = one_error(GOOD.replace('metric = "osi_licence_share"\n  target = 0.9', 'metric = "inactive_contributor_share"\n  target = 20'))
    assert "field 'target'" in msg and "between 0 and 1" in msg


# --- Account -------------------------------------------------------------------------------------


def account(forge: str, url: str | None = None, **kw) -> Account:
    text = f'[[entity]]\nid = "x"\nname = "X"\ncountry = "DE"\narchetype = "local"\n[[entity.account]]\nforge = "{forge}"\nowner = "o"\n'
    if url is not None:
        text += f'url = "{url}"\n'
    for key, value in kw.items():
        text += f"{key} = {value!r}\n".replace("'", '"')
    return parse_registry(text).accounts[0]


@pytest.mark.parametrize(
    "forge, url, host",
    [
        ("github", None, "github.com"),
        ("github", "https://api.github.com", "github.com"),
        ("github", "https://api.github.com/", "github.com"),
        ("github", "https://ghe.example.org/api/v3", "ghe.example.org"),
        ("github", "https://GHE.Example.org/api/v3/", "ghe.example.org"),
        ("gitlab", None, "gitlab.com"),
        ("gitlab", "https://git.example.org/", "git.example.org"),
        ("gitlab", "https://example.org/gitlab", "example.org/gitlab"),
        ("opencode", None, "gitlab.opencode.de"),
    ],
)
def test_account_host(forge, url, host):
    assert account(forge, url).host == host


def test_account_url_defaults():
    assert account("github").url == "https://api.github.com"
    assert account("opencode").url == "https://gitlab.opencode.de"
    assert account("gitlab", "https://git.example.org/").url == "https://git.example.org"
    assert account("github").label == "github:o"


def test_account_wants_include_and_exclude():
    everything = account("github")
    assert everything.wants("anything")

    acc = account("github", include=["ckanext-*", "portal"], exclude=["*-old", "ckanext-test*"])
    assert acc.include == ("ckanext-*", "portal")
    assert acc.wants("ckanext-berlin")
    assert acc.wants("portal")
    assert not acc.wants("portal-old")  # not included
    assert not acc.wants("ckanext-berlin-old")  # excluded
    assert not acc.wants("ckanext-testing")  # excluded
    assert not acc.wants("website")  # not included
    assert not acc.wants("CKANEXT-berlin")  # patterns are case-sensitive

    only_exclude = account("github", exclude=[".github", "*.github.io"])
    assert only_exclude.wants("eappointment")
    assert not only_exclude.wants(".github")
    assert not only_exclude.wants("it-at-m.github.io")


def test_account_token_from_environment(monkeypatch):
    for name in ("GITHUB_TOKEN", "GITLAB_TOKEN", "OPENCODE_TOKEN", "MY_GHE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    gh, gl, oc = account("github"), account("gitlab"), account("opencode")
    assert gh.token() is None and gl.token() is None and oc.token() is None

    monkeypatch.setenv("GITHUB_TOKEN", " gh-value\n")
    monkeypatch.setenv("GITLAB_TOKEN", "gl-value")
    monkeypatch.setenv("OPENCODE_TOKEN", "oc-value")
    assert gh.token() == "gh-value"
    assert gl.token() == "gl-value"
    assert oc.token() == "oc-value"

    monkeypatch.setenv("GITHUB_TOKEN", "   ")
    assert gh.token() is None  # blank means anonymous


def test_account_token_env(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "default-value")
    monkeypatch.delenv("MY_GHE_TOKEN", raising=False)
    ghe = account("github", "https://ghe.example.org/api/v3", token_env="MY_GHE_TOKEN")
    assert ghe.token_env == "MY_GHE_TOKEN"
    assert ghe.token() is None  # does not fall back to GITHUB_TOKEN
    monkeypatch.setenv("MY_GHE_TOKEN", "ghe-value")
    assert ghe.token() == "ghe-value"
    assert "ghe-value" not in repr(ghe)


def test_bad_token_env():
    text = GOOD.replace('owner = "alpha-city"', 'owner = "alpha-city"\n  token_env = "not a name"')
    msg = one_error(text)
    assert "entity 'alpha'" in msg and "field 'token_env'" in msg


# --- the one gate: what validates must collect, what does not gets one clear line ----------------
# Each case below once raised a traceback in `ossdash validate`, or passed it and then broke
# `ossdash collect` (a failed run after a full collection, or every repository answered HTTP 400).


def with_url(url: str, forge: str = "github") -> str:
    """GOOD with one url on alpha's account (of the given forge)."""
    text = GOOD.replace('forge = "github"\n  owner = "alpha-city"', f'forge = "{forge}"\n  owner = "alpha-city"')
    return text.replace('owner = "alpha-city"', f'owner = "alpha-city"\n  url = "{url}"')


def with_settings(settings: str) -> str:
    return GOOD + "\n" + settings + "\n"


BIG = str(10**400)


@pytest.mark.parametrize(
    "text, where, words",
    [
        (with_url("http://[::1"), "entity 'alpha': account #1: field 'url'", "not a valid URL"),
        (with_url("http://127.0.0.1:70000"), "entity 'alpha': account #1: field 'url'", "Port out of range"),
        (with_url("http://127.0.0.1:0"), "entity 'alpha': account #1: field 'url'", "from 1 to 65535"),
        (with_url("http://127.0.0.1:/x"), "entity 'alpha': account #1: field 'url'", "from 1 to 65535"),
        (with_url("http://127.0.0.1:http"), "entity 'alpha': account #1: field 'url'", "not a valid URL"),
        (with_url("http://[::1]:1"), "entity 'alpha': account #1: field 'url'", "IPv6 address literal"),
        (with_url("http://[fe80::zz]:1", "gitlab"), "entity 'alpha': account #1: field 'url'", "not a valid URL"),
        (with_url("ftp://git.example.org", "gitlab"), "entity 'alpha': account #1: field 'url'", "http(s)"),
        (with_url("https://", "gitlab"), "entity 'alpha': account #1: field 'url'", "has no host"),
        (with_url("https://git.example.org/a b", "gitlab"), "entity 'alpha': account #1: field 'url'", "U+0020"),
        (with_url("https://git.example.org/\\u202e", "gitlab"), "entity 'alpha': account #1: field 'url'", "U+202E"),
        (with_url("https://git.example.org/?", "gitlab"), "entity 'alpha': account #1: field 'url'", "query"),
        (with_url("https://git_ex<ample.org", "gitlab"), "entity 'alpha': account #1: field 'url'", "not a valid host"),
        (with_settings(f"[settings.lifecycle]\nrecent_days = {10**30}"),
         "[settings.lifecycle]: field 'recent_days'", "at most 36500"),
        (with_settings("[settings.lifecycle]\nabandoned_days = 36501"), "[settings.lifecycle]: field 'abandoned_days'", "at most 36500"),
        (with_settings(f"[settings.lifecycle]\ndeclining_ratio = {BIG}"), "[settings.lifecycle]: field 'declining_ratio'", "at most 10"),
        (with_settings("[settings.lifecycle]\ndeclining_ratio = nan"), "[settings.lifecycle]: field 'declining_ratio'", "number"),
        (with_settings(f"[settings.health_weights]\nhygiene = {BIG}"), "[settings.health_weights]: field 'hygiene'", "at most 100"),
        (with_settings("[settings.health_weights]\nhygiene = inf"), "[settings.health_weights]: field 'hygiene'", "number"),
        (GOOD.replace("target = 0.9", f"target = {BIG}"), "entity 'alpha': goal #1: field 'target'", "between 0 and 1"),
        (GOOD.replace('metric = "osi_licence_share"\n  target = 0.9', f'metric = "commits"\n  target = {BIG}'),
         "entity 'alpha': goal #1: field 'target'", "at most 1,000,000,000"),
        (GOOD.replace('metric = "osi_licence_share"\n  target = 0.9', 'metric = "commits"\n  target = -inf'),
         "entity 'alpha': goal #1: field 'target'", "must be a number"),
        (GOOD.replace("deadline = 2026-12-31", "deadline = 1969-12-31"), "entity 'alpha': goal #1: field 'deadline'", "between 1970-01-01"),
        (GOOD.replace("deadline = 2026-12-31", "deadline = 2101-01-01"), "entity 'alpha': goal #1: field 'deadline'", "2100-12-31"),
        (GOOD.replace("since = 2020-01-01", "since = 0001-01-01"), "[defaults]: field 'since'", "before 1970-01-01"),
        (GOOD.replace("since = 2020-01-01", "since = 1969-12-31T23:59:59Z"), "[defaults]: field 'since'", "before 1970-01-01"),
        (GOOD.replace("since = 2020-01-01", "since = 0001-01-01T00:00:00+01:00"), "[defaults]: field 'since'", "before 1970-01-01"),
        (GOOD.replace("since = 2020-01-01", "since = 9999-12-31T23:59:59-01:00"), "[defaults]: field 'since'", "in the future"),
        (GOOD.replace("since = 2020-01-01", "since = 10:00:00"), "[defaults]: field 'since'", "TOML date"),
        (GOOD.replace('name = "Alpha City"', 'name = "Alpha\\u202eCity"'), "entity 'alpha': field 'name'", "U+202E"),
        (GOOD.replace('name = "Alpha City"', 'name = "Alpha\\nCity"'), "entity 'alpha': field 'name'", "U+000A"),
        (GOOD.replace('name = "Alpha City"', f'name = "{"A" * 201}"'), "entity 'alpha': field 'name'", "at most 200"),
        (GOOD.replace('id = "alpha"', 'id = "al\\u0000pha"'), "entity 'al\\x00pha' (entity #1): field 'id'", "lower-case"),
        (GOOD.replace('owner = "alpha-city"', 'owner = "alpha-city"\n  include = ["portal *"]'),
         "entity 'alpha': account #1: field 'include'", "U+0020"),
        (GOOD.replace('owner = "alpha-city"', f'owner = "alpha-city"\n  exclude = ["{"x" * 256}"]'),
         "entity 'alpha': account #1: field 'exclude'", "longer than 255"),
        (GOOD.replace('owner = "beta/sub-group"', 'owner = "beta/../admin"'), "entity 'beta': account #1: field 'owner'", "group path"),
        (GOOD.replace('owner = "alpha-city"', 'owner = "alpha-city"\n  token_env = "PATH"'),
         "entity 'alpha': account #1: field 'token_env'", "holds no token"),
        (GOOD.replace('owner = "alpha-city"', f'owner = "alpha-city"\n  token_env = "{"T" * 129}"'),
         "entity 'alpha': account #1: field 'token_env'", "at most 128"),
        (GOOD.replace('bots = ["dependabot[bot]"]', 'bots = ["dependabot[bot]\\t"]'), "[defaults]: field 'bots'", "U+0009"),
        (GOOD + '\n[[alias]]\nname = "E"\nemails = ["erika"]\n', "alias #1: field 'emails'", "not an e-mail address"),
        (f"{'x' * 100} = 1\n" + GOOD, "top level: field 'xxxxxxxx", "unknown field"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 50 and "\n" not in v else None,
)
def test_gate_rejects_with_one_clear_line(text, where, words):
    msg = one_error(text)
    assert msg.startswith(f"test.toml: {where}") and words in msg, msg
    assert "\n" not in msg and len(msg) < 400, msg


def test_gate_huge_integer_is_malformed_toml_not_a_traceback():
    msg = one_error(GOOD.replace("target = 0.9", "target = " + "9" * 5000))
    assert "malformed TOML" in msg and "4300 digits" in msg and "set_int_max_str_digits" not in msg


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a = ", "}")], ids=["arrays", "inline-tables"])
def test_gate_deep_nesting(opening, closing):
    text = "deep = " + opening * 5000 + "1" * (opening == "{a = ") + closing * 5000 + "\n" + GOOD
    msg = one_error(text)
    assert msg == "test.toml: malformed TOML: arrays or tables nested too deeply; a registry needs only a few levels"


def test_gate_credentials_in_url_are_masked():
    msg = one_error(with_url("https://oauth2:glpat-s3cret@git.example.org/", "gitlab"))
    assert "***@git.example.org" in msg and "s3cret" not in msg and "oauth2" not in msg
    assert "token_env" in msg
    msg = one_error(with_url("oauth2:glpat-s3cret@git.example.org", "gitlab"))  # no scheme
    assert "s3cret" not in msg and "***@git.example.org" in msg
    msg = one_error(with_url("https://x:p/w@git.example.org", "gitlab"))  # a '/' in the password
    assert "p/w" not in msg


@pytest.mark.parametrize(
    "text",
    [
        with_url("http://[::1]:1", "gitlab"),
        with_url("http://127.0.0.1:65535/github/api/v3"),
        with_url("https://bücher.example/gitlab", "gitlab"),
        with_settings("[settings.lifecycle]\nrecent_days = 36500\nbaseline_days = 36500\ninactive_days = 1\n"
                      "abandoned_days = 36500\ndeclining_ratio = 10\n[settings.health_weights]\nactivity = 100"),
        GOOD.replace("since = 2020-01-01", "since = 1970-01-01"),
        GOOD.replace('name = "Alpha City"', 'name = "Ville de Saint-Étienne 🏙 — Ålesund/Αθήνα"'),
        GOOD.replace("deadline = 2026-12-31", "deadline = 2100-12-31"),
    ],
    ids=["ipv6-gitlab", "port-65535", "idn-host", "settings-at-bounds", "since-1970", "unicode-name", "deadline-2100"],
)
def test_gate_accepts_the_edges(text):
    reg = parse_registry(text, "test.toml")
    assert reg.entity("alpha").accounts


def test_gate_ipv6_host_key_keeps_the_brackets():
    acc = parse_registry(with_url("http://[::1]:8080/", "gitlab")).accounts[0]
    assert acc.url == "http://[::1]:8080" and acc.host == "[::1]:8080"


# --- files that are not a registry ----------------------------------------------------------------


def load_error(path) -> str:
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert len(info.value.problems) == 1 and info.value.path == str(path)
    assert info.value.problems[0].startswith(f"{path}: ")
    return info.value.problems[0]


def test_file_is_a_directory(tmp_path):
    assert "is a directory" in load_error(tmp_path)


def test_file_not_regular(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)  # opening it to read would block: it must be refused before that
    assert "not a regular file" in load_error(fifo)


def test_file_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(GOOD.replace("Alpha City", "Düsseldorf").encode("latin-1"))
    msg = load_error(path)
    assert "not UTF-8" in msg and "0xfc" in msg and "save the file as UTF-8" in msg


def test_file_with_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    assert [e.id for e in load_registry(path).entities] == ["alpha", "beta"]


def test_file_too_large(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_bytes(GOOD.encode() + b"#" * MAX_FILE_BYTES)
    assert "larger than 5 MB" in load_error(path)
    with pytest.raises(RegistryError, match="larger than 5 MB"):
        parse_registry(GOOD + "#" * MAX_FILE_BYTES, "big.toml")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_unreadable(tmp_path):
    path = tmp_path / "secret.toml"
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    assert "permission denied" in load_error(path)


# --- the real CLI ---------------------------------------------------------------------------------


CLI_CASES = {
    "ipv6-unclosed": with_url("http://[::1"),
    "deep-nesting": "a = " + "[" * 3000 + "]" * 3000 + "\n" + GOOD,
    "400-digit-target": GOOD.replace("target = 0.9", f"target = {BIG}"),
    "recent-days-1e30": with_settings(f"[settings.lifecycle]\nrecent_days = {10**30}"),
    "port-over-65535": with_url("http://127.0.0.1:65536/github/api/v3"),
    "github-ipv6": with_url("http://[::1]:1"),
    "since-0001": GOOD.replace("since = 2020-01-01", "since = 0001-01-01"),
    "not-utf8": None,
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_cli_validate_gives_one_line_and_exit_2(case, tmp_path):
    path = tmp_path / f"{case}.toml"
    text = CLI_CASES[case]
    path.write_bytes(text.encode() if text is not None else b"name = \"\xff\"\n")
    done = subprocess.run(["ossdash", "validate", str(path)], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), done.stderr
    assert "Traceback" not in done.stderr and not done.stdout


def test_cli_collect_refuses_before_collecting(tmp_path):
    # recent_days = 10**30 used to fail after a full collection, with nothing published.
    path = tmp_path / "cities.toml"
    path.write_text(CLI_CASES["recent-days-1e30"], encoding="utf-8")
    db = tmp_path / "never.duckdb"
    done = subprocess.run(["ossdash", "collect", "--config", str(path), "--db", str(db)],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done
    assert done.stderr.startswith(f"error: {path}: [settings.lifecycle]: field 'recent_days'"), done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()


# --- what validates, collects ---------------------------------------------------------------------

FAST = CollectorOptions(timeout=10.0, max_rate_wait=1.0, retries=1, backoff=0.01)


def simulator_registry(world, base_url: str, forges=FORGES, extra: str = "", defaults: str = "", entities=None) -> str:
    """A registry of the world's accounts (of the given forges) at base_url, built here so that
    the tests choose the url form (an IPv6 literal, say) and the edge values."""
    lines = [defaults] if defaults else []
    for e in world.entities:
        if entities is not None and e.id not in entities:
            continue
        accounts = [a for a in world.accounts if a.entity_id == e.id and a.forge in forges]
        if not accounts:
            continue
        lines += ["[[entity]]", f"id = {e.id!r}", f"name = {e.name!r}", f"country = {e.country!r}",
                  f"archetype = {e.archetype!r}"]
        for a in accounts:
            url = f"{base_url}/{a.forge}" + ("/api/v3" if a.forge == "github" else "")
            lines += ["[[entity.account]]", f"forge = {a.forge!r}", f"owner = {a.path!r}", f"url = {url!r}"]
        lines += ["[[entity.goal]]", 'metric = "commits"', "target = 1e9", "deadline = 2100-12-31",
                  "[[entity.goal]]", 'metric = "health_score"', "target = 100", "deadline = 1970-01-01"]
    return "\n".join(lines).replace("'", '"') + "\n" + extra


EDGE_SETTINGS = """
[settings.lifecycle]
recent_days = 36500
baseline_days = 36500
inactive_days = 36500
abandoned_days = 36500
declining_ratio = 10

[settings.health_weights]
activity = 100
hygiene = 0
"""


def test_edge_values_collect(tmp_path):
    from warehouse.pipeline import collect

    world = World(seed=7, activity_scale=0.15)
    with ForgeSimulator(world) as sim:
        text = simulator_registry(world, sim.base_url, forges=("github", "opencode"), extra=EDGE_SETTINGS,
                                  defaults="[defaults]\nsince = 1970-01-01\n", entities={"neustadt"})
        text += '[[entity]]\nid = "closed"\nname = "Nobody listens"\ncountry = "DE"\narchetype = "local"\n'
        text += '[[entity.account]]\nforge = "github"\nowner = "x"\nurl = "http://127.0.0.1:65535/api/v3"\n'
        registry = parse_registry(text, tmp_path / "edge.toml")
        summary = collect(registry, tmp_path / "edge.duckdb", options=FAST)
    statuses = {a.label: a.status for a in summary.accounts if a.entity_id != "closed"}
    assert statuses == {"github:stadt-neustadt": "ok", "opencode:stadt-neustadt": "ok"}, summary
    closed = [a for a in summary.accounts if a.entity_id == "closed"]
    assert [a.status for a in closed] == ["failed"] and closed[0].errors, closed
    assert summary.new_commits > 0


def _ipv6_simulator(world):
    """The simulator served on ::1, or a skip where this machine has no IPv6 loopback."""
    try:
        return ForgeSimulator(world, host="::1")
    except OSError as exc:
        pytest.skip(f"this machine cannot bind the IPv6 loopback ::1 ({exc})")


def test_ipv6_loopback_url_collects(tmp_path):
    from warehouse.pipeline import collect

    world = World(seed=7, activity_scale=0.15)
    with _ipv6_simulator(world) as sim:
        port = sim.httpd.server_address[1]
        # GitHub accounts cannot use an address literal (see test_gate_rejects_with_one_clear_line)
        text = simulator_registry(world, f"http://[::1]:{port}", forges=("gitlab", "opencode"))
        registry = parse_registry(text, tmp_path / "v6.toml")
        assert {a.host for a in registry.accounts} == {f"[::1]:{port}/gitlab", f"[::1]:{port}/opencode"}
        summary = collect(registry, tmp_path / "v6.duckdb", options=FAST)
    assert summary.accounts and {a.status for a in summary.accounts} == {"ok"}, summary
    assert summary.repos_seen > 0 and summary.new_commits > 0


def test_gate_url_scheme_is_normalised():
    acc = parse_registry(with_url("HTTPS://Git.Example.org/GitLab/", "gitlab")).accounts[0]
    assert acc.url == "https://Git.Example.org/GitLab" and acc.host == "git.example.org/GitLab"


def test_file_with_byte_order_mark_and_a_bad_byte_names_its_offset(tmp_path):
    path = tmp_path / "bom-latin1.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("Alpha City", "D\xfcsseldorf").encode("latin-1"))
    offset = 3 + GOOD.encode().index(b"Alpha City") + 1  # in the file, byte-order mark included
    assert f"byte 0xfc at offset {offset}" in load_error(path)


def test_file_under_a_file_is_an_os_error_with_a_plain_reason(tmp_path):
    (tmp_path / "cities.toml").write_text(GOOD, encoding="utf-8")
    msg = load_error(tmp_path / "cities.toml" / "inner.toml")
    assert msg.endswith("cannot read: Not a directory"), msg
