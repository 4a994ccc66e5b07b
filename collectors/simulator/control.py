"""The simulator's control endpoints under ``/_sim``: counters, ground truth, faults, time.

``GET /_sim/stats`` (requests per endpoint, 304s, TCP connections per client),
``GET /_sim/truth``, ``GET /_sim/registry.toml``, ``GET|POST|DELETE /_sim/faults``,
and ``POST /_sim/day``: the clock moves one day on and a day of activity is added
(see :func:`collectors.simulator.activity.add_day`).
"""

from __future__ import annotations

import json

from collectors.simulator import activity


def get(handler, rest: list[str]) -> None:
    sim = handler.sim
    if rest == ["stats"]:
        return handler._send(200, sim.stats(), {})
    if rest == ["truth"]:
        with sim.lock:
            truth = sim.world.truth()
        body = {
            "repos": {f"{f}:{p}": v for (f, p), v in truth["repos"].items()},
            "commits": {f"{f}:{p}": len(v) for (f, p), v in truth["commits"].items()},
            # Each change request's reviews as its forge serves them: reviewer, state, first moment.
            "reviews": {f"{f}:{p}#{n}": sorted([login, state, moment.isoformat()] for (login, state), moment in v.items())
                        for (f, p, n), v in truth["reviews"].items()},
        }
        return handler._send(200, body, {})
    if rest == ["faults"]:
        return handler._send(200, sim.faults.to_json(), {})
    if rest == ["registry.toml"]:
        payload = sim.registry_toml().encode()
        return handler._send(200, payload, {"Content-Type": "text/plain; charset=utf-8"})
    handler._send(404, {"message": "Not Found"}, {})


def post(handler, path: str) -> None:
    """``POST /_sim/faults`` with a JSON fault (or a list of them), e.g. ``{"kind": "slow", "delay": 2}``;
    ``POST /_sim/day`` to add a day of activity."""
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    sim = handler.sim
    if path == "/_sim/day":
        with sim.lock:
            added = activity.add_day(sim.world)
            now = sim.world.now.isoformat()
        return handler._send(200, {"now": now, "added": added}, {})
    if path != "/_sim/faults":
        return handler._send(404, {"message": "Not Found"}, {})
    try:
        spec = json.loads(raw or b"null")
        specs = spec if isinstance(spec, list) else [spec]
        if not all(isinstance(s, dict) for s in specs) or not specs:
            raise ValueError("expected a JSON object or a list of objects")
        added = [sim.faults.from_json(s).to_json() for s in specs]
    except (ValueError, TypeError) as exc:
        return handler._send(400, {"message": str(exc)}, {})
    handler._send(201, added if isinstance(spec, list) else added[0], {})


def delete(handler, path: str) -> None:
    """``DELETE /_sim/faults`` removes every scheduled fault."""
    if path != "/_sim/faults":
        return handler._send(404, {"message": "Not Found"}, {})
    handler.sim.faults.clear()
    handler._send(204, None, {})
