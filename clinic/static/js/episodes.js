/* Episodes pages: one step at a time, the stopwatch, the tappable body picture.
   Everything works without this file: all steps simply show at once. No inline
   scripts anywhere (the Content Security Policy forbids them). */
(function () {
  "use strict";

  function setupSteps(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
    var nav = form.querySelector("[data-step-nav]");
    var counter = form.querySelector("[data-step-counter]");
    if (!steps.length || !nav) { return; }
    var back = nav.querySelector("[data-action=back]");
    var next = nav.querySelector("[data-action=next]");
    var current = 0;

    function show(index) {
      current = Math.max(0, Math.min(index, steps.length - 1));
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      back.disabled = current === 0;
      next.hidden = current === steps.length - 1;
      counter.textContent = "Step " + (current + 1) + " of " + steps.length;
      var legend = steps[current].querySelector("legend");
      if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus({preventScroll: true}); }
      window.scrollTo(0, 0);
    }

    nav.hidden = false;
    counter.hidden = false;
    back.addEventListener("click", function () { show(current - 1); });
    next.addEventListener("click", function () { show(current + 1); });

    // Start where the parent needs to look: the answer, or the first question with a problem.
    var start = 0;
    var answer = form.querySelector("#check-answer");
    var invalid = form.querySelector(".is-invalid, .invalid-feedback");
    if (invalid) {
      steps.forEach(function (step, i) { if (!start && step.contains(invalid)) { start = i; } });
    } else if (answer && answer.children.length) {
      start = steps.length - 1;
    }
    show(start);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localInputValue(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function setupStopwatch(form) {
    var startButton = form.querySelector("[data-action=started-now]");
    var stopButton = form.querySelector("[data-action=stopwatch-stop]");
    var display = form.querySelector("[data-stopwatch]");
    var startedAt = form.querySelector("input[name=started_at]");
    var minutes = form.querySelector("input[name=duration_minutes]");
    var seconds = form.querySelector("input[name=duration_secs]");
    if (!startButton || !stopButton) { return; }
    startButton.closest(".js-only").hidden = false;
    var began = null;
    var timer = null;

    function elapsed() { return Math.floor((Date.now() - began) / 1000); }
    function render() {
      var s = elapsed();
      display.textContent = Math.floor(s / 60) + ":" + pad(s % 60);
    }
    startButton.addEventListener("click", function () {
      began = Date.now();
      startedAt.value = localInputValue(new Date(began));
      stopButton.disabled = false;
      startButton.disabled = true;
      render();
      timer = window.setInterval(render, 250);
    });
    stopButton.addEventListener("click", function () {
      if (began === null) { return; }
      window.clearInterval(timer);
      var s = elapsed();
      minutes.value = Math.floor(s / 60);
      seconds.value = s % 60;
      stopButton.disabled = true;
      startButton.disabled = false;
      render();
    });
  }

  function setupBodyMap(root) {
    var form = root.closest("form");
    function box(part) { return form.querySelector("input[name=body_parts][value=" + part + "]"); }
    function sync() {
      root.querySelectorAll(".part").forEach(function (region) {
        var input = box(region.getAttribute("data-part"));
        var on = !!(input && input.checked);
        region.classList.toggle("selected", on);
        region.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    root.querySelectorAll(".part").forEach(function (region) {
      function toggle() {
        var input = box(region.getAttribute("data-part"));
        if (!input) { return; }
        input.checked = !input.checked;
        sync();
      }
      region.addEventListener("click", toggle);
      region.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); }
      });
    });
    form.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-steps]").forEach(function (form) {
      setupStopwatch(form);
      setupSteps(form);
    });
    document.querySelectorAll("[data-body-map]").forEach(setupBodyMap);
  });
})();
