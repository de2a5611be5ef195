// test_npz.cpp — .npz archives: numpy's own np.savez / np.savez_compressed fixtures, our
// writer, each structural fault of a zip archive, and (when python3 with numpy is installed)
// a round trip through numpy in both directions.
#include "doctest/doctest.h"

#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/npz.hpp"
#include "io_test_util.hpp"

using namespace biornn;
using io_test::contains;
using io_test::TempDir;

namespace {

template <class T>
std::vector<T> values_of(const NpyArray& a) {
  std::vector<T> out(a.data.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), a.data.data(), a.data.size());
  return out;
}

uint32_t le32(const std::vector<uint8_t>& b, std::size_t at) {
  return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
void set16(std::vector<uint8_t>& b, std::size_t at, uint32_t v) {
  b[at] = uint8_t(v);
  b[at + 1] = uint8_t(v >> 8);
}
void set32(std::vector<uint8_t>& b, std::size_t at, uint32_t v) {
  set16(b, at, v & 0xFFFF);
  set16(b, at + 2, v >> 16);
}

// Offsets of every occurrence of `s` in `b`.
std::vector<std::size_t> find_all(const std::vector<uint8_t>& b, const std::string& s) {
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i + s.size() <= b.size(); ++i)
    if (std::memcmp(b.data() + i, s.data(), s.size()) == 0) at.push_back(i);
  return at;
}

std::vector<std::pair<std::string, NpyArray>> sample_arrays() {
  Mask mask(2, 2);
  mask.set(1, 0, true);
  return {{"W", npy_from_doubles({0.5, -1.25, 3, 4}, {2, 2})},
          {"mask", npy_from_mask(mask)},
          {"labels", npy_from_int32({7, 8, 9})}};
}

std::vector<uint8_t> sample_archive() {
  StatusOr<std::vector<uint8_t>> bytes = encode_npz(sample_arrays());
  REQUIRE(bytes.ok());
  return bytes.value();
}

Status parse_status(const std::vector<uint8_t>& bytes, uint64_t limit = 1 << 20) {
  StatusOr<NpzArrays> a = parse_npz(bytes.data(), bytes.size(), "t.npz", limit);
  return a.ok() ? Status() : a.status();
}

// W, mask and idx as make_io_fixtures.sh saves them.
void check_numpy_fixture_arrays(const NpzArrays& arrays) {
  REQUIRE(arrays.size() == 3);
  const NpyArray& W = arrays.at("W");
  CHECK(W.shape == std::vector<int64_t>{3, 4});
  const std::vector<double> w = values_of<double>(W);
  for (int k = 0; k < 12; ++k) CHECK(w[std::size_t(k)] == (k - 5) / 4.0);
  CHECK(arrays.at("mask").data == std::vector<uint8_t>{1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0});
  CHECK(values_of<int64_t>(arrays.at("idx")) == std::vector<int64_t>{3, 1, 4, 1, 5});
}

// Runs `script` with the first python3 that has numpy (the one on PATH, then the system one).
// Returns false when none has numpy; a failing script fails the test.
bool run_with_numpy(const std::string& script_path, const std::string& argument) {
  for (const char* python : {"python3", "/usr/bin/python3"}) {
    const int status = std::system((std::string(python) + " '" + script_path + "' '" + argument +
                                    "' 2>/dev/null").c_str());
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 77) continue;  // no numpy
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127) continue;  // no python
    REQUIRE_MESSAGE(status == 0, (std::string(python) + " " + script_path + " failed"));
    return true;
  }
  return false;
}

}  // namespace

TEST_CASE("archives written by np.savez and np.savez_compressed load with every array intact") {
  for (const char* name : {"savez.npz", "savez_compressed.npz"}) {
    CAPTURE(name);
    StatusOr<NpzArrays> arrays = load_npz(io_test::fixture(name));
    REQUIRE_MESSAGE(arrays.ok(), arrays.status().to_string());
    check_numpy_fixture_arrays(arrays.value());
  }
}

TEST_CASE("save_npz then load_npz gives back every array, and the bytes are deterministic") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string path = dir.file("weights.npz");
  REQUIRE(save_npz(path, sample_arrays()).ok());
  StatusOr<NpzArrays> back = load_npz(path);
  REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  REQUIRE(back.value().size() == 3);
  for (const auto& entry : sample_arrays()) {
    CAPTURE(entry.first);
    const NpyArray& got = back.value().at(entry.first);
    CHECK(got.dtype == entry.second.dtype);
    CHECK(got.shape == entry.second.shape);
    CHECK(got.data == entry.second.data);
  }
  CHECK(read_file(path).value() == sample_archive());
  REQUIRE(save_npz(dir.file("empty.npz"), {}).ok());
  CHECK(load_npz(dir.file("empty.npz")).value().empty());
}

