/* 站内搜索 (the portal's search): reads the index that builder/pages/search.py writes.
 *
 * A query is cut into the same terms as the pages (pairs of Chinese characters, ASCII
 * words: termsOf must stay the twin of terms_of in search.py). Only the shards of those
 * terms are fetched, then the page files of the hits shown (both stored gzipped, decoded by
 * gunzip.js). A page must hold every term; pages whose text holds the query's exact words
 * (quotation marks allowed between the characters, as in “三公”经费) come first, then the
 * others by their BM25 score. The words are highlighted in the results and, after a click,
 * on the page opened (?h=).
 *
 * The search dialog (Material's markup and classes: its look, its open and close toggle
 * #__search) is written here, after the header's search button
 * (builder/pages/theme/partials/header.html), not into every page: without JavaScript there
 * is no search to show, and the markup was 1.7 KB of every page (34 MB of the Pages artifact
 * at 10,000 disclosures). It searches on every input event, so a pasted query is searched at
 * once; ?q= in the address opens the search with that query. Material's instant navigation
 * keeps the header, and the dialog with it, and calls document$ after each page change.
 */
(function () {
  "use strict";

  var HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var TRANSPARENT = "“”‘’\"'《》〈〉「」『』";
  var TRANSPARENT_RE = new RegExp("(?<=[" + HAN + "])[" + TRANSPARENT + "]+(?=[" + HAN + "])", "g");
  var TOKEN_RE = new RegExp("[" + HAN + "]+|[a-z0-9]+", "g");
  var SHOWN = 5; // pages shown at a time (each one page file fetched)
  var SECTIONS_SHOWN = 3; // matching sections shown under a page
  var EXCERPT_BEFORE = 30;
  var EXCERPT_AFTER = 70;

  var script = document.currentScript;
  var base = new URL("../../", script ? script.src : location.href);
  var indexBase = new URL("search/", base);
  var cache = new Map();

  function termsOf(text) {
    var normal = text.normalize("NFKC").toLowerCase().replace(TRANSPARENT_RE, "");
    var out = [];
    var runs = normal.match(TOKEN_RE) || [];
    runs.forEach(function (run) {
      if (/^[a-z0-9]/.test(run)) {
        if (run.length > 1) out.push(run);
      } else if (run.length === 1) {
        out.push(run);
      } else {
        for (var i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
      }
    });
    return out;
  }

  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  /* The numbers of a posting string (encode_numbers in search.py). */
  function decodeNumbers(text) {
    var out = [];
    var value = 0;
    var scale = 1;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGITS.indexOf(text[i]);
      value += (digit & 31) * scale;
      if (digit & 32) {
        scale *= 32;
      } else {
        out.push(value);
        value = 0;
        scale = 1;
      }
    }
    return out;
  }

  function shardOf(term, shards) {
    var value = 0x811c9dc5;
    new TextEncoder().encode(term).forEach(function (byte) {
      value = Math.imul(value ^ byte, 0x01000193) >>> 0;
    });
    return value % shards;
  }

  function load(path) {
    if (!cache.has(path)) {
      cache.set(
        path,
        fetch(new URL(path, indexBase)).then(async function (response) {
          if (!response.ok) throw new Error(path + ": " + response.status);
          var bytes = new Uint8Array(await response.arrayBuffer());
          // Term and page files are stored gzipped (gunzip.js), unless the server decoded them.
          if (bytes.length > 1 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = portalGunzip(bytes);
          return JSON.parse(new TextDecoder("utf-8").decode(bytes));
        })
      );
    }
    return cache.get(path);
  }

  /* The query's words (split at spaces), each as a pattern that finds it as printed. */
  function wordsOf(query) {
    return query
      .normalize("NFKC")
      .split(/\s+/)
      .filter(function (word) { return termsOf(word).length > 0; });
  }

  function patternOf(words) {
    var parts = words.map(function (word) {
      return Array.from(word.replace(new RegExp("[" + TRANSPARENT + "]", "g"), ""))
        .map(function (c) { return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); })
        .join("[" + TRANSPARENT + "]*");
    });
    parts.sort(function (a, b) { return b.length - a.length; });
    return parts.length ? new RegExp(parts.join("|"), "gi") : null;
  }

  /* Pages holding every term of the query, best first: [[page id, score], …], and N. */
  async function rank(terms) {
    var meta = await load("meta.json");
    var unique = Array.from(new Set(terms));
    var shards = await Promise.all(unique.map(function (term) {
      return load("terms/" + shardOf(term, meta.shards) + ".json.gz");
    }));
    var scores = null;
    unique.forEach(function (term, i) {
      var entry = decodeNumbers(shards[i][term] || "");
      var idf = Math.log(1 + (meta.pages - entry.length / 2 + 0.5) / (entry.length / 2 + 0.5));
      var next = new Map();
      for (var k = 0, page = 0; k < entry.length; k += 2) {
        page += entry[k];
        if (scores === null || scores.has(page)) {
          next.set(page, (scores === null ? 0 : scores.get(page)) + idf * entry[k + 1]);
        }
      }
      scores = next;
    });
    return Array.from(scores || []).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function marked(text, pattern) {
    var out = "";
    var last = 0;
    pattern.lastIndex = 0;
    text.replace(pattern, function (match, offset) {
      out += escapeHtml(text.slice(last, offset)) + "<mark>" + escapeHtml(match) + "</mark>";
      last = offset + match.length;
      return match;
    });
    return out + escapeHtml(text.slice(last));
  }

  function excerpt(text, pattern) {
    pattern.lastIndex = 0;
    var found = pattern.exec(text);
    if (!found) return "";
    var start = Math.max(0, found.index - EXCERPT_BEFORE);
    var end = Math.min(text.length, found.index + found[0].length + EXCERPT_AFTER);
    return (start > 0 ? "…" : "") + marked(text.slice(start, end), pattern) + (end < text.length ? "…" : "");
  }

  function has(text, pattern) {
    pattern.lastIndex = 0;
    return pattern.test(text);
  }

  /* A hit: the page file with the sections holding the words (exact: any at all). */
  async function hitOf(id, pattern) {
    var page = await load("pages/" + id + ".json.gz");
    var sections = page.sections.filter(function (s) { return has(s[1], pattern) || has(s[2], pattern); });
    // Sections whose heading holds the words first, then the others in page order.
    sections.sort(function (a, b) { return has(b[1], pattern) - has(a[1], pattern); });
    // A cut page (see page_file in search.py) may hold the words past what its file keeps.
    var exact = sections.length > 0 || has(page.title, pattern);
    return { page: page, sections: sections, exact: exact };
  }

  function linkOf(url, anchor, query) {
    var link = new URL(url, base);
    link.searchParams.set("h", query);
    if (anchor) link.hash = anchor;
    return link.href;
  }

  function render(hit, query, pattern) {
    var item = document.createElement("li");
    item.className = "md-search-result__item portal-search__hit";
    var html = '<a class="md-search-result__link" href="' + escapeHtml(linkOf(hit.page.url, "", query)) + '">' +
      '<article class="md-search-result__article md-typeset"><h1>' + marked(hit.page.title, pattern) + "</h1>";
    if (!hit.exact) {
      html += '<p class="portal-search__partial">' +
        (hit.page.cut ? "页面较长，摘要从略，请打开页面查看" : "含全部字词，但不相连") + "</p>";
    }
    html += "</article></a>";
    hit.sections.slice(0, SECTIONS_SHOWN).forEach(function (s) {
      html += '<a class="md-search-result__link" href="' + escapeHtml(linkOf(hit.page.url, s[0], query)) + '">' +
        '<article class="md-search-result__article md-typeset">' +
        (s[1] ? "<h2>" + marked(s[1], pattern) + "</h2>" : "") +
        "<p>" + excerpt(s[2], pattern) + "</p></article></a>";
    });
    item.innerHTML = html;
    return item;
  }

  var box, input, meta, list, more, current = 0;

  function icon(path) {
    return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="' + path + '"/></svg>';
  }

  // Material Design Icons as Material for MkDocs writes them: magnify, arrow-left, close.
  var MAGNIFY = "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5";
  var ARROW_LEFT = "M20 11v2H8l5.5 5.5-1.42 1.42L4.16 12l7.92-7.92L13.5 5.5 8 11z";
  var CLOSE = "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z";
  var DIALOG =
    '<div class="md-search portal-search" role="dialog" aria-label="站内搜索">' +
    '<label class="md-search__overlay" for="__search"></label>' +
    '<div class="md-search__inner" role="search">' +
    '<form class="md-search__form" name="search">' +
    '<input type="text" class="md-search__input" name="query" aria-label="搜索"' +
    ' placeholder="搜索：单位、项目或词语，如 三公经费" autocapitalize="off"' +
    ' autocorrect="off" autocomplete="off" spellcheck="false" enterkeyhint="search">' +
    '<label class="md-search__icon md-icon" for="__search" title="关闭搜索">' +
    icon(MAGNIFY) + icon(ARROW_LEFT) + "</label>" +
    '<nav class="md-search__options" aria-label="搜索">' +
    '<button type="reset" class="md-search__icon md-icon" title="清空" aria-label="清空" tabindex="-1">' +
    icon(CLOSE) + "</button></nav></form>" +
    '<div class="md-search__output"><div class="md-search__scrollwrap" tabindex="0">' +
    '<div class="md-search-result">' +
    '<div class="md-search-result__meta" role="status">输入词语开始搜索，例如：三公经费</div>' +
    '<ol class="md-search-result__list" role="presentation"></ol>' +
    '<button type="button" class="md-button portal-search__more" hidden>显示更多结果</button>' +
    "</div></div></div></div></div>";

  /* The dialog, written after the header's search button (once: instant navigation keeps it). */
  function dialog() {
    var button = document.querySelector('.md-header__inner > label[for="__search"]');
    if (!button) return null;
    if (!document.querySelector(".portal-search")) button.insertAdjacentHTML("afterend", DIALOG);
    return document.querySelector(".portal-search");
  }

  async function search(query) {
    var run = ++current;
    var words = wordsOf(query);
    var terms = [].concat.apply([], words.map(termsOf));
    list.innerHTML = "";
    more.hidden = true;
    if (!terms.length) {
      meta.textContent = query.trim() ? "请输入中文词语或数字" : "输入词语开始搜索，例如：三公经费";
      return;
    }
    meta.textContent = "正在搜索…";
    var pattern = patternOf(words);
    try {
      var ranked = await rank(terms);
      if (run !== current) return;
      var shown = 0;
      var show = async function () {
        var batch = ranked.slice(shown, shown + SHOWN);
        shown += batch.length;
        var hits = await Promise.all(batch.map(function (r) { return hitOf(r[0], pattern); }));
        if (run !== current) return;
        hits.sort(function (a, b) { return b.exact - a.exact; }); // stable: score within
        hits.forEach(function (hit) { list.appendChild(render(hit, query, pattern)); });
        more.hidden = shown >= ranked.length;
      };
      meta.textContent = ranked.length ? "找到 " + ranked.length + " 个页面" : "没有找到含“" + query.trim() + "”的页面";
      more.onclick = function () { show(); };
      await show();
    } catch (error) {
      if (run === current) meta.textContent = "搜索索引无法加载（" + error.message + "）";
    }
  }

  function highlight() {
    var query = new URL(location.href).searchParams.get("h");
    var article = document.querySelector("article.md-content__inner");
    if (!query || !article) return;
    var pattern = patternOf(wordsOf(query));
    if (!pattern) return;
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentElement.closest("script, style, mark, svg, .headerlink")
          ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    var nodes = [];
    while (walker.nextNode()) if (has(walker.currentNode.data, pattern)) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var span = document.createElement("span");
      span.innerHTML = marked(node.data, pattern);
      span.querySelectorAll("mark").forEach(function (m) { m.className = "portal-highlight"; });
      node.replaceWith.apply(node, Array.from(span.childNodes));
    });
    var first = article.querySelector("mark.portal-highlight");
    if (first && !location.hash) first.scrollIntoView({ block: "center" });
  }

  function open(query) {
    input.value = query;
    var toggle = document.getElementById("__search");
    if (toggle) toggle.checked = true;
    input.focus();
    search(query);
  }

  function setUp() {
    box = dialog();
    if (!box) return;
    input = box.querySelector(".md-search__input");
    meta = box.querySelector(".md-search-result__meta");
    list = box.querySelector(".md-search-result__list");
    more = box.querySelector(".portal-search__more");
    var composing = false;
    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; search(input.value); });
    input.addEventListener("input", function () { if (!composing) search(input.value); });
    box.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); });
    box.addEventListener("reset", function () { setTimeout(function () { search(""); }); });
    list.addEventListener("click", function (event) {
      if (event.target.closest("a")) document.getElementById("__search").checked = false;
    });
    var toggle = document.getElementById("__search");
    toggle.addEventListener("change", function () { if (toggle.checked) input.focus(); });
    var query = new URL(location.href).searchParams.get("q");
    if (query) open(query);
  }

  // For the tests: the query's terms and shards must be those of builder/pages/search.py.
  window.portalSearch = { termsOf: termsOf, shardOf: shardOf, decodeNumbers: decodeNumbers };
  setUp();
  if (typeof document$ !== "undefined") {
    document$.subscribe(highlight);
  } else {
    highlight();
  }
})();
