// png.cpp — the minimal PNG encoder (see png.hpp for the format choices and references).
//
// Chunk checksums use the library's CRC-32 (fileio.hpp).
#include "biornn/png.hpp"

#include <algorithm>
#include <array>

#include "biornn/check.hpp"
#include "biornn/fileio.hpp"

namespace biornn {

namespace {

// ---- checksums --------------------------------------------------------------------------------

uint32_t adler32(const std::string& data) {
  uint32_t a = 1, b = 0;
  // 5552 is the largest block for which b cannot overflow 32 bits before the reduction.
  for (std::size_t start = 0; start < data.size(); start += 5552) {
    const std::size_t end = std::min(data.size(), start + 5552);
    for (std::size_t i = start; i < end; ++i) {
      a += static_cast<uint8_t>(data[i]);
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return (b << 16) | a;
}

void put_u32_be(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) *out += char((v >> shift) & 0xFF);
}

// ---- deflate ----------------------------------------------------------------------------------

std::string deflate_stored(const std::string& raw) {
  std::string out;
  std::size_t pos = 0;
  do {
    const std::size_t len = std::min<std::size_t>(65535, raw.size() - pos);
    const bool final_block = pos + len == raw.size();
    out += char(final_block ? 1 : 0);  // BFINAL, BTYPE = 00, then padding to the byte
    out += char(len & 0xFF);
    out += char(len >> 8);
    out += char(~len & 0xFF);
    out += char((~len >> 8) & 0xFF);
    out.append(raw, pos, len);
    pos += len;
  } while (pos < raw.size());
  return out;
}

// Bits are packed from the least significant bit of each byte (RFC 1951 §3.1.1); Huffman codes
// go most significant bit first, so they are reversed before packing.
struct BitWriter {
  std::string out;
  uint32_t acc = 0;
  int count = 0;

  void bits(uint32_t value, int n) {
    acc |= value << count;
    count += n;
    while (count >= 8) {
      out += char(acc & 0xFF);
      acc >>= 8;
      count -= 8;
    }
  }
  void code(uint32_t value, int n) {
    uint32_t reversed = 0;
    for (int k = 0; k < n; ++k) reversed |= ((value >> k) & 1u) << (n - 1 - k);
    bits(reversed, n);
  }
  void flush() {
    if (count > 0) out += char(acc & 0xFF);
    acc = 0;
    count = 0;
  }
};

// The fixed literal/length code of RFC 1951 §3.2.6.
void put_symbol(BitWriter* w, int symbol) {
  if (symbol < 144) w->code(uint32_t(0x30 + symbol), 8);
  else if (symbol < 256) w->code(uint32_t(0x190 + symbol - 144), 9);
  else if (symbol < 280) w->code(uint32_t(symbol - 256), 7);
  else w->code(uint32_t(0xC0 + symbol - 280), 8);
}

// A match of `length` (3..258) at distance 1 (§3.2.5: length codes 257..285, distance code 0).
void put_run(BitWriter* w, int length) {
  static const int base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                               31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
  static const int extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  int i = 28;
  while (base[i] > length) --i;
  put_symbol(w, 257 + i);
  w->bits(uint32_t(length - base[i]), extra[i]);
  w->code(0, 5);  // distance code 0 = distance 1
}

std::string deflate_run_length(const std::string& raw) {
  BitWriter w;
  w.bits(1, 1);  // BFINAL
  w.bits(1, 2);  // BTYPE = 01, fixed Huffman codes
  std::size_t i = 0;
  while (i < raw.size()) {
    if (i > 0) {
      std::size_t run = 0;
      while (run < 258 && i + run < raw.size() && raw[i + run] == raw[i - 1]) ++run;
      if (run >= 3) {
        put_run(&w, int(run));
        i += run;
        continue;
      }
    }
    put_symbol(&w, static_cast<uint8_t>(raw[i]));
    ++i;
  }
  put_symbol(&w, 256);  // end of block
  w.flush();
  return w.out;
}

std::string zlib_stream(const std::string& raw, PngDeflate mode) {
  std::string body;
  if (mode == PngDeflate::kStored) {
    body = deflate_stored(raw);
  } else {
    body = deflate_run_length(raw);
    if (mode == PngDeflate::kSmallest) {
      std::string stored = deflate_stored(raw);
      if (stored.size() <= body.size()) body.swap(stored);
    }
  }
  std::string out;
  out += char(0x78);  // CM = 8 (deflate), CINFO = 7 (32 KiB window)
  out += char(0x01);  // FLEVEL = 0, no dictionary, FCHECK so that 0x7801 % 31 == 0
  out += body;
  put_u32_be(&out, adler32(raw));
  return out;
}

// ---- chunks -----------------------------------------------------------------------------------

void put_chunk(std::string* png, const char type[4], const std::string& data) {
  put_u32_be(png, uint32_t(data.size()));
  std::string typed(type, 4);
  typed += data;
  png->append(typed);
  put_u32_be(png, crc32(reinterpret_cast<const uint8_t*>(typed.data()), typed.size()));
}

std::string encode(int32_t width, int32_t height, int colour_type, int channels,
                   const std::vector<uint8_t>& pixels, const std::vector<uint8_t>* palette,
                   PngDeflate mode) {
  BIORNN_CHECK(width >= 1 && height >= 1,
               "png: image must be at least 1x1, got " + std::to_string(width) + "x" + std::to_string(height));
  BIORNN_CHECK(pixels.size() == std::size_t(width) * std::size_t(height) * std::size_t(channels),
               "png: expected " + std::to_string(int64_t(width) * height * channels) +
                   " pixel bytes, got " + std::to_string(pixels.size()));
  std::string png = "\x89PNG\r\n\x1A\n";
  std::string ihdr;
  put_u32_be(&ihdr, uint32_t(width));
  put_u32_be(&ihdr, uint32_t(height));
  ihdr += char(8);            // bit depth
  ihdr += char(colour_type);  // 2 = RGB, 3 = palette
  ihdr += std::string(3, '\0');  // compression, filter, interlace methods 0
  put_chunk(&png, "IHDR", ihdr);
  if (palette != nullptr)
    put_chunk(&png, "PLTE", std::string(palette->begin(), palette->end()));
  const std::size_t row_bytes = std::size_t(width) * std::size_t(channels);
  std::string raw;
  raw.reserve((row_bytes + 1) * std::size_t(height));
  for (int32_t y = 0; y < height; ++y) {
    raw += '\0';  // filter type None
    raw.append(reinterpret_cast<const char*>(pixels.data()) + std::size_t(y) * row_bytes, row_bytes);
  }
  put_chunk(&png, "IDAT", zlib_stream(raw, mode));
  put_chunk(&png, "IEND", "");
  return png;
}

}  // namespace

std::string png_encode_rgb(int32_t width, int32_t height, const std::vector<uint8_t>& rgb,
                           PngDeflate deflate) {
  return encode(width, height, 2, 3, rgb, nullptr, deflate);
}

std::string png_encode_indexed(int32_t width, int32_t height, const std::vector<uint8_t>& indices,
                               const std::vector<uint8_t>& palette_rgb, PngDeflate deflate) {
  const std::size_t entries = palette_rgb.size() / 3;
  BIORNN_CHECK(palette_rgb.size() % 3 == 0 && entries >= 1 && entries <= 256,
               "png: the palette must hold 1 to 256 RGB triples, got " +
                   std::to_string(palette_rgb.size()) + " bytes");
  for (uint8_t index : indices)
    BIORNN_CHECK(index < entries, "png: palette index " + std::to_string(index) +
                                      " is outside a palette of " + std::to_string(entries));
  return encode(width, height, 3, 1, indices, &palette_rgb, deflate);
}

std::string png_data_uri(const std::string& png) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "data:image/png;base64,";
  out.reserve(out.size() + (png.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= png.size(); i += 3) {
    const uint32_t v = uint32_t(uint8_t(png[i])) << 16 | uint32_t(uint8_t(png[i + 1])) << 8 |
                       uint32_t(uint8_t(png[i + 2]));
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = png.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t(uint8_t(png[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(png[i + 1])) << 8;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace biornn
