"""The sections of a publiccode.yml: description, legal, maintenance, localisation, dependsOn,
intendedAudience and the Italian extension."""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from . import files, formats, language, vocabulary
from .reader import Reader
from .report import Report, join, show

KEYS = vocabulary.SECTION_KEYS


def read_audience(value: Any, rd: Reader, report: Report) -> None:
    audience = rd.mapping(value, "intendedAudience")
    if audience is None:
        return
    rd.known_keys(audience, "intendedAudience", KEYS["intendedAudience"])
    for key in ("countries", "unsupportedCountries"):
        for path, code in rd.string_list(audience.get(key), join("intendedAudience", key)):
            if code not in (code.upper(), code.lower()) or code.upper() not in vocabulary.COUNTRIES:
                report.error(path, f"not an ISO 3166-1 alpha-2 country code: {show(code)}")
            elif code != code.upper():
                report.warn(path, f"lowercase country codes are deprecated; use {code.upper()!r}")
    for path, scope in rd.string_list(audience.get("scope"), "intendedAudience.scope"):
        if scope not in vocabulary.SCOPES:
            report.error(path, f"{show(scope)} is not a scope of the standard's list")


def read_description(value: Any, rd: Reader, report: Report, out: dict, root_files: Collection[str] | None) -> None:
    out["description_languages"] = ()
    out["short_description"] = None
    if value is None:
        report.error("description", "required key missing")
        return
    description = rd.mapping(value, "description")
    if description is None:
        return
    if not description:
        report.error("description", "must contain at least one language")
        return
    shorts: dict[str, str] = {}
    for lang, block in description.items():
        path = join("description", lang)
        if not language.is_bcp47(lang):
            report.error(path, f"{show(lang)} is not a BCP 47 language tag")
        block = rd.mapping(block, path) if block is not None else {}
        if block is None:
            continue
        short = _language_block(block, path, rd, report, root_files)
        if short is not None:
            shorts[lang] = short.strip()
    out["description_languages"] = tuple(description)
    for preferred in ("en", "en-GB", "en-US"):
        if preferred in shorts:
            out["short_description"] = shorts[preferred]
            return
    english = [lang for lang in shorts if lang.lower().startswith("en-")]
    if english:
        out["short_description"] = shorts[english[0]]
    elif shorts:
        out["short_description"] = next(iter(shorts.values()))


def _language_block(block: dict, path: str, rd: Reader, report: Report, root_files) -> str | None:
    """One language of ``description``; returns its shortDescription."""
    rd.known_keys(block, path, KEYS["description"])
    short_path = join(path, "shortDescription")
    short = rd.required_text(block.get("shortDescription"), short_path)
    if short is not None and language.char_count(short) > 150:
        report.error(short_path, f"longer than 150 characters ({language.char_count(short)})")
    long_path = join(path, "longDescription")
    long_ = rd.required_text(block.get("longDescription"), long_path)
    if long_ is not None:
        count = language.char_count(long_)
        if long_path in report.truncated or count > 10_000:
            report.error(long_path, "longer than 10000 characters")
        elif count < 150:
            report.error(long_path, f"shorter than 150 characters ({count})")
    generic = rd.text(block.get("genericName"), join(path, "genericName"))
    if generic:
        if language.char_count(generic) > 35:
            report.error(join(path, "genericName"), f"longer than 35 characters ({language.char_count(generic)})")
        report.warn(join(path, "genericName"), "deprecated; it is safe to drop it")
    rd.text(block.get("localisedName"), join(path, "localisedName"))
    features_path = join(path, "features")
    if not rd.string_list(block.get("features"), features_path) and not isinstance(block.get("features"), str):
        report.error(features_path, "required key missing" if block.get("features") is None else "must not be empty")
    for key in ("documentation", "apiDocumentation"):
        rd.url(block.get(key), join(path, key), http_only=True, unchecked="whether it is reachable (needs the network)")
    for item_path, shot in rd.string_list(block.get("screenshots"), join(path, "screenshots")):
        files.check_file(report, item_path, shot, files.SCREENSHOT, root_files)
    for item_path, video in rd.string_list(block.get("videos"), join(path, "videos")):
        rd.url(video, item_path, http_only=True)
        if not vocabulary.is_oembed_video(video):
            report.error(item_path, f"not a video URL of a known oEmbed provider: {show(video)}")
    rd.string_list(block.get("awards"), join(path, "awards"))
    return short


