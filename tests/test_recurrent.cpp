// test_recurrent.cpp — the fused recurrent op equals the same network unrolled with primitive
// tape ops, in value and in every gradient, for every activation, with and without the Dale
// threshold, returning a or h, dense and sparse. (Its finite-difference check is a row of
// the table in test_tape_gradcheck.cpp.)
#include "doctest/doctest.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "biornn/kernels.hpp"
#include "biornn/recurrent.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

namespace {

Matrix random_matrix(Rng& rng, int32_t rows, int32_t cols, double lo = -0.6, double hi = 0.6) {
  Matrix m(rows, cols);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = real(rng.uniform(lo, hi));
  return m;
}

struct Problem {
  static constexpr int32_t kSteps = 5, kBatch = 3, kInputs = 2, kUnits = 6;
  Rng rng{99};
  Matrix x = random_matrix(rng, kSteps * kBatch, kInputs, -1, 1);
  Parameter w_in{"W_in", random_matrix(rng, kUnits, kInputs)};
  Parameter b_in{"b_in", random_matrix(rng, 1, kUnits)};
  Parameter w{"W", random_matrix(rng, kUnits, kUnits)};
  Parameter b_rec{"b_rec", random_matrix(rng, 1, kUnits)};
  Matrix weights = random_matrix(rng, kSteps * kBatch, kUnits, -1, 1);  // loss = Σ out ⊙ R
  CsrMatrix pattern;
  Parameter values;

  Problem() {
    Mask m(kUnits, kUnits);
    for (int32_t i = 0; i < kUnits; ++i)
      for (int32_t j = 0; j < kUnits; ++j) m.set(i, j, rng.bernoulli(0.5) && i != 2);  // row 2 empty
    pattern = CsrMatrix::from_dense(w.value, m);
    values = Parameter("W_values", Matrix(1, int32_t(pattern.nnz())));
    for (int64_t k = 0; k < pattern.nnz(); ++k) values.value.data()[k] = pattern.values()[std::size_t(k)];
  }
  void zero_grads() {
    for (Parameter* p : {&w_in, &b_in, &w, &b_rec, &values}) p->zero_grad();
  }
};

struct Gradients {
  real loss;
  Matrix w_in, b_in, w, b_rec;
};

Gradients run_fused(Problem& p, const RecurrentOptions& o, bool sparse) {
  p.zero_grads();
  Tape t;
  Var x = t.constant(p.x), w_in = t.param(p.w_in), b_in = t.param(p.b_in), b_rec = t.param(p.b_rec);
  Var seq = sparse ? recurrent_sparse(x, w_in, p.pattern, t.param(p.values), b_in, b_rec, o)
                   : recurrent(x, w_in, t.param(p.w), b_in, b_rec, o);
  Var loss = sum(mul(seq, t.constant(p.weights)));
  t.backward(loss);
  return {loss.item(), p.w_in.grad, p.b_in.grad, sparse ? p.values.grad : p.w.grad, p.b_rec.grad};
}

Var activation_op(Var z, Activation a) {
  switch (a) {
    case Activation::kTanh: return tanh(z);
    case Activation::kRelu: return relu(z);
    case Activation::kIdentity: return z;
  }
  return z;
}

Gradients run_unrolled(Problem& p, const RecurrentOptions& o, bool sparse) {
  p.zero_grads();
  Tape t;
  const int32_t batch = Problem::kBatch;
  Var u = add_row_bias(matmul_nt(t.constant(p.x), t.param(p.w_in)), t.param(p.b_in));
  Var w = sparse ? t.param(p.values) : t.param(p.w);
  Var bias = t.param(p.b_rec);
  Var h;
  Var loss;
  std::vector<Matrix> step_weights;
  step_weights.reserve(std::size_t(o.steps));
  for (int32_t step = 0; step < o.steps; ++step) {
    step_weights.push_back(Matrix::copy_of(p.weights.view().block(step * batch, 0, batch, Problem::kUnits)));
  }
  for (int32_t step = 0; step < o.steps; ++step) {
    Var z = add_row_bias(slice_rows(u, step * batch, batch), bias);
    if (step > 0) z = z + (sparse ? sparse_matmul_nt(h, p.pattern, w) : matmul_nt(h, w));
    Var a = activation_op(z, o.activation);
    h = o.threshold ? relu(a, o.theta) : a;
    const Var out = o.output == ReadoutFrom::kRate ? h : a;
    const Var term = sum(mul(out, t.constant(step_weights[std::size_t(step)])));
    loss = step == 0 ? term : loss + term;
  }
  t.backward(loss);
  return {loss.item(), p.w_in.grad, p.b_in.grad, sparse ? p.values.grad : p.w.grad, p.b_rec.grad};
}

// Both compute the same sums, in different orders: each gradient entry is a sum over T·B
// rows and N units of products, so the two may differ by a few ulps of that sum's magnitude
// per step. We allow 64·T·u relative to the largest entry (u: unit roundoff of `real`).
void check_close(const Matrix& fused, const Matrix& unrolled, const char* what) {
  CAPTURE(what);
  REQUIRE(fused.same_shape(unrolled));
  double scale = 1e-30;
  for (int64_t i = 0; i < unrolled.size(); ++i) scale = std::fmax(scale, std::fabs(double(unrolled.data()[i])));
  const double u = std::numeric_limits<real>::epsilon() / 2;
  const double allowed = 64.0 * Problem::kSteps * u * scale;
  CHECK(max_abs_diff(fused, unrolled) <= allowed);
}

}  // namespace

