// Receipt redaction helper: drag on the picture to mark a rectangle; its
// pixel figures (in the original image's pixels) go into the next empty
// row of the form. The form works without this script: the cadre can type
// the figures.
(function () {
  "use strict";
  function setup(area) {
    var id = area.getAttribute("data-redact");
    var img = area.querySelector("img");
    var form = document.querySelector('[data-redact-form="' + id + '"]');
    if (!img || !form) return;
    var start = null, box = null;
    function point(ev) {
      var r = img.getBoundingClientRect();
      var sx = img.naturalWidth / r.width, sy = img.naturalHeight / r.height;
      var x = Math.min(Math.max(ev.clientX - r.left, 0), r.width);
      var y = Math.min(Math.max(ev.clientY - r.top, 0), r.height);
      return { x: x, y: y, px: Math.round(x * sx), py: Math.round(y * sy) };
    }
    function emptyRow() {
      var sets = form.querySelectorAll(".redact-box");
      for (var i = 0; i < sets.length; i++) {
        var inputs = sets[i].querySelectorAll("input");
        var empty = true;
        for (var j = 0; j < inputs.length; j++) if (inputs[j].value !== "") empty = false;
        if (empty) return inputs;
      }
      return null;
    }
    img.addEventListener("pointerdown", function (ev) {
      ev.preventDefault();
      start = point(ev);
      box = document.createElement("div");
      box.className = "redact-mark";
      area.appendChild(box);
      img.setPointerCapture(ev.pointerId);
    });
    img.addEventListener("pointermove", function (ev) {
      if (!start) return;
      var p = point(ev);
      box.style.left = (img.offsetLeft + Math.min(p.x, start.x)) + "px";
      box.style.top = (img.offsetTop + Math.min(p.y, start.y)) + "px";
      box.style.width = Math.abs(p.x - start.x) + "px";
      box.style.height = Math.abs(p.y - start.y) + "px";
    });
    img.addEventListener("pointerup", function (ev) {
      if (!start) return;
      var p = point(ev), s = start;
      start = null;
      var w = Math.abs(p.px - s.px), h = Math.abs(p.py - s.py);
      var row = emptyRow();
      if (w < 2 || h < 2 || !row) { box.remove(); return; }
      row[0].value = Math.min(p.px, s.px);
      row[1].value = Math.min(p.py, s.py);
      row[2].value = w;
      row[3].value = h;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var areas = document.querySelectorAll("[data-redact]");
    for (var i = 0; i < areas.length; i++) setup(areas[i]);
  });
})();
