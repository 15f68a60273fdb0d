// The query page: YASGUI on this server's endpoint, the competency questions as ready-made tabs, links
// of our entities into their pages, and a "Graph" result view for CONSTRUCT and DESCRIBE answers.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("ui-config").textContent);
  const { urls } = config;
  const absolute = (path) => new URL(path, window.location.href).href;
  const endpoint = absolute(urls.sparql);
  const RDF_ANSWER = /turtle|n-triples|n-quads|trig|rdf\+xml|ld\+json/;
  const FIRST_QUERY = [
    "PREFIX ozg: <https://w3id.org/ozgkg/def#>",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    "",
    "# Every Land with its name; pick a competency question above for more.",
    "SELECT ?land ?name WHERE {",
    "  ?land a ozg:Land ; skos:prefLabel ?name .",
    "  FILTER (LANG(?name) = \"de\")",
    "}",
    "ORDER BY ?name",
  ].join("\n");

  let yasgui;

  function tabOf(yasr) {
    return Object.values(yasgui._tabs).find((tab) => tab.getYasr() === yasr);
  }

  // A result view beside Table and Response: the answer drawn by the graph view.
  class GraphPlugin {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 20;
      this.label = "Graph";
    }

    canHandleResults() {
      const results = this.yasr.results;
      return Boolean(results) && !results.hasError() && RDF_ANSWER.test(results.getContentType() || "");
    }

    getIcon() {
      const icon = document.createElement("span");
      icon.textContent = "⬡";
      return icon;
    }

    async draw() {
      const caption = document.createElement("p");
      caption.className = "caption";
      const view = document.createElement("div");
      view.className = "graph";
      this.yasr.resultsEl.append(caption, view);
      // The view asks /export for the same query: it adds labels, types and sources to the triples.
      await window.OzgGraph.show(view, { query: tabOf(this.yasr).getQuery() }, caption);
    }
  }

  const examples = new Map(config.examples.map((example) => [example.name, example]));
  const byTab = new Map(config.examples.map((example) => [example.tab, example]));
  const picker = document.getElementById("question-picker");

  function showQuestion(tab) {
    const example = byTab.get(tab.getName());
    document.getElementById("question").hidden = !example;
    picker.value = example ? example.name : "";
    if (!example) return;
    document.getElementById("question-tab").textContent = `${example.tab} · ${example.name}.rq`;
    document.getElementById("question-en").textContent = example.en;
    document.getElementById("question-de").textContent = example.de;
  }

  function openQuestion(name) {
    const example = examples.get(name);
    if (!example) return;
    const open = yasgui.tabNameTaken(example.tab);
    const tab = open ? yasgui.selectTabId(open.getId()) : yasgui.addTab(true, { name: example.tab, yasqe: { value: example.query } });
    showQuestion(tab);
  }

  // Result tables link IRIs to themselves; ours are better read on this server's entity pages.
  function linkEntities(root) {
    for (const anchor of root.querySelectorAll(`a[href^="${urls.entities}"]`)) {
      anchor.href = `${urls.describe}?${new URLSearchParams({ iri: anchor.getAttribute("href") })}`;
    }
  }

  Yasgui.Yasr.registerPlugin("Graph", GraphPlugin);
  yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: `ozgkg-yasgui-${endpoint}`,
    // Completion from online services (prefix.cc, LOV) would leave the machine: our prefixes instead.
    yasqe: { value: FIRST_QUERY, autocompleters: ["prefixes", "variables"], prefixCcApi: absolute(urls.prefixes) },
    yasr: { prefixes: config.prefixes },
  });

  picker.addEventListener("change", () => openQuestion(picker.value));
  yasgui.on("tabSelect", (instance, tabId) => showQuestion(instance.getTab(tabId)));
  // A fresh graph answer opens in the Graph view (YASGUI announces it before its results are set).
  yasgui.on("queryResponse", (instance, tab) => {
    const yasr = tab.getYasr();
    yasr.once("drawn", () => {
      if (yasr.plugins.Graph.canHandleResults() && yasr.getSelectedPluginName() !== "Graph") yasr.selectPlugin("Graph");
    });
  });
  showQuestion(yasgui.getTab());
  new MutationObserver(() => linkEntities(document.getElementById("yasgui")))
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });
})();
