/* A signature drawn with a finger or a stylus on the canvas #signature-pad; the PNG (a data URL)
   goes into the hidden field #signature-data, and #signature-clear wipes it. Shared by the
   inspection form and the on-site sampling record. Plain JS, no CDN.
   window.shianSignaturePad(onChange) -> {load(dataUrl)}, or null when the page has no pad. */
(function () {
  "use strict";
  window.shianSignaturePad = function (onChange) {
    var canvas = document.getElementById("signature-pad");
    var field = document.getElementById("signature-data");
    if (!canvas || !field) { return null; }
    var ctx = canvas.getContext("2d");
    var drawing = false, last = null, inked = false;
    function pen() {
      ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
      ctx.fillStyle = "#111";
    }
    function point(ev) {
      // The canvas keeps its own resolution; CSS scales it to the screen.
      var rect = canvas.getBoundingClientRect();
      return { x: (ev.clientX - rect.left) * canvas.width / rect.width,
               y: (ev.clientY - rect.top) * canvas.height / rect.height };
    }
    function commit() {
      field.value = inked ? canvas.toDataURL("image/png") : "";
      if (onChange) { onChange(); }
    }
    canvas.addEventListener("pointerdown", function (ev) {
      if (canvas.closest("fieldset[disabled]")) { return; }
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
    return {
      load: function (dataUrl) {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        inked = false;
        if (dataUrl && dataUrl.indexOf("data:image/png;base64,") === 0) {
          var img = new Image();
          img.onload = function () { ctx.drawImage(img, 0, 0); inked = true; };
          img.src = dataUrl;
        }
      }
    };
  };
})();
