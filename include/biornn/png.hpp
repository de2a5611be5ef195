// png.hpp — a minimal PNG encoder, so heat maps of large matrices can be embedded in SVG as one
// image instead of a million rectangles.
//
// Writes 8-bit truecolour (RGB) or 8-bit palette images, no interlacing, filter type 0 (None) on
// every row (PNG specification, ISO/IEC 15948, §11.2 IHDR, §11.2.3 PLTE, §11.2.4 IDAT). The
// zlib stream (RFC 1950) holds one deflate encoding (RFC 1951) chosen as the smaller of
//   * stored blocks (§3.2.4: raw bytes, at most 65535 per block), and
//   * one block of fixed Huffman codes (§3.2.6) whose only back-references have distance 1,
//     i.e. run-length encoding: a run of equal bytes costs ~15 bits instead of 8 per byte.
// A pruned weight matrix is mostly zeros (one palette index), so its image shrinks many-fold;
// a dense one stays at one byte per cell (palette) or three (RGB). Chunk CRCs are CRC-32
// (ISO 3309, polynomial 0xEDB88320 reflected), the zlib trailer Adler-32 (RFC 1950 §9).
// Output is a deterministic function of the input.
//
// Not here: decoding (tests carry their own decoder as the independent check), general-purpose
// compression (no LZ77 match search beyond runs; no dynamic Huffman tables), other bit depths.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace biornn {

enum class PngDeflate {
  kSmallest,   // whichever of the two below is smaller (ties: stored)
  kStored,     // stored blocks only
  kRunLength,  // fixed Huffman codes with distance-1 matches
};

// rgb: width·height·3 bytes, row-major, top row first. Contract: width, height ≥ 1 and the
// size matches.
std::string png_encode_rgb(int32_t width, int32_t height, const std::vector<uint8_t>& rgb,
                           PngDeflate deflate = PngDeflate::kSmallest);

// indices: width·height palette indices, row-major; palette_rgb: 3 bytes per entry, 1 to 256
// entries. Contract: every index names an entry.
std::string png_encode_indexed(int32_t width, int32_t height, const std::vector<uint8_t>& indices,
                               const std::vector<uint8_t>& palette_rgb,
                               PngDeflate deflate = PngDeflate::kSmallest);

// "data:image/png;base64,..." (RFC 2397, base64 of RFC 4648 §4 with padding).
std::string png_data_uri(const std::string& png);

}  // namespace biornn
