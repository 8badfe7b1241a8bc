"""How values read on the technicians' pages: dates in the plant's time zone, relative wording, UpKeep's words.

Pure functions, no Datasette: the plugin (:mod:`queries.web`) applies them to HTML cells only, so the
JSON and CSV exports keep the stored values (UTC ISO-8601, UpKeep's status codes).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mirror.vocabulary import STATUS_WORDS

#: Environment variable naming the plant's time zone (an IANA name such as ``Europe/Berlin``).
TZ_ENV = "UPKEEP_MIRROR_TZ"

_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")



class TimeZoneError(ValueError):
    """The configured plant time zone is not a time zone name this machine knows."""


def plant_timezone(configured: str | None = None) -> tzinfo:
    """The plant's zone: ``configured`` (metadata), else ``$UPKEEP_MIRROR_TZ``, else the machine's own."""
    name = configured or os.environ.get(TZ_ENV)
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise TimeZoneError(f"Unknown time zone {name!r}: use a name such as Europe/Berlin or UTC.") from None
    try:
        import tzlocal  # APScheduler's dependency: the machine's zone with its daylight-saving rules

        return tzlocal.get_localzone()
    except Exception:  # no tzlocal or an unreadable /etc/localtime: the machine's current offset
        return datetime.now().astimezone().tzinfo or UTC


def parse_timestamp(value: object) -> datetime | None:
    """``value`` as an aware datetime if it is an ISO-8601 timestamp (naive ones are UTC), else None."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_date(value: object) -> bool:
    return isinstance(value, str) and bool(_DATE.match(value))


def when(moment: datetime, tz: tzinfo) -> str:
    """``13 Dec 2023 05:21`` in ``tz``."""
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y %H:%M}"


def day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def clock(moment: datetime, tz: tzinfo, now: datetime) -> str:
    """``08:15`` if ``moment`` is today in ``tz``, else ``13 Dec 08:15`` (or with the year if not this year)."""
    local, today = moment.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if local.year == today.year:
        return f"{local.day} {local:%b %H:%M}"
    return when(moment, tz)


def _amount(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def span(delta: timedelta) -> str:
    """A duration in the one unit that reads best: ``4 minutes``, ``3 hours``, ``12 days``."""
    seconds = abs(delta.total_seconds())
    if seconds < 90:
        return "a minute" if seconds >= 45 else "less than a minute"
    if seconds < 90 * 60:
        return _amount(round(seconds / 60), "minute")
    if seconds < 36 * 3600:
        return _amount(round(seconds / 3600), "hour")
    if seconds < 60 * 86400:
        return _amount(round(seconds / 86400), "day")
    if seconds < 730 * 86400:
        return _amount(round(seconds / (30.44 * 86400)), "month")
    return _amount(round(seconds / (365.25 * 86400)), "year")


def relative(moment: datetime, now: datetime, tz: tzinfo) -> str:
    """``4 minutes ago``, ``in 3 hours``, ``tomorrow``, ``yesterday``, ``3 days ago`` (calendar days in ``tz``)."""
    delta = moment - now
    if abs(delta) < timedelta(hours=12):
        return "just now" if abs(delta) < timedelta(seconds=45) else (
            f"in {span(delta)}" if delta > timedelta(0) else f"{span(delta)} ago")
    days = (moment.astimezone(tz).date() - now.astimezone(tz).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if abs(days) < 60:
        return f"in {days} days" if days > 0 else f"{-days} days ago"
    return f"in {span(delta)}" if days > 0 else f"{span(delta)} ago"


def due(moment: datetime, now: datetime, tz: tzinfo) -> str:
    """A due date as people say it: ``3 days overdue``, ``due today``, ``due tomorrow``, ``due in 5 days``."""
    days = (moment.astimezone(tz).date() - now.astimezone(tz).date()).days
    if moment < now:
        if days == 0:
            return f"{span(now - moment)} overdue"
        return f"{_amount(-days, 'day')} overdue" if days < 0 else "overdue"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {days} days"


def days_overdue(days: float) -> str:
    """``days_overdue`` (decimal days) in words: ``20 days overdue``, ``5 hours overdue``."""
    if days < 1:
        return f"{span(timedelta(days=days))} overdue"
    return f"{_amount(round(days), 'day')} overdue"


def days_until(days: float) -> str:
    """``days_until_due`` (decimal days, negative when late) in words."""
    if days < 0:
        return days_overdue(-days)
    if days < 1:
        return f"due in {span(timedelta(days=days))}"
    return f"due in {_amount(round(days), 'day')}"


def status_words(status: str | None) -> str | None:
    """UpKeep's status code (``onHold``) as people say it (``on hold``); other values unchanged."""
    return STATUS_WORDS.get(status, status) if status is not None else None
