"""Weeks the same in Python and in SQL: the lifecycle and the health score pick the weeks a
window boundary falls in with ``moments.utc_week`` and read ``activity_weeks``, numbered by the
SQL macro ``utc_week`` of migration 026; a week told apart differently would count its events twice
or not at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.metrics.moments import utc_week
from warehouse.schema import migrate


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("weeks") / "weeks.duckdb"))
    migrate(con)
    yield con
    con.close()


_moments = st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
# A week starts on a Thursday at midnight UTC (the epoch's weekday): the moments around one.
_edges = st.tuples(st.integers(-600, 7000), st.sampled_from([-1000, -1, 0, 1, 999])).map(
    lambda kw: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(weeks=kw[0], microseconds=kw[1]))


@settings(max_examples=300, deadline=None)
@given(moment=st.one_of(_moments, _edges))
def test_python_and_sql_number_a_moment_s_week_alike(con, moment):
    assert con.execute("SELECT utc_week(?::TIMESTAMPTZ)", [moment]).fetchone()[0] == utc_week(moment)


def test_a_week_is_seven_days_from_the_epoch():
    start = datetime(1970, 1, 1, tzinfo=UTC)
    assert utc_week(start) == 0 and utc_week(start - timedelta(microseconds=1)) == -1
    assert utc_week(start + timedelta(days=7) - timedelta(microseconds=1)) == 0 == utc_week(start + timedelta(days=6))
