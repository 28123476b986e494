"""What a place is worth to one visitor on one day: interests x popularity x season.

The value is the solver's prize for visiting the place (an optional node's penalty when skipped),
and every factor that went into it is kept as a bilingual reason, so the itinerary can say why a
place was chosen, or why it was not considered at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from planner.data.seasons import SeasonCalendar
from planner.i18n.texts import INTEREST_LABELS, SEASON_LABELS, label_list, reason
from planner.model import Poi, Reason, Season, TripRequest

BASE_VALUE = 100.0
"""Value of a place of popularity 1.0 that matches the visitor's interests, in season."""
MATCH_BONUS = 0.25
"""Extra share of value per additional interest matched (a lake that is also family-friendly)."""
NO_MATCH_FACTOR = 0.2
"""A place matching none of the visitor's interests still counts a little: worth a stop on the way."""
SEASON_MATTERS = 0.5
"""A place keeping at most this share of its value out of season is worth visiting for its season:
left out off season, that is the reason given."""
POPULAR = 0.85
"""Popularity from which a place is called one of Pinggu's most popular sights."""


@dataclass(frozen=True)
class Valuation:
    """The value of a place for a request, with the reasons behind it."""

    value: float
    why: list[Reason] = field(default_factory=list)
    excluded: Reason | None = None
    """Set when the place cannot be part of this plan at all (avoided, pointless out of season)."""
    off_season: Reason | None = None
    """Set when the place is worth less because its season is not on: the true reason for
    leaving it out when time or value would otherwise be blamed."""


def value_poi(poi: Poi, request: TripRequest, calendar: SeasonCalendar | None = None) -> Valuation:
    """Value ``poi`` for ``request`` (see the module constants for the scale).

    Seasons that name a zone take that zone's window for the trip's year from ``calendar``
    (``configs/seasons.yaml``); a place is in season when any day of the trip is.
    """
    day = request.date
    days = [day + dt.timedelta(days=k) for k in range(request.days)]
    cal = calendar if calendar is not None else SeasonCalendar()
    if poi.id in request.avoid:
        return Valuation(0.0, excluded=reason("out.avoided"))
    why: list[Reason] = []
    must = poi.id in request.must
    if must:
        why.append(reason("why.must"))

    factor = 1.0
    if request.interests:
        matched = [i for i in request.interests if i in poi.interests]
        if matched:
            factor = 1.0 + MATCH_BONUS * (len(matched) - 1)
            why.append(reason("why.interests", interests=label_list(INTEREST_LABELS, matched)))
        else:
            factor = NO_MATCH_FACTOR

    seasonal = [s for s in poi.seasons if s.kind in ("bloom", "picking", "festival")]
    active = [s for s in seasonal if any(cal.contains(s, d) for d in days)]
    if active:
        why.append(
            reason("why.in_season", season=label_list(SEASON_LABELS, [active[0].kind.value]))
        )
        if any(cal.festival(d) for d in days) and active[0].kind.value in ("bloom", "festival"):
            why.append(reason("why.festival"))
    off_season: Reason | None = None
    if seasonal and not active:
        factor *= poi.off_season_value
        seasons = {
            lang: ("；" if lang == "zh" else "; ").join(
                f"{label_list(SEASON_LABELS, [s.kind.value])[lang]} {_span(s, cal, day.year, lang)}"
                for s in seasonal
            )
            for lang in ("en", "zh")
        }
        if poi.off_season_value == 0 and not must:
            return Valuation(
                0.0, excluded=reason("out.out_of_season", date=day.isoformat(), seasons=seasons)
            )
        if poi.off_season_value <= SEASON_MATTERS:
            off_season = reason("out.off_season", date=day.isoformat(), seasons=seasons)

    if poi.popularity >= POPULAR:
        why.append(reason("why.popular"))
    if not why:
        why.append(reason("why.fits"))
    return Valuation(BASE_VALUE * poi.popularity * factor, why=why, off_season=off_season)


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _span(season: Season, cal: SeasonCalendar, year: int, lang: str) -> str:
    """When a season runs, as a visitor reads it: ``about 10-26 Apr`` / ``约4月10日至26日``."""
    if season.zone is not None and season.zone in cal.zones:
        w = cal.window(season.zone, year)
        start, end = w.start, w.end
    elif season.start is not None and season.end is not None:
        start, end = season.start, season.end
    else:
        return ""
    (m1, d1), (m2, d2) = (tuple(int(x) for x in md.split("-")) for md in (start, end))
    if lang == "zh":
        return f"约{m1}月{d1}日至{d2}日" if m1 == m2 else f"约{m1}月{d1}日至{m2}月{d2}日"
    a, b = _MONTHS_EN[m1 - 1], _MONTHS_EN[m2 - 1]
    return f"about {d1}-{d2} {a}" if m1 == m2 else f"about {d1} {a}-{d2} {b}"
