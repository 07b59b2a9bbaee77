// reCAPTCHA v3 on the sign form, without inline script (see the Content-Security-Policy
// in petition/security.py): fetch a token when the form is submitted, then submit it.
(function () {
  "use strict";
  var options = document.currentScript.dataset;
  var input = document.querySelector('.g-recaptcha[data-widget-uuid="' + options.widgetUuid + '"]');
  if (!input || !input.form || typeof grecaptcha === "undefined") {
    return;
  }
  var form = input.form;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    grecaptcha.ready(function () {
      var params = options.action ? { action: options.action } : {};
      grecaptcha.execute(options.sitekey, params).then(function (token) {
        input.value = token;
        form.submit();
      });
    });
  });
})();
