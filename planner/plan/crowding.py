"""Expected crowding at a place, hour by hour, for a date: from a forecast, else the day's curve.

Two sources, in this order:

* a **forecast** (the CSV ``planner forecast`` writes from a batch of plans, or an operator's own
  counts in the same columns): per place and local hour, ``mean_on_site`` people over the place's
  comfortable capacity at once gives the load, and ``arrivals`` against what the gate lets in an
  hour gives a queue (a fluid queue: what the gate cannot take in one hour waits into the next);
* the **default curve** of the day's type (festival, holiday, weekend, weekday) in
  ``configs/crowds.yaml``, scaled by the place's popularity; the queue then is
  ``gate_minutes_per_overload`` for each 100 % of load over capacity.

Each hour says its load, the expected minutes of queuing at the gate and car park, and whether it
is busy (load at least ``busy_from``). This is the predictable cost crowd-aware planning is to
schedule around; today the app, the CLI (``planner crowds``) and operators read it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from planner.data.crowds import CrowdSettings, capacity_of
from planner.errors import RequestError
from planner.i18n.texts import reason
from planner.model import Poi, Reason

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


@dataclass(frozen=True)
class Forecast:
    """Counts per (date, place, hour): ``(arrivals, mean_on_site)``."""

    cells: Mapping[tuple[dt.date, str, int], tuple[float, float]]

    def has(self, day: dt.date, poi_id: str) -> bool:
        return any((day, poi_id, h) in self.cells for h in HOURS)


def read_forecast(path: Path | str) -> Forecast:
    """A forecast CSV (``planner forecast --out``: date, hour, poi_id, arrivals, mean_on_site, ...)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RequestError("--forecast", f"{path} does not exist") from None
    return parse_forecast(text, name=path.name)


def parse_forecast(text: str, *, name: str = "forecast", field: str = "--forecast") -> Forecast:
    """A forecast from CSV text (an upload, or :func:`read_forecast`'s file); a bad row raises
    :class:`RequestError` naming ``field``, the row and the columns expected."""
    cells: dict[tuple[dt.date, str, int], tuple[float, float]] = {}
    for row_no, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        try:
            key = (dt.date.fromisoformat(row["date"]), row["poi_id"], int(row["hour"]))
            cells[key] = (float(row["arrivals"]), float(row["mean_on_site"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise RequestError(
                field,
                f"{name} row {row_no}: {exc}; the columns are date, hour, poi_id, "
                "arrivals, mean_on_site (as `planner forecast` writes them)",
            ) from None
    return Forecast(cells)


def outlook(
    poi: Poi,
    day: dt.date,
    *,
    settings: CrowdSettings,
    day_type: str,
    forecast: Forecast | None = None,
    hours: Iterable[int] = range(7, 19),
) -> Outlook | None:
    """The place's expected crowding on ``day`` over ``hours``; None for a place not visited or
    without a capacity."""
    capacity = capacity_of(poi, settings)
    if capacity is None or capacity.at_once is None:
        return None
    estimated = "+estimated capacity" if capacity.at_once_estimated else ""
    out: list[HourCrowd] = []
    if forecast is not None and forecast.has(day, poi.id):
        backlog = 0.0
        per_hour = capacity.per_hour or capacity.at_once
        for h in range(24):  # the queue carries over from earlier hours
            arrivals, on_site = forecast.cells.get((day, poi.id, h), (0.0, 0.0))
            backlog = max(0.0, backlog + arrivals - per_hour)
            if h in hours:
                load = on_site / capacity.at_once
                wait = 60.0 * backlog / per_hour
                out.append(HourCrowd(h, round(load, 3), round(wait, 1), load >= settings.busy_from))
        return Outlook(poi.id, day, f"forecast{estimated}", tuple(out))
    curve = settings.load_by_hour.get(day_type, {})  # type: ignore[call-overload]
    for h in hours:
        load = curve.get(h, 0.0) * poi.popularity
        wait = settings.gate_minutes_per_overload * max(0.0, load - 1.0)
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
    queuing that saves against the peak), or inside them (and the queue to expect)."""
    found = crowds.outlooks.get((poi_id, start.date()))
    if found is None or not found.busy_spans():
        return []
    busy = ", ".join(f"{a:02d}:00-{b:02d}:00" for a, b in found.busy_spans())
    here = crowds.hour(poi_id, start)
    if here is not None and here.busy:
        if queue_s < 60:
            return [reason("why.crowd_busy_no_queue", busy=busy, at=f"{start:%H:%M}")]
        return [reason("why.crowd_busy", busy=busy, minutes=round(queue_s / 60))]
    peak = max(h.wait_min for h in found.hours)
    saved = round(peak - queue_s / 60)
    if saved > 0:
        return [reason("why.crowd_avoided", busy=busy, at=f"{start:%H:%M}", minutes=saved)]
    return [reason("why.crowd_outside", busy=busy, at=f"{start:%H:%M}")]
