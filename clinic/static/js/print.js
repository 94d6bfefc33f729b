/* "Print" buttons on printable pages (episode summary, evaluation). The button stays hidden
   without JavaScript; the browser's own print command works either way. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-action=print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