TEST_CASE("npz_matrix: the array under a key with its shape checked; every refusal names the file and the key") {
  Matrix w(2, 3);
  for (int32_t i = 0; i < 2; ++i)
    for (int32_t j = 0; j < 3; ++j) w(i, j) = real(10 * i + j);
  NpzArrays arrays;
  arrays["W"] = npy_from_matrix(w);
  arrays["b"] = npy_from_matrix(Matrix(1, 4, real(1)));
  StatusOr<Matrix> got = npz_matrix(arrays, "m.npz", "W", 2, 3);
  REQUIRE_MESSAGE(got.ok(), got.status().to_string());
  CHECK(got.value().shape() == "(2, 3)");
  CHECK(got.value()(1, 2) == real(12));
  CHECK(npz_matrix(arrays, "m.npz", "W", 2, -1).ok());  // any column count

  const auto refused = [&](const std::string& key, int32_t rows, int32_t cols, StatusCode code, const std::string& text) {
    StatusOr<Matrix> m = npz_matrix(arrays, "m.npz", key, rows, cols);
    REQUIRE_FALSE(m.ok());
    CAPTURE(m.status().message());
    CHECK(m.status().code() == code);
    CHECK(m.status().message().rfind("m.npz: ", 0) == 0);
    CHECK(m.status().message().find(text) != std::string::npos);
  };
  refused("W_out", 2, 3, StatusCode::kNotFound, "no array 'W_out'; the file holds: W, b");
  refused("W", 3, 3, StatusCode::kInvalidArgument, "W is (2, 3), expected (3, 3)");
  refused("W", 2, 4, StatusCode::kInvalidArgument, "W is (2, 3), expected (2, 4)");
  refused("W", 1, -1, StatusCode::kInvalidArgument, "W is (2, 3), expected (1, any)");
  arrays["W"] = npy_from_matrix(Matrix(2, 3, std::numeric_limits<real>::quiet_NaN()));
  refused("W", 2, 3, StatusCode::kInvalidArgument, "m.npz: W: ");
  refused("W", 2, 3, StatusCode::kInvalidArgument, " is NaN");
  CHECK(npz_matrix(NpzArrays(), "e.npz", "W", 1, 1).status().message() == "e.npz: no array 'W'; the file holds: nothing");
}

TEST_CASE("save_npz refuses empty and duplicate keys") {
  TempDir dir;
  REQUIRE(dir.ok());
  const NpyArray a = npy_from_doubles({1});
  const Status empty = save_npz(dir.file("x.npz"), {{"", a}});
  CHECK(empty.code() == StatusCode::kInvalidArgument);
  CHECK(contains(empty.message(), "empty key"));
  const Status twice = save_npz(dir.file("x.npz"), {{"w", a}, {"w", a}});
  CHECK(contains(twice.message(), "the key 'w' appears twice"));
  CHECK_FALSE(file_exists(dir.file("x.npz")));
}

TEST_CASE("files that are not zip archives are named for what they are") {
  const std::vector<uint8_t> npy = encode_npy(npy_from_doubles({1, 2}));
  CHECK(contains(parse_status(npy).message(), "this is an .npy file; read it with load_npy"));
  CHECK(contains(parse_status({1, 2, 3}).message(), "shorter than a zip end record"));
  CHECK(contains(parse_status(std::vector<uint8_t>(100, 'x')).message(),
                 "no end-of-central-directory record"));
  const std::vector<uint8_t> archive = sample_archive();
  for (std::size_t n = 0; n < archive.size(); ++n) {
    const Status s = parse_status(std::vector<uint8_t>(archive.begin(), archive.begin() + long(n)));
    REQUIRE_FALSE(s.ok());
  }
}

TEST_CASE("damaged archives: CRC, names, duplicate keys, methods, encryption, zip64, offsets, sizes") {
  const std::vector<uint8_t> good = sample_archive();
  REQUIRE(parse_status(good).ok());
  const std::size_t end = good.size() - 22;
  const std::size_t central = le32(good, end + 16);  // first entry: "W.npy"
  std::vector<uint8_t> f = good;
  f[central - 1] ^= 1;  // last data byte of the last member
  CHECK(contains(parse_status(f).message(), "t.npz, member 'labels.npy': CRC-32 mismatch"));
  f = good;
  for (const std::size_t at : find_all(f, "mask.npy")) std::memcpy(&f[at], "mask.txt", 8);
  CHECK(contains(parse_status(f).message(), "member 'mask.txt' is not a .npy array"));
  f = good;
  const std::vector<std::size_t> mask_names = find_all(f, "mask");
  REQUIRE(mask_names.size() == 2);
  std::memcpy(&f[mask_names[0]], "make", 4);  // only in the local header
  CHECK(contains(parse_status(f).message(), "names a different member than the central directory"));
  f = good;
  set16(f, central + 8, 1);
  CHECK(contains(parse_status(f).message(), "member 'W.npy' is encrypted"));
  f = good;
  set16(f, central + 10, 12);
  set16(f, 8, 12);
  CHECK(contains(parse_status(f).message(), "uses compression method 12 (supported: 0 stored, 8 deflate)"));
  f = good;
  set16(f, end + 8, 0xFFFF);
  set16(f, end + 10, 0xFFFF);
  CHECK(contains(parse_status(f).message(), "needs zip64"));
  f = good;
  set32(f, central + 42, 0x7FFFFFF0);
  CHECK(contains(parse_status(f).message(), "lies outside the archive's data"));
  f = good;
  set32(f, end + 16, uint32_t(good.size()));
  CHECK(contains(parse_status(f).message(), "does not fit before the end record"));
  CHECK(parse_status(good, 100).code() == StatusCode::kResourceExhausted);
}

