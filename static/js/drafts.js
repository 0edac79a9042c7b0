/*
 * Drafts of station forms (bureau/station/drafts.py): what the user types into a form marked
 * `data-draft` (templates/station/record_form.html) is saved on the server one second after the
 * last keystroke and when the page is left, per user and page. A fresh form (`data-draft-restore`,
 * not a form shown again with its errors) is filled from the saved draft, with a notice and a
 * button to discard it. The server deletes the draft when the form is submitted and saved.
 * No library: fetch and the DOM only.
 */
(function () {
  "use strict";

  var DELAY_MS = 1000;
  // The page's own fields: never part of a draft (the server drops them too).
  var NOT_SAVED = { csrfmiddlewaretoken: true, submission_key: true, version: true };
  var NOT_TYPED = { hidden: true, file: true, password: true, submit: true, button: true, reset: true, image: true };

  function typed(element) {
    if (!element.name || element.disabled || NOT_SAVED[element.name]) return false;
    if (element.tagName === "FIELDSET" || element.tagName === "BUTTON" || element.tagName === "OUTPUT") return false;
    return !NOT_TYPED[element.type];
  }

  function each(form, callback) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (typed(element)) callback(element);
    });
  }

  // {name: text}, or {name: [texts]} for checkboxes and multiple selects.
  function collect(form) {
    var data = {};
    each(form, function (element) {
      var name = element.name;
      if (element.type === "checkbox") {
        data[name] = data[name] || [];
        if (element.checked) data[name].push(element.value);
      } else if (element.type === "radio") {
        if (!(name in data)) data[name] = "";
        if (element.checked) data[name] = element.value;
      } else if (element.tagName === "SELECT" && element.multiple) {
        data[name] = Array.prototype.filter
          .call(element.options, function (option) { return option.selected; })
          .map(function (option) { return option.value; });
      } else {
        data[name] = element.value;
      }
    });
    return data;
  }

  function fill(form, data) {
    each(form, function (element) {
      if (!Object.prototype.hasOwnProperty.call(data, element.name)) return;
      var value = data[element.name];
      var values = Array.isArray(value) ? value : [value];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else if (typeof value === "string") {
        element.value = value;
      }
    });
  }

  function fieldValue(form, name) {
    var field = form.querySelector('input[name="' + name + '"]');
    return field ? field.value : "";
  }

  function setUp(form) {
    var key = form.getAttribute("data-draft");
    var url = form.getAttribute("data-draft-url");
    if (!key || !url) return;
    var token = fieldValue(form, "csrfmiddlewaretoken");
    var timer = null;
    var dirty = false;
    var submitting = false;
    var status = document.createElement("p");
    status.className = "field__help draft-status";
    status.setAttribute("aria-live", "polite");
    var actions = form.querySelector(".actions");
    (actions || form).appendChild(status);

    function send(body, keepalive) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify(body),
      });
    }

    function save(keepalive) {
      clearTimeout(timer);
      if (submitting || !dirty) return;
      dirty = false;
      var body = { key: key, data: collect(form), submission_key: fieldValue(form, "submission_key") };
      send(body, keepalive)
        .then(function (response) {
          // A session that ended answers with the login page (a redirect) or a 403: the last draft stays.
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (!response.ok || response.redirected || !json) {
            dirty = true;
            return null;
          }
          return response.json();
        })
        .then(function (answer) {
          if (!answer) return;
          status.textContent = "草稿已自动保存（" + answer.saved_time + "）。";
          form.setAttribute("data-draft-state", "saved");
        })
        .catch(function () {
          dirty = true;
        });
    }

    function changed() {
      dirty = true;
      form.setAttribute("data-draft-state", "typing");
      clearTimeout(timer);
      timer = setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      // The server deletes the draft when this post saves; a save sent now could bring it back.
      submitting = true;
      clearTimeout(timer);
    });
    window.addEventListener("pagehide", function () { save(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save(true);
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) submitting = false; // back from the page cache: the form is live again
    });

    if (form.hasAttribute("data-draft-restore")) {
      restore(form, url, key, token, status, function () { return dirty; });
    }
  }

  function restore(form, url, key, token, status, typing) {
    fetch(url + "?key=" + encodeURIComponent(key), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return response.ok && !response.redirected && json ? response.json() : null;
      })
      .then(function (draft) {
        if (!draft || !draft.data || typing()) return; // what the user began typing meanwhile wins
        fill(form, draft.data);
        showNotice(form, url, key, token, draft.saved_time, status);
      })
      .catch(function () {});
  }

  function showNotice(form, url, key, token, savedTime, status) {
    var notice = document.createElement("div");
    notice.className = "notice notice--pending draft-notice";
    notice.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = "已恢复您于 " + savedTime + " 保存的草稿。";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = "放弃草稿";
    button.addEventListener("click", function () {
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ key: key, discard: true }),
      })
        .then(function (response) {
          if (!response.ok || response.redirected) return;
          form.reset(); // back to the values the page came with
          notice.remove();
          status.textContent = "草稿已放弃。";
          form.setAttribute("data-draft-state", "discarded");
        })
        .catch(function () {});
    });
    notice.appendChild(text);
    notice.appendChild(button);
    form.parentNode.insertBefore(notice, form);
  }

  document.querySelectorAll("form[data-draft]").forEach(setUp);
})();
