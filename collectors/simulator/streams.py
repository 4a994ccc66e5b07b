"""Issues, change requests, comments, reviews, releases, forks, root files, publiccode.yml and members.

Generated after the repositories and commits, from a random stream of their
own, so adding a kind of activity here never reshuffles the commits the
earlier tests were written against.
"""

from __future__ import annotations

import random
import zlib
from datetime import timedelta
from typing import Any

from collectors.simulator.model import (
    STAGES,
    SimComment,
    SimFork,
    SimItem,
    SimRelease,
    SimRepo,
    SimReview,
)

# The world being generated (collectors.simulator.world.World, which imports this module).
World = Any

HOSTILE_DESCRIPTION = 'Bürgerportal <script>alert("x")</script><img src=x onerror=alert(1)>'

_LABELS = ["bug", "enhancement", "documentation", "good first issue", "question", "security"]
_TITLES = ["Crash when", "Support for", "Document", "Improve", "Translate", "Upgrade", "Accessibility of"]


def populate(world: World) -> None:
    rng = random.Random(world.seed * 7919 + 1)
    originals = list(world.repos)
    for repo in originals:
        if repo.stage == "empty":
            continue
        _items(world, rng, repo)
        _releases(rng, repo)
        _root_files(world, rng, repo)
    _entity_forks(world, rng)
    _user_forks(world, rng)
    _mirror(world)
    _members(world, rng)
    _hostile(world)
    # Reviews from a stream of their own: the items, comments and files above stay as they were.
    review_rng = random.Random(world.seed * 7919 + 2)
    for repo in originals:
        _reviews(world, review_rng, repo)
    for repo in world.repos:
        repo.forks_count = len(repo.forks)
        repo.updated_at = max(m for m in [repo.updated_at, repo.pushed_at, *(f.created_at for f in repo.forks)] if m)


def _people_for(world: World, repo: SimRepo) -> tuple[list, list, object]:
    account = world.account(repo.forge, repo.account)
    insiders = [p for p in world.people if account.entity_id in p.entities and not p.bot]
    outsiders = [p for p in world.people if account.entity_id not in p.entities and not p.bot]
    bot = next(p for p in world.people if p.bot)
    return insiders, outsiders, bot


def _items(world: World, rng: random.Random, repo: SimRepo) -> None:
    insiders, outsiders, bot = _people_for(world, repo)
    _, _, quiet_days = STAGES[repo.stage]
    end = world.now - timedelta(days=quiet_days)
    start = repo.created_at + timedelta(days=2)
    if end <= start:
        return
    base = {"busy": 30, "active": 14, "declining": 8, "new": 5}.get(repo.stage, 4)
    count = min(120, int(rng.paretovariate(1.3) * base * 0.5 * world.activity_scale))
    span = (end - start).total_seconds()
    numbers = {"issue": 0, "change_request": 0}
    shared = 0
    for _ in range(count):
        kind = "change_request" if rng.random() < 0.45 else "issue"
        if repo.forge == "github":
            shared += 1
            number = shared  # GitHub numbers issues and pull requests together
        else:
            numbers[kind] += 1
            number = numbers[kind]
        roll = rng.random()
        author = bot if (kind == "change_request" and roll < 0.12) else (
            rng.choice(outsiders) if roll < 0.4 and outsiders else rng.choice(insiders or outsiders)
        )
        created = (start + timedelta(seconds=rng.betavariate(2, 1.2) * span)).replace(microsecond=0)
        item = SimItem(number, kind, f"{rng.choice(_TITLES)} {rng.choice(['forms', 'maps', 'login', 'export', 'API'])}",
                       author, created, labels=sorted(rng.sample(_LABELS, rng.randint(0, 2))),
                       draft=kind == "change_request" and rng.random() < 0.08)
        age_days = (world.now - created).days
        # Old items are mostly settled; abandoned repositories leave issues unanswered.
        answered = repo.stage not in ("abandoned", "inactive") or rng.random() < 0.3
        moment = created
        for _ in range(rng.randint(0, 5) if answered else 0):
            moment = moment + timedelta(hours=rng.uniform(0.2, 24 * rng.choice([1, 3, 10])))
            if moment >= end:
                break
            roll = rng.random()
            who = item.author if roll < 0.25 else (bot if roll < 0.32 else rng.choice(insiders or outsiders))
            kind_of = "note" if repo.forge != "github" else (
                "review_comment" if kind == "change_request" and rng.random() < 0.4 else "comment"
            )
            item.comments.append(SimComment(world.next_comment_id(), who, moment.replace(microsecond=0), kind_of))
        if repo.forge != "github" and item.comments and rng.random() < 0.3:
            # A system note is activity but no response. Never after the repository's last
            # activity (nor so the clock): a note in the future would hold last_activity_at
            # there, and a later push would not move it.
            last = item.comments[-1].created_at
            noted = max(last, min(last + timedelta(minutes=5), end).replace(microsecond=0))
            item.comments.append(SimComment(world.next_comment_id(), item.author, noted, "note", system=True))
        # Abandoned projects leave their last questions open and unanswered.
        if age_days > 20 and rng.random() < 0.75 and repo.stage != "abandoned":
            closed = min(end, moment + timedelta(days=rng.uniform(0.5, 60))).replace(microsecond=0)
            closed = max(closed, created + timedelta(minutes=1))
            item.closed_at = closed
            item.state = "closed"
            if kind == "change_request" and rng.random() < 0.7:
                item.state = "merged"
                item.merged_at = closed
        repo.items.append(item)


