// test_inflate.cpp — DEFLATE, gzip and zlib decoding: hand-made streams for each block type
// (written bit by bit from RFC 1951 by a tiny encoder here), every error path, fixtures made by
// gzip and Python's zlib (tests/data/io/make_io_fixtures.sh), and a round trip through the
// system gzip when it is installed.
#include "doctest/doctest.h"

#include <string>
#include <utility>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/inflate.hpp"
#include "io_test_util.hpp"

using namespace biornn;
using io_test::contains;

namespace {

// Packs bits LSB-first as RFC 1951 §3.1.1 says; Huffman codes go most-significant bit first.
struct BitWriter {
  std::vector<uint8_t> bytes;
  int used = 8;  // bits used in the last byte
  void bits(uint32_t value, int n) {
    for (int i = 0; i < n; ++i) {
      if (used == 8) {
        bytes.push_back(0);
        used = 0;
      }
      bytes.back() = uint8_t(bytes.back() | ((value >> i) & 1u) << used);
      ++used;
    }
  }
  void code(uint32_t code, int length) {
    for (int i = length - 1; i >= 0; --i) bits((code >> i) & 1u, 1);
  }
  void align() { used = 8; }
  void byte(uint8_t b) { bits(b, 8); }
};

// Canonical codes of §3.2.2 from code lengths.
std::vector<uint32_t> canonical_codes(const std::vector<int>& lengths) {
  int count[16] = {0};
  for (const int l : lengths) count[l] += l != 0;
  uint32_t next[16] = {0};
  uint32_t code = 0;
  for (int bits = 1; bits < 16; ++bits) {
    code = (code + uint32_t(count[bits - 1])) << 1;
    next[bits] = code;
  }
  std::vector<uint32_t> codes(lengths.size(), 0);
  for (std::size_t s = 0; s < lengths.size(); ++s)
    if (lengths[s] != 0) codes[s] = next[lengths[s]]++;
  return codes;
}

// Fixed literal/length code of §3.2.6.
void fixed_symbol(BitWriter& w, int sym) {
  if (sym < 144) w.code(0x30 + uint32_t(sym), 8);
  else if (sym < 256) w.code(0x190 + uint32_t(sym - 144), 9);
  else if (sym < 280) w.code(uint32_t(sym - 256), 7);
  else w.code(0xC0 + uint32_t(sym - 280), 8);
}

// A dynamic block header (§3.2.7): the code-length code lengths (indexed by symbol 0..18)
// and the run-length coded sequence of (code-length symbol, extra bits value).
void dynamic_header(BitWriter& w, bool final, int hlit, int hdist, const std::vector<int>& cl_lengths,
                    const std::vector<std::pair<int, int>>& sequence) {
  static const int order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  int hclen = 4;
  for (int i = 0; i < 19; ++i)
    if (cl_lengths[std::size_t(order[i])] != 0) hclen = std::max(hclen, i + 1);
  w.bits(final ? 1 : 0, 1);
  w.bits(2, 2);
  w.bits(uint32_t(hlit - 257), 5);
  w.bits(uint32_t(hdist - 1), 5);
  w.bits(uint32_t(hclen - 4), 4);
  for (int i = 0; i < hclen; ++i) w.bits(uint32_t(cl_lengths[std::size_t(order[i])]), 3);
  const std::vector<uint32_t> codes = canonical_codes(cl_lengths);
  for (const auto& entry : sequence) {
    w.code(codes[std::size_t(entry.first)], cl_lengths[std::size_t(entry.first)]);
    if (entry.first == 16) w.bits(uint32_t(entry.second), 2);
    if (entry.first == 17) w.bits(uint32_t(entry.second), 3);
    if (entry.first == 18) w.bits(uint32_t(entry.second), 7);
  }
}

// Code-length code with symbols 1 and 2 (2 bits each) and 18 (1 bit): complete.
std::vector<int> small_cl_lengths() {
  std::vector<int> cl(19, 0);
  cl[1] = 2;
  cl[2] = 2;
  cl[18] = 1;
  return cl;
}

// Lengths for 'a' = 97 and 'b' = 98, the end-of-block 256, the length symbol 257 (all 2 bits)
// and one distance code (symbol 0, 1 bit): hlit = 258, hdist = 1.
std::vector<std::pair<int, int>> small_sequence() {
  return {{18, 97 - 11}, {2, 0}, {2, 0}, {18, 138 - 11}, {18, 19 - 11}, {2, 0}, {2, 0}, {1, 0}};
}

std::string inflate_text(const std::vector<uint8_t>& stream, Status* status = nullptr) {
  StatusOr<std::vector<uint8_t>> out = inflate_raw(stream.data(), stream.size(), 1 << 20, "test");
  if (status != nullptr) *status = out.ok() ? Status() : out.status();
  if (!out.ok()) return "<" + out.status().message() + ">";
  return std::string(out.value().begin(), out.value().end());
}

std::vector<uint8_t> load_fixture(const std::string& name) {
  StatusOr<std::vector<uint8_t>> bytes = read_file(io_test::fixture(name));
  REQUIRE_MESSAGE(bytes.ok(), bytes.status().to_string());
  return bytes.value();
}

Status gunzip_status(const std::vector<uint8_t>& file, std::size_t limit = 1 << 20) {
  StatusOr<std::vector<uint8_t>> out = gunzip(file.data(), file.size(), limit, "t.gz");
  return out.ok() ? Status() : out.status();
}

}  // namespace

