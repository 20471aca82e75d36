// Session timeout warning (templates/components/timeout_dialog.html; WCAG 2.2.1 Timing Adjustable).
// Counts on the browser's own clock from data-expires-in (what the server said was left when it rendered the
// page), so the server's and the browser's clocks never need to agree. Before the warning, and again when time
// is up, it asks data-status-url (passive: asking never keeps the session alive) because the person may have
// been active in another tab. "Continue" or Escape posts data-keep-alive-url and closes the dialog, returning
// focus; at the end the browser goes to data-ended-url. Every word comes from the markup.
// Without this script the dialog never shows and the form's own text states the time limit.
"use strict";

(function () {
  var TICK_MS = 1000;
  var SECONDS_STEP = 5; // under a minute the shown count moves in steps of five seconds, not every second
  var SLACK_MS = 5000; // a warning due within this much is shown now rather than scheduled again
  var FOCUSABLE = "button:not([disabled]), a[href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex='-1'])";

  function pluralKey(n) {
    var lv = document.documentElement.lang === "lv";
    if (lv ? n % 10 === 1 && n % 100 !== 11 : n === 1) return "one";
    return n === 0 ? "zero" : "other";
  }

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("data-hx-headers") || "{}");
    } catch (error) {
      return {};
    }
  }

  function setUp(dialog) {
    if (typeof dialog.showModal !== "function") return;
    function millis(name) { return parseInt(dialog.getAttribute(name), 10) * 1000; }
    var warnMs = millis("data-warn-seconds");
    var idleMs = millis("data-idle-seconds");
    var statusUrl = dialog.getAttribute("data-status-url");
    var keepAliveUrl = dialog.getAttribute("data-keep-alive-url");
    var endedUrl = dialog.getAttribute("data-ended-url");
    var remaining = dialog.querySelector("[data-timeout-remaining]");
    var announcer = dialog.querySelector("[data-timeout-announce]");
    var continueButton = dialog.querySelector("[data-timeout-continue]");
    var deadline = Date.now() + millis("data-expires-in");
    var warnTimer = null;
    var ticker = null;
    var opener = null;
    var announcedMinutes = null;

    function message(unit, count) {
      return dialog.getAttribute("data-" + unit + "-" + pluralKey(count)).replace("{count}", String(count));
    }
    function left() { return Math.max(0, deadline - Date.now()); }

    // The shown time follows the clock; only a change of whole minutes goes to the live region, so a screen
    // reader hears "1 minute" once instead of a number every second.
    function render() {
      var seconds = Math.ceil(left() / 1000);
      var minutes = Math.ceil(seconds / 60);
      var text = seconds >= 60 ? message("minutes", minutes)
        : message("seconds", Math.max(SECONDS_STEP, Math.floor(seconds / SECONDS_STEP) * SECONDS_STEP));
      if (remaining.textContent !== text) remaining.textContent = text;
      if (announcedMinutes !== null && minutes !== announcedMinutes && minutes > 0) {
        announcer.textContent = message("minutes", minutes);
      }
      announcedMinutes = minutes;
    }

    // The server's answer, or null when there is no status URL or it could not be asked.
    function ask(then) {
      if (!statusUrl) { then(null); return; }
      fetch(statusUrl, {
        credentials: "same-origin", cache: "no-store", headers: { "x-portal-passive": "1", Accept: "application/json" },
      }).then(function (response) { return response.ok ? response.json() : null; })
        .then(then, function () { then(null); });
    }

    // Believe the server about the time left; true when the warning is not due yet after all.
    function adopt(status) {
      if (status) deadline = Date.now() + status.expires_in * 1000;
      return left() - warnMs > SLACK_MS;
    }

    function schedule() {
      window.clearTimeout(warnTimer);
      warnTimer = window.setTimeout(warningDue, Math.max(0, left() - warnMs));
    }

    function warningDue() {
      ask(function (status) {
        if (status && !status.signed_in) end();
        else if (adopt(status)) schedule();
        else open();
      });
    }

    function open() {
      if (!dialog.open) {
        opener = document.activeElement;
        announcer.textContent = "";
        announcedMinutes = null;
        dialog.showModal();
        continueButton.focus();
      }
      render();
      window.clearInterval(ticker);
      ticker = window.setInterval(tick, TICK_MS);
    }

    function tick() {
      if (left() > 0) { render(); return; }
      window.clearInterval(ticker);
      ask(function (status) {
        if (!status || !status.signed_in || status.expires_in <= 0) end();
        else if (adopt(status)) { close(); schedule(); }
        else open();
      });
    }

    function close() {
      window.clearInterval(ticker);
      if (!dialog.open) return;
      dialog.close();
      var back = opener && opener.isConnected && opener !== document.body ? opener : document.getElementById("main");
      if (back && typeof back.focus === "function") back.focus();
    }

    function end() {
      window.clearTimeout(warnTimer);
      window.clearInterval(ticker);
      window.location.assign(endedUrl);
    }

    function stay() {
      close();
      deadline = Date.now() + idleMs; // until the server answers; the next warning asks it again anyway
      schedule();
      if (!keepAliveUrl) return;
      var headers = csrfHeaders();
      headers.Accept = "application/json";
      fetch(keepAliveUrl, { method: "POST", credentials: "same-origin", cache: "no-store", headers: headers })
        .then(function (response) {
          if (response.status === 401) { end(); return null; }
          return response.ok ? response.json() : null;
        })
        .then(function (status) {
          if (status) { adopt(status); schedule(); }
        }, function () {});
    }

    // Modal: Tab and Shift+Tab go round the dialog's own controls, never out to the browser's.
    function keepFocusInside(event) {
      if (event.key !== "Tab") return;
      var controls = dialog.querySelectorAll(FOCUSABLE);
      if (!controls.length) return;
      var first = controls[0];
      var last = controls[controls.length - 1];
      if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
      else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
    }

    continueButton.addEventListener("click", stay);
    dialog.addEventListener("keydown", keepFocusInside);
    // Escape closes a modal dialog; here it means "I am still here".
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      stay();
    });
    document.querySelectorAll("[data-timeout-open='" + dialog.id + "']").forEach(function (button) {
      button.addEventListener("click", open);
    });
    if (!isNaN(deadline)) schedule();
  }

  function start() {
    document.querySelectorAll('[data-module="timeout-dialog"]').forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
