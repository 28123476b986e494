"""Operator edits: validated first, atomic, every version kept, stale writes refused."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from planner.data.catalog import load_catalog
from planner.data.store import CatalogStore, NotFoundError, StaleWriteError
from planner.errors import ConfigError

MINI = Path(__file__).parent / "data" / "mini_pois.yaml"


@pytest.fixture
def store(tmp_path: Path) -> CatalogStore:
    path = tmp_path / "pois.yaml"
    shutil.copy(MINI, path)
    return CatalogStore(path, check_boundary=False)


def lake(store: CatalogStore) -> dict:
    cat, _ = store.load()
    return cat.get("lake").model_dump(mode="json")


def test_a_valid_edit_is_saved_and_the_previous_version_kept(store: CatalogStore):
    """put() writes the change, returns a new etag, and keeps the old file in the history."""
    _, tag = store.load()
    entry = lake(store) | {"ticket_cny": 45.0}
    new_tag = store.put(entry, if_match=tag)
    assert new_tag != tag
    cat, now = store.load()
    assert now == new_tag and cat.get("lake").ticket_cny == 45.0
    (version,) = store.file.history()
    assert version.etag == tag
    assert "ticket_cny: 40" in version.path.read_text(encoding="utf-8")


def test_an_edit_keeps_the_comments_of_the_file(store: CatalogStore):
    """Round-trip editing: the header comment and untouched entries stay as they were."""
    _, tag = store.load()
    store.put(lake(store) | {"popularity": 0.95}, if_match=tag)
    text = store.path.read_text(encoding="utf-8")
    assert text.startswith("# A tiny catalogue for tests")
    assert "popularity: 0.95" in text


def test_an_invalid_edit_writes_nothing_and_names_every_problem(store: CatalogStore):
    """Bad hours and a negative visit are both reported; the file and history are unchanged."""
    before = store.path.read_bytes()
    _, tag = store.load()
    with pytest.raises(ConfigError) as err:
        store.put(lake(store) | {"opening_hours": "8-5", "visit_minutes": -1}, if_match=tag)
    text = str(err.value)
    assert "opening_hours" in text and "visit_minutes" in text and "poi 'lake'" in text
    assert store.path.read_bytes() == before
    assert store.file.history() == []


def test_a_stale_write_is_refused_and_the_other_edit_survives(store: CatalogStore):
    """Two operators load the same version; the second save is refused, not merged or lost."""
    _, tag = store.load()
    first = store.put(lake(store) | {"ticket_cny": 50.0}, if_match=tag)
    with pytest.raises(StaleWriteError) as err:
        store.put(lake(store) | {"visit_minutes": 100}, if_match=tag)
    assert "changed by someone else" in str(err.value)
    cat, now = store.load()
    assert (
        now == first and cat.get("lake").ticket_cny == 50.0 and cat.get("lake").visit_minutes == 120
    )


def test_add_and_delete_places(store: CatalogStore):
    """A new id is appended; delete removes it; deleting an unknown id is NotFoundError."""
    _, tag = store.load()
    new = lake(store) | {"id": "second-lake", "lon": 117.21}
    tag = store.put(new, if_match=tag)
    assert "second-lake" in store.load()[0]
    tag = store.delete("second-lake", if_match=tag)
    assert "second-lake" not in store.load()[0]
    with pytest.raises(NotFoundError):
        store.delete("second-lake", if_match=tag)


def test_history_diff_and_restore(store: CatalogStore):
    """Every save is a version; diff shows the change; restore brings it back (and is versioned)."""
    _, t0 = store.load()
    t1 = store.put(lake(store) | {"ticket_cny": 60.0}, if_match=t0)
    (v0,) = store.file.history()
    assert "-    ticket_cny: 40" in store.file.diff(
        v0.id
    ) and "+    ticket_cny: 60" in store.file.diff(v0.id)
    t2 = store.file.restore(v0.id, if_match=t1)
    assert t2 == t0  # same bytes, same etag
    assert load_catalog(store.path, check_boundary=False).get("lake").ticket_cny == 40
    assert len(store.file.history()) == 2


def test_parallel_writers_never_lose_an_update(store: CatalogStore):
    """Eight threads each add a place, retrying on a stale etag: all eight places end up saved."""
    base = lake(store)
    errors: list[BaseException] = []

    def add(k: int) -> None:
        try:
            while True:
                _, tag = store.load()
                try:
                    store.put(base | {"id": f"lake-{k}", "lon": 117.2 + k / 1000}, if_match=tag)
                    return
                except StaleWriteError:
                    continue
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    cat, _ = store.load()
    assert {f"lake-{k}" for k in range(8)} <= set(cat.ids)
    assert len(store.file.history()) == 8
