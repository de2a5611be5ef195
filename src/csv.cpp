// csv.cpp — RFC 4180 CSV: a record splitter with line/column tracking, a numeric-table
// builder on top of it, and the writer. See csv.hpp for the accepted dialect.
//
// Numbers are checked against a strict decimal grammar first (so "O.2", "1,5", "0x10" and
// "1e" are errors, not partial reads), then converted with the classic "C" locale, so a
// program that changed its locale still reads "0.06" as 0.06.
#include "biornn/csv.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <locale>
#include <map>
#include <sstream>

#include "biornn/fileio.hpp"

namespace biornn {
namespace {

struct Field {
  std::string text;
  int64_t line = 0;  // where the field starts (a quoted field may span lines)
};

struct Record {
  std::vector<Field> fields;
  int64_t line = 0;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Splits text into records (RFC 4180 §2), skipping blank and comment lines between them.
class RecordReader {
 public:
  RecordReader(const std::string& text, const std::string& name, char comment)
      : p_(text.data()), end_(text.data() + text.size()), name_(name), comment_(comment) {
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) p_ += 3;  // UTF-8 byte-order mark
  }

  // Reads the next record into *record; *got is false at the end of the text.
  Status next(Record* record, bool* got) {
    *got = false;
    skip_blank_and_comment_lines();
    if (p_ == end_) return Status();
    record->fields.clear();
    record->line = line_;
    for (;;) {
      Field field;
      field.line = line_;
      const int64_t column = int64_t(record->fields.size()) + 1;
      while (p_ < end_ && is_blank(*p_)) ++p_;
      if (p_ < end_ && *p_ == '"') {
        BIORNN_RETURN_IF_ERROR(read_quoted(&field, column));
      } else {
        BIORNN_RETURN_IF_ERROR(read_unquoted(&field, column));
      }
      record->fields.push_back(std::move(field));
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      skip_line_end();
      break;
    }
    *got = true;
    return Status();
  }

 private:
  Status error(int64_t line, int64_t column, const std::string& what) const {
    return corrupt(name_ + " line " + std::to_string(line) + ", column " + std::to_string(column) +
                   ": " + what);
  }
  bool at_line_end() const {
    return p_ == end_ || *p_ == '\n' || (*p_ == '\r' && p_ + 1 < end_ && p_[1] == '\n');
  }
  void skip_line_end() {
    if (p_ == end_) return;
    p_ += *p_ == '\r' ? 2 : 1;
    ++line_;
  }
  void skip_blank_and_comment_lines() {
    while (p_ < end_) {
      const char* q = p_;
      while (q < end_ && is_blank(*q)) ++q;
      const bool blank = q == end_ || *q == '\n' || (*q == '\r' && q + 1 < end_ && q[1] == '\n');
      const bool comment = comment_ != '\0' && *p_ == comment_;
      if (!blank && !comment) return;
      while (p_ < end_ && *p_ != '\n') ++p_;
      if (p_ < end_) ++p_;
      ++line_;
    }
  }
  Status read_quoted(Field* field, int64_t column) {
    const int64_t opened = line_;
    ++p_;  // opening quote
    for (;;) {
      if (p_ == end_)
        return error(opened, column, "the quoted field opened here is never closed");
      if (*p_ == '"') {
        if (p_ + 1 < end_ && p_[1] == '"') {
          field->text += '"';
          p_ += 2;
          continue;
        }
        ++p_;
        break;
      }
      if (*p_ == '\n') ++line_;
      field->text += *p_++;
    }
    while (p_ < end_ && is_blank(*p_)) ++p_;
    if (p_ < end_ && *p_ != ',' && !at_line_end())
      return error(line_, column, std::string("unexpected '") + *p_ +
                                      "' after the closing quote (expected ',' or the line end)");
    return Status();
  }
  Status read_unquoted(Field* field, int64_t column) {
    const char* start = p_;
    while (p_ < end_ && *p_ != ',' && !at_line_end()) {
      if (*p_ == '"')
        return error(line_, column, "a double quote inside an unquoted field — quote the "
                                    "whole field and double the quote (\"say \"\"hi\"\"\")");
      ++p_;
    }
    const char* stop = p_;
    while (stop > start && is_blank(stop[-1])) --stop;
    field->text.assign(start, stop);
    return Status();
  }

