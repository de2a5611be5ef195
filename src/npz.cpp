// npz.cpp — .npz archives: a zip container (PKWARE APPNOTE §4.3) of .npy members.
//
// Reading goes from the end: find the end-of-central-directory record, walk the central
// directory (the authoritative sizes, CRCs and offsets), then for each member check its local
// header and decode its data (stored, or deflate via inflate.hpp). Writing lays out stored
// members, the central directory and the end record. All offsets are checked against the
// archive's size before use; see npz.hpp for what is rejected.
#include "biornn/npz.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

#include "biornn/inflate.hpp"

namespace biornn {
namespace {

constexpr uint32_t kLocalSignature = 0x04034b50;
constexpr uint32_t kCentralSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22;
constexpr uint16_t kVersion20 = 20;                // "2.0": deflate, folders
constexpr uint16_t kDate1980 = (0 << 9) | (1 << 5) | 1;  // MS-DOS date 1980-01-01
constexpr uint32_t kMax32 = 0xFFFFFFFFu;

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
void put16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, v & 0xFFFFu);
  put16(out, v >> 16);
}

std::string hex32(uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", unsigned(v));
  return text;
}

struct Entry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint32_t compressed = 0;
  uint32_t uncompressed = 0;
  uint32_t local_offset = 0;
};

// The directory: where it starts, how long it is, how many entries.
struct Directory {
  std::size_t offset = 0, size = 0, count = 0;
};

Status not_an_archive(const uint8_t* d, std::size_t size, const std::string& name,
                      const std::string& why) {
  std::string hint = " — an .npz file is a zip archive written by np.savez";
  if (size >= 6 && std::memcmp(d, "\x93NUMPY", 6) == 0) hint = " — this is an .npy file; read it with load_npy";
  if (is_gzip(d, size)) hint = " — this is a gzip file, not a zip archive";
  return corrupt(name + ": not a zip archive: " + why + hint);
}

Status find_directory(const uint8_t* d, std::size_t size, const std::string& name, Directory* dir) {
  if (size < kEndSize)
    return not_an_archive(d, size, name, std::to_string(size) + " bytes is shorter than a zip end record");
  // The end record is the last thing in the file, followed only by its comment (< 64 KiB).
  const std::size_t lowest = size - kEndSize - std::min<std::size_t>(size - kEndSize, 0xFFFF);
  std::size_t at = size - kEndSize + 1;
  bool found = false;
  while (!found && at-- > lowest)
    found = le32(d + at) == kEndSignature && le16(d + at + 20) == size - at - kEndSize;
  if (!found)
    return not_an_archive(d, size, name, "no end-of-central-directory record in its last " +
                                             std::to_string(size - lowest) + " bytes (or it is truncated)");
  const uint8_t* e = d + at;
  if (at >= 20 && le32(e - 20) == kZip64LocatorSignature)
    return unsupported(name + ": the archive uses zip64 (over 4 GiB or 65535 members), which is "
                       "not supported — save fewer or smaller arrays per archive");
  if (le16(e + 4) != 0 || le16(e + 6) != 0 || le16(e + 8) != le16(e + 10))
    return unsupported(name + ": multi-disk (spanned) zip archives are not supported");
  dir->count = le16(e + 10);
  dir->size = le32(e + 12);
  dir->offset = le32(e + 16);
  if (dir->count == 0xFFFF || dir->size == kMax32 || dir->offset == kMax32)
    return unsupported(name + ": the archive needs zip64 (over 4 GiB or 65535 members), which is "
                       "not supported");
  if (dir->offset > at || dir->size > at - dir->offset)
    return corrupt(name + ": the central directory (" + std::to_string(dir->size) + " bytes at byte " +
                   std::to_string(dir->offset) + ") does not fit before the end record at byte " +
                   std::to_string(at) + " — the archive is truncated or damaged");
  return Status();
}

