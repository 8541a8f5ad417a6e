// Mentor Directory: update search results in place. Without this file every control still works as a plain GET form.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var pending = null;
  var MAX_COMPARE = 4;
  var KEY = "mentordir:compare";

  function app() { return document.getElementById("search-app"); }

  // --- the compare list: the URL carries it, local storage keeps it between pages and visits ------------------

  function readList(value) {
    var seen = [];
    (value || "").split(",").forEach(function (id) {
      id = id.trim().toLowerCase();
      if (/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id) && seen.indexOf(id) < 0) { seen.push(id); }
    });
    return seen.slice(-MAX_COMPARE);
  }

  function stored() {
    try { return readList(localStorage.getItem(KEY)); } catch (e) { return []; }
  }

  function keep(list) {
    try {
      if (list.length) { localStorage.setItem(KEY, list.join(",")); } else { localStorage.removeItem(KEY); }
    } catch (e) { /* storage off: the URL still carries the list */ }
    showList(list);
  }

  // The header's Compare link always leads to the kept list, never to an empty page.
  function showList(list) {
    var nav = document.getElementById("nav-compare");
    if (nav) { nav.href = list.length ? "/compare?ids=" + list.join(",") : "/compare"; }
  }

  // A search URL with the kept list added, unless it says which list it wants.
  function withList(href) {
    var url = new URL(href, location.href);
    var list = stored();
    if (!url.searchParams.has("compare") && list.length) { url.searchParams.set("compare", list.join(",")); }
    return url.pathname + url.search;
  }

  // --- in-place search -------------------------------------------------------------------------------------------

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

  function panel() { return document.getElementById("filters"); }

  function panelIsOpen() { var p = panel(); return Boolean(p && p.classList.contains("open")); }

  // On phones the filter panel lies over the page as a dialog: the rest of the page is inert while it is open.
  function setPanel(open) {
    var p = panel();
    if (!p) { return; }
    p.classList.toggle("open", open);
    if (open) {
      p.setAttribute("role", "dialog");
      p.setAttribute("aria-modal", "true");
    } else {
      p.removeAttribute("role");
      p.removeAttribute("aria-modal");
    }
    var others = document.querySelectorAll("header.site, footer.site, .skip, main > h1, main > .lede, #search, .finder, .results");
    Array.prototype.forEach.call(others, function (el) { el.inert = open; });
    var toggle = document.querySelector(".filters-toggle");
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
  }

  function focusResults() {
    var heading = document.getElementById("results-h");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  // Fetch the part of the page that changes and swap it in; on any failure fall back to a normal page load.
  // `focus` lists element ids to focus, first found wins; "results" means the results heading.
  function load(href, push, focus) {
    var current = app();
    if (!current) { location.href = href; return; }
    var wasOpen = panelIsOpen();
    var panelScroll = wasOpen ? panel().scrollTop : 0;
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
        current.replaceWith(fresh);
        pending = null;
        if (wasOpen) {
          setPanel(true);
          panel().scrollTop = panelScroll;
        }
        if (push === "replace") {
          history.replaceState({ search: true }, "", href);
        } else if (push) {
          history.pushState({ search: true }, "", href);
        }
        document.title = fresh.getAttribute("data-title");
        var announce = document.getElementById("announce");
        if (announce) { announce.textContent = fresh.getAttribute("data-status"); }
        var ids = focus || [];
        for (var i = 0; i < ids.length; i += 1) {
          if (ids[i] === "results") { focusResults(); return; }
          var target = ids[i] && document.getElementById(ids[i]);
          if (target) {
            target.focus();
            if (document.activeElement === target) { return; }
          }
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
    var href = withList(formUrl(form));
    var submitter = event.submitter;
    if (submitter && submitter.id === "show-results" && panelIsOpen()) {
      // The results already follow the ticked boxes: close the panel and show them.
      setPanel(false);
      if (href === location.pathname + location.search) { focusResults(); return; }
      load(href, true, ["results"]);
      return;
    }
    var active = document.activeElement;
    load(href, true, active && active.id ? [active.id] : null);
  });

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control.form && control.form.id === "search" && (control.type === "checkbox" || control.tagName === "SELECT")) {
      load(withList(formUrl(control.form)), true, [control.id]);
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href], button.print-page");
    if (!link || event.defaultPrevented || event.button !== 0) { return; }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) { return; }
    if (link.classList.contains("print-page")) { window.print(); return; }
    if (link.classList.contains("filters-toggle") || link.classList.contains("close-filters")) {
      event.preventDefault();
      var opening = link.classList.contains("filters-toggle");
      setPanel(opening);
      if (opening) {
        var heading = document.getElementById("filters-h");
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      } else {
        if (location.hash === "#filters") { history.replaceState(history.state, "", location.pathname + location.search); }
        document.querySelector(".filters-toggle").focus();
      }
      return;
    }
    var container = app();
    if (link.classList.contains("compare-toggle") && !(container && container.contains(link))) {
      event.preventDefault();
      toggleHere(link);
      return;
    }
    var url = new URL(link.href, location.href);
    var isCompare = link.matches(".compare-toggle, .tray-remove, .compare-clear");
    if (isCompare) { keep(readList(url.searchParams.get("compare") || url.searchParams.get("ids") || "")); }
    if (!container || !container.contains(link) || !isSearchUrl(url)) { return; }
    event.preventDefault();
    var href = isCompare ? url.pathname + url.search : withList(url.pathname + url.search);
    if (isCompare) {
      // Focus stays on the control that was used, or on its twin in the results once it leaves the tray.
      load(href, true, [link.id, link.getAttribute("data-then"), "results"]);
      return;
    }
    // Page links move focus to the top of the results; other links keep focus where the reader is.
    var toResults = Boolean(link.closest(".pages")) || Boolean(link.closest(".chips")) || Boolean(link.closest(".empty"));
    load(href, true, toResults ? ["results"] : null);
  });

  // "Add to compare" on a program's page: change the kept list and stay on the page, focus on the button.
  function toggleHere(link) {
    var id = link.getAttribute("data-id");
    var list = stored().filter(function (other) { return other !== id; });
    var adding = list.length === stored().length;
    if (adding) { list = list.concat([id]).slice(-MAX_COMPARE); }
    keep(list);
    describeHere(link, list);
    var note = document.getElementById("shortlist-note");
    if (note) { note.insertBefore(document.createTextNode(adding ? "Added. " : "Removed. "), note.firstChild); }
  }

  function describeHere(link, list) {
    var id = link.getAttribute("data-id");
    var inList = list.indexOf(id) >= 0;
    link.textContent = inList ? "Remove from compare" : "Add to compare";
    var others = list.filter(function (other) { return other !== id; });
    link.href = "/?compare=" + (inList ? others : others.concat([id]).slice(-MAX_COMPARE)).join(",");
    var note = document.getElementById("shortlist-note");
    if (!note) { return; }
    note.textContent = list.length ? "Your compare list: " + list.length + (list.length === 1 ? " program" : " programs") : "";
    if (list.length >= 2) {
      note.appendChild(document.createTextNode(" · "));
      var go = document.createElement("a");
      go.href = "/compare?ids=" + list.join(",");
      go.textContent = "Compare them";
      note.appendChild(go);
    }
  }

  // The back and forward buttons: show the results the URL describes.
  window.addEventListener("popstate", function () {
    if (location.pathname === "/" && app() && app().getAttribute("data-url") !== location.search) {
      load(location.pathname + location.search, false, null);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panelIsOpen()) {
      setPanel(false);
      document.querySelector(".filters-toggle").focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var params = new URLSearchParams(location.search);
    var given = location.pathname === "/compare" ? params.get("ids") : params.get("compare");
    // A search or compare URL that names a list is the list; a program page only carries it for readers without JS.
    if (given !== null && (location.pathname === "/" || location.pathname === "/compare")) { keep(readList(given)); }
    var list = stored();
    showList(list);
    if (location.pathname === "/compare" && given === null && list.length) {
      location.replace("/compare?ids=" + list.join(","));
      return;
    }
    var here = document.querySelector(".program .compare-toggle");
    if (here) { describeHere(here, list); }
    var container = app();
    if (container && given === null && list.length && container.getAttribute("data-compare") === "") {
      load(withList(location.pathname + location.search), "replace", null);
    }
  });
})();
