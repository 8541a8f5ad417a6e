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
    if (pending) {
      pending.abort();
      // A step the user took stays in the history even when the next one overtakes it: back returns to it.
      if (pending.push === true && pending.href !== location.pathname + location.search) {
        history.pushState({ search: true }, "", pending.href);
      }
    }
    var controller = new AbortController();
    controller.href = href;
    controller.push = push;
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
        restoreTray();
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
  // A full list refuses another program (it never drops one silently) and says so.
  function toggleHere(link) {
    var id = link.getAttribute("data-id");
    var list = stored().filter(function (other) { return other !== id; });
    var adding = list.length === stored().length;
    var refused = adding && list.length >= MAX_COMPARE;
    if (adding && !refused) { list = list.concat([id]); }
    keep(list);
    describeHere(link, list);
    var note = document.getElementById("compare-note");
    var said = refused ? "The compare list is full (4 programs): remove one to add this one. " : adding ? "Added. " : "Removed. ";
    if (note) { note.insertBefore(document.createTextNode(said), note.firstChild); }
  }

  function describeHere(link, list) {
    var id = link.getAttribute("data-id");
    var inList = list.indexOf(id) >= 0;
    link.textContent = inList ? "Remove from compare" : "Add to compare";
    var others = list.filter(function (other) { return other !== id; });
    var full = !inList && list.length >= MAX_COMPARE;
    if (full) { link.setAttribute("aria-disabled", "true"); } else { link.removeAttribute("aria-disabled"); }
    link.href = "/?compare=" + (inList || full ? others : others.concat([id])).join(",");
    var note = document.getElementById("compare-note");
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

  // The compare tray folds away; on a phone it starts folded (one row over the results, not a quarter of the
  // screen), and it stays as the reader left it while they search.
  var TRAY = "mentordir:tray";
  function restoreTray() {
    var tray = document.getElementById("tray-list");
    var left = null;
    try { left = sessionStorage.getItem(TRAY); } catch (e) { /* storage off */ }
    if (tray) { tray.open = left ? left === "open" : !window.matchMedia("(max-width: 760px)").matches; }
  }
  document.addEventListener("toggle", function (event) {
    if (event.target.id !== "tray-list") { return; }
    try { sessionStorage.setItem(TRAY, event.target.open ? "open" : "closed"); } catch (e) { /* storage off */ }
  }, true);

  // The finder's "None of these" and the groups exclude each other.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.form || box.form.id !== "finder" || box.name !== "demographic_focus" || !box.checked) { return; }
    var none = box.value === "open";
    Array.prototype.forEach.call(box.form.querySelectorAll("input[name=demographic_focus]"), function (other) {
      if (other !== box && (none || other.value === "open")) { other.checked = false; }
    });
  });

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
    restoreTray();
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

