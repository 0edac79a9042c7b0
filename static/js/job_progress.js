// Import and export jobs: every element with data-job-status-url polls its status every 2 seconds,
// shows the rows done, and reloads the page once the job has finished (the server renders the result).
(function () {
  "use strict";

  var INTERVAL_MS = 2000;

  function poll(element) {
    fetch(element.getAttribute("data-job-status-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (data.finished) {
          window.location.reload();
          return;
        }
        element.textContent =
          data.status_label +
          "：" +
          data.rows_done +
          " / " +
          (data.rows_total || "?") +
          " 行" +
          // Saved while the broker was down: the job runs by itself once it is back.
          (data.notice ? "（" + data.notice + "）" : "");
        schedule(element);
      })
      .catch(function () {
        // A network hiccup or an expired session: try again later rather than give up.
        schedule(element);
      });
  }

  function schedule(element) {
    window.setTimeout(function () {
      poll(element);
    }, INTERVAL_MS);
  }

  document.querySelectorAll("[data-job-status-url]").forEach(schedule);
})();
