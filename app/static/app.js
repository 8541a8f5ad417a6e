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

// Completions: the search box as an ARIA 1.2 combobox (list autocomplete). Arrow keys move through the suggestions,
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
    if (cache.has(text)) { show(cache.get(text)); return; }
    var controller = new AbortController();
    request = controller;
    var wrap = combo();
    var url = (wrap && wrap.getAttribute("data-suggest")) || "/api/v1/suggest";
    fetch(url + "?q=" + encodeURIComponent(text), { signal: controller.signal, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error("HTTP " + response.status); } return response.json(); })
      .then(function (body) {
        request = null;
        if (cache.size >= 200) { cache.clear(); }  // bounded: a long session starts over
        cache.set(text, body.completions);
        var input = box();
        if (input && input.value === text && document.activeElement === input) { show(body.completions); }
      })
      .catch(function () { request = null; });  // no suggestions: the box still searches as a plain field
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

  // A pointer can take a suggestion too; mousedown keeps the focus in the box.
  document.addEventListener("mousedown", function (event) {
    var li = event.target.closest && event.target.closest("#q-list li[role=option]");
    if (li) { event.preventDefault(); choose(options[Number(li.id.slice(6))]); }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.id === "q") { setTimeout(function () { if (document.activeElement !== box()) { close(); } }, 0); }
  });
})();
