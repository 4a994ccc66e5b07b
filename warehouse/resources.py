"""What a collection may take of the machine: DuckDB's memory limit and worker threads.

DuckDB's own defaults suit an analyst's laptop, not a collector that shares a small server with
the dashboard: 80% of the machine's memory and a thread per core. Left so, DuckDB keeps the
blocks it has written cached long after a batch is committed, and a collection's memory grows
with the warehouse instead of staying at a batch's worth. A limit makes it evict them (and spill
to a temporary folder next to the working copy when a query needs more); fewer threads mean fewer
buffers held at once.

Arrow's default allocator (mimalloc) keeps pages freed after each batch, 20-50 MB at 40-2,000
repositories; ``ARROW_DEFAULT_MEMORY_POOL=system`` avoids that. It has to be set before pyarrow is
first imported (``pyarrow.set_memory_pool`` later does not reach the pool Arrow's C++ kernels use),
so it belongs to the process's start, not here: the ``ossdash`` command sets it.

DuckDB's own allocator (jemalloc, on Linux) keeps freed pages for ten seconds in one arena per
thread and purges them on the allocating thread. :func:`allocator_environment` gives DuckDB one
arena and a tenth of a second, with jemalloc's background threads doing the purging
(``allocator_background_threads``): 4-15 MB off an unchanged re-collection's peak at 43-2,000
repositories at no cost in speed; purging at once (``dirty_decay_ms:0``) took 40-60 MB off a
first collection but made the settle a third slower. Like Arrow's pool it is read when DuckDB is first loaded, so the command sets it.

Both DuckDB settings can be set per run with OSSDASH_MEMORY_LIMIT (e.g. ``512MB``, ``2GB``) and
OSSDASH_THREADS.
The limit covers DuckDB's buffers only: the process as a whole also holds Python, its libraries
(about 150 MB after the imports) and a batch of records (see docs/collection.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from warehouse.lock import WarehouseError

MEMORY_LIMIT_ENV = "OSSDASH_MEMORY_LIMIT"
THREADS_ENV = "OSSDASH_THREADS"
DEFAULT_MEMORY_LIMIT_MB = 512
DEFAULT_THREADS = 2
# DuckDB must hold at once what a metric query cannot spill: 96 MiB already fails at 43
# repositories, 128 MiB at 2,000. The default leaves room for a warehouse ten times that size.
MIN_MEMORY_LIMIT_MB = 128
MAX_THREADS = 256

ALLOCATOR_ENV = "DUCKDB_JE_MALLOC_CONF"
ALLOCATOR_CONF = "narenas:1,dirty_decay_ms:100,muzzy_decay_ms:0"

_UNIT_BYTES = {"kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3,
               "tb": 1000**4, "tib": 1024**4}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.IGNORECASE)


class ResourceSettingError(WarehouseError):
    """An environment variable that sets a collection's resources holds a value that cannot be used."""


@dataclass(frozen=True)
class Resources:
    memory_limit_mb: int
    threads: int

    def duckdb_config(self) -> dict[str, str]:
        """The settings as ``duckdb.connect(config=...)`` takes them."""
        return {"memory_limit": f"{self.memory_limit_mb}MiB", "threads": str(self.threads),
                "allocator_background_threads": "true"}


def allocator_environment(environ: dict[str, str] | None = None) -> None:
    """Set Arrow's and DuckDB's allocators for a collector, unless ``environ`` already names them.

    Call before pyarrow and DuckDB are first imported: both read these when they load.
    """
    env = os.environ if environ is None else environ
    env.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    env.setdefault(ALLOCATOR_ENV, ALLOCATOR_CONF)


def collection_resources(environ: Mapping[str, str] | None = None) -> Resources:
    """The resources of a collection: the defaults, or what the environment sets.

    Raises ResourceSettingError with one line saying which variable is wrong and what it takes.
    """
    env = os.environ if environ is None else environ
    memory = env.get(MEMORY_LIMIT_ENV, "").strip()
    threads = env.get(THREADS_ENV, "").strip()
    return Resources(
        memory_limit_mb=parse_memory_limit(memory) if memory else DEFAULT_MEMORY_LIMIT_MB,
        threads=parse_threads(threads) if threads else DEFAULT_THREADS,
    )


def parse_memory_limit(text: str) -> int:
    """``512MB``, ``1.5GB``, ``300MiB``: the size in MiB (decimal units are 1000-based, as DuckDB's)."""
    match = _SIZE.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNIT_BYTES:
        raise ResourceSettingError(
            f"{MEMORY_LIMIT_ENV}={text!r} is not a memory size: give a number and a unit, for example "
            f"512MB or 2GB (at least {MIN_MEMORY_LIMIT_MB} MiB; unset, a collection uses {DEFAULT_MEMORY_LIMIT_MB} MiB)")
    mib = int(float(match.group(1)) * _UNIT_BYTES[unit] // 1024**2)
    if mib < MIN_MEMORY_LIMIT_MB:
        raise ResourceSettingError(
            f"{MEMORY_LIMIT_ENV}={text!r} is too small: a collection needs at least {MIN_MEMORY_LIMIT_MB} MiB "
            f"for DuckDB (unset, it uses {DEFAULT_MEMORY_LIMIT_MB} MiB)")
    return mib


def parse_threads(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_THREADS:
        raise ResourceSettingError(
            f"{THREADS_ENV}={text!r} is not a number of threads: give a whole number from 1 to {MAX_THREADS} "
            f"(unset, a collection uses {DEFAULT_THREADS})")
    return int(text)
