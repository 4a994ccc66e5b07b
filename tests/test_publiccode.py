"""publiccode.yml parser: real files read by hand, the standard's rules, hostile input."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from collectors.publiccode import (
    MAX_ALIASES,
    MAX_ERRORS,
    MAX_INPUT_BYTES,
    MAX_STRING_CHARS,
    SUPPORTED_VERSIONS,
    PubliccodeInfo,
    parse_publiccode,
    to_json,
)

FIXTURES = Path(__file__).parent / "fixtures" / "publiccode"


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_fixture(name: str) -> PubliccodeInfo:
    return parse_publiccode(read_fixture(name))


def has_error(info: PubliccodeInfo, prefix: str, *words: str) -> bool:
    """True if one error starts with the key path `prefix` and contains every word."""
    return any(e.startswith(prefix) and all(w in e for w in words) for e in info.errors)


# A minimal valid document ("0": the latest 0.x), as data; tests change a copy and dump it.
MINIMAL = {
    "publiccodeYmlVersion": "0",
    "name": "Medusa",
    "url": "https://example.com/italia/medusa.git",
    "platforms": ["web"],
    "categories": ["office"],
    "developmentStatus": "development",
    "softwareType": "standalone/web",
    "description": {
        "en": {
            "shortDescription": "A short description",
            "longDescription": "A long description of the software. " * 6,
            "features": ["One feature"],
        }
    },
    "legal": {"license": "EUPL-1.2"},
    "maintenance": {"type": "community", "contacts": [{"name": "Francesco Rossi"}]},
    "localisation": {"localisationReady": True, "availableLanguages": ["en"]},
}


def doc(**changes) -> dict:
    data = copy.deepcopy(MINIMAL)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def parse_data(data: dict) -> PubliccodeInfo:
    return parse_publiccode(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


# --------------------------------------------------------------------------- real files


def test_every_fixture_is_valid_and_json_serialisable():
    names = sorted(p.name for p in FIXTURES.glob("*.yml"))
    assert len(names) == 8
    for name in names:
        info = parse_fixture(name)
        if name == "standard-example__publiccode.yml":
            # The standard's own example carries a placeholder video the reference parser
            # rejects too: https://youtube.com/xxxxxxxx matches no oEmbed provider's pattern.
            assert info.errors == (
                ("description.en.videos[0]: not a video URL of a known oEmbed provider: "
                 "'https://youtube.com/xxxxxxxx'"),
            )
        else:
            assert info.valid, (name, info.errors)
            assert info.errors == ()
        # raw and the whole record are plain JSON.
        assert json.loads(json.dumps(info.raw)) == info.raw
        assert json.loads(to_json(info))["name"] == info.name


def test_amsterdam_signals_frontend():
    info = parse_fixture("Amsterdam__signals-frontend__publiccode.yml")
    assert info.version == "0.2"
    assert info.name == "Signalen frontend"
    assert info.url == "https://github.com/Amsterdam/signals-frontend"
    assert info.landing_url == "https://signalen.org/"
    assert info.development_status == "stable"
    assert info.software_type == "standalone/web"
    assert info.license == "MPL-2.0"
    assert info.main_copyright_owner == "Signalen"
    assert info.used_by == ("Gemeente Amsterdam", "Gemeente 's-Hertogenbosch")
    assert info.is_based_on == ()
    assert info.maintenance_type == "community"
    assert info.contractors == ()
    assert info.maintenance_until is None
    assert [c["name"] for c in info.contacts] == ["Amy van Someren", "René van Sprang"]
    assert info.contacts[1]["email"] == "r.van.sprang@amsterdam.nl"
    assert info.platforms == ("web",)
    assert info.categories == ("workflow-management", "task-management", "communications")
    assert info.it_section is None
    assert info.software_version == "v1.49.0"
    assert info.release_date == date(2021, 5, 20)
    assert info.description_languages == ("nl",)
    assert info.organisation_name == "Gemeente Amsterdam"  # legal.repoOwner
    assert info.raw["dependsOn"]["open"][0] == {"name": "nodeJS", "version": "16"}


def test_munich_mucgpt():
    info = parse_fixture("it-at-m__mucgpt__publiccode.yml")
    assert info.version == "0.5.0"
    assert info.name == "MUCGPT"
    assert info.url == "https://github.com/it-at-m/mucgpt"
    assert info.landing_url == "https://it-at-m.github.io/mucgpt/"
    assert info.is_based_on == ("https://github.com/Azure-Samples/azure-search-openai-demo",)
    assert info.used_by == ('Landeshauptstadt Stuttgart (BW): Fork unter dem Namen "ChatSTR"',)
    assert info.license == "MIT"
    assert info.main_copyright_owner == "Landeshauptstadt München"
    assert info.maintenance_type == "internal"
    assert info.contractors == ()
    assert info.contacts == (
        {
            "name": "Landeshauptstadt München - Data & AI Center of Excellence",
            "email": "ki@muenchen.de",
            "affiliation": None,
            "phone": None,
        },
    )
    assert info.categories == ("office", "productivity-suite")
    assert info.it_section is None
    assert info.software_version == "2.0"
    # `releaseDate: 2025-04-24` is unquoted: a YAML date, an ISO string in raw.
    assert info.release_date == date(2025, 4, 24)
    assert info.raw["releaseDate"] == "2025-04-24"
    assert info.description_languages == ("de", "en")
    assert info.short_description == (
        "MUCGPT is an AI toolkit centered on reusable, shareable assistants with extensible tools."
    )
    assert info.raw["intendedAudience"]["scope"] == ["local-authorities", "government"]


def test_agid_wai_portal():
    info = parse_fixture("AgID__wai-portal__publiccode.yml")
    assert info.version == "0.2"
    assert info.name == "Web Analytics Italia - Portale"
    assert info.url == "https://github.com/agid/wai-portal"
    assert info.landing_url == "https://webanalytics.italia.it/"
    assert info.development_status == "beta"
    assert info.license == "AGPL-3.0-or-later"
    assert info.main_copyright_owner == "Agenzia per l'Italia Digitale"
    assert info.used_by == ("Agenzia per l'Italia Digitale",)
    assert info.is_based_on == ()
    assert info.maintenance_type == "contract"
    assert info.contractors == (
        {
            "name": "Indra Italia",
            "until": "2021-10-18",
            "website": "https://www.indracompany.com/en",
            "email": None,
        },
    )
    assert info.maintenance_until == date(2021, 10, 18)
    assert info.contacts[0]["name"] == "Davide Porrovecchio"
    assert info.contacts[0]["affiliation"] == "Agenzia per l'Italia Digitale"
    assert info.categories == (
        "data-analytics",
        "data-collection",
        "data-visualization",
        "seo",
        "marketing",
    )
    assert info.software_version == "1.4.1-beta"
    assert info.application_suite == "Web Analytics Italia"
    # The legacy lowercase `it:` section of a 0.2 file.
    assert info.it_section is not None
    assert info.it_section["countryExtensionVersion"] == "0.2"
    assert info.it_section["riuso"] == {"codiceIPA": "agid"}
    assert info.it_section["piattaforme"]["spid"] is True
    assert info.it_section["conforme"]["modelloInteroperabilita"] is False
    # `countries: [it]` is the deprecated lowercase form: a warning, not an error.
    assert any(w.startswith("intendedAudience.countries[0]") for w in info.warnings)


def test_milano_whistleblowing():
    info = parse_fixture("Comune-Milano__Whistleblowing__publiccode.yml")
    assert info.version == "0.3"
    assert info.name == "Whistleblowing"
    assert info.url == "https://github.com/Comune-Milano/Whistleblowing"
    assert info.landing_url is None
    assert info.development_status == "development"
    assert info.license == "AGPL-3.0-only"
    assert info.main_copyright_owner is None
    assert info.used_by == ()
    assert info.is_based_on == ()
    assert info.maintenance_type == "none"
    assert info.contractors == () and info.contacts == ()
    assert info.maintenance_until is None
    assert info.categories == ("whistleblowing",)
    assert info.it_section == {"countryExtensionVersion": "0.2", "riuso": {"codiceIPA": "c_f205"}}
    assert len(info.raw["localisation"]["availableLanguages"]) == 11


def test_italia_design_comuni_wordpress_theme():
    info = parse_fixture("italia__design-comuni-wordpress-theme__publiccode.yml")
    assert info.version == "0.5.0"
    assert info.name == "Design Comuni Italia (WordPress)"
    assert info.url == "https://github.com/italia/design-comuni-wordpress-theme"
    assert info.is_based_on == ("https://github.com/italia/design-comuni-pagine-statiche",)
    assert info.used_by == ()
    assert info.license == "AGPL-3.0-only"
    assert info.main_copyright_owner is None
    assert info.maintenance_type == "community"
    assert info.contacts[0]["name"] == "Designers Italia"
    assert info.contacts[0]["email"] == "contatti@designers.italia.it"
    assert info.release_date == date(2026, 1, 29)
    assert info.organisation_uri == "https://github.com/italia"
    assert info.organisation_name == "Dipartimento per la trasformazione digitale"
    # The current upper-case `IT:` section.
    assert info.it_section == {"countryExtensionVersion": "1.0", "piattaforme": {"anpr": False}}
    assert info.description_languages == ("it-IT",)
    assert info.short_description.startswith("Tema WordPress per realizzare")


def test_italia_publiccode_parser_go():
    info = parse_fixture("italia__publiccode-parser-go__publiccode.yml")
    assert info.version == "0.5"
    assert info.name == "publiccode-parser-go"
    assert info.url == "https://github.com/italia/publiccode-parser-go"
    assert info.software_type == "library"
    assert info.platforms == ("linux", "windows", "mac")
    assert info.categories == ("it-development",)
    assert info.license == "EUPL-1.2"
    assert info.maintenance_type == "internal"
    assert info.contacts[0]["name"] == "Fabio Bonelli"
    assert info.contacts[0]["email"] == "fb@fabiobonelli.it"
    assert info.used_by == () and info.is_based_on == ()
    assert info.it_section is None


def test_standard_examples():
    full = parse_fixture("standard-example__publiccode.yml")
    assert full.version == "0"  # the standard's own examples use "0" (latest 0.x)
    assert full.name == "Medusa"
    assert full.is_based_on == ("https://github.com/italia/otello.git",)
    assert full.used_by == ("Comune di Firenze", "Comune di Roma")
    assert full.platforms == ("android", "ios")
    assert full.maintenance_type == "contract"
    assert full.contractors[0]["name"] == "Fornitore Privato SPA"
    assert full.contractors[0]["until"] == "2019-01-01"
    assert full.maintenance_until == date(2019, 1, 1)
    assert full.contacts[0]["phone"] == "+3923113215112"
    assert full.organisation_uri == "urn:x-italian-pa:c_h501"
    assert full.organisation_name == "Roma Capitale"
    assert full.it_section["piattaforme"] == {"spid": True, "cie": True, "anpr": True, "pagopa": True}
    assert full.main_copyright_owner == "City of Chicago"

    minimal = parse_fixture("standard-example__publiccode.minimal.yml")
    assert minimal.valid and minimal.categories == ()  # optional since 0.4
    assert minimal.contacts[0]["name"] == "Francesco Rossi"


def test_str_and_bytes_give_the_same_result_and_bom_is_accepted():
    data = read_fixture("it-at-m__mucgpt__publiccode.yml")
    from_bytes = parse_publiccode(data)
    assert parse_publiccode(data.decode("utf-8")) == from_bytes
    assert parse_publiccode(b"\xef\xbb\xbf" + data) == from_bytes
    assert parse_publiccode(bytearray(data)) == from_bytes
    assert parse_publiccode(memoryview(data)) == from_bytes


def test_result_is_frozen_and_hashable():
    info = parse_fixture("Amsterdam__signals-frontend__publiccode.yml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "other"  # type: ignore[misc]
    hash(info)
    assert info.to_dict()["maintenance_until"] is None
    assert info.to_dict()["release_date"] == "2021-05-20"


# --------------------------------------------------------------------------- the standard's rules


def test_minimal_document_is_valid():
    info = parse_data(doc())
    assert info.valid, info.errors
    assert info.warnings == ()
    # Reachability needs the network: named as not checked, never as passed.
    assert info.not_checked == ("url: whether it is reachable and a code repository (needs the network)",)


def test_missing_required_keys_are_named_but_fields_still_returned():
    info = parse_publiccode(
        "name: Half a file\nusedBy:\n  - Comune di Roma\nisBasedOn: https://github.com/a/b\n"
    )
    assert not info.valid
    for key in (
        "publiccodeYmlVersion",
        "url",
        "platforms",
        "developmentStatus",
        "softwareType",
        "description",
        "legal.license",
        "maintenance.type",
        "localisation.localisationReady",
        "localisation.availableLanguages",
    ):
        assert has_error(info, key + ":", "required"), (key, info.errors)
    # The file is still read: an invalid file is stored with its errors.
    assert info.name == "Half a file"
    assert info.used_by == ("Comune di Roma",)
    assert info.is_based_on == ("https://github.com/a/b",)
    assert info.raw["name"] == "Half a file"


def test_required_keys_inside_sections():
    info = parse_data(
        doc(
            legal={"mainCopyrightOwner": "City"},
            maintenance={"contacts": [{"email": "a@b.it"}]},
            localisation={"availableLanguages": []},
            description={"en": {"longDescription": "x" * 200}},
        )
    )
    assert has_error(info, "legal.license:", "required")
    assert has_error(info, "maintenance.type:", "required")
    assert has_error(info, "maintenance.contacts[0].name:", "required")
    assert has_error(info, "localisation.localisationReady:", "required")
    assert has_error(info, "localisation.availableLanguages:", "empty")
    assert has_error(info, "description.en.shortDescription:", "required")
    assert has_error(info, "description.en.features:", "required")
    assert info.main_copyright_owner == "City"


def test_enumerations_are_checked():
    info = parse_data(
        doc(
            developmentStatus="finished",
            softwareType="app",
            maintenance={"type": "sometimes"},
            categories=["office", "no-such-category"],
            intendedAudience={"scope": ["galaxy"], "countries": ["Italy"]},
        )
    )
    assert has_error(info, "developmentStatus:", "'finished'", "concept")
    assert has_error(info, "softwareType:", "'app'", "standalone/web")
    assert has_error(info, "maintenance.type:", "'sometimes'", "internal")
    assert has_error(info, "categories[1]:", "no-such-category")
    assert not has_error(info, "categories[0]")
    assert has_error(info, "intendedAudience.scope[0]:", "galaxy")
    assert has_error(info, "intendedAudience.countries[0]:", "ISO 3166")
    # Values are still returned, as written.
    assert info.development_status == "finished"
    assert info.maintenance_type == "sometimes"


def test_contractors_dates_and_the_latest_until():
    info = parse_publiccode(
        yaml.safe_dump(doc(maintenance={"type": "contract"}), sort_keys=False).replace(
            "  type: contract\n",
            "  type: contract\n"
            "  contractors:\n"
            "    - name: First\n      until: 2022-06-30\n"  # a YAML date
            "    - name: Second\n      until: '2024-12-31'\n      website: https://second.example\n"
            "    - name: Third\n      until: '2021-13-01'\n"
            "    - name: Fourth\n",
        )
    )
    assert has_error(info, "maintenance.contractors[2].until:", "not a date", "2021-13-01")
    assert has_error(info, "maintenance.contractors[3].until:", "required")
    assert info.maintenance_until == date(2024, 12, 31)
    assert [c["until"] for c in info.contractors] == ["2022-06-30", "2024-12-31", None, None]
    assert info.contractors[1]["website"] == "https://second.example"
    assert info.raw["maintenance"]["contractors"][0]["until"] == "2022-06-30"


def test_maintenance_rules():
    contract_without = parse_data(doc(maintenance={"type": "contract"}))
    assert has_error(contract_without, "maintenance.contractors:", "required", "contract")
    community_without = parse_data(doc(maintenance={"type": "community"}))
    assert has_error(community_without, "maintenance.contacts:", "required")
    stray = parse_data(
        doc(
            maintenance={
                "type": "internal",
                "contacts": [{"name": "A"}],
                "contractors": [{"name": "B", "until": "2030-01-01"}],
            }
        )
    )
    assert has_error(stray, "maintenance.contractors:", "must not be present")
    assert stray.maintenance_until == date(2030, 1, 1)


def test_is_based_on_string_or_list_and_urls():
    assert parse_data(doc(isBasedOn="https://github.com/a/b")).is_based_on == ("https://github.com/a/b",)
    both = parse_data(doc(isBasedOn=["https://github.com/a/b", "https://gitlab.com/c/d"]))
    assert both.valid and both.is_based_on == ("https://github.com/a/b", "https://gitlab.com/c/d")
    bad = parse_data(doc(url="not a url", landingURL="javascript:alert(1)"))
    assert has_error(bad, "url:", "not a URL")
    assert has_error(bad, "landingURL:", "not an http(s) URL")
    assert bad.landing_url == "javascript:alert(1)"  # kept as text; rendering is the dashboard's job
    assert bad.not_checked == ()  # a malformed URL is an error, not a reachability left to check


def test_license_must_be_an_spdx_expression():
    for good in ("MIT", "EUPL-1.2 OR AGPL-3.0-or-later", "(MIT AND Apache-2.0) OR GPL-2.0+",
                 "GPL-2.0-only WITH Classpath-exception-2.0", "LicenseRef-custom"):
        assert parse_data(doc(legal={"license": good})).valid, good
    for bad in ("GPL v3", "MIT OR", "(MIT", "MIT AND AND GPL-3.0", "<b>MIT</b>"):
        info = parse_data(doc(legal={"license": bad}))
        assert has_error(info, "legal.license:", "SPDX"), bad
        assert info.license == bad


def test_description_lengths_and_summary():
    info = parse_data(
        doc(
            description={
                "de": {
                    "shortDescription": "Kurz",
                    "longDescription": "zu kurz",
                    "genericName": "x" * 36,
                    "features": ["a"],
                },
                "en-GB": {"shortDescription": "s" * 151, "longDescription": "L" * 200},
                "not a language": {"shortDescription": "x"},
            }
        )
    )
    assert has_error(info, "description.de.longDescription:", "shorter than 150")
    assert has_error(info, "description.de.genericName:", "35")
    assert has_error(info, "description.en-GB.shortDescription:", "150")
    assert has_error(info, "description.not a language:", "BCP 47")
    assert info.short_description == "s" * 151  # English is preferred as the summary
    assert info.description_languages == ("de", "en-GB", "not a language")


def test_versions():
    # Every version the reference accepts is read by the latest 0.x rules; all but the
    # latest are valid with a note saying so.
    for version in SUPPORTED_VERSIONS:
        info = parse_data(doc(publiccodeYmlVersion=version))
        assert info.valid, (version, info.errors)
        assert info.version == version
        latest = version in ("0", "0.7", "0.7.0")
        assert any(w.startswith("publiccodeYmlVersion:") for w in info.warnings) is not latest, version
    for version in ("0.1", "1.0", "0.6", "0.5.1", "1", "latest"):
        info = parse_data(doc(publiccodeYmlVersion=version))
        assert has_error(info, "publiccodeYmlVersion:", "unsupported"), version
        assert info.version == version  # the version is reported as declared
    # categories are optional in every 0.x version, as the reference reads them.
    assert parse_data(doc(publiccodeYmlVersion="0.2", categories=None)).valid


@pytest.mark.parametrize(("written", "declared"), [("0.4", "0.4"), ("0", "0"), ("0.50", "0.50")])
def test_an_unquoted_version_is_a_number_not_a_version(written, declared):
    text = yaml.safe_dump(doc(), sort_keys=False).replace("publiccodeYmlVersion: '0'", f"publiccodeYmlVersion: {written}")
    info = parse_publiccode(text)
    assert has_error(info, "publiccodeYmlVersion:", "quoted string")
    assert info.version == declared  # still reported as written
    assert parse_publiccode(text.replace(f"publiccodeYmlVersion: {written}", "publiccodeYmlVersion: 0.4.0")).valid


def test_supports_and_organisation():
    info = parse_data(
        doc(
            publiccodeYmlVersion="0.5",
            supports=[{"id": "alias:gdpr"}, {"id": "https://eur-lex.europa.eu/eli/reg/2016/679/oj"},
                      {"id": "urn:x-regulation:nis2"}],
            organisation={"uri": "urn:x-italian-pa:c_h501", "name": "Roma Capitale"},
            fundedBy=[{"uri": "https://example.org/funder"}],  # name is optional
        )
    )
    assert info.valid, info.errors
    assert info.supports == ("alias:gdpr", "https://eur-lex.europa.eu/eli/reg/2016/679/oj", "urn:x-regulation:nis2")
    assert (info.organisation_uri, info.organisation_name) == ("urn:x-italian-pa:c_h501", "Roma Capitale")
    bad = parse_data(
        doc(
            supports=[{"id": "alias:no-such-alias"}, {"id": "just text"}, {}],
            organisation={"uri": "pcm"},
            fundedBy=[{"name": "A", "uri": "urn:x-italian-pa:no_such_pa"}, {"name": "B", "uri": "1"}, {"name": "C"}],
        )
    )
    assert has_error(bad, "supports[0].id:", "unknown alias")
    assert has_error(bad, "supports[1].id:", "valid URI")
    assert has_error(bad, "supports[2].id:", "required")
    assert has_error(bad, "organisation.uri:", "not a valid URI")
    assert has_error(bad, "fundedBy[0].uri:", "iPA")
    assert has_error(bad, "fundedBy[1].uri:", "not a valid URI")
    assert has_error(bad, "fundedBy[2].uri:", "required")


def test_a_0_2_era_file_with_the_old_spellings():
    text = """\