_REVIEW_STATES = ("APPROVED", "COMMENTED", "CHANGES_REQUESTED", "DISMISSED")
_REVIEW_WEIGHTS = (0.45, 0.25, 0.2, 0.1)


def _reviews(world: World, rng: random.Random, repo: SimRepo) -> None:
    """Reviews (GitHub) or approvals (GitLab) of about two thirds of the change requests, now and
    then by their own author. Each lies between the change request's creation and its last
    activity, so no item's updated_at (nor a project's last_activity_at) moves."""
    insiders, outsiders, _ = _people_for(world, repo)
    for item in repo.items:
        if item.kind != "change_request" or rng.random() < 0.35:
            continue
        last = item.updated_at
        span = (last - item.created_at).total_seconds()
        for moment in sorted(item.created_at + timedelta(seconds=rng.uniform(0, span)) for _ in range(rng.randint(1, 3))):
            who = item.author if rng.random() < 0.15 else rng.choice(insiders or outsiders)
            if repo.forge == "github":
                # An author cannot approve their own pull request; they can comment on it.
                state = "COMMENTED" if who is item.author else rng.choices(_REVIEW_STATES, _REVIEW_WEIGHTS)[0]
            elif any(r.author.login == who.login for r in item.reviews):
                continue  # one approval a person
            else:
                state = "APPROVED"  # a GitLab may let authors approve their own merge requests
            item.reviews.append(SimReview(world.next_review_id(), who, moment.replace(microsecond=0), state))


def _releases(rng: random.Random, repo: SimRepo) -> None:
    if repo.stage in ("new",) or not repo.commits or rng.random() < 0.3:
        return
    count = rng.randint(1, {"busy": 12, "active": 8}.get(repo.stage, 4))
    commits = sorted(repo.commits, key=lambda c: c.committed_at)
    picks = sorted(rng.sample(range(len(commits)), min(count, len(commits))))
    major, minor = 1, 0
    for i in picks:
        minor += 1
        if rng.random() < 0.15:
            major, minor = major + 1, 0
        pre = rng.random() < 0.1
        tag = f"v{major}.{minor}.0" + ("-rc.1" if pre else "")
        repo.releases.append(SimRelease(tag, f"Release {tag}", commits[i].committed_at, pre))
    repo.releases.sort(key=lambda r: r.published_at, reverse=True)


