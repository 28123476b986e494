// Pinggu Planner's map: an SVG map drawn from our own layers, with no WebGL and no download.
//
// A Streamlit components-v2 module (see webapp/mapview/__init__.py). Python sends a plain JSON
// spec (areas, lines, points, the box to fit, optional raster tiles); this module projects it in
// Web Mercator and draws it as SVG. Raster tiles, when they load, sit underneath our layers; when
// they do not (offline), the map is still legible. Pan by dragging (on a touch screen with two
// fingers: one finger scrolls the page), zoom with the wheel, a pinch, a double click or the
// buttons. A click on a place (or, when the spec allows it, anywhere on the
// map) is sent back to Python as the trigger value "select".
//
// Streamlit calls the default export on every render with new data; the map and its view live
// on per container, so a rerun never resets what the user panned to unless the fit key changes.

const TILE = 256;
const NS = "http://www.w3.org/2000/svg";
const maps = new WeakMap();

function project(lon, lat) {
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  return [((lon + 180) / 360) * TILE, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * TILE];
}

function unproject(x, y) {
  const n = Math.PI - (2 * Math.PI * y) / TILE;
  return [(x / TILE) * 360 - 180, (180 / Math.PI) * Math.atan(Math.sinh(n))];
}

function el(tag, attrs, parent) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function html(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

const NICE = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

class PlannerMap {
  constructor(root) {
    this.box = html("div", "pp-map");
    this.box.setAttribute("data-testid", "ppMap");
    this.svg = el("svg", { class: "pp-svg", role: "img", tabindex: "0" }, this.box);
    this.gTiles = el("g", { class: "pp-tiles" }, this.svg);
    this.gAreas = el("g", { class: "pp-areas" }, this.svg);
    this.gLines = el("g", { class: "pp-lines" }, this.svg);
    this.gLabels = el("g", { class: "pp-labels" }, this.svg);
    this.gPoints = el("g", { class: "pp-points" }, this.svg);
    this.tip = html("div", "pp-tip", this.box);
    this.tip.hidden = true;
    this.hint = html("div", "pp-hint", this.box);
    this.hint.hidden = true;
    const ctl = html("div", "pp-ctl", this.box);
    this.buttons = {};
    for (const [name, text] of [["zoom_in", "+"], ["zoom_out", "−"], ["fit", "⤢"]]) {
      const b = html("button", "pp-btn", ctl);
      b.type = "button";
      b.textContent = text;
      b.addEventListener("click", (e) => {
        e.stopPropagation();
        if (name === "fit") this.fitTo(this.data.bbox);
        else this.zoomAt(name === "zoom_in" ? 1 : -1, this.w / 2, this.h / 2);
        this.draw();
      });
      this.buttons[name] = b;
    }
    this.scale = html("div", "pp-scale", this.box);
    this.attr = html("div", "pp-attr", this.box);
    this.attr.hidden = true;
    root.appendChild(this.box);

    this.z = 10;
    this.cx = 0;
    this.cy = 0;
    this.w = 600;
    this.h = 400;
    this.fitKey = null;
    this.tiles = new Map();
    this.failed = new Set();
    this.pointers = new Map();
    this.frame = 0;
    this.marker = null;
    this.listen();
    this.sized = false;
    new ResizeObserver(() => {
      const r = this.box.getBoundingClientRect();
      if (r.width > 0 && (r.width !== this.w || r.height !== this.h || !this.sized)) {
        const first = !this.sized;
        this.w = r.width;
        this.h = r.height;
        this.sized = true;
        if (first && this.data) this.fitTo(this.data.bbox);
        this.draw();
      }
    }).observe(this.box);
  }

  // ---------------------------------------------------------------- data
  update(data, trigger) {
    this.data = data;
    this.trigger = trigger;
    this.box.style.height = `${data.height || 480}px`;
    this.svg.setAttribute("aria-label", data.texts?.aria || "map");
    for (const [name, b] of Object.entries(this.buttons)) {
      b.title = data.texts?.[name] || name;
      b.setAttribute("aria-label", b.title);
    }
    this.attr.textContent = data.attribution || "";
    this.box.classList.toggle("pp-clickable", !!data.clickable);
    this.areas = (data.areas || []).map((a) => ({ ...a, rings: a.rings.map((r) => r.map((p) => project(p[0], p[1]))) }));
    this.roads = (data.roads || []).map((r) => r.map((p) => project(p[0], p[1])));
    this.lines = (data.lines || []).map((l) => ({ ...l, xy: l.path.map((p) => project(p[0], p[1])) }));
    this.points = (data.points || []).map((p) => ({ ...p, xy: project(p.lon, p.lat) }));
    const r = this.box.getBoundingClientRect();
    if (r.width > 0) {
      this.w = r.width;
      this.h = r.height;
      this.sized = true;
    }
    if (data.fit !== this.fitKey) {
      this.fitKey = data.fit;
      this.marker = null;
      this.hideTip();
      this.fitTo(data.bbox);
    }
    if (data.marker) this.marker = { xy: project(data.marker[0], data.marker[1]), fixed: true };
    else if (this.marker?.fixed) this.marker = null;
    this.redraw();
  }

  // ---------------------------------------------------------------- view
  fitTo(bbox) {
    if (!bbox) return;
    const [x0, y1] = project(bbox[0], bbox[1]);
    const [x1, y0] = project(bbox[2], bbox[3]);
    const pad = 28;
    const sx = (this.w - 2 * pad) / Math.max(x1 - x0, 1e-9);
    const sy = (this.h - 2 * pad) / Math.max(y1 - y0, 1e-9);
    this.z = Math.max(3, Math.min(16, Math.log2(Math.min(sx, sy))));
    this.cx = (x0 + x1) / 2;
    this.cy = (y0 + y1) / 2;
  }

  zoomAt(dz, px, py) {
    const z = Math.max(7, Math.min(18, this.z + dz));
    const k0 = 2 ** this.z;
    const k1 = 2 ** z;
    const wx = this.cx + (px - this.w / 2) / k0;
    const wy = this.cy + (py - this.h / 2) / k0;
    this.cx = wx - (px - this.w / 2) / k1;
    this.cy = wy - (py - this.h / 2) / k1;
    this.z = z;
  }

  screen(xy) {
    const k = 2 ** this.z;
    return [(xy[0] - this.cx) * k + this.w / 2, (xy[1] - this.cy) * k + this.h / 2];
  }

  world(px, py) {
    const k = 2 ** this.z;
    return [this.cx + (px - this.w / 2) / k, this.cy + (py - this.h / 2) / k];
  }

  redraw() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.draw();
  }

  schedule() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw();
      });
    }
  }

  // ---------------------------------------------------------------- drawing
  draw() {
    if (!this.data) return;
    this.svg.setAttribute("width", this.w);
    this.svg.setAttribute("height", this.h);
    this.drawTiles();
    const path = (xy, close) => {
      let d = "";
      for (let i = 0; i < xy.length; i++) {
        const [x, y] = this.screen(xy[i]);
        d += `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
      }
      return close ? `${d}Z` : d;
    };
    this.gAreas.replaceChildren();
    this.areas.forEach((a) => {
      el("path", { d: a.rings.map((r) => path(r, true)).join(""), fill: a.fill, stroke: a.stroke, "stroke-width": a.width || 2, "fill-rule": "evenodd", class: "pp-area" }, this.gAreas);
    });
    this.gLines.replaceChildren();
    if (this.roads.length) {
      el("path", { d: this.roads.map((r) => path(r, false)).join(""), stroke: "rgba(150,150,150,0.75)", "stroke-width": 1, fill: "none", class: "pp-line pp-road" }, this.gLines);
    }
    this.lines.forEach((l, i) => {
      const attrs = { d: path(l.xy, false), stroke: l.colour, "stroke-width": l.width || 2, fill: "none", class: `pp-line pp-${l.kind || "line"}` };
      if (l.dashed) attrs["stroke-dasharray"] = `${2.5 * (l.width || 2)} ${1.8 * (l.width || 2)}`;
      if (l.title) attrs["data-i"] = `l${i}`;
      el("path", attrs, this.gLines);
    });
    this.gLabels.replaceChildren();
    this.gPoints.replaceChildren();
    const showNames = this.z >= (this.data.names_from_zoom || 12);
    const named = [];
    this.points.forEach((p, i) => {
      const [x, y] = this.screen(p.xy);
      if (x < -40 || y < -40 || x > this.w + 40 || y > this.h + 40) return;
      const g = el("g", { class: `pp-pt pp-${p.kind || "point"}`, "data-i": `p${i}`, transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})` }, this.gPoints);
      if (p.id) g.setAttribute("data-id", p.id);
      const r = p.label && p.label.length > 2 ? (p.r || 6) + 3 : p.r || 6;
      el("circle", { r, fill: p.fill, stroke: p.stroke || "#fff", "stroke-width": p.stroke_width || 1.5 }, g);
      if (p.label) {
        const t = el("text", { class: "pp-num", "text-anchor": "middle", dy: "0.35em" }, g);
        t.textContent = p.label;
      }
      if (p.name && (showNames || (p.prio || 0) > 0)) named.push({ p, x, y, r });
    });
    this.drawLabels(named);
    if (this.marker) {
      const [x, y] = this.screen(this.marker.xy);
      const g = el("g", { class: "pp-pt pp-marker", transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})` }, this.gPoints);
      el("circle", { r: 8, fill: "rgba(200,40,80,0.9)", stroke: "#fff", "stroke-width": 2 }, g);
    }
    this.drawScale();
  }

  // Names beside their dots, placed so that no two overprint: stops and start/end first (they are
  // named at every zoom, places only from names_from_zoom), each in the first free spot of eight
  // around its dot; a place whose dot lies within a few pixels of a named one shares that label
  // ("A / B") or, beside a stop, gives way to the stop's own name. A label with no free spot is
  // left out (its dot still shows its name on hover or tap).
  drawLabels(named) {
    const H = 16;
    this.widths ||= new Map();
    const width = (text) => {
      let w = this.widths.get(text);
      if (w === undefined) {
        const probe = el("text", { class: "pp-name", x: 0, y: -100 }, this.gLabels);
        probe.textContent = text;
        w = probe.getComputedTextLength() + 4; // the white halo
        probe.remove();
        if (!(w > 4)) {
          w = 4;
          for (const ch of text) w += ch.codePointAt(0) > 0x2e80 ? 11 : 6.5;
        } else this.widths.set(text, w);
      }
      return w;
    };
    const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
    const dots = named.filter((n) => (n.p.prio || 0) > 0).map((n) => ({ x0: n.x - n.r, y0: n.y - n.r, x1: n.x + n.r, y1: n.y + n.r, n }));
    named.sort((a, b) => (b.p.prio || 0) - (a.p.prio || 0));
    const groups = [];
    for (const n of named) {
      const near = groups.find((g) => Math.hypot(g.x - n.x, g.y - n.y) < 6);
      if (!near) groups.push({ x: n.x, y: n.y, r: n.r, prio: n.p.prio || 0, names: [n.p.name] });
      else if ((near.prio || 0) === (n.p.prio || 0) && !near.names.includes(n.p.name)) near.names.push(n.p.name);
    }
    const placed = [{ x0: this.w - 52, y0: 0, x1: this.w, y1: 132 }]; // the zoom buttons
    const inside = (b) => b.x0 >= 2 && b.y0 >= 2 && b.x1 <= this.w - 2 && b.y1 <= this.h - 2;
    for (const g of groups) {
      const text = g.names.length > 3 ? `${g.names.slice(0, 3).join(" / ")} +${g.names.length - 3}` : g.names.join(" / ");
      const w = width(text);
      const d = g.r + 3;
      const spots = [
        [g.x + d, g.y - H / 2],
        [g.x - d - w, g.y - H / 2],
        [g.x - w / 2, g.y - d - H],
        [g.x - w / 2, g.y + d],
        [g.x + d * 0.7, g.y - d * 0.7 - H],
        [g.x + d * 0.7, g.y + d * 0.7],
        [g.x - d * 0.7 - w, g.y - d * 0.7 - H],
        [g.x - d * 0.7 - w, g.y + d * 0.7],
      ];
      const free = (box) =>
        !placed.some((b) => overlaps(b, box)) && !dots.some((b) => overlaps(b, box) && Math.hypot(b.n.x - g.x, b.n.y - g.y) >= 6);
      const boxes = spots.map(([x0, y0]) => ({ x0, y0, x1: x0 + w, y1: y0 + H }));
      // inside the map if it can be; a stop's name partly off the edge rather than none
      const box = boxes.find((b) => inside(b) && free(b)) || (g.prio > 0 ? boxes.find(free) : null);
      if (box) {
        const x0 = box.x0;
        const y0 = box.y0;
        placed.push(box);
        const t = el("text", { class: "pp-name", x: (x0 + 2).toFixed(1), y: (y0 + H / 2).toFixed(1), dy: "0.35em" }, this.gLabels);
        t.textContent = text;
      }
    }
  }

  drawTiles() {
    const url = this.data.tiles;
    if (!url) {
      this.gTiles.replaceChildren();
      return;
    }
    const zt = Math.max(0, Math.min(18, Math.round(this.z)));
    const size = TILE * 2 ** (this.z - zt);
    const [wx0, wy0] = this.world(0, 0);
    const [wx1, wy1] = this.world(this.w, this.h);
    const n = 2 ** zt;
    const tx0 = Math.max(0, Math.floor((wx0 / TILE) * n));
    const ty0 = Math.max(0, Math.floor((wy0 / TILE) * n));
    const tx1 = Math.min(n - 1, Math.floor((wx1 / TILE) * n));
    const ty1 = Math.min(n - 1, Math.floor((wy1 / TILE) * n));
    const keep = new Set();
    for (let tx = tx0; tx <= tx1; tx++) {
      for (let ty = ty0; ty <= ty1; ty++) {
        const key = `${zt}/${tx}/${ty}`;
        if (this.failed.has(key)) continue;
        keep.add(key);
        let img = this.tiles.get(key);
        if (!img) {
          img = el("image", { href: url.replace("{z}", zt).replace("{x}", tx).replace("{y}", ty), opacity: 0 }, this.gTiles);
          img.addEventListener("load", () => {
            img.setAttribute("opacity", 0.85);
            this.attr.hidden = !this.data.attribution;
          });
          img.addEventListener("error", () => {
            this.failed.add(key);
            img.remove();
            this.tiles.delete(key);
          });
          this.tiles.set(key, img);
        }
        const [x, y] = this.screen([(tx / n) * TILE, (ty / n) * TILE]);
        img.setAttribute("x", x.toFixed(1));
        img.setAttribute("y", y.toFixed(1));
        img.setAttribute("width", (size + 0.5).toFixed(1));
        img.setAttribute("height", (size + 0.5).toFixed(1));
      }
    }
    for (const [key, img] of this.tiles) {
      if (!keep.has(key)) {
        img.remove();
        this.tiles.delete(key);
      }
    }
  }

  drawScale() {
    const lat = unproject(this.cx, this.cy)[1];
    const mpp = (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (TILE * 2 ** this.z);
    const metres = NICE.filter((m) => m / mpp <= 110).pop() || NICE[0];
    this.scale.style.width = `${Math.round(metres / mpp)}px`;
    this.scale.textContent = metres >= 1000 ? `${metres / 1000} km` : `${metres} m`;
  }

  // ---------------------------------------------------------------- interaction
  feature(target) {
    const hit = target.closest?.("[data-i]");
    if (!hit) return null;
    const i = hit.getAttribute("data-i");
    return i[0] === "p" ? this.points[Number(i.slice(1))] : this.lines[Number(i.slice(1))];
  }

  showTip(f, px, py) {
    if (!f?.title) return this.hideTip();
    this.tip.replaceChildren();
    html("b", "", this.tip).textContent = f.title;
    if (f.body) html("div", "", this.tip).textContent = f.body;
    this.tip.hidden = false;
    const tw = this.tip.offsetWidth;
    const th = this.tip.offsetHeight;
    this.tip.style.left = `${Math.max(4, Math.min(this.w - tw - 4, px + 12))}px`;
    this.tip.style.top = `${Math.max(4, py - th - 12 < 4 ? py + 14 : py - th - 12)}px`;
  }

  showHint() {
    this.hint.textContent = this.data.texts?.two_fingers || "";
    if (!this.hint.textContent) return;
    this.hint.hidden = false;
    clearTimeout(this.hintTimer);
    this.hintTimer = setTimeout(() => {
      this.hint.hidden = true;
    }, 1600);
  }

  // After a click picks a place, bring the card that shows it (data.reveal, a CSS selector of
  // the page) into view: on a phone the card sits above the form, far from the map.
  reveal() {
    const sel = this.data.reveal;
    if (!sel) return;
    clearInterval(this.revealTimer);
    const until = Date.now() + 8000;
    let steady = 0;
    this.revealTimer = setInterval(() => {
      const hit = document.querySelector(sel);
      const card = hit?.closest("[data-testid=stVerticalBlockBorderWrapper]") || hit?.closest("[data-testid=stVerticalBlock]") || hit;
      if (card) {
        const r = card.getBoundingClientRect();
        const inView = r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
        if (!inView) {
          card.scrollIntoView({ block: "center", behavior: "auto" });
          steady = 0;
        } else steady += 1;
      }
      if (steady >= 5 || Date.now() > until) clearInterval(this.revealTimer);
    }, 120);
  }

  hideTip() {
    this.tip.hidden = true;
  }

  local(e) {
    const r = this.svg.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  listen() {
    const svg = this.svg;
    svg.addEventListener("pointerdown", (e) => {
      svg.setPointerCapture?.(e.pointerId);
      const [x, y] = this.local(e);
      this.pointers.set(e.pointerId, { x, y, x0: x, y0: y, target: e.target, touch: e.pointerType === "touch" });
      this.moved = false;
      this.pinch = null;
    });
    svg.addEventListener("pointermove", (e) => {
      const [x, y] = this.local(e);
      const p = this.pointers.get(e.pointerId);
      if (!p) {
        if (e.pointerType === "mouse") {
          const f = this.feature(e.target);
          if (f?.title) this.showTip(f, x, y);
          else if (!this.pinned) this.hideTip();
        }
        return;
      }
      if (this.pointers.size === 2) {
        const [a, b] = [...this.pointers.values()];
        p.x = x;
        p.y = y;
        const d = Math.hypot(a.x - b.x, a.y - b.y);
        const mx = (a.x + b.x) / 2;
        const my = (a.y + b.y) / 2;
        if (this.pinch) {
          this.zoomAt(Math.log2(d / this.pinch.d), mx, my);
          const k = 2 ** this.z;
          this.cx -= (mx - this.pinch.mx) / k;
          this.cy -= (my - this.pinch.my) / k;
        }
        this.pinch = { d, mx, my };
        this.moved = true;
        this.schedule();
        return;
      }
      const k = 2 ** this.z;
      if (p.touch) {
        // one finger scrolls the page (touch-action: pan-y) and never drags the map: two do
        if (Math.hypot(x - p.x0, y - p.y0) > 8) {
          if (!this.moved && Math.abs(x - p.x0) > Math.abs(y - p.y0)) this.showHint();
          this.moved = true;
        }
        return;
      }
      if (this.moved || Math.hypot(x - p.x0, y - p.y0) > 5) {
        this.moved = true;
        this.cx -= (x - p.x) / k;
        this.cy -= (y - p.y) / k;
        this.box.classList.add("pp-dragging");
        this.schedule();
      }
      p.x = x;
      p.y = y;
    });
    const end = (e) => {
      const p = this.pointers.get(e.pointerId);
      this.pointers.delete(e.pointerId);
      if (this.pointers.size < 2) this.pinch = null;
      this.box.classList.remove("pp-dragging");
      if (!p || this.moved || e.type === "pointercancel") return;
      this.click(e, p.target);
    };
    // two fingers pan and pinch the map, not the page
    svg.addEventListener(
      "touchmove",
      (e) => {
        if (e.touches.length >= 2 && e.cancelable) e.preventDefault();
      },
      { passive: false },
    );
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const [x, y] = this.local(e);
        this.zoomAt(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002), x, y);
        this.schedule();
      },
      { passive: false },
    );
    svg.addEventListener("dblclick", (e) => {
      e.preventDefault();
      const [x, y] = this.local(e);
      this.zoomAt(1, x, y);
      this.schedule();
    });
    svg.addEventListener("keydown", (e) => {
      const step = 60 / 2 ** this.z;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[e.key]) {
        this.cx += moves[e.key][0];
        this.cy += moves[e.key][1];
      } else if (e.key === "+" || e.key === "=") this.zoomAt(1, this.w / 2, this.h / 2);
      else if (e.key === "-") this.zoomAt(-1, this.w / 2, this.h / 2);
      else return;
      e.preventDefault();
      this.schedule();
    });
  }

  click(e, target) {
    const [x, y] = this.local(e);
    const f = this.feature(target);
    if (f) {
      this.pinned = true;
      this.showTip(f, x, y);
      if (f.id && this.data.selectable !== false) {
        this.trigger?.("select", { id: f.id, lon: f.lon, lat: f.lat });
        this.reveal();
      }
      return;
    }
    this.pinned = false;
    this.hideTip();
    if (this.data.clickable) {
      const xy = this.world(x, y);
      const [lon, lat] = unproject(xy[0], xy[1]);
      this.marker = { xy, fixed: false };
      this.draw();
      this.trigger?.("select", { lon: Math.round(lon * 1e6) / 1e6, lat: Math.round(lat * 1e6) / 1e6 });
      this.reveal();
    }
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let map = maps.get(parentElement);
  if (!map) {
    map = new PlannerMap(parentElement);
    maps.set(parentElement, map);
  }
  map.update(data || {}, setTriggerValue);
}
