// test_json.cpp — the JSON writer: structure, commas, escaping and round-trip numbers.
#include "doctest/doctest.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "biornn/check.hpp"
#include "biornn/json.hpp"

using namespace biornn;

TEST_CASE("nested objects and arrays get their commas and nothing else") {
  JsonWriter j;
  j.begin_object().field("a", int64_t(1)).key("list").begin_array().value(true).null().value("x").end_array();
  j.key("inner").begin_object().end_object().end_object();
  CHECK(j.str() == R"({"a":1,"list":[true,null,"x"],"inner":{}})");
}

TEST_CASE("strings escape quotes, backslashes and control characters") {
  CHECK(json_string("a\"b\\c\nd\te\x01") == "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
  CHECK(json_string("µs ≤ 2") == "\"µs ≤ 2\"");  // UTF-8 passes through
}

TEST_CASE("numbers read back exactly and non-finite values become null") {
  for (double v : {0.1, 1.0 / 3.0, 1e-300, 123456789.125, -2.5e17, 0.0}) {
    CAPTURE(v);
    CHECK(std::strtod(json_number(v).c_str(), nullptr) == v);
  }
  CHECK(json_number(0.5) == "0.5");
  CHECK(json_number(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(json_number(-std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("misuse of the writer is a contract violation") {
  JsonWriter j;
  CHECK_THROWS_AS(j.end_object(), ContractViolation);
  JsonWriter k;
  k.begin_object().key("a");
  CHECK_THROWS_AS(k.key("b"), ContractViolation);
}
