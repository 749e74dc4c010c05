/* chipgraph page script: draws the graph held in <script id="graph-data"> with vis-network.
 *
 * Safety: the data is read with JSON.parse (never eval) and every label, title and note is put
 * into the page with textContent, never innerHTML; vis-network receives plain-text labels and no
 * `title` (its tooltips are replaced by ours), and links are only made for http(s) URLs.
 * The data is a pyvis network (graph.render.graphpage): nodes with their vis-network group, edges,
 * and options built through pyvis (physics off, because positions come precomputed from Python, and
 * a fixed layout seed, so the layout is deterministic) with the class colours as vis groups.
 */
(function () {
  "use strict";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : null;
  }

  function sourceItem(src, clickable) {
    var li = el("li");
    var url = safeUrl(src.url);
    var title = src.title || "(untitled source)";
    if (url && clickable) {
      var a = el("a", title);
      a.href = url;
      a.rel = "noopener noreferrer";
      li.appendChild(a);
    } else {
      li.appendChild(el("span", title, "src-title"));
    }
    var meta = [src.publisher, src.date].filter(Boolean).join(", ");
    if (meta) li.appendChild(el("span", " — " + meta, "src-meta"));
    if (url && !clickable) li.appendChild(el("div", url, "src-url"));
    return li;
  }

  var dataNode = document.getElementById("graph-data");
  var container = document.getElementById("graph");
  if (!dataNode || !container || typeof vis === "undefined") return;
  var data = JSON.parse(dataNode.textContent);
  var visOptions = data.options || {};
  var groups = {};  /* class -> colour, for the nodes and the legend */
  Object.keys(visOptions.groups || {}).forEach(function (g) { groups[g] = visOptions.groups[g].color.background; });
  var byId = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); });
  var hidden = data.hidden || [];  /* nodes not drawn (page capped): searchable, details only */
  var hiddenById = new Map();
  hidden.forEach(function (n) { hiddenById.set(n.id, n); });
  var edgeById = new Map();
  data.edges.forEach(function (e) { edgeById.set(e.id, e); });
  var big = data.nodes.length > 800;

  function nodeStyle(n) {
    var marks = n.marks || [];
    var style = {
      id: n.id, label: n.label, group: n.group, x: n.x, y: n.y, shape: n.shape || "dot", size: n.size || 12,
      color: { background: groups[n.group] || "#cccccc", border: "#444444",
               highlight: { background: groups[n.group] || "#cccccc", border: "#000000" } },
      borderWidth: 1, font: { size: n.fontSize || 14, color: "#222222" }
    };
    if (marks.indexOf("listed") >= 0 || marks.indexOf("cut") >= 0) {
      style.color.border = "#c00000";
      style.borderWidth = 4;
    }
    if (marks.indexOf("cut") >= 0) style.shapeProperties = { borderDashes: [6, 4] };
    if (marks.indexOf("chokepoint") >= 0) {
      style.shape = "star";
      style.size = 22;
      style.color.border = "#c00000";
      style.borderWidth = 3;
    }
    if (marks.indexOf("root") >= 0) { style.size = 26; style.font = { size: 20, bold: true }; }
    return style;
  }

  function edgeStyle(e) {
    var style = { id: e.id, from: e.from, to: e.to, label: big ? undefined : e.label, arrows: "to",
                  color: { color: "#8a8a8a", highlight: "#000000" }, width: 1 };
    if (e.cut) { style.color = { color: "#c00000", highlight: "#800000" }; style.dashes = true; style.width = 2; }
    if (e.critical) { style.width = 3; style.color = { color: "#c00000", highlight: "#800000" }; }
    return style;
  }

  var nodes = new vis.DataSet(data.nodes.map(nodeStyle));
  var edges = new vis.DataSet(data.edges.map(edgeStyle));
  var shownClasses = new Set(Object.keys(groups));
  var country = "";

  function visible(n) {
    var d = byId.get(n.id);
    if (!shownClasses.has(d.group)) return false;
    return !country || (d.countries || []).indexOf(country) >= 0 || (d.marks || []).indexOf("root") >= 0;
  }
  var nodeView = new vis.DataView(nodes, { filter: visible });
  var edgeView = new vis.DataView(edges, {
    filter: function (e) { return nodeView.get(e.from) !== null && nodeView.get(e.to) !== null; }
  });

  /* pyvis's options (layout, physics, edge smoothing, groups), plus what only the page decides */
  var options = Object.assign({}, visOptions, {
    autoResize: true,
    interaction: Object.assign({ hover: true, hideEdgesOnZoom: big, tooltipDelay: 120, navigationButtons: false,
                                 keyboard: false, multiselect: false }, visOptions.interaction || {}),
    nodes: { shape: "dot" },
    edges: Object.assign({}, visOptions.edges || {}, {
      font: { size: 10, align: "middle", color: "#555555", strokeWidth: 3 },
      arrows: { to: { scaleFactor: 0.5 } } })
  });
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);
  window.chipgraph = { network: network, nodes: nodes, edges: edges, data: data, readyMs: null };
  network.once("afterDrawing", function () {
    window.chipgraph.readyMs = performance.now();
    document.body.setAttribute("data-ready", "1");
  });

  /* ---- tooltips and details: all text via textContent ---- */
  function nodeInfo(n, full) {
    var box = el("div", null, "info");
    box.appendChild(el("strong", n.label));
    var dl = el("dl");
    function row(k, v) { if (!v) return; dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); }
    var labels = n.labels || {};
    row("English", labels.en); row("Chinese", labels.zh); row("Korean", labels.ko);
    if (n.aliases && n.aliases.length) row("Also", n.aliases.join("; "));
    row("Type", n.type); row("Country", n.countryLabel);
    box.appendChild(dl);
    (n.notes || []).forEach(function (t) { box.appendChild(el("p", t, "note")); });
    if (full) {
      var linked = network.getConnectedEdges(n.id).map(function (id) { return edgeById.get(id); })
        .filter(Boolean).sort(function (a, b) { return a.id - b.id; });
      if (linked.length) {
        box.appendChild(el("h3", "Links (" + linked.length + ")"));
        var ul = el("ul", null, "links");
        linked.slice(0, 200).forEach(function (e) {
          var li = el("li", byId.get(e.from).label + " — " + e.label + " → " + byId.get(e.to).label);
          if (e.sources && e.sources.length) {
            var sl = el("ul", null, "sources");
            e.sources.forEach(function (s) { sl.appendChild(sourceItem(s, true)); });
            li.appendChild(sl);
          }
          ul.appendChild(li);
        });
        box.appendChild(ul);
      }
    }
    return box;
  }

  function hiddenInfo(n) {
    var box = nodeInfo(n, false);
    box.appendChild(el("p", "Not drawn on this page (" + n.links + " link" + (n.links === 1 ? "" : "s") +
      " here): the page draws only the most connected nodes; the note above the graph says where the full " +
      "graph is.", "note"));
    return box;
  }

  function edgeInfo(e, full) {
    var box = el("div", null, "info");
    box.appendChild(el("strong", byId.get(e.from).label + " — " + e.label + " → " + byId.get(e.to).label));
    if (e.confidence) box.appendChild(el("p", "Confidence: " + e.confidence, "note"));
    (e.notes || []).forEach(function (t) { box.appendChild(el("p", t, "note")); });
    var srcs = e.sources || [];
    box.appendChild(el("p", srcs.length ? "Sources:" : "No source recorded for this link.", "note"));
    var ul = el("ul", null, "sources");
    srcs.forEach(function (s) { ul.appendChild(sourceItem(s, full)); });
    box.appendChild(ul);
    return box;
  }

  var tooltip = document.getElementById("tooltip");
  function showTip(content, pointer) {
    if (!tooltip) return;
    tooltip.replaceChildren(content);
    tooltip.hidden = false;
    var w = container.clientWidth;
    tooltip.style.left = Math.min(pointer.x + 14, Math.max(0, w - 360)) + "px";
    tooltip.style.top = (pointer.y + 14) + "px";
  }
  function hideTip() { if (tooltip) tooltip.hidden = true; }
  network.on("hoverNode", function (p) { showTip(nodeInfo(byId.get(p.node), false), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeInfo(edgeById.get(p.edge), false), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  var details = document.getElementById("details");
  function showDetails(content) { if (details) details.replaceChildren(content); }
  network.on("click", function (p) {
    if (p.nodes.length) showDetails(nodeInfo(byId.get(p.nodes[0]), true));
    else if (p.edges.length) showDetails(edgeInfo(edgeById.get(p.edges[0]), true));
  });

  /* ---- search ---- */
  var searchIndex = data.nodes.concat(hidden).map(function (n) {
    var names = [n.label].concat(Object.values(n.labels || {}), n.aliases || []);
    return { id: n.id, text: names.join("\u0001").toLowerCase() };
  });
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");

  function select(id) {
    if (hiddenById.has(id)) {
      network.unselectAll();
      showDetails(hiddenInfo(hiddenById.get(id)));
      window.chipgraph.selected = id;
      return;
    }
    var n = byId.get(id);
    if (nodeView.get(id) === null) {
      shownClasses.add(n.group);
      country = "";
      var sel = document.getElementById("country");
      if (sel) sel.value = "";
      syncLegend();
      nodeView.refresh(); edgeView.refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.2, animation: false });
    showDetails(nodeInfo(n, true));
    window.chipgraph.selected = id;
  }

  function runSearch() {
    var q = search.value.trim().toLowerCase();
    results.replaceChildren();
    if (!q) return [];
    var hits = searchIndex.filter(function (s) { return s.text.indexOf(q) >= 0; }).map(function (s) { return s.id; });
    hits.slice(0, 25).forEach(function (id) {
      var li = el("li");
      var b = hiddenById.has(id) ? el("button", hiddenById.get(id).label + " (not drawn)")
        : el("button", byId.get(id).label);
      b.type = "button";
      b.addEventListener("click", function () { select(id); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (!hits.length) results.appendChild(el("li", "no match", "note"));
    else if (hits.length > 25) results.appendChild(el("li", (hits.length - 25) + " more…", "note"));
    return hits;
  }
  if (search) {
    search.addEventListener("input", runSearch);
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { var hits = runSearch(); if (hits.length) select(hits[0]); }
    });
  }

  /* ---- filters: class legend and country ---- */
  var legend = document.getElementById("legend");
  var counts = {};
  data.nodes.forEach(function (n) { counts[n.group] = (counts[n.group] || 0) + 1; });
  var boxes = [];
  function syncLegend() { boxes.forEach(function (b) { b.checked = shownClasses.has(b.value); }); }
  Object.keys(groups).forEach(function (g) {
    if (!counts[g]) return;
    var label = el("label", null, "legend-item");
    var box = el("input");
    box.type = "checkbox"; box.checked = true; box.value = g;
    box.addEventListener("change", function () {
      if (box.checked) shownClasses.add(g); else shownClasses.delete(g);
      nodeView.refresh(); edgeView.refresh(); stats();
    });
    boxes.push(box);
    var swatch = el("span", null, "swatch");
    swatch.style.background = groups[g];
    label.appendChild(box); label.appendChild(swatch); label.appendChild(el("span", g + " (" + counts[g] + ")"));
    legend.appendChild(label);
  });
  var countrySelect = document.getElementById("country");
  (data.countries || []).forEach(function (c) {
    var o = el("option", c.label + " (" + c.code + ")");
    o.value = c.code;
    countrySelect.appendChild(o);
  });
  countrySelect.addEventListener("change", function () {
    country = countrySelect.value;
    nodeView.refresh(); edgeView.refresh(); stats();
  });
  function stats() {
    var s = document.getElementById("graph-stats");
    if (s) s.textContent = nodeView.length + " of " + data.nodes.length + " nodes, " + edgeView.length + " of " +
      data.edges.length + " links shown" +
      (data.hiddenCount ? "; " + data.hiddenCount + " more nodes not drawn (search finds " +
        (hidden.length < data.hiddenCount ? "the " + hidden.length + " most connected" : "them") + ")" : "");
  }
  stats();
})();

/* The index's timeline of measures, redrawn from <script id="timeline-data"> (graph.render.timeline)
 * with zoom (a range of years: the selects, the buttons, or a drag across the chart) and filters
 * (jurisdiction, kind, status). Without script the page keeps the SVG drawn in Python. Every text
 * goes in with textContent; links are only the measures' in-page anchors ("#measure-...").
 */
(function () {
  "use strict";
  var dataNode = document.getElementById("timeline-data");
  var chart = document.getElementById("timeline-chart");
  var controls = document.getElementById("timeline-controls");
  if (!dataNode || !chart || !controls) return;
  var data = JSON.parse(dataNode.textContent);
  if (!data.rows || !data.rows.length) return;
  var NS = "http://www.w3.org/2000/svg";
  var ROW = 24, LEFT = 330, PLOT = 520, TOP = 34, RIGHT_TEXT = 440;
  var until = yearOf(data.until) || data.last;

  function yearOf(date) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(date || "");
    if (!m) return null;
    var y = +m[1], mo = m[2] ? +m[2] : 1, d = m[3] ? +m[3] : 1;
    var yday = Math.round((Date.UTC(y, mo - 1, d) - Date.UTC(y, 0, 1)) / 86400000);
    return y + yday / 366;
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function clip(text, n) { return text.length <= n ? text : text.slice(0, n - 1) + "…"; }
  function facet(r, key) {  /* a row's values for a filter; "(none)" when it has none */
    var v = [].concat(r[key] || []).filter(Boolean);
    return v.length ? v : ["(none)"];
  }
  function values(key) {
    var seen = {};
    data.rows.forEach(function (r) { facet(r, key).forEach(function (v) { seen[v] = (seen[v] || 0) + 1; }); });
    return Object.keys(seen).sort().map(function (v) { return { value: v, n: seen[v] }; });
  }

  var state = { from: data.first, to: data.last, jurisdiction: {}, kind: {}, status: {} };
  var filters = [["jurisdiction", "Jurisdiction"], ["kind", "Kind"], ["status", "Status on " + data.until]];
  filters.forEach(function (f) {
    var box = el("fieldset", null, "tl-filter");
    box.appendChild(el("legend", f[1]));
    values(f[0]).forEach(function (v) {
      state[f[0]][v.value] = true;
      var label = el("label");
      var input = el("input");
      input.type = "checkbox"; input.checked = true; input.value = v.value;
      input.name = "tl-" + f[0];
      input.addEventListener("change", function () { state[f[0]][v.value] = input.checked; draw(); });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + v.value + " (" + v.n + ")"));
      box.appendChild(label);
    });
    controls.appendChild(box);
  });
  var zoom = el("fieldset", null, "tl-filter");
  zoom.appendChild(el("legend", "Years (or drag across the chart)"));
  function yearSelect(id) {
    var s = el("select"); s.id = id;
    for (var y = data.first; y <= data.last; y++) { var o = el("option", y); o.value = y; s.appendChild(o); }
    return s;
  }
  var fromSel = yearSelect("tl-from"), toSel = yearSelect("tl-to");
  fromSel.addEventListener("change", function () { setRange(+fromSel.value, Math.max(+toSel.value, +fromSel.value + 1)); });
  toSel.addEventListener("change", function () { setRange(Math.min(+fromSel.value, +toSel.value - 1), +toSel.value); });
  zoom.appendChild(fromSel); zoom.appendChild(document.createTextNode(" to ")); zoom.appendChild(toSel);
  [["tl-zoom-in", "zoom in", function () { var c = (state.from + state.to) / 2, h = Math.max(0.5, (state.to - state.from) / 4); setRange(Math.floor(c - h), Math.ceil(c + h)); }],
   ["tl-zoom-out", "zoom out", function () { var h = (state.to - state.from) / 2; setRange(Math.floor(state.from - h), Math.ceil(state.to + h)); }],
   ["tl-all", "all years", function () { setRange(data.first, data.last); }]].forEach(function (b) {
    var btn = el("button", b[1]); btn.type = "button"; btn.id = b[0];
    btn.addEventListener("click", b[2]);
    zoom.appendChild(document.createTextNode(" ")); zoom.appendChild(btn);
  });
  controls.appendChild(zoom);
  var count = el("p", "", "note"); count.id = "tl-count"; count.setAttribute("aria-live", "polite");
  controls.appendChild(count);
  controls.hidden = false;

  function setRange(from, to) {
    from = Math.max(data.first, from); to = Math.min(data.last, to);
    if (to - from < 1) { if (from + 1 <= data.last) to = from + 1; else from = to - 1; }
    state.from = from; state.to = to;
    draw();
  }
  function shown(r) {
    var end = r.end ? yearOf(r.end) : data.last;
    var start = yearOf(r.start);
    if (start === null || start > state.to || end < state.from) return false;
    return ["jurisdiction", "kind", "status"].every(function (key) {
      return facet(r, key).some(function (v) { return state[key][v]; });
    });
  }
  function draw() {
    fromSel.value = Math.floor(state.from); toSel.value = Math.ceil(state.to);
    var rows = data.rows.filter(shown);
    count.textContent = rows.length + " of " + data.rows.length + " measures shown, " + state.from + " to " + state.to;
    var span = state.to - state.from;
    function px(y) { return Math.round((LEFT + (Math.min(Math.max(y, state.from), state.to) - state.from) / span * PLOT) * 10) / 10; }
    var height = TOP + ROW * Math.max(rows.length, 1) + 10, width = LEFT + PLOT + RIGHT_TEXT;
    var root = svg("svg", { "class": "timeline tl-live", width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "Timeline of export-control measures" });
    root.appendChild(svg("style", {}, "text{font:12px sans-serif;fill:#222}.yr{fill:#666}.reach{fill:#a00000}.tl-row:hover text{text-decoration:underline}"));
    var step = span > 12 ? 2 : 1;
    for (var y = Math.ceil(state.from); y <= state.to; y += step) {
      root.appendChild(svg("line", { x1: px(y), y1: TOP - 14, x2: px(y), y2: height - 6, stroke: "#e4e4e4" }));
      root.appendChild(svg("text", { "class": "yr", x: px(y), y: TOP - 18, "text-anchor": "middle" }, y));
    }
    if (span <= 3) {  /* zoomed in: quarter ticks */
      for (var q = Math.ceil(state.from * 4) / 4; q < state.to; q += 0.25) {
        if (q % 1) root.appendChild(svg("line", { "class": "qtr", x1: px(q), y1: TOP - 8, x2: px(q), y2: height - 6, stroke: "#f2f2f2" }));
      }
    }
    rows.forEach(function (r, i) {
      var yy = TOP + i * ROW + ROW / 2;
      var start = yearOf(r.start), end = r.end ? yearOf(r.end) : null;
      var colour = r.reaches.length ? "#c00000" : "#555555";
      var g = svg("g", { "class": "tl-row", "data-id": r.id });
      g.appendChild(svg("title", {}, r.title));
      var link = /^#[A-Za-z0-9_-]+$/.test(r.href || "") ? svg("a", { href: r.href }) : svg("g", {});
      link.appendChild(svg("text", { x: LEFT - 8, y: yy + 4, "text-anchor": "end" }, clip(r.label, 44)));
      link.appendChild(svg("rect", { x: px(start), y: yy - 6, width: Math.max(1, px(end === null ? data.last : end) - px(start)), height: 12, fill: "transparent" }));
      link.appendChild(svg("line", { x1: px(start), y1: yy, x2: px(end === null ? data.last : end), y2: yy, stroke: colour, "stroke-width": 4, "stroke-opacity": 0.35 }));
      r.suspensions.forEach(function (s) {
        var s0 = yearOf(s.start), s1 = s.until ? yearOf(s.until) : data.last;
        if (end !== null) s1 = Math.min(s1, end);
        var pause = svg("line", { "class": "pause", x1: px(s0), y1: yy, x2: px(s1), y2: yy, stroke: "#f0b400", "stroke-width": 8, "stroke-dasharray": "3 2" });
        pause.appendChild(svg("title", {}, "suspended from " + s.start + (s.until ? " until " + s.until : "") + ": " + s.label));
        link.appendChild(pause);
      });
      if (end !== null && end >= state.from && end <= state.to) {
        var x1 = px(end);
        link.appendChild(svg("path", { "class": "ended", d: "M" + (x1 - 4) + "," + (yy - 4) + "l8,8m0,-8l-8,8", stroke: "#222", "stroke-width": 1.5 }));
      }
      if (start >= state.from) link.appendChild(svg("circle", { cx: px(start), cy: yy, r: 5, fill: colour }));
      var reach = r.reaches.length ? r.reaches.join(", ") : "(reaches no domestic accelerator in this view)";
      link.appendChild(svg("text", { "class": "reach", x: LEFT + PLOT + 8, y: yy + 4 }, clip(reach, 64)));
      g.appendChild(link);
      root.appendChild(g);
    });
    if (!rows.length) root.appendChild(svg("text", { x: LEFT, y: TOP + 16 }, "No measure matches these filters in these years."));
    var band = svg("rect", { "class": "tl-drag", x: 0, y: 0, width: 0, height: height, fill: "#3b7ddd", "fill-opacity": 0.15 });
    root.appendChild(band);
    var x0 = null;
    function yearAt(ev) {
      var box = root.getBoundingClientRect();
      var x = (ev.clientX - box.left) * width / box.width;
      return state.from + (Math.min(Math.max(x, LEFT), LEFT + PLOT) - LEFT) / PLOT * span;
    }
    function inPlot(ev) { var box = root.getBoundingClientRect(); var x = (ev.clientX - box.left) * width / box.width; return x >= LEFT && x <= LEFT + PLOT; }
    root.addEventListener("mousedown", function (ev) { if (!inPlot(ev)) return; x0 = yearAt(ev); ev.preventDefault(); });
    root.addEventListener("mousemove", function (ev) {
      if (x0 === null) return;
      var a = px(Math.min(x0, yearAt(ev))), b = px(Math.max(x0, yearAt(ev)));
      band.setAttribute("x", a); band.setAttribute("width", b - a);
    });
    root.addEventListener("mouseup", function (ev) {
      if (x0 === null) return;
      var a = Math.min(x0, yearAt(ev)), b = Math.max(x0, yearAt(ev));
      x0 = null;
      if (b - a < span / 50) { band.setAttribute("width", 0); return; }  /* a click, not a drag */
      setRange(Math.floor(a), Math.ceil(b));
    });
    chart.replaceChildren(root);
  }
  draw();
  window.chipgraphTimeline = { state: state, draw: draw, setRange: setRange };
})();
