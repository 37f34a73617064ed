/*
 * Loads the parts of a page when the reader opens them (builder/pages/parts.py): each
 * <details data-part="<name>"> holds a summary and a link to a small static page beside
 * the page, parts.html.gz, stored gzipped, which holds every part of the page (a data table,
 * the chart data, the per-table files, a self-assessment), each a <section id="<name>">.
 * When a block is opened, the file is fetched (once a page: later blocks reuse it) and
 * decoded (gunzip.js; as it is when the server already decoded it), and the content of the
 * block's section, minus its heading, replaces the link; the block is then marked
 * data-part-loaded="1" (the browser tests read it). Without JavaScript the link downloads
 * the file.
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

  var files = {}; // the parts file's address → the promise of its parsed document

  // The block's part: the file its link names and the section its data-part names (none
  // once loaded: the link is gone).
  function partOf(details) {
    var link = details.querySelector(":scope > .portal-part a");
    if (!link) return null;
    return { file: link.href.split("#")[0], name: details.getAttribute("data-part") };
  }

  // The file's bytes as a document: gunzipped, unless the server did (Content-Encoding).
  function parse(bytes) {
    if (bytes.length > 1 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = portalGunzip(bytes);
    var html = new TextDecoder("utf-8").decode(bytes);
    return new DOMParser().parseFromString(html, "text/html");
  }

  function binary(text) { // a synchronous request's "x-user-defined" text as its bytes
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    return bytes;
  }

  function place(details, doc, wanted) {
    var part = doc.getElementById(wanted.name);
    if (!part || !part.hasAttribute("data-portal-part")) {
      throw new Error("no part " + wanted.name + " in " + wanted.file);
    }
    var heading = part.querySelector(":scope > h2");
    var holder = details.querySelector(":scope > .portal-part");
    var nodes = Array.prototype.filter
      .call(part.childNodes, function (node) {
        return node !== heading;
      })
      .map(function (node) {
        return document.importNode(node, true);
      });
    holder.replaceWith.apply(holder, nodes);
    details.setAttribute("data-part-loaded", "1");
  }

  function failed(details, error) {
    details.setAttribute("data-part-error", String(error));
    console.error("part failed:", details.getAttribute("data-part"), error);
  }

  function fetched(file) {
    if (!files[file]) {
      files[file] = fetch(file).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + file);
        return response.arrayBuffer().then(function (buffer) {
          return parse(new Uint8Array(buffer));
        });
      });
      files[file].catch(function () {
        delete files[file]; // a later opening tries again
      });
    }
    return files[file];
  }

  async function load(details) {
    if (details.hasAttribute("data-part-loading")) return;
    var wanted = partOf(details);
    if (!wanted) return;
    details.setAttribute("data-part-loading", "1");
    try {
      place(details, await fetched(wanted.file), wanted);
    } catch (error) {
      details.removeAttribute("data-part-loading");
      failed(details, error);
    }
  }

  function loadNow(details, documents) {
    var wanted = partOf(details);
    if (!wanted || details.hasAttribute("data-part-loaded")) return;
    details.setAttribute("data-part-loading", "1");
    var file = wanted.file;
    try {
      if (!documents[file]) {
        var request = new XMLHttpRequest();
        request.open("GET", file, false);
        request.overrideMimeType("text/plain; charset=x-user-defined"); // the bytes as they are
        request.send();
        if (request.status !== 200) throw new Error("HTTP " + request.status + " for " + file);
        documents[file] = parse(binary(request.responseText));
      }
      place(details, documents[file], wanted);
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
    var documents = {};
    document.querySelectorAll("details[data-part]").forEach(function (details) {
      loadNow(details, documents);
    });
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
