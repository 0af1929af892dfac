// The 验证 buttons. On a page that shows a logged fact the button is a
// link to the record's page in the log; there the checks run in this
// browser with tlog-verify.js: the content this site gives for the record
// hashes to the record's content_sha256, the record is in the signed tree,
// and the tree head's Ed25519 signature verifies against the log's key.
// Each result says what was compared with what. Without JavaScript the
// buttons stay hidden and the page says how else to check.
"use strict";
(function () {
  var V = window.MingbaiVerify;
  if (!V) { return; }
  document.querySelectorAll("a.verify-button").forEach(function (a) { a.hidden = false; });
  var box = document.querySelector("[data-verify-run]");
  if (!box) { return; }
  var index = box.getAttribute("data-verify-run");
  var button = box.querySelector("button.verify-button");
  var summary = box.querySelector(".verify-result");
  var steps = box.querySelector(".verify-steps");
  var shown = box.querySelector(".verify-content");

  function say(el, state, text) {
    el.textContent = (state === "ok" ? "✔ " : state === "bad" ? "✖ " : "") + text;
    el.className = (el === summary ? "verify-result " : "") + (state === "ok" ? "verify-ok" : state === "bad" ? "verify-bad" : "verify-wait");
  }
  function step(label) {
    var li = document.createElement("li");
    steps.appendChild(li);
    say(li, "wait", label + "：检查中……");
    return li;
  }
  // hexOf turns a base64 hash into the hex the log's pages show.
  function hexOf(b64) {
    var bin = atob(b64), s = "";
    for (var i = 0; i < bin.length; i++) { s += (bin.charCodeAt(i) < 16 ? "0" : "") + bin.charCodeAt(i).toString(16); }
    return s;
  }
  function get(url, as) {
    return fetch(url).then(function (r) {
      if (!r.ok) { var e = new Error(url + " " + r.status); e.status = r.status; throw e; }
      return as === "bytes" ? r.arrayBuffer().then(function (b) { return new Uint8Array(b); }) : as === "json" ? r.json() : r.text();
    });
  }

  function run() {
    button.disabled = true;
    steps.textContent = "";
    say(summary, "wait", "正在验证……");
    var content = step("一、内容"), inclusion = step("二、在日志里"), signature = step("三、签名");
    var bundle, checkpoint;
    Promise.all([get("/log/proof/" + index + ".json", "json"), get("/log/checkpoint", "text"), get("/log/vkey", "text")]).then(function (got) {
      bundle = got[0];
      checkpoint = got[1];
      var vkey = got[2];
      var contentCheck = get("/log/content/" + index, "bytes").then(function (bytes) {
        shown.querySelector("pre").textContent = new TextDecoder().decode(bytes);
        shown.hidden = false;
        return V.verifyContent(bytes, bundle).then(function (r) {
          say(content, r.ok ? "ok" : "bad", r.ok
            ? "一、内容：本站给出的这条记录的内容（见下方原文），在您的浏览器里算出 SHA-256 指纹 " + r.hash + "，与日志记录中写的指纹相同。"
            : "一、内容：" + r.reason + "。");
          return r.ok;
        });
      }, function (e) {
        if (e.status === 410) {
          say(content, "wait", "一、内容：这条记录的内容已依法删除个人信息，原文不再提供，无法重算指纹；删除本身另有记录。");
          return true;
        }
        say(content, "bad", "一、内容：本站取不回这条记录的内容，无法核对指纹。");
        return false;
      });
      var inclusionCheck = V.verifyInclusion(bundle, checkpoint).then(function (r) {
        say(inclusion, r.ok ? "ok" : "bad", r.ok
          ? "二、在日志里：按包含证明从这条记录一路算到树根，得到 " + hexOf(r.root) + "，与签名树头（共 " + r.treeSize + " 条记录）的树根相同。"
          : "二、在日志里：" + r.reason + "。");
        return r;
      });
      var signatureCheck = V.verifyCheckpoint(checkpoint, vkey).then(function (r) {
        say(signature, r.ok ? "ok" : "bad", r.ok
          ? "三、签名：签名树头上的 Ed25519 签名，用日志公钥 " + r.key + " 验证通过。这把公钥印在“公开日志”页和纸质公开栏上，可以自己核对。"
          : "三、签名：" + r.reason + "。");
        return r.ok;
      });
      return Promise.all([contentCheck, inclusionCheck, signatureCheck]);
    }).then(function (res) {
      var inc = res[1];
      if (res[0] && inc.ok && res[2]) {
        say(summary, "ok", "验证通过：第 " + inc.index + " 号记录在共 " + inc.treeSize + " 条的签名树头里，内容没有被改动。" +
          (V.native() ? "" : "（这个网址下浏览器不提供密码算法，用的是本站脚本自带的实现。）"));
      } else {
        say(summary, "bad", "验证没有通过，见下面各项。请截图告诉居务监督委员会。");
      }
    }).catch(function () {
      say(summary, "bad", "暂时无法取得证明，可能这条记录刚刚发布还没签进树头，请稍后再试。");
    }).then(function () { button.disabled = false; });
  }

  button.hidden = false;
  button.addEventListener("click", run);
  if (/[?&]check=1(&|$)/.test(location.search)) { run(); }
})();
