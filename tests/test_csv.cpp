// test_csv.cpp — CSV tables: the SPEC §7 density table with row and column labels, RFC 4180
// quoting both ways, exact number round trips, and an error naming line and column for
// every kind of bad input.
#include "doctest/doctest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "biornn/csv.hpp"
#include "biornn/fileio.hpp"
#include "io_test_util.hpp"

using namespace biornn;
using io_test::contains;
using io_test::TempDir;

namespace {

// SPEC §7's intra-areal densities (rows = post, columns = pre), as the project ships them.
const char* const kDensityTable =
    "# Campagnola et al. 2022, as printed in Table 1 of the paper (rows: post, columns: pre)\n"
    "post\\pre,L23Pyr,L23Sst,L23Vip,L4Pyr,L4Sst,L4Vip,L5Pyr,L5Sst,L5Vip\n"
    "L23 Pyr, 0.06, 0.23, 0.05, 0.07, 0.33, 0.00, 0.00, 0.15, 0.00\n"
    "L23 Sst, 0.30, 0.05, 0.14, 0.04, 0.05, 0.25, 0.00, 0.05, 0.00\n"
    "L23 Vip, 0.16, 0.30, 0.01, 0.02, 0.21, 0.00, 0.00, 0.13, 0.00\n"
    "L4 Pyr,  0.05, 0.04, 0.00, 0.10, 0.22, 0.00, 0.00, 0.19, 0.00\n"
    "L4 Sst,  0.17, 0.00, 0.14, 0.04, 0.01, 0.14, 0.08, 0.04, 0.20\n"
    "L4 Vip,  0.00, 0.13, 0.05, 0.00, 0.22, 0.03, 0.02, 0.14, 0.00\n"
    "L5 Pyr,  0.08, 0.00, 0.00, 0.00, 0.08, 0.00, 0.04, 0.15, 0.00\n"
    "L5 Sst,  0.04, 0.00, 0.00, 0.03, 0.04, 0.11, 0.10, 0.03, 0.05\n"
    "L5 Vip,  0.00, 0.00, 0.04, 0.11, 0.07, 0.04, 0.02, 0.10, 0.03\n";

CsvReadOptions with_labels() {
  CsvReadOptions o;
  o.row_labels = true;
  return o;
}

std::string error_of(const std::string& text, const CsvReadOptions& options = {}) {
  StatusOr<CsvTable> t = parse_csv(text, "table.csv", options);
  return t.ok() ? "<ok>" : t.status().message();
}

}  // namespace

TEST_CASE("the 9 × 9 density table reads with its row labels, column names and values") {
  StatusOr<CsvTable> t = parse_csv(kDensityTable, "densities.csv", with_labels());
  REQUIRE_MESSAGE(t.ok(), t.status().to_string());
  const CsvTable& table = t.value();
  CHECK(table.rows() == 9);
  CHECK(table.cols() == 9);
  CHECK(table.label_header == "post\\pre");
  CHECK(table.columns[3] == "L4Pyr");
  CHECK(table.row_labels[4] == "L4 Sst");
  CHECK(table.at(0, 0) == 0.06);
  CHECK(table.at(table.row_index("L4 Sst"), table.column_index("L5Vip")) == 0.20);
  CHECK(table.at(8, 8) == 0.03);
  CHECK(table.column_index("nope") == -1);
  CHECK(table.row_index("nope") == -1);
  CHECK_THROWS_AS(table.at(9, 0), ContractViolation);
}

TEST_CASE("quoted fields hold commas, quotes and line breaks; CRLF, a BOM and blank lines are accepted") {
  const std::string text =
      "\xEF\xBB\xBF\"name, with comma\",\"say \"\"x\"\"\",plain\r\n"
      "\r\n"
      "  \"row\n two\"  ,  1.5 ,-2e-3\r\n"
      "\n"
      "\"3\",4,5";
  StatusOr<CsvTable> t = parse_csv(text, "q.csv", with_labels());
  REQUIRE_MESSAGE(t.ok(), t.status().to_string());
  CHECK(t.value().label_header == "name, with comma");
  CHECK(t.value().columns == std::vector<std::string>{"say \"x\"", "plain"});
  CHECK(t.value().row_labels == std::vector<std::string>{"row\n two", "3"});
  CHECK(t.value().values == std::vector<double>{1.5, -2e-3, 4, 5});
  StatusOr<CsvTable> no_labels = parse_csv("a,b\n1,2\n", "n.csv");
  REQUIRE(no_labels.ok());
  CHECK_FALSE(no_labels.value().has_row_labels);
  CHECK(no_labels.value().values == std::vector<double>{1, 2});
}

