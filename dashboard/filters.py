"""The dashboard's shared state: language, global filters and the chosen entity or repository.

Everything a view depends on is kept in two places at once:

- ``st.session_state`` under keys of its own (not the widgets' keys), because Streamlit forgets
  the state of a widget as soon as a run does not draw it, which happens on every page switch;
- the URL's query string, so that a view can be shared as a link and a link opens that view.

The entrypoint (``app.py``) calls :func:`sidebar` on every run, before the page; pages read the
result with :func:`current`, choose entities and repositories with :func:`choose` and a way of
looking (tab, grouping) with :func:`view`. One page leads to another with the choices made there
(:func:`open_page`, :func:`link`, :func:`follow_selection`): the target page opens on them, with the
filters, and its address says so; :func:`search` finds an entity or repository by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard.i18n import LANGUAGE_NAMES, LANGUAGES, Translator, language
from dashboard.text import md_escape
from warehouse.metrics import Scope

PERIODS = (90, 180, 365, 730)       # days
DEFAULT_PERIOD = 365
GLOBAL_PARAMS = ("lang", "country", "archetype", "forge", "period")
_KEEP = "keep."                     # session keys that survive page switches
_WIDGET = "widget."
_PENDING = "nav.pending"            # a page to open, asked for by a button's callback
_SEARCH = "search.text"
SEARCH_HITS = 8
_UNSET = object()


@dataclass(frozen=True)
class Filters:
    lang: str
    country: str | None
    archetype: str | None
    forge: str | None
    days: int

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    def scope(self, level: str = "repo") -> Scope:
        """The page's scope for the warehouse's metric and page queries: the global filters
        (country, archetype, forge) at ``level``."""
        return Scope(level, country=self.country, archetype=self.archetype, forge=self.forge)

    def keywords(self) -> dict[str, str | None]:
        """The global filters as keyword arguments, for the queries that take them one by one
        (the entities in scope, the run log)."""
        return {"country": self.country, "archetype": self.archetype, "forge": self.forge}

    def narrowed(self) -> bool:
        return any(self.keywords().values())


def _kept(name: str, default: Any = None) -> Any:
    return st.session_state.get(_KEEP + name, default)


def _keep(name: str, value: Any) -> None:
    st.session_state[_KEEP + name] = value


def _requested(name: str) -> str | None:
    value = st.query_params.get(name)
    return None if value in (None, "") else str(value)


def _start_value(name: str, options: Sequence[Any], default: Any, parse: Callable[[str], Any] = str) -> Any:
    """The value a widget starts a run with: this session's last choice, else the URL's, else the default."""
    sentinel = object()
    kept = _kept(name, sentinel)
    if kept is not sentinel and kept in options:
        return kept
    requested = _requested(name)
    if requested is not None:
        try:
            value = parse(requested)
        except ValueError:
            value = sentinel
        if value in options:
            return value
        if name != "lang":
            st.session_state.setdefault("filters.unknown", []).append((name, requested))
    return default


def _widget(name: str, options: Sequence[Any], default: Any, draw: Callable[..., Any], parse=str, **kwargs) -> Any:
    key = _WIDGET + name
    # The widget's own state holds the choice just made; Streamlit drops it on a page switch,
    # and then the kept value (or the URL, or the default) takes its place. It is assigned again
    # even when unchanged: another page's widget under the same key (other label or format) is a
    # new widget to Streamlit, which starts at its first option unless the value was set here.
    current = st.session_state.get(key, _UNSET)
    st.session_state[key] = current if current in options else _start_value(name, options, default, parse)
    value = draw(options=list(options), key=key, **kwargs)
    _keep(name, value)
    return value


def _write_url(values: dict[str, Any], defaults: dict[str, Any]) -> None:
    for name, value in values.items():
        if value is None or value == defaults.get(name):
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != str(value):
            st.query_params[name] = str(value)


def choose_language() -> Translator:
    """The language switch, drawn first so that everything after it is in the chosen language."""
    lang = _widget(
        "lang",
        LANGUAGES,
        language(None),
        st.sidebar.segmented_control,
        label="Language / Sprache",
        format_func=LANGUAGE_NAMES.get,
        selection_mode="single",
        label_visibility="collapsed",
    )
    lang = language(lang)  # a deselected segmented control gives None
    _keep("lang", lang)
    _write_url({"lang": lang}, {"lang": language(None)})
    return Translator(lang)


def sidebar(t: Translator, options: dict[str, list[str]]) -> Filters:
    """Draw the global filters; remember them and put them in the URL. ``options``: see
    ``warehouse.pages.directory.filter_options``."""
    st.session_state["filters.unknown"] = []
    st.sidebar.subheader(t("filters.heading"), help=t("filters.help"))
    chosen: dict[str, Any] = {}
    shown: dict[str, Callable[[Any], str]] = {}
    for name in ("country", "archetype", "forge"):
        values: list[Any] = [None, *options.get(name, [])]
        namespace = {"archetype": "archetype", "forge": "forge"}.get(name)
        shown[name] = lambda v, ns=namespace: t("filters.all") if v is None else (t.label(ns, v) if ns else str(v))
        chosen[name] = _widget(
            name,
            values,
            None,
            st.sidebar.selectbox,
            label=t(f"filters.{name}"),
            # Streamlit shows the placeholder, not the option's label, while the value is None.
            placeholder=t("filters.all"),
            format_func=shown[name],
        )
    shown["period"] = lambda d: t("filters.period_days", days=d) if d < 365 else t(
        "filters.period_months", months=d // 30 if d % 365 else 12 * d // 365)
    chosen["period"] = _widget(
        "period",
        PERIODS,
        DEFAULT_PERIOD,
        st.sidebar.selectbox,
        parse=int,
        label=t("filters.period"),
        format_func=shown["period"],
    )
    _write_url(chosen, {"country": None, "archetype": None, "forge": None, "period": DEFAULT_PERIOD})
    for name, value in st.session_state["filters.unknown"]:
        # Say what is shown instead: "All", or the default period, by the label the sidebar shows.
        fallback = shown[name](None if name != "period" else DEFAULT_PERIOD)
        st.sidebar.warning(t("filters.unknown_value", field=t(f"filters.{name}"), value=md_escape(value),
                             fallback=md_escape(fallback)), icon=":material/link_off:")
    filters = Filters(t.lang, chosen["country"], chosen["archetype"], chosen["forge"], int(chosen["period"]))
    st.session_state["filters.current"] = filters
    return filters


def current() -> Filters:
    """The filters of this run (set by the entrypoint before the page runs)."""
    filters = st.session_state.get("filters.current")
    if filters is None:  # a page run on its own, e.g. in a test
        filters = Filters(language(_requested("lang")), None, None, None, DEFAULT_PERIOD)
    return filters


def choose(
    name: str,
    options: Sequence[str],
    label: str,
    format_func: Callable[[str], str] = str,
    where: Any = st,
    help: str | None = None,
) -> str | None:
    """A choice that is kept across pages and in the URL under ``name`` (``entity``, ``repo``...).

    Returns None when there is nothing to choose from. A value in the URL that is not among
    ``options`` is reported (as text: it may be anything) and the first option is taken.
    """
    options = list(options)
    if not options:
        if name in st.query_params:
            del st.query_params[name]
        return None
    requested = _requested(name)
    if requested is not None and requested not in options and _kept(name) is None:
        # Say what is shown instead: the first choice, by its name.
        st.warning(current().t("filters.unknown_choice", field=md_escape(label), value=md_escape(requested),
                               fallback=md_escape(format_func(options[0]))), icon=":material/link_off:")
    value = _widget(name, options, options[0], where.selectbox, label=label, format_func=format_func, help=help)
    _write_url({name: value}, {})
    return value


def view(name: str, options: Sequence[str], default: str, label: str, format_func: Callable[[str], str] = str,
         where: Any = st) -> str:
    """A way of looking at a page (a tab, a grouping) as a segmented control, kept across pages and
    in the URL under ``name`` (left out while it is the default), so a link opens that view."""
    chosen = _widget(name, options, default, where.segmented_control, label=label, format_func=format_func,
                     selection_mode="single", label_visibility="collapsed")
    value = chosen if chosen in options else default  # clicking the chosen segment again deselects it
    _keep(name, value)
    _write_url({name: value}, {name: default})
    return value


# ------------------------------------------------------------------ from one page to another


def _global_params() -> dict[str, str]:
    """The filters of this run as URL parameters (defaults left out, as the sidebar writes them)."""
    f = current()
    params = {"lang": f.lang} if f.lang != language(None) else {}
    params |= {name: str(getattr(f, name)) for name in ("country", "archetype", "forge") if getattr(f, name)}
    if f.days != DEFAULT_PERIOD:
        params["period"] = str(f.days)
    return params


def _choose_for_next(choices: dict[str, Any]) -> None:
    # The next page's widgets start from the kept values; a widget state left from this run
    # would win over them, so it goes.
    for name, value in choices.items():
        _keep(name, value)
        st.session_state.pop(_WIDGET + name, None)


def open_page(page: str, **choices: Any) -> None:
    """Go to ``page`` (``views/entity.py``...) now, with ``choices`` made (``entity=...``,
    ``repo=...``) and the filters kept; the new address carries both."""
    choices = {k: str(v) for k, v in choices.items() if v is not None}
    _choose_for_next(choices)
    st.switch_page(page, query_params={**_global_params(), **choices})


def _open_later(page: str, choices: dict[str, Any]) -> None:
    # A callback cannot switch pages: it leaves the page to open for the run it starts.
    st.session_state[_PENDING] = (page, choices)


def follow_pending() -> None:
    """Open the page a button asked for (called by the entrypoint before the page runs)."""
    pending = st.session_state.pop(_PENDING, None)
    if pending is not None:
        open_page(pending[0], **pending[1])


def link(label: str, page: str, *, key: str, icon: str | None = None, where: Any = st, **choices: Any) -> None:
    """A link to ``page`` opening on ``choices`` with the filters kept (a button that looks like a
    link: an ``st.page_link`` cannot choose for the page it opens)."""
    where.button(label, key=key, icon=icon, type="tertiary", on_click=_open_later, args=(page, choices))


def follow_selection(event: Any, table: Any, page: str, **columns: str) -> None:
    """When a row of ``table`` (the frame an ``st.dataframe`` with ``on_select="rerun"`` shows) is
    selected, open ``page`` on it: ``columns`` maps each choice to the row's column holding it."""
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    if rows and 0 <= rows[0] < len(table):
        row = table.iloc[rows[0]]
        open_page(page, **{name: row[column] for name, column in columns.items()})


