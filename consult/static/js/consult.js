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
  // A form marked [data-warn-unsaved] with text typed and not yet sent: the browser asks
  // before the page is left. Sending any form of the page clears the mark.
  var unsaved = false;
  document.addEventListener("input", function (event) {
    var form = event.target && event.target.closest && event.target.closest("form[data-warn-unsaved]");
    if (form) { unsaved = true; }
  });
  document.addEventListener("submit", function () { unsaved = false; }, true);
  window.addEventListener("beforeunload", function (event) {
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });
  // Reply templates: choosing one in a [data-template-for] select puts its text into the
  // field named by the attribute, to be edited (without JavaScript the select's form asks
  // the server for the page with the template filled in).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-template-for]")) { return; }
    var option = select.options[select.selectedIndex];
    var field = document.getElementById(select.getAttribute("data-template-for"));
    if (field && option && option.getAttribute("data-body")) {
      field.value = option.getAttribute("data-body");
      field.focus();
      unsaved = true;
    }
  });
  // Safe publishing: a form[data-confirm] opens its <dialog> with the preview instead of
  // posting; "yes" posts it with the signed confirmation (without JavaScript the post
  // itself answers with the confirmation page).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]")) { return; }
    var dialog = document.getElementById(form.getAttribute("data-confirm"));
    var token = form.querySelector("input[name=confirm]");
    if (!dialog || !dialog.showModal || !token || token.value) { return; }
    event.preventDefault();
    dialog.querySelectorAll("[data-confirm-copy]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-confirm-copy"));
      el.textContent = source ? source.value : "";
    });
    dialog.querySelector("[data-confirm-yes]").onclick = function () {
      token.value = form.getAttribute("data-confirm-token");
      unsaved = false;
      dialog.close();
      form.submit();
    };
    dialog.querySelector("[data-confirm-no]").onclick = function () { dialog.close(); };
    dialog.showModal();
  });
})();
