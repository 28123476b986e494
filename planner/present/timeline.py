"""The day as a visitor lives it: leave, travel, wait, visit (or eat), arrive; what every shell shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from planner.i18n.texts import MODE_LABELS, t
from planner.model import Category, Itinerary, Leg, Mode, Trip

LonLat = tuple[float, float]


Plan = Itinerary | Trip
"""A one-day :class:`Itinerary` or a several-day :class:`Trip`: every export takes either."""


EntryKind = Literal["start", "travel", "wait", "queue", "visit", "meal", "end"]


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the day as a visitor lives it: leave, travel, wait, visit (or eat), arrive.

    ``stop`` is the 1-based number of the stop on the map (visits, meals and waits), ``leg`` the
    0-based index into ``Itinerary.legs`` (travel).
    """

    kind: EntryKind
    start: dt.datetime
    end: dt.datetime
    poi_id: str
    name_zh: str
    name_en: str
    stop: int | None = None
    leg: int | None = None
    distance_m: int = 0
    estimated: bool = False

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


def timeline(it: Itinerary) -> list[TimelineEntry]:
    """The day in order: start, then per stop travel, wait and queue (if any) and visit, then
    travel and end.

    Visits to restaurants are ``meal`` entries. Works for days of any length (several days are
    consecutive stops whose dates differ).
    """
    out: list[TimelineEntry] = [
        TimelineEntry(
            "start", it.day_start, it.day_start, it.start.poi_id, it.start.name_zh, it.start.name_en
        )
    ]
    for k, leg in enumerate(it.legs):
        target = it.stops[k] if k < len(it.stops) else None
        to_zh, to_en = (
            (target.name_zh, target.name_en) if target else (it.end.name_zh, it.end.name_en)
        )
        out.append(
            TimelineEntry(
                "travel",
                leg.depart,
                leg.arrive,
                leg.to_id,
                to_zh,
                to_en,
                leg=k,
                distance_m=leg.distance_m,
                estimated=leg.estimated,
            )
        )
        if target is None:
            continue
        n = k + 1
        join = target.visit_start - dt.timedelta(seconds=target.queue_s)
        if join > target.arrival:  # waiting for opening, or for a shorter queue
            out.append(
                TimelineEntry(
                    "wait",
                    target.arrival,
                    join,
                    target.poi_id,
                    target.name_zh,
                    target.name_en,
                    stop=n,
                )
            )
        if target.queue_s:  # queuing at the gate and car park (crowd-aware plans)
            out.append(
                TimelineEntry(
                    "queue",
                    join,
                    target.visit_start,
                    target.poi_id,
                    target.name_zh,
                    target.name_en,
                    stop=n,
                )
            )
        kind: EntryKind = "meal" if target.category == Category.restaurant else "visit"
        out.append(
            TimelineEntry(
                kind,
                target.visit_start,
                target.departure,
                target.poi_id,
                target.name_zh,
                target.name_en,
                stop=n,
            )
        )
    out.append(
        TimelineEntry("end", it.day_end, it.day_end, it.end.poi_id, it.end.name_zh, it.end.name_en)
    )
    return out


def days_of(plan: Plan) -> list[Itinerary]:
    """The days of a plan, in order (a one-day itinerary is a list of one)."""
    return list(plan.days) if isinstance(plan, Trip) else [plan]


def day_of(it: Itinerary, moment: dt.datetime) -> int:
    """0-based day of the trip that ``moment`` falls on (for a colour per day)."""
    return max(0, (moment.date() - it.day_start.date()).days)


def leg_endpoints(it: Itinerary, k: int) -> tuple[tuple[LonLat, str, str], tuple[LonLat, str, str]]:
    """``((lonlat, name_zh, name_en), (lonlat, name_zh, name_en))`` of leg ``k``'s two ends. A
    picnic is where the visitor is, so it is named by that place (a map app asked to navigate
    from "Picnic lunch break" finds nothing)."""
    pts: list[tuple[LonLat, str, str]] = [
        ((it.start.lon, it.start.lat), it.start.name_zh, it.start.name_en)
    ]
    for s in it.stops:
        here = pts[-1] if s.kind == "picnic" else ((s.lon, s.lat), s.name_zh, s.name_en)
        pts.append(((s.lon, s.lat), here[1], here[2]))
    pts.append(((it.end.lon, it.end.lat), it.end.name_zh, it.end.name_en))
    return pts[k], pts[k + 1]


