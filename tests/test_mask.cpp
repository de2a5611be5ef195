// test_mask.cpp — Mask storage and its two relations to dense weights, against element loops.
#include "doctest/doctest.h"

#include <cmath>
#include <limits>
#include <string>

#include "biornn/mask.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

namespace {

// Expects `f` to throw a ContractViolation whose message contains every string in `parts`.
template <class F>
void check_violation_names(F f, std::initializer_list<const char*> parts) {
  try {
    f();
    FAIL("expected a contract violation");
  } catch (const ContractViolation& e) {
    const std::string what = e.what();
    for (const char* p : parts) CHECK_MESSAGE(what.find(p) != std::string::npos, what);
  }
}

}  // namespace

TEST_CASE("a new mask has its shape and fill value, and count and density follow from them") {
  Mask none(3, 4);
  CHECK(none.shape() == "(3, 4)");
  CHECK(none.count() == 0);
  CHECK(none.density() == 0.0);
  Mask all = Mask::all(3, 4);
  CHECK(all.count() == 12);
  CHECK(all.density() == 1.0);
  all.set(2, 3, false);
  CHECK_FALSE(all(2, 3));
  CHECK(all.data()[2 * 4 + 3] == 0);  // row-major, one byte per entry
  CHECK(all.count() == 11);
  CHECK(all.density() == doctest::Approx(11.0 / 12.0));
  CHECK_THROWS_AS(Mask(-1, 2), ContractViolation);
}

TEST_CASE("an empty mask has density 0 and equals only masks of its own shape") {
  Mask a(0, 5), b(5, 0), c(0, 5, true);
  CHECK(a.count() == 0);
  CHECK(a.density() == 0.0);
  CHECK(b.density() == 0.0);
  CHECK(a == c);  // no entries, so the fill value leaves no trace
  CHECK(a != b);
}

TEST_CASE("at and set are checked and name the index and the shape") {
  Mask m(2, 3);
  m.set(1, 2, true);
  CHECK(m.at(1, 2));
  CHECK_FALSE(m.at(0, 0));
  check_violation_names([&] { (void)m.at(2, 0); }, {"(2, 0)", "(2, 3)"});
  check_violation_names([&] { m.set(0, -1, true); }, {"(0, -1)", "(2, 3)"});
}

TEST_CASE("masks are equal exactly when shapes and every entry agree") {
  Mask a(2, 3), b(2, 3), c(3, 2);
  CHECK(a == b);
  CHECK(a != c);  // same count, different shape
  b.set(0, 1, true);
  CHECK(a != b);
  a.set(0, 1, true);
  CHECK(a == b);
}

TEST_CASE("from_nonzero allows exactly the nonzero entries of a block view, NaN included") {
  Matrix big(4, 6, real(7));
  MatrixView block = big.view().block(1, 1, 2, 4);  // ld = 6 > cols = 4
  block(0, 0) = 0;
  block(0, 3) = real(-0.0);  // negative zero is zero
  block(1, 2) = std::numeric_limits<real>::quiet_NaN();
  Mask m = Mask::from_nonzero(block);
  CHECK(m.shape() == "(2, 4)");
  for (int32_t i = 0; i < 2; ++i)
    for (int32_t j = 0; j < 4; ++j) CHECK(m(i, j) == (block(i, j) != real(0)));
  CHECK_FALSE(m(0, 0));
  CHECK_FALSE(m(0, 3));
  CHECK(m(1, 2));  // a NaN weight is present, not pruned
  CHECK(m.count() == 6);
}

TEST_CASE("apply_mask_inplace zeroes the forbidden entries and count_off_mask counts them") {
  Rng rng(5);
  Matrix w(7, 9);
  Mask mask(7, 9);
  for (int32_t i = 0; i < 7; ++i) {
    for (int32_t j = 0; j < 9; ++j) {
      w(i, j) = real(rng.uniform(-1, 1));
      mask.set(i, j, rng.bernoulli(0.4));
    }
  }
  w(0, 0) = 0;  // a zero that the mask forbids is not a violation
  mask.set(0, 0, false);
  int64_t expected = 0;
  for (int32_t i = 0; i < 7; ++i)
    for (int32_t j = 0; j < 9; ++j) expected += (!mask(i, j) && w(i, j) != real(0)) ? 1 : 0;
  CHECK(expected > 0);
  CHECK(count_off_mask(w, mask) == expected);

  const Matrix before = w;
  apply_mask_inplace(w, mask);
  CHECK(count_off_mask(w, mask) == 0);
  for (int32_t i = 0; i < 7; ++i)
    for (int32_t j = 0; j < 9; ++j) CHECK(w(i, j) == (mask(i, j) ? before(i, j) : real(0)));
}

TEST_CASE("apply_mask_inplace on a block view leaves the rest of the parent untouched") {
  Matrix big(3, 5, real(1));
  Mask none(2, 2);
  apply_mask_inplace(big.view().block(1, 2, 2, 2), none);
  for (int32_t i = 0; i < 3; ++i)
    for (int32_t j = 0; j < 5; ++j) CHECK(big(i, j) == ((i >= 1 && j >= 2 && j < 4) ? 0 : 1));
}

TEST_CASE("a mask and a matrix of different shapes are a contract violation naming both shapes") {
  Matrix w(2, 3);
  Mask m(3, 2);
  check_violation_names([&] { apply_mask_inplace(w, m); }, {"(2, 3)", "(3, 2)"});
  check_violation_names([&] { (void)count_off_mask(w, m); }, {"(2, 3)", "(3, 2)"});
}
