/*
 * Renders every <div class="vega-chart" data-spec-url="…"> (or data-spec="…") on the page
 * with the self-hosted vega-embed (loaded before this file through extra_javascript).
 *
 * Material's instant navigation swaps the page content without reloading scripts; its
 * document$ observable emits on the first load and after every instant navigation, so the
 * charts of the new page are rendered there. The result is marked on the element:
 * data-chart-ok="1" on success, data-chart-error="…" on failure (the browser tests read it).
 *
 * Each chart's PNG and SVG buttons (<button data-chart-export="png|svg" data-chart="<figure
 * id>">, disabled until the chart is drawn) save the picture drawn by vega's own exporter
 * under the chart's stable name (data-chart-name).
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
      var result = await vegaEmbed(el, spec, { renderer: "svg", actions: false });
      views.set(el, result.view);
      sayTitlesInChinese(el);
      el.setAttribute("data-chart-ok", "1");
      var figure = el.closest("figure");
      if (figure && figure.id) {
        document
          .querySelectorAll('button[data-chart="' + figure.id + '"]')
          .forEach(function (button) { button.disabled = false; });
      }
    } catch (error) {
      el.setAttribute("data-chart-error", String(error));
      console.error("chart failed:", el.getAttribute("data-spec-url"), error);
    }
  }

  var views = new WeakMap();

  // Vega labels a chart's title for screen readers in English ("Title text '…' Subtitle
  // text '…'") whatever the spec says; the label is rewritten in Chinese.
  function sayTitlesInChinese(el) {
    el.querySelectorAll('[aria-label^="Title text"], [aria-label^="Subtitle text"]')
      .forEach(function (node) {
        var label = node.getAttribute("aria-label")
          .replace(/^Title text '/, "标题：")
          .replace(/^Subtitle text '/, "副标题：")
          .replace(/'$/, "");
        node.setAttribute("aria-label", label);
      });
  }

  async function exportChart(button) {
    var figure = document.getElementById(button.getAttribute("data-chart"));
    var el = figure && figure.querySelector("div.vega-chart");
    var view = el && views.get(el);
    if (!view) return;
    var format = button.getAttribute("data-chart-export");
    var url = await view.toImageURL(format, format === "png" ? 2 : 1);
    var link = document.createElement("a");
    link.href = url;
    link.download = (el.getAttribute("data-chart-name") || "chart") + "." + format;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-chart-export]");
    if (button) exportChart(button);
  });

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
