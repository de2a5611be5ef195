// io_test_util.hpp — helpers shared by the file-format tests (fileio, inflate, idx, npy, npz,
// csv): a self-removing temporary directory, the path of a checked-in fixture, a minimal gzip
// writer (stored blocks, written from RFC 1951/1952 independently of the library's decoder)
// and a deterministic byte generator.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/status.hpp"

namespace io_test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/biornn-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) != nullptr) path_ = buffer.data();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Names of the entries in the directory (to check no temporary file was left behind).
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    return names;
  }

 private:
  std::string path_;
};

// tests/data/io/<name>, located from this header's own path so it works from any build dir.
inline std::string fixture(const std::string& name) {
  std::string here = __FILE__;
  const std::size_t slash = here.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : here.substr(0, slash);
  return dir + "/data/io/" + name;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Deterministic bytes: mostly a small vocabulary of words (compressible), some noise.
inline std::vector<uint8_t> sample_bytes(std::size_t n, uint32_t seed) {
  static const char* const words[] = {"neuron ", "synapse ", "dale ", "prune ", "spike ",
                                      "layer ", "\n", "0.25 ", "-1.5e-3 "};
  std::vector<uint8_t> out;
  uint32_t s = seed * 2654435761u + 1;
  while (out.size() < n) {
    s = s * 1664525u + 1013904223u;
    if ((s >> 28) == 0) {
      out.push_back(uint8_t(s >> 16));
    } else {
      for (const char* w = words[(s >> 8) % 9]; *w && out.size() < n; ++w) out.push_back(uint8_t(*w));
    }
  }
  return out;
}

inline void put_le32(std::vector<uint8_t>& out, uint32_t v) {
  for (int k = 0; k < 4; ++k) out.push_back(uint8_t(v >> (8 * k)));
}

// A valid gzip file of `data` made of stored (uncompressed) deflate blocks.
inline std::vector<uint8_t> gzip_stored(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min<std::size_t>(data.size() - pos, 65535);
    const bool last = pos + n == data.size();
    out.push_back(last ? 1 : 0);  // BFINAL, BTYPE = 00, then pad to the byte boundary
    out.push_back(uint8_t(n));
    out.push_back(uint8_t(n >> 8));
    out.push_back(uint8_t(~n));
    out.push_back(uint8_t(~n >> 8));
    out.insert(out.end(), data.begin() + long(pos), data.begin() + long(pos + n));
    pos += n;
  } while (pos < data.size());
  put_le32(out, biornn::crc32(data.data(), data.size()));
  put_le32(out, uint32_t(data.size()));
  return out;
}

// True when `command` runs successfully in the shell (used to detect optional tools).
inline bool shell_ok(const std::string& command) { return std::system(command.c_str()) == 0; }

}  // namespace io_test