Status read_directory(const uint8_t* d, const Directory& dir, const std::string& name,
                      std::vector<Entry>* entries) {
  std::size_t p = dir.offset;
  const std::size_t end = dir.offset + dir.size;
  for (std::size_t k = 0; k < dir.count; ++k) {
    const std::string where = name + ": central directory entry " + std::to_string(k) +
                              " at byte " + std::to_string(p);
    if (end - p < kCentralSize) return corrupt(where + " runs past the end of the directory");
    const uint8_t* c = d + p;
    if (le32(c) != kCentralSignature)
      return corrupt(where + ": expected the signature 0x02014b50, found " + hex32(le32(c)));
    const std::size_t variable = std::size_t(le16(c + 28)) + le16(c + 30) + le16(c + 32);
    if (end - p - kCentralSize < variable) return corrupt(where + " runs past the end of the directory");
    Entry e;
    e.flags = le16(c + 8);
    e.method = le16(c + 10);
    e.crc = le32(c + 16);
    e.compressed = le32(c + 20);
    e.uncompressed = le32(c + 24);
    e.local_offset = le32(c + 42);
    e.name.assign(reinterpret_cast<const char*>(c + kCentralSize), le16(c + 28));
    if (e.compressed == kMax32 || e.uncompressed == kMax32 || e.local_offset == kMax32)
      return unsupported(where + " ('" + e.name + "') needs zip64 (a member over 4 GiB), "
                         "which is not supported");
    entries->push_back(std::move(e));
    p += kCentralSize + variable;
  }
  return Status();
}

// Locates the member's data via its local header and checks it agrees with the directory.
Status locate_data(const uint8_t* d, std::size_t limit, const Entry& e, const std::string& where,
                   std::size_t* data_at) {
  const std::size_t lo = e.local_offset;
  if (lo > limit || limit - lo < kLocalSize)
    return corrupt(where + ": its local header offset " + std::to_string(lo) +
                   " lies outside the archive's data");
  const uint8_t* h = d + lo;
  if (le32(h) != kLocalSignature)
    return corrupt(where + ": no local header signature at byte " + std::to_string(lo));
  const std::size_t name_len = le16(h + 26), extra_len = le16(h + 28);
  if (limit - lo - kLocalSize < name_len + extra_len)
    return corrupt(where + ": its local header at byte " + std::to_string(lo) + " runs past the data");
  if (name_len != e.name.size() || std::memcmp(h + kLocalSize, e.name.data(), name_len) != 0)
    return corrupt(where + ": the local header at byte " + std::to_string(lo) +
                   " names a different member than the central directory");
  if (le16(h + 8) != e.method)
    return corrupt(where + ": local and central headers disagree on the compression method");
  *data_at = lo + kLocalSize + name_len + extra_len;
  if (limit - *data_at < e.compressed)
    return corrupt(where + ": its " + std::to_string(e.compressed) + " bytes of data at byte " +
                   std::to_string(*data_at) + " run past the end of the archive's data — truncated?");
  return Status();
}

