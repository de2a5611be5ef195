// toml_parse.cpp — the parser for biornn's TOML subset (grammar in toml.hpp).
//
// A hand-written recursive-descent parser over the UTF-8 text, one logical line at a time
// (arrays may span lines). It tracks the current line and where it starts, so every error names
// line and column (columns count characters, not bytes). Definitions are recorded by dotted path
// with their line, which is how duplicates and key/table clashes are reported with the line of
// the first definition. TOML rules kept: a table may be opened explicitly once; [a.b] makes [a]
// exist implicitly, and [a] may still be declared later; a key may not share a path with a table.
//
// Not here: the document model and writer (toml.cpp), schemas (toml_schema.cpp).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "biornn/toml.hpp"
#include "toml_internal.hpp"

namespace biornn {

using namespace toml_detail;

class TomlParser {
 public:
  TomlParser(const std::string& text, const std::string& source)
      : text_(text), source_(source), doc_(source) {}
  StatusOr<TomlDocument> run();

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  int32_t column_at(std::size_t at) const;
  std::string describe_at(std::size_t at) const;
  Status error(StatusCode code, std::size_t at, const std::string& message) const;
  Status malformed(std::size_t at, const std::string& m) const { return error(StatusCode::kCorrupt, at, m); }
  Status unsupported_at(std::size_t at, const std::string& feature) const {
    return error(StatusCode::kUnsupported, at, feature + " not supported by biornn's TOML subset");
  }

  void skip_spaces();
  Status newline();
  Status comment();
  Status line_end(const std::string& after);
  Status skip_array_space();
  Status parse_header();
  Status parse_key(std::string* key);
  Status parse_key_value();
  Status parse_value(TomlValue* out);
  Status parse_basic_string(TomlValue* out);
  Status parse_literal_string(TomlValue* out);
  Status parse_escape(std::string* out);
  Status parse_array(TomlValue* out);
  Status parse_word(TomlValue* out);
  Status parse_number(const std::string& token, std::size_t start, TomlValue* out);

  const std::string& text_;
  std::string source_;
  std::size_t pos_ = 0;
  int32_t line_ = 1;
  std::size_t line_start_ = 0;
  mutable std::size_t col_line_start_ = 0, col_pos_ = 0;  // column_at's cache
  mutable int32_t col_ = 1;
  TomlDocument doc_;
  std::size_t table_ = 0;                     // index of the current table in doc_.tables_
  std::map<std::string, int32_t> keys_;       // full path of every value -> line
  std::map<std::string, int32_t> tables_;     // every table, explicit or implicit -> line
  std::map<std::string, int32_t> explicit_;   // tables opened by a header -> line
};

namespace {

bool is_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }

std::string hex_code_point(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", unsigned(cp));
  return buf;
}

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += char(cp);
  } else if (cp < 0x800) {
    *out += char(0xC0 | (cp >> 6));
    *out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += char(0xE0 | (cp >> 12));
    *out += char(0x80 | ((cp >> 6) & 0x3F));
    *out += char(0x80 | (cp & 0x3F));
  } else {
    *out += char(0xF0 | (cp >> 18));
    *out += char(0x80 | ((cp >> 12) & 0x3F));
    *out += char(0x80 | ((cp >> 6) & 0x3F));
    *out += char(0x80 | (cp & 0x3F));
  }
}

// Consumes a run of digits and underscores at token[*i]; true when it is non-empty, starts and
// ends with a digit and has no two underscores in a row.
bool read_digits(const std::string& token, std::size_t* i) {
  const std::size_t start = *i;
  while (*i < token.size() && ((token[*i] >= '0' && token[*i] <= '9') || token[*i] == '_')) ++*i;
  if (*i == start || token[start] == '_' || token[*i - 1] == '_') return false;
  return token.substr(start, *i - start).find("__") == std::string::npos;
}

bool looks_like_date_or_time(const std::string& t) {
  if (t.find(':') != std::string::npos) return true;
  if (t.size() < 5 || t[4] != '-') return false;
  for (int k = 0; k < 4; ++k)
    if (t[k] < '0' || t[k] > '9') return false;
  return true;
}

}  // namespace

