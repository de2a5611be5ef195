// inflate.hpp — decompression of DEFLATE data and its gzip and zlib wrappers.
//
// Implements the decoder side of RFC 1951 (DEFLATE: stored, fixed-Huffman and dynamic-Huffman
// blocks), RFC 1952 (gzip: FTEXT/FEXTRA/FNAME/FCOMMENT/FHCRC header fields, CRC-32 and ISIZE
// checked, several members concatenated) and RFC 1950 (zlib: header check, Adler-32 checked).
// It is what lets `train-images-idx3-ubyte.gz` load directly and `np.savez_compressed`
// archives open. Huffman codes are decoded with a lookup table on the next 10 input bits and a
// canonical-code walk for the rare longer codes.
//
// Every input is untrusted: each length is checked before use, a code that is over-subscribed,
// incomplete (other than the one-code case the RFC allows) or missing its end-of-block symbol
// is rejected, a distance reaching before the start of the output is rejected, and the output
// never grows past the caller's `max_output` (a "zip bomb" is a clean kResourceExhausted, not
// an exhausted machine). Errors are kCorrupt (or kUnsupported, kResourceExhausted) with a
// message naming `name` and the byte offset in the input.
//
// Not here: compression (the library writes uncompressed .npz members and plain files), preset
// dictionaries (zlib FDICT: rejected as unsupported), streaming over partial input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "biornn/status.hpp"

namespace biornn {

// True when the data starts with the gzip magic bytes 1f 8b and method 8 (deflate).
bool is_gzip(const uint8_t* data, std::size_t size);

// Decompresses a gzip file (one or more members). Trailing bytes that do not form another
// member are an error. `name` is used in messages (normally the file name).
StatusOr<std::vector<uint8_t>> gunzip(const uint8_t* data, std::size_t size,
                                      std::size_t max_output, const std::string& name);

// Decompresses a raw DEFLATE stream (as stored in .zip / .npz members). When `consumed` is
// null the stream must use the whole input (up to the padding bits of its last byte);
// otherwise the number of input bytes the stream used is stored there.
StatusOr<std::vector<uint8_t>> inflate_raw(const uint8_t* data, std::size_t size,
                                           std::size_t max_output, const std::string& name,
                                           std::size_t* consumed = nullptr);

// Decompresses a zlib stream (RFC 1950) and checks its Adler-32.
StatusOr<std::vector<uint8_t>> zlib_decompress(const uint8_t* data, std::size_t size,
                                               std::size_t max_output, const std::string& name);

// Adler-32 (RFC 1950 §8.2). Pass the previous result as `adler` to continue; starts at 1.
uint32_t adler32(const uint8_t* data, std::size_t size, uint32_t adler = 1);

}  // namespace biornn
