"""``planner serve``, ``planner batch`` and ``planner forecast``: thin shells over
:mod:`planner.service.api`, :mod:`planner.service.batch` and :mod:`planner.service.forecast`.

Register them on the main app (``planner/cli/main.py``)::

    from planner.cli.service import batch_command, forecast_command, serve_command

    app.command("serve")(serve_command)
    app.command("batch")(batch_command)
    app.command("forecast")(forecast_command)

They also run stand-alone: ``python -m planner.cli.service serve --port 8000``. A user error is
one line on stderr naming the option, with exit status 2.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from planner.cli._common import ConfigsOption, RoadsOption, fail
from planner.errors import ConfigError, PlannerError, RequestError, problems_from_validation

_OPTION_OF_SETTING = {
    "configs_dir": "--configs",
    "catalog_path": "--catalog",
    "cors_origins": "--cors-origin",
    "max_body_bytes": "--max-body-bytes",
    "max_solver_seconds": "--max-solver-seconds",
    "api_key_env": "--api-key-env",
}


def _dir_option(path: Path | None, option: str) -> None:
    if path is not None and not path.is_dir():
        fail(
            f"{option}: {path} is not a folder; give the folder that holds pois.yaml and travel.yaml"
        )


def _file_option(path: Path | None, option: str, what: str) -> None:
    if path is not None and not path.is_file():
        fail(f"{option}: {path} does not exist or is not a file; give {what}")


# ---------------------------------------------------------------------- serve
def serve_command(
    host: Annotated[
        str, typer.Option(help="Interface to listen on; 0.0.0.0 only behind a firewall or proxy")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (each plans independently; ~1 per core)")
    ] = 1,
    configs: ConfigsOption = None,
    catalog: Annotated[
        Path | None, typer.Option(help="Catalogue file (default: pois.yaml in --configs)")
    ] = None,
    roads: RoadsOption = True,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="Origin allowed by CORS; repeat for several, '*' for any"),
    ] = None,
    max_body_bytes: Annotated[int, typer.Option(help="Largest request body, bytes")] = 256 * 1024,
    max_solver_seconds: Annotated[
        float, typer.Option(help="Largest time_limit_s a request may ask for, seconds")
    ] = 5.0,
    api_key_env: Annotated[
        str, typer.Option(help="Environment variable holding the operator API key")
    ] = "PINGGU_API_KEY",
    log_level: Annotated[
        str, typer.Option(help="critical, error, warning, info or debug")
    ] = "info",
) -> None:
    """Serve the HTTP API (FastAPI on uvicorn): /v1/plan, /v1/pois, ... and /docs."""
    from pydantic import ValidationError

    from planner.service.api import ApiSettings

    if not 1 <= port <= 65535:
        fail(f"--port: {port} is not a TCP port; use 1 to 65535")
    if not 1 <= workers <= 64:
        fail(f"--workers: {workers} is out of range; use 1 to 64 (about one per CPU core)")
    if log_level not in ("critical", "error", "warning", "info", "debug"):
        fail(
            f"--log-level: {log_level!r} is not known; use critical, error, warning, info or debug"
        )
    _dir_option(configs, "--configs")
    _file_option(catalog, "--catalog", "a catalogue such as configs/pois.yaml")
    try:
        settings = ApiSettings(
            configs_dir=configs,
            catalog_path=catalog,
            use_roads=roads,
            cors_origins=list(cors_origin or []),
            max_body_bytes=max_body_bytes,
            max_solver_seconds=max_solver_seconds,
            api_key_env=api_key_env,
        )
    except ValidationError as exc:
        problem = problems_from_validation(exc, "settings")[0]
        name = (problem.field or "settings").split(".")[0]
        fail(f"{_OPTION_OF_SETTING.get(name, '--' + name.replace('_', '-'))}: {problem.message}")
    try:  # fail here, once, rather than in every worker
        from planner.plan.live import build_planner

        build_planner(settings.planner_settings())
    except ConfigError as exc:
        fail(f"{'--catalog' if catalog else '--configs'}: {exc}")
    if settings.resolved_api_key() is None:
        Console(stderr=True).print(
            f"note: {api_key_env} is not set, so PUT and DELETE /v1/pois are disabled (403)"
        )
    import uvicorn

    os.environ.update(settings.to_env())  # the workers build their app from these
    uvicorn.run(
        "planner.service.api:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
    )


# ---------------------------------------------------------------------- batch
def batch_command(
    requests: Annotated[
        Path,
        typer.Argument(help="JSON lines: one trip request (or {id, party_size, request}) each"),
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the plans (JSON lines)")],
    engine: Annotated[str, typer.Option(help="local (this process) or ray (Ray tasks)")] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster address (ray://host:10001 or auto); default: a local Ray"),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="CPUs of the local Ray (default: all); not with --address")
    ] = None,
    chunk_size: Annotated[int | None, typer.Option(help="Requests per Ray task")] = None,
    configs: ConfigsOption = None,
    catalog: Annotated[
        Path | None, typer.Option(help="Catalogue file (default: pois.yaml in --configs)")
    ] = None,
    roads: RoadsOption = True,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar")] = True,
    balance: Annotated[
        bool,
        typer.Option(
            "--balance",
            help="Spread the visitors: re-plan those in over-capacity place-hours until loads "
            "settle (each plan stays checked)",
        ),
    ] = False,
    rounds: Annotated[
        int | None, typer.Option(help="With --balance: rounds of re-planning at most [default: 8]")
    ] = None,
    scale: Annotated[
        float | None,
        typer.Option(help="With --balance: real visitors per planned person [default: 1]"),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="With --balance: HTML report with the load before and after"),
    ] = None,
    max_loss: Annotated[
        float | None,
        typer.Option(
            help="With --balance: the most of a visitor's own value a re-plan may cost, as a "
            "share (0.1 = 10 %) [default: 0.25]"
        ),
    ] = None,
) -> None:
    """Plan many requests in parallel; one output line per request, in input order.

    A request that fails is recorded in its line ("ok": false, with the error) and never stops
    the batch. With --balance the district's load per place and hour is balanced against the
    places' capacities (planner/service/balance.py) and the cost to visitors is reported.
    """
    from planner.plan.live import PlannerSettings
    from planner.service.batch import read_lines, run_batch, write_records

    if engine not in ("local", "ray"):
        fail(f"--engine: {engine!r} is not an engine; use local or ray")
    if engine == "local" and (address or workers):
        fail(f"{'--address' if address else '--workers'}: only with --engine ray")
    if workers is not None and (workers < 1 or address):
        fail(
            f"--workers: {workers} {'must be at least 1' if workers < 1 else 'is not used with --address'}"
        )
    if chunk_size is not None and chunk_size < 1:
        fail(f"--chunk-size: {chunk_size} must be at least 1")
    _balance_options(balance, rounds, scale, report, max_loss)
    if not requests.is_file():
        fail(f"REQUESTS: {requests} does not exist or is not a file; give a JSON-lines file")
    if not out.parent.is_dir():
        fail(f"--out: the folder {out.parent} does not exist")
    _dir_option(configs, "--configs")
    _file_option(catalog, "--catalog", "a catalogue such as configs/pois.yaml")
    if engine == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            fail("--engine: ray is not installed; pip install '.[scale]' or use --engine local")
    try:
        items = read_lines(requests)
    except RequestError as exc:
        fail(f"REQUESTS: {exc.problem.message}")
    settings = PlannerSettings(configs_dir=configs, catalog_path=catalog, use_roads=roads)
    began = time.perf_counter()
    try:
        from contextlib import nullcontext

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        if balance:
            with bar if progress else nullcontext():
                task = bar.add_task(f"balancing ({engine})", total=None) if progress else None
                _run_balance(
                    items,
                    settings=settings,
                    engine=engine,
                    address=address,
                    num_cpus=workers,
                    chunk_size=chunk_size,
                    progress=(lambda n: bar.advance(task, n)) if task is not None else None,
                    out=out,
                    rounds=rounds,
                    scale=scale,
                    max_loss=max_loss,
                    report=report,
                    began=began,
                )
            return
        with bar if progress else nullcontext():
            task = bar.add_task(f"planning ({engine})", total=len(items)) if progress else None
            records = run_batch(
                items,
                settings=settings,
                engine=engine,  # type: ignore[arg-type]
                address=address,
                num_cpus=workers,
                chunk_size=chunk_size,
                progress=(lambda n: bar.advance(task, n)) if task is not None else None,
            )
            ok, failed = write_records(records, out)
    except ConfigError as exc:
        fail(f"{'--catalog' if catalog else '--configs'}: {exc}")
    except PlannerError as exc:
        fail(str(exc))
    seconds = time.perf_counter() - began
    note = f' ({failed} failed: see their "error" in {out})' if failed else ""
    typer.echo(
        f"planned {ok} of {ok + failed} requests{note} in {seconds:.1f} s with {engine}; wrote {out}"
    )


def _balance_options(
    balance: bool,
    rounds: int | None,
    scale: float | None,
    report: Path | None,
    max_loss: float | None = None,
) -> None:
    """Refuse --balance's options without it, and bad values, naming the option."""
    if not balance:
        given = (("--rounds", rounds), ("--scale", scale), ("--report", report))
        for option, value in (*given, ("--max-loss", max_loss)):
            if value is not None:
                fail(f"{option}: only with --balance (add --balance to spread the visitors)")
        return
    if rounds is not None and not 1 <= rounds <= 100:
        fail(f"--rounds: {rounds} is out of range; use 1 to 100")
    if scale is not None and not 0 < scale <= 100_000:
        fail(f"--scale: {scale} must be more than 0 (real visitors per planned person)")
    if max_loss is not None and not 0 <= max_loss <= 1:
        fail(f"--max-loss: {max_loss} is a share of the visitor's value: use 0 to 1 (0.1 = 10 %)")
    if report is not None:
        if report.suffix.lower() not in (".html", ".htm"):
            fail(f"--report: {report.name} must end in .html")
        if not report.parent.is_dir():
            fail(f"--report: the folder {report.parent} does not exist")


