// Evidence upload with a progress bar: XHR upload progress, no inline code (the CSP forbids it).
(function () {
  "use strict";
  var form = document.getElementById("evidence-upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var status = document.getElementById("upload-status");
  var errors = document.getElementById("upload-error");
  var button = form.querySelector("button[type=submit]");

  function showError(message) {
    errors.textContent = "";
    var li = document.createElement("li");
    li.textContent = message;
    errors.appendChild(li);
    errors.hidden = false;
    button.disabled = false;
  }

  form.addEventListener("submit", function (ev) {
    var input = form.querySelector("input[type=file]");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (input.files.length && max && input.files[0].size > max) {
      ev.preventDefault();
      showError(form.getAttribute("data-too-large"));
      return;
    }
    ev.preventDefault();
    errors.hidden = true;
    button.disabled = true;
    box.hidden = false;
    bar.value = 0;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var pct = Math.round((e.loaded / e.total) * 100);
        bar.value = pct;
        status.textContent = pct + "%";
      }
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      if (xhr.status === 201 && body && body.url && /^\/[^\/\\]/.test(body.url)) {
        bar.value = 100;
        window.location.assign(body.url);
      } else {
        showError((body && body.detail) || form.getAttribute("data-failed"));
      }
    });
    xhr.addEventListener("error", function () { showError(form.getAttribute("data-failed")); });
    xhr.send(new FormData(form));
  });
})();
