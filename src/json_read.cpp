// json_read.cpp — the strict JSON parser and typed getters (see json_read.hpp).
#include "biornn/json_read.hpp"

#include <cerrno>
#include <cstdlib>

#include "biornn/fileio.hpp"

namespace biornn {

namespace {

constexpr int kMaxDepth = 200;

class Parser {
 public:
  Parser(const std::string& text, const std::string& source) : text_(text), source_(source) {}

  Status document(JsonValue* out) {
    skip_space();
    BIORNN_RETURN_IF_ERROR(value(out, 0));
    skip_space();
    if (pos_ != text_.size()) return error("expected the end of the document");
    return Status();
  }

 private:
  // "<source> line L, column C: <what>, found <the next character or the end>".
  Status error(const std::string& what) const {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string found = "the end of the text";
    if (pos_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      found = c >= 0x20 && c < 0x7f ? "'" + std::string(1, char(c)) + "'" : "byte " + std::to_string(int(c));
    }
    return corrupt(source_ + " line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what +
                   ", found " + found);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }

  bool literal(const char* word) {
    const std::string w = word;
    if (text_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }

  Status value(JsonValue* out, int depth) {
    if (depth > kMaxDepth) return error("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    const char c = peek();
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      out->type = JsonType::kString;
      return string(&out->string);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    if (literal("true")) {
      out->type = JsonType::kBool;
      out->boolean = true;
      return Status();
    }
    if (literal("false")) {
      out->type = JsonType::kBool;
      return Status();
    }
    if (literal("null")) {
      out->type = JsonType::kNull;
      return Status();
    }
    return error("expected a value (object, array, string, number, true, false or null)");
  }

  Status object(JsonValue* out, int depth) {
    out->type = JsonType::kObject;
    ++pos_;  // '{'
    skip_space();
    if (peek() == '}') {
      ++pos_;
      return Status();
    }
    for (;;) {
      if (peek() != '"') return error("expected a key (a string)");
      std::string key;
      const std::size_t key_pos = pos_;
      BIORNN_RETURN_IF_ERROR(string(&key));
      if (out->find(key) != nullptr) {
        pos_ = key_pos;
        return error("duplicate key \"" + key + "\"");
      }
      skip_space();
      if (peek() != ':') return error("expected ':' after a key");
      ++pos_;
      skip_space();
      out->members.emplace_back(key, JsonValue());
      BIORNN_RETURN_IF_ERROR(value(&out->members.back().second, depth + 1));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return Status();
      }
      return error("expected ',' or '}' in an object");
    }
  }

  Status array(JsonValue* out, int depth) {
    out->type = JsonType::kArray;
    ++pos_;  // '['
    skip_space();
    if (peek() == ']') {
      ++pos_;
      return Status();
    }
    for (;;) {
      out->items.emplace_back();
      BIORNN_RETURN_IF_ERROR(value(&out->items.back(), depth + 1));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return Status();
      }
      return error("expected ',' or ']' in an array");
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  Status number(JsonValue* out) {
    const std::size_t start = pos_;
    auto digits = [&] {
      const std::size_t from = pos_;
      while (peek() >= '0' && peek() <= '9') ++pos_;
      return pos_ > from;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      return error("expected a digit");
    }
    if (peek() == '.') {
      ++pos_;
      if (!digits()) return error("expected a digit after the decimal point");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!digits()) return error("expected a digit in the exponent");
    }
    out->type = JsonType::kNumber;
    out->string = text_.substr(start, pos_ - start);
    out->number = std::strtod(out->string.c_str(), nullptr);  // ±HUGE_VAL beyond the double range
    return Status();
  }

  static void append_utf8(uint32_t cp, std::string* out) {
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

  Status hex4(uint32_t* out) {
    *out = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      const char c = peek();
      uint32_t d = 0;
      if (c >= '0' && c <= '9') d = uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f') d = uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = uint32_t(c - 'A' + 10);
      else return error("expected four hexadecimal digits after \\u");
      *out = *out * 16 + d;
    }
    return Status();
  }

  Status string(std::string* out) {
    ++pos_;  // '"'
    for (;;) {
      if (at_end()) return error("expected '\"' to end the string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return Status();
      }
      if (c < 0x20) return error("expected an escaped control character in a string");
      if (c != '\\') {
        *out += char(c);
        ++pos_;
        continue;
      }
      ++pos_;
      const char e = peek();
      ++pos_;
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          BIORNN_RETURN_IF_ERROR(hex4(&cp));
          if (cp >= 0xD800 && cp < 0xDC00) {  // a high surrogate needs its low half
            uint32_t low = 0;
            if (!literal("\\u")) return error("expected a low surrogate (\\uDC00-\\uDFFF) after a high one");
            BIORNN_RETURN_IF_ERROR(hex4(&low));
            if (low < 0xDC00 || low >= 0xE000) return error("expected a low surrogate (\\uDC00-\\uDFFF)");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return error("expected a high surrogate before a low one");
          }
          append_utf8(cp, out);
          break;
        }
        default:
          --pos_;
          return error("expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      }
    }
  }

  const std::string& text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

Status wrong_type(const std::string& where, const std::string& key, const char* expected, const JsonValue* found) {
  if (found == nullptr) return invalid_argument(where + ": the key \"" + key + "\" is missing (expected " + expected + ")");
  return invalid_argument(where + ": \"" + key + "\" should be " + expected + ", found " + json_type_name(found->type));
}

}  // namespace

const char* json_type_name(JsonType type) {
  switch (type) {
    case JsonType::kNull: return "null";
    case JsonType::kBool: return "boolean";
    case JsonType::kNumber: return "number";
    case JsonType::kString: return "string";
    case JsonType::kArray: return "array";
    case JsonType::kObject: return "object";
  }
  return "?";
}

const JsonValue* JsonValue::find(const std::string& key) const {
  if (type != JsonType::kObject) return nullptr;
  for (const auto& m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

StatusOr<JsonValue> parse_json(const std::string& text, const std::string& source_name) {
  JsonValue root;
  Parser p(text, source_name);
  BIORNN_RETURN_IF_ERROR(p.document(&root));
  return root;
}

StatusOr<JsonValue> read_json_file(const std::string& path) {
  StatusOr<std::vector<uint8_t>> bytes = read_file(path, uint64_t(1) << 28);
  if (!bytes.ok()) return bytes.status();
  return parse_json(std::string(bytes.value().begin(), bytes.value().end()), path);
}

Status json_get_number(const JsonValue& object, const std::string& key, const std::string& where, double* out,
                       bool null_is_nan) {
  const JsonValue* v = object.find(key);
  if (v != nullptr && v->type == JsonType::kNull && null_is_nan) {
    *out = std::strtod("nan", nullptr);
    return Status();
  }
  if (v == nullptr || v->type != JsonType::kNumber) return wrong_type(where, key, null_is_nan ? "a number or null" : "a number", v);
  *out = v->number;
  return Status();
}

Status json_get_int(const JsonValue& object, const std::string& key, const std::string& where, int64_t* out) {
  const JsonValue* v = object.find(key);
  if (v == nullptr || v->type != JsonType::kNumber) return wrong_type(where, key, "an integer", v);
  errno = 0;
  char* end = nullptr;
  const long long parsed = std::strtoll(v->string.c_str(), &end, 10);
  if (errno != 0 || *end != '\0')
    return invalid_argument(where + ": \"" + key + "\" should be an integer, found " + v->string);
  *out = int64_t(parsed);
  return Status();
}

Status json_get_uint64(const JsonValue& object, const std::string& key, const std::string& where, uint64_t* out) {
  const JsonValue* v = object.find(key);
  if (v == nullptr || v->type != JsonType::kNumber) return wrong_type(where, key, "an unsigned integer", v);
  errno = 0;
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(v->string.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v->string[0] == '-')
    return invalid_argument(where + ": \"" + key + "\" should be an unsigned integer, found " + v->string);
  *out = uint64_t(parsed);
  return Status();
}

Status json_get_string(const JsonValue& object, const std::string& key, const std::string& where, std::string* out) {
  const JsonValue* v = object.find(key);
  if (v == nullptr || v->type != JsonType::kString) return wrong_type(where, key, "a string", v);
  *out = v->string;
  return Status();
}

Status json_get_member(const JsonValue& object, const std::string& key, JsonType type, const std::string& where,
                       const JsonValue** out) {
  const JsonValue* v = object.find(key);
  if (v == nullptr || v->type != type)
    return wrong_type(where, key, type == JsonType::kArray ? "an array" : type == JsonType::kObject ? "an object" : json_type_name(type), v);
  *out = v;
  return Status();
}

}  // namespace biornn
