"""Operator edits to config files: validated first, written atomically, every version kept.

No edit is ever lost:

* every write is **validated** before anything touches the disk (all problems reported at once);
* it is **atomic** (a temporary file in the same folder, flushed, then renamed over the old one);
* the **previous version is kept** in a history folder (``configs/.history/``) and can be diffed
  and restored (a restore is itself a validated, versioned write);
* writers use **optimistic concurrency**: each read returns an ``etag`` (a hash of the file's
  bytes) and each write presents the etag it read (the version its edit was made from). A file
  lock makes the check-and-write step atomic across processes (several app or API workers).

The catalogue is edited entry by entry through :class:`CatalogStore`, which changes only what
changed: the keys whose values differ, in their existing scalar style (ruamel.yaml round-trip at
an unlimited line width, so nothing is reflowed), leaving out defaults the file leaves out. A save
made from an older version is merged **per place**: when the other writers touched other places
than this save, it is applied on top of theirs; when both touched the same place it is refused
with :class:`ConflictError` naming those places (never merged silently).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import fcntl
import functools
import hashlib
import io
import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from planner.data.catalog import Catalog, build_catalog, parse_catalog_text
from planner.errors import ConfigError, PlannerError, Problem
from planner.model import Poi

HISTORY_DIRNAME = ".history"
_VERSION_RE = re.compile(
    r"^(?P<stem>.+)\.(?P<stamp>\d{8}T\d{6}\d{6}Z)\.(?P<etag>[0-9a-f]{16})(?P<suffix>\.[^.]+)$"
)


class StaleWriteError(PlannerError):
    """The file changed since the writer read it: reload, re-apply the edit, and save again."""

    code = "stale_write"

    def __init__(self, path: Path, expected: str, current: str) -> None:
        self.expected, self.current = expected, current
        super().__init__(
            f"{path.name} was changed by someone else since you loaded it (your version {expected}, "
            f"now {current}); reload it, re-apply your edit and save again"
        )


class ConflictError(StaleWriteError):
    """Both this save and someone else's (since it was loaded) changed the same places."""

    def __init__(self, path: Path, expected: str, current: str, places: list[str]) -> None:
        self.places = places
        PlannerError.__init__(
            self,
            f"{path.name} was changed by someone else since you loaded it (your version "
            f"{expected}, now {current}), in the places you edited too: {', '.join(places)}; "
            "reload them, re-apply your edit and save again",
        )
        self.expected, self.current = expected, current


