/* Site-wide behaviour: the navigation toggle on narrow screens, the language switch. */
(function () {
  "use strict";
  function init() {
    // Switching language returns to the page as it is now (htmx may have changed its address).
    Array.prototype.forEach.call(document.querySelectorAll(".lang-form"), function (form) {
      form.addEventListener("submit", function () {
        var next = form.querySelector("input[name=next]");
        if (next) { next.value = window.location.pathname + window.location.search; }
      });
    });
    // A form that starts something long is sent once: its buttons are disabled once it is submitted
    // (listened to on the document: htmx may have swapped the form in after this ran).
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.matches || !form.matches("form[data-submit-once]")) { return; }
      window.setTimeout(function () {
        Array.prototype.forEach.call(form.querySelectorAll("button, input[type=submit]"), function (b) {
          b.disabled = true;
          b.setAttribute("aria-disabled", "true");
        });
      }, 0);
    });
    var toggle = document.querySelector(".nav-toggle");
    if (!toggle) { return; }
    toggle.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && document.body.classList.contains("nav-open")) {
        document.body.classList.remove("nav-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
