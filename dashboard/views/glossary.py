"""Glossary: every figure of the dashboard in plain words, with its definition and caveats, in the
page's language. The text is ``dashboard/glossary.toml``, the same that docs/metrics.md shows."""

from __future__ import annotations

import streamlit as st

from dashboard import filters, glossary
from dashboard.text import md_escape

f = filters.current()
t = f.t

st.title(t("nav.glossary"))
st.caption(t("glossary.intro"))

# A word typed here keeps the terms that mention it (in their name or any of their texts).
wanted = st.text_input(t("glossary.search"), key="glossary.search", placeholder=t("glossary.search_placeholder"))
needle = " ".join(wanted.split()).casefold()
terms = [term for term in glossary.terms()
         if not needle or any(needle in term.text(t.lang, field).casefold() for field in glossary.FIELDS)]
if not terms:
    st.info(t("glossary.nothing_found", text=md_escape(wanted)), icon=":material/search_off:")
    st.stop()

for group in glossary.GROUPS:
    members = [term for term in terms if term.group == group]
    if not members:
        continue
    st.header(t(f"glossary.group.{group}"), anchor=f"group-{group}")
    for term in members:
        st.subheader(term.text(t.lang, "name"), anchor=term.id)
        st.markdown(term.text(t.lang, "plain"))
        st.markdown(f"**{t('glossary.definition')}:** {term.text(t.lang, 'definition')}")
        st.markdown(f"**{t('glossary.caveats')}:** {term.text(t.lang, 'caveats')}")
