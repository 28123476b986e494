"""Benchmark: what the web app's map costs on the wire, and how often a click reruns the page.

Starts ``streamlit run app.py`` from a checkout (this one, or ``--checkout DIR``, e.g. a
``git worktree`` of an older commit to measure "before"), opens a share link (a planned day),
then clicks a place on the map (which picks it: one rerun). Reports, from the websocket frames
Streamlit sends (``ForwardMsg`` protobufs, parsed with Streamlit's own classes):

* the first page's bytes, and those of the map component's message;
* for the click: reruns (``script_finished`` messages: 1 is right, more is a loop) and bytes,
  and those of the map component's message (its code and its static layers should not come again);
* the same for a change of plan (the first stop's "remove" button): the map's message then has
  to change, and its size shows what a changed map costs;
* press to map is measured by ``bench/app_speed.py``.

    .venv/bin/python bench/map_wire.py [--checkout DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_browser import (  # noqa: E402
    LAUNCH_ARGS,
    MAP_MSG,
    PLAN_URL,
    Wire,
    free_port,
    settle,
    start_app,
    wait_healthy,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=ROOT, help="project checkout to run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import test_browser
    from playwright.sync_api import sync_playwright

    test_browser.ROOT = args.checkout.resolve()  # start_app runs app.py from there
    tmp = Path(tempfile.mkdtemp(prefix="pinggu-wire-"))
    configs = tmp / "configs"
    shutil.copytree(
        args.checkout / "configs", configs, ignore=shutil.ignore_patterns(".history", ".*.lock")
    )
    port = free_port()
    proc = start_app(configs, port)
    url = f"http://127.0.0.1:{port}"
    rows: list[tuple[int, ...]] = []
    try:
        wait_healthy(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=LAUNCH_ARGS)
            for _ in range(args.runs + 1):  # the first run warms the server
                page = browser.new_context(
                    locale="zh-CN", viewport={"width": 1366, "height": 900}
                ).new_page()
                wire = Wire(page)
                page.goto(url + PLAN_URL)
                page.locator("[data-testid=ppMap] .pp-pt.pp-stop").first.wait_for(timeout=120_000)
                settle(page, wire)
                mark = wire.mark()
                page.locator('[data-testid=ppMap] .pp-place[data-id="jinhai-lake"]').click()
                page.locator(".st-key-use_start").wait_for(timeout=120_000)
                settle(page, wire)
                second = wire.mark()  # a change of plan: remove the first stop (the map changes)
                page.get_by_role("button", name="移除").first.click()
                page.wait_for_url("**avoid=*", timeout=120_000)
                page.locator("[data-testid=ppMap] .pp-pt.pp-stop").first.wait_for(timeout=120_000)
                settle(page, wire)
                rows.append(
                    (
                        len(wire.sent(0, mark)),
                        len(wire.sent(0, mark, kind=MAP_MSG)),
                        wire.reruns(mark, second),
                        len(wire.sent(mark, second)),
                        len(wire.sent(mark, second, kind=MAP_MSG)),
                        wire.reruns(second),
                        len(wire.sent(second)),
                        len(wire.sent(second, kind=MAP_MSG)),
                    )
                )
                page.context.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    rows = rows[1:]
    med = [int(statistics.median(col)) for col in zip(*rows, strict=True)]
    print(f"checkout: {args.checkout.resolve()}")
    print(f"first page: {med[0]:,} bytes, of which the map's message {med[1]:,}")
    print(f"a click on a place: {med[2]} rerun(s), {med[3]:,} bytes, map message {med[4]:,}")
    print(f"a stop removed (new plan): {med[5]} rerun(s), {med[6]:,} bytes, map message {med[7]:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
