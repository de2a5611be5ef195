// test_csr.cpp — CsrMatrix construction, invariants and conversions, each against a dense twin.
#include "doctest/doctest.h"

#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "biornn/csr.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

namespace {

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

// A dense matrix whose entries are nonzero (in [0.5, 1.5) with a random sign) with probability
// `density` and exactly zero otherwise, so Mask::from_nonzero recovers its pattern.
Matrix random_sparse_dense(int32_t rows, int32_t cols, double density, Rng& rng) {
  Matrix d(rows, cols);
  for (int32_t i = 0; i < rows; ++i) {
    for (int32_t j = 0; j < cols; ++j) {
      if (!rng.bernoulli(density)) continue;
      const double magnitude = rng.uniform(0.5, 1.5);
      d(i, j) = real(rng.bernoulli(0.5) ? magnitude : -magnitude);
    }
  }
  return d;
}

CsrMatrix random_csr(int32_t rows, int32_t cols, double density, Rng& rng) {
  const Matrix d = random_sparse_dense(rows, cols, density, rng);
  return CsrMatrix::from_dense(d, Mask::from_nonzero(d));
}

bool same_csr(const CsrMatrix& a, const CsrMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && a.row_ptr() == b.row_ptr() &&
         a.col_idx() == b.col_idx() && a.values() == b.values();
}

}  // namespace

TEST_CASE("from_dense stores the mask's pattern row by row, explicit zeros included") {
  const Matrix d = Matrix::from_rows({{1, 0, 2}, {0, 0, 0}, {0, 3, 0}});
  Mask mask = Mask::from_nonzero(d);
  mask.set(0, 1, true);  // a kept weight that happens to be zero
  const CsrMatrix s = CsrMatrix::from_dense(d, mask);
  CHECK(s.shape() == "(3, 3)");
  CHECK(s.nnz() == 4);
  CHECK(s.row_ptr() == std::vector<int64_t>{0, 3, 3, 4});
  CHECK(s.col_idx() == std::vector<int32_t>{0, 1, 2, 1});
  CHECK(s.values() == std::vector<real>{1, 0, 2, 3});
  CHECK(s.pattern_mask() == mask);  // the stored zero is still in the pattern
  CHECK(bitwise_equal(s.to_dense(), d));
  check_violation_names([&] { (void)CsrMatrix::from_dense(d, Mask(3, 2)); }, {"(3, 3)", "(3, 2)"});
}

TEST_CASE("from_triplets accepts any order and sums duplicates in the order given") {
  const std::vector<CsrTriplet> triplets = {{2, 1, 5},  {0, 2, 1},         {0, 0, 2},
                                            {2, 1, -1}, {0, 2, real(0.5)}, {1, 3, 4},
                                            {2, 1, real(0.25)}};
  const CsrMatrix s = CsrMatrix::from_triplets(3, 4, triplets);
  s.check_invariants();
  CHECK(s.row_ptr() == std::vector<int64_t>{0, 2, 3, 4});
  CHECK(s.col_idx() == std::vector<int32_t>{0, 2, 3, 1});
  CHECK(s.values() == std::vector<real>{2, real(1.5), 4, real(4.25)});
  // Twin: accumulate the same triplets into a dense matrix.
  Matrix twin(3, 4);
  for (const CsrTriplet& t : triplets) twin(t.row, t.col) += t.value;
  CHECK(bitwise_equal(s.to_dense(), twin));
}

TEST_CASE("from_triplets keeps duplicates that cancel as a stored zero") {
  const CsrMatrix s = CsrMatrix::from_triplets(2, 2, {{1, 1, 3}, {1, 1, -3}});
  CHECK(s.nnz() == 1);
  CHECK(s.values()[0] == 0);
  CHECK(s.pattern_mask().at(1, 1));
}

TEST_CASE("from_triplets names a triplet outside the shape") {
  check_violation_names([] { (void)CsrMatrix::from_triplets(3, 4, {{0, 0, 1}, {3, 1, 2}}); },
                        {"triplet 1", "row 3", "col 1", "(3, 4)"});
  check_violation_names([] { (void)CsrMatrix::from_triplets(3, 4, {{0, -1, 1}}); },
                        {"triplet 0", "col -1"});
}

TEST_CASE("from_arrays accepts a valid pattern, including empty rows") {
  const CsrMatrix s = CsrMatrix::from_arrays(3, 4, {0, 2, 2, 3}, {1, 3, 0}, {1, 2, 3});
  CHECK(s.nnz() == 3);
  CHECK(s.to_dense()(2, 0) == 3);
  s.check_invariants();
}