def read_legal(value: Any, rd: Reader, report: Report, out: dict, root_files: Collection[str] | None) -> None:
    legal = rd.mapping(value, "legal") or {}
    rd.known_keys(legal, "legal", KEYS["legal"])
    license_ = rd.required_text(legal.get("license"), "legal.license")
    if license_ is not None and not formats.is_spdx_expression(license_):
        report.error("legal.license", f"not a valid SPDX license expression: {show(license_)}")
    out["license"] = license_.strip() if license_ else None
    owner = rd.text(legal.get("mainCopyrightOwner"), "legal.mainCopyrightOwner")
    out["main_copyright_owner"] = (owner.strip() or None) if owner else None
    repo_owner = rd.text(legal.get("repoOwner"), "legal.repoOwner")
    if legal.get("repoOwner") is not None:
        report.warn("legal.repoOwner", "deprecated; use 'organisation.name'")
    authors = rd.text(legal.get("authorsFile"), "legal.authorsFile")
    if legal.get("authorsFile") is not None:
        report.warn("legal.authorsFile", "deprecated; it is safe to drop it")
        if authors:
            files.check_file(report, "legal.authorsFile", authors, files.AUTHORS, root_files)
    if out.get("organisation_name") is None and repo_owner and repo_owner.strip():
        out["organisation_name"] = repo_owner.strip()


def read_maintenance(value: Any, rd: Reader, report: Report, out: dict) -> None:
    out["maintenance_type"] = None
    out["maintenance_until"] = None
    out["contractors"] = out["contacts"] = ()
    maintenance = rd.mapping(value, "maintenance") or {}
    rd.known_keys(maintenance, "maintenance", KEYS["maintenance"])
    kind = rd.enum(maintenance.get("type"), "maintenance.type", vocabulary.MAINTENANCE_TYPES)
    out["maintenance_type"] = kind

    contractors, until_dates = [], []
    for path, entry in rd.mapping_list(maintenance.get("contractors"), "maintenance.contractors"):
        rd.known_keys(entry, path, KEYS["contractor"])
        until = rd.date(entry.get("until"), join(path, "until"), required=True)
        if until is not None:
            until_dates.append(until)
        contractors.append({
            "name": _clean(rd.required_text(entry.get("name"), join(path, "name"))),
            "until": until.isoformat() if until else None,
            "website": _clean(rd.url(entry.get("website"), join(path, "website"), http_only=True)),
            "email": _email(entry.get("email"), join(path, "email"), rd, report),
        })
    # Present means present and not null: an empty list satisfies the reference's required_if.
    has_contractors = maintenance.get("contractors") is not None
    if kind == "contract" and not has_contractors:
        report.error("maintenance.contractors", "required when maintenance.type is 'contract'")
    if kind is not None and kind != "contract" and has_contractors:
        report.error("maintenance.contractors", f"must not be present when maintenance.type is {show(kind)}")

    contacts = []
    for path, entry in rd.mapping_list(maintenance.get("contacts"), "maintenance.contacts"):
        rd.known_keys(entry, path, KEYS["contact"])
        contacts.append({
            "name": _clean(rd.required_text(entry.get("name"), join(path, "name"))),
            "email": _email(entry.get("email"), join(path, "email"), rd, report),
            "affiliation": _clean(rd.text(entry.get("affiliation"), join(path, "affiliation"))),
            "phone": _clean(rd.text(entry.get("phone"), join(path, "phone"))),
        })
    if kind in ("internal", "community") and maintenance.get("contacts") is None:
        report.error("maintenance.contacts", f"required when maintenance.type is {show(kind)}")

    out["contractors"] = tuple(contractors)
    out["contacts"] = tuple(contacts)
    out["maintenance_until"] = max(until_dates) if until_dates else None


def _clean(text: str | None) -> str | None:
    return (text.strip() or None) if text is not None else None


