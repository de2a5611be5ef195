// test_toml.cpp — the TOML subset: every value type, typed lookup, the writer's round trip,
// and every error path with its line and column.
#include "doctest/doctest.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "biornn/toml.hpp"

using namespace biornn;

namespace {

TomlDocument parse_ok(const std::string& text) {
  StatusOr<TomlDocument> doc = parse_toml(text, "run.toml");
  REQUIRE_MESSAGE(doc.ok(), doc.status().to_string());
  return doc.value();
}

// The error message of parsing `text`, which must fail with `code`.
std::string parse_error(const std::string& text, StatusCode code) {
  StatusOr<TomlDocument> doc = parse_toml(text, "run.toml");
  REQUIRE_FALSE(doc.ok());
  CHECK_MESSAGE(doc.status().code() == code, doc.status().to_string());
  return doc.status().message();
}

double bits_to_double(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace

TEST_CASE("a TOML document holds strings, integers, floats, booleans and arrays under tables") {
  const TomlDocument doc = parse_ok(
      "# a run\n"
      "task = \"flipflop\"   # trailing comment\n"
      "seed = -1_000\n"
      "\n"
      "[train]  # the optimiser\n"
      "lr = 1e-3\n"
      "momentum = +0.9\n"
      "dale = true\n"
      "rectified = false\n"
      "sizes = [1, 2, 3,]\n"
      "[train.schedule]\n"
      "names = ['a', \"b\"]\n");
  std::string task;
  int64_t seed = 0;
  double lr = 0, momentum = 0;
  bool dale = false, rectified = true;
  std::vector<int64_t> sizes;
  std::vector<std::string> names;
  CHECK(doc.get_string("task", &task).ok());
  CHECK(doc.get_integer("seed", &seed).ok());
  CHECK(doc.get_double("train.lr", &lr).ok());
  CHECK(doc.get_double("train.momentum", &momentum).ok());
  CHECK(doc.get_bool("train.dale", &dale).ok());
  CHECK(doc.get_bool("train.rectified", &rectified).ok());
  CHECK(doc.get_integer_array("train.sizes", &sizes).ok());
  CHECK(doc.get_string_array("train.schedule.names", &names).ok());
  CHECK(task == "flipflop");
  CHECK(seed == -1000);
  CHECK(lr == 1e-3);
  CHECK(momentum == 0.9);
  CHECK(dale);
  CHECK_FALSE(rectified);
  CHECK(sizes == std::vector<int64_t>{1, 2, 3});
  CHECK(names == std::vector<std::string>{"a", "b"});
  REQUIRE(doc.tables().size() == 3);
  CHECK(doc.tables()[1].name == "train");
  CHECK(doc.tables()[2].name == "train.schedule");
  CHECK(doc.find("train.lr")->line == 6);
  CHECK(doc.find("train.lr")->column == 6);
}

TEST_CASE("TOML basic strings decode every escape and literal strings keep backslashes") {
  const TomlDocument doc = parse_ok(
      "a = \"q\\\" b\\\\ n\\n t\\t r\\r f\\f b\\b \\u00e9 \\U0001F600\"\n"
      "b = 'C:\\path\\n'\n"
      "c = \"tab\there é\"\n");
  CHECK(doc.find("a")->string_value == "q\" b\\ n\n t\t r\r f\f b\b \xC3\xA9 \xF0\x9F\x98\x80");
  CHECK(doc.find("b")->string_value == "C:\\path\\n");
  CHECK(doc.find("c")->string_value == "tab\there \xC3\xA9");
}

TEST_CASE("TOML floats cover fractions, exponents, underscores, signed zero, inf and nan") {
  const TomlDocument doc = parse_ok(
      "a = 3.25\nb = -2E+2\nc = 1_000.5e-1_0\nd = -0.0\ne = inf\nf = -inf\ng = nan\nh = -nan\n"
      "i = +inf\n");
  CHECK(doc.find("a")->float_value == 3.25);
  CHECK(doc.find("b")->float_value == -200.0);
  CHECK(doc.find("c")->float_value == 1000.5e-10);
  CHECK(std::signbit(doc.find("d")->float_value));
  CHECK(doc.find("e")->float_value == std::numeric_limits<double>::infinity());
  CHECK(doc.find("f")->float_value == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(doc.find("g")->float_value));
  CHECK_FALSE(std::signbit(doc.find("g")->float_value));
  CHECK(std::isnan(doc.find("h")->float_value));
  CHECK(std::signbit(doc.find("h")->float_value));
  CHECK(doc.find("i")->float_value == std::numeric_limits<double>::infinity());
}

TEST_CASE("TOML integers reach both ends of int64 and are not floats") {
  const TomlDocument doc = parse_ok("lo = -9223372036854775808\nhi = 9_223_372_036_854_775_807\nz = +0\n");
  CHECK(doc.find("lo")->integer_value == std::numeric_limits<int64_t>::min());
  CHECK(doc.find("hi")->integer_value == std::numeric_limits<int64_t>::max());
  CHECK(doc.find("z")->type == TomlType::kInteger);
  CHECK(TomlValue::of_integer(1) != TomlValue::of_float(1.0));
}

TEST_CASE("TOML arrays may span lines with comments, CRLF line ends and a trailing comma") {
  const TomlDocument doc = parse_ok("x = [\r\n  1.5, # first\r\n  2,\r\n\r\n  -3e0,\r\n]\r\ny = []\r\n");
  std::vector<double> x;
  CHECK(doc.get_double_array("x", &x).ok());
  CHECK(x == std::vector<double>{1.5, 2.0, -3.0});
  CHECK(doc.find("x")->array_value[1].type == TomlType::kInteger);
  CHECK(doc.find("x")->array_value[2].line == 5);
  CHECK(doc.find("y")->array_value.empty());
}

TEST_CASE("TOML lookup tells a missing key from a key of the wrong type") {
  const TomlDocument doc = parse_ok("[train]\nlr = \"fast\"\nepochs = 10\n");
  double lr = 0.0;
  const Status missing = doc.get_double("train.momentum", &lr);
  CHECK(missing.code() == StatusCode::kNotFound);
  CHECK(missing.message() == "run.toml: missing key 'train.momentum'");
  const Status wrong = doc.get_double("train.lr", &lr);
  CHECK(wrong.code() == StatusCode::kInvalidArgument);
  CHECK(wrong.message() == "run.toml line 2, column 6: 'train.lr' should be a float, found a string \"fast\"");
  double epochs = 0.0;
  CHECK(doc.get_double("train.epochs", &epochs).ok());  // integers are accepted as floats
  CHECK(epochs == 10.0);
  std::vector<double> v;
  CHECK(doc.get_double_array("train.epochs", &v).code() == StatusCode::kInvalidArgument);
  const TomlDocument mixed = parse_ok("v = [1.0, \"x\"]\n");
  CHECK(mixed.get_double_array("v", &v).message() ==
        "run.toml line 1, column 11: 'v' should be an array of floats, found a string \"x\" at index 1");
}

TEST_CASE("a TOML document written by to_toml_string parses back equal, keys in order") {
  TomlDocument doc;
  doc.set("task", TomlValue::of_string("wave \"quoted\" \\ \n\t\x01 \xC3\xA9"));
  doc.set("seed", TomlValue::of_integer(std::numeric_limits<int64_t>::min()));
  doc.set("train.lr", TomlValue::of_float(1e-3));
  doc.set("train.zero", TomlValue::of_float(-0.0));
  doc.set("train.nan", TomlValue::of_float(-std::numeric_limits<double>::quiet_NaN()));
  doc.set("train.inf", TomlValue::of_float(std::numeric_limits<double>::infinity()));
  doc.set("model.n", TomlValue::of_integer(1440));
  doc.set("train.flags", TomlValue::of_array({TomlValue::of_bool(true), TomlValue::of_bool(false)}));
  doc.set("train.lr", TomlValue::of_float(2e-3));  // replaced in place, keeps its position
  doc.set("empty.table.x", TomlValue::of_array({}));
  const std::string text = to_toml_string(doc, "resolved configuration\nline two");
  CHECK(text ==
        "# resolved configuration\n# line two\n\n"
        "task = \"wave \\\"quoted\\\" \\\\ \\n\\t\\u0001 \xC3\xA9\"\n"
        "seed = -9223372036854775808\n\n"
        "[train]\nlr = 0.002\nzero = -0.0\nnan = -nan\ninf = inf\nflags = [true, false]\n\n"
        "[model]\nn = 1440\n\n[empty.table]\nx = []\n");
  const TomlDocument back = parse_ok(text);
  CHECK(back == doc);
  CHECK(to_toml_string(back, "resolved configuration\nline two\n") == text);
  CHECK(to_toml_string(TomlDocument(), "a\n\nb\r") == "# a\n#\n# b \n");
}

TEST_CASE("TOML floats round-trip bit for bit, written with the fewest digits that do") {
  CHECK(toml_value_string(TomlValue::of_float(0.1)) == "0.1");
  CHECK(toml_value_string(TomlValue::of_float(1.0)) == "1.0");
  CHECK(toml_value_string(TomlValue::of_float(1e300)) == "1e+300");
  CHECK(toml_value_string(TomlValue::of_float(1.0 / 3.0)) == "0.3333333333333333");
  uint64_t state = 0x9E3779B97F4A7C15ull;
  TomlDocument doc;
  std::vector<TomlValue> values;
  for (int i = 0; i < 2000; ++i) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift64
    values.push_back(TomlValue::of_float(bits_to_double(state)));
  }
  values.push_back(TomlValue::of_float(bits_to_double(1)));                      // smallest subnormal
  values.push_back(TomlValue::of_float(std::numeric_limits<double>::max()));
  values.push_back(TomlValue::of_float(std::numeric_limits<double>::min()));
  doc.set("x", TomlValue::of_array(values));
  const TomlDocument back = parse_ok(to_toml_string(doc));
  CHECK(back == doc);
}

TEST_CASE("a parsed TOML file written back is stable and keeps table order") {
  const std::string text = "b = 1\n\n[z]\ny = 2.5\n\n[a.b]\nc = 'x'\n\n[a]\nd = [1, 2]\n";
  const TomlDocument doc = parse_ok(text);
  CHECK(to_toml_string(doc) == "b = 1\n\n[z]\ny = 2.5\n\n[a.b]\nc = \"x\"\n\n[a]\nd = [1, 2]\n");
  CHECK(parse_ok(to_toml_string(doc)) == doc);
}

TEST_CASE("TomlDocument::set rejects paths that are not bare keys or clash with tables") {
  TomlDocument doc;
  doc.set("a.b", TomlValue::of_integer(1));
  CHECK_THROWS_AS(doc.set("a.b.c", TomlValue::of_integer(2)), ContractViolation);
  CHECK_THROWS_AS(doc.set("a", TomlValue::of_integer(2)), ContractViolation);
  CHECK_THROWS_AS(doc.set("x..y", TomlValue::of_integer(2)), ContractViolation);
  CHECK_THROWS_AS(doc.set("has space", TomlValue::of_integer(2)), ContractViolation);
  CHECK_THROWS_AS(doc.set("s", TomlValue::of_string("\xFF")), ContractViolation);
}

TEST_CASE("malformed TOML is rejected naming line, column, what was expected and what was found") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"a = 1\n\na = 2\n", "run.toml line 3, column 1: duplicate key 'a' (first defined on line 1)"},
      {"[t]\nx = 1\n[t]\n", "run.toml line 3, column 1: duplicate table [t] (first defined on line 1)"},
      {"[t]\nx = 1\n[t.x]\n", "run.toml line 3, column 1: table [t.x] clashes with the key 't.x' defined on line 2"},
      {"[t.x]\n[t]\nx = 1\n", "run.toml line 3, column 1: the key 't.x' clashes with the table [t.x] defined on line 1"},
      {"a = \"abc\nb = 1\n", "run.toml line 1, column 5: unterminated string: the closing '\"' is missing before the end of line"},
      {"a = 'abc", "run.toml line 1, column 5: unterminated string: the closing \"'\" is missing before the end of file"},
      {"a = [1, 2\n", "run.toml line 2, column 1: unterminated array (opened at line 1, column 5): expected ']', found end of file"},
      {"a = [1 2]\n", "run.toml line 1, column 8: expected ',' or ']' after an array element, found '2'"},
      {"a = [,]\n", "run.toml line 1, column 6: expected a value (a quoted string, a number, true, false or an array), found ','"},
      {"a = 1 2\n", "run.toml line 1, column 7: expected end of line after the value of 'a', found '2'"},
      {"a =\n", "run.toml line 1, column 4: expected a value, found end of line"},
      {"a 1\n", "run.toml line 1, column 3: expected '=' after the key 'a', found '1'"},
      {"= 1\n", "run.toml line 1, column 1: expected a key (letters, digits, '_' or '-'), found '='"},
      {"[t\n", "run.toml line 1, column 3: expected '.' or ']' in the table header, found end of line"},
      {"[t] x = 1\n", "run.toml line 1, column 5: expected end of line after the table header [t], found 'x'"},
      {"a = 012\n", "run.toml line 1, column 5: leading zeros are not allowed in the number '012'"},
      {"a = 1__000\n", "run.toml line 1, column 5: malformed number '1__000': digits must not start or end with '_' or hold '__'"},
      {"a = 1_\n", "run.toml line 1, column 5: malformed number '1_': digits must not start or end with '_' or hold '__'"},
      {"a = .5\n", "run.toml line 1, column 5: expected a value (a quoted string, a number, true, false or an array), found '.5'; strings must be quoted"},
      {"a = 5.\n", "run.toml line 1, column 5: malformed number '5.': a '.' must have digits on both sides"},
      {"a = 1e\n", "run.toml line 1, column 5: malformed number '1e': the exponent needs digits"},
      {"a = 1.5x\n", "run.toml line 1, column 5: malformed number '1.5x'"},
      {"a = 9223372036854775808\n", "run.toml line 1, column 5: the integer '9223372036854775808' does not fit in a 64-bit signed integer"},
      {"a = 1e999\n", "run.toml line 1, column 5: the float '1e999' is out of the range of a double"},
      {"a = yes\n", "run.toml line 1, column 5: expected a value (a quoted string, a number, true, false or an array), found 'yes'; strings must be quoted"},
      {"a = True\n", "run.toml line 1, column 5: expected a value (a quoted string, a number, true, false or an array), found 'True'; booleans are written true and false"},
      {"s = \"\\x41\"\n", "run.toml line 1, column 6: invalid escape sequence '\\x'; the escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX"},
      {"s = \"\\u12G4\"\n", "run.toml line 1, column 6: \\u must be followed by 4 hexadecimal digits, found 'G'"},
      {"s = \"\\uDC00\"\n", "run.toml line 1, column 6: the escape '\\uDC00' is not a Unicode scalar value"},
      {"s = \"a\x01\"\n", "run.toml line 1, column 7: control character U+0001 must be written as an escape in a string"},
      {"# ok\n# bad \x7F\n", "run.toml line 2, column 7: control character U+007F is not allowed in a comment"},
      {"a = 1\rb = 2\n", "run.toml line 1, column 6: a carriage return must be followed by a line feed"},
      {"é = \"x\"\n", "run.toml line 1, column 1: expected a key (letters, digits, '_' or '-'), found 'é'"},
      {"s = \"é\" é\n", "run.toml line 1, column 9: expected end of line after the value of 's', found 'é'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(parse_error(c.text, StatusCode::kCorrupt) == c.message);
  }
}

