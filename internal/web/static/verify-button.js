// The 验证 buttons: fetch a leaf's proof and the current checkpoint and
// check the inclusion in this browser with tlog-verify.js. Without
// JavaScript the buttons stay hidden and the page says how else to check.
"use strict";
(function () {
  function show(box, ok, text) {
    var out = box.querySelector(".verify-result");
    out.textContent = text;
    out.className = "verify-result " + (ok ? "verify-ok" : "verify-bad");
  }
  function check(box) {
    var index = box.getAttribute("data-verify-index");
    show(box, true, "正在验证……");
    Promise.all([
      fetch("/log/proof/" + index + ".json").then(function (r) {
        if (!r.ok) { throw new Error("proof " + r.status); }
        return r.json();
      }),
      fetch("/log/checkpoint").then(function (r) {
        if (!r.ok) { throw new Error("checkpoint " + r.status); }
        return r.text();
      })
    ]).then(function (got) {
      return window.MingbaiVerify.verifyInclusion(got[0], got[1]);
    }).then(function (res) {
      if (res.ok) {
        show(box, true, "✔ 验证通过：第 " + res.index + " 号记录在共 " + res.treeSize + " 条的签名树头里，内容没有被改动。");
      } else {
        show(box, false, "✘ 验证没有通过：" + res.reason + "。请截图告诉居务监督委员会。");
      }
    }).catch(function () {
      show(box, false, "✘ 暂时无法取得证明，可能这条记录刚刚发布还没签进树头，请稍后再试。");
    });
  }
  document.querySelectorAll("[data-verify-index]").forEach(function (box) {
    var button = box.querySelector(".verify-button");
    if (!button || !window.MingbaiVerify) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { check(box); });
  });
})();
