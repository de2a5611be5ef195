// test_idx.cpp — IDX (MNIST) files: every element type, plain and gzipped (detected by magic),
// every malformed header, and the real Fashion-MNIST files when the Debian package
// dataset-fashion-mnist is installed.
#include "doctest/doctest.h"

#include <cstring>
#include <string>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/idx.hpp"
#include "io_test_util.hpp"

using namespace biornn;
using io_test::contains;
using io_test::TempDir;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

IdxArray make_images(int32_t n, int32_t rows, int32_t cols) {
  IdxArray a;
  a.type = IdxType::kUInt8;
  a.dims = {n, rows, cols};
  for (int32_t i = 0; i < n * rows * cols; ++i) a.data.push_back(uint8_t(i * 7 + 3));
  return a;
}

IdxArray make_labels(std::vector<uint8_t> values) {
  IdxArray a;
  a.dims = {int32_t(values.size())};
  a.data = std::move(values);
  return a;
}

Status parse_status(const std::vector<uint8_t>& bytes) {
  StatusOr<IdxArray> a = parse_idx(bytes.data(), bytes.size(), "x.idx");
  return a.ok() ? Status() : a.status();
}

}  // namespace

TEST_CASE("IDX arrays of every element type survive encode and parse, big-endian on disk") {
  IdxArray ints;
  ints.type = IdxType::kInt32;
  ints.dims = {2, 2};
  const int32_t values[4] = {1, -2, 0x01020304, -2147483647 - 1};
  ints.data.resize(sizeof values);
  std::memcpy(ints.data.data(), values, sizeof values);
  const std::vector<uint8_t> bytes = encode_idx(ints);
  REQUIRE(bytes.size() == 4 + 8 + 16);
  CHECK(bytes[2] == 0x0C);
  CHECK(bytes[3] == 2);
  CHECK(bytes[20] == 0x01);  // the third value, big-endian, after the 12-byte header
  CHECK(bytes[23] == 0x04);
  StatusOr<IdxArray> back = parse_idx(bytes.data(), bytes.size(), "ints.idx");
  REQUIRE(back.ok());
  CHECK(back.value().dims == ints.dims);
  CHECK(back.value().data == ints.data);

  for (const IdxType type : {IdxType::kUInt8, IdxType::kInt8, IdxType::kInt16, IdxType::kFloat32,
                             IdxType::kFloat64}) {
    CAPTURE(idx_type_name(type));
    IdxArray a;
    a.type = type;
    a.dims = {3};
    a.data = io_test::sample_bytes(std::size_t(3 * idx_type_size(type)), uint32_t(type));
    const std::vector<uint8_t> encoded = encode_idx(a);
    StatusOr<IdxArray> parsed = parse_idx(encoded.data(), encoded.size(), "a.idx");
    REQUIRE(parsed.ok());
    CHECK(parsed.value().type == type);
    CHECK(parsed.value().data == a.data);
    CHECK(parsed.value().element_count() == 3);
  }
}

TEST_CASE("images and labels load from plain and gzipped files alike, whatever their names") {
  TempDir dir;
  REQUIRE(dir.ok());
  const IdxArray images = make_images(4, 3, 2);
  const IdxArray labels = make_labels({3, 1, 4, 1});
  REQUIRE(save_idx(dir.file("images-idx3-ubyte"), images).ok());
  REQUIRE(save_idx(dir.file("labels-idx1-ubyte"), labels).ok());
  // Gzipped content under a name without .gz, and the other way round: the magic decides.
  REQUIRE(write_file_atomic(dir.file("images.bin"), io_test::gzip_stored(encode_idx(images))).ok());
  REQUIRE(write_file_atomic(dir.file("labels.gz"), io_test::gzip_stored(encode_idx(labels))).ok());
  for (const char* name : {"images-idx3-ubyte", "images.bin"}) {
    CAPTURE(name);
    StatusOr<IdxImages> im = load_idx_images(dir.file(name));
    REQUIRE_MESSAGE(im.ok(), im.status().to_string());
    CHECK(im.value().count == 4);
    CHECK(im.value().rows == 3);
    CHECK(im.value().cols == 2);
    CHECK(im.value().pixels == images.data);
    CHECK(im.value().image(2)[1] == images.data[2 * 6 + 1]);
  }
  for (const char* name : {"labels-idx1-ubyte", "labels.gz"}) {
    CAPTURE(name);
    StatusOr<std::vector<uint8_t>> lb = load_idx_labels(dir.file(name), 10);
    REQUIRE_MESSAGE(lb.ok(), lb.status().to_string());
    CHECK(lb.value() == labels.data);
    CHECK(check_mnist_pair(load_idx_images(dir.file("images.bin")).value(), lb.value(), "i", "l").ok());
  }
}