def fmt_duration(seconds: int, lang: str) -> str:
    """``1 h 05 min`` / ``1小时05分``; minutes alone under an hour."""
    minutes = round(seconds / 60)
    h, m = divmod(minutes, 60)
    if lang == "zh":
        return f"{h}小时{m:02d}分" if h else f"{m}分钟"
    return f"{h} h {m:02d} min" if h else f"{m} min"


def line_zh(line: str) -> str:
    """A line as Chinese says it: ``918`` is 918路, but 丫髻山线 and 郊92路 already say so."""
    return line if line.endswith(("线", "路")) else f"{line}路"


def bus_parts(leg: Leg, lang: str, *, to: str | None = None) -> list[str]:
    """A timetabled bus leg part by part: ``08:49 walk 11 min to Pinggu Market``, ``08:58 wait
    2 min at Pinggu Market``, ``bus 平45 Pinggu Market 09:00 → Jinhai Lake 09:35``; empty for
    any other leg. Every minute between leaving and arriving shows: a wait for a bus is a line
    of its own (a walk's line says when to leave, so no wait is shown before the first walk).
    ``to`` is the leg's end (in ``lang``): the last walk says it walks there."""
    out = []
    zh = lang == "zh"
    here = leg.depart  # where the visitor's time has got to along the leg
    for part in leg.transit:
        if part.kind == "ride":
            board = part.from_name if zh or not part.from_name_en else part.from_name_en
            alight = part.to_name if zh or not part.to_name_en else part.to_name_en
            waited = round((part.depart - here).total_seconds() / 60)
            if waited > 0:
                out.append(
                    t("label.bus_wait", lang, depart=f"{here:%H:%M}", minutes=waited, stop=board)
                )
            out.append(
                t(
                    "label.ride",
                    lang,
                    line=part.line if not zh else line_zh(part.line or ""),
                    board=board,
                    depart=f"{part.depart:%H:%M}",
                    alight=alight,
                    arrive=f"{part.arrive:%H:%M}",
                )
                + (
                    (
                        f"（{t('label.estimated_short', lang)}）"
                        if zh
                        else f" ({t('label.estimated_short', lang)})"
                    )
                    if part.estimated
                    else ""
                )
                + (f" · {t('label.last_bus', lang)}" if part.last else "")
            )
        else:
            minutes = round((part.arrive - part.depart).total_seconds() / 60)
            if minutes > 0:  # a walk of 0 min (the stop is at the place) says nothing
                stop = (part.to_name if zh or not part.to_name_en else part.to_name_en) or to
                key = "label.walk_to_stop" if stop else "label.walk_on"
                out.append(
                    t(key, lang, depart=f"{part.depart:%H:%M}", minutes=minutes, stop=stop or "")
                )
        here = part.arrive
    return out


def leg_time(leg: Leg, lang: str) -> str:
    """A leg's minutes as the visitor spends them: ``34 min`` on the road, and at a relaxed pace
    ``34 min + 15 min unhurried`` (the slack before the next visit), so every minute shows."""
    text = fmt_duration(leg.travel_s, lang)
    if leg.buffer_s > 0:
        text += " + " + t("label.unhurried", lang, duration=fmt_duration(leg.buffer_s, lang))
    return text


def stays_put(leg: Leg) -> bool:
    """Whether a leg goes nowhere: the next stop is at the same point (a picnic by the lake),
    so there is nothing to travel, navigate or catch."""
    return leg.distance_m == 0 and leg.travel_s == 0 and leg.buffer_s == 0 and not leg.transit


def leg_line(leg: Leg, lang: str, *, sep: str = " · ", mode: bool = True) -> str:
    """A leg in one line: ``bus 34 min · 12.3 km`` (with ``mode``), or ``same place`` when it
    :func:`stays_put` (not ``bus 0 min · 0.0 km``)."""
    if stays_put(leg):
        return t("label.same_place", lang)
    walked = bool(leg.transit) and all(p.kind == "walk" for p in leg.transit)  # no bus on it
    head = f"{MODE_LABELS[Mode.walk if walked else leg.mode][lang]} " if mode else ""
    return f"{head}{leg_time(leg, lang)}{sep}{leg.distance_m / 1000:.1f} km"
