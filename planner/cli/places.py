"""``planner pois match | discover | apply``: verifying the catalogue against OpenStreetMap.

The commands are thin: :mod:`planner.verify` does the work, these read options, print a table
of what was found and write the proposal file an operator reviews.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner.cli._common import fail, fail_with
from planner.errors import ConfigError, PlannerError, RequestError

if TYPE_CHECKING:
    from planner.verify.proposals import Proposal

OsmFileOption = Annotated[
    Path | None,
    typer.Option("--osm-file", help="A local OSM extract (.osm, .osm.pbf, .osm.bz2)"),
]
PlaceOption = Annotated[
    str | None,
    typer.Option(
        "--place",
        help='Download by name (online, cached in cache/osmnx), e.g. "Pinggu District, Beijing, China"',
    ),
]
CatalogOption = Annotated[
    Path | None, typer.Option(help="Catalogue file (default: configs/pois.yaml)")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Proposal file to write (default: configs/proposals/)"),
]
LangOption = Annotated[str | None, typer.Option("--lang", help="en or zh (default: from $LANG)")]


def _lang(lang: str | None) -> str:
    value = lang or ("zh" if os.environ.get("LANG", "").lower().startswith("zh") else "en")
    if value not in ("en", "zh"):
        fail(f"--lang: {value!r} is not supported; use en or zh")
    return value


def _catalog_path(catalog: Path | None) -> Path:
    from planner.data.catalog import default_catalog_path

    return catalog or default_catalog_path()


def _run(
    osm_file: Path | None,
    place: str | None,
    catalog: Path | None,
    output: Path | None,
    *,
    kind: str,
    lang: str | None,
) -> None:
    from planner.data.boundary import load_boundary
    from planner.data.store import CatalogStore
    from planner.verify.proposals import default_proposal_path, write_proposal
    from planner.verify.propose import discover_proposal, load_osm, match_proposal, source_of

    language = _lang(lang)
    path = _catalog_path(catalog)
    try:
        data = load_osm(osm_file=osm_file, place=place)
        store = CatalogStore(path)
        source = source_of(osm_file, place)
        if kind == "match":
            proposal = match_proposal(data, store, source)
        else:
            proposal = discover_proposal(data, store, source, boundary=load_boundary())
        out = output or default_proposal_path(path.parent, kind)
        write_proposal(proposal, out)
    except RequestError as exc:
        fail_with(exc.problem)
    except PlannerError as exc:
        fail(str(exc))
    console = Console(highlight=False)
    table = Table(show_lines=False)
    table.add_column("id", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("note", overflow="fold")
    for m in proposal.matches:
        table.add_row(m.id, m.status.value, escape(m.note.zh if language == "zh" else m.note.en))
    for n in proposal.new_places:
        table.add_row(n.id, "new", escape(n.note.zh if language == "zh" else n.note.en))
    console.print(table)
    counts = ", ".join(f"{v} {k}" for k, v in proposal.counts().items())
    typer.echo(
        f"{counts or 'nothing found'}; {len(data.features)} named OSM features in {data.source}"
    )
    typer.echo(f"wrote {out}")
    typer.echo(
        "next: review it (set decision: accept or reject, with decided_by), or in the operator "
        f"console; then `planner pois apply {out}`. OSM data © OpenStreetMap contributors (ODbL)"
    )


def _build_option(proposal: Proposal) -> str:
    if proposal.osm.kind == "file":
        return f"--osm-file {proposal.osm.name}"
    return f'--place "{proposal.osm.name}"'


def match_command(
    osm_file: OsmFileOption = None,
    place: PlaceOption = None,
    catalog: CatalogOption = None,
    output: OutputOption = None,
    lang: LangOption = None,
) -> None:
    """Find each catalogue place in OpenStreetMap and propose corrected points, with evidence."""
    _run(osm_file, place, catalog, output, kind="match", lang=lang)


def discover_command(
    osm_file: OsmFileOption = None,
    place: PlaceOption = None,
    catalog: CatalogOption = None,
    output: OutputOption = None,
    lang: LangOption = None,
) -> None:
    """Propose the district's OSM places the catalogue lacks (restaurants, guesthouses, temples...)."""
    _run(osm_file, place, catalog, output, kind="discover", lang=lang)


def apply_command(
    proposal_file: Annotated[Path, typer.Argument(help="The reviewed proposal file")],
    accept: Annotated[
        str | None,
        typer.Option(
            help="Accept these items first (ids, comma-separated; 'moved' = every moved one)"
        ),
    ] = None,
    reject: Annotated[str | None, typer.Option(help="Reject these items first (ids)")] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who decides (recorded with --accept/--reject)")
    ] = None,
    catalog: CatalogOption = None,
) -> None:
    """Write the accepted items of a proposal into the catalogue (all at once; refused if stale)."""
    from planner.data.store import CatalogStore
    from planner.model.common import today
    from planner.verify.apply import StaleProposalError, apply_proposal
    from planner.verify.match import MatchStatus
    from planner.verify.proposals import Decision, decide, read_proposal, write_proposal

    try:
        proposal, etag = read_proposal(proposal_file)
        keys_ok = {it.id for it in proposal.items()}
        wanted: list[tuple[Decision, list[str]]] = []
        for decision, value, option in (
            (Decision.accept, accept, "--accept"),
            (Decision.reject, reject, "--reject"),
        ):
            keys = [k.strip() for k in (value or "").split(",") if k.strip()]
            if decision == Decision.accept and keys == ["moved"]:
                keys = [m.id for m in proposal.matches if m.status == MatchStatus.moved]
            unknown = [k for k in keys if k not in keys_ok]
            if unknown:
                raise RequestError(option, f"no item {', '.join(unknown)} in {proposal_file.name}")
            if keys:
                wanted.append((decision, keys))
        if wanted:
            if not by or not by.strip():
                raise RequestError("--by", "say who decides, e.g. --by 'Li Na'")
            for decision, keys in wanted:
                proposal = decide(proposal, keys, decision, by=by)
            etag = write_proposal(proposal, proposal_file, if_match=etag)
        applied = apply_proposal(proposal, CatalogStore(_catalog_path(catalog)), today=today())
    except RequestError as exc:
        fail_with(exc.problem)
    except StaleProposalError as exc:
        fail(str(exc))
    except ConfigError as exc:
        fail(str(exc))
    except PlannerError as exc:
        fail(str(exc))
    typer.echo(
        f"moved {len(applied.moved)}, confirmed {len(applied.confirmed)}, added {len(applied.added)}"
        f" (rejected {len(applied.rejected)}, still pending {len(applied.pending)})"
    )
    for label, ids in (
        ("moved", applied.moved),
        ("confirmed", applied.confirmed),
        ("added", applied.added),
    ):
        if ids:
            typer.echo(f"  {label}: {', '.join(ids)}")
    if applied.changed:
        typer.echo(
            f"catalogue now at version {applied.etag} (the previous one is kept in .history/). "
            "Travel times follow the new points at the next plan; a road network built from "
            f"the same data makes them road times: `planner geodata build {_build_option(proposal)}` "
            "then `planner geodata calibrate`"
        )
