// Draws the pages' graphs with Cytoscape.js from data the server embedded in the page.
//
// Each graph is an element with data-graph="<kind>" and data-source="<id>", the id of a
// <script type="application/json"> block holding its nodes and edges (never executed, so
// the Content-Security-Policy needs no inline script). Every graph has a table beside it
// with the same numbers; this file only adds the picture. Labels (amounts formatted in
// their currency) come from the server, so the page and the picture say the same. The drawn graphs are kept on
// window.fraudlinkGraphs by element id, for the browser tests.
(function () {
  "use strict";

  var INK = "#1d2330";
  var MUTED = "#5b6578";
  var LINE = "#9aa4b5";

  var base = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-size": 10,
        color: INK,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "background-color": "#8a94a6",
        width: 18,
        height: 18,
      },
    },
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "line-color": LINE,
        "target-arrow-color": LINE,
        "target-arrow-shape": "triangle",
        "curve-style": "bezier",
        "arrow-scale": 0.8,
        opacity: 0.85,
      },
    },
  ];

  var styles = {
    counterparties: base.concat([
      { selector: "node[kind = 'self']", style: { "background-color": INK, width: 28, height: 28, "font-weight": "bold" } },
      { selector: "node[kind = 'new']", style: { "background-color": "#e8710a", "border-width": 3, "border-color": "#b3261e" } },
      { selector: "edge[way = 'in']", style: { "line-color": "#1b7f3b", "target-arrow-color": "#1b7f3b" } },
      { selector: "edge[way = 'out']", style: { "line-color": "#b3261e", "target-arrow-color": "#b3261e" } },
    ]),
    trace: base.concat([
      { selector: "node", style: { label: "data(caption)", "text-wrap": "wrap", "font-size": 9, shape: "round-rectangle", width: 22, height: 22 } },
      { selector: "node[kind = 'origin']", style: { "background-color": "#2e7d32" } },
      { selector: "node[kind = 'subject']", style: { "background-color": INK, "border-width": 3, "border-color": "#0b5fff" } },
      { selector: "node[held > 0]", style: { "background-color": "#0b5fff" } },
      { selector: "node[kind = 'cash_out']", style: { shape: "diamond", "background-color": "#8e24aa", width: 26, height: 26 } },
      { selector: "node[kind = 'beyond']", style: { shape: "ellipse", "background-color": "#c4cad6" } },
      { selector: "edge", style: { label: "data(caption)", "font-size": 8, color: MUTED, "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
      { selector: "edge[kind = 'cash_out']", style: { "line-color": "#8e24aa", "target-arrow-color": "#8e24aa", "line-style": "dashed" } },
    ]),
    gang: base.concat([
      { selector: "node", style: { "background-color": "data(colour)", width: 20, height: 20 } },
      { selector: "node[role = 'coordinator']", style: { width: 30, height: 30, "font-weight": "bold" } },
      { selector: "node[?subject]", style: { "border-width": 3, "border-color": "#0b5fff" } },
      { selector: "edge", style: { "target-arrow-shape": "none", "curve-style": "haystack" } },
      { selector: "edge[kind = 'money']", style: { width: "mapData(width, 1, 12, 1, 5)", "line-color": "#f0b429", "target-arrow-shape": "triangle", "target-arrow-color": "#f0b429", "curve-style": "bezier", opacity: 0.6 } },
      { selector: "edge[kind = 'device']", style: { "line-color": "#e8710a", "line-style": "dotted", width: 2 } },
    ]),
  };

  // Left to right by column (the hop), spread top to bottom within each column.
  function columns(nodes) {
    var byCol = {};
    nodes.forEach(function (n) {
      (byCol[n.data.col] = byCol[n.data.col] || []).push(n);
    });
    var positions = {};
    Object.keys(byCol).forEach(function (col) {
      var list = byCol[col];
      list.forEach(function (n, i) {
        positions[n.data.id] = { x: Number(col) * 230, y: (i - (list.length - 1) / 2) * 70 };
      });
    });
    return { name: "preset", positions: positions, fit: true, padding: 30 };
  }

  // Rings around the centre by role (data.ring: 0 the coordinator, then who runs devices
  // and cash-out, mules by layer, victims outside); each ring wide enough for its people.
  function rings(nodes) {
    var byRing = {};
    nodes.forEach(function (n) {
      (byRing[n.data.ring] = byRing[n.data.ring] || []).push(n);
    });
    var positions = {};
    var radius = 0;
    Object.keys(byRing)
      .map(Number)
      .sort(function (a, b) { return a - b; })
      .forEach(function (ring, level) {
        var list = byRing[ring];
        var alone = level === 0 && list.length === 1;
        radius = alone ? 0 : Math.max(radius + 80, (list.length * 46) / (2 * Math.PI));
        list.forEach(function (n, i) {
          var angle = (2 * Math.PI * i) / list.length + level * 0.6;
          positions[n.data.id] = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
        });
      });
    return { name: "preset", positions: positions, fit: true, padding: 30 };
  }

  var layouts = {
    counterparties: function () {
      return {
        name: "concentric",
        concentric: function (node) { return node.data("kind") === "self" ? 2 : 1; },
        levelWidth: function () { return 1; },
        minNodeSpacing: 60,
        padding: 20,
      };
    },
    trace: columns,
    gang: rings,
  };

  function draw(element) {
    var kind = element.getAttribute("data-graph");
    var source = document.getElementById(element.getAttribute("data-source"));
    if (!source || !styles[kind]) {
      return null;
    }
    var data = JSON.parse(source.textContent);
    var elements = {
      nodes: data.nodes.map(function (n) { return { data: n }; }),
      edges: data.edges.map(function (e) { return { data: e }; }),
    };
    element.textContent = "";
    element.classList.add("drawn");
    return window.cytoscape({
      container: element,
      elements: elements,
      style: styles[kind],
      layout: layouts[kind](elements.nodes),
      maxZoom: 1.5, // a small graph fitted to the box would otherwise be drawn huge
      minZoom: 0.1,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
    });
  }

  function start() {
    if (!window.cytoscape) {
      return; // not built: the tables carry the numbers, the fallback text says why
    }
    var drawn = (window.fraudlinkGraphs = window.fraudlinkGraphs || {});
    document.querySelectorAll("[data-graph]").forEach(function (element) {
      var cy = draw(element);
      if (cy) {
        drawn[element.id] = cy;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
