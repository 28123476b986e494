// Pinggu Planner's map, on Leaflet 1.9.4 (vendored from the npm registry into leaflet/).
//
// Streamlit serves this folder (static/, `server.enableStaticServing`), so the browser loads and
// caches this module and Leaflet once; the components-v2 component of webapp/mapview/__init__.py
// is a small loader that imports it and calls `render` on every rerun.
//
// Python sends a JSON spec (webapp/maps.py): the district and
// its neighbours, roads by class when a network is built, places, numbered stops, legs per day
// (dashed where estimated), an optional tile URL. Streamlit calls the default export on every
// rerun; the map and its layers live on per container, and each layer group is rebuilt only when
// its part of the spec changed. Large, static layers (the base map, the roads) come once per
// session under a key: later reruns send only the key, and the layer is kept here by key.
//
// Touch: one finger drags, two pinch; a tap on a stop opens its card and picks it. Keyboard: the
// map pans with the arrows and zooms with + and -, every stop is a focusable button (Enter picks
// it), and a list of the stops for screen readers sits beside the map.


import "./leaflet/leaflet.js"; // the UMD build: it sets window.L

const maps = new WeakMap();
const kept = new Map(); // static layers' payloads by key: they survive a remount of the map

const H = 16; // label height, px

function escapeText(text) {
  const d = document.createElement("div");
  d.textContent = text == null ? "" : String(text);
  return d.innerHTML;
}

