// The objection window's countdown on the quick-test page: counts down to the deadline the
// server rendered (data-deadline, ISO 8601), and says when it has passed. Reload to act on it.
// Its wording comes from the page (data-left, data-expired), in the page's language.
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick(el) {
    var left = Math.floor((Date.parse(el.dataset.deadline) - Date.now()) / 1000);
    if (left <= 0) {
      el.textContent = el.dataset.expired || "异议期已届满";
      el.classList.add("expired");
      return false;
    }
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    var left = el.dataset.left || "剩余 {h} 小时 {m} 分 {s} 秒";
    el.textContent = left.replace("{h}", h).replace("{m}", pad(m)).replace("{s}", pad(s));
    return true;
  }
  document.querySelectorAll("[data-deadline]").forEach(function (el) {
    if (!tick(el)) return;
    var timer = setInterval(function () { if (!tick(el)) clearInterval(timer); }, 1000);
  });
})();
