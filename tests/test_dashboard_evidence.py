"""Reuse evidence in words (dashboard/evidence_text.py) on the collected simulator warehouse: every link
summarised in either language, repositories named by their path, never by an internal key."""

from __future__ import annotations

import re

import duckdb
import pytest

from dashboard import evidence_text
from dashboard.i18n import LANGUAGES, Translator
from warehouse import reuse
from warehouse.link_evidence import link_evidence

RAW_KEY = re.compile(r"\b(github|gitlab|opencode):[^\s/]+/|127\.0\.0\.1|commit\(s\)")


@pytest.fixture(scope="module")
def con(demo_db):
    with duckdb.connect(str(demo_db[0]), read_only=True) as connection:
        yield connection


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_link_is_summarised_without_internal_keys(con, lang):
    t = Translator(lang)
    names = dict(con.execute("SELECT entity_id, name FROM entities").fetchall())
    evidence = link_evidence(con)
    summaries = evidence_text.link_summaries(t, evidence, names)
    edges = reuse.entity_edges(con)
    assert set(zip(summaries["source"], summaries["target"], summaries["kind"])) == set(
        zip(edges["source"], edges["target"], edges["kind"]))
    for text in summaries["evidence_text"]:
        assert text and not RAW_KEY.search(text), text
    forks = evidence[evidence["kind"] == "fork"].iloc[0]
    assert evidence_text.sentence(t, forks, names) == t(
        "reuse.evidence.fork", fork=forks["path"], project=forks["project_path"])


def test_a_long_link_is_cut_to_its_strongest_pieces_and_counts_the_rest(con):
    t = Translator("de")
    evidence = link_evidence(con, ["contribution"])
    counts = evidence.groupby(["source", "target"]).size()
    source, target = counts.idxmax()
    assert counts.max() > evidence_text.SHOWN_PER_LINK
    summary = evidence_text.link_summaries(t, evidence, {}).set_index(["source", "target"]).loc[(source, target)]
    rest = counts.max() - evidence_text.SHOWN_PER_LINK
    assert summary["evidence_text"].endswith(t.count("reuse.evidence.more", rest))
    rows = evidence[(evidence["source"] == source) & (evidence["target"] == target)]
    top = rows.sort_values("commits", ascending=False).iloc[0]
    assert summary["evidence_text"].startswith(f"{top['person']}: {t.count('common.commits', top['commits'])}")
