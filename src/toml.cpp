// toml.cpp — TomlValue, TomlDocument (ordered tables, typed lookup, set) and the writer.
//
// The writer is the parser's inverse on the subset: strings are written as basic strings with
// escapes for '"', '\\' and control characters (other UTF-8 passes through); floats with the
// fewest of 15, 16 or 17 significant digits that read back to the same double, always with a
// '.' or an exponent so they stay floats; nan and inf as TOML spells them.
//
// Not here: parsing (toml_parse.cpp), schemas (toml_schema.cpp).
#include "biornn/toml.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "toml_internal.hpp"

namespace biornn {

namespace toml_detail {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  if (path.empty()) return parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

bool is_valid_path(const std::string& path) {
  const std::vector<std::string> parts = split_path(path);
  if (parts.empty()) return false;
  for (const std::string& p : parts) {
    if (p.empty()) return false;
    for (char c : p)
      if (!is_bare_key_char(c)) return false;
  }
  return true;
}

std::size_t first_invalid_utf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = s[i];
    if (c < 0x80) { ++i; continue; }
    int len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return i;  // continuation byte, overlong 2-byte lead (C0, C1) or F5..FF
    if (i + std::size_t(len) > n) return i;
    for (int k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += std::size_t(len);
  }
  return std::string::npos;
}

std::string type_with_article(TomlType type) {
  const bool vowel = type == TomlType::kInteger || type == TomlType::kArray;
  return std::string(vowel ? "an " : "a ") + toml_type_name(type);
}

}  // namespace toml_detail

using namespace toml_detail;

const char* toml_type_name(TomlType type) {
  switch (type) {
    case TomlType::kString: return "string";
    case TomlType::kInteger: return "integer";
    case TomlType::kFloat: return "float";
    case TomlType::kBoolean: return "boolean";
    case TomlType::kArray: return "array";
  }
  return "unknown type";
}

// ---- values -----------------------------------------------------------------------------------

TomlValue TomlValue::of_string(std::string s) {
  TomlValue v;
  v.type = TomlType::kString;
  v.string_value = std::move(s);
  return v;
}
TomlValue TomlValue::of_integer(int64_t i) {
  TomlValue v;
  v.type = TomlType::kInteger;
  v.integer_value = i;
  return v;
}
TomlValue TomlValue::of_float(double d) {
  TomlValue v;
  v.type = TomlType::kFloat;
  v.float_value = d;
  return v;
}
TomlValue TomlValue::of_bool(bool b) {
  TomlValue v;
  v.type = TomlType::kBoolean;
  v.bool_value = b;
  return v;
}
TomlValue TomlValue::of_array(std::vector<TomlValue> elements) {
  for (const TomlValue& e : elements)
    BIORNN_CHECK(e.type != TomlType::kArray, "TomlValue::of_array: nested arrays are not supported");
  TomlValue v;
  v.type = TomlType::kArray;
  v.array_value = std::move(elements);
  return v;
}

bool TomlValue::operator==(const TomlValue& o) const {
  if (type != o.type) return false;
  switch (type) {
    case TomlType::kString: return string_value == o.string_value;
    case TomlType::kInteger: return integer_value == o.integer_value;
    case TomlType::kBoolean: return bool_value == o.bool_value;
    case TomlType::kFloat:
      if (std::signbit(float_value) != std::signbit(o.float_value)) return false;
      return float_value == o.float_value || (std::isnan(float_value) && std::isnan(o.float_value));
    case TomlType::kArray: return array_value == o.array_value;
  }
  return false;
}

namespace {

std::string format_float(double d) {
  if (std::isnan(d)) return std::signbit(d) ? "-nan" : "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[40];
  int n = 0;
  for (int precision = 15; precision <= 17; ++precision) {
    n = std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    double back = 0.0;
    std::from_chars(buf, buf + n, back);
    if (back == d) break;
  }
  std::string s(buf, std::size_t(n));
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string quote_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", unsigned(c));
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

void check_strings_utf8(const TomlValue& v, const std::string& path) {
  if (v.type == TomlType::kString)
    BIORNN_CHECK(first_invalid_utf8(v.string_value) == std::string::npos,
                 "TomlDocument::set: the string for '" + path + "' is not valid UTF-8");
  for (const TomlValue& e : v.array_value) check_strings_utf8(e, path);
}

}  // namespace

std::string toml_value_string(const TomlValue& v) {
  switch (v.type) {
    case TomlType::kString: return quote_string(v.string_value);
    case TomlType::kInteger: return std::to_string(v.integer_value);
    case TomlType::kFloat: return format_float(v.float_value);
    case TomlType::kBoolean: return v.bool_value ? "true" : "false";
    case TomlType::kArray: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.array_value.size(); ++i) {
        if (i > 0) out += ", ";
        out += toml_value_string(v.array_value[i]);
      }
      return out + "]";
    }
  }
  return "";
}