int32_t TomlParser::column_at(std::size_t at) const {
  // Counts characters from the last position asked about on this line (values of a long array
  // are asked about left to right), so a one-line array costs linear time, not quadratic.
  if (col_line_start_ != line_start_ || at < col_pos_) {
    col_line_start_ = col_pos_ = line_start_;
    col_ = 1;
  }
  for (; col_pos_ < at && col_pos_ < text_.size(); ++col_pos_)
    if ((static_cast<unsigned char>(text_[col_pos_]) & 0xC0) != 0x80) ++col_;
  return col_;
}

std::string TomlParser::describe_at(std::size_t at) const {
  if (at >= text_.size()) return "end of file";
  const auto c = static_cast<unsigned char>(text_[at]);
  if (c == '\n' || c == '\r') return "end of line";
  if (is_control(c)) return "control character " + hex_code_point(c);
  if (c < 0x80) return std::string("'") + char(c) + "'";
  std::size_t end = at + 1;
  while (end < text_.size() && (static_cast<unsigned char>(text_[end]) & 0xC0) == 0x80) ++end;
  return "'" + text_.substr(at, end - at) + "'";
}

Status TomlParser::error(StatusCode code, std::size_t at, const std::string& message) const {
  return Status(code, source_ + " line " + std::to_string(line_) + ", column " +
                          std::to_string(column_at(at)) + ": " + message);
}

void TomlParser::skip_spaces() {
  while (peek() == ' ' || peek() == '\t') ++pos_;
}

Status TomlParser::newline() {
  if (peek() == '\r' && peek(1) == '\n') {
    pos_ += 2;
  } else if (peek() == '\n') {
    pos_ += 1;
  } else {
    return malformed(pos_, "a carriage return must be followed by a line feed");
  }
  ++line_;
  line_start_ = pos_;
  return Status();
}

Status TomlParser::comment() {
  ++pos_;  // '#'
  while (!at_end() && peek() != '\n' && peek() != '\r') {
    const auto c = static_cast<unsigned char>(peek());
    if (is_control(c))
      return malformed(pos_, "control character " + hex_code_point(c) + " is not allowed in a comment");
    ++pos_;
  }
  return Status();
}

Status TomlParser::line_end(const std::string& after) {
  skip_spaces();
  if (peek() == '#') BIORNN_RETURN_IF_ERROR(comment());
  if (at_end()) return Status();
  if (peek() == '\n' || peek() == '\r') return newline();
  return malformed(pos_, "expected end of line after " + after + ", found " + describe_at(pos_));
}

Status TomlParser::skip_array_space() {
  while (true) {
    skip_spaces();
    if (peek() == '#') BIORNN_RETURN_IF_ERROR(comment());
    if (at_end() || (peek() != '\n' && peek() != '\r')) return Status();
    BIORNN_RETURN_IF_ERROR(newline());
  }
}

StatusOr<TomlDocument> TomlParser::run() {
  const std::size_t bad = first_invalid_utf8(text_);
  if (bad != std::string::npos) {
    for (std::size_t i = 0; i < bad; ++i)
      if (text_[i] == '\n') ++line_, line_start_ = i + 1;
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", unsigned(static_cast<unsigned char>(text_[bad])));
    return malformed(bad, std::string("invalid UTF-8 (byte ") + buf +
                              "); the file must be UTF-8 encoded");
  }
  if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = line_start_ = 3;  // byte order mark
  while (true) {
    skip_spaces();
    if (at_end()) break;
    const char c = peek();
    if (c == '#') {
      BIORNN_RETURN_IF_ERROR(line_end("a comment"));
    } else if (c == '\n' || c == '\r') {
      BIORNN_RETURN_IF_ERROR(newline());
    } else if (c == '[') {
      BIORNN_RETURN_IF_ERROR(parse_header());
    } else {
      BIORNN_RETURN_IF_ERROR(parse_key_value());
    }
  }
  return std::move(doc_);
}

Status TomlParser::parse_key(std::string* key) {
  const char c = peek();
  if (c == '"' || c == '\'')
    return error(StatusCode::kUnsupported, pos_,
                 "quoted keys are not supported by biornn's TOML subset; use a bare key "
                 "(letters, digits, '_' and '-')");
  const std::size_t start = pos_;
  while (is_bare_key_char(peek())) ++pos_;
  if (pos_ == start)
    return malformed(pos_, "expected a key (letters, digits, '_' or '-'), found " + describe_at(pos_));
  *key = text_.substr(start, pos_ - start);
  return Status();
}

