"""Readable text renderings of an itinerary (terminal and plain text), in either language."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner.i18n.texts import MODE_LABELS, t
from planner.model import Itinerary, Trip
from planner.present.timeline import bus_parts, fmt_duration, leg_line
from planner.present.wording import ticket_text


def stop_count(n: int, lang: str) -> str:
    """``1 stop``, ``3 stops`` / ``3 个景点``."""
    return t("label.one_stop", lang) if n == 1 else t("label.stop_count", lang, n=n)


def render_itinerary(
    it: Itinerary, console: Console, *, lang: str = "en", max_dropped: int = 12
) -> None:
    """Print the day: a timeline of stops and legs, what was left out and why, totals and warnings."""
    zh = lang == "zh"
    req = it.request
    title = f"{req.date.isoformat()}  {req.start_time:%H:%M}-{req.end_time:%H:%M}  ·  {MODE_LABELS[req.mode][lang]}"
    console.print(f"[bold]{t('label.app_title', lang)}[/] — {title}")
    table = Table(show_lines=False, expand=False)
    for col in (
        "#",
        t("label.arrive", lang),
        t("label.visit", lang),
        t("label.leave", lang),
        t("label.place", lang),
        t("label.ticket", lang),
        t("label.why", lang),
    ):
        table.add_column(col)
    table.add_row(
        "",
        "",
        "",
        f"{it.day_start:%H:%M}",
        f"{t('label.start_point', lang)}: {it.start.name_zh if zh else it.start.name_en}",
        "",
        "",
    )
    for k, stop in enumerate(it.stops, 1):
        leg = it.legs[k - 1]
        table.add_row(
            "",
            "",
            "",
            "",
            f"[dim]↓ {leg_line(leg, lang, sep=', ', mode=False)}[/]"
            + "".join(
                f"\n[dim]  {escape(p)}[/]"
                for p in bus_parts(leg, lang, to=stop.name_zh if zh else stop.name_en)
            ),
            "",
            "",
        )
        idle = stop.wait_s - stop.queue_s  # waiting for the opening, or for a shorter queue
        wait = "".join(
            f" (+{fmt_duration(s, lang)} {t(key, lang)})"
            for s, key in ((idle, "label.wait"), (stop.queue_s, "label.queue_short"))
            if s
        )
        ticket = ticket_text(stop.ticket_cny, lang)
        table.add_row(
            str(k),
            f"{stop.arrival:%H:%M}",
            f"{stop.visit_start:%H:%M}{wait}",
            f"{stop.departure:%H:%M}",
            stop.name_zh if zh else stop.name_en,
            ticket,
            "；".join(r.zh for r in stop.why) if zh else "; ".join(r.en for r in stop.why),
        )
    last = it.legs[-1]
    table.add_row(
        "",
        "",
        "",
        "",
        f"[dim]↓ {leg_line(last, lang, sep=', ', mode=False)}[/]"
        + "".join(
            f"\n[dim]  {escape(p)}[/]"
            for p in bus_parts(last, lang, to=it.end.name_zh if zh else it.end.name_en)
        ),
        "",
        "",
    )
    table.add_row(
        "",
        f"{it.day_end:%H:%M}",
        "",
        "",
        f"{t('label.end_point', lang)}: {it.end.name_zh if zh else it.end.name_en}",
        "",
        "",
    )
    console.print(table)
    tot = it.totals
    console.print(
        t(
            "label.totals",
            lang,
            stops=stop_count(tot.stops, lang),
            travel=fmt_duration(tot.travel_s, lang),
            km=f"{tot.distance_m / 1000:.0f}",
            tickets=f"{tot.tickets_cny:g}",
            end=f"{it.day_end:%H:%M}",
        )
    )
    console.print(t("label.provider", lang, provider=it.solver.travel_provider))
    if it.dropped:
        console.print(f"\n[bold]{t('label.left_out', lang)}[/]")
        for d in it.dropped[:max_dropped]:
            console.print(
                f"  - {d.name_zh if zh else d.name_en} ({d.poi_id}): {d.reason.zh if zh else d.reason.en}"
            )
        if len(it.dropped) > max_dropped:
            more = len(it.dropped) - max_dropped
            console.print(f"  … +{more}" + (" 个" if zh else " more (see --json)"))
    for w in it.warnings:
        console.print(f"[yellow]! {w.zh if zh else w.en}[/]")


def render_trip(trip: Trip, console: Console, *, lang: str = "en", max_dropped: int = 12) -> None:
    """Print a trip: each day's timeline, then (for several days) the trip's totals and stay."""
    if len(trip.days) == 1:
        render_itinerary(trip.days[0], console, lang=lang, max_dropped=max_dropped)
        return
    zh = lang == "zh"
    if trip.stay is not None:
        name = trip.stay.name_zh if zh else trip.stay.name_en
        note = t("label.stay_suggested", lang) if trip.stay_suggested else ""
        console.print(f"[bold]{t('label.stay', lang)}:[/] {name} {note}")
    for k, day in enumerate(trip.days, 1):
        console.print(f"\n[bold]{t('label.day', lang, n=k)}[/] · {day.request.date.isoformat()}")
        render_itinerary(day.model_copy(update={"dropped": [], "warnings": []}), console, lang=lang)
    tot = trip.totals
    console.print(
        "\n"
        + t(
            "label.trip_totals",
            lang,
            days=len(trip.days),
            stops=tot.stops,
            travel=fmt_duration(tot.travel_s, lang),
            tickets=f"{tot.tickets_cny:g}",
        )
    )
    if trip.dropped:
        console.print(f"\n[bold]{t('label.left_out', lang)}[/]")
        for d in trip.dropped[:max_dropped]:
            console.print(
                f"  - {d.name_zh if zh else d.name_en} ({d.poi_id}): {d.reason.zh if zh else d.reason.en}"
            )
    for w in trip.warnings:
        console.print(f"[yellow]! {w.zh if zh else w.en}[/]")
