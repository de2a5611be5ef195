// test_npy.cpp — .npy files: fixtures written by numpy (tests/data/io/make_io_fixtures.sh),
// round trips of every dtype, Matrix/Mask conversions, and each malformed header or size.
#include "doctest/doctest.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/npy.hpp"
#include "io_test_util.hpp"

using namespace biornn;
using io_test::contains;
using io_test::TempDir;

namespace {

NpyArray load_fixture(const std::string& name) {
  StatusOr<NpyArray> a = load_npy(io_test::fixture(name));
  REQUIRE_MESSAGE(a.ok(), a.status().to_string());
  return a.value();
}

template <class T>
std::vector<T> values_of(const NpyArray& a) {
  std::vector<T> out(a.data.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), a.data.data(), a.data.size());
  return out;
}

// A .npy file with the given header dict (padded as numpy pads) and data bytes.
std::vector<uint8_t> npy_with_header(const std::string& dict, std::size_t data_bytes) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file("\x93NUMPY\x01", 7);
  file += '\0';
  file += char(header.size() & 0xFF);
  file += char(header.size() >> 8);
  file += header;
  file.append(data_bytes, '\0');
  return std::vector<uint8_t>(file.begin(), file.end());
}

Status parse_status(const std::vector<uint8_t>& bytes) {
  StatusOr<NpyArray> a = parse_npy(bytes.data(), bytes.size(), "a.npy");
  return a.ok() ? Status() : a.status();
}

}  // namespace

TEST_CASE("arrays saved by numpy load with their dtype, shape and values") {
  const NpyArray f4 = load_fixture("f4_2x3.npy");
  CHECK(f4.dtype == NpyDtype::kFloat32);
  CHECK(f4.shape == std::vector<int64_t>{2, 3});
  CHECK(values_of<float>(f4) == std::vector<float>{-1, -0.5f, 0, 0.5f, 1, 1.5f});
  const NpyArray f8 = load_fixture("f8_1d.npy");
  CHECK(f8.shape == std::vector<int64_t>{4});
  CHECK(values_of<double>(f8) == std::vector<double>{0.1, -2.5, 1e-300, 3.0});
  CHECK(values_of<int32_t>(load_fixture("i4_1d.npy")) == std::vector<int32_t>{-7, 0, 2147483647});
  const NpyArray i8 = load_fixture("i8_2x2.npy");
  CHECK(i8.shape == std::vector<int64_t>{2, 2});
  CHECK(values_of<int64_t>(i8) == std::vector<int64_t>{-(int64_t(1) << 40), 1, 2, int64_t(1) << 62});
  CHECK(load_fixture("u1_1d.npy").data == std::vector<uint8_t>{0, 1, 255});
  const NpyArray b1 = load_fixture("b1_2x3.npy");
  CHECK(b1.dtype == NpyDtype::kBool);
  CHECK(b1.data == std::vector<uint8_t>{1, 0, 1, 0, 0, 1});
  for (const char* name : {"f8_v2.npy", "f8_v3.npy"}) {  // format versions 2.0 and 3.0
    CAPTURE(name);
    const NpyArray v = load_fixture(name);
    CHECK(v.shape == std::vector<int64_t>{2, 2});
    CHECK(values_of<double>(v) == std::vector<double>{0, 1, 2, 3});
  }
}

TEST_CASE("Fortran order and big-endian dtypes are refused with the numpy call that fixes them") {
  StatusOr<NpyArray> fortran = load_npy(io_test::fixture("f8_fortran.npy"));
  REQUIRE_FALSE(fortran.ok());
  CHECK(fortran.status().code() == StatusCode::kUnsupported);
  CHECK(contains(fortran.status().message(), "f8_fortran.npy: the array (2, 3) is stored in Fortran order"));
  CHECK(contains(fortran.status().message(), "np.ascontiguousarray(a)"));
  StatusOr<NpyArray> big = load_npy(io_test::fixture("f8_bigendian.npy"));
  REQUIRE_FALSE(big.ok());
  CHECK(contains(big.status().message(), "dtype '>f8' is not little-endian"));
  CHECK(contains(big.status().message(), "a.astype('<f8')"));
  // Fortran order of an array with at most one dimension > 1 is the same layout as C order.
  CHECK(parse_status(npy_with_header("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 3), }", 24)).ok());
}