class NotFoundError(PlannerError, KeyError):
    """An entry or a version that does not exist."""

    code = "not_found"

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def etag_of(data: bytes) -> str:
    """The version tag of a file's content: 16 hex digits of its SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class Version:
    """A previous version of a file, kept in the history folder."""

    id: str
    """File name in the history folder (stable, sortable by time)."""
    saved_at: dt.datetime
    """When it was replaced (UTC)."""
    etag: str
    size: int
    path: Path


class VersionedFile:
    """A text config file with validated, atomic, versioned, optimistic-concurrency writes.

    Parameters
    ----------
    path
        The file (e.g. ``configs/pois.yaml``).
    validate
        Called with the new text before any write; raises :class:`ConfigError` to refuse it.
    history_dir
        Where previous versions go (default: ``.history/`` next to the file).
    """

    def __init__(
        self, path: Path | str, validate: Callable[[str], None], *, history_dir: Path | None = None
    ) -> None:
        self.path = Path(path)
        self.validate = validate
        self.history_dir = (
            history_dir if history_dir is not None else self.path.parent / HISTORY_DIRNAME
        )

    # -------------------------------------------------------------- reading
    def read(self) -> tuple[str, str]:
        """The current text and its etag."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"{self.path}: file not found", source=str(self.path)) from None
        return data.decode("utf-8"), etag_of(data)

    def etag(self) -> str:
        return self.read()[1]

    # -------------------------------------------------------------- writing
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        with open(lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def write(self, text: str, *, if_match: str) -> str:
        """Replace the file with ``text`` if it is still at version ``if_match``; return the new etag.

        Raises :class:`ConfigError` (nothing written) when ``text`` is invalid and
        :class:`StaleWriteError` when the file changed since ``if_match`` was read.
        """
        self.validate(text)
        return self._write_validated(text, if_match=if_match)

    def update(
        self,
        edit: Callable[[str], str],
        *,
        if_match: str,
        merge: Callable[[str, str], str] | None = None,
    ) -> str:
        """Apply ``edit`` to the current text under the lock (read-modify-write), validated and versioned.

        When the file is no longer at ``if_match`` and ``merge`` is given, the text of version
        ``if_match`` is taken from the history and ``merge(base, current)`` gives the new text (it
        raises :class:`StaleWriteError` to refuse); without ``merge``, or when that version is not
        kept, the write is refused with :class:`StaleWriteError`.
        """
        with self._locked():
            current, tag = self.read()
            if tag == if_match:
                new = edit(current)
            else:
                base = self.text_at(if_match) if merge is not None else None
                if merge is None or base is None:
                    raise StaleWriteError(self.path, if_match, tag)
                new = merge(base, current)
            self.validate(new)
            return self._replace(new, previous=current.encode("utf-8"), previous_tag=tag)

    def text_at(self, etag: str) -> str | None:
        """The text of the version with this etag (the current file or a kept one), if any."""
        current, tag = self.read()
        if tag == etag:
            return current
        for v in self.history():
            if v.etag == etag:
                data = v.path.read_bytes()
                if etag_of(data) == etag:
                    return data.decode("utf-8")
        return None

    def _write_validated(self, text: str, *, if_match: str) -> str:
        with self._locked():
            current, tag = self.read()
            if tag != if_match:
                raise StaleWriteError(self.path, if_match, tag)
            return self._replace(text, previous=current.encode("utf-8"), previous_tag=tag)

    def _replace(self, text: str, *, previous: bytes, previous_tag: str) -> str:
        data = text.encode("utf-8")
        if data == previous:
            return previous_tag
        self.history_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        kept = self.history_dir / f"{self.path.stem}.{stamp}.{previous_tag}{self.path.suffix}"
        atomic_write(kept, previous)
        atomic_write(self.path, data)
        return etag_of(data)

    # -------------------------------------------------------------- history
    def history(self) -> list[Version]:
        """Previous versions, newest first."""
        if not self.history_dir.is_dir():
            return []
        out = []
        for f in self.history_dir.iterdir():
            m = _VERSION_RE.match(f.name)
            if not m or m["stem"] != self.path.stem or m["suffix"] != self.path.suffix:
                continue
            saved = dt.datetime.strptime(m["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
            out.append(
                Version(id=f.name, saved_at=saved, etag=m["etag"], size=f.stat().st_size, path=f)
            )
        return sorted(out, key=lambda v: v.id, reverse=True)

    def version_text(self, version_id: str) -> str:
        for v in self.history():
            if v.id == version_id:
                return v.path.read_text(encoding="utf-8")
        raise NotFoundError(
            f"no version {version_id!r} of {self.path.name}; list them with history()"
        )

    def diff(self, version_id: str) -> str:
        """Unified diff from the kept version to the current file."""
        old = self.version_text(version_id)
        new, _ = self.read()
        return "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=version_id,
                tofile=f"{self.path.name} (current)",
            )
        )

    def restore(self, version_id: str, *, if_match: str) -> str:
        """Make a kept version current again (validated; the replaced version is kept too)."""
        return self.write(self.version_text(version_id), if_match=if_match)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows it
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# ------------------------------------------------------------------ the catalogue
def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 1 << 20  # never reflow a long description or note
    y.indent(mapping=2, sequence=4, offset=2)
    return y


class CatalogStore:
    """Entry-level editing of a catalogue file (``configs/pois.yaml``).

    Every save validates the whole resulting catalogue (fields, hours, unique ids, the district
    boundary) before writing, so an operator can never save a catalogue the planner cannot load.
    """

    def __init__(
        self, path: Path | str, *, check_boundary: bool = True, history_dir: Path | None = None
    ) -> None:
        self.check_boundary = check_boundary
        self.file = VersionedFile(path, self._validate, history_dir=history_dir)

    @property
    def path(self) -> Path:
        return self.file.path

    def _catalog_from_text(self, text: str) -> Catalog:
        entries = parse_catalog_text(text, self.path)
        boundary = None
        if self.check_boundary:
            from planner.data.boundary import load_boundary

            boundary = load_boundary()
        return build_catalog(entries, source=self.path.name, boundary=boundary)

    def _validate(self, text: str) -> None:
        try:
            self._catalog_from_text(text)
        except ConfigError:
            raise
        except Exception as exc:  # a YAML syntax error and the like
            raise ConfigError(f"{self.path.name}: {exc}", source=self.path.name) from None

    def load(self) -> tuple[Catalog, str]:
        """The validated catalogue and the etag to present when saving."""
        text, tag = self.file.read()
        return self._catalog_from_text(text), tag

    def put(self, entry: Mapping[str, Any], *, if_match: str) -> str:
        """Add a place, or replace the one with the same ``id``; return the new etag.

        Fields of an existing entry keep their position, style and comments, and only those whose
        value changes are rewritten; fields not in ``entry`` are removed (``entry`` is the whole
        place, as in an HTTP PUT), and a default value the file leaves out stays out. A save from
        an older version is merged unless someone else changed this place since
        (:class:`ConflictError`).
        """
        return self.put_many([entry], if_match=if_match)

    def put_many(self, entries: Sequence[Mapping[str, Any]], *, if_match: str) -> str:
        """Add or replace several places in one validated write (all or none), as :meth:`put` each."""
        for entry in entries:
            if not isinstance(entry.get("id"), str):
                raise ConfigError(
                    Problem("", "id", "every place needs an id (kebab-case, e.g. jinhai-lake)")
                )

        def edit(doc: Any) -> None:
            pois = doc["pois"]
            for entry in entries:
                for item in pois:
                    if item.get("id") == entry["id"]:
                        _update_entry(item, entry)
                        break
                else:
                    pois.append(_new_entry(entry, pois))

        return self._update(edit, if_match=if_match)

    def delete(self, poi_id: str, *, if_match: str) -> str:
        """Remove a place; return the new etag. :class:`NotFoundError` if there is none."""

        def edit(doc: Any) -> None:
            pois = doc["pois"]
            for k, item in enumerate(pois):
                if item.get("id") == poi_id:
                    _remove_place(pois, k)
                    return
            raise NotFoundError(f"no place {poi_id!r} in {self.path.name}")

        return self._update(edit, if_match=if_match)

    def replace_all(self, entries: list[Mapping[str, Any]], *, if_match: str) -> str:
        """Save a whole edited table of places (the operator console's data editor).

        Applied place by place and key by key to the file as it is: a place missing from the table
        is removed, a new one appended, and an unchanged table writes nothing.
        """
        by_id = {e.get("id"): e for e in entries}

        def edit(doc: Any) -> None:
            pois = doc["pois"]
            for k in reversed(range(len(pois))):
                new = by_id.get(pois[k].get("id"))
                if new is None:
                    _remove_place(pois, k)
                else:
                    _update_entry(pois[k], new)
            known = {item.get("id") for item in pois}
            pois.extend([_new_entry(e, pois) for e in entries if e.get("id") not in known])

        return self._update(edit, if_match=if_match)

    def _update(self, edit: Callable[[Any], None], *, if_match: str) -> str:
        """Run a document edit as a versioned write, merged per place when ``if_match`` is old."""

        def on_text(text: str) -> str:
            doc = _yaml().load(text)
            edit(doc)
            return _dump(doc)

        def merge(base: str, current: str) -> str:
            base_doc, mine, theirs = (_yaml().load(t) for t in (base, base, current))
            edit(mine)
            mine_changed = _changed_places(base_doc, mine)
            clash = sorted(mine_changed & _changed_places(base_doc, theirs))
            if clash:
                raise ConflictError(self.path, if_match, etag_of(current.encode("utf-8")), clash)
            _transplant(mine, theirs, mine_changed)
            return _dump(theirs)

        return self.file.update(on_text, if_match=if_match, merge=merge)


# ------------------------------------------------------------------ minimal, style-keeping edits
def _plain(value: Any) -> Any:
    """A YAML value as plain Python (maps, lists, str, numbers) for comparison."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value) if isinstance(value, str) else value


def _same(key: str, old: Any, new: Any) -> bool:
    """Whether a field's new value equals the one in the file (as the model reads both)."""
    a, b = _plain(old), _plain(new)
    if a == b:
        return True
    adapter = _field_adapter(key)
    if adapter is None:
        return False
    try:
        return bool(adapter.validate_python(a) == adapter.validate_python(b))
    except (ValidationError, TypeError):
        return False


@functools.cache
def _field_adapter(key: str) -> TypeAdapter[Any] | None:
    """A validator of one field of a place (reads ``{kind: bloom}`` and its dump alike)."""
    field = Poi.model_fields.get(key)
    if field is None or field.annotation is None:
        return None
    return TypeAdapter(field.annotation)


def _is_default(key: str, value: Any) -> bool:
    field = Poi.model_fields.get(key)
    if field is None or field.is_required():
        return False
    return _same(key, field.get_default(call_default_factory=True), value)


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _styled(old: Any, new: Any) -> Any:
    """``new`` in the style of the value it replaces (quotes, flow or block, int or float)."""
    if isinstance(new, list):
        olds = old if isinstance(old, list) else []
        like = _style_of(olds)
        seq = CommentedSeq(
            _styled(like if isinstance(like, Mapping) or k >= len(olds) else olds[k], v)
            for k, v in enumerate(new)
        )
        if isinstance(old, CommentedSeq) and old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if isinstance(new, Mapping):
        styled = CommentedMap()
        for k, v in new.items():
            if v is None or (v == "" and not (isinstance(old, Mapping) and k in old)):
                continue  # a season's unset start/end/zone and empty note, as the file omits them
            styled[k] = _styled(old.get(k) if isinstance(old, Mapping) else None, v)
        if isinstance(old, CommentedMap) and old.fa.flow_style():
            styled.fa.set_flow_style()
        return styled
    if isinstance(new, str) and isinstance(old, ScalarString) and type(old) is not ScalarString:
        return type(old)(new)
    if (
        isinstance(new, float)
        and new.is_integer()
        and isinstance(old, int)
        and not isinstance(old, bool)
    ):
        return int(new)
    return new


def _style_of(items: list[Any]) -> Any:
    """One value in the style of a list's items: each key as the first item that has it writes it."""
    maps = [x for x in items if isinstance(x, Mapping)]
    if not maps:
        return items[-1] if items else None
    like = CommentedMap()
    for m in maps:
        for k, v in m.items():
            if k not in like and not (isinstance(v, list | Mapping) and not v):  # [] shows no style
                like[k] = v
    if isinstance(maps[0], CommentedMap) and maps[0].fa.flow_style():
        like.fa.set_flow_style()
    return like


def _update_entry(
    item: Any, entry: Mapping[str, Any], *, like: Mapping[str, Any] | None = None
) -> None:
    """Make the place ``item`` (in the file) say what ``entry`` says, touching only the differences.

    A key the place did not have takes its style from ``like`` (the other places' usual style).
    """
    new = {k: v for k, v in entry.items() if v is not None}
    for key in [k for k in item if k not in new]:
        del item[key]
    order = list(Poi.model_fields)
    for key, value in new.items():
        if key in item:
            if not _same(key, item[key], value):
                item[key] = _styled(item[key], value)
        elif not _is_default(key, value):
            rank = order.index(key) if key in order else len(order)
            pos = sum(1 for k in item if (order.index(k) if k in order else len(order)) <= rank)
            item.insert(pos, key, _styled((like or {}).get(key), value))


def _new_entry(entry: Mapping[str, Any], pois: list[Any]) -> Any:
    """A new place as the others are written: fields in order and style, defaults left out."""
    item = CommentedMap()
    _update_entry(item, entry, like=_style_of(pois))
    return item


def _remove_place(pois: Any, k: int) -> None:
    """Remove place ``k``, handing the comments after it (a section heading) to the one before."""
    item = pois[k]
    if k > 0 and isinstance(item, CommentedMap) and item and isinstance(pois[k - 1], CommentedMap):
        before, last = pois[k - 1], list(item)[-1]
        if last in item.ca.items and before:
            before.ca.items[list(before)[-1]] = item.ca.items[last]
    del pois[k]


def _places(doc: Any) -> dict[Any, Any]:
    return {item.get("id"): _plain(item) for item in doc.get("pois") or []}


def _changed_places(base: Any, other: Any) -> set[str]:
    """Ids of the places added, removed or changed from ``base`` to ``other``."""
    a, b = _places(base), _places(other)
    return {str(pid) for pid in a.keys() | b.keys() if a.get(pid) != b.get(pid)}


def _transplant(mine: Any, theirs: Any, ids: set[str]) -> None:
    """Put my version of the places ``ids`` into their document (added, changed or removed)."""
    my_items = {str(item.get("id")): item for item in mine["pois"]}
    pois = theirs["pois"]
    for k in reversed(range(len(pois))):
        pid = str(pois[k].get("id"))
        if pid in ids:
            if pid in my_items:
                _update_entry(pois[k], dict(my_items[pid].items()), like=_style_of(pois))
            else:
                _remove_place(pois, k)
    there = {str(item.get("id")) for item in pois}
    pois.extend(my_items[pid] for pid in my_items if pid in ids and pid not in there)


def _dump(doc: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue()


# ------------------------------------------------------------------ after a refused save
def _same_place(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """Whether two versions of a place say the same (as the model reads them; None: absent)."""
    if a is None or b is None:
        return a is b
    try:
        return Poi.model_validate(_drop_none(dict(a))) == Poi.model_validate(_drop_none(dict(b)))
    except ValidationError:
        return bool(_plain(_drop_none(dict(a))) == _plain(_drop_none(dict(b))))


def rebase_entries(
    base: Sequence[Mapping[str, Any]],
    mine: Sequence[Mapping[str, Any]],
    theirs: Sequence[Mapping[str, Any]],
    conflicts: Collection[str],
) -> tuple[list[Mapping[str, Any]], list[str]]:
    """Carry unsaved edits over to a newer version of the catalogue, place by place.

    ``mine`` is an edited copy of ``base`` that could not be saved because ``theirs`` changed the
    places ``conflicts`` too. The result is ``theirs`` with my version of every other place I
    changed (added, edited or removed), and the ids of those places: nothing typed is lost
    except where the other operator's version must be looked at first.
    """
    old = {str(e.get("id")): e for e in base}
    new = {str(e.get("id")): e for e in mine}
    changed = {
        pid for pid in old.keys() | new.keys() if not _same_place(old.get(pid), new.get(pid))
    }
    kept = changed - set(conflicts)
    out: list[Mapping[str, Any]] = []
    for e in theirs:
        pid = str(e.get("id"))
        if pid not in kept:
            out.append(e)
        elif pid in new:
            out.append(new[pid])
    there = {str(e.get("id")) for e in theirs}
    out.extend(new[pid] for pid in new if pid in kept and pid not in there)
    return out, sorted(kept)
