// fuzz_inflate.cpp — libFuzzer target: gzip, zlib and raw DEFLATE decoding.
//
// The first input byte chooses the wrapper (gzip, zlib, raw with and without `consumed`); the
// rest is the stream. The output limit is small (1 MiB) so that a "zip bomb" must end in a
// clean kResourceExhausted; a success must respect the limit.
#include <cstdint>
#include <cstdlib>

#include "biornn/inflate.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t limit = std::size_t(1) << 20;
  const uint8_t mode = data[0] % 4;
  ++data;
  --size;
  std::size_t consumed = 0;
  StatusOr<std::vector<uint8_t>> out =
      mode == 0   ? gunzip(data, size, limit, "fuzz.gz")
      : mode == 1 ? zlib_decompress(data, size, limit, "fuzz.zlib")
      : mode == 2 ? inflate_raw(data, size, limit, "fuzz.deflate")
                  : inflate_raw(data, size, limit, "fuzz.deflate", &consumed);
  if (out.ok() && (out.value().size() > limit || consumed > size)) std::abort();
  return 0;
}
