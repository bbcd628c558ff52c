// Documents tab: the chosen-incidents dossier form and on-page progress for the court bundle. No third-party code.
(function () {
  "use strict";

  // Dossier of chosen incidents: the ticked boxes become one "incidents=1,2,3" parameter.
  var picks = document.querySelectorAll(".dossier-pick");
  var hidden = document.getElementById("dossier-incidents");
  if (hidden && picks.length) {
    hidden.form.addEventListener("submit", function () {
      var ids = [];
      picks.forEach(function (box) { if (box.checked) { ids.push(box.value); } });
      hidden.value = ids.join(",");
    });
  }

  // Court bundle: the server sends an exact Content-Length, so progress is real. Bundles up to the page's limit
  // are read here with a progress bar and then saved; bigger ones go to the browser's download manager
  // (which shows the same progress) instead of being held in memory.
  var link = document.getElementById("bundle-download");
  if (!link || !window.fetch || !window.ReadableStream) { return; }
  var size = parseInt(link.getAttribute("data-bundle-size"), 10) || 0;
  var limit = parseInt(link.getAttribute("data-in-page-limit"), 10) || 0;
  if (size > limit) { return; }
  var box = document.getElementById("bundle-progress");
  var bar = document.getElementById("bundle-progress-bar");
  var text = document.getElementById("bundle-progress-text");

  // Megabytes in the page's language ("1.5 MB", "1,5 МБ"); the unit comes translated from the template.
  var unit = link.getAttribute("data-unit-mb") || "MB";
  var lang = document.documentElement.lang || undefined;
  function mb(n) {
    return (n / 1048576).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " " + unit;
  }

  link.addEventListener("click", function (ev) {
    ev.preventDefault();
    if (link.getAttribute("aria-busy") === "true") { return; }
    link.setAttribute("aria-busy", "true");
    box.hidden = false;
    bar.removeAttribute("value");
    text.textContent = link.getAttribute("data-label-preparing");
    fetch(link.href, { credentials: "same-origin", headers: { "Accept": "application/zip" } }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (body) { throw new Error(body.detail || response.statusText); },
                                    function () { throw new Error(response.statusText); });
      }
      var total = parseInt(response.headers.get("Content-Length"), 10) || 0;
      var name = "bundle.zip";
      var disposition = response.headers.get("Content-Disposition") || "";
      var match = /filename="?([^";]+)"?/.exec(disposition);
      if (match) { name = match[1]; }
      var reader = response.body.getReader();
      var chunks = [];
      var received = 0;
      function pump() {
        return reader.read().then(function (step) {
          if (step.done) { return; }
          chunks.push(step.value);
          received += step.value.length;
          if (total) { bar.max = total; bar.value = received; }
          text.textContent = mb(received) + (total ? " / " + mb(total) : "");
          return pump();
        });
      }
      return pump().then(function () {
        var url = URL.createObjectURL(new Blob(chunks, { type: "application/zip" }));
        var a = document.createElement("a");
        a.href = url;
        a.download = name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        text.textContent = link.getAttribute("data-label-done") + " " + mb(received);
      });
    }).catch(function (err) {
      bar.value = 0;
      text.textContent = link.getAttribute("data-label-failed") + " " + err.message;
    }).then(function () { link.removeAttribute("aria-busy"); });
  });
})();