// Completions: the search box as an ARIA 1.2 combobox (list autocomplete). Arrow keys move through the completions,
// Enter takes one, Escape closes the list (or, closed, clears the box); a live region says how many there are.
// A program opens its page; a filter value is ticked (the words that named it leave the box); a sponsor is searched.
// The search part of the page is replaced after each search, so every handler finds the box afresh.
(function () {
  "use strict";
  var DELAY = 120;
  var cache = new Map();
  var timer = null;
  var request = null;
  var options = [];
  var active = -1;

  function box() { return document.getElementById("q"); }
  function combo() { var input = box(); return input && input.closest(".combo"); }

  function listbox() {
    var wrap = combo();
    if (!wrap) { return null; }
    var list = document.getElementById("q-list");
    if (!list) {
      var input = box();
      list = document.createElement("ul");
      list.id = "q-list";
      list.className = "combo-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Suggestions");
      list.hidden = true;
      wrap.appendChild(list);
      var status = document.createElement("p");
      status.id = "q-status";
      status.className = "sr-only";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      wrap.appendChild(status);
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", "q-list");
    }
    return list;
  }

  function say(text) {
    var status = document.getElementById("q-status");
    if (status) { status.textContent = text; }
  }

  function close() {
    var list = document.getElementById("q-list");
    var input = box();
    options = [];
    active = -1;
    if (list) { list.hidden = true; list.textContent = ""; }
    if (input) { input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
  }

  function kindText(c) {
    if (c.kind === "filter") { return "Filter · " + c.facet_label; }
    return c.kind === "sponsor" ? "Sponsor" : "Program";
  }

  function show(items) {
    var list = listbox();
    var input = box();
    if (!list || !input) { return; }
    close();
    options = items;
    if (!items.length) { say("No suggestions."); return; }
    items.forEach(function (c, i) {
      var li = document.createElement("li");
      li.id = "q-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "label";
      name.textContent = c.label + (c.matched ? " (" + c.matched + ")" : "");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = kindText(c) + (c.kind === "program" ? "" : " · " + c.count + " program" + (c.count === 1 ? "" : "s"));
      li.appendChild(name);
      li.appendChild(kind);
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    say(items.length + " suggestion" + (items.length === 1 ? "" : "s") + ". Use the up and down arrows to choose, Enter to take one.");
  }

  function highlight(i) {
    var input = box();
    var list = document.getElementById("q-list");
    if (!input || !list || !options.length) { return; }
    active = (i + options.length) % options.length;
    Array.prototype.forEach.call(list.children, function (li, k) { li.setAttribute("aria-selected", k === active ? "true" : "false"); });
    var li = document.getElementById("q-opt-" + active);
    input.setAttribute("aria-activedescendant", li.id);
    li.scrollIntoView({ block: "nearest" });
  }

  function path(url) { var u = new URL(url, location.href); return u.pathname + u.search; }

  function choose(c) {
    var input = box();
    var form = input && input.form;
    close();
    if (!form) { return; }
    if (c.kind === "program") { location.href = path(c.links.html); return; }
    if (c.kind === "sponsor") { input.value = c.label; form.requestSubmit(); return; }
    // The filter checkboxes sit outside the form element (form="search"): form.elements holds them.
    var tick = Array.prototype.find.call(form.elements, function (el) {
      return el.type === "checkbox" && el.name === c.facet && el.value === c.value;
    });
    input.value = "";
    if (tick) {
      tick.checked = true;
      form.requestSubmit();
    } else {
      location.href = path(c.links.html);
    }
  }

  function fetchFor(text) {
    if (request) { request.abort(); request = null; }
    if (!text.trim()) { close(); return; }
    var wrap = combo();
    var url = (wrap && wrap.getAttribute("data-completions")) || "/api/v1/suggest";
    url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text);  // the counts follow the page's mode
    if (cache.has(url)) { show(cache.get(url)); return; }
    var controller = new AbortController();
    request = controller;
    fetch(url, { signal: controller.signal, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error("HTTP " + response.status); } return response.json(); })
      .then(function (body) {
        request = null;
        if (cache.size >= 200) { cache.clear(); }  // bounded: a long session starts over
        cache.set(url, body.completions);
        var input = box();
        if (input && input.value === text && document.activeElement === input) { show(body.completions); }
      })
      .catch(function () { request = null; });  // no completions: the box still searches as a plain field
  }

  document.addEventListener("input", function (event) {
    if (event.target.id !== "q") { return; }
    listbox();
    clearTimeout(timer);
    var text = event.target.value;
    timer = setTimeout(function () { fetchFor(text); }, DELAY);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.id !== "q") { return; }
    var list = document.getElementById("q-list");
    var open = options.length > 0 && list !== null && !list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (open) { highlight(active + 1); } else { listbox(); fetchFor(input.value); }
    } else if (event.key === "ArrowUp") {
      if (open) { event.preventDefault(); highlight(active < 0 ? options.length - 1 : active - 1); }
    } else if (event.key === "Enter") {
      if (open && active >= 0) { event.preventDefault(); choose(options[active]); } else { close(); }
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); close(); say("Suggestions closed."); } else if (input.value) { event.preventDefault(); input.value = ""; }
    } else if (event.key === "Tab") {
      close();
    }
  });

  // A pointer can take a completion too; mousedown keeps the focus in the box.
  document.addEventListener("mousedown", function (event) {
    var li = event.target.closest && event.target.closest("#q-list li[role=option]");
    if (li) { event.preventDefault(); choose(options[Number(li.id.slice(6))]); }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.id === "q") { setTimeout(function () { if (document.activeElement !== box()) { close(); } }, 0); }
  });
})();