TEST_CASE("a labels file given as images (and the reverse) is named for what it looks like") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string labels_path = dir.file("train-labels-idx1-ubyte.gz");
  const std::string images_path = dir.file("train-images-idx3-ubyte");
  REQUIRE(write_file_atomic(labels_path, io_test::gzip_stored(encode_idx(make_labels({1, 2})))).ok());
  REQUIRE(save_idx(images_path, make_images(2, 2, 2)).ok());
  StatusOr<IdxImages> wrong = load_idx_images(labels_path);
  REQUIRE_FALSE(wrong.ok());
  const std::string m = wrong.status().message();
  CHECK(contains(m, "train-labels-idx1-ubyte.gz: expected magic 0x00000803 (unsigned byte, 3 dimensions)"));
  CHECK(contains(m, "found 0x00000801"));
  CHECK(contains(m, "at byte 0 of the decompressed data"));
  CHECK(contains(m, "this looks like a labels file"));
  StatusOr<std::vector<uint8_t>> reverse = load_idx_labels(images_path);
  REQUIRE_FALSE(reverse.ok());
  CHECK(contains(reverse.status().message(), "expected magic 0x00000801 (unsigned byte, 1 dimension)"));
  CHECK(contains(reverse.status().message(), "this looks like an images file"));
}

TEST_CASE("malformed IDX headers and sizes are corrupt-input errors naming the byte") {
  const std::vector<uint8_t> good = encode_idx(make_images(2, 3, 4));
  CHECK(parse_status(good).ok());

  CHECK(contains(parse_status({0, 0}).message(), "is 2 bytes long"));
  std::vector<uint8_t> f = good;
  f[0] = 0x1f;
  CHECK(contains(parse_status(f).message(), "found 0x1f000803 at byte 0 — this is not an IDX file"));
  f = good;
  f[2] = 0x07;
  CHECK(contains(parse_status(f).message(), "found 0x00000703"));
  f.assign(good.begin(), good.begin() + 10);
  CHECK(contains(parse_status(f).message(), "with 3 dimensions needs 16 — the file is truncated"));
  f = good;
  f[8] = 0xFF;  // dimension 1 becomes negative
  CHECK(contains(parse_status(f).message(), "dimension 1 (at byte 8) is -16777213"));
  f = good;
  f.pop_back();
  CHECK(contains(parse_status(f).message(), "2 × 3 × 4 elements of 1 byte(s) after byte 16, but 23 bytes follow — the file is truncated"));
  f = good;
  f.push_back(0);
  CHECK(contains(parse_status(f).message(), "trailing bytes"));
}

TEST_CASE("a header claiming 2^31 × 2^31 × 2^31 items is rejected without allocating anything") {
  std::vector<uint8_t> f = {0, 0, 0x08, 3};
  for (int d = 0; d < 3; ++d)
    for (const uint8_t b : {0x7F, 0xFF, 0xFF, 0xFF}) f.push_back(b);
  f.resize(f.size() + 100, 0);
  const Status s = parse_status(f);
  CHECK(s.code() == StatusCode::kCorrupt);
  CHECK(contains(s.message(), "2147483647 × 2147483647 × 2147483647 elements"));
  CHECK(contains(s.message(), "truncated"));
  // A zero dimension makes an empty array, whatever the others claim.
  std::vector<uint8_t> empty = {0, 0, 0x08, 2, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF};
  StatusOr<IdxArray> a = parse_idx(empty.data(), empty.size(), "empty.idx");
  REQUIRE(a.ok());
  CHECK(a.value().element_count() == 0);
}

