"""Expected crowding at a place, hour by hour, for a date: from a forecast, else the day's curve.

Two sources, in this order:

* a **forecast** (the CSV ``planner forecast`` writes from a batch of plans, or an operator's own
  counts in the same columns): per place and local hour, ``mean_on_site`` people over the place's
  comfortable capacity at once gives the load, and ``arrivals`` against what the gate lets in an
  hour gives a queue (a fluid queue: what the gate cannot take in one hour waits into the next);
* the **default curve** of the day's type (festival, holiday, weekend, weekday) in
  ``configs/crowds.yaml``, scaled by the place's popularity; the queue then is
  ``gate_minutes_per_overload`` for each 100 % of load over capacity.

Either way no wait is longer than :data:`MAX_QUEUE_MIN` (beyond it visitors are turned away, not
kept waiting) or runs past midnight.

Each hour says its load, the expected minutes of queuing at the gate and car park, and whether it
is busy (load at least ``busy_from``). This is the predictable cost crowd-aware planning is to
schedule around; today the app, the CLI (``planner crowds``) and operators read it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from planner.data.catalog import unknown_id_message
from planner.data.crowds import CrowdSettings, capacity_of
from planner.errors import RequestError
from planner.i18n.texts import reason
from planner.model import Poi, Reason
from planner.model.hours import open_intervals

HOURS = range(24)


@dataclass(frozen=True)
class HourCrowd:
    """One local hour at one place (``hour`` = 10: 10:00-11:00)."""

    hour: int
    load: float
    """Expected visitors on site over the comfortable capacity at once (1.0: full)."""
    wait_min: float
    """Expected extra minutes at the gate and car park for an arrival in this hour."""
    busy: bool


@dataclass(frozen=True)
class Outlook:
    """A place's day, hour by hour, and where the figures come from."""

    poi_id: str
    date: dt.date
    source: str
    """``forecast`` or ``curve:<day type>``; ``+estimated capacity`` when the capacity is the
    category's estimate."""
    hours: tuple[HourCrowd, ...]

    def busy_spans(self) -> list[tuple[int, int]]:
        """The busy hours as ``(start, end)`` spans of whole hours, e.g. ``[(10, 13)]``."""
        spans: list[tuple[int, int]] = []
        for h in self.hours:
            if not h.busy:
                continue
            if spans and spans[-1][1] == h.hour:
                spans[-1] = (spans[-1][0], h.hour + 1)
            else:
                spans.append((h.hour, h.hour + 1))
        return spans

    def peak(self) -> HourCrowd | None:
        return max(self.hours, key=lambda h: (h.load, -h.hour)) if self.hours else None


COLUMNS = ("date", "hour", "poi_id", "arrivals", "mean_on_site")
"""The columns a forecast needs, in any order; others are ignored (``planner forecast`` also
writes ``name_en``, ``name_zh`` and ``visitors``, for people reading the file)."""

MAX_QUEUE_MIN = 120.0
"""The longest expected wait at a gate and car park, in minutes, from a forecast or a curve.

A queue much longer than two hours does not form: before then the car park is closed off, the
traffic police send cars on and the ticket office stops selling, so visitors are turned away
rather than kept waiting. The fluid queue therefore holds at most what the gate lets in over this
long; arrivals beyond that are turned away, so they neither wait nor lengthen later hours' queues
(without this bound a farm restaurant read a 1,830-minute wait, and a memorial 270 minutes at
17:00 with nobody on site)."""

_HOUR = re.compile(r"(\d{1,2})(?::00(?::00)?)?")
"""An hour as operators write it (``13``, ``7``) or as ``planner forecast`` does (``13:00``)."""


@dataclass(frozen=True)
class Forecast:
    """Counts per (date, place, hour): ``(arrivals, mean_on_site)``."""

    cells: Mapping[tuple[dt.date, str, int], tuple[float, float]]
    name: str = "forecast"
    """Where the counts were read from (a file name), for messages about them."""
    rows: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """The row of that file each place first appears on, for messages about a place."""

    def has(self, day: dt.date, poi_id: str) -> bool:
        return any((day, poi_id, h) in self.cells for h in HOURS)


def read_forecast(path: Path | str, *, field: str = "--forecast") -> Forecast:
    """A forecast CSV file: what ``planner forecast --out`` writes (UTF-8 with a byte-order mark,
    hours as ``13:00``, names and visitors too), or an operator's own counts in those columns.

    A file that is missing, a folder, unreadable or not UTF-8 text raises one
    :class:`RequestError` naming ``field`` and the fix, as does any bad row
    (:func:`parse_forecast`): never a traceback."""
    path = Path(path)
    give = "give the CSV file `planner forecast --out` wrote"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RequestError(field, f"{path} does not exist; {give}") from None
    except IsADirectoryError:
        raise RequestError(field, f"{path} is a folder, not a file; {give}") from None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise RequestError(
            field, f"{path} cannot be read ({why}); check that it is a file you may read"
        ) from None
    return parse_forecast(
        forecast_text(data, name=path.name, field=field), name=path.name, field=field
    )


