"""The Standard for Public Code's checked criteria (:mod:`warehouse.metrics.public_code`) as goal
metrics: for each criterion with a check, the share of an entity's repositories meeting it,
registered on import (docs/reuse-and-goals.md).

A criterion the collected data cannot decide ("unknown") counts as not met, as a badge level the
data cannot decide does for ``maintained_silver_share``: the share is of all the entity's
repositories, so it never claims more than the data shows. Meeting the checks is not compliance
with the Standard (docs/public-code.md).
"""

from __future__ import annotations

from warehouse import metrics as health
from warehouse.goals.builtin_metrics import _per_entity
from warehouse.goals.days import _moment
from warehouse.goals.metric_registry import register_metric
from warehouse.metrics.public_code_criteria import CHECKED_CRITERIA, CRITERIA

# One goal metric per checked criterion; collectors/registry.py repeats the names.
PUBLIC_CODE_GOAL_METRICS: dict[str, str] = {f"public_code_{c}_share": c for c in CHECKED_CRITERIA}


def _criterion_share(criterion: str):
    def share(con, entity_ids, day):
        # One entity: its rows only; several: every repository at once.
        one = entity_ids[0] if len(entity_ids) == 1 else None
        df = health.public_code(con, health.Scope(entity_id=one), now=_moment(con, day))
        met = (df[f"criterion_{criterion}"] == "met").astype(float)
        values = {e: float(v) for e, v in met.groupby(df["entity_id"]).mean().items()}
        return _per_entity(entity_ids, values, None)

    share.__name__ = f"_public_code_{criterion}_share"
    return share


_TITLES = dict(CRITERIA)
for _name, _criterion in PUBLIC_CODE_GOAL_METRICS.items():
    register_metric(
        _name, share=True,
        description=(f"share of the entity's repositories meeting the Standard for Public Code's criterion"
                     f" '{_TITLES[_criterion]}' by ossdash's checks (unknown counts as not met)"),
    )(_criterion_share(_criterion))