def _run_balance(
    items: list[tuple[int, str]],
    *,
    settings: Any,
    engine: str,
    address: str | None,
    num_cpus: int | None,
    chunk_size: int | None,
    progress: Any,
    out: Path,
    rounds: int | None,
    scale: float | None,
    report: Path | None,
    began: float,
    max_loss: float | None = None,
) -> None:
    """Balance, write the plans and the report, print the load table and the cost."""
    from planner.service.balance import BalanceSettings, busiest, cost_lines, render_report
    from planner.service.batch import run_balanced, write_records

    cfg = BalanceSettings(
        **({"max_rounds": rounds} if rounds is not None else {}),
        **({"scale": scale} if scale is not None else {}),
        **({"max_loss": max_loss} if max_loss is not None else {}),
    )
    result, records = run_balanced(
        items,
        settings=settings,
        balance=cfg,
        engine=engine,  # type: ignore[arg-type]
        address=address,
        num_cpus=num_cpus,
        chunk_size=chunk_size,
        progress=progress,
    )
    ok, failed = write_records(records, out)
    seconds = time.perf_counter() - began
    note = f' ({failed} failed: see their "error" in {out})' if failed else ""
    typer.echo(
        f"balanced {ok} of {ok + failed} requests{note} in {seconds:.1f} s with {engine}; "
        f"wrote {out}"
    )
    rows = busiest(result, 10)
    if rows:
        typer.echo("busiest place-hours (visitors on site / capacity), blind -> balanced:")
    for r in rows:
        day, pid, hour = r.key
        typer.echo(
            f"  {day} {hour:02d}:00  {pid:<28} {r.before:>9,.0f} ({r.before / r.capacity:>4.0%})"
            f" -> {r.after:>9,.0f} ({r.after / r.capacity:>4.0%})  of {r.capacity:,.0f}"
        )
    for line in cost_lines(result):
        typer.echo(line)
    if report is not None:
        report.write_text(render_report(result, records, scale=cfg.scale), encoding="utf-8")
        typer.echo(f"wrote {report}")


