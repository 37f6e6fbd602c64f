/* The inspection form on a tablet: keep a half-filled form in this browser (localStorage, keyed
   by the inspection) until the server has it, refuse to submit while the connection is down, and
   let the business representative draw a signature (shian/signature_pad.js). Plain JS, no CDN. */
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
    var pad = window.shianSignaturePad(function () { saveDraft(); });  // shian/signature_pad.js

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
      offline.textContent = form.dataset.offlineText || OFFLINE_TEXT;
      offline.hidden = false;
      offline.scrollIntoView({ block: "center" });
    }

    // Files cannot be kept in the browser's storage: show what will be sent with the next save.
    Array.prototype.forEach.call(form.querySelectorAll(".photo-chosen"), function (label) {
      var input = form.elements[label.dataset.for];
      input.addEventListener("change", function () {
        var chosen = label.dataset.chosen || "已选择 {n} 张，保存时上传";
        label.textContent = input.files.length ? chosen.replace("{n}", input.files.length) : "";
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

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
