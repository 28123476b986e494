"""Many operators writing at once never lose an update (ETag / If-Match over HTTP).

``planner serve`` runs with two worker processes on 127.0.0.1 over a private copy of the test
catalogue. Six client threads each add 1 to the same place's ``visit_minutes`` five times, the
way an operator console does: GET (value and ETag), PUT value + 1 with If-Match, and on 412
reload and retry. If any write overwrote another, the final value would fall short.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "data" / "mini_pois.yaml"
KEY = "concurrency-key"
THREADS, INCREMENTS = 6, 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``planner serve --workers 2`` over a copy of the test catalogue; yields (url, pois.yaml)."""
    configs = tmp_path / "configs"
    configs.mkdir()
    for src in (ROOT / "configs").glob("*.yaml"):
        shutil.copy(src, configs / src.name)
    shutil.copy(MINI, configs / "pois.yaml")
    port = _free_port()
    cmd = [sys.executable, "-m", "planner.cli.service", "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", "2", "--configs", str(configs), "--no-roads"]
    cmd += ["--log-level", "warning"]
    proc = subprocess.Popen(
        cmd,
        env=os.environ | {"PINGGU_API_KEY": KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/v1/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"planner serve did not start: {err[-2000:]}")
            time.sleep(0.2)
        yield url, configs / "pois.yaml"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_parallel_if_match_writes_never_lose_an_update(server: tuple[str, Path]) -> None:
    """6 threads x 5 read-modify-write increments through 2 workers: all 30 land, none lost."""
    url, pois = server
    with httpx.Client(base_url=url, timeout=30) as c:
        start = c.get("/v1/pois/lake").json()["visit_minutes"]
    conflicts = [0] * THREADS
    failures: list[str] = []

    def operator(k: int) -> None:
        with httpx.Client(base_url=url, timeout=30, headers={"X-API-Key": KEY}) as c:
            done = 0
            while done < INCREMENTS:
                got = c.get("/v1/pois/lake")
                entry = got.json()
                entry["visit_minutes"] += 1
                put = c.put("/v1/pois/lake", json=entry, headers={"If-Match": got.headers["etag"]})
                if put.status_code == 200:
                    done += 1
                elif put.status_code == 412:
                    conflicts[k] += 1
                else:
                    failures.append(f"{put.status_code}: {put.text[:300]}")
                    return

    threads = [threading.Thread(target=operator, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    with httpx.Client(base_url=url, timeout=30) as c:
        final = c.get("/v1/pois/lake").json()["visit_minutes"]
        # the next plan, on either worker, sees the final catalogue
        plans = [
            c.post("/v1/plan", json={"date": "2027-04-17", "start": "station", "must": ["lake"]})
            for _ in range(4)
        ]
    assert final == start + THREADS * INCREMENTS, f"lost {start + THREADS * INCREMENTS - final}"
    history = list((pois.parent / ".history").iterdir())
    assert len(history) == THREADS * INCREMENTS  # every replaced version kept
    for p in plans:
        (lake,) = [s for s in p.json()["stops"] if s["poi_id"] == "lake"]
        assert lake["visit_s"] == final * 60
    print(f"{sum(conflicts)} stale writes refused with 412 and retried")
