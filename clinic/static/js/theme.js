/* Dark mode follows the device: Bootstrap 5.3 color modes via data-bs-theme on <html>.
   Loaded in <head> (no inline script: the CSP forbids them), so no page flashes light first. */
(function () {
  "use strict";
  var query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function apply() {
    document.documentElement.setAttribute("data-bs-theme", query && query.matches ? "dark" : "light");
  }
  apply();
  if (query && query.addEventListener) { query.addEventListener("change", apply); }
})();
