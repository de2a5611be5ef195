// fileio.hpp — whole-file reads, crash-safe writes, directories, and the CRC-32 checksum.
//
// Every reader of user data in the library (IDX, NPY/NPZ, CSV, checkpoints) goes through
// read_file, so the "file too large", "is a directory" and "does not exist" messages are the
// same everywhere. Every writer goes through write_file_atomic: the bytes go to a temporary
// file in the same directory, are flushed to the disk (fsync), and only then renamed over the
// target, so a crash, a full disk or a killed process leaves either the old file or the new
// one — never half of the new one. On failure the old file is untouched and the temporary file
// is removed.
//
// crc32 is the IEEE 802.3 / zlib / gzip / PKZIP CRC (reflected polynomial 0xEDB88320, initial
// value and final XOR 0xFFFFFFFF), computed with a 256-entry table; crc32("123456789") is
// 0xCBF43926.
//
// Not here: parsing (idx, npy, csv), compression (inflate). The POSIX calls the library makes
// live in this one file; it targets Linux and other POSIX systems.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "biornn/status.hpp"

namespace biornn {

// The default upper bound on a file read whole: 4 GiB.
inline constexpr uint64_t kDefaultMaxFileBytes = uint64_t(1) << 32;

// The whole content of `path`. Errors: kNotFound (no such file), kIoError (permission,
// a directory, a read error), kResourceExhausted (more than max_bytes bytes).
StatusOr<std::vector<uint8_t>> read_file(const std::string& path,
                                         uint64_t max_bytes = kDefaultMaxFileBytes);

// Replaces (or creates) `path` with exactly these bytes, atomically: temp file in the same
// directory + write + fsync + rename + fsync of the directory. The new file's permissions are
// 0666 minus the process umask, as for any newly created file.
Status write_file_atomic(const std::string& path, const uint8_t* data, std::size_t size);
Status write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);
Status write_file_atomic(const std::string& path, const std::string& text);

// Creates `path` and every missing parent (like `mkdir -p`); ok if it already is a directory.
Status make_directories(const std::string& path);

// True when `path` names an existing regular file (following symbolic links).
bool file_exists(const std::string& path);
// True when `path` names an existing directory (following symbolic links).
bool directory_exists(const std::string& path);

// "a" + "/" + "b", without doubling a slash; an absolute `b` is returned as is.
std::string join_path(const std::string& a, const std::string& b);
// The last component: "out/run1/w.npy" -> "w.npy".
std::string path_basename(const std::string& path);

// CRC-32 (IEEE) of data[0, size). Pass the previous result as `crc` to continue a running
// checksum: crc32(b, nb, crc32(a, na)) == crc32 of a followed by b. crc32(nullptr, 0) == 0.
uint32_t crc32(const uint8_t* data, std::size_t size, uint32_t crc = 0);

}  // namespace biornn
