"""Batch planning: many trip requests (JSON lines) in, one output line per request, in order.

One pure function, :func:`plan_one`, turns an input line into an output record; the engines only
decide where it runs:

* ``local``: in this process, one request after another;
* ``ray``: as Ray tasks, on a local Ray (``num_cpus`` workers on this machine) or on a Ray
  cluster given its ``address``. Ray is imported only here, so it stays an optional extra
  (``pip install '.[scale]'``).

Input lines are either a trip request (``{"date": ..., "start": ...}``, the body of
``POST /v1/plan``) or an envelope ``{"id": "...", "party_size": 4, "request": {...}}``; blank
lines are skipped. Output lines are::

    {"line": 3, "id": "r3", "party_size": 4, "ok": true, "itinerary": {...}}    # one day
    {"line": 4, "id": "r4", "party_size": 2, "ok": true, "trip": {...}}         # days > 1
    {"line": 5, "id": null, "party_size": 1, "ok": false,
     "error": {"code": "invalid_request", "field": "start", "detail": "start: unknown ..."}}

A failing request is recorded in its line and never aborts the batch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.errors import REQUEST, PlannerError, RequestError, problems_from_validation
from planner.model import parse_trip_request
from planner.plan.crowding import Forecast
from planner.plan.live import PlannerSettings, build_planner
from planner.plan.planner import Planner
from planner.service.balance import BalanceResult, BalanceSettings, balance_lines

Engine = Literal["local", "ray"]
Record = dict[str, Any]
Progress = Callable[[int], None]


class Envelope(BaseModel):
    """An input line that carries an id and a party size around its request."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200)
    party_size: int = Field(default=1, ge=1, le=10_000, description="People travelling together")
    request: dict[str, Any]


class EngineUnavailable(PlannerError):
    """The chosen engine cannot run here (e.g. Ray is not installed)."""

    code = "engine_unavailable"


def batch_planner(settings: PlannerSettings) -> Planner:
    """The planner a batch uses: the same as every other door's, its searches in one process.

    A batch spreads plans over the cores (Ray tasks, or one process per core), so each plan runs
    its seeded searches one after another instead of side by side; the plans are the same as the
    Python API's, the CLI's and the HTTP API's for the same requests.
    """
    return build_planner(
        settings.model_copy(update={"search": replace(settings.search, processes=1)})
    )


# ---------------------------------------------------------------------- one line
def plan_one(line: str, planner: Planner, *, line_no: int | None = None) -> Record:
    """Plan one input line into its output record. Never raises for anything the line holds."""
    record: Record = {"line": line_no, "id": None, "party_size": 1, "ok": False}
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return record | {"error": _error("invalid_json", "line", f"not valid JSON: {exc}")}
    try:
        raw = data
        if isinstance(data, dict) and "request" in data:
            env = Envelope.model_validate(data)
            record |= {"id": env.id, "party_size": env.party_size}
            raw = env.request
        request = parse_trip_request(raw)
        if request.days == 1:
            record |= {"ok": True, "itinerary": planner.plan(request).model_dump(mode="json")}
        else:
            record |= {"ok": True, "trip": planner.plan_trip(request).model_dump(mode="json")}
    except ValidationError as exc:  # the envelope
        problem = problems_from_validation(exc, REQUEST)[0]
        record["error"] = _error("invalid_request", problem.field or "line", str(problem))
    except RequestError as exc:
        record["error"] = _error(exc.code, exc.field, str(exc.problem))
    except PlannerError as exc:
        record["error"] = _error(exc.code, None, str(exc))
    except Exception as exc:  # a bug must not sink the other requests of a festival
        record["error"] = _error("internal_error", None, f"{type(exc).__name__}: {exc}")
    return record


def _error(code: str, field: str | None, detail: str) -> dict[str, Any]:
    return {"code": code, "field": field, "detail": detail}


