// The graph view: draws the Cytoscape.js JSON of /export?format=cytoscape (a CONSTRUCT query's result or
// an entity's neighbourhood) with nodes coloured by type and a legend. Hovering shows what a node or an
// arrow says, clicking a node opens its entity page. Text from the data is only ever set as textContent.
(function () {
  "use strict";

  const urls = JSON.parse(document.getElementById("ui-config").textContent).urls;
  // Colours in order of how many nodes a type has; types past the palette share the grey.
  const PALETTE = [
    "#0b5cad", "#d1495b", "#2a9d8f", "#e9a23b", "#7b4fa0", "#5c8d2f",
    "#c05a1c", "#d66ba0", "#3d9bd9", "#8c6d46", "#14a3a3", "#a8a000",
  ];
  const OTHER = "#9aa5b1";
  const LABEL_CHARS = 48; // on up to three lines
  const MAX_FIT_ZOOM = 1.3;
  const RING_NODES = 16;
  const MAX_NODES = 2000; // a browser lays out more only slowly, and nobody can read them
  const EDGE_LABELS_UP_TO = 30; // more arrow labels than this only clutter the drawing
  // Data keys the export writes for every node or edge; the others are the entity's literal values.
  const STRUCTURAL = new Set(["id", "iri", "label", "type", "name", "value", "colour", "short", "source", "target", "key", "typeLabel"]);

  const STYLE = [
    { selector: "node", style: {
      "background-color": "data(colour)", label: "data(short)", width: 18, height: 18,
      "font-size": 12, color: "#1d232b", "text-valign": "bottom", "text-margin-y": 4,
      "text-wrap": "wrap", "text-max-width": 140,
      "text-outline-color": "#fbfcfd", "text-outline-width": 2, "min-zoomed-font-size": 7,
      "border-width": 1, "border-color": "rgba(0,0,0,0.25)",
    } },
    { selector: "node.focus", style: { width: 30, height: 30, "border-width": 3, "border-color": "#1d232b", "font-weight": "bold", "font-size": 13 } },
    { selector: "edge", style: {
      width: 1.3, "line-color": "#a7b1bc", "target-arrow-color": "#a7b1bc", "target-arrow-shape": "triangle",
      "curve-style": "bezier", "arrow-scale": 0.9,
    } },
    { selector: "edge.labelled", style: {
      label: "data(label)", "font-size": 9, color: "#5f6b7a", "text-rotation": "autorotate",
      "text-background-color": "#fbfcfd", "text-background-opacity": 0.85, "text-background-padding": 1,
      "min-zoomed-font-size": 6,
    } },
    { selector: ".faded", style: { opacity: 0.15 } },
    { selector: "node.hover, node.highlight", style: { "border-width": 3, "border-color": "#1d232b", "z-index": 10 } },
    { selector: "edge.hover", style: { width: 3, "line-color": "#1d232b", "target-arrow-color": "#1d232b", label: "data(label)", "font-size": 10, "z-index": 10 } },
  ];

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function pageOf(iri) {
    return `${urls.describe}?${new URLSearchParams({ iri })}`;
  }

  async function fetchNetwork(source) {
    const response = source.iri
      ? await fetch(`${urls.export}?${new URLSearchParams({ format: "cytoscape", iri: source.iri })}`)
      : await fetch(urls.export, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ format: "cytoscape", query: source.query }),
      });
    const text = await response.text();
    if (!response.ok) throw new Error(text.trim() || `${response.status} ${response.statusText}`);
    return JSON.parse(text);
  }

  function typeColours(nodes) {
    const counts = new Map();
    for (const node of nodes) counts.set(node.data.type, (counts.get(node.data.type) || 0) + 1);
    return [...counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([type, count], index) => ({ type, count, colour: PALETTE[index] || OTHER }));
  }

  function shorten(text) {
    return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;
  }

  // A neighbourhood is a star around its entity: its neighbours go round it on rings of at most
  // RING_NODES, neighbours in turn on alternate rings; with one ring there is room to keep whole labels
  // apart, with more the drawing would shrink out of reading size. Anything else gets the fCoSE
  // force-directed layout, labels counted as part of their nodes, disconnected parts packed side by side.
  function layout(nodes, focus) {
    const common = { animate: false, padding: 30 };
    if (focus) {
      const rings = Math.ceil((nodes.length - 1) / RING_NODES);
      const ring = new Map(nodes.filter((node) => node.data.id !== focus).map((node, index) => [node.data.id, index % rings]));
      return {
        ...common, name: "concentric", levelWidth: () => 1,
        nodeDimensionsIncludeLabels: rings === 1, minNodeSpacing: rings === 1 ? 10 : 60,
        concentric: (node) => (node.id() === focus ? rings + 1 : rings - ring.get(node.id())),
      };
    }
    return {
      // "proof" is fCoSE's slowest and best quality: worth it for graphs people can still read.
      ...common, name: "fcose", quality: nodes.length > 500 ? "default" : "proof", randomize: true, packComponents: true,
      nodeDimensionsIncludeLabels: true, idealEdgeLength: () => 70, nodeRepulsion: () => 6000, nodeSeparation: 75,
    };
  }

  function definition(list, term, value) {
    list.append(element("dt", "", term));
    const dd = element("dd");
    if (value instanceof Node) dd.append(value); else dd.textContent = value;
    list.append(dd);
  }

  function link(href, text) {
    const a = element("a", "", text);
    a.href = href;
    return a;
  }

  function showNode(info, node) {
    const data = node.data();
    const list = element("dl");
    definition(list, "Label", data.label);
    definition(list, "Type", data.type);
    definition(list, "IRI", element("code", "", data.id));
    for (const [key, value] of Object.entries(data)) {
      if (!STRUCTURAL.has(key)) definition(list, key, String(value));
    }
    const hint = /^https?:/.test(data.id) ? "Click the node to open its page." : "A blank node has no page.";
    info.replaceChildren(list, element("p", "hint", hint));
  }

  function showEdge(info, edge) {
    const data = edge.data();
    const list = element("dl");
    definition(list, "Property", element("code", "", data.label));
    definition(list, "From", edge.source().data("label"));
    definition(list, "To", edge.target().data("label"));
    const sources = (data.sources || "").split(" ").filter(Boolean);
    if (sources.length) {
      const items = element("ul");
      for (const source of sources) {
        const item = element("li");
        item.append(link(pageOf(source), source));
        items.append(item);
      }
      definition(list, sources.length === 1 ? "Source" : "Sources", items);
    }
    info.replaceChildren(list);
  }

  function legendOf(cy, entries) {
    const legend = element("ul", "legend");
    for (const entry of entries) {
      const item = element("li");
      const swatch = element("span", "swatch");
      swatch.style.background = entry.colour;
      item.append(swatch, element("span", "", entry.type), element("span", "count", String(entry.count)));
      const ofType = () => cy.nodes().filter((node) => node.data("type") === entry.type);
      item.addEventListener("mouseenter", () => {
        cy.elements().addClass("faded");
        ofType().removeClass("faded").addClass("highlight");
      });
      item.addEventListener("mouseleave", () => cy.elements().removeClass("faded highlight"));
      legend.append(item);
    }
    return legend;
  }

  function draw(container, network, focus) {
    const { nodes, edges } = network.elements;
    const entries = typeColours(nodes);
    const colourOf = new Map(entries.map((entry) => [entry.type, entry.colour]));
    for (const node of nodes) {
      node.data.colour = colourOf.get(node.data.type);
      node.data.short = shorten(node.data.label || node.data.id);
    }

    const canvas = element("div", "canvas");
    const aside = element("aside");
    container.replaceChildren(canvas, aside);
    const cy = cytoscape({
      container: canvas, elements: { nodes, edges }, style: STYLE, layout: layout(nodes, focus),
      minZoom: 0.1, maxZoom: 4,
    });
    // A few nodes would be blown up to fill the canvas: keep them at about their natural size.
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    }
    if (focus) cy.getElementById(focus).addClass("focus");
    if (edges.length <= EDGE_LABELS_UP_TO) cy.edges().addClass("labelled");
    container.cy = cy; // for the browser tests and the console

    const info = element("div", "info");
    info.append(element("p", "hint", "Hover over a node or an arrow to read it; click a node to open its page."));
    aside.append(element("h2", "", "Types"), legendOf(cy, entries), element("h2", "", "Details"), info);
    cy.on("mouseover", "node", (event) => { event.target.addClass("hover"); showNode(info, event.target); });
    cy.on("mouseover", "edge", (event) => { event.target.addClass("hover"); showEdge(info, event.target); });
    cy.on("mouseout", "node, edge", (event) => event.target.removeClass("hover"));
    cy.on("tap", "node", (event) => {
      const iri = event.target.id();
      if (/^https?:/.test(iri)) window.location.href = pageOf(iri);
    });
    return cy;
  }

  // Draw what `source` names ({iri} or {query}) into `container`; `caption` says what is drawn.
  async function show(container, source, caption) {
    container.replaceChildren(element("p", "message", "Drawing …"));
    let network;
    try {
      network = await fetchNetwork(source);
    } catch (error) {
      container.replaceChildren(element("p", "message error", `The graph could not be drawn: ${error.message}`));
      return null;
    }
    const { nodes, edges } = network.elements;
    if (!nodes.length || nodes.length > MAX_NODES) {
      const why = nodes.length
        ? `${nodes.length} nodes are more than this view draws (${MAX_NODES}): download the export for a graph tool.`
        : "Nothing to draw: the query gave no triples.";
      container.replaceChildren(element("p", "message", why));
      return null;
    }
    const cy = draw(container, network, source.iri);
    if (caption) {
      const size = `${nodes.length} node${nodes.length === 1 ? "" : "s"}, ${edges.length} link${edges.length === 1 ? "" : "s"}`;
      const focus = source.iri && cy.getElementById(source.iri);
      caption.textContent = focus && focus.length ? `Neighbourhood of ${focus.data("label")}: ${size}` : size;
    }
    return cy;
  }

  window.OzgGraph = { show };

  document.addEventListener("DOMContentLoaded", () => {
    for (const container of document.querySelectorAll("[data-graph]")) {
      const { iri, query } = container.dataset;
      show(container, iri ? { iri } : { query }, document.getElementById("graph-caption"));
    }
    const picker = document.getElementById("example-picker");
    if (picker) {
      const examples = JSON.parse(document.getElementById("ui-config").textContent).examples;
      picker.addEventListener("change", () => {
        const example = examples.find((candidate) => candidate.name === picker.value);
        if (!example) return;
        document.getElementById("query").value = example.query;
        picker.form.submit();
      });
    }
  });
})();