def _email(value: Any, path: str, rd: Reader, report: Report) -> str | None:
    email = rd.text(value, path)
    if email and not formats.is_email(email):
        report.error(path, f"not an e-mail address: {show(email)}")
    return _clean(email)


def read_localisation(value: Any, rd: Reader, report: Report) -> None:
    localisation = rd.mapping(value, "localisation") or {}
    rd.known_keys(localisation, "localisation", KEYS["localisation"])
    rd.boolean(localisation.get("localisationReady"), "localisation.localisationReady", required=True)
    languages_value = localisation.get("availableLanguages")
    languages = rd.string_list(languages_value, "localisation.availableLanguages")
    if languages_value is None:
        report.error("localisation.availableLanguages", "required key missing")
    elif not languages and isinstance(languages_value, list):
        report.error("localisation.availableLanguages", "must not be empty")
    for path, lang in languages:
        if not language.is_bcp47(lang):
            report.error(path, f"not a BCP 47 language tag: {show(lang)}")


def read_depends_on(value: Any, rd: Reader, report: Report) -> None:
    depends = rd.mapping(value, "dependsOn")
    if depends is None:
        return
    rd.known_keys(depends, "dependsOn", KEYS["dependsOn"])
    for kind in ("open", "proprietary", "hardware"):
        for path, dep in rd.mapping_list(depends.get(kind), join("dependsOn", kind)):
            rd.known_keys(dep, path, KEYS["dependency"])
            rd.required_text(dep.get("name"), join(path, "name"))
            for key in ("version", "versionMin", "versionMax"):
                rd.text(dep.get(key), join(path, key))
            rd.boolean(dep.get("optional"), join(path, "optional"))


def read_italy(doc: dict, rd: Reader, report: Report, out: dict) -> None:
    """The Italian extension: ``IT``, or the deprecated lowercase ``it`` (not both)."""
    out["it_section"] = None
    if "it" in doc:
        report.warn("it", "lowercase country sections are deprecated; use 'IT'")
        if "IT" in doc:
            report.error("it", "'IT' is present too; remove this key")
    used = None
    for key in ("IT", "it"):
        if key not in doc:
            continue
        section = _italy_section(doc[key], key, rd, report)
        if used is None and section is not None:
            used = section
    if used is None:
        return
    out["it_section"] = copy.deepcopy(used)  # not shared with raw
    riuso = used.get("riuso")
    code = riuso.get("codiceIPA") if isinstance(riuso, dict) else None
    if isinstance(code, str) and code and out.get("organisation_uri") is None:
        out["organisation_uri"] = f"urn:x-italian-pa:{code}"  # as the reference fills organisation


def _italy_section(value: Any, key: str, rd: Reader, report: Report) -> dict | None:
    section = rd.mapping(value, key)
    if section is None:
        return None
    rd.known_keys(section, key, KEYS["IT"])
    rd.enum(section.get("countryExtensionVersion"), join(key, "countryExtensionVersion"),
            vocabulary.IT_EXTENSION_VERSIONS, required=False)
    for sub in ("conforme", "piattaforme"):
        block = rd.mapping(section.get(sub), join(key, sub))
        if block is None:
            continue
        rd.known_keys(block, join(key, sub), KEYS[f"IT.{sub}"])
        for flag, flag_value in block.items():
            rd.boolean(flag_value, join(join(key, sub), flag))
    if section.get("conforme") is not None:
        report.warn(join(key, "conforme"), "deprecated; it is safe to drop it")
    riuso = rd.mapping(section.get("riuso"), join(key, "riuso"))
    if riuso is not None:
        rd.known_keys(riuso, join(key, "riuso"), KEYS["IT.riuso"])
        code = rd.text(riuso.get("codiceIPA"), join(key, "riuso.codiceIPA"))
        if code:
            if code.lower() not in vocabulary.ipa_codes():
                report.error(join(key, "riuso.codiceIPA"),
                             f"{show(code)} is not a code of the Italian public administration index (iPA)")
            else:
                report.warn(join(key, "riuso.codiceIPA"),
                            f"deprecated; use organisation.uri: 'urn:x-italian-pa:{code}'")
    return section
