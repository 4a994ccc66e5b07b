"""The registry: the shipped cities.toml, validation errors, and Account behaviour."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from collectors.registry import (
    ARCHETYPES,
    FORGES,
    GOAL_METRICS,
    HEALTH_GOAL_METRICS,
    LOWER_IS_BETTER,
    SCORE_METRICS,
    SHARE_METRICS,
    Account,
    HealthWeights,
    LifecycleSettings,
    RegistryError,
    load_registry,
    parse_registry,
)

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

    assert set(GOAL_METRICS + HEALTH_GOAL_METRICS) == set(goals.METRICS)
    assert {m for m in goals.METRICS if goals.METRICS[m].unit == "share"} == set(SHARE_METRICS)
    assert {m for m in goals.METRICS if goals.METRICS[m].unit == "score"} == set(SCORE_METRICS)
    assert {m for m in goals.METRICS if goals.METRICS[m].lower_is_better} == set(LOWER_IS_BETTER)


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
