// json.hpp — writing JSON: run summaries, benchmark lines, reports that other tools read.
//
// A streaming writer with the commas handled for you:
//   JsonWriter j;
//   j.begin_object().key("bench").value("gemm").key("gflops").value(91.5).end_object();
//   j.str()  →  {"bench":"gemm","gflops":91.5}
// Numbers are written with the fewest significant digits (15, 16 or 17) that read back as the
// same double; NaN and ±inf, which JSON cannot express, are written as null. Strings are
// escaped per RFC 8259 (quotes, backslash, control characters as \u00XX).
//
// Not here: reading JSON back (json_read.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace biornn {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& name);
  JsonWriter& value(const std::string& text);
  JsonWriter& value(const char* text) { return value(std::string(text)); }
  JsonWriter& value(double number);
  JsonWriter& value(int64_t number);
  JsonWriter& value(int32_t number) { return value(int64_t(number)); }
  JsonWriter& value(uint64_t number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  // Shorthand for key(name).value(v).
  template <class T>
  JsonWriter& field(const std::string& name, const T& v) {
    return key(name).value(v);
  }

  // The text so far; complete once every begin_* has its end_*.
  const std::string& str() const { return out_; }

 private:
  void before_value();
  std::string out_;
  std::vector<bool> first_in_scope_;  // one per open object/array
  bool after_key_ = false;
};

// The number as JSON writes it (shortest round-trip form, or "null").
std::string json_number(double number);
// The string as a JSON string literal, quotes included.
std::string json_string(const std::string& text);

}  // namespace biornn
