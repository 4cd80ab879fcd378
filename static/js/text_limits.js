// A text box with a limit shows how much is typed against it, next to the
// "2,000 characters at most" hint drawn by templates/forms/field.html.
(function () {
  "use strict";
  var locale = document.documentElement.lang || undefined;
  var hints = document.querySelectorAll("[data-text-limit]");
  Array.prototype.forEach.call(hints, function (hint) {
    var box = document.getElementById(hint.getAttribute("data-text-limit"));
    var count = hint.querySelector(".text-count");
    if (!box || !count || !(box.maxLength > 0)) {
      return;
    }
    function update() {
      // A line break counts as one character, here, in the browser's
      // maxlength and on the server (amap.forms.TextField).
      count.textContent =
        " (" +
        box.value.length.toLocaleString(locale) +
        " / " +
        box.maxLength.toLocaleString(locale) +
        ")";
      count.hidden = false;
    }
    box.addEventListener("input", update);
    if (box.value) {
      update();
    }
  });
})();
