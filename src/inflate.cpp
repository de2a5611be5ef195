// inflate.cpp — DEFLATE decoder (RFC 1951) with gzip (RFC 1952) and zlib (RFC 1950) wrappers.
//
// Written from the RFCs. Structure: a 64-bit bit reader (LSB-first, as RFC 1951 §3.1.1
// packs data), canonical Huffman codes built from code lengths (§3.2.2) into a 2^10-entry
// lookup table indexed by the next 10 input bits (bit-reversed codes, replicated over the
// unused high bits) plus a canonical walk for codes longer than 10 bits, and one loop per
// block that decodes literal/length and distance symbols (§3.2.5). Every read is bounds-checked
// against the input, every write against the output limit; see inflate.hpp for the contract.
//
// Not here: compression, streaming, zlib preset dictionaries.
#include "biornn/inflate.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include "biornn/fileio.hpp"

namespace biornn {
namespace {

constexpr unsigned kMaxCodeBits = 15;  // longest Huffman code DEFLATE allows
constexpr unsigned kFastBits = 10;     // codes up to this length are decoded by one lookup
constexpr uint32_t kFastSize = 1u << kFastBits;
constexpr int kMaxSymbols = 288;       // literal/length alphabet of the fixed code

// §3.2.5: base lengths and extra bits of length symbols 257..285, distances of codes 0..29.
constexpr uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                    33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
// §3.2.7: the order in which code-length code lengths are sent.
constexpr uint8_t kCodeLengthOrder[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                          11, 4,  12, 3, 13, 2, 14, 1, 15};

inline uint64_t load_le64(const uint8_t* p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
#else
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
#endif
}

inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Bits are taken from the low end of `buf`; `nbits` of them are valid. Bits above `nbits` are
// either zero or the true next input bits, so peeking past the end reads zeros and a decoded
// code is real only if its length is <= nbits.
struct BitReader {
  const uint8_t* in;
  std::size_t size;
  std::size_t pos = 0;  // next input byte not yet in buf
  uint64_t buf = 0;
  unsigned nbits = 0;

