"""The reviewable proposal file: what matching found, what an operator decided, and who.

``planner pois match`` and ``planner pois discover`` write one YAML file (default
``configs/proposals/``). An operator reviews it, in an editor or in the operator console: each
item's ``decision`` is ``pending``, ``accept`` or ``reject``, with ``decided_by`` and ``decided_at``.
``planner pois apply`` then writes the accepted items through the catalogue's validated, versioned
store (:mod:`planner.verify.apply`). The file itself is written like a config: validated first,
then atomically, the previous version kept (:class:`planner.data.store.VersionedFile`).

Only items that propose something can be accepted: a ``moved`` or ``confirmed`` match, an
``ambiguous`` or ``far`` one once the operator has ``chosen`` one of its candidates, and a new
place whose ``to_fill`` fields are filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from planner.data.store import VersionedFile, atomic_write
from planner.errors import ConfigError, Problem, problems_from_validation
from planner.model import Confidence
from planner.model.common import TZ, Strict
from planner.verify.features import PointKind
from planner.verify.match import MatchStatus

PROPOSAL_VERSION = 1


class Decision(StrEnum):
    pending = "pending"
    accept = "accept"
    reject = "reject"


class Bilingual(Strict):
    zh: str
    en: str


class Current(Strict):
    """The place as it was when matched: an apply is refused if it changed since."""

    lon: float
    lat: float
    confidence: Confidence


class OsmCandidate(Strict):
    """An OSM feature proposed for a place, with its anchor point and the evidence."""

    osm_id: Annotated[str, Field(pattern=r"^(node|way|relation)/-?\d+$")]
    osm_name: str
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    point: PointKind
    distance_m: Annotated[float, Field(ge=0)]
    score: Annotated[float, Field(ge=0, le=1)]
    evidence: list[str] = Field(default_factory=list)


class Decided(Strict):
    decision: Decision = Decision.pending
    decided_by: str | None = None
    decided_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _who(self) -> Decided:
        if self.decision != Decision.pending and not self.decided_by:
            raise ValueError("decided_by: say who decided (an operator's name)")
        return self


class MatchItem(Decided):
    """One catalogue place and what OSM says of it."""

    id: str
    name: str
    status: MatchStatus
    note: Bilingual
    current: Current
    proposed: OsmCandidate | None = None
    candidates: list[OsmCandidate] = Field(default_factory=list)
    chosen: str | None = Field(
        default=None, description="For ambiguous or far items: the osm_id of the candidate to use"
    )

    @model_validator(mode="after")
    def _acceptable(self) -> MatchItem:
        if self.chosen is not None and self.chosen not in {c.osm_id for c in self.candidates}:
            raise ValueError(f"chosen: {self.chosen!r} is not one of this item's candidates")
        if self.decision == Decision.accept and self.target is None:
            raise ValueError(
                f"decision: a {self.status.value} item proposes no point; set chosen to one of its "
                "candidates' osm_id, or leave it pending"
            )
        return self

    @property
    def target(self) -> OsmCandidate | None:
        """The candidate an accept would apply: the chosen one, else the proposed one."""
        if self.chosen is not None:
            return next(c for c in self.candidates if c.osm_id == self.chosen)
        return self.proposed


class NewPlace(Decided):
    """A place OSM knows in the district that the catalogue lacks, as a draft entry."""

    osm_id: Annotated[str, Field(pattern=r"^(node|way|relation)/-?\d+$")]
    note: Bilingual
    entry: dict[str, Any]
    to_fill: list[str] = Field(
        default_factory=list, description="Fields OSM does not know: fill them before accepting"
    )
    estimated: list[str] = Field(
        default_factory=list, description="Fields filled with a reasoned default: check them"
    )

    @model_validator(mode="after")
    def _filled(self) -> NewPlace:
        if self.decision == Decision.accept:
            empty = [k for k in self.to_fill if self.entry.get(k) in (None, "")]
            if empty:
                raise ValueError(
                    "entry: fill in " + ", ".join(empty) + " before accepting this new place"
                )
        return self

    @property
    def id(self) -> str:
        return str(self.entry.get("id", ""))


class OsmSource(Strict):
    kind: Literal["file", "place"]
    name: str
    sha256: str | None = None


class CatalogRef(Strict):
    file: str
    etag: str


class Proposal(Strict):
    """A whole proposal file."""

    version: Literal[1] = 1
    created: dt.datetime
    osm: OsmSource
    catalog: CatalogRef
    matches: list[MatchItem] = Field(default_factory=list)
    new_places: list[NewPlace] = Field(default_factory=list)

    def items(self) -> Iterator[MatchItem | NewPlace]:
        yield from self.matches
        yield from self.new_places

    def item(self, key: str) -> MatchItem | NewPlace:
        """The match of a catalogue id, or the new place of an id or an OSM id."""
        for it in self.items():
            if key in (it.id, getattr(it, "osm_id", None)):
                return it
        known = ", ".join(it.id for it in self.items())
        raise KeyError(f"no item {key!r} in the proposal; its items are: {known}")

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.matches:
            out[m.status.value] = out.get(m.status.value, 0) + 1
        if self.new_places:
            out["new"] = len(self.new_places)
        return out


def decide(
    proposal: Proposal,
    keys: Sequence[str],
    decision: Decision,
    *,
    by: str,
    chosen: str | None = None,
    now: dt.datetime | None = None,
) -> Proposal:
    """A copy of ``proposal`` with these items decided by ``by`` (validated: a pending-only item
    cannot be accepted)."""
    if not by.strip():
        raise ConfigError(Problem("proposal", "decided_by", "say who decides (an operator's name)"))
    data = proposal.model_dump(mode="json")
    when = (now or dt.datetime.now(TZ)).isoformat(timespec="seconds")
    for key in keys:
        it = proposal.item(key)
        section = "matches" if isinstance(it, MatchItem) else "new_places"
        index = (proposal.matches if section == "matches" else proposal.new_places).index(it)  # type: ignore[arg-type]
        raw = data[section][index]
        raw.update(decision=decision.value, decided_by=by.strip(), decided_at=when)
        if chosen is not None:
            raw["chosen"] = chosen
    return parse_proposal(data, source="proposal")


def parse_proposal(data: Any, *, source: str) -> Proposal:
    try:
        return Proposal.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(exc, entity=source)) from None


def proposal_text(proposal: Proposal) -> str:
    head = (
        "# Pinggu Planner: places matched against OpenStreetMap (planner pois match/discover).\n"
        "# Review each item: set decision to accept or reject, with decided_by (your name).\n"
        "# Ambiguous or far items: set chosen to a candidate's osm_id to accept it. New places:\n"
        "# fill in every field listed under to_fill in entry. Then: planner pois apply THIS_FILE\n"
        "# Coordinates are WGS84 (OpenStreetMap's). OSM data (c) OpenStreetMap contributors, ODbL.\n"
    )
    body = yaml.safe_dump(
        proposal.model_dump(mode="json"), allow_unicode=True, sort_keys=False, width=100
    )
    return head + body


def _validate_text(text: str) -> None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"proposal: not valid YAML: {exc}", source="proposal") from None
    parse_proposal(data, source="proposal")


def proposal_file(path: Path | str) -> VersionedFile:
    """The proposal file as a validated, atomic, versioned file."""
    return VersionedFile(path, _validate_text)


def read_proposal(path: Path | str) -> tuple[Proposal, str]:
    """The proposal and its etag (to present when saving decisions)."""
    file = proposal_file(path)
    text, tag = file.read()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{Path(path).name}: not valid YAML: {exc}", source=str(path)) from None
    return parse_proposal(data, source=Path(path).name), tag


def write_proposal(proposal: Proposal, path: Path | str, *, if_match: str | None = None) -> str:
    """Write (or, with ``if_match``, replace) a proposal file; return its etag."""
    path = Path(path)
    file = proposal_file(path)
    text = proposal_text(proposal)
    if if_match is None:
        if path.exists():
            return file.write(text, if_match=file.etag())
        file.validate(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
        return file.etag()
    return file.write(text, if_match=if_match)


def default_proposal_path(configs_dir: Path, kind: str, when: dt.datetime | None = None) -> Path:
    stamp = (when or dt.datetime.now(TZ)).strftime("%Y%m%d-%H%M%S")
    return configs_dir / "proposals" / f"osm-{kind}-{stamp}.yaml"
