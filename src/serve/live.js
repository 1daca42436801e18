// lettermerge serve: reload the proof when the server has a newer build. The server sends the id of its build when
// the page connects ("current") and after every rebuild ("reload"); a page whose own build differs reloads, so an
// edit made while the page was loading is not missed.
"use strict";
(function () {
  var meta = document.querySelector('meta[name="lettermerge-build"]');
  var build = meta ? meta.content : "";
  var state = document.getElementById("connection");
  function say(text, cls) {
    if (state) {
      state.textContent = text;
      state.className = cls;
    }
  }
  var events = new EventSource("/events");
  function onBuild(e) {
    if (e.data !== build) {
      say("Rebuilt: reloading…", "reloading");
      location.reload();
    }
  }
  events.addEventListener("current", onBuild);
  events.addEventListener("reload", onBuild);
  events.onopen = function () {
    say("Live: this page reloads when a campaign file changes.", "connected");
  };
  events.onerror = function () {
    say("Not connected to lettermerge serve: this page will not change until it runs again.", "disconnected");
  };
})();
