// test_matrix.cpp — Matrix storage, views, blocks and the capacity rule the tape relies on.
#include "doctest/doctest.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "biornn/matrix.hpp"

using namespace biornn;

TEST_CASE("a new matrix is zero-filled, row-major and 64-byte aligned") {
  Matrix m(3, 5);
  CHECK(m.rows() == 3);
  CHECK(m.cols() == 5);
  CHECK(m.size() == 15);
  CHECK(reinterpret_cast<std::uintptr_t>(m.data()) % kMatrixAlignment == 0);
  for (int64_t k = 0; k < m.size(); ++k) CHECK(m.data()[k] == 0);
  m(1, 2) = 4;
  CHECK(m.data()[1 * 5 + 2] == 4);
}

TEST_CASE("from_rows lays out rows in order and rejects ragged input") {
  Matrix m = Matrix::from_rows({{1, 2, 3}, {4, 5, 6}});
  CHECK(m.shape() == "(2, 3)");
  CHECK(m(1, 0) == 4);
  CHECK(m(0, 2) == 3);
  CHECK_THROWS_AS(Matrix::from_rows({{1, 2}, {3}}), ContractViolation);
}

TEST_CASE("copies are deep and moves leave the source empty") {
  Matrix a = Matrix::from_rows({{1, 2}, {3, 4}});
  Matrix b = a;
  b(0, 0) = 9;
  CHECK(a(0, 0) == 1);
  Matrix c = std::move(b);
  CHECK(c(0, 0) == 9);
  CHECK(b.empty());  // NOLINT(bugprone-use-after-move): documented moved-from state
  CHECK(b.data() == nullptr);
}

TEST_CASE("resize within capacity keeps the buffer; growing reallocates and zero-fills") {
  Matrix m(4, 4, real(1));
  const real* before = m.data();
  m.resize(2, 8);
  CHECK(m.data() == before);
  m.resize(1, 3);
  CHECK(m.data() == before);
  CHECK(m.capacity() == 16);
  m.resize(5, 5);
  CHECK(m.capacity() == 25);
  // The first elements survive the move; the new tail is zero.
  CHECK(m.data()[0] == 1);
  CHECK(m.data()[24] == 0);
  CHECK_THROWS_AS(m.resize(-1, 2), ContractViolation);
}

TEST_CASE("at() is checked and names the index and shape") {
  Matrix m(2, 3);
  m.at(1, 2) = 5;
  CHECK(m.at(1, 2) == 5);
  try {
    m.at(2, 0);
    FAIL("expected a contract violation");
  } catch (const ContractViolation& e) {
    const std::string what = e.what();
    CHECK(what.find("(2, 0)") != std::string::npos);
    CHECK(what.find("(2, 3)") != std::string::npos);
  }
}

TEST_CASE("a block view addresses the parent's elements through the leading dimension") {
  Matrix m(4, 5);
  for (int32_t i = 0; i < 4; ++i)
    for (int32_t j = 0; j < 5; ++j) m(i, j) = real(10 * i + j);
  MatrixView b = m.view().block(1, 2, 2, 3);
  CHECK(b.ld == 5);
  CHECK(b(0, 0) == 12);
  CHECK(b(1, 2) == 24);
  CHECK_FALSE(b.contiguous());
  b(1, 1) = -1;
  CHECK(m(2, 3) == -1);
  ConstMatrixView cb = ConstMatrixView(b).block(1, 0, 1, 2);
  CHECK(cb(0, 0) == 22);
  CHECK_THROWS_AS(m.view().block(3, 0, 2, 1), ContractViolation);
  CHECK_THROWS_AS(m.view().block(0, 4, 1, 2), ContractViolation);
}

TEST_CASE("copy_into, transposed, bitwise_equal and max_abs_diff agree with element loops") {
  Matrix a = Matrix::from_rows({{1, 2, 3}, {4, 5, 6}});
  Matrix t = transposed(a);
  CHECK(t.shape() == "(3, 2)");
  CHECK(t(2, 1) == 6);
  Matrix b(2, 3);
  copy_into(a, b);
  CHECK(bitwise_equal(a, b));
  b(1, 1) = real(5.5);
  CHECK_FALSE(bitwise_equal(a, b));
  CHECK(max_abs_diff(a, b) == doctest::Approx(0.5));
  b(0, 0) = std::numeric_limits<real>::quiet_NaN();
  CHECK(std::isnan(max_abs_diff(a, b)));
  CHECK_THROWS_AS(copy_into(a, t), ContractViolation);
  CHECK_FALSE(bitwise_equal(a, t));
}

TEST_CASE("check_shape names the argument, the expected and the actual shape") {
  Matrix m(2, 3);
  check_shape(m, 2, 3, "W");
  try {
    check_shape(m, 3, 2, "gemm: C");
    FAIL("expected a contract violation");
  } catch (const ContractViolation& e) {
    const std::string what = e.what();
    CHECK(what.find("gemm: C must be (3, 2), got (2, 3)") != std::string::npos);
  }
}

TEST_CASE("empty matrices are valid everywhere") {
  Matrix e(0, 7);
  CHECK(e.empty());
  CHECK(e.data() == nullptr);
  Matrix f = e;
  CHECK(f.shape() == "(0, 7)");
  CHECK(transposed(e).shape() == "(7, 0)");
  CHECK(bitwise_equal(e, f));
}