// ---- document ---------------------------------------------------------------------------------

TomlDocument::TomlDocument(std::string source_name) : source_name_(std::move(source_name)) {
  tables_.push_back(TomlTable{});
}

const TomlValue* TomlDocument::find(const std::string& path) const {
  const std::size_t dot = path.rfind('.');
  const std::string table = dot == std::string::npos ? "" : path.substr(0, dot);
  const std::string key = dot == std::string::npos ? path : path.substr(dot + 1);
  for (const TomlTable& t : tables_) {
    if (t.name != table) continue;
    for (const TomlEntry& e : t.entries)
      if (e.key == key) return &e.value;
  }
  return nullptr;
}

namespace {

std::string display_name(const std::string& source) { return source.empty() ? "config" : source; }

std::string where(const std::string& source, const TomlValue& v) {
  std::string s = display_name(source);
  if (v.line > 0) s += " line " + std::to_string(v.line) + ", column " + std::to_string(v.column);
  return s;
}

// Looks up `path` and checks its type; `want_float` also accepts integers.
Status typed_lookup(const TomlDocument& doc, const std::string& path, TomlType want,
                    const TomlValue** out) {
  const TomlValue* v = doc.find(path);
  if (v == nullptr) return not_found(display_name(doc.source_name()) + ": missing key '" + path + "'");
  const bool ok = v->type == want || (want == TomlType::kFloat && v->type == TomlType::kInteger);
  if (!ok)
    return invalid_argument(where(doc.source_name(), *v) + ": '" + path + "' should be " +
                            type_with_article(want) + ", found " + type_with_article(v->type) +
                            " " + toml_value_string(*v));
  *out = v;
  return Status();
}

Status array_lookup(const TomlDocument& doc, const std::string& path, TomlType element,
                    const TomlValue** out) {
  BIORNN_RETURN_IF_ERROR(typed_lookup(doc, path, TomlType::kArray, out));
  const std::vector<TomlValue>& a = (*out)->array_value;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool ok = a[i].type == element ||
                    (element == TomlType::kFloat && a[i].type == TomlType::kInteger);
    if (!ok)
      return invalid_argument(where(doc.source_name(), a[i]) + ": '" + path +
                              "' should be an array of " + toml_type_name(element) + "s, found " +
                              type_with_article(a[i].type) + " " + toml_value_string(a[i]) +
                              " at index " + std::to_string(i));
  }
  return Status();
}

double as_double(const TomlValue& v) {
  return v.type == TomlType::kInteger ? double(v.integer_value) : v.float_value;
}

}  // namespace

Status TomlDocument::get_string(const std::string& path, std::string* out) const {
  const TomlValue* v = nullptr;
  BIORNN_RETURN_IF_ERROR(typed_lookup(*this, path, TomlType::kString, &v));
  *out = v->string_value;
  return Status();
}

Status TomlDocument::get_integer(const std::string& path, int64_t* out) const {
  const TomlValue* v = nullptr;
  BIORNN_RETURN_IF_ERROR(typed_lookup(*this, path, TomlType::kInteger, &v));
  *out = v->integer_value;
  return Status();
}

Status TomlDocument::get_double(const std::string& path, double* out) const {
  const TomlValue* v = nullptr;
  BIORNN_RETURN_IF_ERROR(typed_lookup(*this, path, TomlType::kFloat, &v));
  *out = as_double(*v);
  return Status();
}

Status TomlDocument::get_bool(const std::string& path, bool* out) const {
  const TomlValue* v = nullptr;
  BIORNN_RETURN_IF_ERROR(typed_lookup(*this, path, TomlType::kBoolean, &v));
  *out = v->bool_value;
  return Status();
}

Status TomlDocument::get_string_array(const std::string& path, std::vector<std::string>* out) const {
  const TomlValue* v = nullptr;
  BIORNN_RETURN_IF_ERROR(array_lookup(*this, path, TomlType::kString, &v));
  out->clear();
  for (const TomlValue& e : v->array_value) out->push_back(e.string_value);
  return Status();
}

