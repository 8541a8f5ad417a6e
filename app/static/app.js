// Mentor Directory: update search results in place. Without this file every control still works as a plain GET form.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var narrow = window.matchMedia("(max-width: 760px)");
  var pending = null;

  function app() { return document.getElementById("search-app"); }

  // The query string the form describes, without empty fields, so shared links stay short.
  function formUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") { params.append(key, value.trim()); }
    });
    var query = params.toString();
    return "/" + (query ? "?" + query : "");
  }

  function isSearchUrl(url) {
    return url.origin === location.origin && url.pathname === "/";
  }

  function collapseOnPhones(container) {
    var filters = container.querySelector("#filters");
    if (filters && narrow.matches) { filters.removeAttribute("open"); }
  }

  // Fetch the part of the page that changes and swap it in; on any failure fall back to a normal page load.
  function load(href, push, focusId) {
    var current = app();
    if (!current) { location.href = href; return; }
    var filtersOpen = current.querySelector("#filters") && current.querySelector("#filters").open;
    if (pending) { pending.abort(); }
    var controller = new AbortController();
    pending = controller;
    current.setAttribute("aria-busy", "true");
    fetch(href, { headers: { "X-Fragment": "search" }, signal: controller.signal, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("search-app");
        if (!fresh) { throw new Error("no results in the response"); }
        var filters = fresh.querySelector("#filters");
        if (filters && !filtersOpen) { filters.removeAttribute("open"); }
        current.replaceWith(fresh);
        pending = null;
        if (push) { history.pushState({ search: true }, "", href); }
        document.title = fresh.getAttribute("data-title");
        var announce = document.getElementById("announce");
        if (announce) { announce.textContent = fresh.getAttribute("data-status"); }
        var target = focusId && document.getElementById(focusId);
        if (target) {
          target.focus();
        } else if (focusId === "results") {
          var heading = document.getElementById("results-h");
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") { location.href = href; }
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "search") { return; }
    event.preventDefault();
    var active = document.activeElement;
    load(formUrl(form), true, active && active.id ? active.id : null);
  });

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control.form && control.form.id === "search" && (control.type === "checkbox" || control.tagName === "SELECT")) {
      load(formUrl(control.form), true, control.id);
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0) { return; }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) { return; }
    var container = app();
    if (!container || !container.contains(link)) { return; }
    var url = new URL(link.href, location.href);
    if (!isSearchUrl(url)) { return; }
    event.preventDefault();
    // Page links move focus to the top of the results; other links keep focus where the reader is.
    var toResults = Boolean(link.closest(".pages")) || Boolean(link.closest(".chips")) || Boolean(link.closest(".empty"));
    load(url.pathname + url.search, true, toResults ? "results" : null);
  });

  // The back and forward buttons: show the results the URL describes.
  window.addEventListener("popstate", function () {
    if (location.pathname === "/" && app() && app().getAttribute("data-url") !== location.search) {
      load(location.pathname + location.search, false, null);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var container = app();
    if (container) { collapseOnPhones(container); }
  });
})();
