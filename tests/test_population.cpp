// test_population.cpp — population tables read from CSV, written back, and every malformed
// table rejected with the file, line or population named.
#include "doctest/doctest.h"

#include "biornn/population.hpp"

using namespace biornn;

TEST_CASE("a population table round-trips through its CSV form") {
  const std::string text = "population,size,E,I\nE,102,0.2,0.35\nI,26,0.4,0.1\n";
  StatusOr<PopulationTable> t = parse_population_table(text, "ei.csv");
  REQUIRE(t.ok());
  CHECK(t.value().names == std::vector<std::string>{"E", "I"});
  CHECK(t.value().sizes == std::vector<int32_t>{102, 26});
  CHECK(t.value().total_units() == 128);
  CHECK(t.value().offset(1) == 102);
  CHECK(t.value().density(0, 1) == real(0.35));
  StatusOr<PopulationTable> again = parse_population_table(format_population_table(t.value()), "again.csv");
  REQUIRE(again.ok());
  CHECK(again.value().names == t.value().names);
  CHECK(bitwise_equal(again.value().density, t.value().density));
}

TEST_CASE("malformed population tables name what is wrong and where") {
  struct Bad {
    const char* text;
    const char* expect;
  };
  const Bad cases[] = {
      {"population,units,E\nE,10,0.1\n", "'population,size"},
      {"population,size,E,I\nE,10,0.1,0.2\nX,5,0.1,0.2\n", "expected 'X', found 'I'"},
      {"population,size,E\nE,0,0.5\n", "positive integer"},
      {"population,size,E\nE,2.5,0.5\n", "positive integer"},
      {"population,size,E\nE,10,1.5\n", "[0, 1]"},
      {"population,size,E,I\nE,10,0.1,0.2\n", "1 populations (rows) need 1"},
      {"population,size,E\nE,10,abc\n", "line 2"},
  };
  for (const Bad& b : cases) {
    CAPTURE(b.text);
    StatusOr<PopulationTable> t = parse_population_table(b.text, "bad.csv");
    REQUIRE_FALSE(t.ok());
    CAPTURE(t.status().message());
    CHECK(t.status().message().find(b.expect) != std::string::npos);
    CHECK(t.status().message().find("bad.csv") != std::string::npos);
  }
}
