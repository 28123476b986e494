"""End to end in headless Chromium: the app as a visitor and an operator see it.

Starts ``streamlit run app.py`` on a free port over a temporary copy of ``configs/`` and drives it
with Playwright. Screenshots go to ``tests/_artifacts/`` (git-ignored): look at them.
Needs the Debian ``chromium`` (``make browser``); never ``playwright install``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import gpxpy
import pytest

from webapp import maps

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "_artifacts"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "peach-blossom"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 90_000

if not Path(CHROMIUM).exists():  # the only reason to skip
    pytest.skip(f"{CHROMIUM} is absent (install it with `make browser`)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

expect.set_options(timeout=TIMEOUT_MS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(configs: Path, port: int) -> subprocess.Popen[bytes]:
    """``streamlit run app.py`` over ``configs`` on 127.0.0.1:``port`` (no file watcher)."""
    env = os.environ | {
        "PINGGU_CONFIGS": str(configs),
        "PINGGU_OPERATOR_PASSWORD": PASSWORD,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy in {timeout_s} s")


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("e2e") / "configs"
    shutil.copytree(ROOT / "configs", dst, ignore=shutil.ignore_patterns(".history", ".*.lock"))
    return dst


@pytest.fixture(scope="module")
def app_url(configs: Path) -> Iterator[str]:
    port = free_port()
    proc = start_app(configs, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=shutil.which("chromium") or CHROMIUM, args=LAUNCH_ARGS
        )
        yield b
        b.close()


def new_page(
    browser: Browser, *, locale: str = "zh-CN", width: int = 1366, height: int = 900
) -> Page:
    context = browser.new_context(
        locale=locale, viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


MAP = "[data-testid=ppMap]"
"""The map (webapp/mapview/map.js); Playwright's CSS locators reach into its shadow root."""


IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
"""Streamlit's app root once its script has run to the end (the state its own tests wait for)."""


def open_idle(page: Page, url: str) -> None:
    """Open ``url`` and wait until the app's first run has finished: a click while it still draws
    can be lost to that run (seen on a loaded CI machine)."""
    page.goto(url)
    page.wait_for_selector(IDLE, state="attached")


def wait_for_plan(page: Page) -> list[str]:
    """Wait for the numbered stops on the map and the stop cards; return the stops' names in order.

    The map's numbers must be the cards' numbers (stops on one point share a dot: "2/3")."""
    expect(page.locator(f"{MAP} .pp-pt.pp-stop").first).to_be_visible()
    expect(page.locator(".pp-stop").first).to_be_visible()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:  # the page draws in steps: read until the map and the cards agree, or time out
        names = [t.strip() for t in page.locator(".pp-stop b").all_inner_texts()]
        numbers = page.locator(f"{MAP} .pp-stop .pp-num").all_text_contents()
        on_map = sorted(int(n) for label in numbers for n in label.split("/"))
        if (names and on_map == list(range(1, len(names) + 1))) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(200)
    assert names and on_map == list(range(1, len(names) + 1)), (numbers, names)
    return names


def wait_for_value(page: Page, selector: str, text: str) -> None:
    """Wait until the input(s) matching ``selector`` show ``text`` (a rerun briefly draws two)."""
    page.wait_for_function(
        "([sel, text]) => { const xs = [...document.querySelectorAll(sel)];"
        " return xs.length > 0 && xs.every(x => x.value.includes(text)); }",
        arg=[selector, text],
        timeout=TIMEOUT_MS,
    )


def download(page: Page, label: str, *, tries: int = 3) -> Path:
    """Click the download button ``label`` and return the file. A click that lands while the
    page is redrawing its buttons (a rerun under load) is lost: click again, a few times."""
    button = page.locator("[data-testid=stDownloadButton] button", has_text=label)
    for k in range(tries):
        try:
            with page.expect_download(timeout=30_000) as info:
                button.click()
            return Path(info.value.path())
        except Exception:
            if k == tries - 1:
                page.screenshot(path=str(ARTIFACTS / f"download_{label}_failed.png"))
                raise
            page.wait_for_timeout(1000)
    raise AssertionError("unreachable")


