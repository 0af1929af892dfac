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
 * MingbaiVerify.verifyCheckpoint(checkpointText, vkeyText) checks the
 * checkpoint's Ed25519 signature against the log's verifier key (the C2SP
 * signed-note form served at /log/vkey and printed on /log): the key's
 * name and hash must match a signature line, and the signature must verify
 * over the note's text. It uses WebCrypto's Ed25519 where the browser has
 * it, and the small implementation below elsewhere (RFC 8032 section 5.1.7,
 * on BigInt; SHA-512 from crypto.subtle or from the implementation below,
 * whose constants are computed from the primes as FIPS 180-4 defines them).
 *
 * MingbaiVerify.verifyContent(contentBytes, bundle) checks that content
 * hashes (SHA-256, hex) to the leaf's content_sha256.
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

  // ---- SHA-512 (for the Ed25519 fallback) ----

  var M64 = (1n << 64n) - 1n;

  // iroot is the integer k-th root of n (Newton's method on BigInt).
  function iroot(n, k) {
    if (n < 2n) return n;
    var x = 1n << BigInt(Math.ceil(n.toString(2).length / Number(k)) + 1);
    for (;;) {
      var y = ((k - 1n) * x + n / (x ** (k - 1n))) / k;
      if (y >= x) return x;
      x = y;
    }
  }

  // FIPS 180-4 section 4.2.3 and 5.3.5: the first 64 bits of the
  // fractional parts of the cube roots of the first 80 primes, and of the
  // square roots of the first 8.
  var K512 = [], H512 = [];
  (function () {
    var primes = [];
    for (var n = 2; primes.length < 80; n++) {
      var isPrime = true;
      for (var j = 0; j < primes.length && primes[j] * primes[j] <= n; j++) {
        if (n % primes[j] === 0) { isPrime = false; break; }
      }
      if (isPrime) primes.push(n);
    }
    primes.forEach(function (p, i) {
      K512.push(iroot(BigInt(p) << 192n, 3n) & M64);
      if (i < 8) H512.push(iroot(BigInt(p) << 128n, 2n) & M64);
    });
  })();

  function rotr(x, n) { return ((x >> n) | (x << (64n - n))) & M64; }

  function sha512js(msg) {
    var h = H512.slice();
    var len = msg.length;
    var padded = new Uint8Array(((len + 17 + 127) >> 7) << 7);
    padded.set(msg);
    padded[len] = 0x80;
    var bits = BigInt(len) * 8n;
    for (var i = 0; i < 8; i++) padded[padded.length - 1 - i] = Number((bits >> BigInt(8 * i)) & 255n);
    var w = new Array(80);
    for (var off = 0; off < padded.length; off += 128) {
      for (i = 0; i < 16; i++) {
        var v = 0n;
        for (var b = 0; b < 8; b++) v = (v << 8n) | BigInt(padded[off + 8 * i + b]);
        w[i] = v;
      }
      for (i = 16; i < 80; i++) {
        var s0 = rotr(w[i - 15], 1n) ^ rotr(w[i - 15], 8n) ^ (w[i - 15] >> 7n);
        var s1 = rotr(w[i - 2], 19n) ^ rotr(w[i - 2], 61n) ^ (w[i - 2] >> 6n);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & M64;
      }
      var a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 80; i++) {
        var S1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
        var ch = (e & f) ^ (~e & M64 & g);
        var t1 = (k + S1 + ch + K512[i] + w[i]) & M64;
        var S0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
        var maj = (a & bb) ^ (a & c) ^ (bb & c);
        var t2 = (S0 + maj) & M64;
        k = g; g = f; f = e; e = (d + t1) & M64; d = c; c = bb; bb = a; a = (t1 + t2) & M64;
      }
      h[0] = (h[0] + a) & M64; h[1] = (h[1] + bb) & M64; h[2] = (h[2] + c) & M64; h[3] = (h[3] + d) & M64;
      h[4] = (h[4] + e) & M64; h[5] = (h[5] + f) & M64; h[6] = (h[6] + g) & M64; h[7] = (h[7] + k) & M64;
    }
    var out = new Uint8Array(64);
    for (i = 0; i < 8; i++) {
      for (b = 0; b < 8; b++) out[8 * i + b] = Number((h[i] >> BigInt(56 - 8 * b)) & 255n);
    }
    return out;
  }

  function sha512(bytes) {
    var s = subtle();
    if (s) {
      return s.digest("SHA-512", bytes).then(function (d) { return new Uint8Array(d); },
        function () { return sha512js(bytes); });
    }
    return Promise.resolve(sha512js(bytes));
  }

  // ---- Ed25519 verification (RFC 8032 section 5.1.7) ----

  var P = (1n << 255n) - 19n;
  var L = (1n << 252n) + 27742317777372353535851937790883648493n;
  function md(a) { var r = a % P; return r >= 0n ? r : r + P; }
  function pw(b, e) {
    var r = 1n;
    b = md(b);
    while (e > 0n) {
      if (e & 1n) r = r * b % P;
      b = b * b % P;
      e >>= 1n;
    }
    return r;
  }
  function inv(a) { return pw(a, P - 2n); }
  var D = md(-121665n * inv(121666n));
  var SQRTM1 = pw(2n, (P - 1n) / 4n);

  // Points are extended coordinates [X, Y, Z, T], x = X/Z, y = Y/Z, xy = T/Z.
  function padd(p, q) {
    var a = md((p[1] - p[0]) * (q[1] - q[0])), b = md((p[1] + p[0]) * (q[1] + q[0]));
    var c = md(2n * D * p[3] * q[3]), d = md(2n * p[2] * q[2]);
    var e = b - a, f = d - c, g = d + c, h = b + a;
    return [md(e * f), md(g * h), md(f * g), md(e * h)];
  }
  function pmul(s, p) {
    var q = [0n, 1n, 1n, 0n];
    while (s > 0n) {
      if (s & 1n) q = padd(q, p);
      p = padd(p, p);
      s >>= 1n;
    }
    return q;
  }
  function le(bytes) {
    var n = 0n;
    for (var i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
    return n;
  }
  function decodePoint(bytes) {
    var y = le(bytes) & ((1n << 255n) - 1n), sign = bytes[31] >> 7;
    if (y >= P) return null;
    var y2 = y * y % P, u = md(y2 - 1n), v = md(D * y2 + 1n);
    var v3 = v * v % P * v % P, v7 = v3 * v3 % P * v % P;
    var x = u * v3 % P * pw(u * v7 % P, (P - 5n) / 8n) % P;
    var vx2 = v * x % P * x % P;
    if (vx2 !== u) {
      if (vx2 !== md(-u)) return null;
      x = x * SQRTM1 % P;
    }
    if (x === 0n && sign === 1) return null;
    if (Number(x & 1n) !== sign) x = P - x;
    return [x, y, 1n, x * y % P];
  }
  function encodePoint(p) {
    var zi = inv(p[2]), x = p[0] * zi % P, y = p[1] * zi % P;
    var out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) { out[i] = Number(y & 255n); y >>= 8n; }
    if (x & 1n) out[31] |= 0x80;
    return out;
  }
  var BASE = (function () {
    var y = 4n * inv(5n) % P, b = new Uint8Array(32);
    for (var i = 0; i < 32; i++) { b[i] = Number(y & 255n); y >>= 8n; }
    return decodePoint(b);
  })();

  // ed25519js verifies sig over msg with the 32-byte public key pub.
  function ed25519js(pub, msg, sig) {
    var A = decodePoint(pub);
    if (!A || sig.length !== 64) return Promise.resolve(false);
    var s = le(sig.subarray(32));
    if (s >= L) return Promise.resolve(false);
    var input = new Uint8Array(64 + msg.length);
    input.set(sig.subarray(0, 32));
    input.set(pub, 32);
    input.set(msg, 64);
    return sha512(input).then(function (h) {
      var k = le(h) % L;
      var negA = [md(-A[0]), A[1], A[2], md(-A[3])];
      var r = encodePoint(padd(pmul(s, BASE), pmul(k, negA)));
      for (var i = 0; i < 32; i++) if (r[i] !== sig[i]) return false;
      return true;
    });
  }

  function ed25519(pub, msg, sig) {
    var s = subtle();
    if (!s) return ed25519js(pub, msg, sig);
    return s.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"])
      .then(function (key) { return s.verify({ name: "Ed25519" }, key, sig, msg); })
      .catch(function () { return ed25519js(pub, msg, sig); });
  }

  function utf8(text) { return new TextEncoder().encode(text); }

  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  // verifyCheckpoint checks a signed checkpoint against the verifier key.
  function verifyCheckpoint(checkpointText, vkeyText) {
    // name+hash+key, where the base64 key may itself hold "+".
    var parts = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(String(vkeyText).trim());
    if (!parts) return Promise.resolve(fail("日志公钥格式不对"));
    var name = parts[1], keyHash = parts[2], raw;
    try {
      raw = fromBase64(parts[3]);
    } catch (e) {
      return Promise.resolve(fail("日志公钥无法解码"));
    }
    if (raw.length !== 33 || raw[0] !== 1) return Promise.resolve(fail("日志公钥不是 Ed25519 公钥"));
    var pub = raw.subarray(1);
    var text = String(checkpointText);
    var split = text.indexOf("\n\n");
    if (split < 0) return Promise.resolve(fail("签名树头没有签名"));
    var body = text.slice(0, split + 1);
    var sigs = text.slice(split + 2).split("\n").filter(function (l) { return l !== ""; });
    var wantHash = utf8(name + "\n");
    var hashInput = new Uint8Array(wantHash.length + raw.length);
    hashInput.set(wantHash);
    hashInput.set(raw, wantHash.length);
    return sha256(hashInput).then(function (h) {
      if (hex(h.subarray(0, 4)) !== keyHash) return fail("日志公钥的哈希与公钥本身不符");
      var line = null;
      sigs.forEach(function (l) {
        var m = /^\u2014 (\S+) (\S+)$/.exec(l);
        if (!m || m[1] !== name || line) return;
        var sig;
        try { sig = fromBase64(m[2]); } catch (e) { return; }
        if (sig.length === 68 && hex(sig.subarray(0, 4)) === keyHash) line = sig.subarray(4);
      });
      if (!line) return fail("签名树头上没有这把公钥的签名");
      return ed25519(pub, utf8(body), line).then(function (ok) {
        return ok ? { ok: true, reason: "签名树头的 Ed25519 签名与日志公钥相符", key: String(vkeyText).trim() }
          : fail("签名树头的签名与日志公钥不符");
      });
    });
  }

  // verifyContent checks that content hashes to the leaf's content_sha256.
  function verifyContent(content, bundle) {
    var entry;
    try {
      entry = JSON.parse(bundle.entry || new TextDecoder().decode(fromBase64(bundle.entry_base64)));
    } catch (e) {
      return Promise.resolve(fail("日志记录不是可读的信封"));
    }
    return sha256(content).then(function (h) {
      var got = hex(h);
      if (got !== entry.content_sha256) return fail("内容算出的指纹 " + got + " 与日志记录中的 " + entry.content_sha256 + " 不同");
      return { ok: true, reason: "内容的 SHA-256 指纹与日志记录相同", hash: got };
    });
  }

  var api = {
    verifyInclusion: verifyInclusion, verifyCheckpoint: verifyCheckpoint, verifyContent: verifyContent,
    sha256: sha256, sha256js: sha256js, sha512js: sha512js, ed25519js: ed25519js, parseCheckpoint: parseCheckpoint,
    native: function () { return !!subtle(); }
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  root.MingbaiVerify = api;
})(typeof window !== "undefined" ? window : globalThis);
