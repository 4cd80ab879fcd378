/* Behaviour every page shares, without inline scripts (the site's
 * Content-Security-Policy allows scripts from /static/ only):
 *   - on a wide screen the menu is always open; on a phone it folds away;
 *   - [data-select-on-click]: a read-only field whose text is selected when
 *     clicked or focused, ready to copy (the calendar address);
 *   - [data-check-boxes="all"|"none"] with data-check-name="<input name>":
 *     a button ticking or unticking every box of that name (a contract's
 *     deliveries).
 */
(function () {
  "use strict";

  function syncMenu() {
    var menu = document.querySelector(".menu");
    if (!menu || !window.matchMedia) { return; }
    var wide = window.matchMedia("(min-width: 48rem)");
    function sync() { if (wide.matches) { menu.open = true; } }
    sync();
    wide.addEventListener("change", sync);
  }

  function selectOnClick() {
    document.querySelectorAll("[data-select-on-click]").forEach(function (field) {
      function select() { field.select(); }
      field.addEventListener("click", select);
      field.addEventListener("focus", select);
    });
  }

  function checkBoxesButtons() {
    document.querySelectorAll("[data-check-boxes]").forEach(function (button) {
      button.addEventListener("click", function () {
        var checked = button.dataset.checkBoxes === "all";
        var name = button.dataset.checkName;
        document.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          if (box.name === name) { box.checked = checked; }
        });
      });
    });
  }

  syncMenu();
  selectOnClick();
  checkBoxesButtons();
})();