def shot(page: Page, name: str, *, full: bool = True) -> Path:
    """The viewport as a visitor sees it, and (``full``) the whole page: Streamlit scrolls inside
    its own container, so the whole page is taken with a viewport as tall as the content."""
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(600)  # let the map draw its layers
    page.screenshot(path=str(path))
    if full:
        size = page.viewport_size or {"width": 1366, "height": 900}
        height = page.evaluate(
            "Math.max(...[...document.querySelectorAll('[data-testid=stMain] *')]"
            ".slice(0, 400).map(e => e.scrollHeight))"
        )
        page.set_viewport_size({"width": size["width"], "height": min(int(height) + 120, 6000)})
        page.wait_for_timeout(600)
        page.screenshot(path=str(ARTIFACTS / f"{name}_full.png"))
        page.set_viewport_size(size)
    return path


def test_a_visitor_plans_switches_language_downloads_and_shares(browser: Browser, app_url: str):
    """The visitor's journey, in one browser session (so parallel workers start one app each).

    1. The first page: the one button and the map; one press plans the default day: numbered stop
       cards in order, the map, totals and the travel-time provider; the request goes in the URL.
    2. The 中文 | English switch relabels the page and keeps the plan.
    3. The GPX download parses with gpxpy: start, every stop and end; a track per leg.
    4. The share link, opened in another browser, shows the same stops in the same order; a
       browser that asks for English gets it in English.
    5. On a phone (390x844) nothing is cut off sideways.
    """
    page = new_page(browser)
    open_idle(page, app_url)
    button = page.get_by_role("button", name="生成行程")
    expect(button).to_be_visible()
    expect(page.locator(f"{MAP} .pp-place").first).to_be_visible()
    expect(page.locator(f"{MAP} .pp-area")).to_have_count(1)  # the district, drawn with no tiles
    shot(page, "plan_first_page_zh", full=False)
    button.click()
    names = wait_for_plan(page)
    page.wait_for_url("**date=*")
    url = page.url
    assert names
    badges = page.locator(".pp-stop .pp-badge").all_inner_texts()
    assert badges == [str(k) for k in range(1, len(names) + 1)]
    expect(page.locator(".pp-totals")).to_be_visible()
    expect(page.get_by_text("行程时间来源").first).to_be_visible()
    shot(page, "plan_laptop_zh")

    page.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Pinggu Planner")).to_be_visible()
    expect(page.get_by_text("Arrive").first).to_be_visible()
    assert "lang=en" in page.url
    # the form's place names turn English too (a selectbox keeps its label unless drawn afresh)
    wait_for_value(page, ".st-key-f_start__en input", "Pinggu Bus Station")
    shot(page, "plan_laptop_en", full=False)

    page.get_by_role("tab", name="Take it along").click()
    gpx = gpxpy.parse(download(page, "GPX").read_text(encoding="utf-8"))
    assert len(gpx.waypoints) == len(names) + 2
    assert len(gpx.tracks) == len(names) + 1
    shot(page, "plan_take_along_en", full=False)
    page.context.close()

    other = new_page(browser)
    other.goto(url)
    assert wait_for_plan(other) == names
    other.context.close()
    english = new_page(browser, locale="en-US")
    english.goto(url)
    expect(english.get_by_role("heading", name="Pinggu Planner")).to_be_visible()
    assert len(wait_for_plan(english)) == len(names)
    english.context.close()

    phone = new_page(browser, width=390, height=844)
    phone.goto(url)
    wait_for_plan(phone)
    width = phone.evaluate("document.querySelector('[data-testid=stMain]').scrollWidth")
    assert width <= 400
    shot(phone, "plan_phone_zh")
    phone.context.close()