def forecast_text(data: bytes, *, name: str, field: str = "--forecast") -> str:
    """A forecast file's text: UTF-8 (with or without a byte-order mark), else GBK/GB18030,
    which Excel writes for "CSV (逗号分隔)" on a Chinese Windows; anything else (UTF-16, bytes
    neither encoding reads) raises one :class:`RequestError` saying how to save it."""
    save = 'save it as "CSV UTF-8" (Excel) or as UTF-8 text'
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RequestError(field, f"{name} is not UTF-8 text (it is UTF-16); {save}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise RequestError(
                field, f"{name} is not UTF-8 text (byte {exc.start + 1} is not), nor GBK; {save}"
            ) from None


def parse_forecast(text: str, *, name: str = "forecast", field: str = "--forecast") -> Forecast:
    """A forecast from CSV text (an upload, or :func:`read_forecast`'s file).

    Takes what ``planner forecast`` writes (a byte-order mark, hours as ``13:00``, the extra
    columns) and an operator's own counts (hours as ``13``, only the :data:`COLUMNS`). Anything
    else raises one :class:`RequestError` naming ``field``, the file, the row and the fix: no
    rows, a missing column, a date or an hour (0-23) that is not one, a count that is not a
    number 0 or more (``inf``, ``nan``, ``-5``: a queue or load computed from it would be
    nonsense), a row repeating an earlier row's date, place and hour. The places are not checked
    against the catalogue here: :func:`check_places` does that where the two meet.
    """

    def bad(row: int, message: str) -> RequestError:
        return RequestError(field, f"{name} row {row}: {message}")

    try:
        table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    except csv.Error as exc:
        raise RequestError(
            field, f"{name} is not CSV text ({exc}); give the CSV `planner forecast --out` wrote"
        ) from None
    rows = [(k, r) for k, r in enumerate(table, start=1) if any(c.strip() for c in r)]
    if not rows:
        raise RequestError(
            field,
            f"{name} is empty; give a CSV with the columns {', '.join(COLUMNS)} "
            "(as `planner forecast --out` writes)",
        )
    header_no, header = rows[0]
    names = [c.strip().casefold() for c in header]
    for col in COLUMNS:
        if names.count(col) > 1:
            raise bad(header_no, f"the column {col} appears twice in the header; keep one")
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise bad(
            header_no,
            f"no column {', '.join(missing)} in the header ({_clip(','.join(header))}); the "
            f"columns are {', '.join(COLUMNS)}, comma-separated (as `planner forecast` writes "
            "them; others are ignored)",
        )
    if len(rows) == 1:
        raise RequestError(
            field,
            f"{name} has a header but no rows, so no counts; add a row per place and hour "
            "(as `planner forecast --out` writes from a batch of plans)",
        )
    at = {col: names.index(col) for col in COLUMNS}
    cells: dict[tuple[dt.date, str, int], tuple[float, float]] = {}
    first: dict[tuple[dt.date, str, int], int] = {}
    places: dict[str, int] = {}
    for row_no, row in rows[1:]:
        if any(c.strip() for c in row[len(header) :]):
            raise bad(
                row_no,
                f"{len(row)} values for the header's {len(header)} columns; quote a value that "
                'holds a comma ("Jinhai Lake, north gate")',
            )
        short = [c for c in COLUMNS if at[c] >= len(row) or not row[at[c]].strip()]
        if short:
            raise bad(row_no, f"no value for {', '.join(short)}; give every row each of them")
        value = {col: row[at[col]].strip() for col in COLUMNS}
        try:
            day = dt.date.fromisoformat(value["date"])
        except ValueError:
            raise bad(
                row_no, f"date {_clip(value['date'])!r} is not a date; write it as YYYY-MM-DD"
            ) from None
        hour = _HOUR.fullmatch(value["hour"])
        if hour is None or int(hour[1]) > 23:
            raise bad(
                row_no,
                f"hour {_clip(value['hour'])!r} is not an hour of the day; write 0 to 23, as 13 "
                "or 13:00 (for 13:00-14:00)",
            )
        counts: list[float] = []
        for col in ("arrivals", "mean_on_site"):
            try:
                number = float(value[col])
            except ValueError:
                number = math.nan
            if not (math.isfinite(number) and number >= 0):
                raise bad(
                    row_no,
                    f"{col} {_clip(value[col])!r} is not a number of people; write a number 0 "
                    "or more (e.g. 120 or 12.5)",
                )
            counts.append(number)
        poi_id = value["poi_id"]
        key = (day, poi_id, int(hour[1]))
        if key in first:
            raise bad(
                row_no,
                f"repeats row {first[key]} ({day} {key[2]:02d}:00 at {poi_id}); give each date, "
                "place and hour once (add their counts up)",
            )
        first[key] = row_no
        places.setdefault(poi_id, row_no)
        cells[key] = (counts[0], counts[1])
    return Forecast(cells, name=name, rows=places)