TEST_CASE("invalid UTF-8 in a TOML file is rejected at the offending byte") {
  CHECK(parse_error("a = 1\nb = \"x\xC3\x28\"\n", StatusCode::kCorrupt) ==
        "run.toml line 2, column 7: invalid UTF-8 (byte 0xC3); the file must be UTF-8 encoded");
  CHECK(parse_error("a = \"\xED\xA0\x80\"\n", StatusCode::kCorrupt).find("byte 0xED") != std::string::npos);
  CHECK(parse_error("a = \"\xC0\xAF\"\n", StatusCode::kCorrupt).find("byte 0xC0") != std::string::npos);
  CHECK(parse_error("a = \"\xF4\x90\x80\x80\"\n", StatusCode::kCorrupt).find("byte 0xF4") != std::string::npos);
  CHECK(parse_ok("\xEF\xBB\xBF" "a = 1\n").find("a")->column == 5);  // a byte order mark is skipped
}

TEST_CASE("TOML features outside the subset are rejected as not supported") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"t = {x = 1}\n", "run.toml line 1, column 5: inline tables ({...}) are not supported by biornn's TOML subset; use a [table] header"},
      {"[[runs]]\n", "run.toml line 1, column 1: arrays of tables ([[...]]) are not supported by biornn's TOML subset"},
      {"d = 1979-05-27\n", "run.toml line 1, column 5: dates and times ('1979-05-27') are not supported by biornn's TOML subset; write them as strings"},
      {"d = 07:32:00\n", "run.toml line 1, column 5: dates and times ('07:32:00') are not supported by biornn's TOML subset; write them as strings"},
      {"h = 0xff\n", "run.toml line 1, column 5: hexadecimal, octal and binary integers ('0xff') are not supported by biornn's TOML subset; write the number in decimal"},
      {"a.b = 1\n", "run.toml line 1, column 2: dotted keys ('a.b = ...') are not supported by biornn's TOML subset; put the key under a [table] header"},
      {"\"k\" = 1\n", "run.toml line 1, column 1: quoted keys are not supported by biornn's TOML subset; use a bare key (letters, digits, '_' and '-')"},
      {"s = \"\"\"x\"\"\"\n", "run.toml line 1, column 5: multi-line strings (\"\"\") are not supported by biornn's TOML subset"},
      {"s = '''x'''\n", "run.toml line 1, column 5: multi-line strings (''') are not supported by biornn's TOML subset"},
      {"a = [[1], [2]]\n", "run.toml line 1, column 6: arrays of arrays are not supported by biornn's TOML subset"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(parse_error(c.text, StatusCode::kUnsupported) == c.message);
  }
}
