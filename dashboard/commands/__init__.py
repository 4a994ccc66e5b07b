"""Commands of ``ossdash`` kept one per module: each module here defines ``command``, a click.Command.

:func:`register` adds them all to the CLI group, in the order of their module names. Modules import
what they need inside the command, so that ``ossdash --help`` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil

import click


def register(group: click.Group) -> None:
    """Add the ``command`` of every module of this package to ``group``."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        group.add_command(module.command)
