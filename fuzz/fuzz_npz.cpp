// fuzz_npz.cpp — libFuzzer target: NumPy .npz archives (zip of .npy members, stored or
// deflated). The decompressed total is limited to 4 MiB so that bombs end cleanly.
#include <cstdint>
#include <cstdlib>

#include "biornn/npz.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  StatusOr<NpzArrays> parsed = parse_npz(data, size, "fuzz.npz", uint64_t(1) << 22);
  if (!parsed.ok()) return 0;
  std::vector<std::pair<std::string, NpyArray>> arrays;
  for (const auto& kv : parsed.value()) {
    if (kv.first.empty()) std::abort();  // keys are never empty
    arrays.emplace_back(kv.first, kv.second);
  }
  StatusOr<std::vector<uint8_t>> again = encode_npz(arrays);
  if (!again.ok()) return 0;  // e.g. a key too long to write back
  StatusOr<NpzArrays> reparsed = parse_npz(again.value().data(), again.value().size(), "fuzz.npz (re-encoded)");
  if (!reparsed.ok() || reparsed.value().size() != parsed.value().size()) std::abort();
  return 0;
}
