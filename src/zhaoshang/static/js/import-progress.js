/* Import job page: poll the job's status while it runs, update the bar, reload when done.
   Plain JS, no dependencies (the CSP allows no inline scripts and intranets have no CDN). */
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || box.getAttribute("data-finished") === "1") { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var delay = 1000;

  function show(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el) { el.textContent = value; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (facts) {
        if (bar) { bar.value = facts.percent; bar.textContent = facts.percent + "%"; }
        show("percent", facts.percent);
        show("processed", facts.processed);
        show("total", facts.total);
        show("status_display", facts.status_display);
        show("phase_display", facts.phase_display);
        if (facts.finished) { window.location.reload(); return; }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);  // back off while the server is busy or away
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
