// Keeps the "minutes left" of a timed quiz up to date. Deliberately not a live region: a screen
// reader would otherwise announce it every minute. The server enforces the limit either way.
(function () {
  "use strict";
  var timer = document.getElementById("timer");
  var left = document.getElementById("timer-left");
  if (!timer || !left) { return; }
  var end = Date.now() + parseInt(timer.dataset.secondsLeft, 10) * 1000;
  // The words come from the page, in the reader's language: "{n} minutes", "{n} minuten".
  var text = timer.dataset;
  function say(template, fallback, n) { return (template || fallback).replace("{n}", n); }
  function tick() {
    var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
    var minutes = Math.floor(seconds / 60);
    left.textContent = seconds >= 120 ? say(text.textMinutes, "{n} minutes", minutes)
      : seconds > 0 ? say(text.textSeconds, "{n} seconds", seconds) : (text.textNone || "no time");
    timer.classList.toggle("timer--low", seconds < 120);
    if (seconds > 0) { setTimeout(tick, seconds > 120 ? 15000 : 1000); }
  }
  tick();
})();
