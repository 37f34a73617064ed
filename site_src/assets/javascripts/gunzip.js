/*
 * Gunzip, synchronous: window.portalGunzip(bytes) → the decompressed bytes (Uint8Array).
 *
 * The parts of a page (builder/pages/parts.py) and the chart values are stored gzipped on
 * the site. They are decoded by fflate's gunzipSync (vendor/fflate-gunzip.min.js, see
 * vendor/VENDOR.txt) rather than the browser's DecompressionStream because printing must
 * load every part synchronously (a beforeprint handler cannot wait for a stream). fflate
 * checks neither the gzip trailer's size nor its CRC-32, and allocates the size it reads:
 * both are checked here, so damaged data fails instead of decoding to something.
 */
(function () {
  "use strict";

  var CRC_TABLE = (function () {
    var table = new Int32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
    return table;
  })();

  function crc32(bytes) {
    var c = -1;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 255] ^ (c >>> 8);
    return ~c >>> 0;
  }

  function word(bytes, at) {
    return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
  }

  window.portalGunzip = function (bytes) {
    var n = bytes.length;
    if (n < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error("gunzip: not gzip data");
    var size = word(bytes, n - 4);
    // Deflate expands at most 1,032 times: a larger size is a damaged or cut trailer.
    if (size > 1032 * n) throw new Error("gunzip: size " + size + " past what " + n + " bytes hold");
    var out;
    try {
      out = fflate.gunzipSync(bytes);
    } catch (e) {
      throw new Error("gunzip: " + e.message);
    }
    if (out.length !== size) throw new Error("gunzip: " + out.length + " bytes, not " + size);
    if (crc32(out) !== word(bytes, n - 8)) throw new Error("gunzip: CRC-32 differs");
    return out;
  };
})();