TEST_CASE("each broken CSR invariant is reported with its name, row and index") {
  struct Case {
    const char* what;
    int32_t rows, cols;
    std::vector<int64_t> row_ptr;
    std::vector<int32_t> col_idx;
    std::vector<real> values;
    std::vector<const char*> expected;
  };
  const std::vector<Case> cases = {
      {"row_ptr too short", 3, 4, {0, 1, 2}, {0, 1}, {1, 1},
       {"row_ptr must have rows + 1 = 4", "has 3"}},
      {"row_ptr[0] not 0", 2, 4, {1, 1, 2}, {0, 1}, {1, 1}, {"row_ptr[0] must be 0", "is 1"}},
      {"row_ptr decreasing", 3, 4, {0, 2, 1, 2}, {0, 1}, {1, 1},
       {"non-decreasing", "row 1", "row_ptr[1] = 2 > row_ptr[2] = 1"}},
      {"row_ptr end not nnz", 2, 4, {0, 1, 1}, {0, 1}, {1, 1},
       {"row_ptr[rows] = row_ptr[2] must equal nnz", "= 2, is 1"}},
      {"values count", 2, 4, {0, 1, 2}, {0, 1}, {1}, {"values must have nnz = 2 entries, has 1"}},
      {"column out of range", 2, 4, {0, 1, 3}, {0, 1, 4}, {1, 1, 1},
       {"[0, cols = 4)", "row 1", "col_idx[2] = 4"}},
      {"negative column", 2, 4, {0, 1, 2}, {-1, 1}, {1, 1},
       {"[0, cols = 4)", "row 0", "col_idx[0] = -1"}},
      {"unsorted", 2, 4, {0, 1, 3}, {0, 3, 2}, {1, 1, 1},
       {"strictly increasing", "row 1", "col_idx[1] = 3 before col_idx[2] = 2"}},
      {"duplicate", 2, 4, {0, 2, 2}, {1, 1}, {1, 1},
       {"strictly increasing", "row 0", "col_idx[0] = 1 before col_idx[1] = 1"}},
      {"negative shape", -1, 4, {0}, {}, {}, {"non-negative", "(-1, 4)"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    try {
      (void)CsrMatrix::from_arrays(c.rows, c.cols, c.row_ptr, c.col_idx, c.values);
      FAIL("expected a contract violation: ", c.what);
    } catch (const ContractViolation& e) {
      const std::string what = e.what();
      for (const char* p : c.expected) CHECK_MESSAGE(what.find(p) != std::string::npos, what);
    }
  }
}

TEST_CASE("transpose matches the dense transpose, keeps the invariants, and twice is identity") {
  Rng rng(17);
  for (const double density : {0.0, 0.2, 1.0}) {
    const CsrMatrix s = random_csr(9, 14, density, rng);
    const CsrMatrix t = s.transpose();
    t.check_invariants();
    CHECK(t.shape() == "(14, 9)");
    CHECK(bitwise_equal(t.to_dense(), transposed(s.to_dense())));
    CHECK(same_csr(t.transpose(), s));
  }
}

TEST_CASE("assign_transpose takes the values of the view, reuses one matrix across shapes, and refreshes without allocating") {
  Rng rng(29);
  CsrMatrix t;  // reused throughout, as the recurrent backward pass reuses its own
  for (const double density : {0.3, 0.0, 1.0, 0.3}) {
    const CsrMatrix s = random_csr(11, 7, density, rng);
    std::vector<real> other(std::size_t(s.nnz()));
    for (real& v : other) v = real(rng.uniform(-2, 2));
    t.assign_transpose(s.view_with_values(other.data()));
    t.check_invariants();
    CsrMatrix expected = s;
    expected.set_values(other.data(), s.nnz());
    CHECK(same_csr(t, expected.transpose()));
    CHECK(bitwise_equal(t.to_dense(), transposed(expected.to_dense())));
  }
  const CsrMatrix s = random_csr(40, 33, 0.4, rng);
  t.assign_transpose(s.view());
#ifndef BIORNN_NO_ALLOC_COUNTER  // counts allocations: not in make tsan (see alloc_counter.hpp)
  biornn_test::AllocationCounter counter;
  t.assign_transpose(s.view());
  CHECK(counter.count() == 0);
#endif
  CHECK(same_csr(t, s.transpose()));
}

TEST_CASE("gather_from and scatter_to round-trip on the pattern and leave everything else alone") {
  Rng rng(3);
  const CsrMatrix pattern = random_csr(6, 8, 0.3, rng);
  CsrMatrix s = pattern;
  // Dense operands as blocks of a bigger matrix (ld > cols).
  Matrix big(9, 12);
  for (int32_t i = 0; i < 9; ++i)
    for (int32_t j = 0; j < 12; ++j) big(i, j) = real(100 * i + j);
  const ConstMatrixView src = big.view().block(2, 3, 6, 8);
  s.gather_from(src);
  for (int32_t i = 0; i < 6; ++i) {
    for (int64_t k = s.row_ptr()[std::size_t(i)]; k < s.row_ptr()[std::size_t(i) + 1]; ++k)
      CHECK(s.values()[std::size_t(k)] == src(i, s.col_idx()[std::size_t(k)]));
  }
  Matrix out_big(8, 10, real(-7));
  MatrixView out = out_big.view().block(1, 1, 6, 8);
  s.scatter_to(out);
  const Mask on = s.pattern_mask();
  for (int32_t i = 0; i < 8; ++i) {
    for (int32_t j = 0; j < 10; ++j) {
      const bool inside = i >= 1 && i < 7 && j >= 1 && j < 9 && on(i - 1, j - 1);
      CHECK(out_big(i, j) == (inside ? src(i - 1, j - 1) : real(-7)));
    }
  }
  CsrMatrix back = pattern;
  back.gather_from(out);
  CHECK(back.values() == s.values());
  check_violation_names([&] { s.gather_from(Matrix(8, 6)); }, {"(6, 8)", "(8, 6)"});
  check_violation_names([&] { s.scatter_to(Matrix(6, 7).view()); }, {"(6, 8)", "(6, 7)"});
}

TEST_CASE("pattern_mask equals Mask::from_nonzero of a dense twin with no zeros on the pattern") {
  Rng rng(23);
  for (const double density : {0.0, 0.1, 0.5, 1.0}) {
    const Matrix d = random_sparse_dense(11, 7, density, rng);
    const CsrMatrix s = CsrMatrix::from_dense(d, Mask::from_nonzero(d));
    CHECK(s.pattern_mask() == Mask::from_nonzero(d));
    CHECK(s.nnz() == Mask::from_nonzero(d).count());
    CHECK(bitwise_equal(s.to_dense(), d));
  }
}

TEST_CASE("set_values replaces the values on a fixed pattern and checks the count") {
  CsrMatrix s = CsrMatrix::from_triplets(2, 3, {{0, 1, 1}, {1, 2, 2}});
  const std::vector<real> fresh = {5, 6};
  s.set_values(fresh.data(), 2);
  CHECK(s.values() == fresh);
  s.mutable_values()[1] = 9;
  CHECK(s.to_dense()(1, 2) == 9);
  check_violation_names([&] { s.set_values(fresh.data(), 1); }, {"got 1 values", "nnz = 2"});
}

TEST_CASE("view shares the pattern; view_with_values pairs it with values held elsewhere") {
  const CsrMatrix s = CsrMatrix::from_triplets(2, 3, {{0, 1, 1}, {1, 2, 2}});
  const CsrView v = s.view();
  CHECK(v.rows == 2);
  CHECK(v.cols == 3);
  CHECK(v.nnz == 2);
  CHECK(v.row_ptr == s.row_ptr().data());
  CHECK(v.col_idx == s.col_idx().data());
  CHECK(v.values == s.values().data());
  CHECK(v.shape() == "(2, 3)");
  Matrix trainable(1, 2, real(3));
  const CsrView w = s.view_with_values(trainable.data());
  CHECK(w.values == trainable.data());
  CHECK(w.col_idx == v.col_idx);
  CHECK_THROWS_AS((void)s.view_with_values(nullptr), ContractViolation);
}

TEST_CASE("0-sized shapes and all-empty rows are valid CSR matrices everywhere") {
  for (const auto& shape : {std::pair<int32_t, int32_t>{0, 0}, {0, 5}, {5, 0}, {3, 4}}) {
    const CsrMatrix s(shape.first, shape.second);
    CAPTURE(s.shape());
    s.check_invariants();
    CHECK(s.nnz() == 0);
    CHECK(s.row_ptr().size() == std::size_t(shape.first) + 1);
    CHECK(s.to_dense().shape() == s.shape());
    CHECK(s.pattern_mask().count() == 0);
    CHECK(s.transpose().shape() == shape_string(shape.second, shape.first));
    s.transpose().check_invariants();
    const CsrView v = s.view();
    CHECK(v.nnz == 0);
    CsrMatrix copy = s;
    copy.gather_from(Matrix(shape.first, shape.second));
    copy.set_values(nullptr, 0);
    const Matrix d(shape.first, shape.second);
    CHECK(same_csr(CsrMatrix::from_dense(d, Mask(shape.first, shape.second)), s));
    CHECK(same_csr(CsrMatrix::from_triplets(shape.first, shape.second, {}), s));
  }
  const CsrMatrix def;
  CHECK(def.shape() == "(0, 0)");
  def.check_invariants();
  CHECK_THROWS_AS(CsrMatrix(2, -1), ContractViolation);
}
