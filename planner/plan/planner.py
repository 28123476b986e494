"""The planner: a trip request in, a verified itinerary out.

:class:`Planner` checks a :class:`~planner.model.TripRequest` (:mod:`~planner.plan.checks`),
builds the solver's problem from it (:mod:`~planner.plan.build`), solves it, enforces what the
solver does not model and repairs what a time-limited search may leave on the table
(:mod:`~planner.plan.enforce`), explains every place left out (:mod:`~planner.plan.explain`),
assembles the days (:mod:`~planner.plan.assemble`) and hands every day to the independent
checker before returning it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from planner.data.catalog import Catalog
from planner.data.crowds import CrowdSettings
from planner.data.seasons import SeasonCalendar
from planner.errors import InfeasibleRequest, RequestError
from planner.i18n.texts import reason
from planner.model import (
    Alternative,
    Category,
    Interest,
    Itinerary,
    Mode,
    Poi,
    Trip,
    TripRequest,
)
from planner.plan import checker
from planner.plan.assemble import assemble_days, build_trip
from planner.plan.build import build_setup
from planner.plan.checks import check_ids
from planner.plan.crowding import DayCrowds, Forecast, Outlook, day_crowds, day_outlooks, outlook
from planner.plan.enforce import enforce
from planner.plan.explain import explain_infeasible, left_out
from planner.plan.replan import rest_of_day
from planner.plan.setup import Setup
from planner.solve.solver import DEFAULT_SETTINGS, SearchSettings, solve
from planner.travel.base import TravelTimes
from planner.travel.traffic import Traffic, TrafficSettings
from planner.travel.transit import Feed

MIN_DIFFERENT = 0.5
"""An alternative is kept only if at least this share of its stops are not in an earlier one."""

THEMES: tuple[tuple[str, tuple[Interest, ...]], ...] = (
    ("theme.blossom_first", (Interest.blossom, Interest.farm, Interest.picking, Interest.village)),
    ("theme.lakes_gorges", (Interest.lake, Interest.gorge, Interest.mountain, Interest.hiking)),
    ("theme.farms_villages", (Interest.village, Interest.farm, Interest.food, Interest.culture)),
)
"""The themes alternatives are drawn from: clearly different days in Pinggu."""


class Planner:
    """Plans days in Pinggu over a catalogue, with a travel-time provider.

    Examples
    --------
    >>> from planner import Planner, TripRequest
    >>> planner = Planner.from_configs()
    >>> itinerary = planner.plan(TripRequest(date="2027-04-17", start="pinggu-bus-station"))
    """

    def __init__(
        self,
        catalog: Catalog,
        travel: TravelTimes,
        *,
        seasons: SeasonCalendar,
        traffic: TrafficSettings,
        search: SearchSettings | None = None,
        crowds: CrowdSettings | None = None,
        transit: Feed | None = None,
    ) -> None:
        """A planner over exactly these parts. ``seasons`` and ``traffic`` are required: a planner
        without the operators' season calendar or traffic profiles would plan a festival day as
        any other (pass ``SeasonCalendar()`` and ``TrafficSettings()`` to plan without them on
        purpose). Shells get theirs from :func:`planner.plan.live.build_planner`."""
        self.catalog = catalog
        self.travel = travel
        self.search = search if search is not None else DEFAULT_SETTINGS
        """How the solver searches (e.g. ``SearchSettings(processes=1)`` where another layer,
        such as a Ray batch, already spreads plans over the cores)."""
        self.seasons = seasons
        self.traffic = Traffic(traffic, seasons)
        self.crowds = crowds if crowds is not None else CrowdSettings()
        """Capacities by category and crowding curves (``configs/crowds.yaml``)."""
        self.transit = transit
        """The bus timetable (GTFS, ``configs/transit/``) bus days are planned on; None: a bus
        leg is the travel provider's flat estimate."""
        self.forecast: Forecast | None = None
        """Counts per place and hour that crowd-aware plans use instead of the day type's
        curve (``planner forecast`` output or an operator's own counts), when set."""

    def crowd_outlook(
        self, place: str, day: dt.date, *, forecast: Forecast | None = None
    ) -> Outlook | None:
        """Expected crowding at ``place`` (id or name) on ``day``, hour by hour
        (:mod:`planner.plan.crowding`): from ``forecast``, else the day type's curve."""
        return outlook(
            self.catalog.resolve(place),
            day,
            settings=self.crowds,
            day_type=self.traffic.day_type(day).value,
            forecast=forecast,
        )

    def crowd_day(
        self,
        day: dt.date,
        *,
        place: str | None = None,
        forecast: Forecast | None = None,
        field: str = "place",
    ) -> tuple[str, list[Outlook]]:
        """The day's type and every visitable place's outlook (or ``place``'s), busiest first:
        what ``planner crowds`` and ``GET /v1/crowds`` report (an unknown ``place`` is refused
        naming ``field``, the door's own name for it)."""
        pois = [self.catalog.resolve(place, field=field)] if place else list(self.catalog)
        kind = self.traffic.day_type(day).value
        found = day_outlooks(pois, day, settings=self.crowds, day_type=kind, forecast=forecast)
        if place and not found:
            raise RequestError(
                field,
                f"{pois[0].id!r} is not a place visitors queue at (a start, a hub or a farm stay "
                "has no capacity); name a sight",
            )
        return kind, found

    @classmethod
    def from_configs(
        cls,
        configs_dir: Path | str | None = None,
        *,
        catalog_path: Path | str | None = None,
        use_roads: bool = True,
        network_path: Path | str | None = None,
        check_boundary: bool = True,
        search: SearchSettings | None = None,
    ) -> Planner:
        """A planner over the bundled configs, or over the files in ``configs_dir``.

        Travel times come from the newest road-network artifact (``planner geodata build``) when
        one exists and ``use_roads`` is true, else from the (calibrated, when fitted) estimate.
        The same as every other door: :func:`planner.plan.live.build_planner`.
        """
        from planner.plan.live import PlannerSettings, build_planner

        return build_planner(
            PlannerSettings(
                configs_dir=Path(configs_dir) if configs_dir is not None else None,
                catalog_path=Path(catalog_path) if catalog_path is not None else None,
                use_roads=use_roads,
                network_path=Path(network_path) if network_path is not None else None,
                check_boundary=check_boundary,
                search=search if search is not None else DEFAULT_SETTINGS,
            )
        )

    # ------------------------------------------------------------------ public API
    def plan(self, request: TripRequest) -> Itinerary:
        """Plan one day: a checked itinerary.

        Raises :class:`RequestError` for bad ids (``exc.field`` names the field) and
        :class:`InfeasibleRequest` when the must-visit places cannot all fit. For trips of
        several days use :meth:`plan_trip`.
        """
        if request.days != 1:
            raise RequestError(
                "days", f"plan() plans one day; use plan_trip() for {request.days} days"
            )
        return self.plan_trip(request).days[0]

    def plan_trip(self, request: TripRequest) -> Trip:
        """Plan a trip of ``request.days`` days (nights at ``request.stay`` or a suggested farm stay).

        Places may be named by id or by their Chinese or English name; the trip's request names
        them by id."""
        request = self.catalog.with_ids(request)
        check_ids(self.catalog, request)
        if request.days == 1:
            return self._plan_with_stay(request, None, suggested=False)
        if request.stay is not None:
            stay = self.catalog.resolve(request.stay, field="stay")
            return self._plan_with_stay(request, stay, suggested=False)
        options = [p for p in self.catalog if p.category == Category.lodging]
        if not options:
            raise RequestError(
                "stay", "the catalogue has no farm stay to suggest; give stay=<place id>"
            )
        best: Trip | None = None
        errors: list[InfeasibleRequest] = []
        share = request.model_copy(update={"time_limit_s": request.time_limit_s / len(options)})
        for stay in options:
            try:
                trip = self._plan_with_stay(share, stay, suggested=True)
            except InfeasibleRequest as exc:
                errors.append(exc)
                continue
            if best is None or trip.totals.value > best.totals.value:
                best = trip
        if best is None:
            raise errors[0]
        return best.model_copy(update={"request": request})

    def alternatives(self, request: TripRequest, *, count: int = 3) -> list[Alternative]:
        """Up to ``count`` clearly different good plans, each verified.

        The first is the plan for the request as asked; the others follow the themes in
        :data:`THEMES` (the visitor's own interests kept first), with places already shown counting
        for less, and are kept only when at least half of their stops are new.
        """
        if not 1 <= count <= 3:
            raise RequestError("count", f"{count} alternatives: ask for 1 to 3")
        request = self.catalog.with_ids(request)
        first = self.plan_trip(request)
        out = [Alternative(theme=reason("theme.as_asked"), trip=first)]
        seen = {s.poi_id for d in first.days for s in d.stops}
        for key, interests in THEMES:
            if len(out) >= count:
                break
            if interests[0] in request.interests:
                continue  # the plan as asked already leads with this theme
            themed = request.model_copy(
                update={"interests": list(dict.fromkeys([*request.interests, *interests]))}
            )
            check_ids(self.catalog, themed)
            stay = (
                self.catalog.resolve(request.stay)
                if request.stay
                else (
                    None
                    if request.days == 1 or first.stay is None
                    else self.catalog.get(first.stay.poi_id)
                )
            )
            try:
                trip = self._plan_with_stay(
                    themed, stay, suggested=first.stay_suggested, seen=frozenset(seen)
                )
            except InfeasibleRequest:
                continue
            stops = [s.poi_id for d in trip.days for s in d.stops]
            new = [p for p in stops if p not in seen]
            if stops and len(new) >= MIN_DIFFERENT * len(stops):
                out.append(Alternative(theme=reason(key), trip=trip))
                seen.update(stops)
        return out

    def replan(
        self,
        itinerary: Itinerary,
        *,
        now: dt.datetime,
        here: str | tuple[float, float] | None = None,
        visited: Sequence[str] = (),
    ) -> Itinerary:
        """Re-plan the rest of a day from ``now`` and ``here`` (the "I'm running late" button).

        Places in ``visited`` are kept as done (never planned again); must-visit and pinned places
        not yet visited stay required; the rest of the day is re-optimised from the current time
        and place to the same end point and end time.
        """
        rest, done = rest_of_day(itinerary, self.catalog, now=now, here=here, visited=visited)
        try:
            new = self.plan(rest)
        except InfeasibleRequest as exc:
            if exc.field != "end_time":
                raise
            # the way back no longer fits: a re-plan has no end time to change, only "now"
            where = f"from {rest.start!r} at {rest.start_time:%H:%M}"
            message = (
                f"no bus (or walk) {where} reaches {rest.end!r} by {rest.end_time:%H:%M}: the last "
                "bus back in time has gone; take a taxi, or plan the rest anew with a later end "
                "(planner plan --to)"
                if rest.mode == Mode.bus
                else f"{where}, {rest.end!r} cannot be reached by {rest.end_time:%H:%M} by "
                f"{rest.mode.value}; plan the rest anew with a later end (planner plan --to)"
            )
            text = None
            if rest.mode == Mode.bus:

                def named(pid: str | None) -> dict[str, str] | str:
                    poi = self.catalog.resolve(pid) if pid else None
                    return {"en": poi.name_en, "zh": poi.name_zh} if poi else str(pid)

                text = reason(
                    "error.replan_last_bus",
                    here=named(rest.start),
                    at=f"{rest.start_time:%H:%M}",
                    end=named(rest.end),
                    by=f"{rest.end_time:%H:%M}",
                )
            raise InfeasibleRequest("now", message, text=text) from None
        warnings = new.warnings
        ate = any(
            s.kind in ("meal", "picnic") or any(r.code == "why.lunch_inside" for r in s.why)
            for s in new.stops
        )
        if rest.lunch and not ate and not any(w.code == "warn.no_lunch" for w in warnings):
            # lunch was still to come, but from now on no lunch break fits: say so
            warnings = [*warnings, reason("warn.lunch_missed", to=f"{rest.lunch_to:%H:%M}")]
        return new.model_copy(update={"visited": done, "warnings": warnings})

    def crowd_aware(self, request: TripRequest) -> bool:
        """Whether ``request`` is planned around crowds: as it says, else on festival days."""
        if request.crowds is not None:
            return request.crowds
        return any(
            self.traffic.day_type(request.date + dt.timedelta(days=k)).value == "festival"
            for k in range(request.days)
        )

    def crowds_for(self, request: TripRequest) -> DayCrowds | None:
        """The crowds ``request`` is planned around (None when it is not crowd-aware)."""
        if not self.crowd_aware(request):
            return None
        return day_crowds(
            self.catalog,
            (request.date + dt.timedelta(days=k) for k in range(request.days)),
            settings=self.crowds,
            day_type=lambda d: self.traffic.day_type(d).value,
            forecast=self.forecast,
        )

    # ------------------------------------------------------------------ planning
    def setup(
        self, request: TripRequest, stay: Poi | None = None, *, seen: frozenset[str] = frozenset()
    ) -> Setup:
        """The problem this planner solves for ``request`` (its crowds, its bus timetable), and
        how to time its answer: what :meth:`plan_trip` works on, for tools that re-time plans."""
        return build_setup(
            request,
            stay,
            catalog=self.catalog,
            travel=self.travel,
            seasons=self.seasons,
            traffic=self.traffic,
            seen=seen,
            crowds=self.crowds_for(request),
            transit=self.transit,
        )

    def _plan_with_stay(
        self,
        request: TripRequest,
        stay: Poi | None,
        *,
        suggested: bool,
        seen: frozenset[str] = frozenset(),
    ) -> Trip:
        """Build the problem, solve it, enforce and repair, explain, assemble, check."""
        setup = self.setup(request, stay, seen=seen)
        crowds = setup.crowds
        solution = solve(
            setup.problem,
            time_limit_s=request.time_limit_s,
            seed=request.seed,
            settings=self.search,
        )
        if solution.status == "infeasible":
            raise explain_infeasible(setup)
        routes = enforce(setup, [list(r) for r in solution.routes])
        days = assemble_days(
            setup,
            routes,
            solution,
            dropped=left_out(setup, routes),
            travel=self.travel,
            traffic=self.traffic,
        )
        trip = build_trip(request, days, has_stay=stay is not None, suggested=suggested)
        checker.check_trip(
            trip,
            self.catalog,
            self.travel,
            self.traffic,
            crowds,
            setup.buses.feed if setup.buses else None,
        )
        return trip