# ---------------------------------------------------------------------- forecast
def forecast_command(
    plans: Annotated[Path, typer.Argument(help="Output of planner batch (JSON lines)")],
    out: Annotated[Path, typer.Option("--out", help="CSV: date, hour, place, visitors")] = Path(
        "forecast.csv"
    ),
    chart: Annotated[
        Path | None,
        typer.Option(
            help="Heatmap: .html (every date, busiest hours) or .svg (busiest date); "
            "default: next to --out as .html"
        ),
    ] = None,
    scale: Annotated[
        float, typer.Option(help="Real visitors per planned person (e.g. 50 for a 1:50 sample)")
    ] = 1.0,
    top: Annotated[int, typer.Option(help="How many of the busiest place-hours to print")] = 5,
) -> None:
    """Expected visitors per place per hour from a batch of plans, to spot crowding early."""
    from planner.service.forecast import forecast, read_plans, write_chart, write_csv

    if not plans.is_file():
        fail(f"PLANS: {plans} does not exist or is not a file; give the output of planner batch")
    if not scale > 0:
        fail(f"--scale: {scale} must be more than 0")
    if top < 0:
        fail(f"--top: {top} must be 0 or more")
    chart = chart or out.with_suffix(".html")
    if chart.suffix.lower() not in (".html", ".htm", ".svg"):
        fail(f"--chart: {chart.name} must end in .html or .svg")
    for option, path in (("--out", out), ("--chart", chart)):
        if not path.parent.is_dir():
            fail(f"{option}: the folder {path.parent} does not exist")
    try:
        fc = forecast(read_plans(plans), scale=scale)
    except RequestError as exc:
        fail(f"PLANS: {exc.problem.message}")
    write_csv(fc, out)
    write_chart(fc, chart)
    typer.echo(
        f"{fc.plans} plans ({fc.people:g} people), {fc.failed} failed requests not counted; "
        f"wrote {out} and {chart}"
    )
    for c in fc.busiest(top):
        typer.echo(
            f"  {c.date} {c.hour:02d}:00  {c.name_en} ({c.poi_id}): {c.visitors:g} visitors, "
            f"{c.arrivals:g} arriving"
        )


service_app = typer.Typer(
    help="Serve the HTTP API, plan batches, forecast crowds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
service_app.command("serve")(serve_command)
service_app.command("batch")(batch_command)
service_app.command("forecast")(forecast_command)

if __name__ == "__main__":
    service_app()
