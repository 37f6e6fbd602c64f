/* The inspection form on a tablet: keep a half-filled form in this browser (localStorage, keyed
   by the inspection) until the server has it, refuse to submit while the connection is down, and
   let the business representative draw a signature with a finger or stylus. Plain JS, no CDN. */
(function () {
  "use strict";
  var OFFLINE_TEXT = "网络已断开，内容已保存在本机，恢复网络后再提交";

  function init() {
    var form = document.getElementById("inspection-form");
    if (!form) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    var key = "shian:inspection-draft:" + form.dataset.inspection;
    var params = new URLSearchParams(window.location.search);
    var locked = form.dataset.locked === "1";
    function dropDraft() { try { window.localStorage.removeItem(key); } catch (e) { /* storage off */ } }
    if (params.has("saved")) {
      // The server has what this browser kept: forget the local copy, tidy the address.
      dropDraft();
      window.history.replaceState(null, "", window.location.pathname);
    }
    if (locked) { dropDraft(); return; }

    var notice = document.getElementById("draft-notice");
    var offline = document.getElementById("offline-notice");
    var pad = signaturePad(form, function () { saveDraft(); });

    function fields() {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "file" || el.type === "submit" || el.name === "csrfmiddlewaretoken") { return; }
        if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } }
        else if (el.type === "checkbox") { data[el.name] = el.checked ? "on" : ""; }
        else { data[el.name] = el.value; }
      });
      return data;
    }
    function saveDraft() {
      try { window.localStorage.setItem(key, JSON.stringify({ at: Date.now(), fields: fields() })); }
      catch (e) { /* private mode or full storage: the form still works online */ }
    }
    function restoreDraft() {
      var saved = null;
      try { saved = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
      if (!saved || !saved.fields) { return; }
      var before = JSON.stringify(fields());
      Object.keys(saved.fields).forEach(function (name) {
        var value = saved.fields[name];
        Array.prototype.forEach.call(form.elements, function (el) {
          if (el.name !== name || el.type === "file") { return; }
          if (el.type === "radio") { el.checked = el.value === value; }
          else if (el.type === "checkbox") { el.checked = value === "on"; }
          else { el.value = value; }
        });
      });
      if (JSON.stringify(fields()) === before) { dropDraft(); return; }
      if (pad) { pad.load(form.elements.signature ? form.elements.signature.value : ""); }
      markAnswers();
      notice.hidden = false;
    }
    function markAnswers() {
      Array.prototype.forEach.call(form.querySelectorAll(".check-item"), function (item) {
        var failed = item.querySelector("input[type=radio][value=fail]:checked");
        item.classList.toggle("answered-fail", !!failed);
      });
    }
    function showOffline() {
      saveDraft();
      offline.textContent = OFFLINE_TEXT;
      offline.hidden = false;
      offline.scrollIntoView({ block: "center" });
    }

    // Files cannot be kept in the browser's storage: show what will be sent with the next save.
    Array.prototype.forEach.call(form.querySelectorAll(".photo-chosen"), function (label) {
      var input = form.elements[label.dataset.for];
      input.addEventListener("change", function () {
        label.textContent = input.files.length ? "已选择 " + input.files.length + " 张，保存时上传" : "";
      });
    });
    restoreDraft();
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", function () { saveDraft(); markAnswers(); });
    document.getElementById("draft-discard").addEventListener("click", function () {
      dropDraft();
      window.location.reload();
    });
    window.addEventListener("online", function () { offline.hidden = true; });

    var probed = false;
    form.addEventListener("submit", function (ev) {
      if (probed) { return; }  // the real submission, after the probe below
      ev.preventDefault();
      saveDraft();
      var submitter = ev.submitter || null;
      if (submitter && submitter.dataset.confirm && !window.confirm(submitter.dataset.confirm)) { return; }
      if (!navigator.onLine) { showOffline(); return; }
      // navigator.onLine says "online" on a dead Wi-Fi too: ask the server before leaving the page.
      window.fetch(form.dataset.ping, { cache: "no-store", credentials: "same-origin" }).then(function () {
        probed = true;
        offline.hidden = true;
        if (form.requestSubmit && submitter) { form.requestSubmit(submitter); }
        else {
          if (submitter && submitter.name) {
            var flag = document.createElement("input");
            flag.type = "hidden"; flag.name = submitter.name; flag.value = submitter.value;
            form.appendChild(flag);
          }
          form.submit();
        }
      }, showOffline);
    });
  }

  function signaturePad(form, onChange) {
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
      onChange();
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
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
