// fuzz_population.cpp — libFuzzer target: block connectivity tables (population CSV). A
// parsed table must be consistent and format back to text that parses to the same table.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "biornn/population.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  StatusOr<PopulationTable> parsed = parse_population_table(text, "fuzz.csv");
  if (!parsed.ok()) return 0;
  const PopulationTable& t = parsed.value();
  const int64_t p = int64_t(t.names.size());
  if (int64_t(t.sizes.size()) != p || t.density.rows() != p || t.density.cols() != p) std::abort();
  StatusOr<PopulationTable> again = parse_population_table(format_population_table(t), "fuzz.csv (re-written)");
  if (!again.ok() || again.value().names != t.names || again.value().sizes != t.sizes) std::abort();
  return 0;
}
