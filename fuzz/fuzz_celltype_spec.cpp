// fuzz_celltype_spec.cpp — libFuzzer target: the cell-type population spec (TOML).
//
// The text goes through parse_celltype_spec as if it were the file "fuzz/spec.toml". Inputs
// naming their own intra-areal table are skipped: which files exist on this machine is not
// what is being fuzzed (the table itself is CSV, fuzzed by fuzz_csv and fuzz_population).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "biornn/celltype.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (text.find("intra_table") != std::string::npos) return 0;
  StatusOr<CelltypeSpec> spec = parse_celltype_spec(text, "fuzz/spec.toml");
  if (!spec.ok()) return 0;
  const CelltypeSpec& s = spec.value();
  if (s.total_units() <= 0 || int64_t(s.unit_signs().size()) != s.total_units()) std::abort();
  (void)s.block_table();
  return 0;
}
