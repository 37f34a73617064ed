/*
 * Renders every <div class="vega-chart" data-spec-template="…" data-spec-values="…"> (or
 * data-spec-url="…", or data-spec="…") on the page with the self-hosted vega-embed (loaded
 * before this file through extra_javascript).
 *
 * A chart's spec comes in two files: the template of its shape (shared by every chart of
 * that shape, fetched once per page load and cached by the browser) and its own slot values
 * (JSON, gzipped: decoded by gunzip.js, or taken as it is when the server decoded it).
 * fillTemplate() puts them together exactly as builder/charts/template.py does: a string
 * that is a slot marker ("\ue000name\ue001") becomes the slot's value, whatever its type
 * (object keys too); a marker inside a longer string is replaced by the value's text. The
 * values are put in as given, never searched for markers.
 *
 * Material's instant navigation swaps the page content without reloading scripts; its
 * document$ observable emits on the first load and after every instant navigation, so the
 * charts of the new page are rendered there. The result is marked on the element:
 * data-chart-ok="1" on success, data-chart-error="…" on failure (the browser tests read it).
 *
 * Once a chart is drawn, its PNG, SVG and JSON buttons (<button data-chart-export="png|svg|json"
 * data-chart="<figure id>">) are added to the line under its figure (p.portal-chart-share,
 * after the chart's link): they save the picture drawn by vega's own exporter, or the
 * Vega-Lite spec the chart was drawn from (<name>.vl.json), under the chart's stable name
 * (data-chart-name). The page does not carry them: without JavaScript they could do nothing.
 */
(function () {
  "use strict";

  var SLOT = /\ue000([a-z_]+)\ue001/g;
  var WHOLE_SLOT = /^\ue000([a-z_]+)\ue001$/;
  var templates = new Map(); // URL → promise of the parsed template, for this page load
  var EXPORTS = [
    ["png", "下载图片（PNG）"],
    ["svg", "下载图片（SVG）"],
    ["json", "下载图表定义（JSON）"],
  ];

  async function fetchJson(url) {
    var response = await fetch(new URL(url, document.baseURI));
    if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
    return response.json();
  }

  async function fetchPackedJson(url) { // JSON, gzipped or not
    var response = await fetch(new URL(url, document.baseURI));
    if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
    var bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > 1 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = portalGunzip(bytes);
    return JSON.parse(new TextDecoder("utf-8").decode(bytes));
  }

  function fetchTemplate(url) {
    var key = new URL(url, document.baseURI).href;
    if (!templates.has(key)) {
      var loading = fetchJson(url);
      loading.catch(function () { templates.delete(key); });
      templates.set(key, loading);
    }
    return templates.get(key);
  }

  function slotValue(values, name) {
    if (!Object.prototype.hasOwnProperty.call(values, name)) {
      throw new Error("the chart has no value for the slot " + name);
    }
    return values[name];
  }

  function fillTemplate(node, values) {
    if (typeof node === "string") {
      var whole = WHOLE_SLOT.exec(node);
      if (whole) return slotValue(values, whole[1]);
      if (node.indexOf("\ue000") < 0) return node;
      return node.replace(SLOT, function (_, name) {
        var value = slotValue(values, name);
        if (typeof value !== "string") throw new Error("the slot " + name + " needs text");
        return value;
      });
    }
    if (Array.isArray(node)) {
      return node.map(function (item) { return fillTemplate(item, values); });
    }
    if (node !== null && typeof node === "object") {
      var filled = {};
      Object.keys(node).forEach(function (key) {
        filled[fillTemplate(key, values)] = fillTemplate(node[key], values);
      });
      return filled;
    }
    return node;
  }

  async function loadSpec(el) {
    var template = el.getAttribute("data-spec-template");
    if (template) {
      var parts = await Promise.all([
        fetchTemplate(template),
        fetchPackedJson(el.getAttribute("data-spec-values")),
      ]);
      return fillTemplate(parts[0], parts[1]);
    }
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
      specs.set(el, JSON.stringify(spec));
      var result = await vegaEmbed(el, spec, { renderer: "svg", actions: false });
      views.set(el, result.view);
      sayTitlesInChinese(el);
      el.setAttribute("data-chart-ok", "1");
      addExports(el.closest("figure"));
    } catch (error) {
      el.setAttribute("data-chart-error", String(error));
      console.error("chart failed:", el.getAttribute("data-chart-name"), error);
    }
  }

  // The export buttons, after the chart's link on the line under its figure.
  function addExports(figure) {
    var line = figure && figure.id ? figure.nextElementSibling : null;
    if (!line || !line.classList.contains("portal-chart-share")) return;
    if (line.querySelector("button[data-chart-export]")) return;
    var link = line.querySelector('a[href="#' + CSS.escape(figure.id) + '"]');
    var after = link || line.firstChild;
    EXPORTS.forEach(function (kind) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button";
      button.setAttribute("data-chart-export", kind[0]);
      button.setAttribute("data-chart", figure.id);
      button.textContent = kind[1];
      after.after(" ", button);
      after = button;
    });
  }

  var views = new WeakMap();
  var specs = new WeakMap(); // the spec each chart was drawn from, as JSON text

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
    var name = el.getAttribute("data-chart-name") || "chart";
    if (format === "json") {
      var blob = new Blob([specs.get(el) + "\n"], { type: "application/json" });
      var blobUrl = URL.createObjectURL(blob);
      save(blobUrl, name + ".vl.json");
      setTimeout(function () { URL.revokeObjectURL(blobUrl); }, 1000);
      return;
    }
    save(await view.toImageURL(format, format === "png" ? 2 : 1), name + "." + format);
  }

  function save(url, filename) {
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
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
