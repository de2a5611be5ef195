// test_tape.cpp — the tape's mechanics: eager values, accumulation, parameters, reuse, errors.
// (Per-op gradients are checked against finite differences in test_tape_gradcheck.cpp.)
#include "doctest/doctest.h"

#include <cmath>
#include <limits>

#include "biornn/tape.hpp"

using namespace biornn;

TEST_CASE("operations compute their values immediately") {
  Tape t;
  Matrix a = Matrix::from_rows({{1, 2}, {3, 4}});
  Matrix b = Matrix::from_rows({{5, 6}, {7, 8}});
  Var va = t.constant(a), vb = t.constant(b);
  Var c = matmul(va, vb);
  CHECK(c.value()(0, 0) == 19);
  CHECK(c.value()(1, 1) == 50);
  Var d = matmul_nt(va, vb);  // A·Bᵀ
  CHECK(d.value()(0, 1) == 1 * 7 + 2 * 8);
  Var e = matmul_tn(va, vb);  // Aᵀ·B
  CHECK(e.value()(1, 0) == 2 * 5 + 4 * 7);
  CHECK(sum(va).item() == 10);
  CHECK(mean(va).item() == real(2.5));
  CHECK(mse(va, vb).item() == 16);
  CHECK(tanh(va).value()(0, 0) == doctest::Approx(std::tanh(1.0)).epsilon(1e-6));
}

TEST_CASE("softmax cross-entropy equals its closed form") {
  Tape t;
  Matrix z = Matrix::from_rows({{0, std::log(real(3))}, {2, 2}});
  std::vector<int32_t> labels = {1, 0};
  Var loss = softmax_cross_entropy(t.variable(z), labels);
  // Row 0: p = (1/4, 3/4), label 1 → −log(3/4). Row 1: p = (1/2, 1/2) → −log(1/2).
  const double expected = (-std::log(0.75) - std::log(0.5)) / 2;
  CHECK(loss.item() == doctest::Approx(expected).epsilon(1e-6));
  t.backward(loss);
  // d/dz = (p − onehot)/m
  CHECK(loss.tape->grad_of(0)(0, 1) == doctest::Approx((0.75 - 1) / 2).epsilon(1e-6));
  CHECK(loss.tape->grad_of(0)(1, 0) == doctest::Approx((0.5 - 1) / 2).epsilon(1e-6));
}

TEST_CASE("a value used twice receives both gradient contributions") {
  Tape t;
  Var x = t.scalar(3);
  Var y = x * x + x;  // dy/dx = 2x + 1 = 7
  t.backward(y);
  CHECK(y.item() == 12);
  CHECK(x.grad()(0, 0) == 7);
}

// Tape-owned gradients are not zeroed up front: the first product into one overwrites it
// (β = 0), later contributions add, and one nothing flows into reads as zero — also when its
// buffer still holds the previous recording's gradient.
TEST_CASE("a gradient first written by a product, then added to, then left unwritten on reuse") {
  Tape t;
  const Matrix xv = Matrix::from_rows({{1, 2}, {3, 4}});
  const Matrix wv = Matrix::from_rows({{5, 6}, {7, 8}});
  {
    Var x = t.variable(xv), w = t.constant(wv);
    // d/dx sum(x·wᵀ) = 1·w (row sums of columns): dX_ij = Σ_k w_kj; plus 2x from sum(x·x).
    Var loss = sum(matmul_nt(x, w)) + sum(mul(x, x));
    t.backward(loss);
    for (int32_t i = 0; i < 2; ++i)
      for (int32_t j = 0; j < 2; ++j) CHECK(x.grad()(i, j) == wv(0, j) + wv(1, j) + 2 * xv(i, j));
  }
  t.clear();
  {
    // Same buffers, reused: x's gradient buffer holds the numbers above, but no gradient
    // reaches x this time (nothing uses it; the loss depends on y only).
    Var x = t.variable(xv), w = t.constant(wv);
    (void)w;
    Var y = t.variable(xv);
    t.backward(sum(mul(y, y)));
    for (int32_t i = 0; i < 2; ++i)
      for (int32_t j = 0; j < 2; ++j) {
        CHECK(x.grad()(i, j) == 0);
        CHECK(y.grad()(i, j) == 2 * xv(i, j));
      }
  }
}

