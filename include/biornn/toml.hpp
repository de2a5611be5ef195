// toml.hpp — a small, strict subset of TOML 1.0 for run configurations: parse, look up,
// validate against a schema, and write back.
//
// Every training run writes its resolved configuration in this format, and users pass one with
// `--config FILE`. The subset (https://toml.io/en/v1.0.0, the sections named in brackets):
//   * comments (# to end of line) [Comment]; LF or CRLF line ends; UTF-8 only, checked
//   * `[table]` and dotted `[a.b]` headers of bare keys [Table]
//   * `key = value` with a bare key (A–Z a–z 0–9 _ -) [Keys]
//   * values: basic strings "..." with the escapes \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX,
//     literal strings '...' [String]; decimal integers with optional sign and `_` between
//     digits [Integer]; floats with fraction and/or exponent, inf and nan with optional sign
//     [Float]; true / false [Boolean]; arrays of those scalars, on one line or several, with
//     comments and a trailing comma allowed [Array]
// Anything else TOML has — inline tables, arrays of tables, dotted or quoted keys, multi-line
// strings, hexadecimal/octal/binary integers, dates and times — is rejected with
// "... is not supported by biornn's TOML subset". Malformed input (duplicate keys or tables,
// a bad number, an unterminated string, invalid UTF-8) is rejected with the file name, line and
// column, what was expected and what was found. Parsing never throws on bad text.
//
// A document keeps keys and tables in the order they appeared, so the configuration a run
// writes reads like the one the user wrote, and writing is byte-stable. to_toml_string() writes
// a document that parses back equal to it (floats with the fewest of 15/16/17 significant
// digits that round-trip exactly; nan and inf spelled as TOML spells them).
//
// Typical use:
//   StatusOr<TomlDocument> doc = parse_toml(text, "run.toml");
//   TomlSchema schema;
//   schema.add("train.lr", TomlType::kFloat).greater_than(0).at_most(1);
//   schema.add("train.epochs", TomlType::kInteger).at_least(1);
//   schema.add("task", TomlType::kString).one_of({"flipflop", "wave", "seqmnist"}).required();
//   Status s = toml_validate(doc.value(), schema);   // every problem, one per line
//   double lr = 1e-3; s = doc.value().get_double("train.lr", &lr);  // kNotFound if absent
//
// Not here: reading or writing files (fileio.hpp); mapping a document onto training options
// (train.hpp / the CLI).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "biornn/status.hpp"

namespace biornn {

enum class TomlType { kString, kInteger, kFloat, kBoolean, kArray };

// "string", "integer", "float", "boolean", "array".
const char* toml_type_name(TomlType type);

struct TomlValue {
  TomlType type = TomlType::kInteger;
  std::string string_value;
  int64_t integer_value = 0;
  double float_value = 0.0;
  bool bool_value = false;
  std::vector<TomlValue> array_value;  // scalars only
  // Where the value starts in its source (1-based); 0 for values built in code.
  int32_t line = 0;
  int32_t column = 0;

  static TomlValue of_string(std::string s);
  static TomlValue of_integer(int64_t i);
  static TomlValue of_float(double d);
  static TomlValue of_bool(bool b);
  static TomlValue of_array(std::vector<TomlValue> elements);  // contract: no nested arrays

  // Same type and value; positions are ignored. Floats compare bit for bit up to the NaN
  // payload: nan equals nan of the same sign, -0.0 differs from 0.0. Integer 1 differs from 1.0.
  bool operator==(const TomlValue& other) const;
  bool operator!=(const TomlValue& other) const { return !(*this == other); }
};

// The value in TOML syntax, exactly as to_toml_string writes it: "a\"b", 42, 0.001, -inf, [1, 2].
std::string toml_value_string(const TomlValue& value);

struct TomlEntry {
  std::string key;  // the bare key within its table (no dots)
  TomlValue value;
  int32_t line = 0;  // 0 when built in code
};

struct TomlTable {
  std::string name;  // dotted path; "" for the root table
  std::vector<TomlEntry> entries;
  int32_t line = 0;  // line of the [header]; 0 for the root and for tables built in code
};

class TomlDocument {
 public:
  // A document with an empty root table. `source_name` prefixes every message ("run.toml").
  explicit TomlDocument(std::string source_name = "");

  const std::string& source_name() const { return source_name_; }
  // tables()[0] is the root table; the others in order of their headers (or first set()).
  const std::vector<TomlTable>& tables() const { return tables_; }

  // The value at a dotted path ("train.lr", "task"), or nullptr.
  const TomlValue* find(const std::string& path) const;
  bool contains(const std::string& path) const { return find(path) != nullptr; }

