// csv.hpp — comma-separated tables: writing results, reading numeric tables with a header.
//
// Writing: any table of text cells (a header row and data rows), quoted as RFC 4180 says —
// a field containing a comma, a double quote, CR or LF is enclosed in double quotes and its
// quotes doubled — with LF line endings, written atomically (temp file + fsync + rename).
// Numbers are formatted by csv_number: the shortest text that reads back to the same double
// (when the standard library has floating-point std::to_chars; otherwise 17 significant
// digits, which also reads back exactly), never depending on the process locale.
//
// Reading: a numeric table with one header line of column names and, optionally, a first
// column of row labels — e.g. the 9×9 connectivity-density table of SPEC §7 (rows = post,
// columns = pre). Accepted beyond RFC 4180: LF or CRLF line endings, a UTF-8 byte-order mark,
// blank lines and comment lines (first character '#', by default) between records, spaces
// around fields (trimmed). Errors name the line and the column:
//   "table.csv line 4, column 7: expected a number, found 'O.2'"
// and cover an empty file, ragged rows, empty or duplicate column names, duplicate row
// labels, unterminated quotes, stray quotes, non-numbers, and NaN/Inf unless allowed.
//
// Not here: type inference, missing values, other delimiters, CSV files bigger than memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "biornn/status.hpp"

namespace biornn {

// A numeric table: values(r, c) is row r, column columns[c].
struct CsvTable {
  std::vector<std::string> columns;     // names of the numeric columns, unique, non-empty
  bool has_row_labels = false;
  std::string label_header;             // the header cell above the row labels (may be empty)
  std::vector<std::string> row_labels;  // one per row when has_row_labels, unique
  std::vector<double> values;           // rows() × cols(), row-major

  int64_t rows() const { return columns.empty() ? 0 : int64_t(values.size() / columns.size()); }
  int64_t cols() const { return int64_t(columns.size()); }
  double at(int64_t r, int64_t c) const;   // checked
  int64_t column_index(const std::string& name) const;  // -1 when absent
  int64_t row_index(const std::string& label) const;    // -1 when absent
};

struct CsvReadOptions {
  bool row_labels = false;        // the first column holds row labels, not numbers
  bool allow_non_finite = false;  // accept nan, inf, -inf (any case) as values
  char comment = '#';             // a line starting with this is skipped; '\0' for none
  uint64_t max_bytes = uint64_t(256) << 20;
};

// Parses CSV text; `name` (normally the file name) starts every message.
StatusOr<CsvTable> parse_csv(const std::string& text, const std::string& name,
                             const CsvReadOptions& options = {});
StatusOr<CsvTable> read_csv(const std::string& path, const CsvReadOptions& options = {});

// The field as it must appear in a CSV line (quoted only when needed).
std::string csv_escape(const std::string& field);
// Locale-independent text of a number that reads back to the same double; "nan", "inf", "-inf".
std::string csv_number(double value);
// Header line, then one line per row, each ending in '\n'. Every row must have as many fields
// as the header (a contract).
std::string format_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);
Status write_csv(const std::string& path, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);
// A numeric table, so that read_csv (with row_labels = has_row_labels, allow_non_finite if it
// holds NaN/Inf) gives it back exactly.
Status write_csv(const std::string& path, const CsvTable& table);

}  // namespace biornn
