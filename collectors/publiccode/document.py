"""The top level of a publiccode.yml: every key but the sections ``sections`` reads."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from . import files, formats, sections, vocabulary
from .reader import Reader
from .report import Report, join, show

REACHABLE = "whether it is reachable (needs the network)"


def _first(mapping: dict, key: str) -> tuple[Any, str | None]:
    """mapping[key], else the value under a non-standard spelling of it (and that spelling)."""
    if key in mapping:
        return mapping[key], None
    for wrong, right in vocabulary.MISSPELLINGS.items():
        if right == key and wrong in mapping:
            return mapping[wrong], wrong
    return None, None


def read_document(doc: dict, report: Report, root_files: Collection[str] | None) -> dict[str, Any]:
    rd = Reader(report)
    out: dict[str, Any] = {}
    rd.known_keys(doc, "", vocabulary.TOP_LEVEL_KEYS)

    out["version"] = _read_version(doc, rd, report)

    # -- identity
    name = rd.required_text(doc.get("name"), "name")
    out["name"] = name.strip() if name else None
    out["application_suite"] = _stripped(rd.text(doc.get("applicationSuite"), "applicationSuite"))
    out["url"] = _stripped(rd.url(doc.get("url"), "url", required=True,
                                  unchecked="whether it is reachable and a code repository (needs the network)"))
    landing, wrong = _first(doc, "landingURL")
    out["landing_url"] = _stripped(rd.url(landing, wrong or "landingURL", http_only=True, unchecked=REACHABLE))
    out["is_based_on"] = tuple(_is_based_on(doc.get("isBasedOn"), rd))
    out["software_version"] = _stripped(rd.text(doc.get("softwareVersion"), "softwareVersion"))
    out["release_date"] = rd.date(doc.get("releaseDate"), "releaseDate")
    rd.url(doc.get("roadmap"), "roadmap", http_only=True, unchecked=REACHABLE)

    # -- files named by the document
    logo = rd.text(doc.get("logo"), "logo")
    if logo:
        files.check_file(report, "logo", logo, files.LOGO, root_files)
    mono = rd.text(doc.get("monochromeLogo"), "monochromeLogo")
    if mono:
        report.warn("monochromeLogo", "deprecated; use 'logo'")
        files.check_file(report, "monochromeLogo", mono, files.LOGO, root_files)
    for key in ("inputTypes", "outputTypes"):
        if key in doc and doc[key] is not None:
            for path, text in rd.string_list(doc[key], key):
                if not formats.is_mime_type(text):
                    report.error(path, f"not a MIME type: {show(text)}")
            report.warn(key, "deprecated; it is safe to drop it")

    # -- lists
    platforms = rd.string_list(doc.get("platforms"), "platforms")
    if not platforms and not isinstance(doc.get("platforms"), (str, dict)):
        report.error("platforms", "required key missing" if doc.get("platforms") is None else "must not be empty")
    out["platforms"] = tuple(t.strip() for _, t in platforms if t.strip())
    categories_value, wrong = _first(doc, "categories")
    categories = rd.string_list(categories_value, wrong or "categories")
    for path, text in categories:
        if text not in vocabulary.CATEGORIES:
            report.error(path, f"{show(text)} is not a category of the standard's list")
    out["categories"] = tuple(t for _, t in categories)
    out["used_by"] = tuple(t.strip() for _, t in rd.string_list(doc.get("usedBy"), "usedBy") if t.strip())
    for path, funder in rd.mapping_list(doc.get("fundedBy"), "fundedBy"):
        _organisation(funder, path, rd, report)

    # -- enumerations
    out["development_status"] = rd.enum(doc.get("developmentStatus"), "developmentStatus",
                                        vocabulary.DEVELOPMENT_STATUSES)
    out["software_type"] = rd.enum(doc.get("softwareType"), "softwareType", vocabulary.SOFTWARE_TYPES)

    # -- supports and organisation
    supports = []
    for path, item in rd.mapping_list(doc.get("supports"), "supports"):
        rd.known_keys(item, path, vocabulary.SECTION_KEYS["support"])
        ident = rd.required_text(item.get("id"), join(path, "id"))
        if ident is not None:
            supports.append(ident)
            problem = formats.supports_problem(ident)
            if problem is not None:
                report.error(join(path, "id"), f"{problem}: {show(ident)}")
    out["supports"] = tuple(supports)
    org_value, wrong = _first(doc, "organisation")
    organisation = rd.mapping(org_value, wrong or "organisation")
    out["organisation_uri"] = out["organisation_name"] = None
    if organisation is not None:
        out["organisation_uri"], out["organisation_name"] = _organisation(
            organisation, wrong or "organisation", rd, report
        )

    sections.read_audience(doc.get("intendedAudience"), rd, report)
    sections.read_description(doc.get("description"), rd, report, out, root_files)
    sections.read_legal(doc.get("legal"), rd, report, out, root_files)
    sections.read_maintenance(doc.get("maintenance"), rd, report, out)
    loc_value, wrong = _first(doc, "localisation")
    sections.read_localisation(loc_value if wrong is None else None, rd, report)
    sections.read_depends_on(doc.get("dependsOn"), rd, report)
    sections.read_italy(doc, rd, report, out)
    return out


def _stripped(text: str | None) -> str | None:
    return (text.strip() or None) if text is not None else None


def _read_version(doc: dict, rd: Reader, report: Report) -> str | None:
    value, wrong = _first(doc, "publiccodeYmlVersion")
    if wrong is not None:
        report.error("publiccodeYmlVersion", f"required key missing (found {wrong!r})")
        return rd.text(value, wrong)
    if value is None:
        report.error("publiccodeYmlVersion", "required key missing")
        return None
    if not isinstance(value, str) or "publiccodeYmlVersion" in report.numbers:
        # The reference reads the version only from a YAML string: 0.2 unquoted is a number.
        text = rd.text(value, "publiccodeYmlVersion")
        if text is not None:
            report.error("publiccodeYmlVersion", f"must be a quoted string, got a number: write \"{text}\"")
        return text
    if value not in vocabulary.SUPPORTED_VERSIONS:
        report.error(
            "publiccodeYmlVersion",
            f"unsupported version {show(value)} (supported: {', '.join(vocabulary.SUPPORTED_VERSIONS)})",
        )
    elif value not in vocabulary.LATEST_VERSIONS:
        report.warn("publiccodeYmlVersion", f"{value} is not the latest version (use \"0\"); checked by the latest 0.x rules")
    return value


def _is_based_on(value: Any, rd: Reader) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items = [("isBasedOn[0]", value)]
    elif isinstance(value, list):
        items = rd.string_list(value, "isBasedOn")
    else:
        rd.r.error("isBasedOn", f"expected a URL or a list of URLs, got {'a mapping' if isinstance(value, dict) else 'a value'}")
        return []
    out = []
    for path, text in items:
        if rd.url(text, path) is not None and text.strip():
            out.append(text.strip())
    return out


def _organisation(org: dict, path: str, rd: Reader, report: Report) -> tuple[str | None, str | None]:
    """An organisation (``organisation`` or a ``fundedBy`` entry): uri required, name optional."""
    rd.known_keys(org, path, vocabulary.SECTION_KEYS["organisation"])
    uri = rd.required_text(org.get("uri"), join(path, "uri"))
    if uri is not None:
        problem = formats.uri_problem(uri, italian_pa=True)
        if problem is not None:
            report.error(join(path, "uri"), f"{problem}: {show(uri)}")
    return _stripped(uri), _stripped(rd.text(org.get("name"), join(path, "name")))
