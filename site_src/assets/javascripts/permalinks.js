/* Section links (¶ after each heading, shown on hover or focus): written here rather than by
 * Markdown's toc extension on every heading of every page (2.3 KB of a disclosure page's HTML,
 * 23 MB of the Pages artifact at 10,000 disclosures). The heading ids, and the table of
 * contents that links them, are still in the page: without JavaScript a section's address
 * is its link in the table of contents. Material's CSS styles .headerlink; Material's
 * instant navigation calls document$ after each page change.
 */
(function () {
  "use strict";

  function addPermalinks() {
    var article = document.querySelector("article.md-content__inner");
    if (!article) return;
    article.querySelectorAll("h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]").forEach(function (heading) {
      if (heading.querySelector(":scope > .headerlink")) return;
      var link = document.createElement("a");
      link.className = "headerlink";
      link.href = "#" + heading.id;
      link.title = "本节链接";
      link.textContent = "¶";
      heading.appendChild(link);
    });
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(addPermalinks);
  } else {
    addPermalinks();
  }
})();
