/* Keeps a petition's count fresh from the JSON API, calmly.
   The page is complete without this script: the server renders every figure.
   Polls at most data-count-interval seconds apart while the tab is visible, backs off
   when the API fails, and counts up gently unless the visitor prefers reduced
   motion. */
(function () {
  "use strict";

  var root = document.querySelector("[data-count-url]");
  if (!root || !window.fetch) {
    return;
  }

  var url = root.getAttribute("data-count-url");
  var interval = (Number(root.getAttribute("data-count-interval")) || 3) * 1000;
  var longestInterval = 5 * 60 * 1000;
  var delay = interval;
  var timer = null;
  var reducedMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  var countEl = root.querySelector("[data-count]");
  var progressEl = root.querySelector("[data-progress]");
  var shown = progressEl ? Number(progressEl.getAttribute("value")) : null;

  function setText(el, text) {
    if (el && el.textContent !== text) {
      el.textContent = text;
    }
  }

  function showCount(target) {
    if (!countEl || target === shown) {
      return;
    }
    var from = shown === null ? target : shown;
    shown = target;
    // Restart the brief highlight (the stylesheet drops it for reduced motion).
    countEl.classList.remove("count-updated");
    void countEl.offsetWidth;
    countEl.classList.add("count-updated");
    if ((reducedMotion && reducedMotion.matches) || !window.requestAnimationFrame) {
      setText(countEl, numbers.format(target));
      return;
    }
    var start = null;
    var duration = 800;
    function step(now) {
      if (start === null) {
        start = now;
      }
      var t = Math.min(1, (now - start) / duration);
      var eased = 1 - Math.pow(1 - t, 3);
      setText(countEl, numbers.format(Math.round(from + (target - from) * eased)));
      if (t < 1 && shown === target) {
        window.requestAnimationFrame(step);
      }
    }
    window.requestAnimationFrame(step);
  }

  function showProgress(count, goal) {
    if (!progressEl) {
      return;
    }
    progressEl.max = goal;
    progressEl.value = Math.min(count, goal);
    setText(progressEl, Math.floor((100 * Math.min(count, goal)) / goal) + "%");
  }

  function showMilestone(next) {
    var box = root.querySelector("[data-next-milestone]");
    if (!box) {
      return;
    }
    box.hidden = !next;
    if (next) {
      setText(box.querySelector("[data-milestone-threshold]"), numbers.format(next.threshold));
      setText(box.querySelector("[data-milestone-remaining]"), numbers.format(next.remaining));
    }
  }

  function showEci(eci) {
    var box = root.querySelector("[data-eci]");
    if (!box || !eci) {
      return;
    }
    setText(box.querySelector("[data-eci-states-reached]"), numbers.format(eci.member_states_reached));
    Object.keys(eci.member_states).forEach(function (code) {
      var state = eci.member_states[code];
      var row = box.querySelector('[data-eci-state="' + code + '"]');
      if (!row) {
        return;
      }
      setText(row.querySelector("[data-eci-count]"), numbers.format(state.count));
      setText(
        row.querySelector("[data-eci-reached]"),
        box.getAttribute(state.reached ? "data-reached-text" : "data-not-reached-text")
      );
      row.classList.toggle("reached", state.reached);
    });
  }

  function show(data) {
    showCount(data.signature_count);
    showProgress(data.signature_count, data.goal);
    showMilestone(data.next_milestone);
    showEci(data.eci);
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    // Jitter keeps thousands of open tabs from asking in step; it only ever
    // shortens the wait, so a new count shows within the interval.
    timer = window.setTimeout(refresh, ms * (0.75 + Math.random() * 0.25));
  }

  function refresh() {
    if (document.hidden) {
      return; // visibilitychange starts again
    }
    // "no-cache" revalidates (a cheap 304) instead of showing a copy the
    // browser may keep stale for a minute under stale-while-revalidate.
    fetch(url, { headers: { Accept: "application/json" }, credentials: "omit", cache: "no-cache" })
      .then(function (response) {
        if (response.status === 404) {
          return null; // no longer public: stop asking
        }
        if (!response.ok) {
          throw new Error("count API answered " + response.status);
        }
        return response.json().then(function (data) {
          show(data);
          delay = interval;
          schedule(delay);
        });
      })
      .catch(function () {
        delay = Math.min(delay * 2, longestInterval);
        schedule(delay);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule(0);
    }
  });
  schedule(interval);
})();
