// idx.hpp — the IDX array format of MNIST and Fashion-MNIST, plain or gzip-compressed.
//
// An IDX file is a 4-byte magic number — two zero bytes, a type code, the number of
// dimensions — then one big-endian int32 per dimension, then the elements in C order,
// big-endian. MNIST images are type 0x08 (unsigned byte) with 3 dimensions (magic 0x00000803:
// count, rows, cols); labels are 0x08 with 1 dimension (0x00000801). All six IDX element types
// are read (elements are converted to the host's byte order). A file that starts with the gzip
// magic bytes is decompressed first, whatever its name.
//
// The header is never trusted: a negative dimension, a product of dimensions that does not
// equal the data actually present (truncated file, trailing bytes), or one that would overflow
// is a kCorrupt Status naming the file and byte offset. Offsets in a .gz file's messages are
// offsets in its decompressed data.
//
// Reference: Y. LeCun et al., "THE MNIST DATABASE of handwritten digits", file format section.
// Not here: normalising pixels to [0, 1] or building batches (the tasks module does that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/status.hpp"

namespace biornn {

enum class IdxType : uint8_t {
  kUInt8 = 0x08,
  kInt8 = 0x09,
  kInt16 = 0x0B,
  kInt32 = 0x0C,
  kFloat32 = 0x0D,
  kFloat64 = 0x0E,
};

// "unsigned byte", "signed byte", "short", "int", "float", "double" (the format's own names).
const char* idx_type_name(IdxType type);
// Bytes per element: 1, 1, 2, 4, 4, 8.
int idx_type_size(IdxType type);

struct IdxArray {
  IdxType type = IdxType::kUInt8;
  std::vector<int32_t> dims;  // each >= 0
  std::vector<uint8_t> data;  // product(dims) elements, C order, host byte order
  int64_t element_count() const;
};

// MNIST-style images: count × rows × cols unsigned bytes, image after image, row-major.
struct IdxImages {
  int32_t count = 0;
  int32_t rows = 0;
  int32_t cols = 0;
  std::vector<uint8_t> pixels;
  const uint8_t* image(int32_t i) const { return pixels.data() + int64_t(i) * rows * cols; }
};

// Parses IDX bytes already in memory (not compressed). `name` is used in messages.
StatusOr<IdxArray> parse_idx(const uint8_t* data, std::size_t size, const std::string& name);

// Reads an IDX file, decompressing it first if it is gzip. `max_bytes` bounds both the file
// and its decompressed size.
StatusOr<IdxArray> load_idx(const std::string& path, uint64_t max_bytes = kDefaultMaxFileBytes);

// An images file: magic 0x00000803 (unsigned byte, 3 dimensions).
StatusOr<IdxImages> load_idx_images(const std::string& path,
                                    uint64_t max_bytes = kDefaultMaxFileBytes);

// A labels file: magic 0x00000801 (unsigned byte, 1 dimension). When num_classes > 0, every
// label must be < num_classes (10 for MNIST).
StatusOr<std::vector<uint8_t>> load_idx_labels(const std::string& path, int num_classes = 0,
                                               uint64_t max_bytes = kDefaultMaxFileBytes);

// The images and labels belong together: one label per image. Names are used in messages.
Status check_mnist_pair(const IdxImages& images, const std::vector<uint8_t>& labels,
                        const std::string& images_name, const std::string& labels_name);

// The IDX bytes of an array (big-endian, uncompressed); dims must match data's size.
std::vector<uint8_t> encode_idx(const IdxArray& array);
// encode_idx, written atomically.
Status save_idx(const std::string& path, const IdxArray& array);

}  // namespace biornn
