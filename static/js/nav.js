/* Outstanding: two small behaviours for every page, no framework (the CSP allows our own files only).
 * 1. On a narrow screen the main navigation folds behind the "Menu" button (lists.css). Without this
 *    script the button stays hidden and the navigation open, so nothing is ever out of reach.
 * 2. A list's "tick every row on this page" box ticks the rows of the bulk form it names.
 * 3. A list's filters leave empty fields out of the URL htmx pushes (?q=acme, not ?q=acme&status=&…). */
(function () {
  "use strict";

  function setOpen(topbar, button, open) {
    topbar.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function initMenu() {
    var topbar = document.getElementById("topbar");
    var button = document.getElementById("menu-toggle");
    if (!topbar || !button) return;
    button.hidden = false;
    topbar.classList.add("nav-ready");
    button.addEventListener("click", function () {
      setOpen(topbar, button, !topbar.classList.contains("nav-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && topbar.classList.contains("nav-open")) {
        setOpen(topbar, button, false);
        button.focus();
      }
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-select-all]")) return;
    var rows = document.querySelectorAll('input[type="checkbox"][name="selected"][form="' + box.dataset.selectAll + '"]');
    Array.prototype.forEach.call(rows, function (row) { row.checked = box.checked; });
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form.list-filters");
    var data = event.detail.formData;
    if (!form || event.detail.verb !== "get" || !data) return;
    Array.from(new Set(data.keys())).forEach(function (name) {
      if (data.getAll(name).every(function (value) { return value === ""; })) data.delete(name);
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initMenu);
  } else {
    initMenu();
  }
})();
