// test_check_status.cpp — contract checks throw with a useful message; Status carries errors.
#include "doctest/doctest.h"

#include "biornn/check.hpp"
#include "biornn/status.hpp"

using namespace biornn;

TEST_CASE("a failed BIORNN_CHECK throws ContractViolation naming the condition and explanation") {
  bool threw = false;
  try {
    BIORNN_CHECK(1 + 1 == 3, std::string("arithmetic is broken"));
  } catch (const ContractViolation& e) {
    threw = true;
    const std::string what = e.what();
    CHECK(what.find("arithmetic is broken") != std::string::npos);
    CHECK(what.find("1 + 1 == 3") != std::string::npos);
    CHECK(what.find("test_check_status.cpp") != std::string::npos);
  }
  CHECK(threw);
}

TEST_CASE("a passing BIORNN_CHECK does not evaluate its explanation") {
  int evaluations = 0;
  auto explain = [&] {
    ++evaluations;
    return std::string("never");
  };
  BIORNN_CHECK(true, explain());
  CHECK(evaluations == 0);
}

TEST_CASE("Status is ok by default and carries code and message otherwise") {
  Status fine;
  CHECK(fine.ok());
  CHECK(fine.to_string() == "ok");
  Status bad = corrupt("file.idx: expected 784 bytes, found 10");
  CHECK_FALSE(bad.ok());
  CHECK(bad.code() == StatusCode::kCorrupt);
  CHECK(bad.to_string() == "corrupt input: file.idx: expected 784 bytes, found 10");
  CHECK(bad.with_context("loading MNIST").message() ==
        "loading MNIST: file.idx: expected 784 bytes, found 10");
  CHECK(fine.with_context("anything").ok());
}

namespace {
Status fails_when(bool fail) {
  if (fail) return invalid_argument("asked to fail");
  return Status();
}
Status forwards(bool fail) {
  BIORNN_RETURN_IF_ERROR(fails_when(fail));
  return not_found("reached the end");
}
StatusOr<int> maybe_int(bool fail) {
  if (fail) return invalid_argument("no int");
  return 7;
}
}  // namespace

TEST_CASE("BIORNN_RETURN_IF_ERROR returns the first error and continues on ok") {
  CHECK(forwards(true).code() == StatusCode::kInvalidArgument);
  CHECK(forwards(false).code() == StatusCode::kNotFound);
}

TEST_CASE("StatusOr holds a value or an error, and reading a missing value is a contract violation") {
  StatusOr<int> good = maybe_int(false);
  REQUIRE(good.ok());
  CHECK(good.value() == 7);
  StatusOr<int> bad = maybe_int(true);
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().message() == "no int");
  CHECK_THROWS_AS(bad.value(), ContractViolation);
  CHECK_THROWS_AS(StatusOr<int>{Status()}, ContractViolation);
}
