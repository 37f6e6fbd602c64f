/* The on-site sampling record: the business's signatory draws a signature
   (shian/signature_pad.js). Plain JS, no CDN. */
(function () {
  "use strict";
  function init() {
    var pad = window.shianSignaturePad(null);
    var field = document.getElementById("signature-data");
    // A form sent back with a problem keeps the signature already drawn.
    if (pad && field.value) { pad.load(field.value); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
