"""The ``planner`` command: a thin shell that parses, calls the core, and presents.

Every user error ends as one line on stderr naming the option and the fix, with exit status 2;
nothing here decides anything about tourism.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from planner.cli._common import RoadsOption, fail, fail_with
from planner.cli.geodata import geodata_app, route_command
from planner.cli.places import apply_command, discover_command, match_command
from planner.cli.service import batch_command, forecast_command, serve_command
from planner.errors import ConfigError, PlannerError, RequestError

app = typer.Typer(
    help="Pinggu Planner: verified day plans for Pinggu District, Beijing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
pois_app = typer.Typer(
    help="List, validate and verify (against OpenStreetMap) the catalogue of places.",
    no_args_is_help=True,
)
app.add_typer(pois_app, name="pois")
pois_app.command("match")(match_command)
pois_app.command("discover")(discover_command)
pois_app.command("apply")(apply_command)
app.add_typer(geodata_app, name="geodata")
app.command("route")(route_command)
app.command("serve")(serve_command)
app.command("batch")(batch_command)
app.command("forecast")(forecast_command)

OPTION_OF_FIELD = {
    "date": "--date",
    "start": "--start",
    "end": "--end",
    "start_time": "--from",
    "end_time": "--to",
    "interests": "--interests",
    "must": "--must",
    "avoid": "--avoid",
    "mode": "--mode",
    "time_limit_s": "--time-limit",
    "seed": "--seed",
    "days": "--days",
    "stay": "--stay",
    "budget_cny": "--budget",
    "pace": "--pace",
    "pins": "--pin",
    "point": "--start/--end",
}


def _default_lang() -> str:
    return "zh" if os.environ.get("LANG", "").lower().startswith("zh") else "en"


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _next_saturday(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


@app.command()
def plan(
    date: Annotated[
        str | None, typer.Option(help="Day of the trip, YYYY-MM-DD (default: next Saturday)")
    ] = None,
    start: Annotated[
        str, typer.Option(help="Place id or name where the day starts")
    ] = "pinggu-bus-station",
    end: Annotated[
        str | None, typer.Option(help="Place id or name where the day ends (default: the start)")
    ] = None,
    from_: Annotated[str, typer.Option("--from", help="Leave at, HH:MM")] = "08:30",
    to: Annotated[str, typer.Option("--to", help="Back by, HH:MM")] = "18:00",
    interests: Annotated[
        str,
        typer.Option(
            help="Comma-separated: blossom,lake,gorge,mountain,hiking,culture,village,farm,picking,food,family,great_wall"
        ),
    ] = "",
    must: Annotated[str, typer.Option(help="Comma-separated place ids or names to visit")] = "",
    avoid: Annotated[str, typer.Option(help="Comma-separated place ids or names to skip")] = "",
    mode: Annotated[str, typer.Option(help="car, bus, bicycle or walk")] = "car",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Solver time budget, seconds")
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same plan)")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the itinerary as JSON (see `planner schema`)")
    ] = False,
    lang: Annotated[str | None, typer.Option(help="en or zh (default: from LANG)")] = None,
    roads: RoadsOption = True,
    days: Annotated[int, typer.Option(help="Number of days, 1-4 (nights at --stay)")] = 1,
    stay: Annotated[
        str | None,
        typer.Option(help="Farm stay for the nights (default: the planner suggests one)"),
    ] = None,
    budget: Annotated[
        float | None, typer.Option(help="Cap on tickets, CNY, for the whole trip")
    ] = None,
    pace: Annotated[str, typer.Option(help="relaxed, normal or packed")] = "normal",
    lunch: Annotated[
        bool, typer.Option("--lunch/--no-lunch", help="Plan lunch (restaurant or picnic)")
    ] = True,
    dinner: Annotated[
        bool, typer.Option("--dinner/--no-dinner", help="Also plan dinner at a farm restaurant")
    ] = False,
    pin: Annotated[
        list[str] | None,
        typer.Option(
            help="Pin a place: ID, ID:POSITION, ID@HH:MM, optionally /DAY (e.g. jinhai-lake@14:00/2); repeatable"
        ),
    ] = None,
    alternatives: Annotated[
        int, typer.Option("--alternatives", help="Show up to N (1-3) clearly different plans")
    ] = 1,
    catalog: Annotated[
        Path | None, typer.Option(help="Catalogue file (default: configs/pois.yaml)")
    ] = None,
    crowds: Annotated[
        bool | None,
        typer.Option(
            "--crowds/--no-crowds",
            help="Plan around crowds: queues at the gate and packed hours (default: on festival days)",
        ),
    ] = None,
    forecast: Annotated[
        Path | None,
        typer.Option(
            help="Crowd forecast CSV (`planner forecast` output) instead of the day-type curve; "
            "the plan goes around it on any day (implies --crowds)"
        ),
    ] = None,
) -> None:
    """Plan a day (or a trip of --days) and print it: stops, times, costs, reasons, what was left out."""
    from planner.model import parse_trip_request
    from planner.plan.planner import Planner

    language = lang or _default_lang()
    if language not in ("en", "zh"):
        fail(f"--lang: {language!r} is not supported; use en or zh")
    raw: dict[str, object] = {
        "date": date or _next_saturday().isoformat(),
        "start": start,
        "end": end,
        "start_time": from_,
        "end_time": to,
        "interests": _split(interests),
        "must": _split(must),
        "avoid": _split(avoid),
        "mode": mode,
        "time_limit_s": time_limit,
        "seed": seed,
        "days": days,
        "stay": stay,
        "budget_cny": budget,
        "pace": pace,
        "lunch": lunch,
        "dinner": dinner,
        "crowds": crowds,
    }
    if forecast is not None and crowds is False:
        fail(
            "--forecast: --no-crowds plans blind to crowds and would ignore it; drop one of the two"
        )
    if forecast is not None and crowds is None:
        raw["crowds"] = True  # a forecast given is a forecast to plan around, festival or not
    try:
        raw["pins"] = [_parse_pin(p) for p in pin or []]
        request = parse_trip_request(raw)
        planner = Planner.from_configs(catalog_path=catalog, use_roads=roads)
        if forecast is not None:
            from planner.plan.crowding import check_places, read_forecast

            planner.forecast = read_forecast(forecast)
            check_places(planner.forecast, planner.catalog.ids)
        request = planner.catalog.with_ids(request)  # --must 金海湖 names a place by its name
        if alternatives != 1:
            options = planner.alternatives(request, count=alternatives)
        else:
            trip = planner.plan_trip(request)
    except RequestError as exc:
        fail_with(exc.problem, OPTION_OF_FIELD | {"count": "--alternatives"})
    except ConfigError as exc:
        fail(str(exc))
    if alternatives != 1:
        if as_json:
            sys.stdout.write(
                json.dumps(
                    [a.model_dump(mode="json") for a in options], ensure_ascii=False, indent=2
                )
                + "\n"
            )
            return
        from planner.cli.report import render_trip

        for k, alt in enumerate(options, 1):
            Console(highlight=False).print(
                f"\n[bold]#{k} {alt.theme.zh if language == 'zh' else alt.theme.en}[/]"
            )
            render_trip(alt.trip, Console(highlight=False), lang=language, max_dropped=0)
        return
    if as_json:  # one day: the Itinerary (schema --model itinerary); several: the Trip
        doc = trip.days[0] if request.days == 1 else trip
        sys.stdout.write(doc.model_dump_json(indent=2) + "\n")
        return
    from planner.cli.report import render_trip

    render_trip(trip, Console(highlight=False), lang=language)


_PIN = re.compile(
    r"^(?P<id>[^:@/]+)(?::(?P<pos>\d+))?(?:@(?P<at>\d{1,2}:\d{2}))?(?:/(?P<day>\d))?$"
)


def _parse_pin(text: str) -> dict[str, object]:
    m = _PIN.match(text.strip())
    if not m:
        raise RequestError(
            "pins",
            f"{text!r} is not ID, ID:POSITION, ID@HH:MM or ID@HH:MM/DAY (e.g. jinhai-lake@14:00/2)",
        )
    out: dict[str, object] = {"poi_id": m["id"]}
    if m["pos"]:
        out["position"] = int(m["pos"])
    if m["at"]:
        out["at"] = m["at"].zfill(5)
    if m["day"]:
        out["day"] = int(m["day"])
    return out


@app.command()
def replan(
    plan_file: Annotated[
        Path, typer.Option("--plan", help="The day's itinerary as JSON (from `plan --json`)")
    ],
    now: Annotated[str, typer.Option(help="Current local time, HH:MM (same date as the plan)")],
    here: Annotated[
        str | None,
        typer.Option(help="Where you are: a place id or lon,lat (default: the last visited place)"),
    ] = None,
    visited: Annotated[str, typer.Option(help="Comma-separated ids already visited")] = "",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the new itinerary as JSON")
    ] = False,
    lang: Annotated[str | None, typer.Option(help="en or zh (default: from LANG)")] = None,
    catalog: Annotated[
        Path | None, typer.Option(help="Catalogue file (default: configs/pois.yaml)")
    ] = None,
) -> None:
    """I'm running late: keep what was visited and re-plan the rest of the day from now and here."""
    from pydantic import ValidationError

    from planner.model import Itinerary
    from planner.plan.planner import Planner

    language = lang or _default_lang()
    try:
        itinerary = Itinerary.model_validate_json(plan_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(
            f"--plan: {plan_file} does not exist; save a plan with `planner plan --json > plan.json`"
        )
    except (ValidationError, ValueError, UnicodeDecodeError):
        fail(f"--plan: {plan_file} is not an itinerary from `planner plan --json`")
    try:
        at = dt.datetime.strptime(now, "%H:%M").time()
    except ValueError:
        fail(f"--now: {now!r} is not a time; use HH:MM")
    try:
        planner = Planner.from_configs(catalog_path=catalog)
        new = planner.replan(
            itinerary,
            now=dt.datetime.combine(itinerary.request.date, at),
            here=here,
            visited=_split(visited),
        )
    except RequestError as exc:
        option = {"now": "--now", "here": "--here", "visited": "--visited", "point": "--here"}
        fail_with(exc.problem, OPTION_OF_FIELD | option)
    except ConfigError as exc:
        fail(str(exc))
    if as_json:
        sys.stdout.write(new.model_dump_json(indent=2) + "\n")
        return
    from planner.cli.report import render_itinerary

    render_itinerary(new, Console(highlight=False), lang=language)


@app.command("crowds")
def crowds_command(
    date: Annotated[str, typer.Option(help="Date, YYYY-MM-DD")],
    forecast: Annotated[
        Path | None,
        typer.Option(help="A forecast CSV (`planner forecast --out`); default: the day's curve"),
    ] = None,
    place: Annotated[str | None, typer.Option(help="Only this place (id or name)")] = None,
    top: Annotated[
        int | None,
        typer.Option(help="How many places to list, busiest first (default: 15; --json: all)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    lang: Annotated[str | None, typer.Option(help="en or zh (default: from LANG)")] = None,
    configs: Annotated[
        Path | None, typer.Option(help="Configs folder (default: the bundled configs/)")
    ] = None,
) -> None:
    """Expected crowding per place and hour on a date: busy hours, load, minutes at the gate."""
    from planner import Planner
    from planner.plan.crowding import check_places, read_forecast, report

    try:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise RequestError("--date", f"{date!r} is not a date; use YYYY-MM-DD") from None
        if top is not None and top < 1:
            raise RequestError("--top", f"{top} places is none; give 1 or more")
        planner = Planner.from_configs(configs, use_roads=False)  # the crowds need no travel times
        counts = read_forecast(forecast) if forecast else None
        if counts is not None:
            check_places(counts, planner.catalog.ids)
        kind, outlooks = planner.crowd_day(day, place=place, forecast=counts)
        if top is not None or not as_json:  # the JSON is GET /v1/crowds's: every place
            outlooks = outlooks[: top or 15]
    except RequestError as exc:
        fail_with(exc.problem, {"place": "--place"})
    except PlannerError as exc:
        fail(str(exc))
    if as_json:
        body = report(outlooks, day, kind)
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    from planner.i18n.texts import DAY_TYPE_LABELS, t
    from planner.present.timeline import fmt_duration

    language = lang or _default_lang()
    table = Table(title=f"{day} ({DAY_TYPE_LABELS.get(kind, {}).get(language, kind)})")
    for key in (
        "label.place",
        "op.crowds_busy",
        "crowds.peak",
        "crowds.gate_wait",
        "crowds.source",
    ):
        table.add_column(t(key, language), overflow="fold")
    for o in outlooks:
        peak, poi = o.peak(), planner.catalog.get(o.poi_id)
        table.add_row(
            f"{poi.name(language)} ({o.poi_id})",
            ", ".join(f"{a:02d}:00-{b:02d}:00" for a, b in o.busy_spans()) or "-",
            t("crowds.peak_at", language, load=f"{peak.load:.0%}", hour=f"{peak.hour:02d}:00")
            if peak
            else "-",
            fmt_duration(round(60 * max(h.wait_min for h in o.hours)), language)
            if o.hours
            else "-",
            o.source,
        )
    Console().print(table)
    Console().print(t("crowds.load_note", language))


def _capacity_text(c: object) -> str:
    """``~5000 / ~2000/h``: at once and per hour, ``~`` marking the category's estimates."""
    from planner.data.crowds import Capacity

    if not isinstance(c, Capacity):
        return "-"

    def one(value: int | None, estimated: bool, unit: str = "") -> str:
        return "?" if value is None else f"{'~' if estimated else ''}{value}{unit}"

    return f"{one(c.at_once, c.at_once_estimated)} / {one(c.per_hour, c.per_hour_estimated, '/h')}"


@pois_app.command("list")
def pois_list(
    category: Annotated[
        str | None, typer.Option(help="Only this category (e.g. blossom, lake, farm)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    catalog: Annotated[
        Path | None, typer.Option(help="Catalogue file (default: configs/pois.yaml)")
    ] = None,
) -> None:
    """List the places in the catalogue."""
    from planner.data.catalog import load_catalog
    from planner.data.crowds import capacity_of, default_crowds_path, load_crowds
    from planner.model import Category

    try:
        cat = load_catalog(catalog)
        if category is not None and category not in {c.value for c in Category}:
            raise RequestError(
                "category",
                f"{category!r} is not a category; use one of {', '.join(c.value for c in Category)}",
            )
    except RequestError as exc:
        fail_with(exc.problem)
    except ConfigError as exc:
        fail(str(exc))
    rows = cat.filter(category=category)
    if as_json:
        sys.stdout.write(
            json.dumps([p.model_dump(mode="json") for p in rows], ensure_ascii=False, indent=2)
            + "\n"
        )
        return
    table = Table()
    # the id is what a user types: never shortened, whatever the terminal's width
    table.add_column("id", no_wrap=True, min_width=max((len(p.id) for p in rows), default=2))
    for col in ("名称", "name", "category", "hours", "min", "CNY", "coords", "capacity"):
        table.add_column(col, overflow="fold")
    crowds = load_crowds(default_crowds_path(catalog.parent if catalog else None))
    for p in rows:
        table.add_row(
            p.id,
            p.name_zh,
            p.name_en,
            p.category.value,
            p.opening_hours or "?",
            str(p.visit_minutes),
            "?" if p.ticket_cny is None else f"{p.ticket_cny:g}",
            p.confidence.value,
            _capacity_text(capacity_of(p, crowds)),
        )
    Console().print(table)
    Console().print(
        f"{len(rows)} places; capacity: at once / per hour, ~ = the category's estimate"
    )


@pois_app.command("validate")
def pois_validate(
    file: Annotated[
        Path | None, typer.Argument(help="Catalogue to check (default: configs/pois.yaml)")
    ] = None,
) -> None:
    """Check a catalogue file and report every problem, each naming the place and the field."""
    from planner.data.catalog import load_catalog
    from planner.data.seasons import load_seasons, zone_problems

    try:
        cat = load_catalog(file)
        seasons_path = file.parent if file is not None else None
        calendar = load_seasons(seasons_path / "seasons.yaml" if seasons_path else None)
        problems = zone_problems(cat, calendar, source=cat.source)
        if problems:
            raise ConfigError(problems, source=cat.source)
    except ConfigError as exc:
        Console(stderr=True, highlight=False).print(str(exc), markup=False)
        raise typer.Exit(1) from None
    low = sum(1 for p in cat if p.confidence.value == "low")
    typer.echo(
        f"{cat.source}: {len(cat)} places, all valid ({low} with estimated coordinates to verify)"
    )


@app.command()
def schema(
    model: Annotated[str, typer.Option(help="itinerary, trip, request or poi")] = "itinerary",
) -> None:
    """Print the JSON Schema of the itinerary (default), the trip request or a place."""
    from pydantic import BaseModel

    from planner.model import Itinerary, Poi, Trip, TripRequest

    models: dict[str, type[BaseModel]] = {
        "itinerary": Itinerary,
        "trip": Trip,
        "request": TripRequest,
        "poi": Poi,
    }
    if model not in models:
        fail(f"--model: {model!r} is not known; use itinerary, trip, request or poi")
    sys.stdout.write(
        json.dumps(models[model].model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    )


@app.command("solve-toptw")
def solve_toptw_cmd(
    file: Annotated[Path, typer.Argument(help="An instance in the literature TOPTW format")],
    routes: Annotated[int, typer.Option(help="Number of routes (days), 1-4")] = 1,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds")] = 1.0,
    distance_rounding: Annotated[
        str | None, typer.Option(help="down1, up2 or exact (default: down1 for c/r/rc, up2 for pr)")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"score": ..., "routes": [[...], ...]}')
    ] = False,
) -> None:
    """Solve a literature TOPTW instance and print its score and routes."""
    from planner.solve.toptw import read_toptw, solve_toptw

    if not 1 <= routes <= 4:
        fail(f"--routes: {routes} is out of range; use 1 to 4")
    if distance_rounding not in (None, "down1", "up2", "exact"):
        fail(f"--distance-rounding: {distance_rounding!r} is not known; use down1, up2 or exact")
    if not 0 < time_limit <= 3600:
        fail(f"--time-limit: {time_limit} must be between 0 and 3600 seconds")
    if not file.is_file():
        fail(f"FILE: {file} does not exist or is not a file; give the path of a TOPTW instance")
    try:
        instance = read_toptw(file, routes=routes, rounding=distance_rounding)  # type: ignore[arg-type]
    except ConfigError as exc:
        fail(str(exc))
    score, found = solve_toptw(instance, time_limit_s=time_limit, seed=seed)
    if as_json:
        sys.stdout.write(json.dumps({"score": score, "routes": found}) + "\n")
        return
    typer.echo(f"{instance.name}: score {score} with {routes} route(s)")
    for k, r in enumerate(found, 1):
        typer.echo(f"  route {k}: {' '.join(map(str, r)) or '(empty)'}")


def main() -> None:
    """Entry point of the ``planner`` console script."""
    try:
        app()
    except PlannerError as exc:  # anything a command did not catch is still one line
        Console(stderr=True, highlight=False).print(f"error: {exc}", markup=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
