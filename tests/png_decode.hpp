// png_decode.hpp — a small PNG reader for the tests: the independent check of png.cpp.
//
// Written from the specifications (PNG ISO/IEC 15948, zlib RFC 1950, deflate RFC 1951, base64
// RFC 4648), deliberately unlike the encoder: CRC-32 bit by bit without a table, Adler-32 with a
// reduction per byte, deflate decoded by walking the fixed code ranges. Handles what the encoder
// may emit — stored and fixed-Huffman blocks, 8-bit RGB and palette images, filter 0 — and
// reports anything else as an error string.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace png_test {

struct Image {
  std::string error;  // empty on success
  int32_t width = 0, height = 0;
  int colour_type = 0;
  std::vector<uint8_t> rgb;  // width·height·3, palette already applied
  std::size_t palette_entries = 0;
  int stored_blocks = 0, fixed_blocks = 0;
};

inline uint32_t crc32_bitwise(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline uint32_t adler32_slow(const std::string& bytes) {
  uint32_t a = 1, b = 0;
  for (unsigned char c : bytes) a = (a + c) % 65521, b = (b + a) % 65521;
  return (b << 16) | a;
}

inline uint32_t be32(const std::string& s, std::size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 |
         uint32_t(uint8_t(s[at + 2])) << 8 | uint32_t(uint8_t(s[at + 3]));
}

struct BitReader {
  const std::string& s;
  std::size_t bit = 0;
  bool overrun = false;
  uint32_t get(int n) {  // LSB-first value of n bits
    uint32_t v = 0;
    for (int k = 0; k < n; ++k, ++bit) {
      if (bit / 8 >= s.size()) { overrun = true; return 0; }
      v |= uint32_t((uint8_t(s[bit / 8]) >> (bit % 8)) & 1u) << k;
    }
    return v;
  }
  uint32_t get_code(int n) {  // MSB-first Huffman code bits
    uint32_t v = 0;
    for (int k = 0; k < n; ++k) v = (v << 1) | get(1);
    return v;
  }
};

// Inflates a raw deflate stream of stored and fixed-Huffman blocks; returns an error or "".
inline std::string inflate(const std::string& in, std::string* out, Image* stats) {
  static const int len_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35,
                                   43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
  static const int len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  BitReader r{in};
  bool last = false;
  while (!last) {
    last = r.get(1) != 0;
    const uint32_t type = r.get(2);
    if (type == 0) {
      r.bit = (r.bit + 7) / 8 * 8;
      const std::size_t at = r.bit / 8;
      if (at + 4 > in.size()) return "stored block header truncated";
      const uint32_t len = uint8_t(in[at]) | uint32_t(uint8_t(in[at + 1])) << 8;
      const uint32_t nlen = uint8_t(in[at + 2]) | uint32_t(uint8_t(in[at + 3])) << 8;
      if ((len ^ 0xFFFFu) != nlen) return "stored block LEN/NLEN mismatch";
      if (at + 4 + len > in.size()) return "stored block truncated";
      out->append(in, at + 4, len);
      r.bit = (at + 4 + len) * 8;
      ++stats->stored_blocks;
    } else if (type == 1) {
      ++stats->fixed_blocks;
      while (true) {
        int sym;
        uint32_t c = r.get_code(7);
        if (c <= 23) {
          sym = int(256 + c);
        } else {
          c = (c << 1) | r.get(1);
          if (c >= 0x30 && c <= 0xBF) sym = int(c - 0x30);
          else if (c >= 0xC0 && c <= 0xC7) sym = int(280 + c - 0xC0);
          else sym = int(144 + ((c << 1) | r.get(1)) - 0x190);
        }
        if (r.overrun) return "fixed block truncated";
        if (sym < 256) { *out += char(sym); continue; }
        if (sym == 256) break;
        if (sym > 285) return "invalid length symbol";
        const int length = len_base[sym - 257] + int(r.get(len_extra[sym - 257]));
        const uint32_t dcode = r.get_code(5);
        if (dcode > 29) return "invalid distance code";
        auto extra_bits = [](uint32_t code) { return code < 4 ? 0 : int(code / 2) - 1; };
        int dist = 1;  // distance bases 1, 2, 3, 4, 5, 7, 9, 13, ...: each adds 2^extra
        for (uint32_t k = 0; k < dcode; ++k) dist += 1 << extra_bits(k);
        dist += int(r.get(extra_bits(dcode)));
        if (std::size_t(dist) > out->size()) return "distance before start of output";
        for (int k = 0; k < length; ++k) *out += (*out)[out->size() - std::size_t(dist)];
      }
    } else {
      return "unsupported block type " + std::to_string(type);
    }
    if (r.overrun) return "deflate stream truncated";
  }
  return "";
}

inline Image decode(const std::string& png) {
  Image img;
  if (png.compare(0, 8, std::string("\x89PNG\r\n\x1A\n", 8)) != 0) return img.error = "bad signature", img;
  std::size_t at = 8;
  std::string idat, palette;
  bool seen_end = false;
  while (at + 12 <= png.size()) {
    const uint32_t len = be32(png, at);
    const std::string type = png.substr(at + 4, 4);
    if (at + 12 + len > png.size()) return img.error = "chunk " + type + " truncated", img;
    const std::string data = png.substr(at + 8, len);
    if (crc32_bitwise(type + data) != be32(png, at + 8 + len)) return img.error = "bad CRC in " + type, img;
    if (type == "IHDR") {
      img.width = int32_t(be32(data, 0));
      img.height = int32_t(be32(data, 4));
      img.colour_type = data[9];
      if (data[8] != 8 || data[10] != 0 || data[11] != 0 || data[12] != 0) return img.error = "unexpected IHDR", img;
    } else if (type == "PLTE") {
      palette = data;
    } else if (type == "IDAT") {
      idat += data;
    } else if (type == "IEND") {
      seen_end = true;
    }
    at += 12 + len;
  }
  if (!seen_end || at != png.size()) return img.error = "no IEND at the end", img;
  if (idat.size() < 6 || (uint32_t(uint8_t(idat[0])) * 256 + uint8_t(idat[1])) % 31 != 0 || (idat[0] & 0x0F) != 8)
    return img.error = "bad zlib header", img;
  std::string raw;
  const std::string e = inflate(idat.substr(2, idat.size() - 6), &raw, &img);
  if (!e.empty()) return img.error = e, img;
  if (adler32_slow(raw) != be32(idat, idat.size() - 4)) return img.error = "bad Adler-32", img;
  const int channels = img.colour_type == 2 ? 3 : 1;
  const std::size_t row = std::size_t(img.width) * channels;
  if (raw.size() != (row + 1) * std::size_t(img.height)) return img.error = "wrong image data size", img;
  img.palette_entries = palette.size() / 3;
  for (int32_t y = 0; y < img.height; ++y) {
    if (raw[std::size_t(y) * (row + 1)] != 0) return img.error = "filter other than None", img;
    for (std::size_t x = 0; x < row; ++x) {
      const uint8_t v = uint8_t(raw[std::size_t(y) * (row + 1) + 1 + x]);
      if (channels == 3) { img.rgb.push_back(v); continue; }
      if (v >= img.palette_entries) return img.error = "palette index out of range", img;
      for (int c = 0; c < 3; ++c) img.rgb.push_back(uint8_t(palette[std::size_t(v) * 3 + std::size_t(c)]));
    }
  }
  return img;
}

// Decodes RFC 4648 base64 (with padding); returns false on a character outside the alphabet.
inline bool base64_decode(const std::string& in, std::string* out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  if (in.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      if (in[i + k] == '=' && i + 4 == in.size() && k >= 2) { v[k] = 0; ++pad; continue; }
      if ((v[k] = value(in[i + k])) < 0) return false;
    }
    const uint32_t bits = uint32_t(v[0]) << 18 | uint32_t(v[1]) << 12 | uint32_t(v[2]) << 6 | uint32_t(v[3]);
    *out += char(bits >> 16);
    if (pad < 2) *out += char((bits >> 8) & 0xFF);
    if (pad < 1) *out += char(bits & 0xFF);
  }
  return true;
}

}  // namespace png_test
