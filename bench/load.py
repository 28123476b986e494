"""Benchmark: HTTP load on POST /v1/plan through `planner serve`, with 1 and 2 workers.

For each worker count, starts the server on 127.0.0.1 (bundled catalogue, estimated travel
times), warms every worker up, then lets ``--clients`` threads post plan requests back to back
for ``--seconds`` (httpx, keep-alive). Prints throughput, p50/p95/p99 latency and how many
requests did not get a 200 (nothing should fail). Not a test: the machines are shared and noisy,
and the load generator shares the CPUs with the server, so read the figures, do not assert them.

    .venv/bin/python bench/load.py [--seconds 20] [--clients 4] [--workers 1 2] [--time-limit 0.2]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
INTERESTS = ["blossom", "lake", "gorge", "mountain", "hiking", "culture", "village", "farm"]


def request_pool(n: int, time_limit: float, seed: int = 0) -> list[dict[str, object]]:
    """Feasible day requests from the bus station: spring and summer dates, mixed interests."""
    rng = random.Random(seed)
    pool = []
    for _ in range(n):
        month, day = rng.choice([(4, 10), (4, 17), (5, 1), (6, 12), (7, 10), (9, 18)])
        pool.append(
            {
                "date": f"2027-{month:02d}-{day:02d}",
                "start": "pinggu-bus-station",
                "interests": rng.sample(INTERESTS, rng.randint(1, 3)),
                "time_limit_s": time_limit,
                "seed": rng.randrange(100),
            }
        )
    return pool


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "planner.cli.service", "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers), "--no-roads", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=os.environ.copy())
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/healthz", timeout=10).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("planner serve did not start")


def run_load(
    url: str, pool: list[dict[str, object]], clients: int, seconds: float
) -> tuple[list[float], dict[str, int]]:
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(k: int) -> None:
        rng = random.Random(k)
        with httpx.Client(base_url=url, timeout=60) as c:
            while time.perf_counter() < stop_at:
                body = rng.choice(pool)
                t = time.perf_counter()
                try:
                    status = str(c.post("/v1/plan", json=body).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    outcomes[status] = outcomes.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, outcomes


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=20.0, help="load per worker count")
    ap.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--time-limit", type=float, default=0.2, help="time_limit_s of each request")
    args = ap.parse_args()

    pool = request_pool(50, args.time_limit)
    print(
        f"POST /v1/plan, {args.clients} client threads, {args.seconds:g} s per run, "
        f"time_limit_s {args.time_limit:g}, {os.cpu_count()} CPUs, loopback"
    )
    print(
        f"{'workers':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  outcomes"
    )
    for workers in args.workers:
        proc, url = start_server(workers)
        try:
            run_load(url, pool, clients=max(args.clients, 2 * workers), seconds=3)  # warm-up
            lat, outcomes = run_load(url, pool, clients=args.clients, seconds=args.seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        failed = sum(n for k, n in outcomes.items() if k != "200")
        print(
            f"{workers:>7} {len(lat):>8} {len(lat) / args.seconds:>7.1f} {1000 * statistics.median(lat):>7.0f} "
            f"{1000 * pct(lat, 0.95):>7.0f} {1000 * pct(lat, 0.99):>7.0f}  {outcomes} "
            f"({'nothing failed' if failed == 0 else f'{failed} FAILED'})"
        )


if __name__ == "__main__":
    main()
