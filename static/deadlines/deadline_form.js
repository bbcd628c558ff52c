// The deadline form: as the rule and the trigger date are chosen, ask the server for the computed due date and
// show how it was computed. The server computes it again on save; this is only a preview.
(function () {
  "use strict";
  var form = document.querySelector("form.deadline-form");
  if (!form) { return; }
  var rule = form.querySelector("[data-preview-rule]");
  var trigger = form.querySelector("[data-preview-trigger]");
  var due = form.querySelector("[data-due-date]");
  var box = document.getElementById("deadline-preview");
  var dueOut = document.getElementById("preview-due");
  var steps = document.getElementById("preview-steps");
  var error = document.getElementById("preview-error");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var seq = 0;

  function syncDueField() {
    var computed = rule && rule.value;
    if (due) {
      due.disabled = !!computed;
      var wrap = due.closest(".field");
      if (wrap) { wrap.classList.toggle("computed", !!computed); }
    }
  }

  function showError(message) {
    box.hidden = false;
    dueOut.textContent = "—";
    steps.replaceChildren();
    error.textContent = message;
    error.hidden = false;
  }

  function render(data) {
    box.hidden = false;
    error.hidden = true;
    dueOut.textContent = data.due_date;
    dueOut.setAttribute("data-date", data.due_date);
    steps.replaceChildren();
    (data.explanation || []).forEach(function (step) {
      var li = document.createElement("li");
      li.className = "step step-" + step.step;
      li.textContent = step.text;
      if (step.skipped && step.skipped.length) {
        var ul = document.createElement("ul");
        ul.className = "skipped";
        step.skipped.forEach(function (s) {
          var item = document.createElement("li");
          item.textContent = s.date + " — " + s.reason;
          ul.appendChild(item);
        });
        li.appendChild(ul);
      }
      steps.appendChild(li);
    });
    if (due && data.due_date) { due.value = data.due_date; }
  }

  function preview() {
    syncDueField();
    if (!rule || !trigger || !rule.value || !trigger.value) {
      box.hidden = true;
      return;
    }
    var mine = ++seq;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token ? token.value : ""
      },
      body: JSON.stringify({ rule: rule.value, trigger_date: trigger.value })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (mine !== seq) { return; }
      if (result.ok) { render(result.body); } else { showError(result.body.detail || box.getAttribute("data-error")); }
    }).catch(function () {
      if (mine === seq) { showError(box.getAttribute("data-error")); }
    });
  }

  if (rule) { rule.addEventListener("change", preview); }
  if (trigger) { trigger.addEventListener("change", preview); trigger.addEventListener("input", preview); }
  preview();
})();
