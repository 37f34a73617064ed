/*
 * Renders every <div class="vega-chart" data-spec-url="…"> (or data-spec="…") on the page
 * with the self-hosted vega-embed (loaded before this file through extra_javascript).
 *
 * Material's instant navigation swaps the page content without reloading scripts; its
 * document$ observable emits on the first load and after every instant navigation, so the
 * charts of the new page are rendered there. The result is marked on the element:
 * data-chart-ok="1" on success, data-chart-error="…" on failure (the browser tests read it).
 */
(function () {
  "use strict";

  async function loadSpec(el) {
    var url = el.getAttribute("data-spec-url");
    if (url) {
      var response = await fetch(new URL(url, document.baseURI));
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    }
    return JSON.parse(el.getAttribute("data-spec"));
  }

  async function renderChart(el) {
    el.setAttribute("data-rendered", "1");
    try {
      var spec = await loadSpec(el);
      await vegaEmbed(el, spec, { renderer: "svg", actions: false });
      el.setAttribute("data-chart-ok", "1");
    } catch (error) {
      el.setAttribute("data-chart-error", String(error));
      console.error("chart failed:", el.getAttribute("data-spec-url"), error);
    }
  }

  function renderCharts() {
    document.querySelectorAll("div.vega-chart:not([data-rendered])").forEach(renderChart);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderCharts);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderCharts);
  } else {
    renderCharts();
  }
})();