def _root_files(world: World, rng: random.Random, repo: SimRepo) -> None:
    files = {}
    if rng.random() < 0.92:
        files["README.md"] = f"# {repo.name}\n"
    if repo.license:
        files["LICENSE"] = f"{repo.license}\n"
    if rng.random() < 0.4:
        files["CONTRIBUTING.md"] = "How to contribute\n"
    if rng.random() < 0.25:
        files["CODE_OF_CONDUCT.md"] = "Be kind\n"
    if rng.random() < 0.2:
        files["SECURITY.md"] = "Report vulnerabilities to security@example\n"
    files["src"] = ""  # a directory, so the listing holds more than the files we look for
    if not repo.archived and rng.random() < 0.4:
        files["publiccode.yml"] = publiccode_text(world, rng, repo)
    files.update(_folders_and_practice_files(repo))
    repo.files = files


def _folders_and_practice_files(repo: SimRepo) -> dict[str, str]:
    """CI configuration, governance, changelog and the folders they may sit in. Drawn from the
    path's checksum, not the world's random stream, so that every other draw stays as it was."""
    h = zlib.crc32(repo.path.encode())
    files = {}
    if repo.forge == "github":
        if h % 10 < 6:
            files[".github/workflows/ci.yml"] = "on: [push, pull_request]\n"
        elif h % 10 < 8:
            files[".github/ISSUE_TEMPLATE/bug.md"] = "Describe the bug\n"  # a .github without workflows
    elif h % 10 < 6:
        files[".gitlab-ci.yml"] = "test:\n  script: make test\n"
    if (h >> 4) % 4 == 0:
        files["GOVERNANCE.md"] = "Who decides\n"
    if (h >> 6) % 3 == 0:
        files["CHANGELOG.md"] = "# Changes\n"
    if (h >> 8) % 4 == 0:
        files["docs/index.md"] = "Documentation\n"
    return files


