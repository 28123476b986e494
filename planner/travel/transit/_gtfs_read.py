"""Reading a GTFS folder into checked rows, collecting every problem with file, row and field.

partridge reads the files (encoding detection, one file per name, whitespace stripped, every
value a string, extra columns kept); this module turns its frames into plain Python values and
says exactly what is wrong where. Rows are numbered as a spreadsheet shows them: data row 1 is
line 2 of the file, under the header.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import Problem

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "agency.txt": ("agency_name", "agency_url", "agency_timezone"),
    "stops.txt": ("stop_id", "stop_name", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar.txt": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
    "feed_info.txt": ("feed_publisher_name", "feed_publisher_url", "feed_lang"),
}
"""The columns GTFS requires in each file this reader uses."""

REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
"""Files a feed must have; it also needs calendar.txt or calendar_dates.txt (or both)."""
OPTIONAL_FILES = ("calendar.txt", "calendar_dates.txt", "frequencies.txt", "feed_info.txt")

_TIME = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass
class Row:
    """One data row of a file: its values by column and its 1-based row number."""

    file: str
    number: int
    values: dict[str, str]

    @property
    def where(self) -> str:
        """``stops.txt row 3 (line 4)``: how problems name the row."""
        return f"{self.file} row {self.number} (line {self.number + 1})"

    def get(self, column: str) -> str:
        """The column's value, ``""`` when the column is absent or the cell blank."""
        return self.values.get(column, "")


@dataclass
class Collector:
    """Gathers problems so that an operator sees all of them in one pass."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, entity: str, column: str | None, message: str) -> None:
        self.problems.append(Problem(entity, column, message))

    def required(self, row: Row, column: str) -> str | None:
        """The value of a required cell, or None after noting that it is blank."""
        value = row.get(column)
        if value == "":
            self.add(row.where, column, f"is empty; GTFS requires a value in {row.file}")
            return None
        return value

    def integer(self, row: Row, column: str, *, default: int | None = None) -> int | None:
        """A cell as an integer (``default`` when blank and allowed to be)."""
        value = row.get(column)
        if value == "" and default is not None:
            return default
        if value == "":
            self.required(row, column)
            return None
        try:
            return int(value)
        except ValueError:
            self.add(row.where, column, f"{value!r} is not a whole number")
            return None

    def flag(self, row: Row, column: str, allowed: tuple[int, ...]) -> int | None:
        """A small enumerated integer cell (0/1 weekday flags, exception types)."""
        number = self.integer(row, column)
        if number is not None and number not in allowed:
            choices = " or ".join(map(str, allowed))
            self.add(row.where, column, f"{number} is not allowed; write {choices}")
            return None
        return number

    def time(self, row: Row, column: str, *, blank_ok: bool = False) -> int | None:
        """A GTFS time as seconds past the service day's midnight (``25:10:00`` = 90600).

        GTFS counts past 24:00 for trips that run after midnight, so hours are not capped at 23.
        """
        value = row.get(column)
        if value == "":
            if not blank_ok:
                self.required(row, column)
            return None
        seconds = parse_gtfs_time(value)
        if seconds is None:
            self.add(
                row.where,
                column,
                f"{value!r} is not a GTFS time; write HH:MM:SS, e.g. 08:05:00 "
                "(hours may pass 24 for trips after midnight: 25:10:00 is 01:10 the next day)",
            )
        return seconds

    def date(self, row: Row, column: str) -> tuple[int, int, int] | None:
        """A GTFS date ``YYYYMMDD`` as (year, month, day), checked to exist."""
        import datetime as dt

        value = self.required(row, column)
        if value is None:
            return None
        match = _DATE.match(value)
        try:
            if match is None:
                raise ValueError
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            self.add(row.where, column, f"{value!r} is not a date; write YYYYMMDD, e.g. 20270417")
            return None
        return day.year, day.month, day.day

    def coordinate(self, row: Row, column: str, low: float, high: float) -> float | None:
        """A latitude or longitude in degrees, within ``[low, high]``."""
        value = self.required(row, column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            self.add(row.where, column, f"{value!r} is not a number of degrees (WGS84)")
            return None
        if not math.isfinite(number) or not low <= number <= high:
            self.add(row.where, column, f"{number} is outside {low}..{high}; give WGS84 degrees")
            return None
        return number


def parse_gtfs_time(value: str) -> int | None:
    """``"25:10:00"`` -> 90600 seconds past the service day's midnight; None when malformed."""
    match = _TIME.match(value.strip())
    if match is None:
        return None
    return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])


def format_gtfs_time(seconds: int) -> str:
    """90600 -> ``"25:10:00"`` (the inverse of :func:`parse_gtfs_time`)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@dataclass
class RawFeed:
    """The rows of every file present, by file name; files absent are missing from ``rows``."""

    directory: Path
    rows: dict[str, list[Row]]

    def of(self, file: str) -> list[Row]:
        return self.rows.get(file, [])


def read_raw(directory: Path, collector: Collector) -> RawFeed:
    """Read the GTFS files of ``directory`` with partridge, checking files and columns.

    A missing required file or column is a problem; its rows are then left out (so later checks
    do not repeat the same fault for every row).
    """
    import partridge

    found = {p.name for p in directory.iterdir() if p.is_file()}
    for file in REQUIRED_FILES:
        if file not in found:
            collector.add(
                file, None, f"is missing; a GTFS feed needs it: add {file} to {directory}"
            )
    if "calendar.txt" not in found and "calendar_dates.txt" not in found:
        collector.add(
            "calendar.txt",
            None,
            "is missing (and so is calendar_dates.txt); say on which days each service_id "
            f"runs in one of them in {directory}",
        )
    try:
        raw = partridge.load_raw_feed(str(directory))
    except ValueError as exc:  # partridge: two files of one name in the folder, ...
        collector.add(str(directory), None, f"cannot be read as GTFS: {exc}")
        return RawFeed(directory, {})
    rows: dict[str, list[Row]] = {}
    for file in (*REQUIRED_FILES, *OPTIONAL_FILES):
        if file not in found:
            continue
        with warnings.catch_warnings():  # partridge 1.1 uses pandas' deprecated inplace=True
            warnings.simplefilter("ignore")
            frame = raw.get(file)
        columns = [str(c) for c in frame.columns]
        missing = [c for c in REQUIRED_COLUMNS[file] if c not in columns]
        for column in missing:
            collector.add(
                f"{file} line 1",
                column,
                f"column is missing from the header; add a {column} column "
                f"(the header has: {', '.join(columns) or 'nothing'})",
            )
        if missing:
            continue
        rows[file] = list(_rows(file, frame.to_dict("records")))
    return RawFeed(directory, rows)


def _rows(file: str, records: list[dict[Any, Any]]) -> Iterator[Row]:
    for number, record in enumerate(records, start=1):
        values = {str(k): ("" if _blank(v) else str(v)) for k, v in record.items()}
        yield Row(file, number, values)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
