// population.cpp — reading and writing block connectivity tables (see population.hpp).
#include "biornn/population.hpp"

#include <cmath>

#include "biornn/csv.hpp"
#include "biornn/fileio.hpp"

namespace biornn {

StatusOr<PopulationTable> parse_population_table(const std::string& text, const std::string& source) {
  CsvReadOptions o;
  o.row_labels = true;
  StatusOr<CsvTable> parsed = parse_csv(text, source, o);
  if (!parsed.ok()) return parsed.status();
  const CsvTable& csv = parsed.value();
  const int64_t p = csv.rows();
  if (csv.cols() < 1 || csv.columns[0] != "size")
    return invalid_argument(source + " line 1: expected the header 'population,size,<pre populations...>', found " +
                            (csv.cols() < 1 ? std::string("no columns") : "'" + csv.columns[0] + "' as the second column"));
  if (p == 0) return invalid_argument(source + ": the table has no populations (no rows after the header)");
  if (csv.cols() != p + 1)
    return invalid_argument(source + " line 1: " + std::to_string(p) + " populations (rows) need " + std::to_string(p) +
                            " density columns after 'size', found " + std::to_string(csv.cols() - 1));
  // The table is P × P and the network it describes N × N: bound both before allocating.
  constexpr int64_t kMaxPopulations = 4096, kMaxUnits = 1000000;
  if (p > kMaxPopulations)
    return invalid_argument(source + ": " + std::to_string(p) + " populations; at most " + std::to_string(kMaxPopulations) +
                            " are supported");
  PopulationTable t;
  t.density = Matrix(int32_t(p), int32_t(p));
  int64_t units = 0;
  for (int64_t r = 0; r < p; ++r) {
    const std::string& name = csv.row_labels[std::size_t(r)];
    if (csv.columns[std::size_t(r + 1)] != name)
      return invalid_argument(source + " line 1, column " + std::to_string(r + 3) + ": density columns must name the " +
                              "populations in row order; expected '" + name + "', found '" + csv.columns[std::size_t(r + 1)] + "'");
    const double size = csv.at(r, 0);
    if (!(size >= 1 && size <= 1e9 && size == std::floor(size)))
      return invalid_argument(source + ": population '" + name + "' (data row " + std::to_string(r + 1) +
                              "): size must be a positive integer, found " + std::to_string(size));
    units += int64_t(size);
    if (units > kMaxUnits)
      return invalid_argument(source + ": population '" + name + "' (data row " + std::to_string(r + 1) +
                              ") brings the total size to " + std::to_string(units) + " units; at most " +
                              std::to_string(kMaxUnits) + " are supported (the recurrent matrix is units × units)");
    t.names.push_back(name);
    t.sizes.push_back(int32_t(size));
    for (int64_t c = 0; c < p; ++c) {
      const double d = csv.at(r, c + 1);
      if (!(d >= 0 && d <= 1))
        return invalid_argument(source + ": block " + name + " ← " + csv.columns[std::size_t(c + 1)] +
                                ": density must lie in [0, 1], found " + std::to_string(d));
      t.density(int32_t(r), int32_t(c)) = real(d);
    }
  }
  return t;
}

StatusOr<PopulationTable> read_population_table(const std::string& path) {
  StatusOr<std::vector<uint8_t>> bytes = read_file(path, uint64_t(16) << 20);
  if (!bytes.ok()) return bytes.status();
  return parse_population_table(std::string(bytes.value().begin(), bytes.value().end()), path);
}

std::string format_population_table(const PopulationTable& t) {
  std::vector<std::string> header = {"population", "size"};
  header.insert(header.end(), t.names.begin(), t.names.end());
  std::vector<std::vector<std::string>> rows;
  for (int32_t a = 0; a < t.populations(); ++a) {
    std::vector<std::string> row = {t.names[std::size_t(a)], std::to_string(t.sizes[std::size_t(a)])};
    for (int32_t b = 0; b < t.populations(); ++b) row.push_back(csv_number(double(t.density(a, b))));
    rows.push_back(row);
  }
  return format_csv(header, rows);
}

}  // namespace biornn
