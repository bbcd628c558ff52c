// Docket's only script: small progressive enhancements, no third-party code. Every page works without it.
(function () {
  "use strict";
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
  // "All on this page" for the rows of a bulk-action form (without the script, rows are ticked one by one).
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    all.hidden = false;
    var boxes = document.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-check-all") + "']");
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  });
})();
