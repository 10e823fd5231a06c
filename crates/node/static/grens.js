// Live countdowns to legal deadlines. The server renders the same text, so pages read the
// same without JavaScript; this only keeps it current. No inline script: CSP allows 'self'.
(function () {
  "use strict";
  function words(body, seconds) {
    var s = Math.abs(seconds);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var u = body.dataset;
    if (d > 0) return d + " " + u.d + " " + h + " " + u.h;
    if (h > 0) return h + " " + u.h + " " + m + " " + u.min;
    if (m > 0) return m + " " + u.min + " " + (s % 60) + " " + u.s;
    return s + " " + u.s;
  }
  // The node's clock at rendering (data-now): a drill's controlled clock, or the system's; the
  // countdown runs from it at the browser's pace, so page and desk agree on "overdue".
  var offset = 0;
  function tick() {
    var body = document.body;
    var now = Date.now() + offset;
    document.querySelectorAll("time.countdown").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = Math.round((due - now) / 1000);
      var template = left >= 0 ? body.dataset.left : body.dataset.late;
      el.textContent = template.replace("{}", words(body, left));
      el.dataset.seconds = String(left);
      var row = el.closest("tr");
      if (row) row.classList.toggle("overdue", left < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var server = Date.parse(document.body.dataset.now || "");
    if (!isNaN(server)) offset = server - Date.now();
    tick();
    setInterval(tick, 1000);
  });
  // htmx swapped in fresh rows: update them at once.
  document.addEventListener("htmx:afterSwap", tick);
})();

// The start form shows the engine's fields of the chosen kind only.
(function () {
  "use strict";
  function show() {
    var kind = document.querySelector("#start-form select[name=kind]");
    if (!kind) return;
    document.querySelectorAll("#start-form .fact").forEach(function (el) {
      el.hidden = (el.dataset.kinds || "").split(" ").indexOf(kind.value) < 0;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    show();
    var kind = document.querySelector("#start-form select[name=kind]");
    if (kind) kind.addEventListener("change", show);
  });
})();
