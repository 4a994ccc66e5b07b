"""The README's two commands are the ones the project actually runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_opens_with_the_demo_and_the_test_command():
    commands = _readme_commands()
    assert commands[0].endswith("&& ossdash demo")
    assert commands[1].endswith("&& python -m pytest")
    assert (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[2] == "```sh"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_commands()[1] in ci
