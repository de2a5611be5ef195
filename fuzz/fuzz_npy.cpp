// fuzz_npy.cpp — libFuzzer target: NumPy .npy bytes.
//
// parse_npy, then every conversion the library makes from an array (Matrix, Mask, int64), and
// the round trip encode_npy → parse_npy, which must give the same array back.
#include <cstdint>
#include <cstdlib>

#include "biornn/npy.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  StatusOr<NpyArray> parsed = parse_npy(data, size, "fuzz.npy");
  if (!parsed.ok()) return 0;
  const NpyArray& a = parsed.value();
  if (a.data.size() != std::size_t(a.element_count()) * npy_dtype_size(a.dtype)) std::abort();
  (void)npy_to_matrix(a, "fuzz.npy");
  (void)npy_to_matrix(a, "fuzz.npy", /*allow_non_finite=*/true);
  (void)npy_to_mask(a, "fuzz.npy");
  (void)npy_to_int64(a, "fuzz.npy");
  (void)a.shape_string();
  const std::vector<uint8_t> again = encode_npy(a);
  StatusOr<NpyArray> reparsed = parse_npy(again.data(), again.size(), "fuzz.npy (re-encoded)");
  if (!reparsed.ok() || reparsed.value().dtype != a.dtype || reparsed.value().shape != a.shape ||
      reparsed.value().data != a.data)
    std::abort();
  return 0;
}
