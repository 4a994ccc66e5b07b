"""A stop asked for by a signal, remembered where a lost KeyboardInterrupt cannot lose it.

Python raises a signal handler's exception wherever the main thread happens to be. Inside a
finalizer (urllib3 closes its pools in one) it is printed as "Exception ignored" and dropped;
inside a DuckDB statement it comes back as DuckDB's own interruption error. So the command
line's handlers also count the request here, and the pipeline asks at every repository and
account boundary, and treats any failure while a stop is pending as that stop.
"""

from __future__ import annotations

_requests = {"count": 0}


def request() -> None:
    """Called by a signal handler: one more stop asked for."""
    _requests["count"] += 1


def requested() -> int:
    """How many stops were asked for since the last reset (0: none)."""
    return _requests["count"]


def withdraw() -> None:
    """Take back one stop that the run asked for itself (warehouse.lanes passes a lane's stop on
    to the other lanes this way): once the run has stopped, it is no request from outside."""
    _requests["count"] = max(0, _requests["count"] - 1)


def reset() -> None:
    _requests["count"] = 0


def check() -> None:
    """Raise KeyboardInterrupt if a stop was asked for and its own exception got lost."""
    if _requests["count"]:
        raise KeyboardInterrupt
