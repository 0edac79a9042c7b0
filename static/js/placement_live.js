// The big screen of a public selection session: every 3 seconds it asks the portal for the
// session's state (the ranking, who is choosing, the posts left) and redraws, without a reload.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-url");
  var INTERVAL = 3000;

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function fill(id, rows, build) {
    var tbody = document.getElementById(id);
    var fresh = document.createElement("tbody");
    fresh.id = id;
    rows.forEach(function (item) {
      fresh.appendChild(build(item));
    });
    tbody.parentNode.replaceChild(fresh, tbody);
  }

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function draw(data) {
    text("state", data.state_display);
    text("placed", data.placed);
    text("total", data.candidates);
    text("posts-left", data.posts_left);
    text("updated", data.updated_at);
    text(
      "current",
      data.current
        ? "正在选岗：第" + data.current.rank + "名 " + data.current.name + "（" + data.current.score + " 分）"
        : data.state_display
    );
    fill("ranking", data.ranking, function (item) {
      var row = document.createElement("tr");
      if (item.status === "正在选岗") row.className = "choosing";
      else if (item.position) row.className = "done";
      [item.rank, item.name, item.score, item.status, item.position].forEach(function (value) {
        cell(row, value);
      });
      return row;
    });
    fill("posts", data.posts, function (item) {
      var row = document.createElement("tr");
      if (!item.left) row.className = "full";
      cell(row, item.department + "｜" + item.institution);
      cell(row, item.title);
      cell(row, item.left + " / " + item.posts);
      return row;
    });
    body.classList.remove("offline");
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(draw)
      .catch(function () {
        body.classList.add("offline");
      })
      .then(function () {
        window.setTimeout(refresh, INTERVAL);
      });
  }

  window.setTimeout(refresh, INTERVAL);
})();
