// test_fileio.cpp — whole-file reads, atomic writes and their failure modes, CRC-32.
#include "doctest/doctest.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "biornn/fileio.hpp"
#include "io_test_util.hpp"

using namespace biornn;
using io_test::contains;
using io_test::TempDir;

namespace {

// The one-table, one-byte-at-a-time CRC of RFC 1952 §8: the reference for the fast crc32.
uint32_t crc32_bytewise(const uint8_t* data, std::size_t size) {
  uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    c ^= data[i];
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return ~c;
}

std::string text_of(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

TEST_CASE("crc32 of \"123456789\" is the IEEE check value 0xCBF43926") {
  const std::string s = "123456789";
  CHECK(crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size()) == 0xCBF43926u);
  CHECK(crc32(nullptr, 0) == 0u);
}

TEST_CASE("crc32 equals the bit-by-bit reference for every length and alignment, and can be continued") {
  const std::vector<uint8_t> data = io_test::sample_bytes(300, 7);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t n = 0; n + offset <= 200; ++n) {
      REQUIRE(crc32(data.data() + offset, n) == crc32_bytewise(data.data() + offset, n));
    }
  }
  const uint32_t first = crc32(data.data(), 123);
  CHECK(crc32(data.data() + 123, data.size() - 123, first) == crc32(data.data(), data.size()));
}

TEST_CASE("write_file_atomic then read_file gives back exactly the bytes, and replaces old content") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string path = dir.file("data.bin");
  const std::vector<uint8_t> bytes = io_test::sample_bytes(10000, 1);
  REQUIRE(write_file_atomic(path, bytes).ok());
  StatusOr<std::vector<uint8_t>> back = read_file(path);
  REQUIRE(back.ok());
  CHECK(back.value() == bytes);
  REQUIRE(write_file_atomic(path, std::string("short")).ok());
  CHECK(text_of(read_file(path).value()) == "short");
  REQUIRE(write_file_atomic(path, nullptr, 0).ok());
  CHECK(read_file(path).value().empty());
  CHECK(dir.entries() == std::vector<std::string>{"data.bin"});  // no temporary file left
}

TEST_CASE("read_file explains a missing file, a directory and a file over the size limit") {
  TempDir dir;
  REQUIRE(dir.ok());
  StatusOr<std::vector<uint8_t>> missing = read_file(dir.file("nope.idx"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(contains(missing.status().message(), "nope.idx"));
  CHECK(contains(missing.status().message(), "no such file"));
  CHECK(contains(missing.status().message(), "working directory"));

  StatusOr<std::vector<uint8_t>> directory = read_file(dir.path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == StatusCode::kIoError);
  CHECK(contains(directory.status().message(), "is a directory"));

  REQUIRE(write_file_atomic(dir.file("big"), std::string(1000, 'x')).ok());
  StatusOr<std::vector<uint8_t>> big = read_file(dir.file("big"), 999);
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().code() == StatusCode::kResourceExhausted);
  CHECK(contains(big.status().message(), "1000 bytes"));
  CHECK(contains(big.status().message(), "limit of 999"));
  CHECK(read_file(dir.file("big"), 1000).ok());
}

TEST_CASE("write_file_atomic into a missing directory says so and how to fix it") {
  TempDir dir;
  REQUIRE(dir.ok());
  const Status s = write_file_atomic(dir.file("no/such/dir/out.npy"), std::string("x"));
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(contains(s.message(), "does not exist"));
  CHECK(contains(s.message(), "create it first"));
  const Status on_dir = write_file_atomic(dir.path(), std::string("x"));
  CHECK_FALSE(on_dir.ok());
  CHECK(contains(on_dir.message(), "a directory of that name exists"));
}

TEST_CASE("write_file_atomic into a read-only directory fails clearly and creates nothing") {
  TempDir dir;
  REQUIRE(dir.ok());
  std::string target;
  if (::geteuid() != 0) {  // permissions bind ordinary users
    REQUIRE(make_directories(dir.file("ro")).ok());
    REQUIRE(::chmod(dir.file("ro").c_str(), 0555) == 0);
    target = dir.file("ro/out.csv");
  } else if (directory_exists("/sys")) {  // root ignores permissions; sysfs refuses new files
    target = "/sys/biornn-test-out.csv";
  }
  if (target.empty()) {
    MESSAGE("skipped: running as root and no /sys to stand in for a read-only directory");
    return;
  }
  const Status s = write_file_atomic(target, std::string("a,b\n"));
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kIoError);
  CHECK(contains(s.message(), "cannot create a temporary file"));
  CHECK((contains(s.message(), "EACCES") || contains(s.message(), "EROFS") ||
         contains(s.message(), "EPERM")));
  CHECK(contains(s.message(), "nothing was written"));
  CHECK_FALSE(file_exists(target));
  if (::geteuid() != 0) ::chmod(dir.file("ro").c_str(), 0755);
}

TEST_CASE("a short write (full disk / file size limit) leaves the old file untouched and no temp file") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string path = dir.file("model.npz");
  REQUIRE(write_file_atomic(path, std::string("the good old content")).ok());
  // RLIMIT_FSIZE makes the kernel stop the write part-way with EFBIG, as a full disk would
  // with ENOSPC: the same code path (a short write, then an error).
  struct rlimit old_limit;
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  void (*old_handler)(int) = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  const Status s = write_file_atomic(path, io_test::sample_bytes(20000, 3));
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kIoError);
  CHECK(contains(s.message(), "only 4096 of 20000 bytes could be written"));
  CHECK(contains(s.message(), "EFBIG"));
  CHECK(contains(s.message(), "is unchanged"));
  CHECK(text_of(read_file(path).value()) == "the good old content");
  CHECK(dir.entries() == std::vector<std::string>{"model.npz"});
}

TEST_CASE("make_directories creates nested directories, is idempotent, and refuses to pass through a file") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string nested = dir.file("a/b/c");
  REQUIRE(make_directories(nested).ok());
  CHECK(directory_exists(nested));
  CHECK(make_directories(nested).ok());
  CHECK(make_directories(nested + "/").ok());
  REQUIRE(write_file_atomic(dir.file("a/file"), std::string("x")).ok());
  CHECK(file_exists(dir.file("a/file")));
  CHECK_FALSE(file_exists(nested));
  CHECK_FALSE(directory_exists(dir.file("a/file")));
  const Status s = make_directories(dir.file("a/file/d"));
  REQUIRE_FALSE(s.ok());
  CHECK(contains(s.message(), "not a directory"));
  CHECK(make_directories("").code() == StatusCode::kInvalidArgument);
}

TEST_CASE("join_path and path_basename handle slashes at the seams") {
  CHECK(join_path("out", "w.npy") == "out/w.npy");
  CHECK(join_path("out/", "w.npy") == "out/w.npy");
  CHECK(join_path("", "w.npy") == "w.npy");
  CHECK(join_path("out", "") == "out");
  CHECK(join_path("out", "/abs/w.npy") == "/abs/w.npy");
  CHECK(path_basename("out/run1/w.npy") == "w.npy");
  CHECK(path_basename("w.npy") == "w.npy");
  CHECK(path_basename("dir/") == "");
}
