/* Episodes pages: one step at a time with checks on Next, the danger questions' call box,
   the stopwatch, the browser's time zone, the tappable body picture and uploads with
   progress. Everything works without this file: all steps show at once and the server
   checks the answers. No inline scripts anywhere (the Content Security Policy forbids them). */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localInputValue(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  // The typed time is the phone's wall clock: its zone travels with the form.
  function setupTimeZone(form) {
    form.querySelectorAll("input[name=time_zone]").forEach(function (input) { input.value = browserZone(); });
    var started = form.querySelector("input[name=started_at]");
    if (started && form.hasAttribute("data-fresh")) {
      started.value = localInputValue(new Date());  // the server wrote "now" in its own zone
    }
  }

  function message(form, key) { return form.getAttribute("data-msg-" + key) || ""; }

  function feedbackFor(control) {
    var box = control.closest("[data-question], .mb-3, .body-map") || control.parentNode;
    var el = box.querySelector("[data-js-error]");
    if (!el) {
      el = box.querySelector("[data-error-for]");
      if (!el) {
        el = document.createElement("div");
        el.className = "invalid-feedback d-block";
        box.appendChild(el);
      }
      el.setAttribute("data-js-error", "");
      el.id = el.id || ("err-" + Math.random().toString(36).slice(2));
    }
    return el;
  }

  function problem(form, control) {
    var name = control.name;
    if (control.type === "radio") {
      var checked = form.querySelector("input[name=" + name + "]:checked");
      return checked || !control.required ? "" : message(form, "choose");
    }
    if (name === "started_at") {
      if (!control.value) { return message(form, "when"); }
      var typed = new Date(control.value);
      if (!isNaN(typed) && typed.getTime() > Date.now() + 60000) { return message(form, "future"); }
      return "";
    }
    if (name === "temperature") {
      if (!control.value.trim()) { return ""; }
      var value = parseFloat(control.value.replace(",", "."));
      var unit = form.querySelector("input[name=temperature_unit]:checked");
      var c = unit && unit.value === "f" ? (value - 32) * 5 / 9 : value;
      return isNaN(value) || c < 30 || c > 45 ? message(form, "temperature") : "";
    }
    if (control.type === "number") {
      if (control.value === "" || !control.checkValidity()) {
        return message(form, "number").replace("%(min)s", control.min).replace("%(max)s", control.max);
      }
    }
    return "";
  }

  function checkStep(form, step) {
    var first = null;
    var seen = {};
    step.querySelectorAll("input, textarea, select").forEach(function (control) {
      if (control.type === "hidden" || seen[control.name]) { return; }
      seen[control.name] = true;
      var text = problem(form, control);
      var box = feedbackFor(control);
      box.textContent = text;
      form.querySelectorAll("input[name=" + control.name + "]").forEach(function (c) {
        if (text) { c.setAttribute("aria-invalid", "true"); c.setAttribute("aria-describedby", box.id); }
        else { c.removeAttribute("aria-invalid"); }
      });
      if (text && !first) { first = control; }
    });
    var parts = step.querySelectorAll("input[name=body_parts]");
    if (parts.length) {
      var any = step.querySelector("input[name=body_parts]:checked");
      var box = feedbackFor(parts[0]);
      box.textContent = any ? "" : message(form, "parts");
      if (!any && !first) { first = parts[0]; }
    }
    if (first) { first.focus(); }
    return !first;
  }

  function setupSteps(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
    var nav = form.querySelector("[data-step-nav]");
    var counter = form.querySelector("[data-step-counter]");
    if (!steps.length || !nav) { return; }
    var back = nav.querySelector("[data-action=back]");
    var next = nav.querySelector("[data-action=next]");
    var current = 0;

    function show(index, focusLegend) {
      current = Math.max(0, Math.min(index, steps.length - 1));
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      back.hidden = current === 0;
      next.hidden = current === steps.length - 1;
      counter.textContent = (form.getAttribute("data-msg-step") || "Step %(n)s of %(total)s")
        .replace("%(n)s", current + 1).replace("%(total)s", steps.length);
      var legend = steps[current].querySelector("legend");
      if (legend && focusLegend !== false) {
        legend.setAttribute("tabindex", "-1"); legend.focus({preventScroll: true});
      }
      window.scrollTo(0, 0);
    }
    function stepOf(el) {
      for (var i = 0; i < steps.length; i++) { if (steps[i].contains(el)) { return i; } }
      return -1;
    }
    function goNext() { if (checkStep(form, steps[current])) { show(current + 1); } }

    nav.hidden = false;
    counter.hidden = false;
    back.addEventListener("click", function () { show(current - 1); });
    next.addEventListener("click", goNext);
    // Enter in a field moves on a step instead of sending a half-filled form.
    form.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.key === "Enter" && t.tagName === "INPUT" && t.type !== "submit" && current < steps.length - 1) {
        event.preventDefault();
        goNext();
      }
    });
    form.addEventListener("submit", function (event) {
      for (var i = 0; i < steps.length; i++) {
        if (!checkStep(form, steps[i])) { event.preventDefault(); show(i, false); checkStep(form, steps[i]); return; }
      }
    });
    // The server's errors open the step they belong to.
    form.querySelectorAll("[data-open-step]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var control = form.querySelector("[name=" + link.getAttribute("data-open-step") + "]");
        var i = control ? stepOf(control) : -1;
        if (i >= 0) { event.preventDefault(); show(i, false); control.focus(); }
      });
    });
    var invalid = form.querySelector(".is-invalid, [aria-invalid=true]");
    show(invalid ? Math.max(0, stepOf(invalid)) : 0, false);  // focus moves only on Next/Back
    if (invalid) { invalid.focus(); }
  }

  // A "yes" to any danger question shows the call box at once.
  function setupDanger(form) {
    var box = form.querySelector("[data-call-now]");
    var step = form.querySelector("[data-step=danger]");
    if (!box || !step) { return; }
    function sync(event) {
      var yes = step.querySelector("input[type=radio][value=yes]:checked");
      var wasHidden = box.hidden;
      box.hidden = !yes;
      if (yes && wasHidden && event) { box.scrollIntoView({block: "start"}); box.querySelector("a").focus(); }
    }
    step.addEventListener("change", sync);
    sync(null);
  }

  function setupStopwatch(form) {
    var startButton = form.querySelector("[data-action=started-now]");
    var stopButton = form.querySelector("[data-action=stopwatch-stop]");
    var display = form.querySelector("[data-stopwatch]");
    var call = form.querySelector("[data-stopwatch-call]");
    var startedAt = form.querySelector("input[name=started_at]");
    var minutes = form.querySelector("input[name=duration_minutes]");
    var seconds = form.querySelector("input[name=duration_secs]");
    if (!startButton || !stopButton) { return; }
    var began = null;
    var timer = null;

    function elapsed() { return Math.floor((Date.now() - began) / 1000); }
    function render() {
      var s = elapsed();
      display.textContent = Math.floor(s / 60) + ":" + pad(s % 60);
      if (call && s >= 300) { call.hidden = false; }  // 5 minutes of jerking: emergency
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
    root.querySelectorAll("[data-body-picture]").forEach(function (el) { el.hidden = false; });
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

  // The report is already saved; the video follows with a progress bar, cancel and retry.
  function setupUpload(form) {
    var file = form.querySelector("input[type=file]");
    var progress = form.querySelector("[data-upload-progress]");
    var bar = progress.querySelector("progress");
    var percent = progress.querySelector("[data-upload-percent]");
    var cancel = form.querySelector("[data-action=upload-cancel]");
    var error = form.querySelector("[data-upload-error]");
    var submit = form.querySelector("button[type=submit]");
    var xhr = null;

    function idle(text) {
      xhr = null;
      progress.hidden = true;
      cancel.hidden = true;
      submit.disabled = false;
      error.hidden = !text;
      error.textContent = text || "";
      if (text) { submit.textContent = form.getAttribute("data-msg-retry") || submit.textContent; }
    }
    cancel.addEventListener("click", function () { if (xhr) { xhr.abort(); } });
    form.addEventListener("submit", function (event) {
      if (!file || !file.files.length) { return; }  // notes only: an ordinary post
      event.preventDefault();
      xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var p = Math.floor(100 * e.loaded / e.total);
        bar.value = p;
        percent.textContent = p + "%";
      });
      xhr.addEventListener("load", function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
        if (xhr.status === 200 && data.url) { window.location.assign(data.url); return; }
        var errors = [];
        Object.keys(data.errors || {}).forEach(function (k) { errors = errors.concat(data.errors[k]); });
        idle(errors.join(" ") || form.getAttribute("data-msg-failed"));
      });
      xhr.addEventListener("error", function () { idle(form.getAttribute("data-msg-failed")); });
      xhr.addEventListener("abort", function () { idle(form.getAttribute("data-msg-cancelled")); });
      bar.value = 0;
      percent.textContent = "0%";
      progress.hidden = false;
      cancel.hidden = false;
      error.hidden = true;
      submit.disabled = true;
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-steps]").forEach(function (form) {
      form.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
      setupTimeZone(form);
      setupDanger(form);
      setupStopwatch(form);
      setupSteps(form);
    });
    document.querySelectorAll("form[data-time-zone]").forEach(setupTimeZone);
    document.querySelectorAll("[data-body-map]").forEach(setupBodyMap);
    document.querySelectorAll("form[data-upload]").forEach(setupUpload);
  });
})();
