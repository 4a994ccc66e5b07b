"""openCoDE's badges (:mod:`warehouse.metrics.badges`) as goal metrics, one value per entity,
registered on import (docs/reuse-and-goals.md)."""

from __future__ import annotations

from warehouse import metrics as health
from warehouse.goals.builtin_metrics import _per_entity
from warehouse.goals.days import _moment
from warehouse.goals.metric_registry import register_metric

SILVER_OR_BETTER = ("silver", "gold")


@register_metric("maintained_silver_share", share=True,
                 description="share of the entity's repositories with openCoDE's Maintained badge at Silver or"
                             " better (a level the data cannot decide counts as not reached)")
def _maintained_silver_share(con, entity_ids, day):
    # One entity: its rows only; several: every repository at once.
    one = entity_ids[0] if len(entity_ids) == 1 else None
    df = health.badges(con, health.Scope(entity_id=one), now=_moment(con, day))
    reached = df["maintained_level"].isin(SILVER_OR_BETTER).astype(float)
    values = {e: float(v) for e, v in reached.groupby(df["entity_id"]).mean().items()}
    return _per_entity(entity_ids, values, None)