TEST_CASE("every dtype and shape survives save_npy and load_npy, with the data 64-byte aligned") {
  TempDir dir;
  REQUIRE(dir.ok());
  std::vector<NpyArray> arrays = {
      npy_from_floats({1.5f, -2, 3}),
      npy_from_doubles({1, 2, 3, 4, 5, 6}, {1, 2, 3}),
      npy_from_int32({-1, 2}, {2, 1}),
      npy_from_int64({int64_t(1) << 50}),
      npy_from_uint8({0, 255, 7, 9}, {2, 2}),
      npy_from_bools({1, 0, 1}),
      npy_from_doubles({}, {0, 5}),
      npy_from_doubles({42.0}, {1}),
  };
  NpyArray scalar = npy_from_doubles({2.5});
  scalar.shape.clear();  // 0-d
  arrays.push_back(scalar);
  for (std::size_t k = 0; k < arrays.size(); ++k) {
    CAPTURE(k);
    const std::string path = dir.file("a" + std::to_string(k) + ".npy");
    REQUIRE(save_npy(path, arrays[k]).ok());
    const std::vector<uint8_t> bytes = read_file(path).value();
    const std::size_t header_len = bytes[8] | bytes[9] << 8;
    CHECK((10 + header_len) % 64 == 0);
    CHECK(bytes[10 + header_len - 1] == '\n');
    StatusOr<NpyArray> back = load_npy(path);
    REQUIRE_MESSAGE(back.ok(), back.status().to_string());
    CHECK(back.value().dtype == arrays[k].dtype);
    CHECK(back.value().shape == arrays[k].shape);
    CHECK(back.value().data == arrays[k].data);
  }
  CHECK(scalar.shape_string() == "()");
  CHECK(arrays[0].shape_string() == "(3,)");
  CHECK(arrays[1].shape_string() == "(1, 2, 3)");
  const std::vector<uint8_t> header = encode_npy(arrays[1]);
  CHECK(contains(std::string(header.begin() + 10, header.end()),
                 "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3), }"));
}

TEST_CASE("a Matrix round-trips through .npy as f4 in float builds and f8 in double builds") {
  const Matrix m = Matrix::from_rows({{1, -2.5, 3}, {0.125, 5, -6}});
  const NpyArray a = npy_from_matrix(m);
  CHECK(a.dtype == (sizeof(real) == 4 ? NpyDtype::kFloat32 : NpyDtype::kFloat64));
  CHECK(a.shape == std::vector<int64_t>{2, 3});
  StatusOr<Matrix> back = npy_to_matrix(a, "m");
  REQUIRE(back.ok());
  CHECK(bitwise_equal(back.value(), m));
  // A block view (ld > cols) is written compactly.
  const NpyArray block = npy_from_matrix(m.view().block(0, 1, 2, 2));
  CHECK(npy_to_matrix(block, "b").value().at(1, 1) == real(-6));
  // f8 data converts to either precision; a 1-D array becomes one row, as np.atleast_2d.
  StatusOr<Matrix> row = npy_to_matrix(load_fixture("f8_1d.npy"), "f8_1d.npy");
  REQUIRE(row.ok());
  CHECK(row.value().rows() == 1);
  CHECK(row.value().cols() == 4);
  CHECK(row.value()(0, 1) == real(-2.5));
  CHECK(npy_to_matrix(load_fixture("f4_2x3.npy"), "f4").value()(1, 2) == real(1.5));
}

TEST_CASE("converting to a Matrix rejects wrong rank, wrong dtype and non-finite values") {
  StatusOr<Matrix> rank3 = npy_to_matrix(npy_from_doubles({1, 2}, {1, 1, 2}), "w.npy");
  CHECK(contains(rank3.status().message(), "w.npy: expected a 1-D or 2-D array, found shape (1, 1, 2)"));
  StatusOr<Matrix> ints = npy_to_matrix(npy_from_int32({1}), "i.npy");
  CHECK(contains(ints.status().message(), "expected a floating-point array (<f4 or <f8), found <i4"));
  const NpyArray nan = load_fixture("f8_nan.npy");
  StatusOr<Matrix> rejected = npy_to_matrix(nan, "f8_nan.npy");
  REQUIRE_FALSE(rejected.ok());
  CHECK(contains(rejected.status().message(), "f8_nan.npy: element (0, 1) is NaN"));
  StatusOr<Matrix> allowed = npy_to_matrix(nan, "f8_nan.npy", true);
  REQUIRE(allowed.ok());
  CHECK(std::isnan(allowed.value()(0, 1)));
  StatusOr<Matrix> huge = npy_to_matrix(npy_from_doubles({1e300}), "h.npy");
  if (sizeof(real) == 4) {
    CHECK(contains(huge.status().message(), "element (0, 0) = 1e+300 is too large for float"));
  } else {
    CHECK(huge.ok());
  }
}