Status TomlDocument::get_integer_array(const std::string& path, std::vector<int64_t>* out) const {
  const TomlValue* v = nullptr;
  BIORNN_RETURN_IF_ERROR(array_lookup(*this, path, TomlType::kInteger, &v));
  out->clear();
  for (const TomlValue& e : v->array_value) out->push_back(e.integer_value);
  return Status();
}

Status TomlDocument::get_double_array(const std::string& path, std::vector<double>* out) const {
  const TomlValue* v = nullptr;
  BIORNN_RETURN_IF_ERROR(array_lookup(*this, path, TomlType::kFloat, &v));
  out->clear();
  for (const TomlValue& e : v->array_value) out->push_back(as_double(e));
  return Status();
}

void TomlDocument::set(const std::string& path, TomlValue value) {
  BIORNN_CHECK(is_valid_path(path),
               "TomlDocument::set: '" + path + "' is not a dotted path of bare keys");
  if (value.type == TomlType::kArray)
    for (const TomlValue& e : value.array_value)
      BIORNN_CHECK(e.type != TomlType::kArray, "TomlDocument::set: nested array for '" + path + "'");
  check_strings_utf8(value, path);
  for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1))
    BIORNN_CHECK(find(path.substr(0, dot)) == nullptr,
                 "TomlDocument::set: '" + path.substr(0, dot) + "' is a value, so '" + path +
                     "' cannot be set");
  for (const TomlTable& t : tables_)
    BIORNN_CHECK(t.name != path && t.name.compare(0, path.size() + 1, path + ".") != 0,
                 "TomlDocument::set: '" + path + "' is a table ([" + t.name + "] exists)");
  const std::size_t dot = path.rfind('.');
  const std::string table = dot == std::string::npos ? "" : path.substr(0, dot);
  const std::string key = dot == std::string::npos ? path : path.substr(dot + 1);
  TomlTable* target = nullptr;
  for (TomlTable& t : tables_)
    if (t.name == table) target = &t;
  if (target == nullptr) {
    tables_.push_back(TomlTable{table, {}, 0});
    target = &tables_.back();
  }
  for (TomlEntry& e : target->entries) {
    if (e.key == key) {
      e.value = std::move(value);
      return;
    }
  }
  target->entries.push_back(TomlEntry{key, std::move(value), 0});
}

bool TomlDocument::operator==(const TomlDocument& other) const {
  if (tables_.size() != other.tables_.size()) return false;
  for (std::size_t i = 0; i < tables_.size(); ++i) {
    const TomlTable& a = tables_[i];
    const TomlTable& b = other.tables_[i];
    if (a.name != b.name || a.entries.size() != b.entries.size()) return false;
    for (std::size_t k = 0; k < a.entries.size(); ++k)
      if (a.entries[k].key != b.entries[k].key || a.entries[k].value != b.entries[k].value)
        return false;
  }
  return true;
}

// ---- writer -----------------------------------------------------------------------------------

std::string to_toml_string(const TomlDocument& doc, const std::string& header_comment) {
  BIORNN_CHECK(first_invalid_utf8(header_comment) == std::string::npos,
               "to_toml_string: the header comment is not valid UTF-8");
  std::string out;
  if (!header_comment.empty()) {
    // One "# " line per line of the comment; other control characters become spaces so the
    // comment cannot break the file.
    std::string line;
    std::size_t n = header_comment.size();
    if (header_comment[n - 1] == '\n') --n;  // a final newline does not start another line
    for (std::size_t i = 0; i <= n; ++i) {
      const char c = i < n ? header_comment[i] : '\n';
      if (c == '\n') {
        out += line.empty() ? "#\n" : "# " + line + "\n";
        line.clear();
      } else {
        const auto u = static_cast<unsigned char>(c);
        line += (u < 0x20 && c != '\t') || u == 0x7F ? ' ' : c;
      }
    }
  }
  auto write_entries = [&out](const TomlTable& t) {
    for (const TomlEntry& e : t.entries) out += e.key + " = " + toml_value_string(e.value) + "\n";
  };
  const std::vector<TomlTable>& tables = doc.tables();
  if (!out.empty() && !tables[0].entries.empty()) out += "\n";
  write_entries(tables[0]);
  for (std::size_t i = 1; i < tables.size(); ++i) {
    if (!out.empty()) out += "\n";
    out += "[" + tables[i].name + "]\n";
    write_entries(tables[i]);
  }
  return out;
}

}  // namespace biornn
