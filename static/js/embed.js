// On a partner's page, next to the iframe from the embed snippet: resize each
// petition iframe to the height its page reports, and bring its top into view
// when it asks (after "Sign", its new page starts above the screen). Messages
// from any other origin or window are ignored.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var petitionOrigin = new URL(script.src).origin;

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== petitionOrigin || !data || data.type !== "petition-embed:height") return;
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0) return;
    var frames = document.querySelectorAll("iframe[data-petition-embed]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.min(Math.ceil(height), 20000) + "px";
        var top = frames[i].getBoundingClientRect().top;
        if (data.reveal === true && (top < 0 || top > window.innerHeight)) frames[i].scrollIntoView({ block: "start" });
      }
    }
  });
})();
