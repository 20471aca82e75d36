// The portal's own small script. Pages work without it; it only enhances.
"use strict";

document.documentElement.classList.add("js");
document.body && document.body.classList.remove("no-js");
document.addEventListener("DOMContentLoaded", function () {
  document.body.classList.remove("no-js");
  document.body.classList.add("js-enabled");
});
