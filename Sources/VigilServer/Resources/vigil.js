// Vigil dashboard: live updates. The pages work without this script; with it, they refresh their
// main content when the server says the store changed (server-sent events), without a reload.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var status = document.getElementById("live");
  if (!window.EventSource || !window.fetch || !window.DOMParser) return;
  var busy = false, again = false;
  function say(text) { if (status) status.textContent = text; }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { headers: { "Accept": "text/html" }, cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("main"), old = document.querySelector("main");
        if (fresh && old) old.replaceWith(fresh);
        say("Live: updated " + new Date().toISOString().slice(11, 19) + " UTC");
      })
      .catch(function () { say("Live: refresh failed, will retry"); })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  say("Live: connecting");
  var source = new EventSource("/api/v1/stream");
  source.addEventListener("hello", function () { say("Live"); });
  source.addEventListener("change", refresh);
  source.onerror = function () { say("Live: reconnecting"); };
})();