Status TomlParser::parse_header() {
  const std::size_t start = pos_;
  ++pos_;  // '['
  if (peek() == '[') return unsupported_at(start, "arrays of tables ([[...]]) are");
  std::string name;
  while (true) {
    skip_spaces();
    std::string part;
    BIORNN_RETURN_IF_ERROR(parse_key(&part));
    name = join_path(name, part);
    skip_spaces();
    if (peek() == '.') { ++pos_; continue; }
    if (peek() == ']') { ++pos_; break; }
    return malformed(pos_, "expected '.' or ']' in the table header, found " + describe_at(pos_));
  }
  auto dup = explicit_.find(name);
  if (dup != explicit_.end())
    return malformed(start, "duplicate table [" + name + "] (first defined on line " +
                                std::to_string(dup->second) + ")");
  for (std::size_t dot = name.find('.');; dot = name.find('.', dot + 1)) {
    const std::string prefix = name.substr(0, dot);  // the whole name when dot == npos
    auto key = keys_.find(prefix);
    if (key != keys_.end())
      return malformed(start, "table [" + name + "] clashes with the key '" + prefix +
                                  "' defined on line " + std::to_string(key->second));
    tables_.emplace(prefix, line_);
    if (dot == std::string::npos) break;
  }
  explicit_[name] = line_;
  doc_.tables_.push_back(TomlTable{name, {}, line_});
  table_ = doc_.tables_.size() - 1;
  return line_end("the table header [" + name + "]");
}

Status TomlParser::parse_key_value() {
  const std::size_t key_start = pos_;
  std::string key;
  BIORNN_RETURN_IF_ERROR(parse_key(&key));
  skip_spaces();
  if (peek() == '.')
    return error(StatusCode::kUnsupported, pos_,
                 "dotted keys ('a.b = ...') are not supported by biornn's TOML subset; put the "
                 "key under a [table] header");
  if (peek() != '=')
    return malformed(pos_, "expected '=' after the key '" + key + "', found " + describe_at(pos_));
  ++pos_;
  skip_spaces();
  const std::string path = join_path(doc_.tables_[table_].name, key);
  auto dup = keys_.find(path);
  if (dup != keys_.end())
    return malformed(key_start, "duplicate key '" + path + "' (first defined on line " +
                                    std::to_string(dup->second) + ")");
  auto table = tables_.find(path);
  if (table != tables_.end())
    return malformed(key_start, "the key '" + path + "' clashes with the table [" + path +
                                    "] defined on line " + std::to_string(table->second));
  const int32_t line = line_;
  TomlValue value;
  BIORNN_RETURN_IF_ERROR(parse_value(&value));
  keys_[path] = line;
  doc_.tables_[table_].entries.push_back(TomlEntry{key, std::move(value), line});
  return line_end("the value of '" + path + "'");
}

Status TomlParser::parse_value(TomlValue* out) {
  const std::size_t start = pos_;
  const int32_t line = line_;
  const int32_t column = column_at(pos_);
  const char c = peek();
  if (at_end() || c == '\n' || c == '\r' || c == '#')
    return malformed(pos_, "expected a value, found " + describe_at(pos_));
  if (c == '"') {
    if (peek(1) == '"' && peek(2) == '"') return unsupported_at(start, "multi-line strings (\"\"\") are");
    BIORNN_RETURN_IF_ERROR(parse_basic_string(out));
  } else if (c == '\'') {
    if (peek(1) == '\'' && peek(2) == '\'') return unsupported_at(start, "multi-line strings (''') are");
    BIORNN_RETURN_IF_ERROR(parse_literal_string(out));
  } else if (c == '[') {
    BIORNN_RETURN_IF_ERROR(parse_array(out));
  } else if (c == '{') {
    return error(StatusCode::kUnsupported, start,
                 "inline tables ({...}) are not supported by biornn's TOML subset; use a [table] "
                 "header");
  } else {
    BIORNN_RETURN_IF_ERROR(parse_word(out));
  }
  out->line = line;
  out->column = column;
  return Status();
}