  // Afterwards nbits >= 56, or the whole input is in buf.
  void refill() {
    if (size - pos >= 8) {
      buf |= load_le64(in + pos) << nbits;
      pos += (63 - nbits) >> 3;
      nbits |= 56;
    } else {
      while (nbits <= 56 && pos < size) {
        buf |= uint64_t(in[pos++]) << nbits;
        nbits += 8;
      }
    }
  }
  uint32_t peek(unsigned n) const { return uint32_t(buf & ((uint64_t(1) << n) - 1)); }
  void consume(unsigned n) {
    buf >>= n;
    nbits -= n;
  }
  // The offset of the byte holding the next unread bit.
  std::size_t byte_offset() const { return pos - nbits / 8; }
};

struct Huffman {
  uint16_t fast[kFastSize];          // (symbol << 4) | length, or 0: longer code or no code
  uint16_t count[kMaxCodeBits + 1];  // number of codes of each length
  uint16_t symbol[kMaxSymbols];      // symbols sorted by (code length, symbol value)
};

inline uint32_t reverse_bits(uint32_t code, unsigned length) {
  uint32_t r = 0;
  for (unsigned i = 0; i < length; ++i, code >>= 1) r = (r << 1) | (code & 1u);
  return r;
}

// Builds the canonical code of §3.2.2 for lengths[0, n). Returns null, or why it is invalid.
// An incomplete code is accepted only when it has no code at all or a single 1-bit code
// (§3.2.7 allows one distance code of one bit); bit patterns without a code decode to -1.
const char* build_huffman(Huffman& h, const uint8_t* lengths, int n) {
  std::memset(h.count, 0, sizeof h.count);
  for (int s = 0; s < n; ++s) ++h.count[lengths[s]];
  h.count[0] = 0;
  int left = 1, used = 0;
  for (unsigned len = 1; len <= kMaxCodeBits; ++len) {
    left = (left << 1) - h.count[len];
    if (left < 0) return "over-subscribed (more codes than the lengths allow)";
    used += h.count[len];
  }
  if (left > 0 && !(used == 0 || (used == 1 && h.count[1] == 1)))
    return "incomplete (the code lengths leave bit patterns unused)";
  uint16_t offset[kMaxCodeBits + 2] = {0};
  for (unsigned len = 1; len <= kMaxCodeBits; ++len) offset[len + 1] = offset[len] + h.count[len];
  for (int s = 0; s < n; ++s)
    if (lengths[s] != 0) h.symbol[offset[lengths[s]]++] = uint16_t(s);
  std::memset(h.fast, 0, sizeof h.fast);
  uint32_t code = 0;
  int k = 0;
  for (unsigned len = 1; len <= kFastBits; ++len, code <<= 1) {
    for (int i = 0; i < h.count[len]; ++i, ++k, ++code) {
      const uint16_t entry = uint16_t(h.symbol[k] << 4 | len);
      for (uint32_t j = reverse_bits(code, len); j < kFastSize; j += 1u << len) h.fast[j] = entry;
    }
  }
  return nullptr;
}

// Decoded symbols are packed as (symbol << 4) | code length, the same form as a fast-table
// entry; -1 means the bit pattern has no code.

// Canonical walk, one bit at a time, for codes longer than kFastBits (or no code).
int decode_slow(const Huffman& h, uint64_t bits) {
  int code = 0, first = 0, index = 0;
  for (unsigned len = 1; len <= kMaxCodeBits; ++len, bits >>= 1) {
    code |= int(bits & 1u);
    const int count = h.count[len];
    if (code >= first && code - first < count) return h.symbol[index + code - first] << 4 | int(len);
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return -1;
}

inline int decode_symbol(const Huffman& h, uint64_t bits) {
  const uint16_t e = h.fast[bits & (kFastSize - 1)];
  return e != 0 ? int(e) : decode_slow(h, bits);
}

struct FixedCodes {
  Huffman lit, dist;
  FixedCodes() {
    uint8_t lengths[kMaxSymbols];
    for (int s = 0; s < kMaxSymbols; ++s) lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    build_huffman(lit, lengths, kMaxSymbols);
    std::memset(lengths, 5, 32);
    build_huffman(dist, lengths, 32);
  }
};

const FixedCodes& fixed_codes() {
  static const FixedCodes codes;
  return codes;
}

// The output so far: out[0, pos) is decoded; out.size() is the capacity, never past limit.
struct Output {
  std::vector<uint8_t>& bytes;
  std::size_t pos;
  std::size_t limit;
  std::size_t member_start;  // distances may not reach before this (start of a gzip member)
  bool allocation_failed = false;

  // Room for n more bytes; false when that would pass the limit or memory ran out. Grows
  // the size geometrically (within the capacity the caller may have reserved).
  bool reserve(std::size_t n) {
    if (bytes.size() - pos >= n) return true;
    if (n > limit - pos) return false;
    const std::size_t grown = bytes.size() > limit / 2 ? limit : bytes.size() * 2;
    const std::size_t wanted = std::max({pos + n, grown, std::size_t(1) << 16});
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    try {
      bytes.resize(std::min(wanted, limit));
    } catch (const std::bad_alloc&) {
      allocation_failed = true;
      return false;
    }
#else
    bytes.resize(std::min(wanted, limit));  // -fno-exceptions: running out of memory aborts
#endif
    return true;
  }
};

struct Context {
  const std::string& name;
  std::size_t base;  // offset of the deflate stream in the named input
};

Status corrupt_at(const Context& c, std::size_t offset, const std::string& what) {
  return corrupt(c.name + ": corrupt compressed data at byte " + std::to_string(c.base + offset) +
                 ": " + what + " — the file is damaged, or is not what its name says");
}

Status truncated(const Context& c, BitReader br) {  // by value: callers keep theirs in registers
  return corrupt(c.name + ": the compressed data ends early (at byte " +
                 std::to_string(c.base + br.size) +
                 ", inside a deflate block) — the file is truncated; copy or download it again");
}

Status output_limit(const Context& c, BitReader br, const Output& out) {
  if (out.allocation_failed)
    return resource_exhausted(c.name + ": out of memory growing the decompressed data past " +
                              std::to_string(out.pos) + " bytes");
  return resource_exhausted(c.name + ": the decompressed data would exceed the limit of " +
                            std::to_string(out.limit) + " bytes (at compressed byte " +
                            std::to_string(c.base + br.byte_offset()) +
                            ") — raise the limit if this file is genuine");
}

// Why decoding a symbol failed: fewer than 15 bits left means the input ran out; otherwise
// the bit pattern has no code.
Status bad_symbol(BitReader br, int symbol, const Context& c, const char* what) {
  if (symbol < 0 && br.nbits >= kMaxCodeBits)
    return corrupt_at(c, br.byte_offset(), std::string("bit pattern with no ") + what + " code");
  return truncated(c, br);
}

// Decodes one symbol of `h` (for the cold paths); false (with *error set) when it fails.
bool read_symbol(BitReader& br, const Huffman& h, int* symbol, const Context& c,
                 const char* what, Status* error) {
  const int packed = decode_symbol(h, br.buf);
  *symbol = packed < 0 ? -1 : packed >> 4;
  if (packed >= 0 && unsigned(packed & 15) <= br.nbits) {
    br.consume(unsigned(packed & 15));
    return true;
  }
  *error = bad_symbol(br, *symbol, c, what);
  return false;
}

inline void copy_match(uint8_t* out, std::size_t pos, std::size_t distance, std::size_t length) {
  uint8_t* d = out + pos;
  const uint8_t* s = d - distance;
  if (distance >= length) {
    std::memcpy(d, s, length);
  } else {
    for (std::size_t i = 0; i < length; ++i) d[i] = s[i];  // overlap repeats the last bytes
  }
}

// Literal/length and distance symbols until end-of-block (§3.2.5). The hot loop of the
// decoder: reader and output state are local copies (error paths take them by value, so they
// stay in registers) written back on the way out.
Status decode_block(BitReader& reader, const Huffman& lit, const Huffman& dist, Output& out,
                    const Context& c) {
  BitReader br = reader;
  uint8_t* dst = out.bytes.data();
  std::size_t pos = out.pos, cap = out.bytes.size();
  const std::size_t start = out.member_start;
  for (;;) {
    br.refill();  // >= 56 bits unless the input ends: enough for length + distance (48)
    int packed = decode_symbol(lit, br.buf);
    if (packed < 0 || unsigned(packed & 15) > br.nbits)
      return bad_symbol(br, packed < 0 ? -1 : packed >> 4, c, "literal/length");
    br.consume(unsigned(packed & 15));
    const int sym = packed >> 4;
    if (sym < 256) {
      if (pos == cap) {
        out.pos = pos;
        if (!out.reserve(1)) return output_limit(c, br, out);
        dst = out.bytes.data();
        cap = out.bytes.size();
      }
      dst[pos++] = uint8_t(sym);
      continue;
    }
    if (sym == 256) break;
    if (sym > 285)
      return corrupt_at(c, br.byte_offset(), "length symbol " + std::to_string(sym) +
                                                 " does not exist (valid: 257 to 285)");
    unsigned extra = kLengthExtra[sym - 257];
    if (br.nbits < extra) return truncated(c, br);
    const std::size_t length = kLengthBase[sym - 257] + br.peek(extra);
    br.consume(extra);
    packed = decode_symbol(dist, br.buf);
    if (packed < 0 || unsigned(packed & 15) > br.nbits)
      return bad_symbol(br, packed < 0 ? -1 : packed >> 4, c, "distance");
    br.consume(unsigned(packed & 15));
    const int dsym = packed >> 4;
    if (dsym > 29)
      return corrupt_at(c, br.byte_offset(), "distance symbol " + std::to_string(dsym) +
                                                 " does not exist (valid: 0 to 29)");
    extra = kDistExtra[dsym];
    if (br.nbits < extra) return truncated(c, br);
    const std::size_t distance = kDistBase[dsym] + br.peek(extra);
    br.consume(extra);
    if (distance > pos - start)
      return corrupt_at(c, br.byte_offset(),
                        "distance " + std::to_string(distance) + " reaches before the start of "
                        "the output (only " + std::to_string(pos - start) + " bytes decoded so far)");
    if (cap - pos < length) {
      out.pos = pos;
      if (!out.reserve(length)) return output_limit(c, br, out);
      dst = out.bytes.data();
      cap = out.bytes.size();
    }
    copy_match(dst, pos, distance, length);
    pos += length;
  }
  out.pos = pos;
  reader = br;
  return Status();
}

// Reads the code lengths of a dynamic block (§3.2.7) and builds its two codes.
Status read_dynamic_codes(BitReader& br, Huffman& lit, Huffman& dist, const Context& c) {
  br.refill();
  if (br.nbits < 14) return truncated(c, br);
  const int hlit = int(br.peek(5)) + 257;
  const int hdist = int(br.peek(10) >> 5) + 1;
  const int hclen = int(br.peek(14) >> 10) + 4;
  const std::size_t header_at = br.byte_offset();
  br.consume(14);
  if (hlit > 286)
    return corrupt_at(c, header_at, "dynamic block declares " + std::to_string(hlit) +
                                        " literal/length codes (at most 286 exist)");
  uint8_t code_length_lengths[19] = {0};
  for (int i = 0; i < hclen; ++i) {  // up to 57 bits: more than one refill guarantees
    br.refill();
    if (br.nbits < 3) return truncated(c, br);
    code_length_lengths[kCodeLengthOrder[i]] = uint8_t(br.peek(3));
    br.consume(3);
  }
  Huffman& lengths_code = dist;  // reused: `dist` is built only after the lengths are read
  if (const char* why = build_huffman(lengths_code, code_length_lengths, 19))
    return corrupt_at(c, header_at, std::string("the code-length code is ") + why);
  const int total = hlit + hdist;
  uint8_t lengths[286 + 32] = {0};
  Status error;
  for (int n = 0; n < total;) {
    br.refill();
    int sym;
    if (!read_symbol(br, lengths_code, &sym, c, "code-length", &error)) return error;
    if (sym < 16) {
      lengths[n++] = uint8_t(sym);
      continue;
    }
    const unsigned extra = sym == 16 ? 2 : sym == 17 ? 3 : 7;
    if (br.nbits < extra) return truncated(c, br);
    const int repeat = int(br.peek(extra)) + (sym == 18 ? 11 : 3);
    br.consume(extra);
    if (sym == 16 && n == 0)
      return corrupt_at(c, br.byte_offset(), "code length 'repeat previous' with no previous length");
    if (repeat > total - n)
      return corrupt_at(c, br.byte_offset(), "code lengths run past the " + std::to_string(total) +
                                                 " the block declared");
    const uint8_t value = sym == 16 ? lengths[n - 1] : 0;
    std::memset(lengths + n, value, std::size_t(repeat));
    n += repeat;
  }
  if (lengths[256] == 0)
    return corrupt_at(c, br.byte_offset(), "the literal/length code has no end-of-block symbol");
  if (const char* why = build_huffman(lit, lengths, hlit))
    return corrupt_at(c, br.byte_offset(), std::string("the literal/length code is ") + why);
  if (const char* why = build_huffman(dist, lengths + hlit, hdist))
    return corrupt_at(c, br.byte_offset(), std::string("the distance code is ") + why);
  return Status();
}

// A stored block (§3.2.4): skip to a byte boundary, LEN, NLEN = ~LEN, then LEN raw bytes.
Status copy_stored(BitReader& br, Output& out, const Context& c) {
  br.consume(br.nbits & 7u);
  std::size_t p = br.byte_offset();
  br.pos = p;  // drop the buffered whole bytes and read them again directly
  br.buf = 0;
  br.nbits = 0;
  if (br.size - p < 4) return truncated(c, br);
  const unsigned len = unsigned(br.in[p]) | unsigned(br.in[p + 1]) << 8;
  const unsigned nlen = unsigned(br.in[p + 2]) | unsigned(br.in[p + 3]) << 8;
  if (len != (~nlen & 0xFFFFu))
    return corrupt_at(c, p, "stored block length " + std::to_string(len) +
                                " does not match its complement " + std::to_string(nlen));
  p += 4;
  if (br.size - p < len) return truncated(c, br);
  if (!out.reserve(len)) return output_limit(c, br, out);
  if (len != 0) std::memcpy(out.bytes.data() + out.pos, br.in + p, len);
  out.pos += len;
  br.pos = p + len;
  return Status();
}

// Decodes blocks until the one marked final; *consumed = input bytes used.
Status inflate_stream(const uint8_t* in, std::size_t size, Output& out, const Context& c,
                      std::size_t* consumed) {
  BitReader br{in, size};
  Huffman lit, dist;
  for (bool last = false; !last;) {
    br.refill();
    if (br.nbits < 3) return truncated(c, br);
    last = br.peek(1) != 0;
    const unsigned type = br.peek(3) >> 1;
    const std::size_t block_at = br.byte_offset();
    br.consume(3);
    if (type == 0) {
      BIORNN_RETURN_IF_ERROR(copy_stored(br, out, c));
    } else if (type == 1) {
      BIORNN_RETURN_IF_ERROR(decode_block(br, fixed_codes().lit, fixed_codes().dist, out, c));
    } else if (type == 2) {
      BIORNN_RETURN_IF_ERROR(read_dynamic_codes(br, lit, dist, c));
      BIORNN_RETURN_IF_ERROR(decode_block(br, lit, dist, out, c));
    } else {
      return corrupt_at(c, block_at, "block type 3 is reserved (valid types: 0 stored, 1 fixed, "
                                      "2 dynamic)");
    }
  }
  *consumed = br.byte_offset();
  return Status();
}

std::string hex_byte(uint8_t b) {
  const char* digits = "0123456789abcdef";
  return std::string{digits[b >> 4], digits[b & 15]};
}

std::string hex32(uint32_t v) {
  return "0x" + hex_byte(uint8_t(v >> 24)) + hex_byte(uint8_t(v >> 16)) + hex_byte(uint8_t(v >> 8)) +
         hex_byte(uint8_t(v));
}

// Parses the gzip member header at data[start, size) (RFC 1952 §2.3); *body = deflate start.
Status parse_gzip_header(const uint8_t* d, std::size_t size, std::size_t start,
                         const std::string& name, std::size_t* body) {
  auto short_header = [&](const char* field) {
    return corrupt(name + ": the gzip header starting at byte " + std::to_string(start) +
                   " ends inside its " + field + " — the file is truncated");
  };
  if (size - start < 10) return short_header("fixed 10 bytes");
  if (d[start] != 0x1f || d[start + 1] != 0x8b)
    return corrupt(name + ": expected the gzip magic bytes 1f 8b at byte " + std::to_string(start) +
                   ", found " + hex_byte(d[start]) + " " + hex_byte(d[start + 1]) +
                   " — this is not a gzip file");
  if (d[start + 2] != 8)
    return unsupported(name + ": gzip compression method " + std::to_string(d[start + 2]) +
                       " at byte " + std::to_string(start + 2) + "; only 8 (deflate) exists");
  const uint8_t flags = d[start + 3];
  if (flags & 0xE0)
    return corrupt(name + ": reserved gzip flag bits are set (FLG = 0x" + hex_byte(flags) +
                   " at byte " + std::to_string(start + 3) + ")");
  std::size_t p = start + 10;
  if (flags & 0x04) {  // FEXTRA: XLEN, then XLEN bytes
    if (size - p < 2) return short_header("extra field length");
    const std::size_t xlen = std::size_t(d[p]) | std::size_t(d[p + 1]) << 8;
    if (size - p - 2 < xlen) return short_header("extra field");
    p += 2 + xlen;
  }
  for (const uint8_t flag : {uint8_t(0x08), uint8_t(0x10)}) {  // FNAME, FCOMMENT: zero-terminated
    if (!(flags & flag)) continue;
    const void* zero = std::memchr(d + p, 0, size - p);
    if (zero == nullptr) return short_header(flag == 0x08 ? "file name" : "comment");
    p = std::size_t(static_cast<const uint8_t*>(zero) - d) + 1;
  }
  if (flags & 0x02) {  // FHCRC: low 16 bits of the CRC-32 of the header so far
    if (size - p < 2) return short_header("header CRC");
    const unsigned stored = unsigned(d[p]) | unsigned(d[p + 1]) << 8;
    const unsigned actual = crc32(d + start, p - start) & 0xFFFFu;
    if (stored != actual)
      return corrupt(name + ": gzip header CRC mismatch at byte " + std::to_string(p) + " (stored " +
                     std::to_string(stored) + ", computed " + std::to_string(actual) + ")");
    p += 2;
  }
  *body = p;
  return Status();
}

}  // namespace

bool is_gzip(const uint8_t* data, std::size_t size) {
  return size >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8;
}

StatusOr<std::vector<uint8_t>> gunzip(const uint8_t* data, std::size_t size,
                                      std::size_t max_output, const std::string& name) {
  std::vector<uint8_t> bytes;
  if (size >= 18) {  // ISIZE of the last member: a capacity hint, trusted only up to the limits
    const std::size_t most = size > SIZE_MAX / 1032 ? SIZE_MAX : size * 1032;  // deflate's max ratio
    const std::size_t hint = std::min({std::size_t(load_le32(data + size - 4)), max_output, most});
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    try {
      bytes.reserve(hint);  // address space only: pages are touched as output is written
    } catch (const std::bad_alloc&) {
    }
#else
    (void)hint;  // -fno-exceptions: a failed reservation would abort, and the hint is optional
#endif
  }
  Output out{bytes, 0, max_output, 0};
  std::size_t p = 0;
  do {
    std::size_t body = 0;
    BIORNN_RETURN_IF_ERROR(parse_gzip_header(data, size, p, name, &body));
    out.member_start = out.pos;
    std::size_t used = 0;
    BIORNN_RETURN_IF_ERROR(inflate_stream(data + body, size - body, out, Context{name, body}, &used));
    const std::size_t trailer = body + used;
    if (size - trailer < 8)
      return corrupt(name + ": the gzip member ends at byte " + std::to_string(size) +
                     " without its 8-byte CRC-32/ISIZE trailer — the file is truncated");
    const std::size_t produced = out.pos - out.member_start;
    const uint32_t crc = crc32(bytes.data() + out.member_start, produced);
    if (crc != load_le32(data + trailer))
      return corrupt(name + ": CRC-32 mismatch at byte " + std::to_string(trailer) + " (stored " +
                     hex32(load_le32(data + trailer)) + ", computed " + hex32(crc) +
                     ") — the file is damaged; copy or download it again");
    if (uint32_t(produced) != load_le32(data + trailer + 4))
      return corrupt(name + ": ISIZE mismatch at byte " + std::to_string(trailer + 4) + " (stored " +
                     std::to_string(load_le32(data + trailer + 4)) + ", decompressed " +
                     std::to_string(produced) + " bytes) — the file is damaged");
    p = trailer + 8;
    if (p < size && !(size - p >= 2 && data[p] == 0x1f && data[p + 1] == 0x8b))
      return corrupt(name + ": " + std::to_string(size - p) + " bytes of trailing data after the "
                     "gzip member that ends at byte " + std::to_string(p) +
                     " (expected nothing, or another member starting with 1f 8b)");
  } while (p < size);
  bytes.resize(out.pos);
  return bytes;
}

StatusOr<std::vector<uint8_t>> inflate_raw(const uint8_t* data, std::size_t size,
                                           std::size_t max_output, const std::string& name,
                                           std::size_t* consumed) {
  std::vector<uint8_t> bytes;
  Output out{bytes, 0, max_output, 0};
  std::size_t used = 0;
  BIORNN_RETURN_IF_ERROR(inflate_stream(data, size, out, Context{name, 0}, &used));
  if (consumed != nullptr) {
    *consumed = used;
  } else if (used != size) {
    return corrupt(name + ": " + std::to_string(size - used) + " bytes follow the end of the "
                   "deflate stream at byte " + std::to_string(used));
  }
  bytes.resize(out.pos);
  return bytes;
}

StatusOr<std::vector<uint8_t>> zlib_decompress(const uint8_t* data, std::size_t size,
                                               std::size_t max_output, const std::string& name) {
  if (size < 2) return corrupt(name + ": a zlib stream needs a 2-byte header, found " + std::to_string(size) + " bytes");
  const unsigned cmf = data[0], flg = data[1];
  if ((cmf & 15u) != 8)
    return unsupported(name + ": zlib compression method " + std::to_string(cmf & 15u) +
                       " at byte 0; only 8 (deflate) is defined");
  if ((cmf >> 4) > 7 || (cmf * 256 + flg) % 31 != 0)
    return corrupt(name + ": invalid zlib header " + hex_byte(uint8_t(cmf)) + " " +
                   hex_byte(uint8_t(flg)) + " at byte 0 (window size or header check) — not zlib data?");
  if (flg & 0x20)
    return unsupported(name + ": the zlib stream needs a preset dictionary (FDICT), which is "
                       "not supported");
  std::vector<uint8_t> bytes;
  Output out{bytes, 0, max_output, 0};
  std::size_t used = 0;
  BIORNN_RETURN_IF_ERROR(inflate_stream(data + 2, size - 2, out, Context{name, 2}, &used));
  const std::size_t trailer = 2 + used;
  if (size - trailer < 4)
    return corrupt(name + ": the zlib stream ends without its Adler-32 checksum — truncated");
  bytes.resize(out.pos);
  const uint32_t stored = uint32_t(data[trailer]) << 24 | uint32_t(data[trailer + 1]) << 16 |
                          uint32_t(data[trailer + 2]) << 8 | uint32_t(data[trailer + 3]);
  if (adler32(bytes.data(), bytes.size()) != stored)
    return corrupt(name + ": Adler-32 mismatch at byte " + std::to_string(trailer) + " (stored " +
                   hex32(stored) + ", computed " + hex32(adler32(bytes.data(), bytes.size())) +
                   ") — the data is damaged");
  if (trailer + 4 != size)
    return corrupt(name + ": " + std::to_string(size - trailer - 4) +
                   " bytes of trailing data after the zlib stream");
  return bytes;
}

uint32_t adler32(const uint8_t* data, std::size_t size, uint32_t adler) {
  constexpr uint32_t kMod = 65521;  // largest prime below 2^16
  // 5552 bytes is the longest run whose sums cannot overflow 32 bits before the reduction.
  constexpr std::size_t kRun = 5552;
  uint32_t a = adler & 0xFFFFu, b = adler >> 16;
  while (size > 0) {
    std::size_t n = std::min(size, kRun);
    size -= n;
    for (; n > 0; --n) {
      a += *data++;
      b += a;
    }
    a %= kMod;
    b %= kMod;
  }
  return b << 16 | a;
}

}  // namespace biornn
