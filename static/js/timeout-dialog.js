// Session timeout warning (templates/components/timeout_dialog.html). Opens the <dialog> warn-seconds before
// data-expires-at; "Continue" (or Escape) renews the session and closes it; at the end the browser signs out.
// Without this script the dialog never shows and the form's own text states the time limit.
"use strict";

(function () {
  function setUp(dialog) {
    if (typeof dialog.showModal !== "function") return;
    var warnMs = parseInt(dialog.getAttribute("data-warn-seconds"), 10) * 1000;
    var sessionMs = parseInt(dialog.getAttribute("data-session-seconds"), 10) * 1000;
    var keepAlive = dialog.getAttribute("data-keep-alive-url");
    var signOut = dialog.querySelector("[data-timeout-sign-out]");
    var expiresAt = Date.parse(dialog.getAttribute("data-expires-at"));
    var warnTimer = null;
    var endTimer = null;
    var opener = null;

    function open() {
      if (dialog.open) return;
      opener = document.activeElement;
      dialog.showModal();
      var first = dialog.querySelector("[data-timeout-continue]");
      if (first) first.focus();
    }
    function schedule() {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      var now = Date.now();
      warnTimer = window.setTimeout(open, Math.max(0, expiresAt - warnMs - now));
      endTimer = window.setTimeout(function () { window.location.href = signOut.href; }, Math.max(0, expiresAt - now));
    }
    function stay() {
      if (keepAlive) fetch(keepAlive, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
      expiresAt = Date.now() + sessionMs;
      if (dialog.open) dialog.close();
      if (opener && typeof opener.focus === "function") opener.focus();
      schedule();
    }

    dialog.querySelector("[data-timeout-continue]").addEventListener("click", stay);
    // Escape closes a modal dialog; here it means "I am still here".
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      stay();
    });
    document.querySelectorAll("[data-timeout-open='" + dialog.id + "']").forEach(function (button) {
      button.addEventListener("click", open);
    });
    if (!isNaN(expiresAt)) schedule();
  }

  function start() {
    document.querySelectorAll('[data-module="timeout-dialog"]').forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
