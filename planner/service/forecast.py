"""Festival forecast: expected visitors per place per hour, from a batch of plans.

``planner batch`` plans every request of a festival sample; this module adds up where those
plans put people, hour by hour (local time, Asia/Shanghai), so operators can spot crowding
before the festival. Each record counts ``party_size`` people (default 1), times ``scale`` (how
many real visitors one planned person stands for, e.g. 50 when 1,000 requests sample 50,000
visitors). For each place and hour it reports:

* ``arrivals``: people starting their visit in that hour;
* ``visitors``: people on site at some time in that hour;
* ``mean_on_site``: the average number on site over the hour (person-hours / 1 hour).

The chart is a heatmap (places x hours, one per date) written as self-contained SVG, or as an
HTML page with the heatmaps and a table of the busiest hours; no plotting library is needed.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import RequestError
from planner.model.common import TZ

CSV_COLUMNS = [
    "date",
    "hour",
    "poi_id",
    "name_en",
    "name_zh",
    "arrivals",
    "visitors",
    "mean_on_site",
]


@dataclass(frozen=True)
class Cell:
    """Expected people at one place in one local hour (``hour`` = 9 means 09:00-10:00)."""

    date: dt.date
    hour: int
    poi_id: str
    name_en: str
    name_zh: str
    arrivals: float
    visitors: float
    mean_on_site: float


@dataclass
class Forecast:
    """Every non-empty cell, sorted by date, place, hour; and what the batch held."""

    cells: list[Cell]
    plans: int = 0
    """Records planned successfully."""
    failed: int = 0
    """Records that failed to plan (not counted)."""
    people: float = 0.0
    """People the successful plans stand for (party sizes x scale)."""
    names: dict[str, tuple[str, str]] = field(default_factory=dict)

    def busiest(self, n: int = 10) -> list[Cell]:
        """The ``n`` fullest place-hours, by visitors then mean on site."""
        return sorted(self.cells, key=lambda c: (-c.visitors, -c.mean_on_site, c.date, c.hour))[:n]


# ---------------------------------------------------------------------- aggregation
def read_plans(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a ``planner batch`` output file (JSON lines)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RequestError(
            "plans", f"{path} does not exist; give the output of planner batch"
        ) from None
    for k, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RequestError(
                "plans",
                f"{path.name} line {k}: not valid JSON ({exc}); is it a planner batch output?",
            ) from None
        if not isinstance(rec, dict) or "ok" not in rec:
            raise RequestError(
                "plans", f"{path.name} line {k}: not a planner batch record (no 'ok' key)"
            )
        yield rec


def _days(rec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if rec.get("itinerary"):
        return [rec["itinerary"]]
    if rec.get("trip"):
        return list(rec["trip"].get("days") or [])
    return []


def forecast(records: Iterable[Mapping[str, Any]], *, scale: float = 1.0) -> Forecast:
    """Aggregate batch records into expected visitors per place per local hour."""
    if not scale > 0:
        raise RequestError("scale", f"{scale} must be more than 0 (visitors per planned person)")
    arrivals: dict[tuple[dt.date, int, str], float] = defaultdict(float)
    visitors: dict[tuple[dt.date, int, str], float] = defaultdict(float)
    seconds: dict[tuple[dt.date, int, str], float] = defaultdict(float)
    out = Forecast(cells=[])
    for rec in records:
        if not rec.get("ok"):
            out.failed += 1
            continue
        out.plans += 1
        people = float(rec.get("party_size") or 1) * scale
        out.people += people
        for day in _days(rec):
            for stop in day.get("stops") or []:
                if stop.get("kind") == "picnic":
                    continue  # a picnic is a break on the way, not a place people crowd
                pid = stop["poi_id"]
                out.names[pid] = (stop.get("name_en", pid), stop.get("name_zh", pid))
                begin = _local(stop["visit_start"])
                end = _local(stop["departure"])
                arrivals[(begin.date(), begin.hour, pid)] += people
                for slot, overlap_s in _hour_slots(begin, end):
                    key = (slot.date(), slot.hour, pid)
                    visitors[key] += people
                    seconds[key] += people * overlap_s
    keys = sorted(set(visitors) | set(arrivals), key=lambda k: (k[0], k[2], k[1]))
    out.cells = [
        Cell(
            date=d,
            hour=h,
            poi_id=pid,
            name_en=out.names[pid][0],
            name_zh=out.names[pid][1],
            arrivals=round(arrivals.get((d, h, pid), 0.0), 3),
            visitors=round(visitors.get((d, h, pid), 0.0), 3),
            mean_on_site=round(seconds.get((d, h, pid), 0.0) / 3600, 3),
        )
        for d, h, pid in keys
    ]
    return out


def _local(text: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(text)
    return t.astimezone(TZ) if t.tzinfo else t.replace(tzinfo=TZ)


def _hour_slots(begin: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, float]]:
    """Each local hour that ``[begin, end)`` touches, with the seconds spent in it."""
    slot = begin.replace(minute=0, second=0, microsecond=0)
    if end <= begin:
        yield slot, 0.0
        return
    while slot < end:
        nxt = slot + dt.timedelta(hours=1)
        yield slot, (min(end, nxt) - max(begin, slot)).total_seconds()
        slot = nxt


# ---------------------------------------------------------------------- output
def write_csv(fc: Forecast, path: Path) -> None:
    """One row per place and hour with anyone there (UTF-8 with BOM, so Excel shows 中文)."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for c in fc.cells:
            w.writerow(
                [
                    c.date.isoformat(),
                    f"{c.hour:02d}:00",
                    c.poi_id,
                    c.name_en,
                    c.name_zh,
                    _num(c.arrivals),
                    _num(c.visitors),
                    _num(c.mean_on_site),
                ]
            )


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


