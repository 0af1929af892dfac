/*
 * 明白 Mingbai: checks in the browser that one leaf is in the log.
 *
 * Input 1, the proof bundle, is the JSON served at /log/proof/<index>.json
 * (or /log/object/<kind>/<id>/proof.json for an object's newest version):
 *
 *   {
 *     "index":        17,                 // the leaf's index, 0-based
 *     "entry_base64": "eyJjb21tdW5p…",    // the leaf's exact bytes, base64
 *     "entry":        "{\"community\":…}", // the same as text (envelopes only)
 *     "tree_size":    1024,               // size of the checkpointed tree
 *     "root_hash":    "base64…",          // its root, as in the checkpoint
 *     "proof":        ["base64…", …],     // RFC 6962 audit path, leaf to root
 *     "checkpoint":   "origin\n1024\nbase64root\n\n— origin sig…\n"
 *   }
 *
 * Input 2, the checkpoint text (optional), is the signed note served at
 * /log/checkpoint, or printed on the paper board. When given, the proof
 * must lead to exactly its size and root; otherwise the bundle's own
 * checkpoint is used.
 *
 * MingbaiVerify.verifyInclusion(bundle, checkpointText) returns a Promise
 * of {ok: true|false, reason: "…", index, treeSize, root}. It recomputes
 * the leaf hash SHA-256(0x00 || entry) and folds the audit path with
 * SHA-256(0x01 || left || right) as RFC 9162 section 2.1.3.2 says.
 *
 * It does NOT check the checkpoint's Ed25519 signature: compare the tree
 * size and root with the checkpoint shown on /log, printed on the board or
 * checked by `mingbai verify`.
 *
 * SHA-256 comes from crypto.subtle where the page is a secure context, and
 * from the small implementation below elsewhere (plain http on a LAN
 * address, where browsers hide crypto.subtle). Plain JavaScript, no build.
 */
(function (root) {
  "use strict";

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  // sha256js hashes a Uint8Array (FIPS 180-4) and returns a Uint8Array.
  function sha256js(msg) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var len = msg.length;
    var padded = new Uint8Array(((len + 9 + 63) >> 6) << 6);
    padded.set(msg);
    padded[len] = 0x80;
    var bits = len * 8;
    var dv = new DataView(padded.buffer);
    dv.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
    dv.setUint32(padded.length - 4, bits >>> 0);
    var w = new Uint32Array(64);
    for (var off = 0; off < padded.length; off += 64) {
      for (var i = 0; i < 16; i++) w[i] = dv.getUint32(off + 4 * i);
      for (i = 16; i < 64; i++) {
        var x = w[i - 15], y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (k + S1 + ch + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    var odv = new DataView(out.buffer);
    for (i = 0; i < 8; i++) odv.setUint32(4 * i, h[i] >>> 0);
    return out;
  }

  function subtle() {
    var c = root.crypto;
    return c && c.subtle && (root.isSecureContext !== false) ? c.subtle : null;
  }

  // sha256 returns a Promise of the digest, from crypto.subtle when the
  // browser offers it and from sha256js otherwise.
  function sha256(bytes) {
    var s = subtle();
    if (s) {
      return s.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); },
        function () { return sha256js(bytes); });
    }
    return Promise.resolve(sha256js(bytes));
  }

  function concat(prefix, a, b) {
    var out = new Uint8Array(1 + a.length + (b ? b.length : 0));
    out[0] = prefix;
    out.set(a, 1);
    if (b) out.set(b, 1 + a.length);
    return out;
  }

  function fromBase64(s) {
    var bin = root.atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function toBase64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return root.btoa(s);
  }

  // parseCheckpoint reads the body of a C2SP checkpoint: origin, size, root.
  function parseCheckpoint(text) {
    var lines = String(text).split("\n");
    if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) return null;
    return { origin: lines[0], size: Number(lines[1]), root: lines[2] };
  }

  function fail(reason) { return { ok: false, reason: reason }; }

  function verifyInclusion(bundle, checkpointText) {
    var cp = parseCheckpoint(checkpointText || bundle.checkpoint);
    if (!cp) return Promise.resolve(fail("签名树头格式不对"));
    var index = Number(bundle.index), size = Number(bundle.tree_size);
    if (size !== cp.size) return Promise.resolve(fail("证明对应的树大小 " + size + " 与树头的 " + cp.size + " 不同"));
    if (!(index >= 0 && index < size)) return Promise.resolve(fail("叶子序号超出树的范围"));
    var proof;
    try {
      proof = (bundle.proof || []).map(fromBase64);
    } catch (e) {
      return Promise.resolve(fail("证明中的哈希无法解码"));
    }
    var fn = index, sn = size - 1, i = 0;
    function step(r) {
      if (i === proof.length) {
        var got = toBase64(r);
        if (sn !== 0) return fail("证明的长度不对");
        if (got !== cp.root) return fail("算出的根哈希 " + got + " 与树头的 " + cp.root + " 不同");
        return { ok: true, reason: "这条记录在大小为 " + size + " 的日志中，根哈希一致", index: index, treeSize: size, root: got };
      }
      var p = proof[i++];
      if (sn === 0) return fail("证明太长");
      var next;
      if (fn % 2 === 1 || fn === sn) {
        next = sha256(concat(1, p, r));
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        next = sha256(concat(1, r, p));
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
      return next.then(step);
    }
    var entry;
    try {
      entry = fromBase64(bundle.entry_base64);
    } catch (e) {
      return Promise.resolve(fail("记录内容无法解码"));
    }
    return sha256(concat(0, entry)).then(step);
  }

  var api = { verifyInclusion: verifyInclusion, sha256: sha256, sha256js: sha256js, parseCheckpoint: parseCheckpoint };
  if (typeof module === "object" && module.exports) module.exports = api;
  root.MingbaiVerify = api;
})(typeof window !== "undefined" ? window : globalThis);