def test_a_click_on_the_map_picks_a_place_or_any_point(browser: Browser, app_url: str):
    """Click a place on the map: its card offers "start here", which sets the form's start.
    Zoom in with the button (the scale bar changes). With "pick any point" on, a click on the map
    picks that exact point as a place to use."""
    page = new_page(browser)
    open_idle(page, app_url)
    lake = page.locator(f'{MAP} .pp-place[data-id="jinhai-lake"]')
    expect(lake).to_be_visible()
    lake.click()
    panel = page.locator(".st-key-use_start")
    expect(panel).to_be_visible()
    expect(page.get_by_text("金海湖").first).to_be_visible()
    panel.get_by_role("button").click()
    wait_for_value(page, ".st-key-f_start__zh input", "金海湖")

    scale = page.locator(f"{MAP} .leaflet-control-scale-line")
    before = scale.inner_text()
    page.locator(f"{MAP} .leaflet-control-zoom-in").click()
    expect(scale).not_to_have_text(before)

    page.get_by_text("在地图上任选位置").click()
    expect(page.locator(f"{MAP}.pp-clickable")).to_be_visible()
    box = page.locator(f"{MAP} .pp-leaflet").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 30, box["y"] + box["height"] * 0.5)  # the west edge: no place
    expect(page.get_by_text("地图上的位置").first).to_be_visible()
    expect(page.locator(f"{MAP} .pp-marker")).to_have_count(1)
    shot(page, "plan_map_pick_zh", full=False)
    page.context.close()


def test_an_operator_edit_shows_in_the_next_plan(browser: Browser, app_url: str):
    """Sign in, rename a place on the map tab, save; the tourist page plans with the new name."""
    page = new_page(browser, locale="en-US")
    page.goto(f"{app_url}/operator")
    page.get_by_label("Operator password").fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("tab", name="Places table")).to_be_visible()
    shot(page, "operator_table_en", full=False)
    page.get_by_role("tab", name="Add or move on the map").click()
    page.locator(".st-key-op_target input").click()
    page.keyboard.type("jinhai-lake")
    page.keyboard.press("Enter")
    expect(page.locator("input[aria-label=id][disabled]")).to_have_value("jinhai-lake")
    expect(page.get_by_label("name_en")).to_have_count(1)  # the form of the new place only
    name = page.get_by_label("name_en")
    expect(name).to_have_value("Jinhai Lake Scenic Area", timeout=TIMEOUT_MS)
    name.fill("Golden Sea Lake (operator edit)")
    page.get_by_role("button", name="Save place").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    map_tab = page.get_by_role("tab", name="Add or move on the map")
    expect(map_tab).to_have_attribute("aria-selected", "true")  # the save kept the open tab
    shot(page, "operator_map_en")

    # a click on the map moves the form's point there, exactly (a new place would go there)
    lon_inputs = 'input[aria-label="lon (WGS84)"]'
    before = page.locator(lon_inputs).first.input_value()
    box = page.locator(f"{MAP} .pp-leaflet").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    expect(page.locator(f"{MAP} .pp-marker")).to_have_count(1)
    page.wait_for_function(  # a rerun briefly draws the old form beside the new one
        "([sel, old]) => { const xs = [...document.querySelectorAll(sel)];"
        " return xs.length === 1 && xs[0].value !== old; }",
        arg=[lon_inputs, before],
        timeout=TIMEOUT_MS,
    )
    clicked = float(page.locator(lon_inputs).input_value())
    assert 116.9 < clicked < 117.5, clicked
    page.goto(f"{app_url}/?date=2027-04-17&start=pinggu-bus-station&must=jinhai-lake&lang=en")
    names = wait_for_plan(page)
    assert "Golden Sea Lake (operator edit)" in names
    page.context.close()


def phone_page(browser: Browser, *, locale: str = "zh-CN") -> Page:
    """A phone: 390x844, touch, mobile viewport."""
    context = browser.new_context(
        locale=locale,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


SCROLLED = "[document.scrollingElement, ...document.querySelectorAll('*')].reduce((a, e) => a + (e ? e.scrollTop : 0), 0)"
"""How far the page is scrolled, wherever Streamlit scrolls it (the window or its own container)."""


def in_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert size is not None
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["height"] > 0
    )


def touch(page: Page, tracks: list[list[tuple[float, float]]], *, pause_ms: int = 16) -> None:
    """Real touch input (CDP): each track is one finger's path, all moving together."""
    cdp = page.context.new_cdp_session(page)

    def points(k: int) -> list[dict[str, float]]:
        return [{"x": t[k][0], "y": t[k][1], "id": i + 1} for i, t in enumerate(tracks)]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
    for k in range(1, len(tracks[0])):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(k)})
        page.wait_for_timeout(pause_ms)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def line(
    a: tuple[float, float], b: tuple[float, float], steps: int = 12
) -> list[tuple[float, float]]:
    return [
        (a[0] + (b[0] - a[0]) * k / steps, a[1] + (b[1] - a[1]) * k / steps)
        for k in range(steps + 1)
    ]


def centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_on_a_phone_one_thumb_drags_two_pinch_and_a_tap_shows_the_place(
    browser: Browser, app_url: str
):
    """On a phone the map works with one thumb: a drag moves the map (not the page), two fingers
    pinch it closer, and tapping a place brings its card, above the map on a phone, into view."""
    page = phone_page(browser)
    open_idle(page, app_url)
    lake_sel = f'{MAP} .pp-place[data-id="jinhai-lake"]'
    lake = page.locator(lake_sel)
    expect(lake).to_be_attached()
    page.locator(MAP).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = page.locator(f"{MAP} .pp-leaflet").bounding_box()
    assert box is not None
    scrolled, where = page.evaluate(SCROLLED), centre(page, lake_sel)
    mid = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    touch(page, [line(mid, (mid[0] - 80, mid[1] + 60))])
    page.wait_for_timeout(500)
    moved = centre(page, lake_sel)
    assert abs(moved[0] - where[0] + 80) < 12 and abs(moved[1] - where[1] - 60) < 12, (where, moved)
    assert abs(page.evaluate(SCROLLED) - scrolled) < 5, "the drag moved the map, not the page"
    shot(page, "map_phone_dragged_zh", full=False)

    scale = page.locator(f"{MAP} .leaflet-control-scale-line")
    before = scale.inner_text()
    touch(
        page,
        [
            line((mid[0] - 30, mid[1]), (mid[0] - 110, mid[1])),
            line((mid[0] + 30, mid[1]), (mid[0] + 110, mid[1])),
        ],
    )
    expect(scale).not_to_have_text(before)  # closer: a shorter distance on the scale bar
    shot(page, "map_phone_pinched_zh", full=False)

    page.locator(f"{MAP} .pp-extra .pp-fit").tap()
    page.wait_for_timeout(400)
    lake.scroll_into_view_if_needed()
    lake.tap()
    panel = ".st-key-use_start"
    expect(page.locator(panel)).to_be_visible()
    page.wait_for_function(
        "(sel) => { const r = document.querySelector(sel)?.getBoundingClientRect();"
        " return !!r && r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }",
        arg=panel,
        timeout=TIMEOUT_MS,
    )
    page.wait_for_timeout(800)
    assert in_viewport(page, panel)
    expect(page.get_by_text("金海湖").first).to_be_visible()
    shot(page, "map_phone_tapped_zh", full=False)
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_planned_map_names_its_stops_and_left_out_reasons_show_in_full(
    browser: Browser, app_url: str, size: str
):
    """The view the map opens at after planning names every stop, no two names overprint; the
    legend explains S/E and the start points; the left-out reasons are shown whole, wrapped."""
    page = phone_page(browser, locale="en-US") if size == "phone" else new_page(browser)
    page.goto(f"{app_url}/?date=2027-04-17&start=pinggu-bus-station&lang=en")
    names = wait_for_plan(page)
    page.wait_for_timeout(600)
    labels = page.locator(f"{MAP} .pp-name")
    shown = {part for text in labels.all_text_contents() for part in text.split(" / ")}
    short = {maps.short_name(name) for name in names}  # labels drop a bracketed gloss
    assert short <= shown, (short, shown)
    boxes = [b for b in (label.bounding_box() for label in labels.all()) if b]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (  # a text's box has a few pixels of leading above and below its letters
                a["x"] + a["width"] <= b["x"] + 2
                or b["x"] + b["width"] <= a["x"] + 2
                or a["y"] + a["height"] <= b["y"] + 6
                or b["y"] + b["height"] <= a["y"] + 6
            )
            assert apart, (a, b)
    legend = page.locator(".pp-legend")
    expect(legend).to_contain_text("S: where the day starts, E: where it ends")
    expect(legend).to_contain_text("places to start or end from")
    page.locator(MAP).scroll_into_view_if_needed()
    shot(page, f"plan_map_names_{size}_en", full=False)

    page.get_by_role("tab", name="Left out").click()
    reason = page.locator(".pp-reason").first
    expect(reason).to_be_visible()
    text = reason.inner_text()
    assert text.startswith("Not enough time") or len(text) > 20, text
    reason.scroll_into_view_if_needed()
    clipped = page.evaluate(
        "[...document.querySelectorAll('.pp-reason, .pp-drop-name')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right >"
        " document.documentElement.clientWidth).length"
    )
    assert clipped == 0
    shot(page, f"plan_left_out_{size}_en", full=False)
    page.context.close()


