"""The Standard for Public Code (0.8.x, Foundation for Public Code, CC0): its 16 criteria, and
for the ones the collected data can speak to, the requirements ossdash checks.

Each check names the requirement it reads, with its keyword; docs/public-code.md quotes them and
says what decides each one. A criterion with no check needs a person's reading: ossdash shows it
as not checked, never as met or not met.
"""

from __future__ import annotations

from dataclasses import dataclass

STANDARD_VERSION = "0.8"


@dataclass(frozen=True)
class Check:
    id: str
    criterion: str
    keyword: str  # MUST | SHOULD
    requirement: str  # the Standard's words


CRITERIA: tuple[tuple[str, str], ...] = (
    ("code_in_the_open", "Code in the open"),
    ("bundle_policy", "Bundle policy and source code"),
    ("reusable", "Make the codebase reusable and portable"),
    ("welcome_contributors", "Welcome contributors"),
    ("contributing_easy", "Make contributing easy"),
    ("version_control", "Maintain version control"),
    ("require_review", "Require review of contributions"),
    ("document_objectives", "Document codebase objectives"),
    ("document_code", "Document the code"),
    ("plain_english", "Use plain English"),
    ("open_standards", "Use open standards"),
    ("continuous_integration", "Use continuous integration"),
    ("open_licence", "Publish with an open license"),
    ("findable", "Make the codebase findable"),
    ("coherent_style", "Use a coherent style"),
    ("codebase_maturity", "Document codebase maturity"),
)

CHECKS: tuple[Check, ...] = (
    Check("published", "code_in_the_open", "MUST",
          "All source code for any software in use (unless used for fraud detection) MUST be published "
          "and publicly accessible."),
    Check("multiple_parties", "reusable", "SHOULD", "The codebase SHOULD be in use by multiple parties."),
    Check("contribution_guidelines", "welcome_contributors", "MUST",
          "The codebase MUST include contribution guidelines explaining what kinds of contributions are "
          "welcome and how contributors can get involved, for example in a CONTRIBUTING file."),
    Check("governance", "welcome_contributors", "MUST",
          "The codebase MUST document the governance of the codebase, contributions and its community, "
          "for example in a GOVERNANCE file."),
    Check("issue_tracker", "contributing_easy", "MUST",
          "The codebase MUST have a public issue tracker that accepts suggestions from anyone."),
    Check("security_reporting", "contributing_easy", "MUST",
          "The codebase MUST include instructions for how to privately report security issues for "
          "responsible disclosure."),
    Check("version_controlled", "version_control", "MUST", "All files in a codebase MUST be version controlled."),
    Check("marked_releases", "version_control", "SHOULD",
          "Maintainers SHOULD mark released versions of the codebase, for example using revision tags or "
          "textual labels."),
    Check("reviewed", "require_review", "MUST",
          "All contributions that are accepted or committed to release versions of the codebase MUST be "
          "reviewed by another contributor."),
    Check("prompt_review", "require_review", "SHOULD", "Reviews SHOULD happen within two business days."),
    Check("automated_tests", "continuous_integration", "MUST",
          "All functionality in the source code MUST have automated tests."),
    Check("active_reviewers", "continuous_integration", "MUST",
          "The codebase MUST have active contributors who can review contributions."),
    Check("osi_licence", "open_licence", "MUST",
          "Software source code MUST be licensed under an OSI-approved or FSF Free/Libre license."),
    Check("licence_file", "open_licence", "MUST", "All source code MUST be published with a license file."),
    Check("short_description", "findable", "SHOULD",
          "The codebase SHOULD have a short description that helps someone understand what the codebase "
          "is for or what it does."),
    Check("metadata", "findable", "SHOULD",
          "The codebase SHOULD include a machine-readable metadata description, for example in a "
          "publiccode.yml file."),
    Check("versioned", "codebase_maturity", "MUST", "The codebase MUST be versioned."),
    Check("maturity_documented", "codebase_maturity", "MUST",
          "The codebase MUST prominently document whether or not there are versions of the codebase that "
          "are ready to use."),
    Check("changelog", "codebase_maturity", "SHOULD",
          "The codebase SHOULD contain a log of changes from version to version, for example in the CHANGELOG."),
)

CHECKED_CRITERIA: tuple[str, ...] = tuple(c for c, _ in CRITERIA if any(k.criterion == c for k in CHECKS))
UNCHECKED_CRITERIA: tuple[str, ...] = tuple(c for c, _ in CRITERIA if c not in CHECKED_CRITERIA)


def checks_of(criterion: str) -> tuple[Check, ...]:
    return tuple(k for k in CHECKS if k.criterion == criterion)


# Root folders where a forge also finds CONTRIBUTING, GOVERNANCE, SECURITY and the like (GitHub
# reads .github and docs; GitLab templates live in .gitlab): a file missing from the root may be
# there, and they are not listed.
UNLISTED_FOLDERS = (".github", "docs", ".gitlab")

# CI configuration at the root, by file name (lower case), and folders that hold one.
CI_FILES = (
    ".gitlab-ci.yml", ".gitlab-ci.yaml", ".travis.yml", "jenkinsfile", "azure-pipelines.yml",
    ".drone.yml", ".woodpecker.yml", ".woodpecker.yaml", "appveyor.yml", ".appveyor.yml",
    "bitbucket-pipelines.yml", ".cirrus.yml", "codefresh.yml",
)
CI_FOLDERS = (".circleci", ".woodpecker", ".buildkite", ".forgejo", ".gitea")
# Folders that may hold a CI configuration ossdash did not list: GitLab's custom CI path is often
# in .gitlab; .github when its workflows were not read.
MAYBE_CI_FOLDERS = (".gitlab",)

GOVERNANCE_STEMS = ("governance",)
CHANGELOG_STEMS = ("changelog", "changes", "history", "news", "releases")
