"""Forge values read leniently: a malformed one is a warning and a missing value, never a failed account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from collectors.errors import MalformedResponse


def parse_time(value: str | datetime | None) -> datetime | None:
    """Forge timestamps as aware UTC datetimes; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise MalformedResponse(f"unreadable timestamp {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class SkipRecord(Exception):
    """A record without a value it cannot exist without (an issue number, a commit sha): skip it."""


def shown(value: Any) -> str:
    """A forge value for a message: its repr, cut to 60 characters."""
    return repr(value[:60]) if isinstance(value, str) else repr(value)[:60]


class Fields:
    """Reads one forge record leniently: a malformed value is reported in ``warnings`` and read as missing.

    ``where`` names the record for the message (account, repository, item), e.g.
    ``gitlab:stadt-x: project stadt-x/app: issue #12``. A value the record cannot
    exist without is read with :meth:`key`, which raises SkipRecord instead.
    """

    def __init__(self, record: Any, warnings: list[str], where: str, scrubbed: Any = None):
        self.record = record if isinstance(record, dict) else {}
        self.warnings = warnings
        self.where = where
        self._scrub = scrubbed or (lambda text: text)
        if not isinstance(record, dict):
            self.warnings.append(self._scrub(f"{where}: unreadable entry {shown(record)}; the record is skipped"))
            raise SkipRecord

    def _warn(self, name: str, value: Any, consequence: str = "") -> None:
        self.warnings.append(self._scrub(f"{self.where}: field {name}: unreadable value {shown(value)}{consequence}"))

    def skip(self, name: str, value: Any) -> None:
        """Report a value the record cannot exist without as unreadable, and skip the record."""
        self._warn(name, value, "; the record is skipped")
        raise SkipRecord

    def at(self, suffix: str) -> Fields:
        """The same reader, its record named more precisely once its key is known."""
        self.where = f"{self.where} {suffix}"
        return self

    def key(self, name: str, kind: type = str) -> Any:
        value = self.record.get(name)
        if kind is int and isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, kind) and not isinstance(value, bool) and value != "":
            return value
        self._warn(name, value, "; the record is skipped")
        raise SkipRecord

    def time(self, name: str, record: Any = None) -> datetime | None:
        value = (self.record if record is None else record).get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return parse_time(value)
            except MalformedResponse:
                pass
        self._warn(name, value)
        return None

    def int(self, name: str, default: int | None = 0) -> int | None:
        value = self.record.get(name)
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        self._warn(name, value)
        return default

    def text(self, name: str, record: Any = None) -> str | None:
        value = (self.record if record is None else record).get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self._warn(name, value)
        return None

    def flag(self, name: str) -> bool:
        value = self.record.get(name)
        if value is None or isinstance(value, bool | int):
            return bool(value)
        self._warn(name, value)
        return False

    def obj(self, name: str, record: Any = None) -> dict:
        value = (self.record if record is None else record).get(name)
        if value is None or isinstance(value, dict):
            return value or {}
        self._warn(name, value)
        return {}

    def seq(self, name: str) -> list:
        value = self.record.get(name)
        if value is None or isinstance(value, list):
            return value or []
        self._warn(name, value)
        return []