TEST_CASE("a stored block is copied through, including an empty one before it") {
  BitWriter w;
  w.bits(0, 1);  // not final, stored, LEN = 0
  w.bits(0, 2);
  w.align();
  for (const uint8_t b : {0x00, 0x00, 0xFF, 0xFF}) w.byte(b);
  w.bits(1, 1);  // final, stored, LEN = 5
  w.bits(0, 2);
  w.align();
  for (const uint8_t b : {0x05, 0x00, 0xFA, 0xFF}) w.byte(b);
  for (const char c : std::string("hello")) w.byte(uint8_t(c));
  CHECK(inflate_text(w.bytes) == "hello");
}

TEST_CASE("a fixed-Huffman block decodes literals, overlapping runs and distances with extra bits") {
  BitWriter w;
  w.bits(1, 1);
  w.bits(1, 2);
  fixed_symbol(w, 'a');
  fixed_symbol(w, 263);  // length 9
  w.code(0, 5);          // distance 1: "a" repeated
  for (const char c : std::string("xyz")) fixed_symbol(w, c);
  fixed_symbol(w, 257);  // length 3
  w.code(4, 5);          // distance code 4: 5 + 1 extra bit
  w.bits(1, 1);          // distance 6: copies "aaa" from before "xyz"
  fixed_symbol(w, 285);  // length 258, no extra bits
  w.code(0, 5);          // distance 1
  fixed_symbol(w, 256);
  CHECK(inflate_text(w.bytes) == std::string(10, 'a') + "xyzaaa" + std::string(258, 'a'));
}

TEST_CASE("a dynamic-Huffman block decodes with the code lengths it declares") {
  BitWriter w;
  dynamic_header(w, true, 258, 1, small_cl_lengths(), small_sequence());
  // Literal/length codes: 'a' 00, 'b' 01, 256 10, 257 11; distance 0 (= 1): a 1-bit 0.
  w.code(0, 2);
  w.code(1, 2);
  w.code(3, 2);  // length 3
  w.code(0, 1);  // distance 1
  w.code(2, 2);  // end of block
  CHECK(inflate_text(w.bytes) == "abbbb");
}

