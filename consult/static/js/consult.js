// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary so screen readers hear what went wrong.
  function focusErrors(root) {
    var summary = (root || document).querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  // After an htmx swap: announce [data-announce] text and focus [data-autofocus].
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var live = document.getElementById("live");
    var note = target.querySelector("[data-announce]") || (target.matches("[data-announce]") ? target : null);
    if (live && note) { live.textContent = ""; window.setTimeout(function () { live.textContent = note.getAttribute("data-announce"); }, 50); }
    var focus = target.querySelector("[data-autofocus]");
    if (focus) { focus.focus(); } else { focusErrors(target); }
  });
})();