def publiccode_text(world: World, rng: random.Random, repo: SimRepo) -> str:
    account = world.account(repo.forge, repo.account)
    others = [e for e in world.entities if e.id != account.entity_id]
    users = rng.sample(others, rng.randint(0, 3))
    # Other bodies write names as they like: keep a spelling variant in the mix.
    used_by = [e.name if rng.random() < 0.7 else e.name.upper() for e in users]
    status = {"busy": "stable", "active": "stable", "declining": "beta", "new": "development"}.get(repo.stage, "obsolete")
    until = (world.now + timedelta(days=rng.choice([-200, 45, 400]))).date().isoformat()
    lines = [
        'publiccodeYmlVersion: "0.4"',
        f"name: {repo.name}",
        f"url: https://{repo.forge}.example/{repo.path}.git",
        "platforms:\n  - web",
        "categories:\n  - it-development",
        f"developmentStatus: {status}",
        "softwareType: standalone/web",
        "description:\n  en:\n    shortDescription: " + f"{repo.name} for public administrations",
        ("    longDescription: >\n      A long description of at least one hundred and fifty characters, as the standard asks, "
         "written to tell what the software does and for whom it was made."),
        "    features:\n      - Forms",
        f"legal:\n  license: {repo.license or 'EUPL-1.2'}",
        ("maintenance:\n  type: contract\n  contractors:\n    - name: Example Software GmbH\n"
         f"      until: {until}"),
        "localisation:\n  localisationReady: true\n  availableLanguages:\n    - en",
    ]
    if used_by:
        lines.append("usedBy:\n" + "".join(f"  - {name}\n" for name in used_by).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _entity_forks(world: World, rng: random.Random) -> None:
    """Some entities fork others' GitHub repositories: co-development and reuse across cities."""
    github_accounts = [a for a in world.accounts if a.forge == "github" and a.kind == "org"]
    candidates = [r for r in world.repos if r.forge == "github" and r.stage in ("busy", "active") and not r.is_fork]
    for parent in rng.sample(candidates, min(4, len(candidates))):
        owner = rng.choice([a for a in github_accounts if a.path != parent.account])
        if world.account("github", owner.path) is None or any(r.path == f"{owner.path}/{parent.name}" for r in world.repos):
            continue
        forked_at = (parent.created_at + (world.now - parent.created_at) * 0.6).replace(microsecond=0)
        fork = SimRepo(
            forge="github", namespace=owner.path, name=parent.name, account=owner.path, id=world._new_id(),
            stage="active", description=f"Fork of {parent.path}", license=parent.license, topics=list(parent.topics),
            language=parent.language, created_at=forked_at, is_fork=True, parent=parent.path,
        )
        fork.commits = [c for c in parent.commits if c.committed_at <= forked_at]
        # Half of them contribute changes of their own after forking.
        if rng.random() < 0.5 and fork.commits:
            authors = [p for p in world.people if owner.entity_id in p.entities and not p.bot]
            for k in range(rng.randint(1, 4)):
                moment = min(forked_at + timedelta(days=10 * (k + 1)), world.now).replace(microsecond=0)
                fork.commits.insert(0, world._commit(fork, rng.choice(authors), moment, moment, 200000 + k))
        fork.pushed_at = fork.commits[0].committed_at if fork.commits else forked_at
        fork.updated_at = fork.pushed_at
        idle = (world.now - fork.pushed_at).days
        fork.stage = "active" if idle < 90 else ("inactive" if idle >= 180 else "declining")
        fork.files = {"README.md": f"# {parent.name}\n"}
        world.repos.append(fork)
        parent.forks.append(SimFork(owner.path, parent.name, forked_at, fork.pushed_at))


def _user_forks(world: World, rng: random.Random) -> None:
    for repo in world.repos:
        if repo.is_fork or repo.stage in ("empty", "new"):
            continue
        for k in range(int(rng.paretovariate(1.5)) - 1):
            created = (repo.created_at + timedelta(days=rng.randint(1, max(2, (world.now - repo.created_at).days)))).replace(microsecond=0)
            owner = f"fork-user-{rng.randint(1, 400)}"
            if any(f.owner == owner for f in repo.forks):
                continue
            repo.forks.append(SimFork(owner, repo.name, created, created))
        repo.forks.sort(key=lambda f: (f.created_at, f.owner), reverse=True)


def _mirror(world: World) -> None:
    """The busiest GitHub project of the first entity is mirrored to its openCoDE group."""
    opencode = next((a for a in world.accounts if a.forge == "opencode" and a.entity_id == world.accounts[0].entity_id), None)
    original = next(r for r in world.repos if r.forge == "github" and r.account == world.accounts[0].path and r.stage == "busy")
    if opencode is None:
        return
    mirror = SimRepo(
        forge="opencode", namespace=opencode.path, name=original.name, account=opencode.path, id=world._new_id(),
        stage=original.stage, description=original.description, license=original.license,
        topics=list(original.topics), language=original.language, created_at=original.created_at,
        mirror_of=f"github:{original.path}",
    )
    mirror.commits = original.commits  # the same list: a push to one shows on both
    mirror.pushed_at = original.pushed_at
    mirror.updated_at = original.updated_at
    mirror.files = dict(original.files)
    world.repos.append(mirror)


def _members(world: World, rng: random.Random) -> None:
    for account in world.accounts:
        if account.kind == "user":
            continue
        staff = [p for p in world.people if p.entities[0] == account.entity_id and not p.bot]
        account.members = sorted(p.login for p in staff if rng.random() < 0.6)


def _hostile(world: World) -> None:
    civic = next(r for r in world.repos if r.forge == "github" and r.account == "civic-lab")
    civic.description = HOSTILE_DESCRIPTION
    target = next((r for r in world.repos if r.files.get("publiccode.yml") and r is not civic), None)
    if target is not None:
        # An invalid file must be stored with its errors, never crash a run.
        target.files["publiccode.yml"] = "publiccodeYmlVersion: '0.4'\nname: [unclosed\n"