TEST_CASE("bad dynamic code lengths are rejected with the reason") {
  struct Case {
    const char* what;
    int hlit;
    std::vector<int> cl;
    std::vector<std::pair<int, int>> sequence;
  };
  std::vector<int> over_cl = small_cl_lengths();
  over_cl[1] = 1;  // 1, 1 and 1 bits: three codes where two fit
  std::vector<int> incomplete_cl = small_cl_lengths();
  incomplete_cl[18] = 0;  // two 2-bit codes leave half the patterns unused
  std::vector<int> with_repeat_cl = small_cl_lengths();
  with_repeat_cl[2] = 0;
  with_repeat_cl[16] = 2;
  const std::vector<Case> cases = {
      {"the code-length code is over-subscribed", 258, over_cl, small_sequence()},
      {"the code-length code is incomplete", 258, incomplete_cl, {{1, 0}}},
      {"the literal/length code is over-subscribed", 258, small_cl_lengths(),
       {{18, 97 - 11}, {1, 0}, {1, 0}, {18, 138 - 11}, {18, 19 - 11}, {1, 0}, {2, 0}, {1, 0}}},
      {"the literal/length code is incomplete", 258, small_cl_lengths(),
       {{18, 97 - 11}, {2, 0}, {18, 138 - 11}, {18, 20 - 11}, {2, 0}, {2, 0}, {1, 0}}},
      {"the literal/length code is incomplete", 257, small_cl_lengths(),  // one 2-bit code
       {{18, 138 - 11}, {18, 118 - 11}, {2, 0}, {1, 0}}},
      {"has no end-of-block symbol", 258, small_cl_lengths(),
       {{18, 97 - 11}, {1, 0}, {1, 0}, {18, 138 - 11}, {18, 21 - 11}, {1, 0}}},
      {"'repeat previous' with no previous length", 258, with_repeat_cl, {{16, 0}}},
      {"code lengths run past the 259", 258, small_cl_lengths(),
       {{18, 97 - 11}, {2, 0}, {2, 0}, {18, 127}, {18, 127}}},
      {"declares 287 literal/length codes", 287, small_cl_lengths(), {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    BitWriter w;
    dynamic_header(w, true, c.hlit, 1, c.cl, c.sequence);
    for (int i = 0; i < 8; ++i) w.byte(0);  // enough bits that nothing is "truncated"
    Status status;
    inflate_text(w.bytes, &status);
    CHECK(status.code() == StatusCode::kCorrupt);
    CHECK(contains(status.message(), c.what));
    CHECK(contains(status.message(), "test: corrupt compressed data at byte"));
  }
}

TEST_CASE("block type 3, a bad stored length, invalid symbols and distances too far back are errors") {
  Status status;
  BitWriter reserved;
  reserved.bits(1, 1);
  reserved.bits(3, 2);
  reserved.byte(0);
  inflate_text(reserved.bytes, &status);
  CHECK(contains(status.message(), "block type 3 is reserved"));

  const std::vector<uint8_t> bad_len = {0x01, 0x05, 0x00, 0xFA, 0xFE, 'h', 'e', 'l', 'l', 'o'};
  inflate_text(bad_len, &status);
  CHECK(contains(status.message(), "stored block length 5 does not match its complement 65274"));

  BitWriter too_far;  // one literal, then a match reaching two bytes back
  too_far.bits(1, 1);
  too_far.bits(1, 2);
  fixed_symbol(too_far, 'a');
  fixed_symbol(too_far, 257);
  too_far.code(1, 5);  // distance 2
  fixed_symbol(too_far, 256);
  inflate_text(too_far.bytes, &status);
  CHECK(contains(status.message(), "distance 2 reaches before the start of the output (only 1 bytes"));

  BitWriter length286;
  length286.bits(1, 1);
  length286.bits(1, 2);
  fixed_symbol(length286, 286);
  length286.bits(0, 32);
  inflate_text(length286.bytes, &status);
  CHECK(contains(status.message(), "length symbol 286 does not exist"));

  BitWriter distance30;
  distance30.bits(1, 1);
  distance30.bits(1, 2);
  fixed_symbol(distance30, 'a');
  fixed_symbol(distance30, 257);
  distance30.code(30, 5);
  distance30.bits(0, 32);
  inflate_text(distance30.bytes, &status);
  CHECK(contains(status.message(), "distance symbol 30 does not exist"));

  BitWriter no_code;  // dynamic block with a single 1-bit distance code, then the unused pattern
  dynamic_header(no_code, true, 258, 1, small_cl_lengths(), small_sequence());
  no_code.code(0, 2);
  no_code.code(3, 2);
  no_code.code(1, 1);  // the distance bit pattern "1" has no code
  no_code.bits(0, 32);
  inflate_text(no_code.bytes, &status);
  CHECK(contains(status.message(), "bit pattern with no distance code"));
}

TEST_CASE("every truncation of a gzip file and of a raw deflate stream is a clean error") {
  const std::vector<uint8_t> gz = load_fixture("lorem.txt.gz");
  const std::size_t limit = 1 << 16;  // the text is 13.5 kB; a small limit keeps each try cheap
  for (std::size_t n = 0; n < gz.size(); ++n) {
    StatusOr<std::vector<uint8_t>> out = gunzip(gz.data(), n, limit, "lorem.txt.gz");
    REQUIRE_FALSE(out.ok());
    REQUIRE(out.status().code() == StatusCode::kCorrupt);
  }
  const std::vector<uint8_t> raw = load_fixture("lorem.deflate");
  for (std::size_t n = 0; n < raw.size(); ++n) {
    StatusOr<std::vector<uint8_t>> out = inflate_raw(raw.data(), n, limit, "lorem.deflate");
    REQUIRE_FALSE(out.ok());
  }
  StatusOr<std::vector<uint8_t>> half = gunzip(gz.data(), gz.size() / 2, 1 << 20, "lorem.txt.gz");
  CHECK(contains(half.status().message(), "the compressed data ends early"));
  CHECK(contains(half.status().message(), "truncated"));
}

TEST_CASE("gzip and zlib fixtures made by gzip -9 and Python's zlib decode to the original text") {
  const std::vector<uint8_t> text = load_fixture("lorem.txt");
  for (const char* name : {"lorem.txt.gz", "named_member.txt.gz"}) {
    CAPTURE(name);
    const std::vector<uint8_t> gz = load_fixture(name);
    CHECK(is_gzip(gz.data(), gz.size()));
    StatusOr<std::vector<uint8_t>> out = gunzip(gz.data(), gz.size(), 1 << 20, name);
    REQUIRE_MESSAGE(out.ok(), out.status().to_string());
    CHECK(out.value() == text);
  }
  for (const char* name : {"lorem_level0.zlib", "lorem_level9.zlib"}) {
    CAPTURE(name);
    const std::vector<uint8_t> z = load_fixture(name);
    CHECK_FALSE(is_gzip(z.data(), z.size()));
    StatusOr<std::vector<uint8_t>> out = zlib_decompress(z.data(), z.size(), 1 << 20, name);
    REQUIRE_MESSAGE(out.ok(), out.status().to_string());
    CHECK(out.value() == text);
  }
  const std::vector<uint8_t> fixed = load_fixture("short_fixed.zlib");
  StatusOr<std::vector<uint8_t>> hello = zlib_decompress(fixed.data(), fixed.size(), 100, "f");
  REQUIRE(hello.ok());
  CHECK(std::string(hello.value().begin(), hello.value().end()) == "hello, hello, hello!");
  const std::vector<uint8_t> raw = load_fixture("lorem.deflate");
  std::size_t used = 0;
  std::vector<uint8_t> padded = raw;
  padded.push_back(0xAB);
  StatusOr<std::vector<uint8_t>> out = inflate_raw(padded.data(), padded.size(), 1 << 20, "r", &used);
  REQUIRE(out.ok());
  CHECK(out.value() == text);
  CHECK(used == raw.size());
  CHECK_FALSE(inflate_raw(padded.data(), padded.size(), 1 << 20, "r").ok());  // trailing byte
}

TEST_CASE("concatenated gzip members decode to the concatenation") {
  const std::vector<uint8_t> gz = load_fixture("two_members.gz");
  StatusOr<std::vector<uint8_t>> out = gunzip(gz.data(), gz.size(), 1000, "two_members.gz");
  REQUIRE(out.ok());
  CHECK(std::string(out.value().begin(), out.value().end()) == "first member\nsecond member\n");
}

TEST_CASE("gzip header fields FEXTRA, FNAME, FCOMMENT and FHCRC are skipped and the header CRC checked") {
  const std::vector<uint8_t> plain = load_fixture("two_members.gz");  // first member: 10-byte header
  std::vector<uint8_t> header = {0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3};
  for (const int b : std::initializer_list<int>{3, 0, 'x', 'y', 'z'}) header.push_back(uint8_t(b));
  for (const char c : std::string("name.txt")) header.push_back(uint8_t(c));
  header.push_back(0);
  for (const char c : std::string("a comment")) header.push_back(uint8_t(c));
  header.push_back(0);
  const uint32_t hcrc = crc32(header.data(), header.size());
  header.push_back(uint8_t(hcrc));
  header.push_back(uint8_t(hcrc >> 8));
  std::size_t first_member_end = 10;  // where the second member's magic starts
  while (first_member_end + 2 < plain.size() &&
         !(plain[first_member_end] == 0x1f && plain[first_member_end + 1] == 0x8b))
    ++first_member_end;
  REQUIRE(first_member_end + 2 < plain.size());
  std::vector<uint8_t> file = header;
  file.insert(file.end(), plain.begin() + 10, plain.begin() + long(first_member_end));
  StatusOr<std::vector<uint8_t>> out = gunzip(file.data(), file.size(), 100, "h.gz");
  REQUIRE_MESSAGE(out.ok(), out.status().to_string());
  CHECK(std::string(out.value().begin(), out.value().end()) == "first member\n");
  file[header.size() - 1] ^= 1;
  CHECK(contains(gunzip_status(file).message(), "gzip header CRC mismatch"));
  file = header;
  file.resize(14);
  CHECK(contains(gunzip_status(file).message(), "ends inside its extra field"));
}

TEST_CASE("gzip errors: magic, method, reserved flags, CRC, ISIZE, trailing data, output limit") {
  const std::vector<uint8_t> gz = load_fixture("lorem.txt.gz");
  const std::size_t text_size = load_fixture("lorem.txt").size();
  std::vector<uint8_t> f = gz;
  f[0] = 0x50;
  CHECK(contains(gunzip_status(f).message(), "expected the gzip magic bytes 1f 8b at byte 0, found 50 8b"));
  f = gz;
  f[2] = 7;
  CHECK(gunzip_status(f).code() == StatusCode::kUnsupported);
  f = gz;
  f[3] = 0x20;
  CHECK(contains(gunzip_status(f).message(), "reserved gzip flag bits"));
  f = gz;
  f[f.size() - 8] ^= 0xFF;
  CHECK(contains(gunzip_status(f).message(), "CRC-32 mismatch"));
  f = gz;
  f[f.size() - 4] ^= 0x01;
  CHECK(contains(gunzip_status(f).message(), "ISIZE mismatch"));
  f = gz;
  f.push_back(0);
  CHECK(contains(gunzip_status(f).message(), "1 bytes of trailing data"));
  const Status over = gunzip_status(gz, text_size - 1);
  CHECK(over.code() == StatusCode::kResourceExhausted);
  CHECK(contains(over.message(), "exceed the limit of " + std::to_string(text_size - 1) + " bytes"));
  CHECK(gunzip_status(gz, text_size).ok());
}

TEST_CASE("zlib errors: header check, preset dictionary, Adler-32") {
  const std::vector<uint8_t> z = load_fixture("lorem_level9.zlib");
  auto status_of = [](const std::vector<uint8_t>& b) {
    StatusOr<std::vector<uint8_t>> out = zlib_decompress(b.data(), b.size(), 1 << 20, "z");
    return out.ok() ? Status() : out.status();
  };
  std::vector<uint8_t> f = z;
  f[1] ^= 1;
  CHECK(contains(status_of(f).message(), "invalid zlib header"));
  f = {0x78, 0xBB, 0, 0, 0, 0};  // FDICT set, header check valid
  CHECK(status_of(f).code() == StatusCode::kUnsupported);
  f = z;
  f.back() ^= 1;
  CHECK(contains(status_of(f).message(), "Adler-32 mismatch"));
  const std::string wiki = "Wikipedia";
  CHECK(adler32(reinterpret_cast<const uint8_t*>(wiki.data()), wiki.size()) == 0x11E60398u);
}

TEST_CASE("corrupting bytes of a gzip file never crashes: each decode ends ok or with an error") {
  const std::vector<uint8_t> gz = load_fixture("lorem.txt.gz");
  uint32_t s = 12345;
  int failures = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> f = gz;
    s = s * 1664525u + 1013904223u;
    // Inside the deflate data, not its last byte (whose padding bits are never read).
    f[10 + (s >> 8) % (f.size() - 19)] ^= uint8_t(1u << (s & 7));
    failures += !gunzip_status(f).ok();
  }
  CHECK(failures == 300);  // the CRC-32 catches what the decoder cannot
}

TEST_CASE("data compressed by the system gzip at levels 1, 6 and 9 decodes exactly") {
  if (!io_test::shell_ok("command -v gzip >/dev/null 2>&1")) {
    MESSAGE("skipped: no gzip program on this machine");
    return;
  }
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const std::vector<uint8_t> data = io_test::sample_bytes(300000, 11);
  REQUIRE(write_file_atomic(dir.file("data"), data).ok());
  for (const char* level : {"1", "6", "9"}) {
    CAPTURE(level);
    const std::string gz = dir.file(std::string("data") + level + ".gz");
    REQUIRE(io_test::shell_ok("gzip -c -" + std::string(level) + " '" + dir.file("data") + "' > '" + gz + "'"));
    const std::vector<uint8_t> file = read_file(gz).value();
    StatusOr<std::vector<uint8_t>> out = gunzip(file.data(), file.size(), data.size(), gz);
    REQUIRE_MESSAGE(out.ok(), out.status().to_string());
    CHECK(out.value() == data);
  }
}