  const char* p_;
  const char* end_;
  const std::string& name_;
  char comment_;
  int64_t line_ = 1;
};

// Strict decimal grammar: [+-] (digits [. digits] | . digits) [(e|E) [+-] digits].
bool is_decimal(const std::string& s) {
  std::size_t i = 0, n = s.size();
  auto digits = [&] {
    const std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t mantissa = digits();
  if (i < n && s[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

// NaN / ±Inf spelled nan, inf or infinity in any case, with an optional sign.
bool non_finite_value(const std::string& s, double* value) {
  std::string t;
  for (const char c : s) t += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  const bool negative = !t.empty() && t[0] == '-';
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.erase(0, 1);
  if (t == "nan") *value = std::numeric_limits<double>::quiet_NaN();
  else if (t == "inf" || t == "infinity") *value = negative ? -HUGE_VAL : HUGE_VAL;
  else return false;
  return true;
}

// Empty when `text` is a number (stored in *value); otherwise what is wrong with it.
std::string parse_number(const std::string& text, bool allow_non_finite, double* value) {
  if (text.empty()) return "expected a number, found an empty field";
  if (non_finite_value(text, value)) {
    if (allow_non_finite) return "";
    return "expected a finite number, found '" + text + "' (the caller can allow NaN/Inf)";
  }
  if (!is_decimal(text)) return "expected a number, found '" + text + "'";
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  in >> *value;
  if (in.fail()) return "the number '" + text + "' is out of the range of a double";
  return "";
}

std::string at_field(const std::string& name, int64_t line, std::size_t column) {
  return name + " line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
}

// Column names from the header record; checks they are non-empty and unique.
Status read_header(const Record& header, const std::string& name, CsvTable* table) {
  const std::size_t first = table->has_row_labels ? 1 : 0;
  if (header.fields.size() <= first)
    return corrupt(name + " line " + std::to_string(header.line) + ": the header names no " +
                   (first ? "numeric column after the row-label column" : "column"));
  if (table->has_row_labels) table->label_header = header.fields[0].text;
  std::map<std::string, std::size_t> seen;
  for (std::size_t j = first; j < header.fields.size(); ++j) {
    const Field& f = header.fields[j];
    if (f.text.empty())
      return corrupt(at_field(name, f.line, j + 1) + "the column name is empty; every numeric "
                     "column needs a name");
    const auto inserted = seen.emplace(f.text, j + 1);
    if (!inserted.second)
      return corrupt(at_field(name, f.line, j + 1) + "the column name '" + f.text +
                     "' appears twice (also column " + std::to_string(inserted.first->second) + ")");
    table->columns.push_back(f.text);
  }
  return Status();
}

}  // namespace

double CsvTable::at(int64_t r, int64_t c) const {
  BIORNN_CHECK(r >= 0 && r < rows() && c >= 0 && c < cols(),
               "CsvTable::at(" + std::to_string(r) + ", " + std::to_string(c) + ") outside a " +
                   std::to_string(rows()) + " × " + std::to_string(cols()) + " table");
  return values[std::size_t(r * cols() + c)];
}

int64_t CsvTable::column_index(const std::string& name) const {
  for (std::size_t j = 0; j < columns.size(); ++j)
    if (columns[j] == name) return int64_t(j);
  return -1;
}

int64_t CsvTable::row_index(const std::string& label) const {
  for (std::size_t i = 0; i < row_labels.size(); ++i)
    if (row_labels[i] == label) return int64_t(i);
  return -1;
}

StatusOr<CsvTable> parse_csv(const std::string& text, const std::string& name,
                             const CsvReadOptions& options) {
  RecordReader reader(text, name, options.comment);
  Record record;
  bool got = false;
  BIORNN_RETURN_IF_ERROR(reader.next(&record, &got));
  if (!got)
    return corrupt(name + ": " + (text.empty() ? "the file is empty" : "the file holds only blank "
                   "or comment lines") + "; expected a header line of column names");
  CsvTable table;
  table.has_row_labels = options.row_labels;
  BIORNN_RETURN_IF_ERROR(read_header(record, name, &table));
  const std::size_t width = record.fields.size();
  const int64_t header_line = record.line;
  std::map<std::string, int64_t> label_lines;
  for (;;) {
    BIORNN_RETURN_IF_ERROR(reader.next(&record, &got));
    if (!got) break;
    if (record.fields.size() != width)
      return corrupt(name + " line " + std::to_string(record.line) + ": expected " +
                     std::to_string(width) + " fields as in the header (line " +
                     std::to_string(header_line) + "), found " +
                     std::to_string(record.fields.size()));
    for (std::size_t j = 0; j < width; ++j) {
      const Field& f = record.fields[j];
      if (j == 0 && table.has_row_labels) {
        if (f.text.empty()) return corrupt(at_field(name, f.line, 1) + "the row label is empty");
        const auto inserted = label_lines.emplace(f.text, f.line);
        if (!inserted.second)
          return corrupt(at_field(name, f.line, 1) + "the row label '" + f.text +
                         "' appears twice (also line " + std::to_string(inserted.first->second) + ")");
        table.row_labels.push_back(f.text);
        continue;
      }
      double value = 0;
      const std::string why = parse_number(f.text, options.allow_non_finite, &value);
      if (!why.empty()) return corrupt(at_field(name, f.line, j + 1) + why);
      table.values.push_back(value);
    }
  }
  return table;
}

StatusOr<CsvTable> read_csv(const std::string& path, const CsvReadOptions& options) {
  StatusOr<std::vector<uint8_t>> bytes = read_file(path, options.max_bytes);
  if (!bytes.ok()) return bytes.status();
  const std::string text(bytes.value().begin(), bytes.value().end());
  return parse_csv(text, path, options);
}

std::string csv_escape(const std::string& field) {
  const bool needs_quotes =
      field.find_first_of(",\"\r\n") != std::string::npos ||
      (!field.empty() && (is_blank(field.front()) || is_blank(field.back()) || field[0] == '#'));
  if (!needs_quotes) return field;
  std::string out = "\"";
  for (const char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
  char buffer[64];
  const std::to_chars_result r = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, r.ptr);
#else
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out.precision(std::numeric_limits<double>::max_digits10);
  out << value;
  return out.str();
#endif
}

std::string format_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  auto line = [&](const std::vector<std::string>& fields) {
    // A lone empty field would read back as a blank line (skipped): quote it.
    if (fields.size() == 1 && fields[0].empty()) out += "\"\"";
    for (std::size_t j = 0; j < fields.size(); ++j) out += (j ? "," : "") + csv_escape(fields[j]);
    out += '\n';
  };
  line(header);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    BIORNN_CHECK(rows[i].size() == header.size(),
                 "format_csv: row " + std::to_string(i) + " has " + std::to_string(rows[i].size()) +
                     " fields, the header " + std::to_string(header.size()));
    line(rows[i]);
  }
  return out;
}

Status write_csv(const std::string& path, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  return write_file_atomic(path, format_csv(header, rows));
}

Status write_csv(const std::string& path, const CsvTable& table) {
  BIORNN_CHECK(table.values.size() == std::size_t(table.rows() * table.cols()) &&
                   (!table.has_row_labels || int64_t(table.row_labels.size()) == table.rows()),
               "write_csv: the table's values or row labels do not match its columns");
  std::vector<std::string> header;
  if (table.has_row_labels) header.push_back(table.label_header);
  header.insert(header.end(), table.columns.begin(), table.columns.end());
  std::vector<std::vector<std::string>> rows(std::size_t(table.rows()));
  for (int64_t r = 0; r < table.rows(); ++r) {
    if (table.has_row_labels) rows[std::size_t(r)].push_back(table.row_labels[std::size_t(r)]);
    for (int64_t c = 0; c < table.cols(); ++c) rows[std::size_t(r)].push_back(csv_number(table.at(r, c)));
  }
  return write_csv(path, header, rows);
}

}  // namespace biornn