TEST_CASE("the fused recurrent op equals the unrolled network for every configuration") {
  for (bool sparse : {false, true}) {
    for (Activation act : {Activation::kTanh, Activation::kRelu, Activation::kIdentity}) {
      for (bool threshold : {false, true}) {
        for (ReadoutFrom out : {ReadoutFrom::kActivation, ReadoutFrom::kRate}) {
          CAPTURE(sparse);
          CAPTURE(activation_name(act));
          CAPTURE(threshold);
          CAPTURE(readout_from_name(out));
          Problem p;
          RecurrentOptions o;
          o.steps = Problem::kSteps;
          o.activation = act;
          o.threshold = threshold;
          o.theta = threshold ? real(0.05) : real(0);
          o.output = out;
          const Gradients f = run_fused(p, o, sparse);
          const Gradients g = run_unrolled(p, o, sparse);
          CHECK(double(f.loss) == doctest::Approx(double(g.loss)).epsilon(1e-5));
          check_close(f.w_in, g.w_in, "dW_in");
          check_close(f.b_in, g.b_in, "db_in");
          check_close(f.w, g.w, sparse ? "dW values" : "dW");
          check_close(f.b_rec, g.b_rec, "db_rec");
        }
      }
    }
  }
}

TEST_CASE("the Dale threshold keeps the returned rates at or above θ") {
  Problem p;
  RecurrentOptions o;
  o.steps = Problem::kSteps;
  o.threshold = true;
  o.theta = real(0.1);
  o.output = ReadoutFrom::kRate;
  Tape t;
  Var h = recurrent(t.constant(p.x), t.param(p.w_in), t.param(p.w), Var(), Var(), o);
  bool saw_clamped = false;
  for (int64_t k = 0; k < h.value().size(); ++k) {
    CHECK(h.value().data()[k] >= real(0.1));
    saw_clamped = saw_clamped || h.value().data()[k] == real(0.1);
  }
  CHECK(saw_clamped);  // the threshold was actually exercised
}

TEST_CASE("a one-step sequence has no recurrent gradient and the first step ignores W") {
  Problem p;
  RecurrentOptions o;
  o.steps = 1;
  Tape t;
  Matrix x1 = Matrix::copy_of(p.x.view().block(0, 0, Problem::kBatch, Problem::kInputs));
  p.zero_grads();
  Var a = recurrent(t.constant(x1), t.param(p.w_in), t.param(p.w), Var(), t.param(p.b_rec), o);
  t.backward(sum(a));
  for (int64_t k = 0; k < p.w.grad.size(); ++k) CHECK(p.w.grad.data()[k] == 0);
  // a_0 = tanh(x_0·W_inᵀ + b_rec)
  double u00 = 0;
  for (int32_t j = 0; j < Problem::kInputs; ++j) u00 += double(x1(0, j)) * double(p.w_in.value(0, j));
  CHECK(a.value()(0, 0) == doctest::Approx(std::tanh(u00 + double(p.b_rec.value(0, 0)))).epsilon(1e-5));
}