_CELL_W, _CELL_H, _LABEL_W, _TOP = 44, 22, 330, 56


def render_svg(fc: Forecast, *, day: dt.date | None = None) -> str:
    """A heatmap of visitors (places x hours) for ``day`` (default: the busiest date)."""
    if not fc.cells:
        return _svg(360, 60, ['<text x="10" y="35">No visits in these plans.</text>'])
    dates = sorted({c.date for c in fc.cells})
    if day is None:
        day = max(dates, key=lambda d: sum(c.visitors for c in fc.cells if c.date == d))
    cells = [c for c in fc.cells if c.date == day]
    hours = list(range(min(c.hour for c in cells), max(c.hour for c in cells) + 1))
    peak_of: dict[str, float] = defaultdict(float)
    for c in cells:
        peak_of[c.poi_id] = max(peak_of[c.poi_id], c.visitors)
    places = sorted(peak_of, key=lambda p: (-peak_of[p], p))
    top = max(peak_of.values()) or 1.0
    at = {(c.poi_id, c.hour): c for c in cells}
    width = _LABEL_W + _CELL_W * len(hours) + 20
    height = _TOP + _CELL_H * len(places) + 40
    parts = [
        f'<text x="10" y="22" font-size="15" font-weight="bold">Expected visitors per hour, '
        f"{day.isoformat()} (peak {_num(top)})</text>",
        '<text x="10" y="40" font-size="11" fill="#555">people on site at some time in the hour; '
        "darker is busier</text>",
    ]
    for j, h in enumerate(hours):
        x = _LABEL_W + j * _CELL_W + _CELL_W / 2
        parts.append(
            f'<text x="{x:.0f}" y="{_TOP - 4}" font-size="11" text-anchor="middle">{h:02d}</text>'
        )
    for i, pid in enumerate(places):
        y = _TOP + i * _CELL_H
        name_en, name_zh = fc.names.get(pid, (pid, pid))
        label = html.escape(_clip(f"{name_zh} {name_en}", 40))  # clip first: never cut an entity
        parts.append(
            f'<text x="{_LABEL_W - 6}" y="{y + 15}" font-size="11" text-anchor="end">{label}</text>'
        )
        for j, h in enumerate(hours):
            cell = at.get((pid, h))
            v = cell.visitors if cell else 0.0
            x = _LABEL_W + j * _CELL_W
            tip = f"{name_en} {h:02d}:00-{h + 1:02d}:00: {_num(v)} visitors"
            if cell:
                tip += f", {_num(cell.arrivals)} arriving, {_num(cell.mean_on_site)} on site on average"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{_CELL_W - 2}" height="{_CELL_H - 2}" '
                f'fill="{_colour(v / top)}"><title>{html.escape(tip)}</title></rect>'
            )
            if v:
                ink = "#fff" if v / top > 0.55 else "#222"
                parts.append(
                    f'<text x="{x + _CELL_W / 2 - 1:.0f}" y="{y + 15}" font-size="10" '
                    f'text-anchor="middle" fill="{ink}">{_num(round(v))}</text>'
                )
    parts.append(
        f'<text x="10" y="{height - 12}" font-size="10" fill="#555">{fc.plans} plans, '
        f"{_num(fc.people)} people, {fc.failed} failed requests not counted</text>"
    )
    return _svg(width, height, parts)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: float, height: float, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif">'
        f'<rect width="100%" height="100%" fill="#fff"/>' + "".join(parts) + "</svg>\n"
    )