TEST_CASE("masks and integer vectors convert both ways, and only 0/1 count as bools") {
  Mask mask(2, 3);
  mask.set(0, 2, true);
  mask.set(1, 0, true);
  const NpyArray a = npy_from_mask(mask);
  CHECK(a.dtype == NpyDtype::kBool);
  StatusOr<Mask> back = npy_to_mask(a, "m");
  REQUIRE(back.ok());
  CHECK(back.value() == mask);
  CHECK(npy_to_mask(load_fixture("b1_2x3.npy"), "b").value().count() == 3);
  StatusOr<Mask> bad = npy_to_mask(npy_from_uint8({0, 2}, {1, 2}), "u.npy");
  CHECK(contains(bad.status().message(), "u.npy: bool element 1 (byte 1) is 2"));
  CHECK(contains(npy_to_mask(npy_from_bools({1}), "v").status().message(), "expected a 2-D mask"));
  CHECK(npy_to_int64(load_fixture("i4_1d.npy"), "i").value() == std::vector<int64_t>{-7, 0, 2147483647});
  CHECK(npy_to_int64(npy_from_bools({1, 0}), "b").value() == std::vector<int64_t>{1, 0});
  CHECK(contains(npy_to_int64(npy_from_floats({1}), "f").status().message(), "expected an integer array"));
  std::vector<uint8_t> file = encode_npy(npy_from_bools({0, 1, 1}));
  file.back() = 3;
  CHECK(contains(parse_status(file).message(), "bool element 2"));
}

TEST_CASE("the header dict is parsed strictly: each malformed header names its fault") {
  struct Case {
    std::string dict;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"{'descr': '<f8', 'fortran_order': False, }", "no 'shape' key"},
      {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", "'descr' appears twice"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1, }", "unexpected key 'extra'"},
      {"{'descr': '<f8, 'fortran_order': False, 'shape': (1,), }", "expected ',' or '}' after the value of 'descr'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1), }", "not a tuple (a 1-tuple is written (n,))"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", "expected a non-negative integer dimension"},
      {"{'descr': '<f8', 'fortran_order': false, 'shape': (1,), }", "expected True or False"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } x", "unexpected text after the header dict"},
      {"{'descr': '<f\\x38', 'fortran_order': False, 'shape': (1,), }", "escape sequences"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", "too large for a 64-bit integer"},
      {"{'descr': '<f8' 'fortran_order': False, 'shape': (1,), }", "expected ',' or '}'"},
      {"['descr', '<f8']", "expected '{' opening the header dict"},
      {"{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", "dtype '<c16' is not supported"},
      {"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "object arrays"},
      {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", "structured dtypes"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.dict);
    const Status s = parse_status(npy_with_header(c.dict, 8));
    REQUIRE_FALSE(s.ok());
    CHECK(contains(s.message(), c.expected));
    CHECK(contains(s.message(), "a.npy"));
  }
  // Python 2 numpy wrote longs with an L suffix; double quotes are valid Python too.
  CHECK(parse_status(npy_with_header("{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (1L,)}", 8)).ok());
  CHECK(parse_status(npy_with_header("{'descr':'<f8','fortran_order':False,'shape':()}", 8)).ok());
}

TEST_CASE("wrong magic, unknown version, truncation and impossible shapes are clean errors") {
  CHECK(contains(parse_status({'P', 'K', 3, 4, 0, 0, 0}).message(), "read it with load_npz"));
  CHECK(contains(parse_status({'n', 'o'}).message(), "expected the .npy magic \\x93NUMPY at byte 0"));
  std::vector<uint8_t> v4 = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 8);
  v4[6] = 4;
  CHECK(contains(parse_status(v4).message(), "version 4.0 at byte 6 is not supported"));
  const std::vector<uint8_t> good = encode_npy(npy_from_doubles({1, 2, 3}, {3, 1}));
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Status s = parse_status(std::vector<uint8_t>(good.begin(), good.begin() + long(n)));
    REQUIRE_FALSE(s.ok());
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  CHECK(contains(parse_status(longer).message(), "trailing bytes"));
  const Status huge = parse_status(npy_with_header(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }", 16));
  CHECK(huge.code() == StatusCode::kCorrupt);
  CHECK(contains(huge.message(), "truncated"));
  StatusOr<NpyArray> empty = parse_npy(nullptr, 0, "empty.npy");
  CHECK_FALSE(empty.ok());
}
