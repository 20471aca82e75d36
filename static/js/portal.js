// The portal's own small script. Pages work without it; it only enhances.
"use strict";

document.documentElement.classList.add("js");
document.body && document.body.classList.remove("no-js");

(function () {
  function each(selector, callback, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), callback);
  }

  // Error summary: take focus on load so it is read first; its links focus the field and keep its label in view.
  function errorSummary() {
    var summary = document.querySelector('[data-module="error-summary"]');
    if (!summary) return false;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!input) return;
      event.preventDefault();
      var legendOrLabel = input.closest("fieldset") ? input.closest("fieldset").querySelector("legend")
        : document.querySelector("label[for='" + input.id + "']");
      (legendOrLabel || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
    return true;
  }

  // A success banner confirms what was just done: focus it, unless an error summary already has focus.
  function successBanner() {
    var banner = document.querySelector('[data-module="notification-banner"]');
    if (banner) banner.focus();
  }

  // Conditional reveal: nested questions are shown statically without JavaScript; here they follow their input.
  function conditionalReveal(group) {
    var inputs = group.querySelectorAll("input[aria-controls]");
    function sync() {
      Array.prototype.forEach.call(inputs, function (input) {
        var target = document.getElementById(input.getAttribute("aria-controls"));
        if (!target) return;
        target.hidden = !input.checked;
      });
    }
    group.addEventListener("change", sync);
    sync();
  }

  // Character count: the hint says the limit; the count below follows the text (announced politely, after a pause).
  function pluralKey(n) {
    var lv = document.documentElement.lang === "lv";
    if (lv ? n % 10 === 1 && n % 100 !== 11 : n === 1) return "one";
    return n === 0 ? "zero" : "other";
  }
  function characterCount(wrapper) {
    var textarea = wrapper.querySelector("textarea");
    var info = wrapper.querySelector(".character-count__message");
    var max = parseInt(wrapper.getAttribute("data-max-length"), 10);
    if (!textarea || !info || !max) return;
    var live = document.createElement("div");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    info.parentNode.insertBefore(live, info.nextSibling);
    var timer = null;
    function message() {
      var left = max - textarea.value.length;
      var key = left < 0 ? "over-" + (pluralKey(-left) === "one" ? "one" : "other") : "remaining-" + pluralKey(left);
      return { text: wrapper.getAttribute("data-" + key).replace("{count}", String(Math.abs(left))), over: left < 0 };
    }
    function update() {
      var result = message();
      info.textContent = result.text;
      info.classList.toggle("character-count__message--over", result.over);
      textarea.classList.toggle("textarea--error", result.over);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { live.textContent = result.text; }, 1000);
    }
    textarea.addEventListener("input", update);
    info.textContent = message().text;
  }

  function start() {
    document.body.classList.remove("no-js");
    document.body.classList.add("js-enabled");
    if (!errorSummary()) successBanner();
    each('[data-module="conditional-reveal"]', conditionalReveal);
    each('[data-module="character-count"]', characterCount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
