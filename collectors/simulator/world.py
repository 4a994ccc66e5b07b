"""A seeded, deterministic public-sector ecosystem for the forge simulator.

The world holds entities of every archetype with accounts on GitHub, GitLab and
openCoDE (including nested groups), repositories at every stage of life, and
commits over several years by people of whom some work for several entities.
Everything derives from ``seed`` and ``now``, so a test can compare a collection
with :meth:`World.truth` exactly. :meth:`World.advance` and
:meth:`World.add_commits` change the world the way time and activity would.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from collectors.simulator import streams
from collectors.simulator.model import (
    FORGE_PREFIX,
    STAGES,
    SimAccount,
    SimComment,
    SimCommit,
    SimEntity,
    SimFork,
    SimItem,
    SimPerson,
    SimRelease,
    SimRepo,
    SimReview,
    github_reviews,
    gitlab_approvals,
)

_ENTITIES = [
    SimEntity("neustadt", "Stadt Neustadt", "DE", "local", "neustadt.example"),
    SimEntity("havenstad", "Gemeente Havenstad", "NL", "local", "havenstad.example"),
    SimEntity("digitalagency", "National Digital Agency", "IT", "national", "digital-agency.example"),
    SimEntity("kommuneforbund", "Kommuneforbund (municipal association)", "DK", "association", "kommuneforbund.example"),
    SimEntity("landesamt", "Landesamt für IT", "DE", "institution", "landesamt-it.example"),
    SimEntity("civiclab", "Université Civic Lab", "FR", "academic", "civiclab-univ.example"),
    SimEntity("codefor", "Code for Rivertown", "RO", "civil_society", "codefor-rivertown.example"),
]

# (entity, forge, top-level path, kind, subgroups)
_ACCOUNTS = [
    ("neustadt", "github", "stadt-neustadt", "org", []),
    ("neustadt", "opencode", "stadt-neustadt", "group", ["stadt-neustadt/city-app", "stadt-neustadt/city-app/modules"]),
    ("havenstad", "github", "gemeente-havenstad", "org", []),
    ("digitalagency", "github", "digital-agency", "org", []),
    ("digitalagency", "gitlab", "digital-agency", "group", ["digital-agency/platform"]),
    ("kommuneforbund", "gitlab", "kommuneforbund", "group", []),
    ("kommuneforbund", "github", "kommuneforbund", "org", []),
    ("landesamt", "opencode", "landesamt-it", "group", ["landesamt-it/fachverfahren"]),
    ("civiclab", "github", "civic-lab", "org", []),
    ("codefor", "github", "codefor-rivertown", "user", []),
]

_WORDS = [
    "citizen", "portal", "parking", "waste", "budget", "transit", "permits", "mapping", "open-data",
    "forms", "appointments", "library", "schools", "energy", "trees", "signals", "participation",
    "archive", "identity", "geo", "tax", "events", "mobility", "health", "water", "council",
]
_LICENSES = ["EUPL-1.2", "MIT", "Apache-2.0", "AGPL-3.0-only", "GPL-3.0-or-later", "MPL-2.0", None, "NOASSERTION"]
_LANGUAGES = ["Python", "TypeScript", "Java", "PHP", "Go", "JavaScript", "Kotlin", None]
_FIRST = ["Anna", "Jonas", "Sofie", "Lars", "Marta", "Luca", "Emma", "Pieter", "Ioana", "Claire", "Mads",
          "Giulia", "Tomasz", "Lea", "Noah", "Sara", "Hugo", "Ida", "Matteo", "Femke"]
_LAST = ["Müller", "de Vries", "Rossi", "Jensen", "Dubois", "Popescu", "Schmidt", "Bakker", "Bianchi",
         "Nielsen", "Martin", "Ionescu", "Weber", "Visser", "Conti", "Hansen"]


def _utc_midnight() -> datetime:
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _sha(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()


class World:
    """The simulated ecosystem: entities, accounts, people, repositories and their activity."""


    def __init__(self, seed: int = 7, now: datetime | None = None, scale: float = 1.0, activity_scale: float = 1.0):
        self.seed = seed
        self.activity_scale = activity_scale
        self.now = (now or _utc_midnight()).astimezone(UTC)
        self.rng = random.Random(seed)
        self.entities = list(_ENTITIES)
        self.accounts: list[SimAccount] = []
        self.people: list[SimPerson] = []
        self.repos: list[SimRepo] = []
        self._next_id = 1000
        self._activity_serial = 0
        self._comment_serial = 10_000_000
        self._review_serial = 700_000_000  # apart from the reviews of review comments (500_000_000 + comment id)
        self._make_people()
        self._person_ids = {p.login: 5000 + i for i, p in enumerate(self.people)}
        for i, (eid, forge, path, kind, subgroups) in enumerate(_ACCOUNTS):
            self.accounts.append(SimAccount(forge, path, eid, kind, 100 + i, list(subgroups)))
        for account in self.accounts:
            self._make_repos(account, scale)
        streams.populate(self)

    # -- generation -------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _make_people(self) -> None:
        rng = self.rng
        used = set()
        for entity in self.entities:
            for _ in range(rng.randint(4, 9)):
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                login = f"{first.lower()}{last.split()[-1].lower().replace('ü', 'ue')}"
                while login in used:
                    login += str(rng.randint(1, 9))
                used.add(login)
                entities = (entity.id,)
                # About one in five also works on another entity's projects.
                if rng.random() < 0.2:
                    other = rng.choice([e for e in self.entities if e.id != entity.id])
                    entities = (entity.id, other.id)
                email = f"{login}@{entity.email_domain}" if rng.random() < 0.7 else f"{login}@mail.example"
                self.people.append(SimPerson(login, f"{first} {last}", email, entities))
        self.people.append(
            SimPerson("dependabot[bot]", "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com",
                      tuple(e.id for e in self.entities), bot=True)
        )

    def _authors_for(self, entity_id: str) -> list[SimPerson]:
        return [p for p in self.people if entity_id in p.entities and not p.bot]

    def _make_repos(self, account: SimAccount, scale: float) -> None:
        rng = self.rng
        namespaces = [account.path] + account.subgroups
        count = max(2, int(rng.randint(3, 9) * scale))
        stages = list(STAGES)
        names_used: set[str] = set()
        for i in range(count):
            # Make sure every account shows a busy project and a spread of others.
            stage = "busy" if i == 0 else stages[(i + rng.randint(0, len(stages) - 1)) % len(stages)]
            name = "-".join(rng.sample(_WORDS, 2))
            while name in names_used:
                name = "-".join(rng.sample(_WORDS, 2))
            names_used.add(name)
            namespace = namespaces[i % len(namespaces)]
            years, _, _ = STAGES[stage]
            created = self.now - timedelta(days=max(30, int(years * 365)) + rng.randint(0, 200))
            repo = SimRepo(
                forge=account.forge,
                namespace=namespace,
                name=name,
                account=account.path,
                id=self._new_id(),
                stage=stage,
                description=f"{name.replace('-', ' ').capitalize()} service for {self._entity(account.entity_id).name}",
                license=rng.choice(_LICENSES),
                topics=sorted(rng.sample(_WORDS, rng.randint(0, 3))),
                language=rng.choice(_LANGUAGES),
                created_at=created,
                archived=stage == "archived",
                stars=int(rng.paretovariate(1.2)) - 1,
            )
            self._make_commits(repo, account.entity_id, stage)
            repo.updated_at = repo.pushed_at or repo.created_at
            self.repos.append(repo)

    def _entity(self, entity_id: str) -> SimEntity:
        return next(e for e in self.entities if e.id == entity_id)

    def _make_commits(self, repo: SimRepo, entity_id: str, stage: str) -> None:
        rng = self.rng
        _years, recent_share, quiet_days = STAGES[stage]
        if stage == "empty":
            return
        # Heavy-tailed sizes: most repos are small, a few are large.
        total = min(1500, int(rng.paretovariate(0.9) * 25)) + 1
        if stage == "busy":
            total = max(total, 200)
        total = max(1, int(total * self.activity_scale))
        authors = self._authors_for(entity_id)
        # One or two people do most of the work (bus factor), others a little.
        weights = [rng.paretovariate(1.1) for _ in authors]
        bot = self.people[-1]
        end = self.now - timedelta(days=quiet_days)
        start = repo.created_at + timedelta(days=1)
        recent = int(total * recent_share)
        moments = []
        span = (end - start).total_seconds()
        for k in range(total):
            if k < recent:
                lo = max(start, self.now - timedelta(days=89))
                moment = lo + timedelta(seconds=rng.uniform(0, max(1.0, (end - lo).total_seconds())))
            else:
                moment = start + timedelta(seconds=rng.betavariate(2, 1.3) * span)
            moments.append(min(moment, end).replace(microsecond=0))
        moments.sort(reverse=True)
        moments[0] = end.replace(microsecond=0) if stage != "new" else moments[0]
        for k, moment in enumerate(moments):
            author = bot if rng.random() < 0.04 else rng.choices(authors, weights)[0]
            authored = moment - timedelta(minutes=rng.randint(0, 3 * 24 * 60))
            repo.commits.append(self._commit(repo, author, authored, moment, k))
        repo.commits.sort(key=lambda c: (c.committed_at, c.sha), reverse=True)
        repo.pushed_at = repo.commits[0].committed_at

    def _commit(self, repo: SimRepo, author: SimPerson, authored: datetime, committed: datetime, k: int) -> SimCommit:
        message = self.rng.choice(["Fix", "Add", "Update", "Refactor", "Document"]) + f" {self.rng.choice(_WORDS)} ({k})"
        return SimCommit(_sha(self.seed, repo.forge, repo.path, k, committed.isoformat()), author, author,
                         authored, committed, message)

    # -- change over time -------------------------------------------------

    def advance(self, days: float = 1.0) -> None:
        self.now += timedelta(days=days)

    def add_commits(self, forge: str, path: str, n: int = 1, author_login: str | None = None) -> list[str]:
        """Add n commits to a repository at the current time; return their SHAs."""
        repo = self.repo(forge, path)
        account = next(a for a in self.accounts if a.forge == forge and a.path == repo.account)
        authors = self._authors_for(account.entity_id)
        if author_login:
            authors = [p for p in self.people if p.login == author_login]
        shas = []
        for i in range(n):
            self._activity_serial += 1
            # A second apart, the last at the clock: nothing the world holds lies after its now.
            moment = (self.now - timedelta(seconds=n - 1 - i)).replace(microsecond=0)
            commit = self._commit(repo, authors[i % len(authors)], moment, moment, 100000 + self._activity_serial)
            repo.commits.insert(0, commit)
            shas.append(commit.sha)
        for r in self.repos:
            if r.commits is repo.commits:  # a mirror shares its original's history
                r.pushed_at = r.commits[0].committed_at
                r.updated_at = r.pushed_at
        return shas

    def _people(self, login: str | None, repo: SimRepo) -> SimPerson:
        if login:
            return next(p for p in self.people if p.login == login)
        account = self.account(repo.forge, repo.account)
        return self._authors_for(account.entity_id)[0]

    def add_item(self, forge: str, path: str, kind: str = "issue", author_login: str | None = None) -> int:
        """Open an issue or change request now; return its number."""
        repo = self.repo(forge, path)
        if kind == "issue" and not repo.has_issues:
            raise ValueError(f"{forge}:{path} has its issues switched off")
        if forge == "github":
            number = max((i.number for i in repo.items), default=0) + 1
        else:
            number = max((i.number for i in repo.items if i.kind == kind), default=0) + 1
        repo.items.append(SimItem(number, kind, "Added by a test", self._people(author_login, repo), self.now))
        return number

    def add_comment(self, forge: str, path: str, kind: str, number: int, author_login: str | None = None) -> int:
        """Comment on an item now; return the comment id."""
        repo = self.repo(forge, path)
        comment_kind = "note" if forge != "github" else "comment"
        comment = SimComment(self.next_comment_id(), self._people(author_login, repo), self.now, comment_kind)
        repo.item(kind, number).comments.append(comment)
        return comment.id

    def add_review(self, forge: str, path: str, number: int, state: str = "APPROVED",
                   author_login: str | None = None) -> int:
        """Review a change request now (GitLab: approve it); return the review's id. Its
        updated_at moves, as a review moves a pull request's."""
        repo = self.repo(forge, path)
        if forge != "github" and state != "APPROVED":
            raise ValueError("a GitLab merge request is approved, not reviewed in another state")
        review = SimReview(self.next_review_id(), self._people(author_login, repo), self.now, state)
        repo.item("change_request", number).reviews.append(review)
        return review.id

    def revoke_approval(self, forge: str, path: str, number: int, author_login: str) -> None:
        """Someone takes their approval of a merge request back now: it leaves the approvals."""
        item = self.repo(forge, path).item("change_request", number)
        item.reviews = [r for r in item.reviews if not (r.author.login == author_login and r.state == "APPROVED")]
        item.touched_at = self.now

    def add_person(self, login: str, name: str, email: str, entity_id: str) -> SimPerson:
        """Someone new working for an entity, with any login and name a forge might send
        (tests plant hostile text this way); give them work with ``author_login=login``."""
        person = SimPerson(login, name, email, (entity_id,))
        self.people.append(person)
        self._person_ids[login] = 5000 + len(self._person_ids)
        return person

    def close_item(self, forge: str, path: str, kind: str, number: int, merged: bool = False) -> None:
        item = self.repo(forge, path).item(kind, number)
        item.closed_at = self.now
        item.state = "merged" if merged else "closed"
        item.merged_at = self.now if merged else None

    def add_release(self, forge: str, path: str, tag: str, prerelease: bool = False) -> None:
        """Publish a release; its tag is a push, as on the real forges."""
        repo = self.repo(forge, path)
        repo.releases.insert(0, SimRelease(tag, f"Release {tag}", self.now, prerelease))
        repo.pushed_at = self.now
        repo.updated_at = self.now

    def add_fork(self, forge: str, path: str, owner: str) -> None:
        """Someone outside the registry forks a repository."""
        repo = self.repo(forge, path)
        repo.forks.insert(0, SimFork(owner, repo.name, self.now, self.now))
        repo.forks_count = len(repo.forks)
        repo.updated_at = self.now

    def push_to_fork(self, forge: str, path: str, fork_owner: str) -> None:
        """Someone pushes to a fork: the fork's pushed_at moves, nothing of the parent does."""
        fork = next(f for f in self.repo(forge, path).forks if f.owner == fork_owner)
        fork.pushed_at = self.now
        try:
            self.repo(forge, fork.path)
        except KeyError:
            return  # a fork outside the registry: its listing entry is built from the fork alone
        self.add_commits(forge, fork.path, 1)  # a fork that is a collected repository itself

    def set_file(self, forge: str, path: str, name: str, content: str | None) -> str:
        """Change a root file with a commit; return the commit's SHA."""
        repo = self.repo(forge, path)
        if content is None:
            repo.files.pop(name, None)
        else:
            repo.files[name] = content
        return self.add_commits(forge, path, 1)[0]

    # -- look-ups ---------------------------------------------------------

    def repo(self, forge: str, path: str) -> SimRepo:
        for r in self.repos:
            if r.forge == forge and r.path.lower() == path.lower():
                return r
        raise KeyError(f"{forge}:{path}")

    def repo_by_id(self, forge: str, repo_id: int) -> SimRepo:
        for r in self.repos:
            if r.forge == forge and r.id == repo_id:
                return r
        raise KeyError(f"{forge}:{repo_id}")

    def person_id(self, person: SimPerson) -> int:
        """A stable numeric user id, as forges give every account one."""
        return self._person_ids[person.login]

    def next_comment_id(self) -> int:
        self._comment_serial += 1
        return self._comment_serial

    def next_review_id(self) -> int:
        self._review_serial += 1
        return self._review_serial

    def account(self, forge: str, path: str) -> SimAccount | None:
        for a in self.accounts:
            if a.forge == forge and a.path.lower() == path.lower():
                return a
        return None

    def group_paths(self, forge: str) -> dict[str, SimAccount]:
        """Every GitLab group path (top-level and nested) on a forge, with its account."""
        out = {}
        for a in self.accounts:
            if a.forge == forge and a.kind == "group":
                out[a.path] = a
                for sub in a.subgroups:
                    out[sub] = a
        return out

    def repos_of(self, forge: str, account_path: str) -> list[SimRepo]:
        return [r for r in self.repos if r.forge == forge and r.account.lower() == account_path.lower()]

    # -- ground truth -----------------------------------------------------

    def truth(self) -> dict:
        """What a correct, complete collection of this world must contain."""
        entity_of = {(a.forge, a.path): a.entity_id for a in self.accounts}
        repos = {}
        commits = {}
        for r in self.repos:
            key = (r.forge, r.path)
            repos[key] = {
                "entity_id": entity_of[(r.forge, r.account)],
                "name": r.name,
                "archived": r.archived,
                "default_branch": r.default_branch,
                "license": r.license,
                "stage": r.stage,
                "stars": r.stars,
                "commits": len(r.commits),
            }
            commits[key] = {c.sha for c in r.commits}
        return {"repos": repos, "commits": commits, "reviews": self.reviews_truth()}

    def reviews_truth(self) -> dict[tuple[str, str, int], dict[tuple[str, str], datetime]]:
        """Every change request's reviews as its forge serves them: (reviewer, state) -> the first
        such review's moment (GitHub: review comments' own reviews included; GitLab: approvals)."""
        out: dict[tuple[str, str, int], dict[tuple[str, str], datetime]] = {}
        for r in self.repos:
            for item in r.items:
                if item.kind != "change_request":
                    continue
                rows = ([(who.login, state, moment) for _, who, state, moment in github_reviews(item)] if r.forge == "github"
                        else [(a.author.login, a.state, a.submitted_at) for a in gitlab_approvals(item)])
                seen: dict[tuple[str, str], datetime] = {}
                for login, state, moment in rows:
                    seen[(login, state)] = min(moment, seen.get((login, state), moment))
                out[(r.forge, r.path, item.number)] = seen
        return out

    # Council goals for the demo, by archetype: (metric, target). Deadlines fall at the end of
    # next year, so every demo shows goals still open (and those of DEMO_PAST_GOALS one passed).
    DEMO_GOALS: ClassVar[dict[str, tuple]] = {
        "local": (("osi_licence_share", 0.9), ("publiccode_share", 0.5), ("active_share", 0.6)),
        "national": (("public_repos", 15), ("reused_by_others", 5)),
        "institution": (("median_first_response_hours", 72), ("health_score", 60)),
        "association": (("contributions_to_others", 10),),
    }
    # Goals "by" the end of last year: their deadline has passed, so the demo shows a goal judged
    # by its value at the deadline (met or missed) beside its value now.
    DEMO_PAST_GOALS: ClassVar[dict[str, tuple]] = {
        "local": (("active_share", 0.95),),
        "national": (("public_repos", 5),),
    }

    def registry_toml(self, base_url: str, goals: bool = False) -> str:
        """A registry file whose accounts point at a simulator served at base_url; with
        ``goals``, entities get the council goals of ``DEMO_GOALS`` (the demo shows them)."""
        base_url = base_url.rstrip("/")
        lines = [
            "# Registry for the forge simulator (generated; the simulator is not a real forge).",
            "",
        ]
        for e in self.entities:
            lines += [
                "[[entity]]",
                f'id = "{e.id}"',
                f'name = "{e.name}"',
                f'country = "{e.country}"',
                f'archetype = "{e.archetype}"',
                f'email_domains = ["{e.email_domain}"]',
            ]
            for a in self.accounts:
                if a.entity_id != e.id:
                    continue
                url = f"{base_url}{FORGE_PREFIX[a.forge]}"
                if a.forge == "github":
                    url += "/api/v3"
                lines += ["", "  [[entity.account]]", f'  forge = "{a.forge}"', f'  owner = "{a.path}"', f'  url = "{url}"']
            council = [(m, v, f"{self.now.year + 1}-12-31") for m, v in self.DEMO_GOALS.get(e.archetype, ())]
            council += [(m, v, f"{self.now.year - 1}-12-31") for m, v in self.DEMO_PAST_GOALS.get(e.archetype, ())]
            for metric, target, deadline in council if goals else ():
                lines += ["", "  [[entity.goal]]", f'  metric = "{metric}"', f"  target = {target}", f"  deadline = {deadline}"]
            lines.append("")
        return "\n".join(lines) + "\n"