def _colour(share: float) -> str:
    """White through orange to dark red: a sequential scale readable in print."""
    share = min(1.0, max(0.0, share))
    if share == 0:
        return "#f4f4f4"
    stops = [(1.0, (255, 245, 235)), (0.5, (253, 141, 60)), (0.0, (127, 39, 4))]
    hi, lo = (stops[0], stops[1]) if share <= 0.5 else (stops[1], stops[2])
    t = (share - (1 - hi[0])) / (hi[0] - lo[0]) if hi[0] != lo[0] else 0
    t = min(1.0, max(0.0, t))
    rgb = [round(a + (b - a) * t) for a, b in zip(hi[1], lo[1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def render_html(fc: Forecast, *, top: int = 10) -> str:
    """A self-contained page: the busiest hours as a table, then one heatmap per date."""
    rows = "".join(
        f"<tr><td>{c.date}</td><td>{c.hour:02d}:00</td><td>{html.escape(c.name_zh)} "
        f"{html.escape(c.name_en)}</td><td>{_num(c.visitors)}</td><td>{_num(c.arrivals)}</td>"
        f"<td>{_num(c.mean_on_site)}</td></tr>"
        for c in fc.busiest(top)
    )
    maps = "".join(
        f"<section>{render_svg(fc, day=d)}</section>" for d in sorted({c.date for c in fc.cells})
    ) or render_svg(fc)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Pinggu festival forecast</title><style>body{font-family:sans-serif;margin:24px}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:right;white-space:nowrap}td:nth-child(3),th:nth-child(3){text-align:left}section{margin:24px 0}</style></head>"
        f"<body><h1>Festival forecast</h1><p>{fc.plans} plans ({_num(fc.people)} people); "
        f"{fc.failed} failed requests not counted. Hours are local time (Asia/Shanghai).</p>"
        f"<h2>Busiest hours</h2><table><tr><th>date</th><th>hour</th><th>place</th>"
        f"<th>visitors</th><th>arrivals</th><th>mean on site</th></tr>{rows}</table>"
        f"<h2>Visitors per place and hour</h2>{maps}</body></html>\n"
    )


def write_chart(fc: Forecast, path: Path) -> None:
    """The chart as ``.svg`` (the busiest date) or ``.html`` (every date, and a table)."""
    text = render_svg(fc) if path.suffix.lower() == ".svg" else render_html(fc)
    path.write_text(text, encoding="utf-8")
