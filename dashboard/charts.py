"""Chart builders: DataFrame in, Altair chart out. No Streamlit and no SQL here, so each chart can
be tested and reused (reports, notebooks) on its own."""

from __future__ import annotations

import altair as alt
import pandas as pd

_MONTH = alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y"))
_COMMITS = alt.Y("commits:Q", title="Commits", axis=alt.Axis(tickMinStep=1))
_TOOLTIP = [
    alt.Tooltip("entity_name:N", title="Entity"),
    alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
    alt.Tooltip("commits:Q", title="Commits", format=","),
]


def commits_per_month(df: pd.DataFrame, title: str = "Commits per month") -> alt.Chart:
    """Commits per month from ``warehouse.queries.commits_per_month`` output.

    One entity: bars. Several: one line per entity, so entities can be compared month by month.
    """
    data = df[["month", "entity_id", "entity_name", "commits"]]
    base = alt.Chart(data, title=title)
    if data["entity_id"].nunique() <= 1:
        return base.mark_bar().encode(x=_MONTH, y=_COMMITS, tooltip=_TOOLTIP)
    return base.mark_line(point=True).encode(
        x=_MONTH,
        y=_COMMITS,
        color=alt.Color("entity_name:N", title="Entity"),
        detail="entity_id:N",  # two entities sharing a name still get a line each
        tooltip=_TOOLTIP,
    )
