"""The standard's words: keys, enumerations, lists, and the registries values are looked up in.

The lists follow the reference parser (italia/publiccode-parser-go, whose v0 rules
apply to every 0.x version). The three large lists are data files beside this
module (see ``data/README.md``), read once, on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

# publiccodeYmlVersion values the reference parser accepts; "0" means the latest 0.x.
SUPPORTED_VERSIONS = (
    "0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0", "0.5", "0.5.0", "0.7", "0.7.0",
)
LATEST_VERSIONS = ("0", "0.7", "0.7.0")  # versions read without the "not the latest" warning

DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend",
    "standalone/other", "addon", "library", "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
IT_EXTENSION_VERSIONS = ("0.2", "1.0")

# supports[].id aliases (the standard's aliases list).
SUPPORTS_ALIASES = frozenset(("gdpr", "eidas", "nis2", "cra", "spid", "cie", "anpr", "pagopa", "io"))

CATEGORIES = frozenset((
    "accounting", "agile-project-management", "applicant-tracking", "application-development",
    "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting", "business-intelligence",
    "business-process-management", "cad", "call-center-management", "cloud-management", "collaboration",
    "communications", "compliance-management", "contact-management", "content-management", "crm",
    "customer-service-and-support", "data-analytics", "data-collection", "data-visualization", "design",
    "design-system", "digital-asset-management", "digital-citizenship", "document-management", "donor-management",
    "e-commerce", "e-signature", "educational-content", "email-management", "email-marketing",
    "employee-management", "enterprise-project-management", "enterprise-social-networking", "erp",
    "event-management", "facility-management", "feedback-and-reviews-management", "financial-reporting",
    "fleet-management", "fundraising", "gamification", "geographic-information-systems", "grant-management",
    "graphic-design", "help-desk", "hr", "ide", "identity-management", "instant-messaging",
    "integrated-library-system", "inventory-management", "it-asset-management", "it-development",
    "it-management", "it-security", "it-service-management", "knowledge-management",
    "learning-management-system", "marketing", "mind-mapping", "mobile-marketing", "mobile-payment",
    "network-management", "office", "online-booking", "online-community", "payment-gateway", "payroll",
    "predictive-analysis", "procurement", "productivity-suite", "project-collaboration", "project-management",
    "property-management", "real-estate-management", "regulations-and-directives", "remote-support",
    "resource-management", "sales-management", "seo", "service-desk", "social-media-management", "survey",
    "talent-management", "task-management", "taxes-management", "test-management", "time-management",
    "time-tracking", "translation", "video-conferencing", "video-editing", "visitor-management", "voip",
    "warehouse-management", "web-collaboration", "web-conferencing", "website-builder", "whistleblowing",
    "workflow-management", "other",
))

SCOPES = frozenset((
    "agriculture", "culture", "defence", "education", "emergency-services", "employment", "energy",
    "environment", "finance-and-economic-development", "foreign-affairs", "government", "healthcare",
    "infrastructures", "justice", "local-authorities", "manufacturing", "research", "science-and-technology",
    "security", "society", "sport", "tourism", "transportation", "welfare",
))

# ISO 3166-1 alpha-2, as go-playground/validator lists it (with XK).
_COUNTRY_CODES = (
    "AF AX AL DZ AS AD AO AI AQ AG AR AM AW AU AT AZ BS BH BD BB BY BE BZ BJ BM BT BO BQ BA BW BV BR IO BN BG "
    "BF BI KH CM CA CV KY CF TD CL CN CX CC CO KM CG CD CK CR CI HR CU CW CY CZ DK DJ DM DO EC EG SV GQ ER EE "
    "ET FK FO FJ FI FR GF PF TF GA GM GE DE GH GI GR GL GD GP GU GT GG GN GW GY HT HM VA HN HK HU IS IN ID IR "
    "IQ IE IM IL IT JM JP JE JO KZ KE KI KP KR KW KG LA LV LB LS LR LY LI LT LU MO MK MG MW MY MV ML MT MH MQ "
    "MR MU YT MX FM MD MC MN ME MS MA MZ MM NA NR NP NL NC NZ NI NE NG NU NF MP NO OM PK PW PS PA PG PY PE PH "
    "PN PL PT PR QA RE RO RU RW BL SH KN LC MF PM VC WS SM ST SA SN RS SC SL SG SX SK SI SB SO ZA GS SS ES LK "
    "SD SR SJ SZ SE CH SY TW TJ TZ TH TL TG TK TO TT TN TR TM TC TV UG UA AE GB US UM UY UZ VU VE VN VG VI WF "
    "EH YE ZM ZW XK"
)
COUNTRIES = frozenset(_COUNTRY_CODES.split())

# The keys each mapping may hold; any other key is an error, as in the reference parser.
TOP_LEVEL_KEYS = frozenset((
    "publiccodeYmlVersion", "name", "applicationSuite", "url", "landingURL", "isBasedOn", "softwareVersion",
    "releaseDate", "logo", "monochromeLogo", "organisation", "inputTypes", "outputTypes", "platforms",
    "categories", "usedBy", "fundedBy", "roadmap", "developmentStatus", "softwareType", "supports",
    "intendedAudience", "description", "legal", "maintenance", "localisation", "dependsOn", "IT", "it",
))
SECTION_KEYS = {
    "description": frozenset((
        "localisedName", "genericName", "shortDescription", "longDescription", "documentation",
        "apiDocumentation", "features", "screenshots", "videos", "awards",
    )),
    "legal": frozenset(("license", "mainCopyrightOwner", "repoOwner", "authorsFile")),
    "maintenance": frozenset(("type", "contractors", "contacts")),
    "contractor": frozenset(("name", "email", "website", "until")),
    "contact": frozenset(("name", "email", "affiliation", "phone")),
    "localisation": frozenset(("localisationReady", "availableLanguages")),
    "dependsOn": frozenset(("open", "proprietary", "hardware")),
    "dependency": frozenset(("name", "versionMin", "versionMax", "optional", "version")),
    "organisation": frozenset(("name", "uri")),
    "support": frozenset(("id",)),
    "intendedAudience": frozenset(("scope", "countries", "unsupportedCountries")),
    "IT": frozenset(("countryExtensionVersion", "conforme", "riuso", "piattaforme")),
    "IT.conforme": frozenset(("lineeGuidaDesign", "modelloInteroperabilita", "misureMinimeSicurezza", "gdpr")),
    "IT.riuso": frozenset(("codiceIPA",)),
    "IT.piattaforme": frozenset(("spid", "pagopa", "cie", "anpr", "io")),
}

# Spellings met in the wild that the standard (British English throughout) does not use:
# still errors, but named in the message and read as a fallback for what ossdash shows.
MISSPELLINGS = {
    "organization": "organisation",
    "localization": "localisation",
    "publiccodeYAMLVersion": "publiccodeYmlVersion",
    "publiccodeYamlVersion": "publiccodeYmlVersion",
    "publiccode-yaml-version": "publiccodeYmlVersion",
    "landingUrl": "landingURL",
    "tags": "categories",
    "localizationReady": "localisationReady",
    "localizedName": "localisedName",
}

# File names the reference accepts for images, by key.
LOGO_EXTENSIONS = (".svg", ".svgz", ".png")
SCREENSHOT_EXTENSIONS = (".jpg", ".png")


# --------------------------------------------------------------------------- data files


def _data(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


@cache
def ipa_codes() -> frozenset[str]:
    """Codes of the Italian public administration index (iPA), lowercased."""
    return frozenset(line.strip().lower() for line in _data("ipa_codes.txt").splitlines() if line.strip())


@cache
def oembed_patterns() -> tuple:
    """URL patterns of the oEmbed providers (the reference's list), as compiled regexes."""
    import re

    patterns = []
    for scheme in json.loads(_data("oembed_schemes.json")):
        patterns.append(re.compile(re.escape(scheme).replace(r"\*", ".*")))
    return tuple(patterns)


def is_oembed_video(url: str) -> bool:
    return any(p.fullmatch(url) for p in oembed_patterns())


@dataclass(frozen=True)
class Subtags:
    languages: frozenset[str]
    extlangs: dict[str, tuple[str, ...]]
    scripts: frozenset[str]
    regions: frozenset[str]
    variants: frozenset[str]


@cache
def subtags() -> Subtags:
    """The IANA Language Subtag Registry, lowercased, ranges expanded."""
    data = json.loads(_data("bcp47_subtags.json"))
    return Subtags(
        languages=frozenset(data["languages"]),
        extlangs={k: tuple(v) for k, v in data["extlangs"].items()},
        scripts=frozenset(data["scripts"]),
        regions=frozenset(data["regions"]),
        variants=frozenset(data["variants"]),
    )