function html(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

function latlngs(path) {
  return path.map((p) => [p[1], p[0]]);
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

class PlannerMap {
  constructor(root) {
    this.box = html("div", "pp-map", root);
    this.box.setAttribute("data-testid", "ppMap");
    this.canvas = html("div", "pp-leaflet", this.box);
    this.canvas.setAttribute("role", "application");
    this.canvas.tabIndex = 0;
    this.labels = html("div", "pp-labels", this.box);
    this.note = html("div", "pp-note", this.box);
    this.note.hidden = true;
    this.list = html("ul", "pp-sr-only", this.box);
    this.map = L.map(this.canvas, {
      zoomControl: false,
      attributionControl: true,
      minZoom: 7,
      maxZoom: 18,
      zoomSnap: 0.25,
      wheelPxPerZoomLevel: 90,
      doubleClickZoom: true,
      keyboard: true,
      tapTolerance: 12,
    });
    this.map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    this.map.createPane("pp-neighbours").style.zIndex = 240;
    this.map.createPane("pp-base").style.zIndex = 250;
    this.map.createPane("pp-water").style.zIndex = 260; // lakes, rivers, the Great Wall: over the district's tint
    this.map.createPane("pp-roads").style.zIndex = 300;
    this.map.createPane("pp-lines").style.zIndex = 420;
    this.map.createPane("pp-places").style.zIndex = 450;
    this.roadRenderer = L.canvas({ pane: "pp-roads", padding: 0.2 });
    this.groups = {};
    for (const name of ["base", "district", "roads", "lines", "places", "planned", "marker", "me"]) {
      this.groups[name] = L.layerGroup().addTo(this.map);
    }
    this.sig = {};
    this.namedPlaces = [];
    this.namedPlanned = [];
    this.widths = new Map();
    this.zoom = L.control.zoom({ position: "topright" }).addTo(this.map);
    this.scale = L.control.scale({ imperial: false, position: "topleft" }).addTo(this.map);
    this.controls();
    this.listen();
    this.sized = false;
    new ResizeObserver(() => {
      const r = this.box.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) {
        this.map.invalidateSize({ animate: false });
        if (!this.sized && this.data) {
          this.sized = true;
          this.fit();
        }
        this.placeLabels();
      }
    }).observe(this.box);
  }

  controls() {
    const self = this;
    const Buttons = L.Control.extend({
      onAdd() {
        const bar = L.DomUtil.create("div", "leaflet-bar pp-extra");
        self.fitButton = L.DomUtil.create("a", "pp-fit", bar);
        self.fitButton.href = "#";
        self.fitButton.setAttribute("role", "button");
        self.fitButton.textContent = "⤢";
        self.locateButton = L.DomUtil.create("a", "pp-locate", bar);
        self.locateButton.href = "#";
        self.locateButton.setAttribute("role", "button");
        self.locateButton.textContent = "◎";
        self.locateButton.hidden = true;
        L.DomEvent.disableClickPropagation(bar);
        L.DomEvent.on(self.fitButton, "click", (e) => {
          L.DomEvent.preventDefault(e);
          self.fit();
        });
        L.DomEvent.on(self.locateButton, "click", (e) => {
          L.DomEvent.preventDefault(e);
          self.toggleLocate();
        });
        return bar;
      },
    });
    new Buttons({ position: "topright" }).addTo(this.map);
  }

  listen() {
    this.map.on("zoomstart", () => {
      this.labels.hidden = true;
    });
    this.map.on("zoomend moveend resize", () => {
      this.labels.hidden = false;
      this.placeLabels();
    });
    this.map.on("dragstart", () => {
      this.following = false;
    });
    // A click on the map (operators: "the place is here") waits a moment: the second click of a
    // double click zooms instead, and never sends a second pick.
    this.map.on("click", (e) => {
      if (!this.data?.clickable) return;
      clearTimeout(this.clickTimer);
      this.clickTimer = setTimeout(() => this.pickPoint(e.latlng), 260);
    });
    this.map.on("dblclick", () => clearTimeout(this.clickTimer));
  }

  // ---------------------------------------------------------------- data
  update(data, trigger) {
    this.data = data;
    this.trigger = trigger;
    this.box.style.height = data.height_css || `${data.height || 480}px`;
    const texts = data.texts || {};
    this.canvas.setAttribute("aria-label", texts.aria || "map");
    this.zoom._zoomInButton.title = texts.zoom_in || "+";
    this.zoom._zoomInButton.setAttribute("aria-label", this.zoom._zoomInButton.title);
    this.zoom._zoomOutButton.title = texts.zoom_out || "-";
    this.zoom._zoomOutButton.setAttribute("aria-label", this.zoom._zoomOutButton.title);
    this.fitButton.title = texts.fit || "fit";
    this.fitButton.setAttribute("aria-label", this.fitButton.title);
    this.locateButton.title = texts.locate || "locate";
    this.locateButton.setAttribute("aria-label", this.locateButton.title);
    this.locateButton.hidden = !data.locate;
    this.box.classList.toggle("pp-clickable", !!data.clickable);
    this.map.invalidateSize({ animate: false });
    // the view first: Leaflet builds a vector layer's element only once the map has a view
    const refit = data.fit !== this.fitKey;
    if (refit) {
      this.fitKey = data.fit;
      this.fit();
    }

    this.staticLayer("base", data.base, (payload, group) => this.drawBase(payload, group));
    this.staticLayer("roads", data.roads, (payload, group) => this.drawRoads(payload, group));
    this.staticLayer("district", data.district, (payload) => this.drawAreas(payload.areas || []));
    this.staticLayer("places", data.places, (payload, group) => {
      this.namedPlaces = this.drawPoints(payload.points || [], group);
    });
    this.part("tiles", [data.tiles, data.attribution], () => this.drawTiles(data.tiles, data.attribution));
    this.part("lines", data.lines, () => this.drawLines(data.lines || []));
    this.part("points", data.points, () => {
      this.list.replaceChildren();
      this.groups.planned.clearLayers();
      this.namedPlanned = this.drawPoints(data.points || [], this.groups.planned);
    });
    if (refit) delete this.sig.marker; // a new view forgets a point clicked on the old one
    this.part("marker", data.marker, () => this.drawMarker(data.marker));
    this.part("credits", data.credits, () => {
      if (this.credits) this.map.attributionControl.removeAttribution(this.credits);
      this.credits = data.credits ? escapeText(data.credits) : null;
      if (this.credits) this.map.attributionControl.addAttribution(this.credits);
    });
    this.showNote();

    this.placeLabels();
  }

  part(name, value, draw) {
    if (name in this.sig && same(this.sig[name], value)) return;
    this.sig[name] = value;
    draw();
  }

  // A static layer: {key, ...payload} the first time in a session, {key} after; drawn once per key.
  staticLayer(name, spec, draw) {
    const group = this.groups[name];
    if (!spec) {
      if (this.sig[name] !== null) group.clearLayers();
      this.sig[name] = null;
      return;
    }
    if (spec.key && Object.keys(spec).length > 1) kept.set(spec.key, spec);
    const payload = kept.get(spec.key);
    if (!payload) {
      // the browser lost it (a reload in the same session): ask Python to send it again
      this.trigger?.("need", { layer: name, key: spec.key });
      return;
    }
    if (this.sig[name] === spec.key) return;
    this.sig[name] = spec.key;
    group.clearLayers();
    draw(payload, group);
  }

  fit() {
    const b = this.data?.bbox;
    if (!b) {
      if (!this.map._loaded) this.map.setView([40.19, 117.12], 10, { animate: false });
      return;
    }
    this.map.fitBounds(
      [
        [b[1], b[0]],
        [b[3], b[2]],
      ],
      { padding: [28, 28], animate: false, maxZoom: 15 },
    );
  }

  // ---------------------------------------------------------------- layers
  drawBase(payload, group) {
    for (const a of payload.areas || []) {
      L.polygon(
        a.rings.map((r) => latlngs(r)),
        { pane: "pp-neighbours", color: a.stroke, weight: a.width || 1, fillColor: a.fill, fillOpacity: 1, interactive: false, className: "pp-neighbour" },
      ).addTo(group);
    }
    for (const a of payload.water || []) {
      L.polygon(
        a.rings.map((r) => latlngs(r)),
        { pane: "pp-water", color: a.stroke, weight: a.width || 1, fillColor: a.fill, fillOpacity: 1, interactive: false, className: "pp-water" },
      ).addTo(group);
    }
    for (const l of payload.lines || []) {
      L.polyline(latlngs(l.path), {
        pane: "pp-water",
        color: l.colour,
        weight: l.width || 1,
        dashArray: l.dashed ? "6 3" : null,
        interactive: false,
        className: "pp-base-line",
      }).addTo(group);
    }
    this.baseLabels = payload.labels || [];
    this.towns = payload.towns || [];
  }

  drawRoads(payload, group) {
    for (const cls of payload.classes || []) {
      for (const line of cls.lines) {
        L.polyline(latlngs(line), {
          renderer: this.roadRenderer,
          color: cls.colour,
          weight: cls.width,
          opacity: 0.9,
          interactive: false,
        }).addTo(group);
      }
    }
  }

  drawAreas(areas) {
    const group = this.groups.district;
    for (const a of areas) {
      L.polygon(
        a.rings.map((r) => latlngs(r)),
        { pane: "pp-base", color: a.stroke, weight: a.width || 2, fillColor: a.fill, fillOpacity: 1, interactive: false, className: "pp-area" },
      ).addTo(group);
    }
  }

  drawTiles(url, attribution) {
    if (this.tiles) {
      this.map.removeLayer(this.tiles);
      this.tiles = null;
    }
    if (this.tileCredit) this.map.attributionControl.removeAttribution(this.tileCredit);
    this.tileCredit = null;
    this.tilesOk = false;
    clearTimeout(this.tileTimer);
    if (!url) return;
    // the tiles' attribution shows once a tile has loaded: a map without them credits only us
    const credit = escapeText(attribution);
    const layer = L.tileLayer(url, { maxZoom: 18, crossOrigin: true });
    layer.on("tileload", () => {
      if (!this.tilesOk) this.map.attributionControl.addAttribution(credit);
      this.tilesOk = true;
      this.tileCredit = credit;
      this.showNote();
    });
    layer.addTo(this.map);
    this.tiles = layer;
    // Unreachable tiles (offline): take the layer away after a while; our own layers stay.
    this.tileTimer = setTimeout(() => {
      if (!this.tilesOk && this.tiles === layer) {
        this.map.removeLayer(layer);
        this.tiles = null;
        this.showNote();
      }
    }, 6000);
  }

  showNote() {
    const text = this.data?.note;
    this.note.hidden = !text || this.tilesOk;
    this.note.textContent = text || "";
  }

  drawLines(lines) {
    const group = this.groups.lines;
    group.clearLayers();
    for (const l of lines) {
      const w = l.width || 2;
      const line = L.polyline(latlngs(l.path), {
        pane: "pp-lines",
        color: l.colour,
        weight: w,
        opacity: 1,
        dashArray: l.dashed ? `${2.5 * w} ${1.8 * w}` : null,
        lineCap: "round",
        lineJoin: "round",
        className: `pp-${l.kind || "line"}`,
      });
      if (l.title) line.bindTooltip(this.tipHtml(l), { sticky: true, direction: "top", className: "pp-tip" });
      line.addTo(group);
    }
  }

  tipHtml(f) {
    return `<b>${escapeText(f.title)}</b>${f.body ? `<div>${escapeText(f.body)}</div>` : ""}`;
  }

  // Points into `group`; returns those with a name, for the labels. Stops and start/end go into
  // the screen readers' list too.
  drawPoints(points, group) {
    const named = [];
    const texts = this.data.texts || {};
    for (const p of points) {
      let layer;
      if (p.label) {
        const size = 2 * (p.label.length > 2 ? (p.r || 10) + 3 : p.r || 10);
        const icon = L.divIcon({
          className: `pp-pt pp-badge pp-${p.kind || "stop"}`,
          html: `<span class="pp-num" style="background:${p.fill}">${escapeText(p.label)}</span>`,
          iconSize: [size, size],
          iconAnchor: [size / 2, size / 2],
        });
        layer = L.marker([p.lat, p.lon], {
          icon,
          keyboard: true,
          title: p.title || "",
          alt: p.title || "",
          riseOnHover: true,
          zIndexOffset: 1000 + (p.prio || 0) * 100,
        });
        layer.on("add", () => {
          const el = layer.getElement();
          if (!el) return;
          el.setAttribute("role", "button");
          el.setAttribute("aria-label", `${p.title || ""} ${p.body || ""}`.trim());
          if (p.id) el.setAttribute("data-id", p.id);
          // a button: Enter or Space picks it (and no keypress follows to pick it twice)
          el.addEventListener("keydown", (ev) => {
            if (ev.key !== "Enter" && ev.key !== " ") return;
            ev.preventDefault();
            layer.openPopup();
            layer.fire("click");
          });
        });
        layer.addTo(group);
      } else {
        layer = L.circleMarker([p.lat, p.lon], {
          pane: "pp-places",
          radius: p.r || 5,
          color: p.stroke || "#fff",
          weight: p.stroke_width || 1.5,
          fillColor: p.fill,
          fillOpacity: 1,
          className: `pp-pt pp-${p.kind || "place"}`,
        });
        if (p.id) layer.on("add", () => layer.getElement()?.setAttribute("data-id", p.id));
        layer.addTo(group);
      }
      if (p.title) {
        layer.bindTooltip(this.tipHtml(p), { direction: "top", offset: [0, -8], className: "pp-tip" });
        layer.bindPopup(this.tipHtml(p), { className: "pp-popup", autoPanPadding: [16, 16] });
      }
      layer.on("click", (e) => {
        L.DomEvent.stopPropagation(e);
        clearTimeout(this.clickTimer);
        if (p.id && this.data.selectable !== false) {
          this.trigger?.("select", { id: p.id, lon: p.lon, lat: p.lat });
          this.reveal();
        }
      });
      if (p.name) named.push({ p, layer });
      if (p.kind === "stop" || p.kind === "end") {
        const li = html("li", "", this.list);
        const b = html("button", "", li);
        b.type = "button";
        b.textContent = `${p.title || p.name}${p.body ? ` (${p.body})` : ""}`;
        b.addEventListener("click", () => {
          this.map.setView([p.lat, p.lon], Math.max(this.map.getZoom(), 13));
          layer.openPopup();
          if (p.id) this.trigger?.("select", { id: p.id, lon: p.lon, lat: p.lat });
        });
      }
    }
    this.list.setAttribute("aria-label", texts.stops || "stops");
    return named;
  }

  drawMarker(m) {
    this.groups.marker.clearLayers();
    if (!m) return;
    L.circleMarker([m[1], m[0]], { radius: 8, color: "#fff", weight: 2, fillColor: "#c8284f", fillOpacity: 0.95, className: "pp-marker", interactive: false }).addTo(
      this.groups.marker,
    );
  }

  pickPoint(latlng) {
    const lon = Math.round(latlng.lng * 1e6) / 1e6;
    const lat = Math.round(latlng.lat * 1e6) / 1e6;
    this.drawMarker([lon, lat]);
    this.trigger?.("select", { lon, lat });
    this.reveal();
  }

  // ---------------------------------------------------------------- where the visitor is
  toggleLocate() {
    if (this.watch != null) {
      navigator.geolocation.clearWatch(this.watch);
      this.watch = null;
      this.following = false;
      this.groups.me.clearLayers();
      this.locateButton.classList.remove("pp-on");
      return;
    }
    if (!navigator.geolocation) return;
    this.following = true;
    this.locateButton.classList.add("pp-on");
    this.watch = navigator.geolocation.watchPosition(
      (pos) => this.here(pos.coords),
      () => {
        this.locateButton.classList.remove("pp-on");
        this.watch = null;
      },
      { enableHighAccuracy: true, maximumAge: 15000, timeout: 20000 },
    );
  }

  here(c) {
    const at = [c.latitude, c.longitude];
    this.groups.me.clearLayers();
    L.circle(at, { radius: Math.max(c.accuracy || 0, 10), color: "#266ebe", weight: 1, fillOpacity: 0.12, interactive: false }).addTo(
      this.groups.me,
    );
    L.circleMarker(at, { radius: 7, color: "#fff", weight: 2, fillColor: "#266ebe", fillOpacity: 1, interactive: false, className: "pp-me" }).addTo(
      this.groups.me,
    );
    if (this.following) this.map.panTo(at, { animate: true });
    // tell Python only when it matters: the first fix, then every 100 m or 2 minutes
    const last = this.sent;
    const now = Date.now();
    const moved = last ? this.map.distance(at, last.at) : Infinity;
    if (!last || moved > 100 || now - last.t > 120000) {
      this.sent = { at, t: now };
      this.trigger?.("position", {
        lon: Math.round(c.longitude * 1e6) / 1e6,
        lat: Math.round(c.latitude * 1e6) / 1e6,
        accuracy_m: Math.round(c.accuracy || 0),
      });
    }
  }

  // ---------------------------------------------------------------- names beside their dots
  // Placed so that no two overprint: stops and start/end first (named at every zoom), places only
  // from names_from_zoom, each in the first free spot of eight around its dot; dots within a few
  // pixels share one label ("A / B"). A label with no free spot is left out (its dot still shows
  // its name on hover or tap). Neighbouring districts' names go in where there is room.
  placeLabels() {
    if (!this.data || !this.map._loaded) return;
    const size = this.map.getSize();
    const W = size.x;
    const Hh = size.y;
    const showNames = this.map.getZoom() >= (this.data.names_from_zoom || 12);
    const items = [];
    for (const n of [...this.namedPlanned, ...this.namedPlaces]) {
      const pt = this.map.latLngToContainerPoint([n.p.lat, n.p.lon]);
      const margin = n.p.prio > 0 ? 40 : -2; // a place is named only when its dot is in view
      if (pt.x < -margin || pt.y < -margin || pt.x > W + margin || pt.y > Hh + margin) continue;
      if (!showNames && !(n.p.prio > 0)) continue;
      const r = n.p.label ? (n.p.label.length > 2 ? (n.p.r || 10) + 3 : n.p.r || 10) : n.p.r || 5;
      items.push({ x: pt.x, y: pt.y, r, prio: n.p.prio || 0, name: n.p.name });
    }
    const width = (text, cls) => {
      const k = `${cls}|${text}`;
      let w = this.widths.get(k);
      if (w === undefined) {
        const probe = html("span", cls, this.labels);
        probe.textContent = text;
        w = probe.getBoundingClientRect().width + 2;
        probe.remove();
        if (!(w > 2)) {
          w = 4;
          for (const ch of text) w += ch.codePointAt(0) > 0x2e80 ? 11 : 6.5;
        } else this.widths.set(k, w);
      }
      return w;
    };
    const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
    const dots = items.filter((n) => n.prio > 0).map((n) => ({ x0: n.x - n.r, y0: n.y - n.r, x1: n.x + n.r, y1: n.y + n.r, n }));
    items.sort((a, b) => b.prio - a.prio);
    const groups = [];
    for (const n of items) {
      const near = groups.find((g) => Math.hypot(g.x - n.x, g.y - n.y) < 6);
      if (!near) groups.push({ x: n.x, y: n.y, r: n.r, prio: n.prio, names: [n.name] });
      else if (near.prio === n.prio && !near.names.includes(n.name)) near.names.push(n.name);
    }
    // what the controls, the note and the credits cover
    const origin = this.box.getBoundingClientRect();
    const placed = [...this.box.querySelectorAll(".leaflet-control, .pp-note:not([hidden])")].map((c) => {
      const r = c.getBoundingClientRect();
      return { x0: r.left - origin.left - 2, y0: r.top - origin.top - 2, x1: r.right - origin.left + 2, y1: r.bottom - origin.top + 2 };
    });
    const inside = (b) => b.x0 >= 2 && b.y0 >= 2 && b.x1 <= W - 2 && b.y1 <= Hh - 2;
    const out = [];
    for (const g of groups) {
      const text = g.names.length > 3 ? `${g.names.slice(0, 3).join(" / ")} +${g.names.length - 3}` : g.names.join(" / ");
      const w = Math.min(width(text, "pp-name"), W - 8);
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
      // always inside the map: a name is never cut by its edge; a stop's long name that fits
      // nowhere whole is shortened to the room there is (ending in "…", the whole in its tooltip)
      let box = boxes.find((b) => inside(b) && free(b));
      if (!box && g.prio > 0) {
        const room = [
          { x0: g.x + d, y0: g.y - H / 2, x1: W - 2, y1: g.y + H / 2 },
          { x0: 2, y0: g.y - H / 2, x1: g.x - d, y1: g.y + H / 2 },
          { x0: 2, y0: g.y - d - H, x1: W - 2, y1: g.y - d },
          { x0: 2, y0: g.y + d, x1: W - 2, y1: g.y + d + H },
        ].map((b) => (b.x1 - b.x0 > w && b.x0 === 2 && b.x1 === W - 2 ? { ...b, x0: g.x - w / 2, x1: g.x + w / 2 } : b));
        box = room.find((b) => b.x1 - b.x0 >= 60 && inside(b) && free(b));
      }
      if (box) {
        placed.push(box);
        out.push({ text, box, cls: "pp-name", w: Math.min(w, box.x1 - box.x0) });
      }
    }
    const towns = this.map.getZoom() >= 10 ? this.towns || [] : (this.towns || []).filter((b) => b.town);
    for (const b of [...(this.baseLabels || []), ...towns.map((t) => ({ ...t, cls: "pp-town" }))]) {
      const pt = this.map.latLngToContainerPoint([b.lat, b.lon]);
      const text = b.name;
      const cls = b.cls || "pp-base-name";
      const w = width(text, cls);
      const box = { x0: pt.x - w / 2, y0: pt.y - H / 2, x1: pt.x + w / 2, y1: pt.y + H / 2 };
      if (inside(box) && !placed.some((p) => overlaps(p, box)) && !dots.some((p) => overlaps(p, box))) {
        placed.push(box);
        out.push({ text, box, cls, w });
      }
    }
    this.labels.replaceChildren();
    for (const o of out) {
      const s = html("span", o.cls, this.labels);
      s.textContent = o.text;
      s.style.transform = `translate(${Math.round(o.box.x0 + 1)}px, ${Math.round(o.box.y0)}px)`;
      s.style.maxWidth = `${Math.ceil(o.w)}px`;
    }
  }

  // After a click picks a place, bring the card that shows it (data.reveal, a CSS selector of
  // the page) into view: on a phone the card sits away from the map.
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
}

export function render(component) {
  const { data, parentElement, setTriggerValue } = component;
  let map = maps.get(parentElement);
  if (!map) {
    map = new PlannerMap(parentElement);
    maps.set(parentElement, map);
  }
  map.update(data || {}, setTriggerValue);
}