publiccodeYmlVersion: 0.2
name: Vecchio Gestionale
url: https://github.com/comune-di-esempio/gestionale
releaseDate: 2019-03-11
softwareVersion: 1.10
platforms: web
categories:
  - document-management
developmentStatus: stable
softwareType: standalone
intendedAudience:
  countries:
    - it
  scope:
    - local-authorities
description:
  ita:
    genericName: Gestionale
    shortDescription: Gestione documentale per i comuni
    longDescription: >
      Un gestionale documentale scritto per un comune e riusato da altri comuni
      della stessa provincia. Gestisce protocollo, archivio e fascicoli, ed offre
      una ricerca completa su tutti i documenti.
    features:
      - Protocollo
legal:
  license: EUPL-1.2
  repoOwner: Comune di Esempio
maintenance:
  type: contract
  contractors:
    - name: Fornitore SRL
      until: 2020-12-31
      email: info@fornitore.example
localisation:
  localisationReady: false
  availableLanguages:
    - it
it:
  countryExtensionVersion: '0.2'
  conforme:
    gdpr: true
  riuso:
    codiceIPA: c_x000
  piattaforme:
    spid: true
"""
    info = parse_publiccode(text)
    # What 0.2-era files often did is invalid today, as the reference parser says: the
    # version must be a quoted string, platforms a list, softwareType a current value,
    # a language its shortest registered tag ("it", not "ita"), and an iPA code real.
    assert sorted(e.split(":")[0] for e in info.errors) == [
        "description.ita", "it.riuso.codiceIPA", "platforms", "publiccodeYmlVersion", "softwareType",
    ], info.errors
    assert has_error(info, "publiccodeYmlVersion:", "quoted string")
    assert has_error(info, "softwareType:", "'standalone'")
    # Still read, as written, so an invalid file is shown with what it says.
    assert info.version == "0.2"  # unquoted: kept as written, not the float 0.2
    assert info.software_version == "1.10"  # not the float 1.1
    assert info.platforms == ("web",)
    assert info.software_type == "standalone"
    assert any(w.startswith("intendedAudience.countries[0]") for w in info.warnings)
    assert any(w.startswith("legal.repoOwner") for w in info.warnings)
    assert any(w.startswith("it:") and "'IT'" in w for w in info.warnings)
    assert info.release_date == date(2019, 3, 11)
    assert info.maintenance_until == date(2020, 12, 31)
    assert info.contractors[0]["email"] == "info@fornitore.example"
    assert info.organisation_name == "Comune di Esempio"  # from legal.repoOwner
    assert info.organisation_uri == "urn:x-italian-pa:c_x000"  # from it.riuso.codiceIPA, as the reference fills it
    assert info.it_section == {
        "countryExtensionVersion": "0.2",
        "conforme": {"gdpr": True},
        "riuso": {"codiceIPA": "c_x000"},
        "piattaforme": {"spid": True},
    }
    assert info.raw["releaseDate"] == "2019-03-11"
    assert info.raw["publiccodeYmlVersion"] == "0.2"


def test_non_standard_spellings_are_errors_but_still_read():
    info = parse_data(
        {
            **doc(localisation=None),
            "organization": {"uri": "https://example.org/roma", "name": "Roma Capitale"},
            "localization": {"localizationReady": True, "availableLanguages": ["it"]},
        }
    )
    # Unknown keys, as for the reference parser; the message names the standard's spelling.
    assert has_error(info, "organization:", "'organisation'")
    assert has_error(info, "localization:", "'localisation'")
    assert has_error(info, "localisation.localisationReady:", "required")
    # The organisation is still read from the US spelling, for what ossdash shows.
    assert info.organisation_uri == "https://example.org/roma"
    assert info.organisation_name == "Roma Capitale"
    org_without_uri = parse_data({**doc(), "organisation": {"name": "X"}})
    assert has_error(org_without_uri, "organisation.uri:", "required")
    inner = parse_data(doc(description={"en": {**MINIMAL["description"]["en"], "localizedName": "M"}}))
    assert has_error(inner, "description.en.localizedName:", "'localisedName'")


def test_country_sections():
    both_it = parse_data({**doc(), "IT": {"countryExtensionVersion": "1.0"}, "it": {"riuso": {}}})
    assert has_error(both_it, "it:", "'IT' is present too")
    assert both_it.it_section == {"countryExtensionVersion": "1.0"}
    legacy = parse_data({**doc(), "it": {"countryExtensionVersion": "0.2", "riuso": {"codiceIPA": "pcm"}}})
    assert legacy.valid, legacy.errors
    assert any(w.startswith("it:") for w in legacy.warnings)
    assert any(w.startswith("it.riuso.codiceIPA:") and "urn:x-italian-pa:pcm" in w for w in legacy.warnings)
    for key in ("It", "Fr", "DE"):
        assert has_error(parse_data({**doc(), key: {"countryExtensionVersion": "1.0"}}), f"{key}:", "unknown key")
    wrong = parse_data({**doc(), "IT": {"countryExtensionVersion": "3.0", "riuso": {"codiceIPA": "NO_SUCH_CODE"},
                                        "piattaforme": {"spid": "yes", "anpr": True}}})
    assert has_error(wrong, "IT.countryExtensionVersion:", "'3.0'")
    assert has_error(wrong, "IT.riuso.codiceIPA:", "iPA")
    assert has_error(wrong, "IT.piattaforme.spid:", "true or false")
    # Go reads an unquoted 1.0 as the text "1", which is no extension version.
    unquoted = yaml.safe_dump({**doc(), "IT": {"countryExtensionVersion": "X"}}, sort_keys=False)
    assert has_error(parse_publiccode(unquoted.replace("countryExtensionVersion: X", "countryExtensionVersion: 1.0")),
                     "IT.countryExtensionVersion:", "'1.0'")
    assert parse_publiccode(unquoted.replace("countryExtensionVersion: X", "countryExtensionVersion: 0.2")).valid


def test_legacy_0_1_keys():
    info = parse_data(
        {
            **doc(publiccodeYmlVersion=None, categories=None),
            "publiccode-yaml-version": "0.1",
            "tags": ["office"],
        }
    )
    assert has_error(info, "publiccodeYmlVersion:", "publiccode-yaml-version")
    assert has_error(info, "tags:", "'categories'")
    assert info.version == "0.1"
    assert info.categories == ("office",)


def test_yaml_1_2_scalars():
    text = yaml.safe_dump(doc(), sort_keys=False) + "usedBy:\n  - NO\n  - yes\n  - 0012\n"
    info = parse_publiccode(text)
    assert info.valid, info.errors
    assert info.used_by == ("NO", "yes", "0012")  # not False, True, 10 as YAML 1.1 would say
    # yes/no/on/off are text in YAML 1.2, so not a boolean: an error, as for the reference.
    for word in ("yes", "no", "on", "off"):
        info = parse_publiccode(text.replace("localisationReady: true", f"localisationReady: {word}"))
        assert info.raw["localisation"]["localisationReady"] == word
        assert has_error(info, "localisation.localisationReady:", "true or false", "YAML 1.1")
    quoted = parse_data(doc(dependsOn={"open": [{"name": "SQLite", "optional": "true"}]}))
    assert has_error(quoted, "dependsOn.open[0].optional:", "true or false")


def test_unknown_keys_are_errors():
    info = parse_data({**doc(), "myCustomKey": 1, "foobar": {"foo": "bar"}})
    assert has_error(info, "myCustomKey:", "unknown key")
    assert has_error(info, "foobar:", "unknown key")
    assert info.raw["myCustomKey"] == "1"
    nested = parse_data(doc(legal={"license": "MIT", "licence": "MIT"},
                            maintenance={"type": "community", "contacts": [{"name": "A", "mail": "a@b.it"}]}))
    assert has_error(nested, "legal.licence:", "unknown key")
    assert has_error(nested, "maintenance.contacts[0].mail:", "unknown key")


def test_types_as_go_decodes_them():
    info = parse_data(
        doc(
            releaseDate="",
            platforms="web",
            dependsOn={"open": [{"name": "PostgreSQL", "version": ["9", "10"], "versionMin": ["1"], "versionMax": {}}]},
        )
    )
    assert has_error(info, "releaseDate:", "not a date")
    assert has_error(info, "platforms:", "expected a list")
    assert has_error(info, "dependsOn.open[0].version:", "expected a string")
    assert has_error(info, "dependsOn.open[0].versionMin:", "expected a string")
    assert has_error(info, "dependsOn.open[0].versionMax:", "expected a string")
    # Any scalar is text where text is expected, as Go converts it.
    scalars = parse_publiccode(yaml.safe_dump(doc(), sort_keys=False) + "softwareVersion: 2\napplicationSuite: true\n")
    assert scalars.valid, scalars.errors
    assert (scalars.software_version, scalars.application_suite) == ("2", "true")


def test_logo_and_other_file_keys():
    def with_logo(logo, root_files=None):
        return parse_publiccode(yaml.safe_dump(doc(logo=logo), sort_keys=False), root_files=root_files)

    for logo in ("/srv/logo.png", "file:///srv/logo.png", "file:logo.png"):
        assert has_error(with_logo(logo), "logo:", "only relative paths or http(s) URLs"), logo
    for logo in ("logo.mpg", "https://example.org/logo.gif", "logo"):
        assert has_error(with_logo(logo), "logo:", "file extension"), logo
    # Whether the file exists needs the repository's files: not checked, never passed.
    unknown = with_logo("img/logo.svg")
    assert unknown.valid and any(n.startswith("logo:") for n in unknown.not_checked)
    remote = with_logo("https://example.org/logo.svg")
    assert remote.valid and any(n.startswith("logo:") and "network" in n for n in remote.not_checked)
    # With the root listing, a file at the root is decided.
    assert with_logo("logo.svg", root_files=["logo.svg", "README.md"]).not_checked == (
        "url: whether it is reachable and a code repository (needs the network)",)
    assert has_error(with_logo("logo.svg", root_files=["README.md"]), "logo:", "no such file")
    assert has_error(with_logo("README.md/logo.svg", root_files=["README.md"]), "logo:", "not a folder")
    assert has_error(with_logo("../logo.svg"), "logo:", "outside the repository")
    in_folder = with_logo("img/logo.svg", root_files=["README.md"])
    assert in_folder.valid and any("only the repository's root is listed" in n for n in in_folder.not_checked)
    shots = parse_data(doc(description={"en": {**MINIMAL["description"]["en"], "screenshots": ["s.gif"],
                                                "videos": ["https://www.youtube.com/watch?v=RaHmGbBOP84",
                                                           "https://example.org/video"]}}))
    assert has_error(shots, "description.en.screenshots[0]:", "file extension")
    assert not has_error(shots, "description.en.videos[0]")
    assert has_error(shots, "description.en.videos[1]:", "oEmbed")


def test_language_tags_and_countries():
    for good in ("en", "it-IT", "en-GB", "de-CH-1996", "zh-Hant-TW", "sr-Latn", "es-419", "EN"):
        assert parse_data(doc(localisation={"localisationReady": True, "availableLanguages": [good]})).valid, good
    for bad in ("en_GB", "ita", "eng", "xxx", "no such language", "en-ZX", "abcd"):
        info = parse_data(doc(localisation={"localisationReady": True, "availableLanguages": [bad]}))
        assert has_error(info, "localisation.availableLanguages[0]:", "BCP 47"), bad
    info = parse_data(doc(intendedAudience={"countries": ["IT", "de", "Fr", "ZZ"]}))
    assert not has_error(info, "intendedAudience.countries[0]") and not has_error(info, "intendedAudience.countries[1]")
    assert any(w.startswith("intendedAudience.countries[1]:") for w in info.warnings)
    assert has_error(info, "intendedAudience.countries[2]:", "ISO 3166")
    assert has_error(info, "intendedAudience.countries[3]:", "ISO 3166")


def test_lengths_count_characters_as_people_see_them():
    decomposed = "e\u0301" * 149  # 149 characters, 298 code points
    info = parse_data(doc(description={"en": {**MINIMAL["description"]["en"], "longDescription": decomposed}}))
    assert has_error(info, "description.en.longDescription:", "shorter than 150 characters (149)")
    flags = "\U0001F1EE\U0001F1F9" * 150  # 150 flags, 300 code points
    assert parse_data(doc(description={"en": {**MINIMAL["description"]["en"], "longDescription": flags}})).valid


def test_wrong_types_are_errors_not_exceptions():
    info = parse_data(
        doc(
            name=["a", "list"],
            platforms={"web": True},
            usedBy="Comune di Roma",
            legal="MIT",
            maintenance=["community"],
            description=["en"],
            localisation="it",
        )
    )
    assert has_error(info, "name:", "expected a string")
    assert has_error(info, "platforms:", "expected a list")
    assert has_error(info, "usedBy:", "expected a list")
    assert info.used_by == ("Comune di Roma",)
    assert has_error(info, "legal:", "mapping")
    assert has_error(info, "maintenance:", "mapping")
    assert has_error(info, "description:", "mapping")
    assert has_error(info, "localisation:", "mapping")
    assert info.name is None


# --------------------------------------------------------------------------- hostile input


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_quickly():
    started = time.monotonic()
    info = parse_publiccode(BILLION_LAUGHS)
    assert time.monotonic() - started < 5
    assert not info.valid
    assert info.raw == {}
    assert "alias" in info.errors[0]


def test_alias_limits():
    many = "a: &a x\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    info = parse_publiccode(many)
    assert not info.valid and "aliases" in info.errors[0]
    # Few aliases of a big string: the expanded size counts.
    big = "a: &a " + "x" * 9000 + "\nb: &b [" + ", ".join(["*a"] * 50) + "]\n"
    big += "c: [" + ", ".join(["*b"] * 40) + "]\n"
    info = parse_publiccode(big)
    assert not info.valid and "alias" in info.errors[0]
    # A modest, legitimate use of anchors and merge keys is fine.
    ok = yaml.safe_dump(doc(maintenance=None), sort_keys=False) + (
        "maintenance:\n  type: community\n  contacts:\n"
        "    - &first {name: A, email: a@example.org}\n    - <<: *first\n      name: B\n"
    )
    info = parse_publiccode(ok)
    assert info.valid, info.errors
    assert [c["name"] for c in info.contacts] == ["A", "B"] and info.contacts[1]["email"] == "a@example.org"


def test_recursive_alias_is_refused():
    for text in ("a: &a [*a]\n", "a: &a {b: *a}\n"):
        info = parse_publiccode(text)
        assert not info.valid and "recursive alias" in info.errors[0]


def test_oversized_input_is_not_parsed():
    valid = yaml.safe_dump(doc(), sort_keys=False).encode()
    padded = valid + b"#" * (MAX_INPUT_BYTES - len(valid) + 1)
    info = parse_publiccode(padded)
    assert not info.valid
    assert "too large" in info.errors[0]
    assert info.name is None and info.raw == {}
    assert "too large" in parse_publiccode(padded.decode()).errors[0]
    # Just under the limit is parsed.
    assert parse_publiccode(padded[:-1]).valid


@pytest.mark.parametrize(
    "payload",
    [
        'name: !!python/object/apply:os.system ["touch {marker}"]\n',
        'name: !!python/object/new:os.system ["touch {marker}"]\n',
        "name: !!python/name:os.system\n",
        'description:\n  en:\n    features: [!!python/object/apply:subprocess.call [["touch", "{marker}"]]]\n',
        "name: !!binary aGVsbG8=\n",
        "name: !!set {{a, b}}\n",
        "name: !Ref foo\n",
        '? !!python/object/apply:os.system ["touch {marker}"]\n: x\n',
        "%TAG !p! tag:yaml.org,2002:python/\n---\nname: !p!object/apply:os.system ['touch {marker}']\n",
        'a: &x !!python/object/apply:os.system ["touch {marker}"]\nb: *x\n',
    ],
)
def test_object_construction_tags_are_refused(payload, tmp_path):
    marker = tmp_path / "pwned"
    info = parse_publiccode(payload.format(marker=marker))
    assert not info.valid
    assert "not allowed" in info.errors[0]
    assert info.raw == {}
    assert not marker.exists()


BAD_INPUT = {
    "list root": (b"- a\n- b\n", "expected a mapping"),
    "string root": (b"just a string\n", "expected a mapping"),
    "number root": (b"42\n", "expected a mapping"),
    "null root": (b"~\n", "empty document"),
    "empty": (b"", "empty file"),
    "blank": (b"   \n\t\n", "empty file"),
    "comment only": (b"# only a comment\n", "empty document"),
    "latin-1": (b"name: caf\xe9\n", "not valid UTF-8"),
    "utf-16": (b"\xff\xfen\x00a\x00", "UTF-16"),
    "binary": (bytes(range(256)) * 4, "not valid UTF-8"),
    "nul byte": (b"name: a\x00b\n", "not a text file"),
    "escape byte": (b"\x1b[31mname: x\n", "not a text file"),
    "tab indent": (b"name: x\n\tfoo: bar\n", "YAML error at line 2"),
    "unclosed flow": (b"name: [unclosed\n", "YAML error"),
    "nested plain mapping": (b"a: b: c\n", "YAML error"),
    "two documents": (b"a: 1\n---\nb: 2\n", "YAML error"),
    "deep nesting": (b"[" * 100_000, "nesting deeper"),
    "unhashable key": (b"? [a, b]\n: c\n", "unhashable"),
    "bad explicit int": (b"name: !!int abc\n", "not an integer"),
}


@pytest.mark.parametrize(("data", "expected"), list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_gives_errors_not_exceptions(data, expected):
    info = parse_publiccode(data)
    assert isinstance(info, PubliccodeInfo)
    assert not info.valid
    assert any(expected in e for e in info.errors), info.errors


@pytest.mark.parametrize("value", [None, 42, 3.5, ["name: x"], {"name": "x"}, object()])
def test_wrong_input_types(value):
    info = parse_publiccode(value)  # type: ignore[arg-type]
    assert not info.valid and "bytes or str" in info.errors[0]


def test_duplicate_keys_are_errors():
    text = yaml.safe_dump(doc(), sort_keys=False) + "name: Second name\n"
    text = text.replace("  license: EUPL-1.2\n", "  license: EUPL-1.2\n  license: MIT\n")
    info = parse_publiccode(text)
    assert not info.valid
    assert has_error(info, "name:", "duplicate key")
    assert has_error(info, "legal.license:", "duplicate key")
    assert info.name == "Second name"  # the last value, as YAML parsers usually do


def test_hostile_text_is_kept_as_plain_text():
    script = "<script>alert('x')</script>"
    info = parse_data(doc(name=script, usedBy=[script, "Robert'); DROP TABLE publiccode;--"]))
    assert info.valid
    assert info.name == script
    assert info.used_by[1] == "Robert'); DROP TABLE publiccode;--"
    assert info.raw["name"] == script


def test_long_strings_are_capped():
    huge = "x" * (MAX_STRING_CHARS * 3)
    info = parse_data(
        doc(
            usedBy=[huge],
            description={"en": {"shortDescription": "s", "longDescription": huge, "features": ["f"]}},
        )
    )
    assert len(info.used_by[0]) == MAX_STRING_CHARS
    assert len(info.raw["description"]["en"]["longDescription"]) == MAX_STRING_CHARS
    assert has_error(info, "description.en.longDescription:", "longer than 10000")
    assert any(w.startswith("usedBy[0]:") and "truncated" in w for w in info.warnings)


def test_control_characters_and_lone_surrogates_are_removed():
    info = parse_publiccode('name: "a\\0b\\x07c\\ud800d"\nusedBy: ["x\\ty"]\n')
    assert info.name == "abcd"
    assert info.used_by == ("x\ty",)
    assert any("control characters" in w for w in info.warnings)
    to_json(info).encode("utf-8")  # storable as UTF-8


def test_odd_keys_and_values_stay_json_serialisable():
    info = parse_publiccode(
        "1: a\ntrue: b\n2021-01-01: c\n~: d\nx: !!float .nan\ny: !!int 0x1F\n"
        "when: 2021-01-01 10:00:00\nbad: 2021-02-30\n"
    )
    assert info.raw["1"] == "a" and info.raw["true"] == "b" and info.raw["2021-01-01"] == "c"
    assert info.raw["null"] == "d"
    assert info.raw["x"] == "nan" and info.raw["y"] == 31
    assert info.raw["when"] == "2021-01-01 10:00:00"  # dates and times stay as written
    assert info.raw["bad"] == "2021-02-30"  # an impossible date stays text
    json.dumps(info.raw, allow_nan=False)


def test_errors_are_capped():
    info = parse_data(doc(categories=[f"bogus-{i}" for i in range(500)]))
    assert len(info.errors) == MAX_ERRORS + 1
    assert info.errors[-1].startswith("... and ")


def test_fuzzed_real_files_never_raise():
    rng = random.Random(20240501)
    sources = [p.read_bytes() for p in sorted(FIXTURES.glob("*.yml"))]
    for _ in range(300):
        data = bytearray(rng.choice(sources))
        action = rng.random()
        if action < 0.3:
            data = data[: rng.randrange(len(data))]
        elif action < 0.7:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            start = rng.randrange(len(data))
            data[start:start] = rng.choice([b"&a ", b"*a", b"\t", b": ", b"- ", b"!!python/name:os.system ", b"[", b"{", b"\n  "])
        info = parse_publiccode(bytes(data))
        assert isinstance(info, PubliccodeInfo)
        assert all(isinstance(e, str) for e in info.errors)
        assert info.valid == (not info.errors)
        json.dumps(info.raw, allow_nan=False)
        to_json(info)
    for _ in range(100):
        garbage = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
        assert not parse_publiccode(garbage).valid


def test_the_declared_version_and_the_checks_not_made_reach_the_warehouse(tmp_path):
    import duckdb

    from collectors.base import publiccode_record
    from warehouse import loader
    from warehouse.schema import migrate

    con = duckdb.connect(str(tmp_path / "publiccode.duckdb"))
    migrate(con)
    unquoted = yaml.safe_dump(doc(logo="img/logo.svg"), sort_keys=False).replace(
        "publiccodeYmlVersion: '0'", "publiccodeYmlVersion: 0.4"
    )
    records = [
        publiccode_record("github", "github.com", "city/a", "sha-a", unquoted.encode()),
        publiccode_record("github", "github.com", "city/b", "sha-b", read_fixture("it-at-m__mucgpt__publiccode.yml")),
        publiccode_record("github", "github.com", "city/c", "sha-c", read_fixture("it-at-m__mucgpt__publiccode.yml"),
                          root_files=("README.md", "publiccode.yml")),
    ]
    loader.load(con, records, loader.PUBLICCODE)
    rows = con.execute(
        "SELECT repo_path, valid, version, errors, not_checked FROM publiccode ORDER BY repo_path"
    ).fetchall()
    path, valid, version, errors, not_checked = rows[0]
    assert (path, valid, version) == ("city/a", False, "0.4")  # as declared, though unquoted
    assert any(e.startswith("publiccodeYmlVersion:") for e in errors)
    assert any(n.startswith("logo:") for n in not_checked) and any(n.startswith("url:") for n in not_checked)
    assert rows[1][1:3] == (True, "0.5.0")
    # mucgpt's logo is assets/mucgpt_title.svg: in a folder, so even the root listing cannot tell.
    assert any(n.startswith("logo:") and "only the repository's root" in n for n in rows[2][4])


def test_values_built_to_make_a_matcher_backtrack_are_judged_at_once():
    # Patterns such as go-playground's e-mail one backtrack exponentially in Python's matcher on
    # input like this; ossdash scans instead. The bound is a hang detector, not a speed measure.
    started = time.monotonic()
    info = parse_data(
        doc(
            maintenance={"type": "community", "contacts": [
                {"name": "A", "email": '"' + " \t" * 150 + "x"},
                {"name": "B", "email": "a@" + "a-" * 150 + "!"},
            ]},
            landingURL="http://" + "a" * 9000 + "/" + "%" * 500,
            legal={"license": "(" * 4000 + "MIT" + ")" * 4000},
            localisation={"localisationReady": True, "availableLanguages": ["en-" + "a1-" * 3000 + "!"]},
        )
    )
    assert time.monotonic() - started < 5
    for key in ("maintenance.contacts[0].email:", "maintenance.contacts[1].email:", "landingURL:",
                "legal.license:", "localisation.availableLanguages[0]:"):
        assert has_error(info, key), key
