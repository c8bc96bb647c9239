// The verdict table of the site (verdicts.html, written by python -m lossfns.site): filter by
// document, table, verdict and cause (and by any word), sort by a click on a column header.
// Plain JavaScript, no library, no server: the page works from the file system.
(function () {
  "use strict";
  function setup() {
    var table = document.getElementById("verdict-table");
    if (!table) return;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
    var text = document.getElementById("verdict-text");
    var count = document.getElementById("verdict-count");

    selects.forEach(function (select) {      // the options: the values found in the table
      var values = {};
      rows.forEach(function (r) { values[r.dataset[select.dataset.filter]] = true; });
      Object.keys(values).sort().forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        option.textContent = v === "" ? "(none)" : v;
        select.appendChild(option);
      });
    });

    function apply() {
      var shown = 0, words = text && text.value ? text.value.toLowerCase() : "";
      rows.forEach(function (r) {
        var ok = selects.every(function (s) {
          return s.value === "*" || r.dataset[s.dataset.filter] === s.value;
        }) && (!words || r.textContent.toLowerCase().indexOf(words) >= 0);
        r.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " rows";
    }

    // the filters may come from the address: verdicts.html?verdict=not%20reproduced&table=Table%205
    var query = new URLSearchParams(window.location.search);
    selects.forEach(function (s) {
      var wanted = query.get(s.dataset.filter);
      if (wanted !== null && Array.prototype.some.call(s.options, function (o) { return o.value === wanted; })) {
        s.value = wanted;
      }
      s.addEventListener("change", apply);
    });
    if (text) {
      if (query.get("q")) text.value = query.get("q");
      text.addEventListener("input", apply);
    }

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      if (!th.dataset.sort) return;
      th.tabIndex = 0;
      th.title = "sort by " + th.textContent;
      var ascending = true;
      function sort() {
        var numeric = th.dataset.sort === "number";
        var key = function (r) {
          var cell = r.cells[column], v = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
          if (!numeric) return v;
          var x = parseFloat(v);
          return isNaN(x) ? Infinity : x;
        };
        var sorted = rows.slice().sort(function (a, b) {
          var x = key(a), y = key(b);
          var c = numeric ? x - y : String(x).localeCompare(String(y), undefined, {numeric: true});
          return ascending ? c : -c;
        });
        sorted.forEach(function (r) { body.appendChild(r); });
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        ascending = !ascending;
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
    apply();
    if (window.location.hash) {   // a row's anchor: show it even where a filter hid it
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (target && target.hidden) { target.hidden = false; }
      if (target) target.scrollIntoView();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
