"""Operator edits: validated first, atomic, every version kept, minimal, merged per place."""

from __future__ import annotations

import difflib
import shutil
import threading
from pathlib import Path

import pytest

from planner.data.catalog import load_catalog
from planner.data.store import (
    CatalogStore,
    ConflictError,
    NotFoundError,
    StaleWriteError,
    rebase_entries,
)
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


def test_a_stale_write_to_the_same_place_is_refused_and_the_other_edit_survives(
    store: CatalogStore,
):
    """Two operators load the same version and edit the same place; the second save is refused
    (a ConflictError naming the place), not merged or lost."""
    _, tag = store.load()
    mine = lake(store) | {"visit_minutes": 100}
    first = store.put(lake(store) | {"ticket_cny": 50.0}, if_match=tag)
    with pytest.raises(ConflictError) as err:
        store.put(mine, if_match=tag)
    assert "changed by someone else" in str(err.value) and err.value.places == ["lake"]
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


# ------------------------------------------------------------------ a save changes only what changed
BUNDLED = Path(__file__).resolve().parents[1] / "configs" / "pois.yaml"


@pytest.fixture
def bundled(tmp_path: Path) -> CatalogStore:
    path = tmp_path / "pois.yaml"
    shutil.copy(BUNDLED, path)
    return CatalogStore(path, check_boundary=False)


def changed_lines(before: str, after: str) -> int:
    """Lines removed plus lines added between two texts."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
    return sum(1 for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---"))


def test_changing_three_fields_of_one_place_changes_three_lines(bundled: CatalogStore):
    """The operator page sends a whole place (model_dump, defaults included): only the 3 edited
    fields' lines change; long text is not reflowed and no default is added."""
    before = bundled.path.read_text(encoding="utf-8")
    cat, tag = bundled.load()
    entry = cat.get("jinhai-lake").model_dump(mode="json")
    entry |= {"ticket_cny": 77.0, "popularity": 0.81, "name_en": "Jinhai Lake (edited)"}
    bundled.put(entry, if_match=tag)
    assert changed_lines(before, bundled.path.read_text(encoding="utf-8")) <= 6


def test_a_table_save_changes_only_the_edited_cells(bundled: CatalogStore):
    """replace_all with every place as dumped and one cell edited changes that cell's line."""
    before = bundled.path.read_text(encoding="utf-8")
    cat, tag = bundled.load()
    table = [p.model_dump(mode="json") for p in cat]
    table[3]["visit_minutes"] = 95
    bundled.replace_all(table, if_match=tag)
    assert changed_lines(before, bundled.path.read_text(encoding="utf-8")) == 2


def test_a_table_save_that_changes_nothing_writes_nothing(bundled: CatalogStore):
    """The same table saved back: the file's bytes, its etag and the history are unchanged."""
    before = bundled.path.read_bytes()
    cat, tag = bundled.load()
    assert bundled.replace_all([p.model_dump(mode="json") for p in cat], if_match=tag) == tag
    assert bundled.path.read_bytes() == before and bundled.file.history() == []


# ------------------------------------------------------------------ stale saves merged per place
def place(store: CatalogStore, pid: str) -> dict:
    return store.load()[0].get(pid).model_dump(mode="json")


def test_a_stale_save_to_another_place_is_merged(store: CatalogStore):
    """They edited the gorge, I (from the same version) the lake: both edits are saved, each
    save a version of its own."""
    _, tag = store.load()
    mine = lake(store) | {"ticket_cny": 45.0}
    store.put(place(store, "gorge") | {"ticket_cny": 65.0}, if_match=tag)
    store.put(mine, if_match=tag)
    cat, _ = store.load()
    assert cat.get("lake").ticket_cny == 45.0 and cat.get("gorge").ticket_cny == 65.0
    assert len(store.file.history()) == 2


def test_a_stale_table_save_keeps_the_other_operators_places(store: CatalogStore):
    """A whole table saved from an old version writes only the places edited in it: the other
    operator's edit to a place this table did not change is not reverted."""
    cat, tag = store.load()
    table = [p.model_dump(mode="json") for p in cat]
    table[1]["popularity"] = 0.55  # the lake
    store.put(place(store, "museum") | {"ticket_cny": 12.0}, if_match=tag)
    store.replace_all(table, if_match=tag)
    cat, _ = store.load()
    assert cat.get("lake").popularity == 0.55 and cat.get("museum").ticket_cny == 12.0


def test_a_stale_table_save_lists_every_conflicting_place(store: CatalogStore):
    """Both sides changed the lake and the gorge (one side deleted the gorge): refused, naming
    both; nothing of this save is written."""
    cat, tag = store.load()
    table = [p.model_dump(mode="json") for p in cat]
    table[1]["popularity"], table[2]["popularity"], table[3]["popularity"] = 0.5, 0.5, 0.5
    t1 = store.put(lake(store) | {"ticket_cny": 1.0}, if_match=tag)
    store.delete("gorge", if_match=t1)
    before = store.path.read_bytes()
    with pytest.raises(ConflictError) as err:
        store.replace_all(table, if_match=tag)
    assert err.value.places == ["gorge", "lake"]
    assert store.path.read_bytes() == before


def test_a_stale_save_from_an_unknown_version_is_refused(store: CatalogStore):
    """Without the base version in the history there is nothing to merge from: refused as stale."""
    _, tag = store.load()
    store.put(lake(store) | {"ticket_cny": 50.0}, if_match=tag)
    with pytest.raises(StaleWriteError) as err:
        store.put(place(store, "gorge") | {"ticket_cny": 1.0}, if_match="0123456789abcdef")
    assert not isinstance(err.value, ConflictError)


def test_rebase_keeps_my_edits_to_the_places_nobody_else_changed(store: CatalogStore):
    """After a conflict, my edits to other places (edited, added, removed) carry over to their
    newer catalogue; for the conflicting place theirs is shown."""
    cat, _ = store.load()
    base = [p.model_dump(mode="json") for p in cat]
    mine = [e | {"popularity": 0.42} if e["id"] in ("lake", "gorge") else e for e in base]
    mine = [e for e in mine if e["id"] != "museum"] + [base[1] | {"id": "pond"}]
    theirs = [e | {"ticket_cny": 1.0} if e["id"] == "lake" else e for e in base]
    entries, kept = rebase_entries(base, mine, theirs, ["lake"])
    by_id = {e["id"]: e for e in entries}
    assert kept == ["gorge", "museum", "pond"]
    assert by_id["lake"]["ticket_cny"] == 1.0 and by_id["lake"]["popularity"] == 0.9
    assert by_id["gorge"]["popularity"] == 0.42 and "museum" not in by_id and "pond" in by_id