class Wire:
    """What the server sends the page: every websocket frame (Streamlit's ForwardMsg protobufs)
    and every cached message the page fetches over HTTP, in bytes, and the reruns that finished."""

    def __init__(self, page: Page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.parse = ForwardMsg.FromString
        self.frames: list[tuple[str, bytes]] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("response", self._response)

    def _frame(self, payload: bytes | str) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        try:
            msg = self.parse(data)
            kind = msg.WhichOneof("type") or ""
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                kind = f"delta:{msg.delta.new_element.WhichOneof('type')}"
        except Exception:  # not a ForwardMsg (never seen; counted anyway)
            kind = ""
        self.frames.append((kind, data))

    def _response(self, response: object) -> None:
        url = getattr(response, "url", "")
        if "/_stcore/message" in url:
            with contextlib.suppress(Exception):  # a response the page dropped
                self.frames.append(("cached", response.body()))  # type: ignore[attr-defined]

    def mark(self) -> int:
        return len(self.frames)

    def reruns(self, since: int, until: int | None = None) -> int:
        return sum(1 for kind, _ in self.frames[since:until] if kind == "script_finished")

    def sent(self, since: int = 0, until: int | None = None, *, kind: str | None = None) -> bytes:
        """What arrived between frames ``since`` and ``until`` (only messages of ``kind``, e.g.
        the map's ``delta:bidi_component``)."""
        frames = self.frames[since:until]
        return b"".join(d for k, d in frames if kind is None or k == kind)


def settle(page: Page, wire: Wire, *, quiet_ms: int = 1500) -> None:
    """Wait until nothing has arrived for ``quiet_ms`` (a rerun loop never settles)."""
    deadline = time.monotonic() + 30
    last = -1
    while time.monotonic() < deadline:
        n = wire.mark()
        if n == last:
            return
        last = n
        page.wait_for_timeout(quiet_ms)
    raise AssertionError("the page never went quiet: reruns keep coming")


PLAN_URL = "/?date=2027-04-17&start=pinggu-bus-station&lang=zh"


def has_text(data: bytes, text: str) -> bool:
    """Whether ``text`` was sent, as UTF-8 or as JSON's \\uXXXX escapes."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in text).encode()
    return text.encode() in data or escaped in data


MAP_MSG = "delta:bidi_component"


def test_a_click_reruns_once_and_resends_no_base_map(browser: Browser, app_url: str):
    """Reruns per click and bytes per rerun: picking a place on the map reruns the script once,
    and the rerun sends the map's changing part only (not its code, not the base map, the
    district or the places: the browser keeps them); the first page sent them once. The
    numbers go to tests/_artifacts/map_wire.txt."""
    page = new_page(browser)
    wire = Wire(page)
    started = time.monotonic()
    page.goto(app_url + PLAN_URL)
    wait_for_plan(page)
    to_map = time.monotonic() - started
    settle(page, wire)
    first = wire.sent()
    assert has_text(first, "兴隆县")  # the base map (a neighbour's name) came with the first page
    mark = wire.mark()
    page.locator(f'{MAP} .pp-place[data-id="jinhai-lake"]').click()
    expect(page.locator(".st-key-use_start")).to_be_visible()
    settle(page, wire)
    rerun = wire.sent(mark)
    assert wire.reruns(mark) == 1, wire.reruns(mark)
    assert not has_text(rerun, "兴隆县")
    map_first, map_rerun = wire.sent(0, mark, kind=MAP_MSG), wire.sent(mark, kind=MAP_MSG)
    assert len(map_rerun) < len(map_first) / 8, (len(map_rerun), len(map_first))
    (ARTIFACTS / "map_wire.txt").write_text(
        f"first page: {len(first)} bytes, of which the map {len(map_first)}; "
        f"plan on the map {to_map:.1f} s after opening the share link\n"
        f"a click on a place: {wire.reruns(mark)} rerun, {len(rerun)} bytes, "
        f"of which the map {len(map_rerun)}\n",
        encoding="utf-8",
    )
    page.context.close()


def test_a_double_click_zooms_and_picks_nothing(browser: Browser, app_url: str):
    """With "pick any point" on, a double click zooms in and sends no pick (one click would)."""
    page = new_page(browser)
    wire = Wire(page)
    open_idle(page, app_url)
    expect(page.locator(f"{MAP} .pp-leaflet")).to_be_visible()
    settle(page, wire)
    page.get_by_text("在地图上任选位置").click()
    expect(page.get_by_role("switch", name="在地图上任选位置")).to_be_checked()
    expect(page.locator(f"{MAP}.pp-clickable")).to_be_visible()
    settle(page, wire)
    scale = page.locator(f"{MAP} .leaflet-control-scale-line")
    before = scale.inner_text()
    box = page.locator(f"{MAP} .pp-leaflet").bounding_box()
    assert box is not None
    mark = wire.mark()
    page.mouse.dblclick(box["x"] + 30, box["y"] + box["height"] * 0.5)
    expect(scale).not_to_have_text(before)
    settle(page, wire)
    assert wire.reruns(mark) == 0
    expect(page.locator(f"{MAP} .pp-marker")).to_have_count(0)
    page.context.close()


AXE = ROOT / "static" / "map" / "node_modules" / "axe-core" / "axe.min.js"


def test_the_map_is_usable_by_keyboard_and_passes_an_accessibility_audit(
    browser: Browser, app_url: str
):
    """Every stop is a focusable button: Tab reaches it, Enter picks it (its card opens); the
    map's controls have names; axe-core finds no serious violation (contrast, names, roles) in
    the map, the legend or the stop cards."""
    page = new_page(browser, locale="en-US")
    page.goto(app_url + PLAN_URL.replace("lang=zh", "lang=en"))
    wait_for_plan(page)
    stop = page.locator(f"{MAP} .pp-pt.pp-stop").first
    stop.focus()
    expect(stop).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".st-key-use_start")).to_be_visible()
    for name in ("Zoom in", "Zoom out", "Show the whole plan"):
        expect(page.locator(f'{MAP} [aria-label="{name}"]')).to_have_count(1)
    assert AXE.exists(), "run `make lint` (npm ci in static/map) first"
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
          const host = document.querySelector('[data-testid=ppMap]')?.getRootNode()?.host;
          const include = [['.pp-legend'], ['.pp-stop']];
          const r = await axe.run({ include }, { resultTypes: ['violations'] });
          const inMap = host ? await axe.run(host, { resultTypes: ['violations'] }) : { violations: [] };
          return [...r.violations, ...inMap.violations]
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id}: ${v.nodes.length} (${v.nodes[0]?.target})`);
        }"""
    )
    assert found == [], found
    page.context.close()


def test_the_map_follows_the_phone_and_the_late_replan_starts_there(browser: Browser, app_url: str):
    """The locate button shows the visitor's position and follows it; "I'm running late" then
    offers "my position" and re-plans the rest of the day from there."""
    context = browser.new_context(
        locale="en-US",
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        geolocation={"longitude": 117.2, "latitude": 40.2, "accuracy": 30},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url + "/?date=2027-04-17&start=pinggu-bus-station&lang=en")
    wait_for_plan(page)
    wire = Wire(page)
    page.locator(f"{MAP} .pp-locate").tap()
    expect(page.locator(f"{MAP} .pp-locate.pp-on")).to_have_count(1)
    expect(page.locator(f"{MAP} .pp-me")).to_have_count(1)  # the blue dot
    settle(page, wire)
    page.get_by_text("I'm running late").first.click()
    wait_for_value(page, ".st-key-late_here input", "My position (117.2000, 40.2000)")
    page.get_by_role("button", name="Re-plan from now").first.click()
    expect(page.locator(".pp-stop").first).to_be_visible()
    shot(page, "map_phone_follow_en", full=False)
    context.close()