  // Typed lookups. kNotFound when the path is absent ("run.toml: missing key 'train.lr'"),
  // kInvalidArgument naming line, column, expected and found types when the type differs.
  // get_double and get_double_array also accept integers (converted to the nearest double).
  Status get_string(const std::string& path, std::string* out) const;
  Status get_integer(const std::string& path, int64_t* out) const;
  Status get_double(const std::string& path, double* out) const;
  Status get_bool(const std::string& path, bool* out) const;
  Status get_string_array(const std::string& path, std::vector<std::string>* out) const;
  Status get_integer_array(const std::string& path, std::vector<int64_t>* out) const;
  Status get_double_array(const std::string& path, std::vector<double>* out) const;

  // Sets the value at a dotted path of bare keys, replacing an existing value in place or
  // appending the key to its table (created at the end when new). Contract (the path comes
  // from code): every component a non-empty bare key; the path is not a table and no prefix of
  // it is a value; strings are valid UTF-8.
  void set(const std::string& path, TomlValue value);

  // Same tables in the same order with the same entries in the same order (see TomlValue ==).
  // Source names and line numbers are ignored.
  bool operator==(const TomlDocument& other) const;
  bool operator!=(const TomlDocument& other) const { return !(*this == other); }

 private:
  friend class TomlParser;
  std::string source_name_;
  std::vector<TomlTable> tables_;
};

// Parses `text`. Errors read "<source_name> line L, column C: <what was expected, what was
// found>"; kCorrupt for malformed text, kUnsupported for TOML features outside the subset.
StatusOr<TomlDocument> parse_toml(const std::string& text, const std::string& source_name);

// Writes the document: root keys first, then each table under its [header], keys in order.
// `header_comment` (may be empty, may hold several lines) is written first as # comments.
// parse_toml(to_toml_string(doc), ...) == doc for every document.
std::string to_toml_string(const TomlDocument& doc, const std::string& header_comment = "");

// ---- schema -----------------------------------------------------------------------------------

// One allowed key: its type and, optionally, a numeric range (for integers, floats, and the
// elements of arrays), a set of allowed strings, and whether it must be present. The setters
// return *this so a rule reads as one line.
struct TomlRule {
  std::string path;
  TomlType type = TomlType::kFloat;  // kFloat also accepts integers
  TomlType element_type = TomlType::kFloat;  // for kArray
  bool is_required = false;
  bool must_be_finite = false;
  bool has_min = false, min_exclusive = false;
  bool has_max = false, max_exclusive = false;
  double min = 0.0, max = 0.0;
  std::vector<std::string> allowed;  // for strings (or string arrays); empty = any

  TomlRule& at_least(double v);
  TomlRule& greater_than(double v);
  TomlRule& at_most(double v);
  TomlRule& less_than(double v);
  TomlRule& finite();
  TomlRule& one_of(std::vector<std::string> values);
  TomlRule& required();

  // What the rule asks for, as the error messages phrase it: "an integer ≥ 1",
  // "a float > 0 and ≤ 1", "a string, one of \"a\" or \"b\"", "an array of floats, each ≥ 0".
  std::string description() const;
};

class TomlSchema {
 public:
  // Declares a key. Contract: a new path of bare keys; not kArray (use add_array).
  TomlRule& add(const std::string& path, TomlType type);
  // Declares an array key whose elements all have `element_type` (not kArray).
  TomlRule& add_array(const std::string& path, TomlType element_type);
  const std::vector<TomlRule>& rules() const { return rules_; }
  // One line per rule, "train.lr = a float > 0 and ≤ 1 (required)", for --help texts.
  std::string describe() const;

 private:
  std::vector<TomlRule> rules_;
};

// Checks every key of `doc` against `schema`: unknown keys (with a "did you mean" suggestion
// found by edit distance), empty unknown tables, wrong types, values out of range or not among
// the allowed strings, and missing required keys. Returns ok, or kInvalidArgument whose message
// lists every problem, one per line, in file order, e.g.
//   run.toml line 7: unknown key 'train.lrate' (did you mean 'train.lr'?)
//   run.toml line 9: 'train.epochs' must be an integer ≥ 1, found -5
//   run.toml: missing required key 'task' (a string, one of "flipflop", "wave" or "seqmnist")
Status toml_validate(const TomlDocument& doc, const TomlSchema& schema);

// Optimal-string-alignment edit distance (insertions, deletions, substitutions and adjacent
// transpositions each cost 1), used for the suggestions.
int toml_edit_distance(const std::string& a, const std::string& b);

}  // namespace biornn
