// Shows the postcode format of the chosen country under the postcode label.
// Without JavaScript the server shows the same hint once a country was sent.
(function () {
  "use strict";
  var data = document.getElementById("postcode-hints");
  var country = document.getElementById("id_country");
  var postcode = document.getElementById("id_postcode");
  if (!data || !country || !postcode) return;
  var hints = JSON.parse(data.textContent);
  var hintId = "id_postcode_helptext";

  function hintElement() {
    var hint = document.getElementById(hintId);
    if (hint) return hint;
    hint = document.createElement("p");
    hint.className = "hint";
    hint.id = hintId;
    var field = postcode.parentNode;
    field.insertBefore(hint, field.querySelector(".error-message") || postcode);
    var describedBy = (postcode.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    describedBy.push(hintId);
    postcode.setAttribute("aria-describedby", describedBy.join(" "));
    return hint;
  }

  function update() {
    var text = hints[country.value] || hints[""] || "";
    var hint = document.getElementById(hintId);
    if (!text && !hint) return;
    hint = hintElement();
    hint.textContent = text;
    hint.hidden = !text;
  }

  country.addEventListener("change", update);
  update();
})();
