// Starts Swagger UI on /docs from the vendored bundle (no CDN; no inline script, for the strict CSP), and mends what
// its markup lacks for assistive technology (docs.css mends colours and target sizes).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  // Deep links put a link inside each operation's toggle button (nested-interactive); without them the path is text.
  deepLinking: false,
  validatorUrl: null,
  syntaxHighlight: { activated: true, theme: "idea" },
});

// Swagger UI re-renders as sections open: apply the fixes to what it draws, every time it draws.
function mend(root) {
  root.querySelectorAll("select:not([aria-label])").forEach(function (select) {
    var title = select.id === "servers" ? "Server" : select.closest("td, .content-type-wrapper, .response-control-media-type");
    var named = typeof title === "string" ? title : title && title.querySelector(".parameter__name, label");
    select.setAttribute("aria-label", typeof named === "string" ? named : named ? named.textContent.trim() : "Choice");
  });
  // Content outside Swagger UI's own <main>: named regions, so that every part of the page is in a landmark.
  [[".information-container", "About this API"], [".scheme-container", "Servers and authorization"]].forEach(
    function (pair) {
      root.querySelectorAll(pair[0] + ":not([role])").forEach(function (el) {
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", pair[1]);
      });
    },
  );
  // Each operation's responses table is a region: named after its operation, so that the regions can be told apart.
  root.querySelectorAll("[id$='_responses'][role]:not([aria-label])").forEach(function (el) {
    var op = el.closest(".opblock");
    var summary = op && op.querySelector(".opblock-summary-method, .opblock-summary-path");
    var path = op && op.querySelector(".opblock-summary-path");
    el.setAttribute("aria-label", "Responses of " + (summary ? summary.textContent : "") + " " + (path ? path.textContent : ""));
  });
  // Examples that scroll sideways must be reachable from the keyboard.
  root.querySelectorAll(".highlight-code > .microlight:not([tabindex])").forEach(function (el) {
    el.setAttribute("tabindex", "0");
  });
  // The page's title is its h1; the groups of operations and the schemas are its sections (h3, h4 in the markup).
  root.querySelectorAll("h3.opblock-tag:not([aria-level]), section.models > h4:not([aria-level])").forEach(function (h) {
    h.setAttribute("role", "heading");
    h.setAttribute("aria-level", "2");
  });
  root.querySelectorAll("h4.opblock-title_normal:not([aria-level]), .opblock-section-header h4:not([aria-level])").forEach(function (h) {
    h.setAttribute("role", "heading");
    h.setAttribute("aria-level", "3");
  });
}

var target = document.getElementById("swagger-ui");
new MutationObserver(function () { mend(target); }).observe(target, { childList: true, subtree: true });