TEST_CASE("every kind of bad CSV input is reported with file, line and column") {
  CHECK(error_of("a,b\n1,2\n3,O.2\n") == "table.csv line 3, column 2: expected a number, found 'O.2'");
  CHECK(error_of("a,b,c,d,e,f,g\n1,2,3,4,5,6,7\n1,2,3,4,5,6,7\n1,2,3,4,5,6,O.2\n") ==
        "table.csv line 4, column 7: expected a number, found 'O.2'");
  CHECK(error_of("a,b\n1,2\n3\n") ==
        "table.csv line 3: expected 2 fields as in the header (line 1), found 1");
  CHECK(error_of("") == "table.csv: the file is empty; expected a header line of column names");
  CHECK(contains(error_of("# only a comment\n\n"), "holds only blank or comment lines"));
  CHECK(error_of("a,b,a\n") == "table.csv line 1, column 3: the column name 'a' appears twice (also column 1)");
  CHECK(error_of("a,,b\n") == "table.csv line 1, column 2: the column name is empty; every numeric column needs a name");
  CHECK(error_of("x,a\nr,1\nr,2\n", with_labels()) ==
        "table.csv line 3, column 1: the row label 'r' appears twice (also line 2)");
  CHECK(contains(error_of("x,a\n,1\n", with_labels()), "line 2, column 1: the row label is empty"));
  CHECK(contains(error_of("x\n", with_labels()), "line 1: the header names no numeric column"));
  CHECK(error_of("a,b\n1,\"2\n") == "table.csv line 2, column 2: the quoted field opened here is never closed");
  CHECK(contains(error_of("a,b\n1,2\"\n"), "line 2, column 2: a double quote inside an unquoted field"));
  CHECK(contains(error_of("a,b\n1,\"2\"x\n"), "line 2, column 2: unexpected 'x' after the closing quote"));
  CHECK(error_of("a,b\n1,\n") == "table.csv line 2, column 2: expected a number, found an empty field");
  CHECK(contains(error_of("a\n1e999\n"), "line 2, column 1: the number '1e999' is out of the range of a double"));
  for (const char* bad : {"1,5", "0x10", "1e", ".", "+", "1.2.3", "--1", "1 2"}) {
    CAPTURE(bad);
    CHECK(contains(error_of(std::string("a\n\"") + bad + "\"\n"), "expected a number"));
  }
  CHECK(contains(error_of("a\n\"\"\"quoted\"\"\"\n"), "found '\"quoted\"'"));
}

TEST_CASE("NaN and Inf are refused unless the caller allows them") {
  CHECK(error_of("a,b\n1,nan\n") ==
        "table.csv line 2, column 2: expected a finite number, found 'nan' (the caller can allow NaN/Inf)");
  CsvReadOptions allow;
  allow.allow_non_finite = true;
  StatusOr<CsvTable> t = parse_csv("a,b,c\nNaN,-inf,Infinity\n", "t.csv", allow);
  REQUIRE(t.ok());
  CHECK(std::isnan(t.value().values[0]));
  CHECK(t.value().values[1] == -std::numeric_limits<double>::infinity());
  CHECK(t.value().values[2] == std::numeric_limits<double>::infinity());
}

TEST_CASE("comment lines are skipped only when they start with the comment character") {
  StatusOr<CsvTable> t = parse_csv("# c\na\n# c2\n1\n", "t.csv");
  REQUIRE(t.ok());
  CHECK(t.value().values == std::vector<double>{1});
  CsvReadOptions no_comments;
  no_comments.comment = '\0';
  CHECK(error_of("# c\na\n", no_comments) == "table.csv line 2, column 1: expected a number, found 'a'");
}

TEST_CASE("csv_escape quotes exactly the fields that need it") {
  CHECK(csv_escape("plain") == "plain");
  CHECK(csv_escape("") == "");
  CHECK(csv_escape("a,b") == "\"a,b\"");
  CHECK(csv_escape("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_escape("two\nlines") == "\"two\nlines\"");
  CHECK(csv_escape(" padded ") == "\" padded \"");
  CHECK(csv_escape("#1") == "\"#1\"");
}

TEST_CASE("csv_number gives text that reads back to the same double, the shortest where possible") {
  CHECK(csv_number(0.06) == "0.06");
  CHECK(csv_number(-2.5) == "-2.5");
  CHECK(csv_number(3) == "3");
  CHECK(csv_number(std::numeric_limits<double>::quiet_NaN()) == "nan");
  CHECK(csv_number(-std::numeric_limits<double>::infinity()) == "-inf");
  uint64_t s = 99;
  for (int k = 0; k < 2000; ++k) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    double v = 0;
    const uint64_t bits = s >> 1;  // any finite pattern, sign included via the shift below
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    if (k % 2) v = -v;
    StatusOr<CsvTable> t = parse_csv("a\n" + csv_number(v) + "\n", "n.csv");
    REQUIRE_MESSAGE(t.ok(), t.status().to_string());
    REQUIRE(t.value().values[0] == v);
  }
}

TEST_CASE("a table written by write_csv reads back identically, labels and all") {
  TempDir dir;
  REQUIRE(dir.ok());
  StatusOr<CsvTable> original = parse_csv(kDensityTable, "densities.csv", with_labels());
  REQUIRE(original.ok());
  CsvTable table = original.value();
  table.row_labels[0] = "L23, \"Pyr\"";  // needs quoting
  table.values[5] = 1.0 / 3.0;
  const std::string path = dir.file("out.csv");
  REQUIRE(write_csv(path, table).ok());
  StatusOr<CsvTable> back = read_csv(path, with_labels());
  REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  CHECK(back.value().columns == table.columns);
  CHECK(back.value().row_labels == table.row_labels);
  CHECK(back.value().label_header == table.label_header);
  CHECK(back.value().values == table.values);
  REQUIRE(write_csv(dir.file("text.csv"), {"epoch", "note"}, {{"1", "fine"}, {"2", "a, b"}}).ok());
  CHECK(read_file(dir.file("text.csv")).value() ==
        std::vector<uint8_t>{'e', 'p', 'o', 'c', 'h', ',', 'n', 'o', 't', 'e', '\n', '1', ',', 'f', 'i', 'n', 'e',
                             '\n', '2', ',', '"', 'a', ',', ' ', 'b', '"', '\n'});
  CHECK_THROWS_AS(format_csv({"a", "b"}, {{"1"}}), ContractViolation);
  CHECK(format_csv({"a"}, {{""}}) == "a\n\"\"\n");
  CHECK(read_csv(dir.file("missing.csv")).status().code() == StatusCode::kNotFound);
}
