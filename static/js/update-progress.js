// The admin's progress of an update being sent: poll its tallies and show them without reloading the page.
(function () {
  "use strict";
  var box = document.getElementById("update-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  function show(state) {
    ["sent", "skipped", "failed", "recipients", "percent"].forEach(function (name) {
      var field = box.querySelector('[data-field="' + name + '"]');
      if (field) { field.textContent = state[name]; }
    });
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    document.getElementById("update-status").textContent = state.status_display;
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        show(state);
        if (state.status === "scheduled" || state.status === "sending") {
          window.setTimeout(poll, 2000);
        } else {
          // Finished, paused or cancelled: reload once for the buttons that now apply.
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