// The decompressed, CRC-checked bytes of one member.
StatusOr<std::vector<uint8_t>> read_member(const uint8_t* d, std::size_t limit, const Entry& e,
                                           const std::string& where) {
  if (e.flags & 1u) return unsupported(where + " is encrypted, which is not supported");
  if (e.method != 0 && e.method != 8)
    return unsupported(where + " uses compression method " + std::to_string(e.method) +
                       " (supported: 0 stored, 8 deflate) — re-save with np.savez or "
                       "np.savez_compressed");
  std::size_t data_at = 0;
  BIORNN_RETURN_IF_ERROR(locate_data(d, limit, e, where, &data_at));
  std::vector<uint8_t> bytes;
  if (e.method == 0) {
    if (e.compressed != e.uncompressed)
      return corrupt(where + " is stored (uncompressed) but its sizes differ (" +
                     std::to_string(e.compressed) + " vs " + std::to_string(e.uncompressed) + ")");
    bytes.assign(d + data_at, d + data_at + e.compressed);
  } else {
    StatusOr<std::vector<uint8_t>> out = inflate_raw(d + data_at, e.compressed, e.uncompressed, where);
    if (!out.ok() && out.status().code() == StatusCode::kResourceExhausted)
      return corrupt(where + " decompresses to more than the " + std::to_string(e.uncompressed) +
                     " bytes its directory entry declares");
    if (!out.ok()) return out.status();
    bytes = std::move(out.value());
  }
  if (bytes.size() != e.uncompressed)
    return corrupt(where + " decompresses to " + std::to_string(bytes.size()) + " bytes, but its "
                   "directory entry declares " + std::to_string(e.uncompressed));
  if (crc32(bytes.data(), bytes.size()) != e.crc)
    return corrupt(where + ": CRC-32 mismatch — the archive is damaged");
  return bytes;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status check_keys(const std::vector<std::pair<std::string, NpyArray>>& arrays) {
  std::set<std::string> seen;
  for (const auto& entry : arrays) {
    const std::string& key = entry.first;
    if (key.empty()) return invalid_argument("save_npz: an array has an empty key");
    if (key.find('\0') != std::string::npos)
      return invalid_argument("save_npz: the key '" + key + "' contains a NUL byte");
    if (key.size() + 4 > 0xFFFF)
      return invalid_argument("save_npz: a key of " + std::to_string(key.size()) +
                              " bytes is longer than a zip member name allows");
    if (!seen.insert(key).second) return invalid_argument("save_npz: the key '" + key + "' appears twice");
  }
  if (arrays.size() >= 0xFFFF)
    return resource_exhausted("save_npz: " + std::to_string(arrays.size()) + " arrays need zip64 "
                              "(more than 65534 members), which is not supported");
  return Status();
}

// The fields local and central headers share, from "version needed" to "extra length".
void put_common(std::vector<uint8_t>& out, uint16_t flags, uint32_t crc, uint32_t size,
                std::size_t name_len) {
  put16(out, kVersion20);
  put16(out, flags);
  put16(out, 0);  // method: stored
  put16(out, 0);  // time 00:00:00
  put16(out, kDate1980);
  put32(out, crc);
  put32(out, size);  // compressed
  put32(out, size);  // uncompressed
  put16(out, uint32_t(name_len));
  put16(out, 0);  // extra field length
}

}  // namespace

StatusOr<NpzArrays> parse_npz(const uint8_t* data, std::size_t size, const std::string& name,
                              uint64_t max_output) {
  Directory dir;
  BIORNN_RETURN_IF_ERROR(find_directory(data, size, name, &dir));
  std::vector<Entry> entries;
  BIORNN_RETURN_IF_ERROR(read_directory(data, dir, name, &entries));
  NpzArrays arrays;
  uint64_t total = 0;
  for (const Entry& e : entries) {
    const std::string where = name + ", member '" + e.name + "'";
    if (!ends_with(e.name, ".npy"))
      return unsupported(where + " is not a .npy array; an .npz archive holds only .npy members");
    const std::string key = e.name.substr(0, e.name.size() - 4);
    if (arrays.count(key) != 0) return corrupt(where + ": the key '" + key + "' appears twice");
    total += e.uncompressed;
    if (total > max_output)
      return resource_exhausted(where + ": the members decompress to more than the limit of " +
                                std::to_string(max_output) + " bytes — raise it if the file is genuine");
    StatusOr<std::vector<uint8_t>> bytes = read_member(data, dir.offset, e, where);
    if (!bytes.ok()) return bytes.status();
    StatusOr<NpyArray> array = parse_npy(bytes.value().data(), bytes.value().size(), where);
    if (!array.ok()) return array.status();
    arrays.emplace(key, std::move(array.value()));
  }
  return arrays;
}