TEST_CASE("a gzipped IDX file cut anywhere is a clean error naming the file") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::vector<uint8_t> gz = io_test::gzip_stored(encode_idx(make_labels({1, 2, 3, 4, 5})));
  // In the gzip header, the stored-block header, the IDX header, the labels, the trailer.
  for (const std::size_t n : {std::size_t(0), std::size_t(2), std::size_t(9), std::size_t(12),
                              std::size_t(17), std::size_t(22), gz.size() - 8, gz.size() - 1}) {
    CAPTURE(n);
    const std::string path = dir.file("cut.gz");
    REQUIRE(write_file_atomic(path, std::vector<uint8_t>(gz.begin(), gz.begin() + long(n))).ok());
    StatusOr<std::vector<uint8_t>> lb = load_idx_labels(path);
    REQUIRE_FALSE(lb.ok());
    CHECK(contains(lb.status().message(), path));
  }
}

TEST_CASE("labels out of range and image/label counts that differ are reported") {
  TempDir dir;
  REQUIRE(dir.ok());
  REQUIRE(save_idx(dir.file("l"), make_labels({0, 9, 12, 3})).ok());
  CHECK(load_idx_labels(dir.file("l")).ok());  // no class count: any byte is a label
  StatusOr<std::vector<uint8_t>> lb = load_idx_labels(dir.file("l"), 10);
  REQUIRE_FALSE(lb.ok());
  CHECK(contains(lb.status().message(), "label 2 (at byte 10) is 12; expected 0 to 9 for 10 classes"));
  IdxImages images;
  images.count = 3;
  const Status s = check_mnist_pair(images, {1, 2}, "train-images", "t10k-labels");
  REQUIRE_FALSE(s.ok());
  CHECK(contains(s.message(), "train-images holds 3 images but t10k-labels holds 2 labels"));
  CHECK(load_idx_images(dir.file("missing")).status().code() == StatusCode::kNotFound);
}

TEST_CASE("Fashion-MNIST from the Debian package loads: 60000 and 10000 images of 28 × 28, labels 0-9") {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  if (!file_exists(dir + "train-images-idx3-ubyte.gz")) {
    MESSAGE("skipped: the Debian package dataset-fashion-mnist is not installed");
    return;
  }
  struct Split {
    const char* images;
    const char* labels;
    int32_t count;
  };
  std::vector<Split> splits = {{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000}};
  if (!kSanitized) {
    splits.push_back({"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60000});
  } else {
    MESSAGE("sanitizer build: only the t10k split is loaded (the 47 MB train split takes seconds here)");
  }
  for (const Split& s : splits) {
    CAPTURE(s.images);
    StatusOr<IdxImages> images = load_idx_images(dir + s.images);
    REQUIRE_MESSAGE(images.ok(), images.status().to_string());
    StatusOr<std::vector<uint8_t>> labels = load_idx_labels(dir + s.labels, 10);
    REQUIRE_MESSAGE(labels.ok(), labels.status().to_string());
    CHECK(images.value().count == s.count);
    CHECK(images.value().rows == 28);
    CHECK(images.value().cols == 28);
    CHECK(labels.value().size() == std::size_t(s.count));
    CHECK(check_mnist_pair(images.value(), labels.value(), s.images, s.labels).ok());
    int64_t per_class[10] = {0};
    for (const uint8_t l : labels.value()) ++per_class[l];
    for (const int64_t n : per_class) CHECK(n == s.count / 10);  // the set is balanced
  }
}
