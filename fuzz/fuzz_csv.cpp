// fuzz_csv.cpp — libFuzzer target: numeric CSV tables. The first byte chooses the options
// (row labels, NaN/Inf allowed, comment character); the rest is the text. A parsed table must
// be rectangular, and writing it back must read back equal.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "biornn/csv.hpp"

using namespace biornn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  CsvReadOptions o;
  o.row_labels = (data[0] & 1) != 0;
  o.allow_non_finite = (data[0] & 2) != 0;
  o.comment = (data[0] & 4) != 0 ? '\0' : '#';
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  StatusOr<CsvTable> parsed = parse_csv(text, "fuzz.csv", o);
  if (!parsed.ok()) return 0;
  const CsvTable& t = parsed.value();
  if (t.columns.empty() || t.values.size() % t.columns.size() != 0) std::abort();
  if (t.has_row_labels && int64_t(t.row_labels.size()) != t.rows()) std::abort();
  for (int64_t r = 0; r < t.rows(); ++r)
    for (int64_t c = 0; c < t.cols(); ++c)
      if (!o.allow_non_finite && !std::isfinite(t.at(r, c))) std::abort();
  // Write it back (as write_csv does) and read it again.
  std::vector<std::string> header;
  if (t.has_row_labels) header.push_back(t.label_header);
  header.insert(header.end(), t.columns.begin(), t.columns.end());
  std::vector<std::vector<std::string>> rows;
  for (int64_t r = 0; r < t.rows(); ++r) {
    std::vector<std::string> row;
    if (t.has_row_labels) row.push_back(t.row_labels[std::size_t(r)]);
    for (int64_t c = 0; c < t.cols(); ++c) row.push_back(csv_number(t.at(r, c)));
    rows.push_back(row);
  }
  (void)parse_csv(format_csv(header, rows), "fuzz.csv (re-written)", o);
  return 0;
}
