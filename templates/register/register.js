// Filters of the public register: show the reports matching every chosen value.
// Without JavaScript the form stays hidden and every report is listed.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.reports tbody tr"));
  var count = document.getElementById("aantal");
  var empty = document.getElementById("geen");

  function values(row, key) {
    var raw = row.dataset[key] || "";
    if (raw.charAt(0) === "[") {
      return JSON.parse(raw);
    }
    return [raw];
  }

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var match = selects.every(function (select) {
        return select.value === "" || values(row, select.dataset.filter).indexOf(select.value) !== -1;
      });
      row.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    var noun = shown === 1 ? "verslag" : "verslagen";
    var filtered = selects.some(function (select) { return select.value !== ""; });
    count.textContent = filtered
      ? shown + " van de " + rows.length + " verslagen"
      : shown + " " + noun;
    empty.hidden = shown !== 0;
  }

  selects.forEach(function (select) {
    select.addEventListener("change", apply);
  });
  form.addEventListener("reset", function () {
    window.setTimeout(apply, 0); // after the browser has reset the selects
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault(); // Enter in a field filters in place
    apply();
  });
  form.hidden = false;
  apply();
})();
