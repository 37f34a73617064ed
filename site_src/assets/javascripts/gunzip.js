/*
 * Gunzip, synchronous: window.portalGunzip(bytes) → the decompressed bytes (Uint8Array).
 *
 * The parts of a page (builder/pages/parts.py) are stored gzipped on the site, a seventh of
 * their HTML. parts.js decodes them here rather than with the browser's DecompressionStream
 * because it must also do so synchronously, before printing (a beforeprint handler cannot
 * wait for a stream). Inflate after RFC 1951 (stored, fixed and dynamic Huffman blocks) as
 * zlib's puff.c reads it; the gzip wrapper after RFC 1952 (its size is checked, its CRC is
 * not: a damaged file fails the size check or decodes to a part parts.js cannot find).
 */
(function () {
  "use strict";

  var LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
    67, 83, 99, 115, 131, 163, 195, 227, 258];
  var LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
    5, 5, 5, 5, 0];
  var DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
    769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
  var DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
    11, 11, 12, 12, 13, 13];
  var CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  function fail(why) {
    throw new Error("gunzip: " + why);
  }

  function bits(s, n) {
    var value = s.buffer;
    while (s.count < n) {
      if (s.at >= s.data.length) fail("unexpected end of data");
      value |= s.data[s.at++] << s.count;
      s.count += 8;
    }
    s.buffer = value >>> n;
    s.count -= n;
    return value & ((1 << n) - 1);
  }

  // A canonical Huffman code from its code lengths: how many codes of each length, and the
  // symbols in code order.
  function huffman(lengths) {
    var counts = new Uint16Array(16);
    var offsets = new Uint16Array(16);
    var symbols = new Uint16Array(lengths.length);
    var i;
    for (i = 0; i < lengths.length; i++) counts[lengths[i]]++;
    counts[0] = 0;
    for (i = 1; i < 16; i++) offsets[i] = offsets[i - 1] + counts[i - 1];
    for (i = 0; i < lengths.length; i++) {
      if (lengths[i]) symbols[offsets[lengths[i]]++] = i;
    }
    return { counts: counts, symbols: symbols };
  }

  function decode(s, code) {
    var value = 0;
    var first = 0;
    var index = 0;
    for (var length = 1; length < 16; length++) {
      value |= bits(s, 1);
      var count = code.counts[length];
      if (value - count < first) return code.symbols[index + (value - first)];
      index += count;
      first = (first + count) << 1;
      value <<= 1;
    }
    return fail("invalid Huffman code");
  }

  var FIXED = (function () {
    var lengths = new Uint8Array(288);
    lengths.fill(8, 0, 144);
    lengths.fill(9, 144, 256);
    lengths.fill(7, 256, 280);
    lengths.fill(8, 280, 288);
    return { literals: huffman(lengths), distances: huffman(new Uint8Array(30).fill(5)) };
  })();

  function dynamicCodes(s) {
    var literalCount = bits(s, 5) + 257;
    var distanceCount = bits(s, 5) + 1;
    var lengthCount = bits(s, 4) + 4;
    var lengths = new Uint8Array(19);
    for (var i = 0; i < lengthCount; i++) lengths[CODE_LENGTH_ORDER[i]] = bits(s, 3);
    var lengthCode = huffman(lengths);
    var all = new Uint8Array(literalCount + distanceCount);
    var at = 0;
    while (at < all.length) {
      var symbol = decode(s, lengthCode);
      if (symbol < 16) {
        all[at++] = symbol;
        continue;
      }
      var repeat;
      var value = 0;
      if (symbol === 16) {
        if (at === 0) fail("repeat with no previous length");
        value = all[at - 1];
        repeat = 3 + bits(s, 2);
      } else if (symbol === 17) {
        repeat = 3 + bits(s, 3);
      } else {
        repeat = 11 + bits(s, 7);
      }
      if (at + repeat > all.length) fail("too many code lengths");
      all.fill(value, at, at + repeat);
      at += repeat;
    }
    return {
      literals: huffman(all.subarray(0, literalCount)),
      distances: huffman(all.subarray(literalCount)),
    };
  }

  function inflateBlock(s, codes, out) {
    for (;;) {
      var symbol = decode(s, codes.literals);
      if (symbol < 256) {
        out.put(symbol);
      } else if (symbol === 256) {
        return;
      } else {
        symbol -= 257;
        if (symbol >= 29) fail("invalid length symbol");
        var length = LENGTH_BASE[symbol] + bits(s, LENGTH_EXTRA[symbol]);
        var distanceSymbol = decode(s, codes.distances);
        if (distanceSymbol >= 30) fail("invalid distance symbol");
        var distance = DIST_BASE[distanceSymbol] + bits(s, DIST_EXTRA[distanceSymbol]);
        out.copy(distance, length);
      }
    }
  }

  function storedBlock(s, out) {
    s.buffer = 0; // a stored block starts on a byte boundary
    s.count = 0;
    if (s.at + 4 > s.data.length) fail("unexpected end of data");
    var length = s.data[s.at] | (s.data[s.at + 1] << 8);
    var check = s.data[s.at + 2] | (s.data[s.at + 3] << 8);
    if (length !== (~check & 0xffff)) fail("stored block length does not match its complement");
    s.at += 4;
    if (s.at + length > s.data.length) fail("unexpected end of data");
    for (var i = 0; i < length; i++) out.put(s.data[s.at++]);
  }

  function output(size) {
    var bytes = new Uint8Array(size);
    var at = 0;
    return {
      put: function (byte) {
        if (at >= size) fail("more data than the gzip trailer says");
        bytes[at++] = byte;
      },
      copy: function (distance, length) {
        if (distance > at) fail("distance before the start");
        if (at + length > size) fail("more data than the gzip trailer says");
        for (var i = 0; i < length; i++, at++) bytes[at] = bytes[at - distance];
      },
      done: function () {
        if (at !== size) fail("less data than the gzip trailer says");
        return bytes;
      },
    };
  }

  function headerEnd(data) {
    if (data.length < 18 || data[0] !== 0x1f || data[1] !== 0x8b || data[2] !== 8) {
      fail("not gzip data");
    }
    var flags = data[3];
    var at = 10;
    if (flags & 4) at += 2 + (data[at] | (data[at + 1] << 8)); // FEXTRA
    for (var field = 8; field <= 16; field *= 2) {
      if (flags & field) { // FNAME, FCOMMENT: zero-terminated
        while (at < data.length && data[at] !== 0) at++;
        at++;
      }
    }
    if (flags & 2) at += 2; // FHCRC
    return at;
  }

  function gunzip(data) {
    var end = data.length;
    var size = (data[end - 4] | (data[end - 3] << 8) | (data[end - 2] << 16) |
      (data[end - 1] << 24)) >>> 0;
    var s = { data: data, at: headerEnd(data), buffer: 0, count: 0 };
    var out = output(size);
    var last = 0;
    while (!last) {
      last = bits(s, 1);
      var type = bits(s, 2);
      if (type === 0) storedBlock(s, out);
      else if (type === 1) inflateBlock(s, FIXED, out);
      else if (type === 2) inflateBlock(s, dynamicCodes(s), out);
      else fail("invalid block type");
    }
    return out.done();
  }

  if (typeof window !== "undefined") window.portalGunzip = gunzip;
  if (typeof module !== "undefined") module.exports = gunzip; // for tests in Node
})();