def _search_hit(page: str, choices: dict[str, Any]) -> None:
    st.session_state[_SEARCH] = ""
    _open_later(page, choices)


def search(t: Translator, entities: Any, repos: Any) -> None:
    """The sidebar's search box: an entity by its name or id, a repository by its path, within the
    filters of this run (the page opened must be able to show it); up to ``SEARCH_HITS`` matches as
    links to their page. ``entities``: entity_id, name, country, archetype; ``repos``: forge, host,
    path, entity_id."""
    text = st.sidebar.text_input(t("search.label"), key=_SEARCH, placeholder=t("search.placeholder"),
                                 icon=":material/search:", help=t("search.help"))
    needle = " ".join(str(text).split()).casefold()
    if not needle:
        return
    f = current()
    for name in ("country", "archetype"):
        if getattr(f, name):
            entities = entities[entities[name] == getattr(f, name)]
    repos = repos[repos["entity_id"].isin(entities["entity_id"])]
    if f.forge:
        repos = repos[repos["forge"] == f.forge]
        entities = entities[entities["entity_id"].isin(repos["entity_id"])]
    hits: list[tuple[str, str, dict[str, Any]]] = []
    for e in entities.itertuples():
        if needle in str(e.name).casefold() or needle in str(e.entity_id).casefold():
            hits.append((str(e.name), "views/entity.py", {"entity": e.entity_id}))
    for r in repos.itertuples():
        if len(hits) >= SEARCH_HITS:
            break
        if needle in str(r.path).casefold():
            hits.append((f"{r.path} ({t.label('forge', r.forge)})", "views/project.py",
                         {"entity": r.entity_id, "repo": repo_key(r.forge, r.host, r.path)}))
    if not hits:
        st.sidebar.caption(t("search.none", text=md_escape(text)))
    for i, (label, page, choices) in enumerate(hits[:SEARCH_HITS]):
        icon = ":material/location_city:" if page.endswith("entity.py") else ":material/folder_code:"
        st.sidebar.button(md_escape(label), key=f"search.hit.{i}", icon=icon, type="tertiary",
                          on_click=_search_hit, args=(page, choices))


def repo_key(forge: str, host: str, path: str) -> str:
    """One string for a repository, as used in the URL: ``forge:host/path``."""
    return f"{forge}:{host}/{path}"

