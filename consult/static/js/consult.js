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
    clearRequestErrors();
  });
  // A refused request (4xx/5xx are not swapped, see htmx-config in base.html: a new
  // account's cool-down, a rate limit, a closed round...): show the server's message
  // (errors/_message.html, role="alert") before the form or button that sent it,
  // instead of nothing happening. The next successful swap removes it.
  function clearRequestErrors() {
    var old = document.querySelectorAll(".request-error");
    for (var i = 0; i < old.length; i++) { old[i].parentNode.removeChild(old[i]); }
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr, elt = event.detail.elt;
    if (!xhr || !elt || !elt.parentNode) { return; }
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var notice = doc.querySelector(".notice--error");
    if (!notice) { return; }
    clearRequestErrors();
    notice = document.importNode(notice, true);
    notice.classList.add("request-error");
    var anchor = elt.closest("form") || elt;
    anchor.parentNode.insertBefore(notice, anchor);
  });
})();
