// idx.cpp — reading and writing IDX files (MNIST's format), plain or gzip-compressed.
//
// Implements the file-format section of the MNIST database page (see idx.hpp): magic
// 0x0000TTNN, NN big-endian int32 dimensions, then the big-endian elements. Every size is
// checked against the bytes actually present before anything is allocated.
#include "biornn/idx.hpp"

#include <algorithm>
#include <cstring>

#include "biornn/inflate.hpp"

namespace biornn {
namespace {

std::string hex32(uint32_t v) {
  const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += digits[(v >> shift) & 15u];
  return s;
}

uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

bool known_type(uint8_t code) {
  return code == 0x08 || code == 0x09 || code == 0x0B || code == 0x0C || code == 0x0D ||
         code == 0x0E;
}

bool host_is_little_endian() {
  const uint16_t probe = 1;
  uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

// Reverses the bytes of every `width`-byte element (big-endian file <-> little-endian host).
void swap_elements(uint8_t* data, std::size_t bytes, int width) {
  if (width == 1 || !host_is_little_endian()) return;
  for (std::size_t i = 0; i + std::size_t(width) <= bytes; i += std::size_t(width))
    std::reverse(data + i, data + i + width);
}

std::string product_text(const std::vector<int32_t>& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? " × " : "") + std::to_string(dims[i]);
  return dims.empty() ? "1 (no dimensions)" : s;
}

// The bytes of `path`, gunzipped when they start with the gzip magic; *where says which.
StatusOr<std::vector<uint8_t>> read_maybe_gzip(const std::string& path, uint64_t max_bytes,
                                               std::string* where) {
  StatusOr<std::vector<uint8_t>> file = read_file(path, max_bytes);
  if (!file.ok()) return file.status();
  const std::vector<uint8_t>& raw = file.value();
  if (!is_gzip(raw.data(), raw.size())) {
    *where = "";
    return file;
  }
  *where = " of the decompressed data";
  const uint64_t limit = std::min<uint64_t>(max_bytes, SIZE_MAX);
  return gunzip(raw.data(), raw.size(), std::size_t(limit), path);
}

StatusOr<IdxArray> parse_idx_at(const uint8_t* d, std::size_t size, const std::string& name,
                                const std::string& where) {
  if (size < 4)
    return corrupt(name + ": the data" + where + " is " + std::to_string(size) +
                   " bytes long; an IDX file starts with a 4-byte magic number");
  const uint32_t magic = load_be32(d);
  if (d[0] != 0 || d[1] != 0 || !known_type(d[2]))
    return corrupt(name + ": expected an IDX magic number 0x0000TTNN (two zero bytes, a type "
                   "code 0x08-0x0E, a dimension count), found " + hex32(magic) + " at byte 0" +
                   where + " — this is not an IDX file");
  IdxArray array;
  array.type = IdxType(d[2]);
  const std::size_t ndims = d[3];
  const std::size_t header = 4 + 4 * ndims;
  if (size < header)
    return corrupt(name + ": the data" + where + " is " + std::to_string(size) +
                   " bytes long; the IDX header with " + std::to_string(ndims) +
                   " dimensions needs " + std::to_string(header) + " — the file is truncated");
  const std::size_t item = std::size_t(idx_type_size(array.type));
  const std::size_t available = size - header;
  // bytes = item * product(dims), computed only while it stays <= available (no overflow).
  std::size_t bytes = item;
  bool too_big = false, has_zero = false;
  for (std::size_t k = 0; k < ndims; ++k) {
    const int32_t dim = int32_t(load_be32(d + 4 + 4 * k));
    if (dim < 0)
      return corrupt(name + ": dimension " + std::to_string(k) + " (at byte " +
                     std::to_string(4 + 4 * k) + where + ") is " + std::to_string(dim) +
                     "; IDX dimensions are non-negative");
    array.dims.push_back(dim);
    if (dim == 0) has_zero = true;
    if (dim == 0 || too_big) continue;
    if (bytes > available / std::size_t(dim)) too_big = true;
    else bytes *= std::size_t(dim);
  }
  if (has_zero) {  // an empty array, whatever the other dimensions claim
    bytes = 0;
    too_big = false;
  }
  if (too_big || bytes != available)
    return corrupt(name + ": the header promises " + product_text(array.dims) + " elements of " +
                   std::to_string(item) + " byte(s) after byte " + std::to_string(header) +
                   where + ", but " + std::to_string(available) + " bytes follow — " +
                   (too_big || bytes > available ? "the file is truncated"
                                                 : "trailing bytes: wrong file or damaged header"));
  array.data.assign(d + header, d + size);
  swap_elements(array.data.data(), array.data.size(), int(item));
  return array;
}

// "expected magic 0x00000803 (unsigned byte, 3 dimensions), found ... — this looks like ..."
Status expect_magic(const IdxArray& a, int ndims, const std::string& name,
                    const std::string& where) {
  if (a.type == IdxType::kUInt8 && int(a.dims.size()) == ndims) return Status();
  const uint32_t expected = 0x0800u | uint32_t(ndims);
  const uint32_t found = uint32_t(a.type) << 8 | uint32_t(a.dims.size());
  std::string hint;
  if (found == 0x0801) hint = " — this looks like a labels file";
  if (found == 0x0803) hint = " — this looks like an images file";
  auto dimensions = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " dimension" : " dimensions"); };
  return corrupt(name + ": expected magic " + hex32(expected) + " (unsigned byte, " +
                 dimensions(std::size_t(ndims)) + "), found " + hex32(found) + " (" +
                 idx_type_name(a.type) + ", " + dimensions(a.dims.size()) + ") at byte 0" + where +
                 hint);
}

}  // namespace

