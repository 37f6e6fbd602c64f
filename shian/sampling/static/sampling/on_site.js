/* The on-site sampling record: the business's signatory draws a signature with a finger or a
   stylus; the PNG goes into the hidden field. Plain JS, no CDN. */
(function () {
  "use strict";
  function init() {
    var canvas = document.getElementById("signature-pad");
    var field = document.getElementById("signature-data");
    if (!canvas || !field) { return; }
    var ctx = canvas.getContext("2d");
    var drawing = false, last = null, inked = false;
    function pen() {
      ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round";
      ctx.strokeStyle = "#111"; ctx.fillStyle = "#111";
    }
    function point(ev) {
      // The canvas keeps its own resolution; CSS scales it to the screen.
      var rect = canvas.getBoundingClientRect();
      return { x: (ev.clientX - rect.left) * canvas.width / rect.width,
               y: (ev.clientY - rect.top) * canvas.height / rect.height };
    }
    if (field.value.indexOf("data:image/png;base64,") === 0) {
      // A form sent back with a problem keeps the signature already drawn.
      var img = new Image();
      img.onload = function () { ctx.drawImage(img, 0, 0); inked = true; };
      img.src = field.value;
    }
    function commit() { field.value = inked ? canvas.toDataURL("image/png") : ""; }
    canvas.addEventListener("pointerdown", function (ev) {
      ev.preventDefault();
      canvas.setPointerCapture(ev.pointerId);
      drawing = true; last = point(ev); pen();
      ctx.beginPath(); ctx.arc(last.x, last.y, 2, 0, Math.PI * 2); ctx.fill();
      inked = true;
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!drawing) { return; }
      ev.preventDefault();
      var p = point(ev);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p;
    });
    function end() { if (drawing) { drawing = false; commit(); } }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    document.getElementById("signature-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      inked = false;
      commit();
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
