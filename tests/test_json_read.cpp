// test_json_read.cpp — the JSON reader: what JsonWriter writes reads back equal, malformed text
// is refused with line and column, typed getters name the key.
#include "doctest/doctest.h"

#include <cmath>
#include <limits>

#include "biornn/json.hpp"
#include "biornn/json_read.hpp"

using namespace biornn;

TEST_CASE("what JsonWriter writes reads back: nesting, order, escapes, numbers and null for NaN") {
  JsonWriter j;
  j.begin_object().field("name", "a\"b\\c\n\x01µ").field("x", 0.1).field("big", uint64_t(18446744073709551615ull));
  j.field("nan", std::numeric_limits<double>::quiet_NaN()).field("flag", true).field("off", false);
  j.key("list").begin_array().value(int64_t(-3)).null().begin_object().end_object().end_array().end_object();
  StatusOr<JsonValue> v = parse_json(j.str(), "t.json");
  REQUIRE(v.ok());
  const JsonValue& o = v.value();
  REQUIRE(o.type == JsonType::kObject);
  REQUIRE(o.members.size() == 7);
  CHECK(o.members[0].first == "name");
  CHECK(o.members[6].first == "list");
  CHECK(o.find("name")->string == "a\"b\\c\n\x01µ");
  CHECK(o.find("x")->number == 0.1);
  CHECK(o.find("flag")->boolean);
  CHECK(o.find("off")->type == JsonType::kBool);
  CHECK_FALSE(o.find("off")->boolean);
  CHECK(o.find("missing") == nullptr);
  uint64_t big = 0;
  CHECK(json_get_uint64(o, "big", "t.json", &big).ok());
  CHECK(big == 18446744073709551615ull);  // beyond 2^53: read from the literal, exactly
  double nan = 0;
  CHECK(json_get_number(o, "nan", "t.json", &nan, true).ok());
  CHECK(std::isnan(nan));
  CHECK_FALSE(json_get_number(o, "nan", "t.json", &nan).ok());
  const JsonValue& list = *o.find("list");
  REQUIRE(list.items.size() == 3);
  CHECK(list.items[0].number == -3);
  CHECK(list.items[1].type == JsonType::kNull);
  CHECK(list.items[2].type == JsonType::kObject);
}

TEST_CASE("\\u escapes decode to UTF-8, surrogate pairs included") {
  StatusOr<JsonValue> v = parse_json(R"(["\u00b5\u2264\ud83d\ude00\/"])", "u.json");
  REQUIRE(v.ok());
  CHECK(v.value().items[0].string == "µ≤😀/");
  CHECK_FALSE(parse_json(R"(["\ud83d"])", "u.json").ok());
  CHECK_FALSE(parse_json(R"(["\ude00"])", "u.json").ok());
}

TEST_CASE("malformed JSON is refused with the source, line, column and what was found") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"{\"a\": 1,}", "u.json line 1, column 9: expected a key (a string), found '}'"},
      {"{\"a\": 1}\n x", "u.json line 2, column 2: expected the end of the document, found 'x'"},
      {"[01]", "expected ',' or ']' in an array, found '1'"},
      {"[1.]", "expected a digit after the decimal point"},
      {"[1e]", "expected a digit in the exponent"},
      {"[\"a\tb\"]", "expected an escaped control character"},
      {"[\"\\x\"]", "expected an escape"},
      {"{\"a\": 1, \"a\": 2}", "duplicate key \"a\""},
      {"[tru]", "expected a value"},
      {"[\"open", "expected '\"' to end the string, found the end of the text"},
      {"", "expected a value"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    StatusOr<JsonValue> v = parse_json(c.text, "u.json");
    REQUIRE_FALSE(v.ok());
    CHECK(v.status().message().find(c.message) != std::string::npos);
  }
  std::string deep(300, '[');
  CHECK(parse_json(deep, "d.json").status().message().find("nesting deeper than 200") != std::string::npos);
}

TEST_CASE("typed getters name the key, the expected type and the type found") {
  StatusOr<JsonValue> v = parse_json(R"({"n": 1.5, "s": "x", "i": 7, "neg": -2})", "run/summary.json");
  REQUIRE(v.ok());
  int64_t i = 0;
  CHECK(json_get_int(v.value(), "i", "run/summary.json", &i).ok());
  CHECK(i == 7);
  CHECK(json_get_int(v.value(), "n", "run/summary.json", &i).message() ==
        "run/summary.json: \"n\" should be an integer, found 1.5");
  CHECK(json_get_number(v.value(), "s", "run/summary.json", nullptr).message() ==
        "run/summary.json: \"s\" should be a number, found string");
  std::string s;
  CHECK(json_get_string(v.value(), "gone", "run/summary.json", &s).message() ==
        "run/summary.json: the key \"gone\" is missing (expected a string)");
  uint64_t u = 0;
  CHECK_FALSE(json_get_uint64(v.value(), "neg", "run/summary.json", &u).ok());
  const JsonValue* m = nullptr;
  CHECK(json_get_member(v.value(), "s", JsonType::kArray, "run/summary.json", &m).message() ==
        "run/summary.json: \"s\" should be an array, found string");
}
