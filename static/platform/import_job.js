// Polls a background import job and reloads the page when it has finished.
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
      if (data.status === "done" || data.status === "failed") { window.location.reload(); return; }
      setTimeout(poll, 2000);
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
