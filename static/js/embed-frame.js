// Inside the embedded sign form: tell the partner's page how tall we are, so
// its iframe can fit us (static/js/embed.js listens on the partner's side).
(function () {
  "use strict";
  if (window.parent === window) return;
  var lastHeight = 0;

  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    // The height is no secret; the partner's script checks that it came from us.
    window.parent.postMessage({ type: "petition-embed:height", height: height }, "*");
  }

  if ("ResizeObserver" in window) new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);
  report();
})();
