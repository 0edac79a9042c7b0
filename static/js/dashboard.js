// Dashboard: follow queued and running report runs without reloading the page.
// Every 2 seconds each row that carries data-poll-url asks the status endpoint and is
// replaced by the row the server renders, so the markup lives in one template only.
(function () {
  "use strict";

  var INTERVAL_MS = 2000;

  function pollRow(row) {
    var url = row.getAttribute("data-poll-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var holder = document.createElement("tbody");
        holder.innerHTML = data.row_html.trim();
        var fresh = holder.firstElementChild;
        row.replaceWith(fresh);
        if (!data.finished) {
          schedule(fresh);
        }
      })
      .catch(function () {
        // A network hiccup or an expired session: try again later rather than give up.
        schedule(row);
      });
  }

  function schedule(row) {
    window.setTimeout(function () {
      if (document.body.contains(row)) {
        pollRow(row);
      }
    }, INTERVAL_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tr[data-poll-url]").forEach(schedule);
  });
})();
