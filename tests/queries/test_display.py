"""How dates, durations and statuses read on the pages (pure functions, fixed clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queries import display

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def test_timestamps_are_recognised_and_dates_read_in_the_plant_zone():
    moment = display.parse_timestamp("2023-12-13T05:21:11.991Z")
    assert moment == datetime(2023, 12, 13, 5, 21, 11, 991000, tzinfo=UTC)
    assert display.when(moment, UTC) == "13 Dec 2023 05:21"
    assert display.when(moment, BERLIN) == "13 Dec 2023 06:21"
    assert display.when(display.parse_timestamp("2024-07-01T22:30:00Z"), BERLIN) == "2 Jul 2024 00:30"  # summer
    assert display.parse_timestamp("2024-03-11T06:42:18") == datetime(2024, 3, 11, 6, 42, 18, tzinfo=UTC)
    for not_a_timestamp in ("Boiler 2", "2024", "1187", 12.5, None, "2024-13-45T99:99:99Z"):
        assert display.parse_timestamp(not_a_timestamp) is None


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(seconds=-10), "just now"),
    (timedelta(minutes=-4), "4 minutes ago"),
    (timedelta(hours=3), "in 3 hours"),
    (timedelta(days=1), "tomorrow"),
    (timedelta(days=-1), "yesterday"),
    (timedelta(days=-3), "3 days ago"),
    (timedelta(days=12), "in 12 days"),
    (timedelta(days=-400), "13 months ago"),
    (timedelta(days=-800), "2 years ago"),
])
def test_relative_wording(delta, words):
    assert display.relative(NOW + delta, NOW, UTC) == words


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(days=-3), "3 days overdue"),
    (timedelta(hours=-5), "5 hours overdue"),
    (timedelta(hours=5), "due today"),
    (timedelta(days=1), "due tomorrow"),
    (timedelta(days=5), "due in 5 days"),
])
def test_due_dates_read_as_people_say_them(delta, words):
    assert display.due(NOW + delta, NOW, UTC) == words


def test_decimal_days_in_words():
    assert display.days_overdue(20.04) == "20 days overdue"
    assert display.days_overdue(0.1) == "2 hours overdue"  # not "-0.1" nor "0.1"
    assert display.days_until(5.0) == "due in 5 days"
    assert display.days_until(-2.0) == "2 days overdue"


def test_clock_for_the_banner():
    assert display.clock(NOW - timedelta(minutes=4), UTC, NOW) == "08:56"
    assert display.clock(NOW - timedelta(days=2), UTC, NOW) == "8 Mar 09:00"
    assert display.clock(NOW - timedelta(days=400), UTC, NOW) == "3 Feb 2025 09:00"


def test_upkeep_status_words():
    assert [display.status_words(s) for s in ("open", "onHold", "inProgress", "complete")] == [
        "open", "on hold", "in progress", "complete"]
    assert display.status_words(None) is None and display.status_words("custom") == "custom"


def test_time_zone_from_setting_then_environment(monkeypatch):
    monkeypatch.setenv(display.TZ_ENV, "Asia/Tokyo")
    assert display.plant_timezone("Europe/Berlin") == BERLIN
    assert display.plant_timezone(None) == ZoneInfo("Asia/Tokyo")
    monkeypatch.delenv(display.TZ_ENV)
    assert display.plant_timezone(None).utcoffset(NOW) is not None  # the machine's own
    with pytest.raises(display.TimeZoneError, match="Unknown time zone 'Mars/Olympus'"):
        display.plant_timezone("Mars/Olympus")
