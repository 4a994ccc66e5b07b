"""Hygiene per repository: licence (OSI or not), root files, publiccode.yml and its maintenance
contract."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from warehouse.metrics.frames import frame
from warehouse.metrics.results import moment
from warehouse.metrics.scope import Scope, scoped
from warehouse.metrics.settings import CONTRACT_EXPIRING_DAYS


def hygiene(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = Scope(),
    *,
    expiring_days: int = CONTRACT_EXPIRING_DAYS,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Hygiene per repository.

    Columns: forge, host, path, entity_id, html_url, licence, licence_source (forge |
    publiccode), licence_status (osi_approved | not_osi_approved | unrecognised | none),
    osi_licence, root_files_collected, has_readme, has_license, has_contributing,
    has_code_of_conduct, has_security, has_publiccode, publiccode_valid, maintenance_type,
    maintenance_until, contract_status (expired: until before ``now``'s UTC date; expiring: within
    ``expiring_days`` of it; ok; NULL without a date), days_to_contract_end, checks_passed and
    checks (of: OSI licence, README, CONTRIBUTING, CODE_OF_CONDUCT, SECURITY, valid publiccode.yml;
    both NULL when the root listing was not collected).
    """
    sc = scoped(con, scope.at("repo"))
    today = moment(con, now).date()
    sql = f"""
        WITH {sc.ctes()}
        SELECT g.*, h.licence, h.licence_source, h.licence_status, h.osi_licence,
               h.root_files_collected, h.has_readme, h.has_license, h.has_contributing,
               h.has_code_of_conduct, h.has_security, h.has_publiccode, h.publiccode_valid,
               h.maintenance_type, h.maintenance_until,
               CASE WHEN h.maintenance_until IS NULL THEN NULL
                    WHEN h.maintenance_until < $today THEN 'expired'
                    WHEN h.maintenance_until <= $today + $expiring_days::INTEGER THEN 'expiring'
                    ELSE 'ok' END AS contract_status,
               date_diff('day', $today, h.maintenance_until) AS days_to_contract_end,
               CASE WHEN h.root_files_collected THEN
                   h.osi_licence::INTEGER + h.has_readme::INTEGER + h.has_contributing::INTEGER
                   + h.has_code_of_conduct::INTEGER + h.has_security::INTEGER
                   + coalesce(h.publiccode_valid, false)::INTEGER END AS checks_passed,
               CASE WHEN h.root_files_collected THEN 6 END AS checks
        FROM groups AS g
        JOIN repo_hygiene AS h ON h.forge = g.forge AND h.host = g.host AND h.repo_path = g.path
        ORDER BY {sc.order()}
    """
    params = {**sc.params, "today": today, "expiring_days": int(expiring_days)}
    df = frame(con, sql, params)
    df["checks_passed"] = df["checks_passed"].astype("Int64")
    df["checks"] = df["checks"].astype("Int64")
    df["days_to_contract_end"] = df["days_to_contract_end"].astype("Int64")
    return df