def _clip(text: str, limit: int = 40) -> str:
    """``text`` short enough to quote in a one-line message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unknown_places(forecast: Forecast, known_ids: Iterable[str]) -> list[str]:
    """The places ``forecast`` counts that are not among ``known_ids`` (the catalogue's), in the
    order the file first names them: counts the planner would otherwise quietly ignore."""
    unknown = {pid for _, pid, _ in forecast.cells} - set(known_ids)
    return sorted(unknown, key=lambda pid: (forecast.rows.get(pid, 0), pid))


def check_places(
    forecast: Forecast, known_ids: Iterable[str], *, field: str = "--forecast"
) -> None:
    """Refuse a forecast counting a place the catalogue does not know (a mistyped id, or a place
    since removed), whose counts would otherwise be ignored without a word: one
    :class:`RequestError` naming ``field``, the file and row of the first such place, the
    closest ids, and the other unknown places."""
    known = list(known_ids)
    unknown = unknown_places(forecast, known)
    if not unknown:
        return
    head = unknown[0]
    where = f"{forecast.name} row {forecast.rows[head]}" if head in forecast.rows else forecast.name
    more = ""
    if len(unknown) > 1:
        others = ", ".join(repr(p) for p in unknown[1:4]) + (", ..." if len(unknown) > 4 else "")
        more = f"; also unknown: {others}"
    raise RequestError(field, f"{where}: {unknown_id_message(head, known)}{more}")


def _bounded(hour: int, minutes: float) -> float:
    """An expected wait as the day can hold it: at most :data:`MAX_QUEUE_MIN`, and never past
    midnight (a queue joined in ``hour`` ends within the day)."""
    return min(minutes, MAX_QUEUE_MIN, 60.0 * (24 - hour))


def outlook(
    poi: Poi,
    day: dt.date,
    *,
    settings: CrowdSettings,
    day_type: str,
    forecast: Forecast | None = None,
    hours: Iterable[int] = range(7, 19),
) -> Outlook | None:
    """The place's expected crowding on ``day`` over ``hours``; None for a place not visited,
    without a capacity, or closed that day (a ski resort in April has no busy hours)."""
    capacity = capacity_of(poi, settings)
    if capacity is None or capacity.at_once is None:
        return None
    if poi.opening_hours is not None and not open_intervals(poi.opening_hours, day):
        return None
    estimated = "+estimated capacity" if capacity.at_once_estimated else ""
    out: list[HourCrowd] = []
    if forecast is not None and forecast.has(day, poi.id):
        backlog = 0.0
        per_hour = capacity.per_hour or capacity.at_once
        most = per_hour * MAX_QUEUE_MIN / 60.0  # a longer queue turns visitors away
        for h in range(24):  # the queue carries over from earlier hours, never past midnight
            arrivals, on_site = forecast.cells.get((day, poi.id, h), (0.0, 0.0))
            backlog = min(most, max(0.0, backlog + arrivals - per_hour))
            if h in hours:
                load = on_site / capacity.at_once
                wait = _bounded(h, 60.0 * backlog / per_hour)
                out.append(HourCrowd(h, round(load, 3), round(wait, 1), load >= settings.busy_from))
        return Outlook(poi.id, day, f"forecast{estimated}", tuple(out))
    curve = settings.load_by_hour.get(day_type, {})  # type: ignore[call-overload]
    for h in hours:
        load = curve.get(h, 0.0) * poi.popularity
        wait = _bounded(h, settings.gate_minutes_per_overload * max(0.0, load - 1.0))
        out.append(HourCrowd(h, round(load, 3), round(wait, 1), load >= settings.busy_from))
    return Outlook(poi.id, day, f"curve:{day_type}{estimated}", tuple(out))


def day_outlooks(
    pois: Iterable[Poi],
    day: dt.date,
    *,
    settings: CrowdSettings,
    day_type: str,
    forecast: Forecast | None = None,
) -> list[Outlook]:
    """Every visitable place's outlook for ``day``, busiest first (by peak load)."""
    found = [
        o
        for p in pois
        if (o := outlook(p, day, settings=settings, day_type=day_type, forecast=forecast))
    ]

    def peak_load(o: Outlook) -> float:
        peak = o.peak()
        return peak.load if peak is not None else 0.0

    return sorted(found, key=lambda o: (-peak_load(o), o.poi_id))


def report(outlooks: Iterable[Outlook], day: dt.date, day_type: str) -> dict[str, object]:
    """The JSON the CLI (``planner crowds --json``) and the HTTP API (``GET /v1/crowds``) give."""
    return {
        "date": day.isoformat(),
        "day_type": day_type,
        "places": [
            {
                "poi_id": o.poi_id,
                "source": o.source,
                "busy": [f"{a:02d}:00-{b:02d}:00" for a, b in o.busy_spans()],
                "hours": [
                    {"hour": h.hour, "load": h.load, "wait_min": h.wait_min, "busy": h.busy}
                    for h in o.hours
                ],
            }
            for o in outlooks
        ],
    }


@dataclass(frozen=True)
class DayCrowds:
    """The expected crowds a crowd-aware plan is made around: each place's outlook per day.

    One object feeds the problem the solver sees (:func:`planner.plan.build.build_setup`), the
    stops' "why" and the independent checker, so all three read the same figures.
    """

    settings: CrowdSettings
    day_types: Mapping[dt.date, str]
    outlooks: Mapping[tuple[str, dt.date], Outlook]

    def hour(self, poi_id: str, when: dt.datetime) -> HourCrowd | None:
        """The place's expected crowding in the local hour of ``when`` (None: no figures)."""
        found = self.outlooks.get((poi_id, when.date()))
        if found is None:
            return None
        return next((h for h in found.hours if h.hour == when.hour), None)

    def queue_s(self, poi_id: str, join: dt.datetime) -> int:
        """Seconds of queuing at the gate for a visitor joining the queue at ``join``."""
        h = self.hour(poi_id, join)
        return round(h.wait_min * 60) if h is not None else 0

    def value_share(self, poi_id: str, start: dt.datetime) -> float:
        """Share of a visit's value left when it starts at ``start`` (a packed hour: less)."""
        h = self.hour(poi_id, start)
        return self.settings.value_share(h.load) if h is not None else 1.0


def day_crowds(
    pois: Iterable[Poi],
    days: Iterable[dt.date],
    *,
    settings: CrowdSettings,
    day_type: Callable[[dt.date], str],
    forecast: Forecast | None = None,
) -> DayCrowds:
    """The outlooks of ``pois`` on each of ``days``, for a crowd-aware plan."""
    dates = list(days)
    kinds = {d: day_type(d) for d in dates}
    found = {
        (p.id, d): o
        for p in pois
        for d in dates
        if (o := outlook(p, d, settings=settings, day_type=kinds[d], forecast=forecast))
    }
    return DayCrowds(settings=settings, day_types=kinds, outlooks=found)


def crowd_reasons(crowds: DayCrowds, poi_id: str, start: dt.datetime, queue_s: int) -> list[Reason]:
    """Why a crowd-aware stop is when it is: outside the place's busy hours (and how much
    queuing that saves against the peak), or inside them (and the queue to expect). A stop that
    queues a minute or more always says why, busy hours or not: a forecast's arrivals can
    outrun the gate while few are on site at once (the stop shows "+14 min wait"; this says
    where it comes from)."""
    found = crowds.outlooks.get((poi_id, start.date()))
    if found is None:
        return []
    spans = found.busy_spans()
    minutes = round(queue_s / 60)
    join = f"{start - dt.timedelta(seconds=queue_s):%H:%M}"
    if not spans:
        return [reason("why.crowd_queue", minutes=minutes, at=join)] if queue_s >= 60 else []
    busy = ", ".join(f"{a:02d}:00-{b:02d}:00" for a, b in spans)
    here = crowds.hour(poi_id, start)
    if here is not None and here.busy:
        if queue_s < 60:
            return [reason("why.crowd_busy_no_queue", busy=busy, at=f"{start:%H:%M}")]
        return [reason("why.crowd_busy", busy=busy, minutes=minutes)]
    peak = max(h.wait_min for h in found.hours)
    saved = round(peak - queue_s / 60)
    if saved > 0:
        return [reason("why.crowd_avoided", busy=busy, at=f"{start:%H:%M}", minutes=saved)]
    if queue_s >= 60:
        return [reason("why.crowd_outside_queue", busy=busy, at=f"{start:%H:%M}", minutes=minutes)]
    return [reason("why.crowd_outside", busy=busy, at=f"{start:%H:%M}")]
