// npz.hpp — NumPy .npz archives: several named arrays in one zip file (np.savez).
//
// An .npz file is a zip archive whose members are .npy files named "<key>.npy". save_npz
// writes uncompressed ("stored") members with their CRC-32, local headers, a central directory
// and the end record, and a fixed timestamp (1980-01-01 00:00) so that the same arrays always
// give the same bytes. load_npz reads stored members and deflated ones
// (np.savez_compressed), verifying sizes and CRC-32 of each, and strips ".npy" from the keys
// as np.load does.
//
// Rejected with a clear Status: no end-of-central-directory record, multi-disk archives,
// archives that need zip64 (over 4 GiB or 65535 members — numpy marks small members with a
// zip64 extra field in their local header, which is fine and read), encrypted members,
// compression methods other than stored/deflate, sizes or offsets that point outside the
// file, mismatched local/central headers, CRC mismatches, duplicate keys, members that are not
// .npy arrays, and more decompressed data than the caller's limit.
//
// Reference: PKWARE APPNOTE.TXT (.ZIP File Format Specification) §4.3, numpy.savez/np.load.
// Not here: writing compressed members, zip64, comments, other members than arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/npy.hpp"
#include "biornn/status.hpp"

namespace biornn {

// Arrays by key, in key order (std::map).
using NpzArrays = std::map<std::string, NpyArray>;

// Parses an .npz archive already in memory. `max_output` bounds the total size of the
// decompressed members; `name` is used in messages.
StatusOr<NpzArrays> parse_npz(const uint8_t* data, std::size_t size, const std::string& name,
                              uint64_t max_output = kDefaultMaxFileBytes);

// The archive bytes for these (key, array) pairs, members in the given order. Errors:
// an empty, duplicate or over-long key (kInvalidArgument), an archive that would need zip64
// (kResourceExhausted).
StatusOr<std::vector<uint8_t>> encode_npz(
    const std::vector<std::pair<std::string, NpyArray>>& arrays);

// `max_bytes` bounds the file size and the total decompressed size.
StatusOr<NpzArrays> load_npz(const std::string& path, uint64_t max_bytes = kDefaultMaxFileBytes);
// encode_npz, written atomically (temp file + fsync + rename).
Status save_npz(const std::string& path,
                const std::vector<std::pair<std::string, NpyArray>>& arrays);

// The archive's keys for a message: "W, W_in" in key order, or "nothing" when it is empty.
std::string npz_keys_text(const NpzArrays& arrays);

// The array under `key` as a (rows, cols) Matrix (npy_to_matrix: finite values only); cols < 0
// accepts any column count. Messages start with "<name>: ". Errors: no such key (kNotFound,
// listing the keys the archive holds), another shape (kInvalidArgument, both shapes named),
// and npy_to_matrix's own.
StatusOr<Matrix> npz_matrix(const NpzArrays& arrays, const std::string& name, const std::string& key, int32_t rows,
                            int32_t cols);

}  // namespace biornn
