"""Placeholder until the page lands."""
import streamlit as st

from dashboard import filters

st.title(filters.current().t("nav.project"))
