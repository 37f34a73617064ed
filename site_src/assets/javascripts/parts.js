/*
 * Loads the parts of a page when the reader opens them (builder/pages/parts.py): each
 * <details data-part="parts/<name>.html"> holds a summary and a link to a small static page
 * with its content (a data table, the chart data, the per-table files, a self-assessment).
 * When the block is opened, its part is fetched and its content ([data-portal-part], minus
 * the part page's own heading) replaces the link; the block is then marked
 * data-part-loaded="1" (the browser tests read it). Without JavaScript the link opens the
 * part page itself.
 *
 * An address naming a block (#table-expenditure, #chart-<id>-data), or a heading just
 * before one, opens it. Before printing, every part is loaded at once (a synchronous
 * request: the browser prints as soon as the beforeprint handlers return), so that the
 * printout has every table Material opens for print.
 *
 * Material's instant navigation swaps the page content without reloading scripts: the
 * toggle listener is on the document, and document$ emits after every navigation.
 */
(function () {
  "use strict";

  function partUrl(details) {
    var link = details.querySelector(":scope > .portal-part a");
    return link ? link.href : null;
  }

  function place(details, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var part = doc.querySelector("[data-portal-part]");
    if (!part) throw new Error("no [data-portal-part] in " + partUrl(details));
    var heading = part.querySelector(":scope > h1");
    if (heading) heading.remove();
    var holder = details.querySelector(":scope > .portal-part");
    var nodes = Array.prototype.map.call(part.childNodes, function (node) {
      return document.importNode(node, true);
    });
    holder.replaceWith.apply(holder, nodes);
    details.setAttribute("data-part-loaded", "1");
  }

  function failed(details, error) {
    details.setAttribute("data-part-error", String(error));
    console.error("part failed:", details.getAttribute("data-part"), error);
  }

  async function load(details) {
    if (details.hasAttribute("data-part-loading")) return;
    var url = partUrl(details);
    if (!url) return;
    details.setAttribute("data-part-loading", "1");
    try {
      var response = await fetch(url);
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      place(details, await response.text());
    } catch (error) {
      details.removeAttribute("data-part-loading");
      failed(details, error);
    }
  }

  function loadNow(details) {
    var url = partUrl(details);
    if (!url || details.hasAttribute("data-part-loaded")) return;
    details.setAttribute("data-part-loading", "1");
    var request = new XMLHttpRequest();
    request.open("GET", url, false);
    try {
      request.send();
      if (request.status !== 200) throw new Error("HTTP " + request.status + " for " + url);
      place(details, request.responseText);
    } catch (error) {
      failed(details, error);
    }
  }

  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (details.open && details.matches && details.matches("details[data-part]")) {
        load(details);
      }
    },
    true
  );

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details[data-part]").forEach(loadNow);
  });

  // The block the address names, or the block right after the heading it names.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var details = target.matches("details[data-part]") ? target : null;
    if (!details && /^H[1-6]$/.test(target.tagName)) {
      var next = target.nextElementSibling;
      if (next && next.matches("details[data-part]")) details = next;
    }
    if (!details) return;
    details.open = true; // the toggle listener loads it
    target.scrollIntoView();
  }

  window.addEventListener("hashchange", openTarget);
  if (typeof document$ !== "undefined") {
    document$.subscribe(openTarget);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openTarget);
  } else {
    openTarget();
  }
})();