TEST_CASE("recurrent rejects inconsistent shapes with both shapes named") {
  Problem p;
  Tape t;
  RecurrentOptions o;
  o.steps = 4;  // 15 rows are not a whole number of 4-step batches
  Var x = t.constant(p.x), w_in = t.param(p.w_in);
  CHECK_THROWS_AS(recurrent(x, w_in, t.param(p.w), Var(), Var(), o), ContractViolation);
  o.steps = Problem::kSteps;
  Matrix wrong(4, 4);
  try {
    recurrent(x, w_in, t.constant(wrong), Var(), Var(), o);
    FAIL("expected a contract violation");
  } catch (const ContractViolation& e) {
    const std::string what = e.what();
    CHECK(what.find("(6, 2)") != std::string::npos);   // W_in as it is
    CHECK(what.find("(4, 2)") != std::string::npos);   // W_in as 4 units would need it
  }
  Matrix bad_bias(1, 5);
  CHECK_THROWS_AS(recurrent(x, w_in, t.param(p.w), t.constant(bad_bias), Var(), o), ContractViolation);
}

TEST_CASE("a sample's outputs and input gradient are the same bits in any batch, on any thread count") {
  // The driver cuts a batch into slices whose starts depend on the batch size (from 128 rows
  // on they fall on multiples of 16), and threads take whole slices. Rows never mix, so
  // samples 120..189 of a batch of 200 must come out exactly as the same samples run alone as
  // a batch of 70 (other slice boundaries), dense and sparse, on 1 and 2 threads.
  constexpr int32_t kSteps = 3, kUnits = 40, kInputs = 3, kBig = 200, kSmall = 70, kFirst = 120;
  Rng rng(4242);
  const Matrix x_big = random_matrix(rng, kSteps * kBig, kInputs, -1, 1);
  const Matrix r_big = random_matrix(rng, kSteps * kBig, kUnits, -1, 1);
  Parameter w_in{"W_in", random_matrix(rng, kUnits, kInputs)};
  Parameter w{"W", random_matrix(rng, kUnits, kUnits, -0.3, 0.3)};
  Mask keep(kUnits, kUnits);
  for (int32_t i = 0; i < kUnits; ++i)
    for (int32_t j = 0; j < kUnits; ++j) keep.set(i, j, rng.bernoulli(0.3));
  const CsrMatrix pattern = CsrMatrix::from_dense(w.value, keep);
  Parameter values{"W_values", Matrix(1, int32_t(pattern.nnz()))};
  std::copy(pattern.values().begin(), pattern.values().end(), values.value.data());
  auto small_rows = [&](const Matrix& big) {  // step t, sample b of the small batch
    Matrix out(kSteps * kSmall, big.cols());
    for (int32_t t = 0; t < kSteps; ++t)
      for (int32_t b = 0; b < kSmall; ++b)
        std::copy(big.row(t * kBig + kFirst + b), big.row(t * kBig + kFirst + b) + big.cols(), out.row(t * kSmall + b));
    return out;
  };
  // The sequence and dLoss/dX, for loss = Σ out ⊙ R, restricted to the small batch's samples.
  auto run = [&](bool whole, bool sparse, int threads) {
    set_threads(threads);
    Parameter x{"x", whole ? x_big : small_rows(x_big)};
    const Matrix r = whole ? r_big : small_rows(r_big);
    Tape t;
    RecurrentOptions o;
    o.steps = kSteps;
    o.threshold = true;
    Var seq = sparse ? recurrent_sparse(t.param(x), t.param(w_in), pattern, t.param(values), Var(), Var(), o)
                     : recurrent(t.param(x), t.param(w_in), t.param(w), Var(), Var(), o);
    t.backward(sum(mul(seq, t.constant(r))));
    std::pair<Matrix, Matrix> out{seq.value(), x.grad};
    if (whole) out = {small_rows(out.first), small_rows(out.second)};
    return out;
  };
  const int before = active_threads();
  for (const bool sparse : {false, true}) {
    CAPTURE(sparse);
    const auto alone = run(false, sparse, 1);
    for (const int threads : {1, 2}) {
      CAPTURE(threads);
      const auto within = run(true, sparse, threads);
      CHECK(bitwise_equal(within.first, alone.first));
      CHECK(bitwise_equal(within.second, alone.second));
    }
  }
  set_threads(before);
}