StatusOr<std::vector<uint8_t>> encode_npz(
    const std::vector<std::pair<std::string, NpyArray>>& arrays) {
  BIORNN_RETURN_IF_ERROR(check_keys(arrays));
  std::vector<uint8_t> out, directory;
  for (const auto& entry : arrays) {
    const std::string member = entry.first + ".npy";
    const std::vector<uint8_t> bytes = encode_npy(entry.second);
    const uint64_t offset = out.size();
    if (bytes.size() >= kMax32 || offset + kLocalSize + member.size() + bytes.size() >= kMax32)
      return resource_exhausted("save_npz: the array '" + entry.first + "' would put the archive "
                                "over 4 GiB, which needs zip64 (not supported) — save it as .npy");
    const uint16_t flags = std::any_of(member.begin(), member.end(),
                                       [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; })
                               ? uint16_t(1u << 11)  // names are UTF-8
                               : uint16_t(0);
    const uint32_t crc = crc32(bytes.data(), bytes.size());
    put32(out, kLocalSignature);
    put_common(out, flags, crc, uint32_t(bytes.size()), member.size());
    out.insert(out.end(), member.begin(), member.end());
    out.insert(out.end(), bytes.begin(), bytes.end());

    put32(directory, kCentralSignature);
    put16(directory, (3u << 8) | kVersion20);  // made by: Unix, 2.0
    put_common(directory, flags, crc, uint32_t(bytes.size()), member.size());
    put16(directory, 0);                 // comment length
    put16(directory, 0);                 // disk number
    put16(directory, 0);                 // internal attributes
    put32(directory, 0100644u << 16);    // external: regular file, rw-r--r--
    put32(directory, uint32_t(offset));  // local header offset
    directory.insert(directory.end(), member.begin(), member.end());
  }
  if (uint64_t(out.size()) + directory.size() >= kMax32)
    return resource_exhausted("save_npz: the archive would be over 4 GiB, which needs zip64 "
                              "(not supported) — save the largest arrays as .npy files");
  const uint32_t directory_offset = uint32_t(out.size());
  out.insert(out.end(), directory.begin(), directory.end());
  put32(out, kEndSignature);
  put16(out, 0);  // this disk
  put16(out, 0);  // disk with the directory
  put16(out, uint32_t(arrays.size()));
  put16(out, uint32_t(arrays.size()));
  put32(out, uint32_t(directory.size()));
  put32(out, directory_offset);
  put16(out, 0);  // comment length
  return out;
}

StatusOr<NpzArrays> load_npz(const std::string& path, uint64_t max_bytes) {
  StatusOr<std::vector<uint8_t>> bytes = read_file(path, max_bytes);
  if (!bytes.ok()) return bytes.status();
  return parse_npz(bytes.value().data(), bytes.value().size(), path, max_bytes);
}

Status save_npz(const std::string& path,
                const std::vector<std::pair<std::string, NpyArray>>& arrays) {
  StatusOr<std::vector<uint8_t>> bytes = encode_npz(arrays);
  if (!bytes.ok()) return bytes.status().with_context("writing " + path);
  return write_file_atomic(path, bytes.value());
}

std::string npz_keys_text(const NpzArrays& arrays) {
  std::string keys;
  for (const auto& entry : arrays) keys += (keys.empty() ? "" : ", ") + entry.first;
  return keys.empty() ? "nothing" : keys;
}

StatusOr<Matrix> npz_matrix(const NpzArrays& arrays, const std::string& name, const std::string& key, int32_t rows,
                            int32_t cols) {
  const auto it = arrays.find(key);
  if (it == arrays.end()) return not_found(name + ": no array '" + key + "'; the file holds: " + npz_keys_text(arrays));
  StatusOr<Matrix> m = npy_to_matrix(it->second, name + ": " + key);
  if (!m.ok()) return m.status();
  if (m.value().rows() != rows || (cols >= 0 && m.value().cols() != cols))
    return invalid_argument(name + ": " + key + " is " + m.value().shape() + ", expected " +
                            (cols >= 0 ? shape_string(rows, cols) : "(" + std::to_string(rows) + ", any)"));
  return m;
}

}  // namespace biornn