Status TomlParser::parse_escape(std::string* out) {
  const std::size_t at = pos_;  // at the backslash
  const char e = peek(1);
  const char* simple = nullptr;
  switch (e) {
    case 'b': simple = "\b"; break;
    case 't': simple = "\t"; break;
    case 'n': simple = "\n"; break;
    case 'f': simple = "\f"; break;
    case 'r': simple = "\r"; break;
    case '"': simple = "\""; break;
    case '\\': simple = "\\"; break;
    default: break;
  }
  if (simple != nullptr) {
    *out += simple;
    pos_ += 2;
    return Status();
  }
  if (e != 'u' && e != 'U') {
    const bool printable = e > ' ' && e < 0x7F;
    return malformed(at, std::string("invalid escape sequence") +
                             (printable ? std::string(" '\\") + e + "'" : " at " + describe_at(at + 1)) +
                             "; the escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX");
  }
  const int digits = e == 'u' ? 4 : 8;
  uint32_t cp = 0;
  for (int k = 0; k < digits; ++k) {
    const char h = peek(2 + std::size_t(k));
    int v = -1;
    if (h >= '0' && h <= '9') v = h - '0';
    else if (h >= 'a' && h <= 'f') v = h - 'a' + 10;
    else if (h >= 'A' && h <= 'F') v = h - 'A' + 10;
    if (v < 0)
      return malformed(at, std::string("\\") + e + " must be followed by " + std::to_string(digits) +
                               " hexadecimal digits, found " + describe_at(pos_ + 2 + std::size_t(k)));
    cp = cp * 16 + uint32_t(v);
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return malformed(at, "the escape '" + text_.substr(at, std::size_t(2 + digits)) +
                             "' is not a Unicode scalar value");
  append_utf8(cp, out);
  pos_ += std::size_t(2 + digits);
  return Status();
}

Status TomlParser::parse_basic_string(TomlValue* out) {
  const std::size_t open = pos_++;
  std::string s;
  while (true) {
    if (at_end() || peek() == '\n' || peek() == '\r')
      return malformed(open, "unterminated string: the closing '\"' is missing before the " +
                                 describe_at(pos_));
    const auto c = static_cast<unsigned char>(peek());
    if (c == '"') { ++pos_; break; }
    if (c == '\\') {
      BIORNN_RETURN_IF_ERROR(parse_escape(&s));
      continue;
    }
    if (is_control(c))
      return malformed(pos_, "control character " + hex_code_point(c) +
                                 " must be written as an escape in a string");
    s += char(c);
    ++pos_;
  }
  *out = TomlValue::of_string(std::move(s));
  return Status();
}

Status TomlParser::parse_literal_string(TomlValue* out) {
  const std::size_t open = pos_++;
  const std::size_t start = pos_;
  while (true) {
    if (at_end() || peek() == '\n' || peek() == '\r')
      return malformed(open, "unterminated string: the closing \"'\" is missing before the " +
                                 describe_at(pos_));
    const auto c = static_cast<unsigned char>(peek());
    if (c == '\'') break;
    if (is_control(c))
      return malformed(pos_, "control character " + hex_code_point(c) +
                                 " is not allowed in a literal string");
    ++pos_;
  }
  *out = TomlValue::of_string(text_.substr(start, pos_ - start));
  ++pos_;
  return Status();
}

Status TomlParser::parse_array(TomlValue* out) {
  const std::size_t open = pos_++;
  const std::string opened =
      "line " + std::to_string(line_) + ", column " + std::to_string(column_at(open));
  std::vector<TomlValue> elements;
  while (true) {
    BIORNN_RETURN_IF_ERROR(skip_array_space());
    if (peek() == ']') { ++pos_; break; }
    if (peek() == '[') return unsupported_at(pos_, "arrays of arrays are");
    if (at_end())
      return malformed(pos_, "unterminated array (opened at " + opened + "): expected ']', found end of file");
    TomlValue element;
    BIORNN_RETURN_IF_ERROR(parse_value(&element));
    elements.push_back(std::move(element));
    BIORNN_RETURN_IF_ERROR(skip_array_space());
    if (peek() == ']') { ++pos_; break; }
    if (peek() == ',') { ++pos_; continue; }
    if (at_end())
      return malformed(pos_, "unterminated array (opened at " + opened + "): expected ']', found end of file");
    return malformed(pos_, "expected ',' or ']' after an array element, found " + describe_at(pos_));
  }
  *out = TomlValue::of_array(std::move(elements));
  return Status();
}

Status TomlParser::parse_word(TomlValue* out) {
  const std::size_t start = pos_;
  auto word_char = [](char c) {
    return is_bare_key_char(c) || c == '+' || c == '.' || c == ':';
  };
  while (!at_end() && word_char(peek())) ++pos_;
  const std::string token = text_.substr(start, pos_ - start);
  if (token.empty())
    return malformed(start, "expected a value (a quoted string, a number, true, false or an "
                            "array), found " + describe_at(start));
  if (token == "true" || token == "false") {
    *out = TomlValue::of_bool(token == "true");
    return Status();
  }
  const std::string unsigned_token = token[0] == '+' || token[0] == '-' ? token.substr(1) : token;
  if (unsigned_token == "inf" || unsigned_token == "nan") {
    const double v = unsigned_token == "inf" ? std::numeric_limits<double>::infinity()
                                             : std::numeric_limits<double>::quiet_NaN();
    *out = TomlValue::of_float(token[0] == '-' ? -v : std::copysign(v, 1.0));
    return Status();
  }
  if (looks_like_date_or_time(token))
    return error(StatusCode::kUnsupported, start,
                 "dates and times ('" + token + "') are not supported by biornn's TOML subset; "
                 "write them as strings");
  if (unsigned_token.size() > 1 && unsigned_token[0] == '0' &&
      (unsigned_token[1] == 'x' || unsigned_token[1] == 'o' || unsigned_token[1] == 'b'))
    return error(StatusCode::kUnsupported, start,
                 "hexadecimal, octal and binary integers ('" + token + "') are not supported by "
                 "biornn's TOML subset; write the number in decimal");
  const char first = unsigned_token.empty() ? '\0' : unsigned_token[0];
  if (!(first >= '0' && first <= '9')) {
    std::string hint = "; strings must be quoted";
    if (token == "True" || token == "False" || token == "TRUE" || token == "FALSE")
      hint = "; booleans are written true and false";
    return malformed(start, "expected a value (a quoted string, a number, true, false or an "
                            "array), found '" + token + "'" + hint);
  }
  return parse_number(token, start, out);
}

Status TomlParser::parse_number(const std::string& token, std::size_t start, TomlValue* out) {
  std::size_t i = (token[0] == '+' || token[0] == '-') ? 1 : 0;
  const std::size_t int_start = i;
  const std::string bad = "malformed number '" + token + "'";
  if (!read_digits(token, &i))
    return malformed(start, bad + ": digits must not start or end with '_' or hold '__'");
  if (i - int_start > 1 && token[int_start] == '0')
    return malformed(start, "leading zeros are not allowed in the number '" + token + "'");
  bool is_float = false;
  if (i < token.size() && token[i] == '.') {
    ++i;
    is_float = true;
    if (!read_digits(token, &i))
      return malformed(start, bad + ": a '.' must have digits on both sides");
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    is_float = true;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    if (!read_digits(token, &i)) return malformed(start, bad + ": the exponent needs digits");
  }
  if (i != token.size()) return malformed(start, bad);
  std::string clean;
  for (char c : token)
    if (c != '_' && c != '+') clean += c;
  if (is_float) {
    double v = 0.0;
    const auto r = std::from_chars(clean.data(), clean.data() + clean.size(), v);
    if (r.ec != std::errc() || r.ptr != clean.data() + clean.size())
      return malformed(start, "the float '" + token + "' is out of the range of a double");
    *out = TomlValue::of_float(v);
  } else {
    int64_t v = 0;
    const auto r = std::from_chars(clean.data(), clean.data() + clean.size(), v);
    if (r.ec != std::errc() || r.ptr != clean.data() + clean.size())
      return malformed(start, "the integer '" + token + "' does not fit in a 64-bit signed integer");
    *out = TomlValue::of_integer(v);
  }
  return Status();
}

StatusOr<TomlDocument> parse_toml(const std::string& text, const std::string& source_name) {
  TomlParser parser(text, source_name);
  return parser.run();
}

}  // namespace biornn
