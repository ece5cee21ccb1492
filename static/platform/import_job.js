// Polls a background job (an import, a 重新计算) and reloads the page when it has finished; meanwhile fields marked
// data-job-field and a data-job-progress bar follow the job's own report.
(function () {
  var box = document.querySelector(".import-job");
  if (!box) return;
  var status = box.getAttribute("data-status");
  if (status !== "queued" && status !== "running") return;
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      var total = document.getElementById("job-total");
      if (total) total.textContent = data.total;
      box.querySelectorAll("[data-job-field]").forEach(function (el) {
        var value = data[el.getAttribute("data-job-field")];
        if (value !== undefined) el.textContent = value;
      });
      var bar = box.querySelector("[data-job-progress]");
      if (bar && data.total) { bar.max = data.total; bar.value = data.done; }
      if (data.status === "done" || data.status === "failed") { window.location.reload(); return; }
      setTimeout(poll, 2000);
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
