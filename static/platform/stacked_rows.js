/* Narrow screens show a tabular inline's rows stacked (admin.css); each cell then carries its column's heading,
   copied here from the table head, for the rows on the page and for every row added later. */
(function () {
  "use strict";

  function label(table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr.form-row").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (headings[index] && !cell.classList.contains("original") && !cell.dataset.label) {
          cell.dataset.label = headings[index];
        }
      });
    });
  }

  function labelAll() {
    document.querySelectorAll(".inline-group .tabular table").forEach(label);
  }

  document.addEventListener("DOMContentLoaded", labelAll);
  document.addEventListener("formset:added", labelAll);
})();
