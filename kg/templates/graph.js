// graph.html: network, timeline and map over the data kg.render writes as JSON.
// Strings from articles are written with textContent or as SVG text nodes, never
// parsed as markup (tests/test_render.py checks that no HTML sink appears here).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  // sentences come once, in D.sentences; mentions, edges and events give their index
  D.events.forEach(function (ev) { ev.s = D.sentences[ev.s]; });
  D.edges.forEach(function (r) { r.s = D.sentences[r.s]; });
  D.entities.forEach(function (e) { (e.m || []).forEach(function (m) { m[2] = D.sentences[m[2]]; }); });
  var E = D.entities, EV = D.events, A = D.articles;
  var SVG = "http://www.w3.org/2000/svg";

  // -- small helpers -----------------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) { node.setAttribute(k, attrs[k]); }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) { node.setAttribute(k, attrs[k]); }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function fold(text) {  // as kg.render.fold: the search keys were folded so
    return String(text).replace(/[\u0300\u0301]/g, "").replace(/[‒—―]/g, "–")
      .replace(/[“„]/g, "«").replace(/”/g, "»").replace(/[‘’]/g, "'").toLowerCase()
      .replace(/ё/g, "е").replace(/[«»"']/g, '"').replace(/\s+/g, " ").trim();
  }
  function style(label) { return D.styles[label] || D.other; }
  function eventName(kind) { return D.eventNames[kind] || kind; }
  function year(iso) { return iso ? parseInt(iso.slice(0, 4), 10) : null; }
  function dayNumber(iso) {  // days since 0001-01-01, enough for an axis
    var y = parseInt(iso.slice(0, 4), 10), m = parseInt(iso.slice(5, 7), 10), d = parseInt(iso.slice(8, 10), 10);
    return y * 365.2425 + (m - 1) * 30.44 + (d - 1);
  }

  // -- state -------------------------------------------------------------------------
  var state = {
    types: {}, article: -1, from: null, to: null,
    shown: {},           // entity index -> true: drawn in the network
    selected: null,      // {type: "entity"|"event", index}
    timelineEntity: null,
    kinds: {}
  };
  Object.keys(D.styles).forEach(function (l) { state.types[l] = true; });
  state.types.__other = true;
  D.core.forEach(function (i) { state.shown[i] = true; });
  EV.forEach(function (ev) { state.kinds[ev.kind] = true; });

  function typeOn(e) { return e.label in D.styles ? state.types[e.label] : state.types.__other; }
  function yearsOverlap(y0, y1) {
    if (state.from === null && state.to === null) { return true; }
    if (y0 === null || y0 === undefined) { return false; }
    return (state.from === null || y1 >= state.from) && (state.to === null || y0 <= state.to);
  }
  function passes(i) {
    var e = E[i];
    if (!typeOn(e)) { return false; }
    if (state.article >= 0 && e.arts.indexOf(state.article) < 0) { return false; }
    return yearsOverlap(e.years ? e.years[0] : null, e.years ? e.years[1] : null);
  }
  function eventPasses(ev) {
    if (!state.kinds[ev.kind]) { return false; }
    if (state.article >= 0 && ev.art !== state.article) { return false; }
    if (state.timelineEntity !== null && ev.who.indexOf(state.timelineEntity) < 0 &&
        ev.place !== state.timelineEntity) { return false; }
    return yearsOverlap(year(ev.b), year(ev.e));
  }

  // -- network -----------------------------------------------------------------------
  var nodes = new vis.DataSet(), edges = new vis.DataSet();
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, {
    physics: false,
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 150, hideEdgesOnDrag: true, hideEdgesOnZoom: true},
    edges: {smooth: false, font: {size: 10, align: "middle"}},
    nodes: {font: {size: 14}}
  });
  function nodeOf(i) {
    var e = E[i], s = style(e.label);
    var tip = el("div", {"class": "kg-tip"});
    tip.appendChild(el("b", {}, e.name));
    tip.appendChild(el("div", {}, s[2] + (e.rank ? " · " + e.rank : "") + (e.role ? " · " + e.role : "")));
    return {id: i, x: e.x, y: e.y, label: e.name, shape: s[1], color: s[0],
            size: Math.round(8 + 4 * Math.sqrt(e.deg)), title: tip};
  }
  function edgeId(k) { return "e" + k; }
  function edgeOf(k) {
    var r = D.edges[k], co = r.rel === "co_occurs";
    var item = {id: edgeId(k), from: r.f, to: r.t, width: 1 + Math.log2(r.n)};
    if (co) { item.color = {color: "#c8c8c8"}; }
    else { item.arrows = "to"; item.label = D.relationNames[r.rel] || r.rel; item.color = {color: "#777"}; }
    var tip = el("div", {"class": "kg-tip"});
    tip.appendChild(el("b", {}, (D.relationNames[r.rel] || r.rel) + (r.n > 1 ? " ×" + r.n : "")));
    if (r.s) { tip.appendChild(el("div", {}, "«" + r.s + "»")); }
    item.title = tip;
    return item;
  }
  function refreshNetwork() {
    var want = {}, wanted = 0;
    Object.keys(state.shown).forEach(function (i) { if (passes(+i)) { want[i] = true; wanted++; } });
    var remove = [], add = [];
    nodes.getIds().forEach(function (id) { if (!want[id]) { remove.push(id); } });
    Object.keys(want).forEach(function (i) { if (!nodes.get(+i)) { add.push(nodeOf(+i)); } });
    if (remove.length) { nodes.remove(remove); }
    if (add.length) { nodes.add(add); }
    if (remove.length || add.length || state.article !== drawnArticle) {  // edges follow the nodes
      drawnArticle = state.article;
      var wantEdges = {}, addEdges = [], removeEdges = [];
      D.edges.forEach(function (r, k) {
        if (want[r.f] && want[r.t] && (state.article < 0 || r.art === state.article || r.art === null)) {
          wantEdges[edgeId(k)] = true;
          if (!edges.get(edgeId(k))) { addEdges.push(edgeOf(k)); }
        }
      });
      edges.getIds().forEach(function (id) { if (!wantEdges[id]) { removeEdges.push(id); } });
      if (removeEdges.length) { edges.remove(removeEdges); }
      if (addEdges.length) { edges.add(addEdges); }
    }
    var total = 0;
    for (var i = 0; i < E.length; i++) { if (passes(i)) { total++; } }
    document.getElementById("kg-shown").textContent =
      "в сети: " + wanted + (wanted < total ? " из " + total + " (самые связанные; остальные — через поиск и «связи»)" : "");
    var all = document.getElementById("kg-all");
    all.hidden = wanted >= total;
    all.textContent = "показать все (" + total + ")";
  }
  var drawnArticle = -1;
  function show(i) { state.shown[i] = true; }
  network.on("click", function (p) {
    if (p.nodes.length) { select({type: "entity", index: p.nodes[0]}); }
    else if (p.edges.length) { selectEdge(+String(p.edges[0]).slice(1)); }
  });
  network.once("afterDrawing", function () { document.documentElement.setAttribute("data-ready", "network"); });

  // -- selection and the side panel -----------------------------------------------------
  var panel = document.getElementById("kg-panel");
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function link(text, onclick) {
    var b = el("button", {type: "button", "class": "kg-link"}, text);
    b.addEventListener("click", onclick);
    return b;
  }
  function entityLink(i) {
    return link(E[i].name, function () { show(i); refreshNetwork(); select({type: "entity", index: i}); });
  }
  function curated(item) {  // a historian's correction, told apart from what was extracted
    var box = el("div", {"class": "kg-curated"});
    (item.cur || []).forEach(function (note) { box.appendChild(el("div", {}, "правка историка: " + note)); });
    if (item.ref) { box.appendChild(el("div", {}, "источник: " + item.ref)); }
    return box;
  }
  function source(art, start, sentence) {
    var box = el("div");
    if (sentence) { box.appendChild(el("blockquote", {}, "«" + sentence + "»")); }
    if (art !== null && art !== undefined && A[art]) {
      var line = el("div", {"class": "kg-source"});
      if (A[art].page) {
        var a = el("a", {href: A[art].page + (start !== null && start !== undefined ? "#m" + start : "")}, A[art].title);
        line.appendChild(a);
      } else {
        line.appendChild(document.createTextNode(A[art].title));
      }
      if (A[art].published) { line.appendChild(document.createTextNode(" · " + A[art].published)); }
      box.appendChild(line);
    }
    return box;
  }
  function eventLine(k, except) {
    var ev = EV[k], li = el("li");
    li.appendChild(el("span", {"class": "kg-date"}, ev.date || "без даты"));
    li.appendChild(document.createTextNode(" — "));
    li.appendChild(link(eventName(ev.kind), function () { select({type: "event", index: k}); }));
    if (ev.place !== null && ev.place !== except) {
      li.appendChild(document.createTextNode(" · "));
      li.appendChild(entityLink(ev.place));
    }
    if (ev.cur) { li.appendChild(el("span", {"class": "kg-sub"}, " · правка историка")); }
    var others = ev.who.filter(function (w) { return w !== except; });
    if (others.length) {
      li.appendChild(document.createTextNode(" · с: "));
      others.forEach(function (w, n) {
        if (n) { li.appendChild(document.createTextNode(", ")); }
        li.appendChild(entityLink(w));
      });
    }
    return li;
  }
  function neighbours(i) {
    var out = {};
    D.edges.forEach(function (r) {
      if (r.f === i) { out[r.t] = true; } else if (r.t === i) { out[r.f] = true; }
    });
    return Object.keys(out).map(Number);
  }
  function renderEntity(i) {
    var e = E[i], s = style(e.label);
    clear(panel);
    var h = el("h2");
    h.appendChild(el("span", {"class": "swatch", style: "background:" + s[0]}));
    h.appendChild(document.createTextNode(e.name));
    panel.appendChild(h);
    panel.appendChild(el("p", {"class": "kg-meta"}, s[2] + " · " + e.id));
    if (e.aliases.length) { panel.appendChild(el("p", {"class": "kg-meta"}, "другие имена: " + e.aliases.join("; "))); }
    if (e.latin && e.latin !== e.name) { panel.appendChild(el("p", {"class": "kg-meta"}, "латиницей: " + e.latin)); }
    if (e.rank) { panel.appendChild(el("p", {"class": "kg-meta"}, "звание: " + e.rank)); }
    if (e.role) { panel.appendChild(el("p", {"class": "kg-meta"}, "роль: " + e.role)); }
    if (e.years) { panel.appendChild(el("p", {"class": "kg-meta"}, "годы: " + e.years[0] + (e.years[1] !== e.years[0] ? "–" + e.years[1] : ""))); }
    if (e.former) { panel.appendChild(el("p", {"class": "kg-meta"}, "прежние id: " + e.former.join(", "))); }
    if (e.cur) { panel.appendChild(curated(e)); }
    var buttons = el("div", {"class": "kg-buttons"});
    var near = neighbours(i);
    var expand = el("button", {type: "button"}, "показать связи (" + near.length + ")");
    expand.addEventListener("click", function () {
      show(i); near.forEach(show); refreshNetwork(); showView("network");
      network.selectNodes([i]); network.focus(i, {scale: 0.8, animation: false});
    });
    buttons.appendChild(expand);
    if (e.ev) {
      var tl = el("button", {type: "button"}, "на хронологии");
      tl.addEventListener("click", function () { state.timelineEntity = i; showView("timeline"); });
      buttons.appendChild(tl);
    }
    if (e.lat !== undefined) {
      var mp = el("button", {type: "button"}, "на карте");
      mp.addEventListener("click", function () { showView("map"); focusMap(i); });
      buttons.appendChild(mp);
    }
    panel.appendChild(buttons);
    if (e.ev) {
      panel.appendChild(el("h3", {}, e.label === "PERSON" ? "Жизненный путь" : "События"));
      var ul = el("ul");
      e.ev.forEach(function (k) { ul.appendChild(eventLine(k, i)); });
      panel.appendChild(ul);
    }
    var facts = D.edges.filter(function (r) { return r.rel !== "co_occurs" && (r.f === i || r.t === i); });
    if (facts.length) {
      panel.appendChild(el("h3", {}, "Связи"));
      var fl = el("ul");
      facts.forEach(function (r) {
        var li = el("li");
        var name = D.relationNames[r.rel] || r.rel;
        if (r.f === i) { li.appendChild(document.createTextNode(name + " → ")); li.appendChild(entityLink(r.t)); }
        else { li.appendChild(entityLink(r.f)); li.appendChild(document.createTextNode(" → " + name + " → это")); }
        if (r.cur) { li.appendChild(curated(r)); }
        li.appendChild(source(r.art, r.start, r.s));
        fl.appendChild(li);
      });
      panel.appendChild(fl);
    }
    if (e.m) {
      panel.appendChild(el("h3", {}, "Источники (" + e.m.length + ")"));
      e.m.forEach(function (m) { panel.appendChild(source(m[0], m[1], m[2])); });
    }
  }
  function renderEvent(k) {
    var ev = EV[k];
    clear(panel);
    panel.appendChild(el("h2", {}, eventName(ev.kind)));
    panel.appendChild(el("p", {"class": "kg-meta"}, "дата: " + (ev.date || "не указана") +
      (ev.b ? " (" + ev.b + (ev.e !== ev.b ? " — " + ev.e : "") + ")" : "")));
    if (ev.trigger) { panel.appendChild(el("p", {"class": "kg-meta"}, "слово: " + ev.trigger)); }
    if (ev.place !== null) {
      var p = el("p", {"class": "kg-meta"}, "место: ");
      p.appendChild(entityLink(ev.place));
      panel.appendChild(p);
    }
    if (ev.who.length) {
      panel.appendChild(el("h3", {}, "Участники"));
      var ul = el("ul");
      ev.who.forEach(function (w) { var li = el("li"); li.appendChild(entityLink(w)); ul.appendChild(li); });
      panel.appendChild(ul);
    }
    panel.appendChild(el("h3", {}, "Источник"));
    if (ev.cur) { panel.appendChild(curated(ev)); }
    panel.appendChild(source(ev.art, ev.start, ev.s));
  }
  function selectEdge(k) {
    var r = D.edges[k];
    clear(panel);
    var h = el("h2");
    h.appendChild(entityLink(r.f));
    h.appendChild(document.createTextNode(" — " + (D.relationNames[r.rel] || r.rel) + " — "));
    h.appendChild(entityLink(r.t));
    panel.appendChild(h);
    if (r.rule) { panel.appendChild(el("p", {"class": "kg-meta"}, "правило: " + r.rule)); }
    if (r.cur) { panel.appendChild(curated(r)); }
    if (r.n > 1) { panel.appendChild(el("p", {"class": "kg-meta"}, "подтверждений: " + r.n)); }
    panel.appendChild(source(r.art, r.start, r.s));
  }
  function select(what) {
    state.selected = what;
    if (what.type === "entity") {
      renderEntity(what.index);
      if (nodes.get(what.index)) { network.selectNodes([what.index]); }
      if (location.hash !== "#" + encodeURIComponent(E[what.index].id)) {
        history.replaceState(null, "", "#" + encodeURIComponent(E[what.index].id));
      }
    } else {
      renderEvent(what.index);
    }
    if (currentView === "timeline") { drawTimeline(); }
    if (currentView === "map") { drawMap(); }
  }

  // -- search ------------------------------------------------------------------------
  var search = document.getElementById("kg-search"), results = document.getElementById("kg-results");
  function find(query) {
    var q = fold(query);
    if (!q) { return []; }
    var exact = [], starts = [], contains = [];
    for (var i = 0; i < E.length; i++) {
      var keys = E[i].key.split("|");
      if (keys.indexOf(q) >= 0) { exact.push(i); }
      else if (keys.some(function (k) { return k.indexOf(q) === 0 || k.indexOf(" " + q) >= 0; })) { starts.push(i); }
      else if (E[i].key.indexOf(q) >= 0) { contains.push(i); }
    }
    var byDegree = function (a, b) { return E[b].deg - E[a].deg || a - b; };
    return exact.sort(byDegree).concat(starts.sort(byDegree), contains.sort(byDegree));
  }
  function choose(i) {
    results.hidden = true;
    show(i); refreshNetwork(); showView("network");
    select({type: "entity", index: i});
    if (nodes.get(i)) { network.focus(i, {scale: 1.0, animation: false}); }
  }
  function listResults() {
    var hits = find(search.value);
    clear(results);
    hits.slice(0, 30).forEach(function (i, n) {
      var li = el("li", {"data-index": i});
      if (n === 0) { li.className = "kg-active"; }
      li.appendChild(el("span", {"class": "swatch", style: "background:" + style(E[i].label)[0]}));
      li.appendChild(document.createTextNode(E[i].name));
      var other = E[i].aliases.concat([E[i].latin]).filter(function (x) { return fold(x).indexOf(fold(search.value)) >= 0; })[0];
      if (other && other !== E[i].name) { li.appendChild(el("span", {"class": "kg-sub"}, " (" + other + ")")); }
      li.addEventListener("click", function () { choose(i); });
      results.appendChild(li);
    });
    if (search.value.trim() && !hits.length) { results.appendChild(el("li", {"class": "kg-sub"}, "не найдено")); }
    results.hidden = !search.value.trim();
    return hits;
  }
  search.addEventListener("input", listResults);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var hits = listResults(); if (hits.length) { choose(hits[0]); } }
    if (ev.key === "Escape") { results.hidden = true; }
  });

  // -- filters -----------------------------------------------------------------------
  var articleSelect = document.getElementById("kg-article");
  A.forEach(function (a, n) { articleSelect.appendChild(el("option", {value: n}, a.title)); });
  function readFilters() {
    document.querySelectorAll("#kg-types input").forEach(function (box) { state.types[box.value] = box.checked; });
    state.article = articleSelect.value === "" ? -1 : +articleSelect.value;
    var f = document.getElementById("kg-from").value, t = document.getElementById("kg-to").value;
    state.from = f === "" ? null : +f;
    state.to = t === "" ? null : +t;
    refreshAll();
  }
  document.querySelectorAll(".kg-filters input, .kg-filters select").forEach(function (input) {
    input.addEventListener("change", readFilters);
  });
  document.getElementById("kg-reset").addEventListener("click", function () {
    document.querySelectorAll("#kg-types input").forEach(function (box) { box.checked = true; });
    articleSelect.value = ""; document.getElementById("kg-from").value = ""; document.getElementById("kg-to").value = "";
    state.timelineEntity = null;
    readFilters();
  });
  document.getElementById("kg-all").addEventListener("click", function () {
    for (var i = 0; i < E.length; i++) { state.shown[i] = true; }
    refreshNetwork();
  });

  // -- views -------------------------------------------------------------------------
  var currentView = "network";
  function showView(view) {
    currentView = view;
    document.querySelectorAll(".kg-tabs button").forEach(function (b) {
      b.setAttribute("aria-selected", b.getAttribute("data-view") === view ? "true" : "false");
    });
    document.querySelectorAll(".kg-view").forEach(function (s) { s.hidden = s.getAttribute("data-view") !== view; });
    if (view === "timeline") { drawTimeline(); }
    if (view === "map") { drawMap(); }
    if (view === "network") { network.redraw(); }
  }
  document.querySelectorAll(".kg-tabs button").forEach(function (b) {
    b.addEventListener("click", function () { showView(b.getAttribute("data-view")); });
  });
  function refreshAll() {
    refreshNetwork();
    if (currentView === "timeline") { drawTimeline(); }
    if (currentView === "map") { drawMap(); }
  }

  // -- timeline ----------------------------------------------------------------------
  var kindsBox = document.getElementById("kg-kinds");
  Object.keys(state.kinds).sort().forEach(function (kind) {
    var label = el("label");
    var box = el("input", {type: "checkbox", value: kind});
    box.checked = true;
    box.addEventListener("change", function () { state.kinds[kind] = box.checked; drawTimeline(); });
    label.appendChild(box);
    label.appendChild(document.createTextNode(eventName(kind)));
    kindsBox.appendChild(label);
  });
  function drawTimeline() {
    var plot = document.getElementById("kg-timeline-plot");
    clear(plot);
    var who = document.getElementById("kg-timeline-who");
    clear(who);
    if (state.timelineEntity !== null) {
      who.appendChild(document.createTextNode("события: " + E[state.timelineEntity].name + " "));
      who.appendChild(link("все события", function () { state.timelineEntity = null; drawTimeline(); }));
    }
    var shown = [], undated = 0;
    EV.forEach(function (ev, k) {
      if (!eventPasses(ev)) { return; }
      if (ev.b) { shown.push(k); } else { undated++; }
    });
    if (!shown.length) {
      plot.appendChild(el("p", {"class": "kg-hint"}, "Нет датированных событий" + (undated ? " (без даты: " + undated + ")" : "") + "."));
      return;
    }
    var lo = Infinity, hi = -Infinity;
    shown.forEach(function (k) { lo = Math.min(lo, dayNumber(EV[k].b)); hi = Math.max(hi, dayNumber(EV[k].e) + 1); });
    var y0 = Math.floor(lo / 365.2425), y1 = Math.ceil(hi / 365.2425);
    if (state.from !== null) { y0 = Math.max(y0, state.from); }
    if (state.to !== null) { y1 = Math.min(y1, state.to + 1); }
    if (y1 <= y0) { y1 = y0 + 1; }
    var kinds = [];
    shown.forEach(function (k) { if (kinds.indexOf(EV[k].kind) < 0) { kinds.push(EV[k].kind); } });
    kinds.sort();
    var lanes = {}, rows = 0;
    var laneRows = {};
    kinds.forEach(function (kind) {  // within a lane, events stack where they overlap
      var ends = [];
      shown.filter(function (k) { return EV[k].kind === kind; })
        .sort(function (a, b) { return dayNumber(EV[a].b) - dayNumber(EV[b].b); })
        .forEach(function (k) {
          var start = dayNumber(EV[k].b), row = 0;
          while (row < ends.length && ends[row] > start) { row++; }
          ends[row] = dayNumber(EV[k].e) + 1 + (hi - lo) / 150;
          laneRows[k] = row;
        });
      lanes[kind] = {top: rows, height: Math.max(1, ends.length)};
      rows += Math.max(1, ends.length) + 1;
    });
    var left = 130, width = Math.max(600, plot.clientWidth - 20), rowH = 14;
    var height = 40 + rows * rowH;
    var x0 = y0 * 365.2425, x1 = y1 * 365.2425;
    function x(day) { return left + (day - x0) / (x1 - x0) * (width - left - 10); }
    var root = svg("svg", {width: width, height: height, role: "img", "aria-label": "хронология событий"});
    var step = Math.max(1, Math.ceil((y1 - y0) / 15));
    for (var y = y0; y <= y1; y += step) {
      root.appendChild(svg("line", {x1: x(y * 365.2425), x2: x(y * 365.2425), y1: 20, y2: height, "class": "kg-axis", "stroke-dasharray": "2,3"}));
      root.appendChild(svg("text", {x: x(y * 365.2425) + 2, y: 14, "class": "kg-tick"}, y));
    }
    kinds.forEach(function (kind) {
      root.appendChild(svg("text", {x: 4, y: 30 + lanes[kind].top * rowH + 10, "class": "kg-lane"}, eventName(kind)));
    });
    var colours = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
    shown.forEach(function (k) {
      var ev = EV[k], b = dayNumber(ev.b), e = dayNumber(ev.e) + 1;
      if (e < x0 || b > x1) { return; }
      var xa = x(Math.max(b, x0)), xb = x(Math.min(e, x1));
      var fuzzy = e - b > 31;
      var rect = svg("rect", {x: xa, y: 30 + (lanes[ev.kind].top + laneRows[k]) * rowH, width: Math.max(4, xb - xa), height: rowH - 3, rx: 2,
        fill: colours[kinds.indexOf(ev.kind) % colours.length], "class": "kg-ev" + (fuzzy ? " kg-fuzzy" : "") +
          (state.selected && state.selected.type === "event" && state.selected.index === k ? " kg-selected" : ""),
        "data-index": k});
      var names = ev.who.map(function (w) { return E[w].name; }).join(", ");
      rect.appendChild(svg("title", {}, (ev.date || "") + " · " + eventName(ev.kind) + (names ? " · " + names : "") +
        (ev.place !== null ? " · " + E[ev.place].name : "") + (ev.s ? "\n«" + ev.s + "»" : "")));
      rect.addEventListener("click", function () { select({type: "event", index: k}); });
      root.appendChild(rect);
    });
    plot.appendChild(root);
    if (undated) { plot.appendChild(el("p", {"class": "kg-hint"}, "Без даты: " + undated + " (см. жизненный путь в панели).")); }
  }

  // -- map ---------------------------------------------------------------------------
  var mapState = {view: null};
  function placed() {
    var out = [];
    E.forEach(function (e, i) { if (e.lat !== undefined && passes(i)) { out.push(i); } });
    return out;
  }
  function fitBox(list) {
    if (!list.length) { return [-180, -85, 360, 170]; }
    var minX = 180, maxX = -180, minY = 90, maxY = -90;
    list.forEach(function (i) {
      minX = Math.min(minX, E[i].lon); maxX = Math.max(maxX, E[i].lon);
      minY = Math.min(minY, -E[i].lat); maxY = Math.max(maxY, -E[i].lat);
    });
    var w = Math.max(8, maxX - minX), h = Math.max(5, maxY - minY);
    return [minX - w * 0.15, minY - h * 0.15, w * 1.3, h * 1.3];
  }
  function focusMap(i) {
    mapState.view = [E[i].lon - 6, -E[i].lat - 4, 12, 8];
    state.selected = {type: "entity", index: i};
    drawMap();
  }
  function drawMap() {
    var plot = document.getElementById("kg-map-plot");
    clear(plot);
    var list = placed();
    var count = {};
    EV.forEach(function (ev) { if (ev.place !== null && eventPasses(ev)) { count[ev.place] = (count[ev.place] || 0) + 1; } });
    document.getElementById("kg-map-note").textContent = "мест на карте: " + list.length +
      (D.world.length ? "" : " (контур мира не найден)");
    if (!mapState.view) { mapState.view = fitBox(list); }
    var v = mapState.view;
    var root = svg("svg", {viewBox: v.join(" "), preserveAspectRatio: "xMidYMid meet", role: "img", "aria-label": "карта мест"});
    var land = svg("g");
    D.world.forEach(function (d) { land.appendChild(svg("path", {d: d, "class": "kg-land"})); });
    root.appendChild(land);
    // one screen pixel in map units ("meet" scales by the tighter side)
    var px = Math.max(v[2] / Math.max(300, plot.clientWidth || 800), v[3] / Math.max(200, plot.clientHeight || 500));
    list.forEach(function (i) {
      var e = E[i], r = (4 + 3 * Math.sqrt(count[i] || 0)) * px;
      var sel = state.selected && state.selected.type === "entity" && state.selected.index === i;
      var c = svg("circle", {cx: e.lon, cy: -e.lat, r: r, "class": "kg-place" + (sel ? " kg-selected" : ""), "data-index": i});
      c.appendChild(svg("title", {}, e.name + (count[i] ? " · событий: " + count[i] : "")));
      c.addEventListener("click", function (ev) { ev.stopPropagation(); select({type: "entity", index: i}); });
      root.appendChild(c);
    });
    if (list.length <= 60 || px < 0.02) {
      list.forEach(function (i) {
        root.appendChild(svg("text", {x: E[i].lon + 6 * px, y: -E[i].lat + 4 * px, "class": "kg-place-name",
          "font-size": 11 * px, "stroke-width": 3 * px}, E[i].name));
      });
    }
    plot.appendChild(root);
    enableZoom(root, plot);
  }
  function enableZoom(root, plot) {
    var drag = null;
    function toMap(ev) {
      var r = root.getBoundingClientRect(), v = mapState.view;
      var s = Math.max(v[2] / r.width, v[3] / r.height);
      var ox = v[0] + v[2] / 2 - (r.width * s) / 2, oy = v[1] + v[3] / 2 - (r.height * s) / 2;
      return [ox + (ev.clientX - r.left) * s, oy + (ev.clientY - r.top) * s, s];
    }
    root.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = toMap(ev), k = ev.deltaY > 0 ? 1.25 : 0.8, v = mapState.view;
      mapState.view = [p[0] - (p[0] - v[0]) * k, p[1] - (p[1] - v[1]) * k, v[2] * k, v[3] * k];
      drawMap();
    }, {passive: false});
    root.addEventListener("mousedown", function (ev) { drag = toMap(ev); });
    root.addEventListener("mousemove", function (ev) {
      if (!drag) { return; }
      var r = root.getBoundingClientRect(), v = mapState.view;
      var s = drag[2];
      var dx = (ev.clientX - r.left) * s + (v[0] + v[2] / 2 - (r.width * s) / 2) - drag[0];
      var dy = (ev.clientY - r.top) * s + (v[1] + v[3] / 2 - (r.height * s) / 2) - drag[1];
      v[0] -= dx; v[1] -= dy;
      root.setAttribute("viewBox", v.join(" "));
    });
    window.addEventListener("mouseup", function () { drag = null; }, {once: true});
  }
  document.getElementById("kg-map-fit").addEventListener("click", function () {
    mapState.view = [-180, -85, 360, 170]; drawMap();
  });

  // -- start -------------------------------------------------------------------------
  refreshNetwork();
  var wanted = decodeURIComponent(location.hash.slice(1)) || D.focus;
  if (wanted) {
    for (var i = 0; i < E.length; i++) {
      if (E[i].id === wanted || (E[i].former && E[i].former.indexOf(wanted) >= 0)) {
        show(i); refreshNetwork(); select({type: "entity", index: i});
        if (E[i].ev) { state.timelineEntity = i; }
        network.focus(i, {scale: 1.0, animation: false});
        break;
      }
    }
  }
  if (D.view && D.view !== "network") { showView(D.view); }
  if (D.view === "map" && state.selected && E[state.selected.index].lat !== undefined) { focusMap(state.selected.index); }
  window.kg = {data: D, network: network, state: state, select: select, showView: showView, find: find};
})();
