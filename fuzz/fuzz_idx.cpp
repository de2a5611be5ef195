// fuzz_idx.cpp — libFuzzer target: IDX bytes (MNIST's array format), plain or gzip.
//
// Feeds the input to parse_idx and, when it starts with the gzip magic, through gunzip first
// (as load_idx does). Any outcome is fine except a crash, a hang, a leak or a sanitizer report.
// A parsed array must be self-consistent: element_count × element size bytes of data, and it
// must encode back to bytes that parse to the same array.
#include <cstdint>
#include <cstdlib>

#include "biornn/idx.hpp"
#include "biornn/inflate.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::vector<uint8_t> plain;
  const uint8_t* bytes = data;
  std::size_t n = size;
  if (is_gzip(data, size)) {
    StatusOr<std::vector<uint8_t>> unpacked = gunzip(data, size, 1 << 22, "fuzz.gz");
    if (!unpacked.ok()) return 0;
    plain = std::move(unpacked.value());
    bytes = plain.data();
    n = plain.size();
  }
  StatusOr<IdxArray> parsed = parse_idx(bytes, n, "fuzz.idx");
  if (!parsed.ok()) return 0;
  const IdxArray& a = parsed.value();
  if (int64_t(a.data.size()) != a.element_count() * idx_type_size(a.type)) std::abort();
  const std::vector<uint8_t> again = encode_idx(a);
  StatusOr<IdxArray> reparsed = parse_idx(again.data(), again.size(), "fuzz.idx (re-encoded)");
  if (!reparsed.ok() || reparsed.value().dims != a.dims || reparsed.value().data != a.data) std::abort();
  return 0;
}
