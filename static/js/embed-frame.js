// Inside the embedded sign form: tell the partner's page how tall we are, so
// its iframe can fit us (static/js/embed.js listens on the partner's side).
(function () {
  "use strict";
  if (window.parent === window) return;
  var lastHeight = 0;
  // A page that follows one of ours inside the frame (the form with its errors,
  // the thank-you page) is first seen from where "Sign" was tapped, at the foot
  // of the taller form: the partner's page is asked to bring our top into view,
  // where the error summary or "Check your inbox" is.
  var reveal = document.referrer.indexOf(window.location.origin + "/") === 0;

  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === lastHeight && !reveal) return;
    lastHeight = height;
    // The height is no secret; the partner's script checks that it came from us.
    window.parent.postMessage({ type: "petition-embed:height", height: height, reveal: reveal }, "*");
    reveal = false;
  }

  // Browsers ignore autofocus in a frame from another site: put the cursor on
  // the first field to fix ourselves, as the petition page's own form does.
  var first = document.querySelector("[autofocus]");
  if (first && document.activeElement === document.body) {
    first.focus({ preventScroll: true });
  }

  if ("ResizeObserver" in window) new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);
  report();
})();
