"""Benchmark: how fast the web app feels, measured in headless Chromium.

Starts ``streamlit run app.py`` (over a temporary copy of ``configs/``), warms it with one visit,
then measures, ``--runs`` times each (fresh browser context every time, median and max printed):

* **first page ready**: from navigation start to the plan button and the map (with its places)
  both visible;
* **press to map**: from the click on the plan button to the new plan's numbered stops drawn on
  the map and its stop cards in the timeline (each run adds another interest, so no cached plan
  is reused).

The times are taken inside the page (``performance.now()``, checked on every animation frame by a
script added before the page loads), so Playwright's polling intervals do not round them up.

Goals on the project machine: first page under 3 s, press-to-map under 2 s. Not a test: shared
machines are noisy; read the figures.

    .venv/bin/python bench/app_speed.py [--runs 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_browser import LAUNCH_ARGS, free_port, start_app, wait_healthy  # noqa: E402

EXTRA_INTERESTS = [
    ("mountain", "登山"),
    ("hiking", "徒步"),
    ("culture", "文化古迹"),
    ("village", "乡村"),
    ("farm", "农园"),
    ("picking", "采摘"),
    ("food", "农家美食"),
    ("family", "亲子"),
    ("great_wall", "长城"),
]
"""One interest pill added per run (label on the Chinese page), so no run reuses a cached plan."""

BUTTON = "生成行程"
MARKS_JS = """
(() => {
  const marks = (window.__ppMarks = {});
  const inMap = (sel) => {
    for (const host of document.querySelectorAll("[data-testid^=stBidiComponent]")) {
      const root = host.shadowRoot || host;
      const hit = root.querySelector(sel);
      if (hit) return hit;
    }
    return null;
  };
  const shown = (e) => !!e && e.getClientRects().length > 0;
  const button = () =>
    [...document.querySelectorAll("button")].find((b) => b.textContent.includes("__BUTTON__"));
  document.addEventListener("click", (e) => {
    const b = button();
    if (b && b.contains(e.target)) marks.press = performance.now();
  }, true);
  const tick = () => {
    const now = performance.now();
    if (!marks.form && shown(button())) marks.form = now;
    if (!marks.host && document.querySelector("[data-testid^=stBidiComponent]")) marks.host = now;
    if (!marks.map && shown(inMap("[data-testid=ppMap] .pp-place"))) marks.map = now;
    if (marks.press && !marks.plan && shown(inMap(".pp-pt.pp-stop"))
        && shown(document.querySelector(".pp-stop"))) marks.plan = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
""".replace("__BUTTON__", BUTTON)
"""Records, in page time, when the form, the map and (after the press) the plan first show."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="pinggu-bench-"))
    configs = tmp / "configs"
    shutil.copytree(ROOT / "configs", configs, ignore=shutil.ignore_patterns(".history", ".*.lock"))
    port = free_port()
    proc = start_app(configs, port)
    url = f"http://127.0.0.1:{port}"
    first: list[float] = []
    form: list[float] = []  # the page's form (and button) visible, before the map's canvas
    press: list[float] = []
    try:
        t0 = time.perf_counter()
        wait_healthy(url, proc)
        print(f"server healthy after {time.perf_counter() - t0:.2f} s")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=LAUNCH_ARGS)

            def marks(page: object, *names: str) -> dict[str, float]:
                cond = " && ".join(f"window.__ppMarks.{n}" for n in names)
                page.wait_for_function(f"() => {cond}", polling="raf", timeout=120_000)  # type: ignore[attr-defined]
                return page.evaluate("window.__ppMarks")  # type: ignore[attr-defined, no-any-return]

            def visit() -> tuple[object, float]:
                ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
                ctx.add_init_script(MARKS_JS)
                page = ctx.new_page()
                page.goto(url)
                m = marks(page, "form", "map")
                form.append(m["form"] / 1000)
                return page, max(m["form"], m["map"]) / 1000

            page, cold = visit()  # warm-up: imports, the planner, the browser's caches
            print(f"cold first page (server's first visit): {cold:.2f} s")
            page.context.close()  # type: ignore[attr-defined]
            for k in range(args.runs):
                page, took = visit()
                first.append(took)
                extra = EXTRA_INTERESTS[k % len(EXTRA_INTERESTS)]  # a new request every run
                page.get_by_role("button", name=extra[1], exact=True).click()  # type: ignore[attr-defined]
                page.get_by_role("button", name=BUTTON).click()  # type: ignore[attr-defined]
                m = marks(page, "press", "plan")
                page.wait_for_url(f"**interests=*{extra[0]}*")  # type: ignore[attr-defined]
                press.append((m["plan"] - m["press"]) / 1000)
                page.context.close()  # type: ignore[attr-defined]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    import os

    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    form = form[1:]  # without the warm-up visit
    print(f"  form visible: median {statistics.median(form):.2f} s (part of first page ready)")
    for name, xs, goal in (("first page ready", first, 3.0), ("press to map", press, 2.0)):
        med = statistics.median(xs)
        verdict = "ok" if med < goal else "OVER GOAL"
        print(
            f"{name:>17}: median {med:.2f} s, max {max(xs):.2f} s over {len(xs)} runs "
            f"(goal < {goal:.0f} s: {verdict})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