const char* idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::kUInt8: return "unsigned byte";
    case IdxType::kInt8: return "signed byte";
    case IdxType::kInt16: return "short";
    case IdxType::kInt32: return "int";
    case IdxType::kFloat32: return "float";
    case IdxType::kFloat64: return "double";
  }
  return "unknown";
}

int idx_type_size(IdxType type) {
  switch (type) {
    case IdxType::kUInt8:
    case IdxType::kInt8: return 1;
    case IdxType::kInt16: return 2;
    case IdxType::kInt32:
    case IdxType::kFloat32: return 4;
    case IdxType::kFloat64: return 8;
  }
  return 1;
}

int64_t IdxArray::element_count() const {
  // A zero dimension first: parse_idx accepts (0, 2^31 - 1, 2^31 - 1), whose other
  // dimensions alone overflow 64 bits.
  for (const int32_t d : dims)
    if (d == 0) return 0;
  int64_t n = 1;
  for (const int32_t d : dims) n *= d;
  return n;
}

StatusOr<IdxArray> parse_idx(const uint8_t* data, std::size_t size, const std::string& name) {
  return parse_idx_at(data, size, name, "");
}

StatusOr<IdxArray> load_idx(const std::string& path, uint64_t max_bytes) {
  std::string where;
  StatusOr<std::vector<uint8_t>> bytes = read_maybe_gzip(path, max_bytes, &where);
  if (!bytes.ok()) return bytes.status();
  return parse_idx_at(bytes.value().data(), bytes.value().size(), path, where);
}

StatusOr<IdxImages> load_idx_images(const std::string& path, uint64_t max_bytes) {
  std::string where;
  StatusOr<std::vector<uint8_t>> bytes = read_maybe_gzip(path, max_bytes, &where);
  if (!bytes.ok()) return bytes.status();
  StatusOr<IdxArray> parsed = parse_idx_at(bytes.value().data(), bytes.value().size(), path, where);
  if (!parsed.ok()) return parsed.status();
  IdxArray& a = parsed.value();
  BIORNN_RETURN_IF_ERROR(expect_magic(a, 3, path, where));
  IdxImages images;
  images.count = a.dims[0];
  images.rows = a.dims[1];
  images.cols = a.dims[2];
  images.pixels = std::move(a.data);
  return images;
}

StatusOr<std::vector<uint8_t>> load_idx_labels(const std::string& path, int num_classes,
                                               uint64_t max_bytes) {
  std::string where;
  StatusOr<std::vector<uint8_t>> bytes = read_maybe_gzip(path, max_bytes, &where);
  if (!bytes.ok()) return bytes.status();
  StatusOr<IdxArray> parsed = parse_idx_at(bytes.value().data(), bytes.value().size(), path, where);
  if (!parsed.ok()) return parsed.status();
  IdxArray& a = parsed.value();
  BIORNN_RETURN_IF_ERROR(expect_magic(a, 1, path, where));
  if (num_classes > 0) {
    for (std::size_t i = 0; i < a.data.size(); ++i) {
      if (a.data[i] < num_classes) continue;
      return corrupt(path + ": label " + std::to_string(i) + " (at byte " + std::to_string(8 + i) +
                     where + ") is " + std::to_string(a.data[i]) + "; expected 0 to " +
                     std::to_string(num_classes - 1) + " for " + std::to_string(num_classes) +
                     " classes");
    }
  }
  return std::move(a.data);
}

Status check_mnist_pair(const IdxImages& images, const std::vector<uint8_t>& labels,
                        const std::string& images_name, const std::string& labels_name) {
  if (int64_t(labels.size()) == images.count) return Status();
  return invalid_argument(images_name + " holds " + std::to_string(images.count) + " images but " +
                          labels_name + " holds " + std::to_string(labels.size()) +
                          " labels; expected one label per image — are both from the same "
                          "set (train vs t10k)?");
}

std::vector<uint8_t> encode_idx(const IdxArray& array) {
  BIORNN_CHECK(array.dims.size() <= 255, "encode_idx: an IDX file has at most 255 dimensions");
  const int item = idx_type_size(array.type);
  BIORNN_CHECK(array.element_count() * item == int64_t(array.data.size()),
               "encode_idx: data holds " + std::to_string(array.data.size()) + " bytes, dims " +
                   product_text(array.dims) + " need " + std::to_string(array.element_count() * item));
  std::vector<uint8_t> out = {0, 0, uint8_t(array.type), uint8_t(array.dims.size())};
  for (const int32_t d : array.dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(uint32_t(d) >> shift));
  const std::size_t header = out.size();
  out.insert(out.end(), array.data.begin(), array.data.end());
  swap_elements(out.data() + header, array.data.size(), item);
  return out;
}

Status save_idx(const std::string& path, const IdxArray& array) {
  return write_file_atomic(path, encode_idx(array));
}

}  // namespace biornn
