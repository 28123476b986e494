"""Operator edits to config files: validated first, written atomically, every version kept.

No edit is ever lost:

* every write is **validated** before anything touches the disk (all problems reported at once);
* it is **atomic** (a temporary file in the same folder, flushed, then renamed over the old one);
* the **previous version is kept** in a history folder (``configs/.history/``) and can be diffed
  and restored (a restore is itself a validated, versioned write);
* writers use **optimistic concurrency**: each read returns an ``etag`` (a hash of the file's
  bytes) and each write must present the etag it read. A stale write — someone else saved in
  between — is refused with :class:`StaleWriteError`, never merged silently. A file lock makes
  the check-and-write step atomic across processes (several app or API workers).

The catalogue is edited entry by entry through :class:`CatalogStore`, which keeps the YAML's
comments and layout for every entry it does not touch (ruamel.yaml round-trip).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import fcntl
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from planner.data.catalog import Catalog, build_catalog, parse_catalog_text
from planner.errors import ConfigError, PlannerError, Problem

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

    def update(self, edit: Callable[[str], str], *, if_match: str) -> str:
        """Apply ``edit`` to the current text under the lock (read-modify-write), validated and versioned."""
        with self._locked():
            current, tag = self.read()
            if tag != if_match:
                raise StaleWriteError(self.path, if_match, tag)
            new = edit(current)
            self.validate(new)
            return self._replace(new, previous=current.encode("utf-8"), previous_tag=tag)

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
        _atomic_write(kept, previous)
        _atomic_write(self.path, data)
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


def _atomic_write(path: Path, data: bytes) -> None:
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
    y.width = 120
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

        Fields of an existing entry keep their position and comments; fields not in ``entry``
        are removed (``entry`` is the whole place, as in an HTTP PUT).
        """
        if not isinstance(entry.get("id"), str):
            raise ConfigError(
                Problem("", "id", "every place needs an id (kebab-case, e.g. jinhai-lake)")
            )

        def edit(text: str) -> str:
            doc = _yaml().load(text)
            pois = doc["pois"]
            new = {k: v for k, v in entry.items() if v is not None}
            for item in pois:
                if item.get("id") == entry["id"]:
                    for key in [k for k in item if k not in new]:
                        del item[key]
                    for key, value in new.items():
                        if item.get(key) != value:
                            item[key] = value
                    break
            else:
                pois.append(new)
            return _dump(doc)

        return self.file.update(edit, if_match=if_match)

    def delete(self, poi_id: str, *, if_match: str) -> str:
        """Remove a place; return the new etag. :class:`NotFoundError` if there is none."""

        def edit(text: str) -> str:
            doc = _yaml().load(text)
            pois = doc["pois"]
            for k, item in enumerate(pois):
                if item.get("id") == poi_id:
                    del pois[k]
                    return _dump(doc)
            raise NotFoundError(f"no place {poi_id!r} in {self.path.name}")

        return self.file.update(edit, if_match=if_match)

    def replace_all(self, entries: list[Mapping[str, Any]], *, if_match: str) -> str:
        """Save a whole edited table of places (the operator console's data editor)."""
        by_id = {e.get("id"): e for e in entries}

        def edit(text: str) -> str:
            doc = _yaml().load(text)
            pois = doc["pois"]
            keep = []
            for item in pois:
                new = by_id.pop(item.get("id"), None)
                if new is None:
                    continue
                clean = {k: v for k, v in new.items() if v is not None}
                for key in [k for k in item if k not in clean]:
                    del item[key]
                for key, value in clean.items():
                    if item.get(key) != value:
                        item[key] = value
                keep.append(item)
            pois.clear()
            pois.extend(keep)
            pois.extend({k: v for k, v in e.items() if v is not None} for e in by_id.values())
            return _dump(doc)

        return self.file.update(edit, if_match=if_match)


def _dump(doc: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue()