TEST_CASE("a duplicate key inside an archive and wrong declared sizes of a deflated member are errors") {
  std::vector<std::pair<std::string, NpyArray>> two = {{"a", npy_from_doubles({1})},
                                                       {"b", npy_from_doubles({2})}};
  std::vector<uint8_t> f = encode_npz(two).value();
  for (const std::size_t at : find_all(f, "b.npy")) f[at] = 'a';
  CHECK(contains(parse_status(f).message(), "the key 'a' appears twice"));

  const std::vector<uint8_t> compressed = read_file(io_test::fixture("savez_compressed.npz")).value();
  const std::size_t end = compressed.size() - 22;
  const std::size_t central = le32(compressed, end + 16);
  const uint32_t declared = le32(compressed, central + 24);
  f = compressed;
  set32(f, central + 24, declared - 1);
  CHECK(contains(parse_status(f).message(), "decompresses to more than the " + std::to_string(declared - 1)));
  f = compressed;
  set32(f, central + 24, declared + 1);
  CHECK(contains(parse_status(f).message(), "decompresses to " + std::to_string(declared) + " bytes"));
}

TEST_CASE("numpy reads what we write and we read what numpy writes, compressed or not") {
  TempDir dir;
  REQUIRE(dir.ok());
  REQUIRE(save_npy(dir.file("ours.npy"), npy_from_matrix(Matrix::from_rows({{1, 2.5}, {-3, 0.125}}))).ok());
  REQUIRE(save_npz(dir.file("ours.npz"), sample_arrays()).ok());
  const std::string script = R"PY(
import sys, zipfile
try:
    import numpy as np
except ImportError:
    sys.exit(77)
d = sys.argv[1]
m = np.load(d + "/ours.npy")
assert m.dtype in (np.float32, np.float64) and m.shape == (2, 2), (m.dtype, m.shape)
assert (m == np.array([[1, 2.5], [-3, 0.125]])).all()
assert zipfile.ZipFile(d + "/ours.npz").testzip() is None
z = np.load(d + "/ours.npz")
assert sorted(z.files) == ["W", "labels", "mask"], z.files
assert (z["W"] == np.array([[0.5, -1.25], [3, 4]])).all() and z["W"].dtype == np.float64
assert (z["mask"] == np.array([[False, False], [True, False]])).all() and z["mask"].dtype == bool
assert (z["labels"] == np.array([7, 8, 9])).all() and z["labels"].dtype == np.int32
big = (np.arange(100000) % 251) / 8.0
np.save(d + "/theirs.npy", big.reshape(400, 250).astype(np.float32))
np.savez(d + "/theirs.npz", big=big, small=np.arange(6, dtype=np.int64).reshape(2, 3))
np.savez_compressed(d + "/theirs_c.npz", big=big, small=np.arange(6, dtype=np.int64).reshape(2, 3))
)PY";
  std::ofstream(dir.file("roundtrip.py")) << script;
  if (!run_with_numpy(dir.file("roundtrip.py"), dir.path())) {
    MESSAGE("skipped: no python3 with numpy on this machine (Debian: python3-numpy)");
    return;
  }
  StatusOr<NpyArray> theirs = load_npy(dir.file("theirs.npy"));
  REQUIRE_MESSAGE(theirs.ok(), theirs.status().to_string());
  CHECK(theirs.value().shape == std::vector<int64_t>{400, 250});
  StatusOr<Matrix> m = npy_to_matrix(theirs.value(), "theirs.npy");
  REQUIRE(m.ok());
  CHECK(m.value()(3, 7) == real((3 * 250 + 7) % 251 / 8.0));
  for (const char* name : {"theirs.npz", "theirs_c.npz"}) {
    CAPTURE(name);
    StatusOr<NpzArrays> arrays = load_npz(dir.file(name));
    REQUIRE_MESSAGE(arrays.ok(), arrays.status().to_string());
    const std::vector<double> big = values_of<double>(arrays.value().at("big"));
    REQUIRE(big.size() == 100000);
    bool all_equal = true;
    for (std::size_t k = 0; k < big.size(); ++k) all_equal &= big[k] == double(k % 251) / 8.0;
    CHECK(all_equal);
    CHECK(values_of<int64_t>(arrays.value().at("small")) == std::vector<int64_t>{0, 1, 2, 3, 4, 5});
  }
}
