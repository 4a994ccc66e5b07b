"""What a parse returns: :class:`PubliccodeInfo`, and its JSON form."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class PubliccodeInfo:
    """What a publiccode.yml says, and what is wrong with it.

    ``valid`` is True when ``errors`` is empty: every check that could be made
    passed. ``not_checked`` names the checks that need what a parse does not have
    (the network, or the repository's files); they are neither passed nor failed.
    ``warnings`` note deprecated usage that does not make the file invalid.
    ``version`` is the publiccodeYmlVersion as the file declares it, even when it
    is not one the standard knows. Dates inside ``contractors`` are ISO strings;
    ``raw`` is the document as JSON-serialisable data, scalars as written.
    """

    valid: bool = False
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()
    version: str | None = None  # publiccodeYmlVersion, as declared
    name: str | None = None
    url: str | None = None
    landing_url: str | None = None
    development_status: str | None = None
    software_type: str | None = None
    license: str | None = None  # legal.license (SPDX expression)
    main_copyright_owner: str | None = None  # legal.mainCopyrightOwner
    used_by: tuple[str, ...] = ()
    is_based_on: tuple[str, ...] = ()
    maintenance_type: str | None = None
    maintenance_until: date | None = None  # the latest contractor `until`
    contractors: tuple[dict, ...] = field(default=(), hash=False)  # {name, until, website, email}
    contacts: tuple[dict, ...] = field(default=(), hash=False)  # {name, email, affiliation, phone}
    platforms: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    supports: tuple[str, ...] = ()  # supports[].id (alias:<name> or a URI)
    it_section: dict | None = field(default=None, hash=False)  # `IT:` (or legacy `it:`)
    raw: dict = field(default_factory=dict, hash=False)
    # Extras, handy for the dashboard.
    software_version: str | None = None
    release_date: date | None = None
    application_suite: str | None = None
    organisation_uri: str | None = None  # organisation.uri, else urn:x-italian-pa:<IT.riuso.codiceIPA>
    organisation_name: str | None = None  # organisation.name, else legal.repoOwner
    description_languages: tuple[str, ...] = ()
    short_description: str | None = None  # English if present, else the first language

    def to_dict(self) -> dict:
        """A JSON-ready dict of every field (dates as ISO strings)."""
        return json.loads(to_json(self))


def to_json(obj: Any, **kwargs: Any) -> str:
    """JSON text of a PubliccodeInfo, or of any part of one (dates become ISO strings)."""
    kwargs.setdefault("ensure_ascii", False)
    kwargs.setdefault("allow_nan", False)
    return json.dumps(obj, default=_json_default, **kwargs)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    if isinstance(obj, (bytes, bytearray)):
        return obj.decode("utf-8", "replace")
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")
