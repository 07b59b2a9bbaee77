// The sign form is sent once per tap on "Sign", however often it is tapped.
// On a slow connection nothing seems to happen after the first tap, so people
// tap again: each tap was another POST, and each POST after the first email
// had left owed the signer another identical confirmation email.
// Without JavaScript the form still works; it is only not guarded.
(function () {
  "use strict";
  var WAIT_MS = 15000; // a submission that stalled may be tried again after this

  function guard(form) {
    var sentAt = 0;
    // Capturing, so that it runs before any other submit handler (reCAPTCHA's).
    form.addEventListener(
      "submit",
      function (event) {
        if (sentAt && Date.now() - sentAt < WAIT_MS) {
          event.preventDefault();
          event.stopImmediatePropagation();
          return;
        }
        sentAt = Date.now();
        form.setAttribute("aria-busy", "true");
      },
      true
    );
    // Back to this page from the next one (the back-forward cache keeps it as it was): it may be sent again.
    window.addEventListener("pageshow", function () {
      sentAt = 0;
      form.removeAttribute("aria-busy");
    });
  }

  var forms = document.querySelectorAll("form.sign-form");
  for (var i = 0; i < forms.length; i++) guard(forms[i]);
})();
