"""Reuse and collaboration across entities: who reuses, forks, mirrors and co-develops whose code.

Every function takes a DuckDB connection (read-only is enough) and returns a pandas DataFrame.
Values reach SQL only as bound parameters. Definitions, with their caveats, are in
``docs/reuse-and-goals.md``; in short:

- A *project* is a repository, or a set of mirrors of one repository on different forge hosts
  (non-fork repositories sharing their root commit), counted once everywhere: view ``projects``
  over the table ``repo_project`` (migration 005). The derived tables (``repo_project``,
  ``person_project_commits``, ``publiccode_matches``) are rebuilt by :func:`refresh_reuse` after
  each collection, after identities.
- An *edge* ``source -> target`` of some ``kind`` says that a project of ``source`` is reused by,
  or receives work from, ``target``:

  ============== ==============================================================================
  fork           a repository of ``target`` is a fork of a repository of ``source``
  mirror         a repository of ``target`` mirrors a project whose canonical repo is ``source``'s
  used_by        a publiccode.yml of ``source``'s project names ``target`` in ``usedBy``
  is_based_on    a publiccode.yml of ``target``'s project names a repository (URL), a namespace
                 or the name of ``source`` in ``isBasedOn``
  contribution   a person affiliated with ``target`` (and not with ``source``) authored commits
                 in ``source``'s project
  shared_contributor  a person affiliated with neither authored commits in projects of both;
                 undirected, reported once with ``source < target``
  ============== ==============================================================================

  ``weight`` counts distinct units: fork repositories, mirror repositories, naming projects
  (used_by), reusing projects (is_based_on), persons (contribution, shared_contributor).

Names in publiccode.yml are matched to the registry's entities by :func:`match_entity`: a
normalisation (case, accents, umlauts, punctuation, administrative prefixes such as "Stadt",
"Comune di", "Gemeente") then exact comparison, then ``difflib`` similarity of at least
:data:`NAME_THRESHOLD` with a clear winner (:data:`NAME_MARGIN`).

One module per concern, each importing only those above it in this list:

- :mod:`~warehouse.reuse.names`: name normalisation and :func:`match_entity`;
- :mod:`~warehouse.reuse.publiccode`: publiccode.yml usedBy / isBasedOn entries resolved by URL or
  name, :func:`publiccode_mentions`;
- :mod:`~warehouse.reuse.evidence`: the edge kinds, the evidence of each kind and
  :func:`reuse_evidence`;
- :mod:`~warehouse.reuse.state`: whether the derived tables are fresh (:func:`reuse_fresh`);
- :mod:`~warehouse.reuse.edges`: :func:`entity_edges`, stored or computed live;
- :mod:`~warehouse.reuse.summary`: :func:`entity_reuse_summary`, :func:`projects_reused_by_others`,
  :func:`contributions_to_others`;
- :mod:`~warehouse.reuse.link_pieces`: the evidence of each link in parts, and each link's first
  pieces as stored (``link_firsts``, read by ``warehouse.link_evidence``);
- :mod:`~warehouse.reuse.project_queries`: :func:`projects` and :func:`mirrors`;
- :mod:`~warehouse.reuse.refresh`: :func:`refresh_reuse`, rebuilding the derived tables, the stored
  edges, first pieces of evidence and summaries and the freshness state.
"""

from __future__ import annotations

from warehouse.reuse.edges import entity_edges
from warehouse.reuse.evidence import (
    EDGE_KINDS,
    PEOPLE_KINDS,
    REUSE_KINDS,
    reuse_evidence,
)
from warehouse.reuse.names import (
    NAME_MARGIN,
    NAME_THRESHOLD,
    NameMatch,
    core_name,
    match_entity,
    normalise_name,
)
from warehouse.reuse.project_queries import mirrors, projects
from warehouse.reuse.publiccode import publiccode_mentions
from warehouse.reuse.refresh import refresh_reuse
from warehouse.reuse.state import reuse_fresh
from warehouse.reuse.summary import (
    contributions_to_others,
    entity_reuse_summary,
    projects_reused_by_others,
)

__all__ = [
    "EDGE_KINDS",
    "NAME_MARGIN",
    "NAME_THRESHOLD",
    "PEOPLE_KINDS",
    "REUSE_KINDS",
    "NameMatch",
    "contributions_to_others",
    "core_name",
    "entity_edges",
    "entity_reuse_summary",
    "match_entity",
    "mirrors",
    "normalise_name",
    "projects",
    "projects_reused_by_others",
    "publiccode_mentions",
    "refresh_reuse",
    "reuse_evidence",
    "reuse_fresh",
]