TEST_CASE("parameter gradients accumulate across recordings until zeroed") {
  Parameter p("w", Matrix::from_rows({{2}}));
  Tape t;
  for (int i = 0; i < 2; ++i) {
    t.clear();
    Var w = t.param(p);
    t.backward(scale(w, 5));
  }
  CHECK(p.grad(0, 0) == 10);
  p.zero_grad();
  CHECK(p.grad(0, 0) == 0);
}

TEST_CASE("constants get no gradient and a loss without parameters backpropagates nothing") {
  Tape t;
  Matrix m = Matrix::from_rows({{1, 2}});
  Var c = t.constant(m);
  Var loss = sum(c);
  t.backward(loss);
  CHECK(c.grad().size() == 0);
}

TEST_CASE("backward twice on one recording is refused; after clear it works again") {
  Parameter p("w", Matrix::from_rows({{1}}));
  Tape t;
  Var loss = scale(t.param(p), 2);
  t.backward(loss);
  CHECK_THROWS_AS(t.backward(loss), ContractViolation);
  CHECK(p.grad(0, 0) == 2);
  t.clear();
  t.backward(scale(t.param(p), 2));
  CHECK(p.grad(0, 0) == 4);
}

TEST_CASE("recording the same computation after clear reuses every buffer") {
  Matrix a(8, 8, real(0.5));
  Tape t;
  auto record = [&] {
    t.clear();
    Var x = t.variable(a);
    Var y = tanh(matmul(x, x));
    t.backward(sum(y));
    return y;
  };
  const Var first = record();
  const real* buffer = first.value().data();
  const Var second = record();
  CHECK(second.value().data() == buffer);
  CHECK(second.id == first.id);
}

TEST_CASE("shape mismatches name both shapes") {
  Tape t;
  Matrix a(2, 3), b(4, 5);
  Var va = t.constant(a), vb = t.constant(b);
  try {
    matmul(va, vb);
    FAIL("expected a contract violation");
  } catch (const ContractViolation& e) {
    const std::string what = e.what();
    CHECK(what.find("(2, 3)") != std::string::npos);
    CHECK(what.find("(4, 5)") != std::string::npos);
  }
  CHECK_THROWS_AS(add(va, vb), ContractViolation);
  CHECK_THROWS_AS(mse(va, vb), ContractViolation);
  Matrix bias(1, 4);
  CHECK_THROWS_AS(add_row_bias(va, t.constant(bias)), ContractViolation);
  CHECK_THROWS_AS(slice_rows(va, 1, 2), ContractViolation);
  std::vector<int32_t> wrong_count = {0};
  CHECK_THROWS_AS(softmax_cross_entropy(va, wrong_count), ContractViolation);
  std::vector<int32_t> out_of_range = {0, 3};
  CHECK_THROWS_AS(softmax_cross_entropy(va, out_of_range), ContractViolation);
  CHECK_THROWS_AS(t.backward(va), ContractViolation);  // not (1, 1)
}

TEST_CASE("a failed shape check leaves the tape usable") {
  Tape t;
  Matrix a(2, 3), b(4, 5);
  Var va = t.constant(a), vb = t.constant(b);
  const int32_t before = t.size();
  CHECK_THROWS_AS(matmul(va, vb), ContractViolation);
  CHECK(t.size() == before);
  Var ok = matmul_nt(va, va);
  CHECK(ok.value().shape() == "(2, 2)");
}

TEST_CASE("vars from another tape or a cleared tape are rejected") {
  Tape t1, t2;
  Matrix a(2, 2);
  Var x = t1.constant(a);
  Var y = t2.constant(a);
  CHECK_THROWS_AS(add(x, y), ContractViolation);
  t1.clear();
  CHECK_THROWS_AS(tanh(x), ContractViolation);
}

TEST_CASE("relu keeps NaN visible instead of clamping it to the threshold") {
  Tape t;
  Matrix a = Matrix::from_rows({{-1, std::numeric_limits<real>::quiet_NaN(), 2}});
  Var r = relu(t.constant(a), real(0.5));
  CHECK(r.value()(0, 0) == real(0.5));
  CHECK(std::isnan(r.value()(0, 1)));
  CHECK(r.value()(0, 2) == 2);
}

TEST_CASE("every op has a name") {
  for (int op = 0; op < int(Op::kCount); ++op) CHECK(std::string(op_name(Op(op))) != "?");
}
