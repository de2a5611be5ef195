// json_read.hpp — reading JSON back: the run summaries (summary.json) and the synthetic ground
// truth (truth.json) that biornn's own commands write, read by `celltype compare`,
// `celltype recovery` and `aggregate`.
//
// A strict RFC 8259 parser into a small tree. Objects keep their members in file order (the
// writer's order), and a duplicate key is an error, so a lookup is never ambiguous. Numbers are
// read as doubles (strtod of the validated literal: the program never changes the C locale).
// JsonWriter writes NaN and ±inf as null (json.hpp); the typed getters below therefore read a
// null number back as NaN when asked to, so a summary round-trips.
//
// Errors read "<source> line L, column C: expected ..., found ..." for malformed text, and
// "<source>: <path>: ..." (path like r2.V1_L4_Pyr or planted[1].blocks[0].source) for a missing
// key or a value of the wrong type. Nesting deeper than 200 levels is rejected (the parser
// recurses once per level).
//
// Not here: writing JSON (json.hpp); any schema beyond one key's type.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "biornn/status.hpp"

namespace biornn {

enum class JsonType { kNull, kBool, kNumber, kString, kArray, kObject };
const char* json_type_name(JsonType type);  // "null", "boolean", "number", "string", "array", "object"

struct JsonValue {
  JsonType type = JsonType::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;  // strings; for numbers, the literal as written (integers beyond 2^53 stay exact)
  std::vector<JsonValue> items;                            // arrays
  std::vector<std::pair<std::string, JsonValue>> members;  // objects, in file order

  // The member `key` of an object; nullptr when absent or when this is not an object.
  const JsonValue* find(const std::string& key) const;
};

// Parses a whole document (one value, surrounded by optional whitespace).
StatusOr<JsonValue> parse_json(const std::string& text, const std::string& source_name);
// read_file + parse_json; the path names the source.
StatusOr<JsonValue> read_json_file(const std::string& path);

// Typed members of an object; `where` (the file and the path of `object`, e.g. "run1/summary.json")
// prefixes the message. Absent key or wrong type → kInvalidArgument naming the key, the type
// expected and the type found.
Status json_get_number(const JsonValue& object, const std::string& key, const std::string& where, double* out,
                       bool null_is_nan = false);
// Integers: the literal must be a whole number without fraction or exponent, in range.
Status json_get_int(const JsonValue& object, const std::string& key, const std::string& where, int64_t* out);
Status json_get_uint64(const JsonValue& object, const std::string& key, const std::string& where, uint64_t* out);
Status json_get_string(const JsonValue& object, const std::string& key, const std::string& where, std::string* out);
// An object or array member (pointer into `object`).
Status json_get_member(const JsonValue& object, const std::string& key, JsonType type, const std::string& where,
                       const JsonValue** out);

}  // namespace biornn