def read_lines(path: Path) -> list[tuple[int, str]]:
    """``(line number, text)`` of every non-blank line (1-based numbers, as editors show)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RequestError("requests", f"{path} does not exist; give a JSON-lines file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestError("requests", f"{path} cannot be read as UTF-8 text ({exc})") from None
    return [(k, s) for k, s in enumerate(text.splitlines(), 1) if s.strip()]


# ---------------------------------------------------------------------- engines
def run_batch(
    items: Sequence[tuple[int, str]],
    *,
    settings: PlannerSettings | None = None,
    engine: Engine = "local",
    address: str | None = None,
    num_cpus: int | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
    planner: Planner | None = None,
) -> Iterator[Record]:
    """Plan ``items`` (``(line number, text)``) and yield their records **in input order**.

    Parameters
    ----------
    engine
        ``local`` (this process) or ``ray`` (Ray tasks).
    address
        Ray cluster to join (``ray://host:10001`` or ``auto``); default: start a local Ray.
    num_cpus
        CPUs of the local Ray (default: all); ignored with ``address``.
    chunk_size
        Requests per Ray task (default: enough for ~4 tasks per CPU, at most 32).
    progress
        Called with the number of requests just finished.
    planner
        Plan with this planner instead of building one from ``settings``.
    """
    settings = settings or PlannerSettings()
    if engine == "local":
        planner = planner or batch_planner(settings)
        for line_no, text in items:
            yield plan_one(text, planner, line_no=line_no)
            if progress:
                progress(1)
    elif engine == "ray":
        yield from _run_ray(
            items,
            planner=planner or batch_planner(settings),
            address=address,
            num_cpus=num_cpus,
            chunk_size=chunk_size,
            progress=progress,
        )
    else:
        raise RequestError("engine", f"{engine!r} is not an engine; use local or ray")


def _plan_chunk(
    planner: Planner, chunk: list[tuple[int, str]], forecast: Forecast | None = None
) -> list[Record]:
    """A Ray task's work: a few lines, planned one by one (the planner comes from the object store).

    ``forecast`` (balancing's priced counts) is set on this task's copy of the planner: the
    planner's forecast is per-planner state, so it travels with the requests.
    """
    if forecast is not None:
        planner.forecast = forecast
    return [plan_one(text, planner, line_no=line_no) for line_no, text in chunk]


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise EngineUnavailable(
            "--engine ray needs Ray, which is not installed; pip install '.[scale]' "
            "or use --engine local"
        ) from None
    return ray


@contextmanager
def _ray_session(address: str | None, num_cpus: int | None) -> Iterator[Any]:
    """Ray, started for the duration (and shut down after) unless it is already running."""
    ray = _import_ray()
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
        else:  # a local Ray, listening on loopback only
            ray.init(
                num_cpus=num_cpus,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
                _node_ip_address="127.0.0.1",
            )
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


def _ray_records(
    ray: Any,
    planner_ref: Any,
    items: Sequence[tuple[int, str]],
    *,
    chunk_size: int | None,
    progress: Progress | None,
    forecast: Forecast | None = None,
) -> Iterator[Record]:
    """Plan ``items`` as Ray tasks over the planner in the object store; records in input order."""
    if not items:
        return
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    size = chunk_size or max(1, min(32, math.ceil(len(items) / (4 * cpus))))
    chunks = [list(items[k : k + size]) for k in range(0, len(items), size)]
    task = ray.remote(num_cpus=1, max_retries=1)(_plan_chunk)
    forecast_ref = ray.put(forecast)
    futures = {task.remote(planner_ref, c, forecast_ref): k for k, c in enumerate(chunks)}
    yield from _in_order(ray, futures, chunks, progress)


def _run_ray(
    items: Sequence[tuple[int, str]],
    *,
    planner: Planner,
    address: str | None,
    num_cpus: int | None,
    chunk_size: int | None,
    progress: Progress | None,
) -> Iterator[Record]:
    with _ray_session(address, num_cpus) as ray:
        planner_ref = ray.put(planner)
        yield from _ray_records(ray, planner_ref, items, chunk_size=chunk_size, progress=progress)


def _in_order(
    ray: Any,
    futures: dict[Any, int],
    chunks: list[list[tuple[int, str]]],
    progress: Progress | None,
) -> Iterator[Record]:
    """Collect chunk results as they finish; yield them in input order as soon as possible."""
    done: dict[int, list[Record]] = {}
    next_chunk = 0
    pending = list(futures)
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        for ref in ready:
            k = futures[ref]
            try:
                done[k] = ray.get(ref)
            except Exception as exc:  # a worker died: record it on each of its lines
                detail = f"the Ray task failed ({type(exc).__name__}); plan these lines again"
                done[k] = [
                    {
                        "line": line_no,
                        "id": None,
                        "party_size": 1,
                        "ok": False,
                        "error": _error("worker_failed", None, detail),
                    }
                    for line_no, _ in chunks[k]
                ]
            if progress:
                progress(len(chunks[k]))
        while next_chunk in done:
            yield from done.pop(next_chunk)
            next_chunk += 1


def write_records(records: Iterable[Record], out: Path) -> tuple[int, int]:
    """Write records as JSON lines (atomically: a temporary file renamed at the end).

    Returns ``(planned, failed)``.
    """
    ok = failed = 0
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if rec.get("ok"):
                ok += 1
            else:
                failed += 1
    tmp.replace(out)
    return ok, failed


# ---------------------------------------------------------------------- balancing
def run_balanced(
    items: Sequence[tuple[int, str]],
    *,
    settings: PlannerSettings | None = None,
    balance: BalanceSettings | None = None,
    engine: Engine = "local",
    address: str | None = None,
    num_cpus: int | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
    planner: Planner | None = None,
) -> tuple[BalanceResult, list[Record]]:
    """Plan ``items`` and balance them over the district (:mod:`planner.service.balance`).

    The same loop runs on either engine: ``local`` plans each round here; ``ray`` starts (or
    joins) Ray once, puts the planner in the object store once, and ships each round's priced
    forecast with the round's requests. Returns the result and every output record in input
    order. Options as :func:`run_batch`; ``progress`` counts every plan of every round.
    """
    planner = planner or batch_planner(settings or PlannerSettings())
    if engine == "local":

        def plan_local(todo: Sequence[tuple[int, str]], fc: Forecast | None) -> list[Record]:
            saved = planner.forecast
            planner.forecast = fc
            try:
                out = []
                for line_no, text in todo:
                    out.append(plan_one(text, planner, line_no=line_no))
                    if progress:
                        progress(1)
                return out
            finally:
                planner.forecast = saved

        return balance_lines(items, planner=planner, plan_lines=plan_local, settings=balance)
    if engine != "ray":
        raise RequestError("engine", f"{engine!r} is not an engine; use local or ray")
    with _ray_session(address, num_cpus) as ray:
        planner_ref = ray.put(planner)

        def plan_ray(todo: Sequence[tuple[int, str]], fc: Forecast | None) -> list[Record]:
            return list(
                _ray_records(
                    ray, planner_ref, todo, chunk_size=chunk_size, progress=progress, forecast=fc
                )
            )

        return balance_lines(items, planner=planner, plan_lines=plan_ray, settings=balance)
