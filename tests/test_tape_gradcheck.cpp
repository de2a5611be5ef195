// test_tape_gradcheck.cpp — every tape op against central finite differences, table-driven.
//
// Each row builds a scalar loss around one op. Ops whose output is a matrix are reduced with
// a fixed random weighting, loss = Σ (op(…) ⊙ R), so that the check exercises a full
// vector–Jacobian product: a plain sum would let errors that cancel across elements pass.
// The last test checks that the table has a row for every value of Op.
#include "doctest/doctest.h"

#include <cmath>
#include <set>

#include "biornn/gradcheck.hpp"
#include "biornn/recurrent.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

namespace {

Matrix random_matrix(Rng& rng, int32_t rows, int32_t cols, double lo = -1, double hi = 1) {
  Matrix m(rows, cols);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = real(rng.uniform(lo, hi));
  return m;
}

// Moves every entry at least `gap` away from `kink`, keeping its side (relu, abs).
Matrix away_from(Matrix m, real kink, real gap) {
  for (int64_t i = 0; i < m.size(); ++i) {
    real& v = m.data()[i];
    v = v >= kink ? kink + gap + (v - kink) : kink - gap - (kink - v);
  }
  return m;
}

struct OpCase {
  Op op;
  const char* description;
  std::vector<Matrix> inputs;
  GradcheckFunction loss;
};

// Fixed data the builders close over. Tape constants refer to these matrices (no copy), so
// they must outlive every tape that uses them: they live for the whole test run.
struct Fixtures {
  Rng rng{2024};
  Matrix weights_3x4 = random_matrix(rng, 3, 4);
  Matrix weights_4x5 = random_matrix(rng, 4, 5);
  Matrix weights_3x5 = random_matrix(rng, 3, 5);
  Matrix weights_3x3 = random_matrix(rng, 3, 3);
  Mask mask_3x4 = [this] {
    Mask m(3, 4);
    for (int32_t i = 0; i < 3; ++i)
      for (int32_t j = 0; j < 4; ++j) m.set(i, j, rng.bernoulli(0.6));
    return m;
  }();
  CsrMatrix pattern_5x4 = [this] {
    Mask m(5, 4);
    for (int32_t i = 0; i < 5; ++i)
      for (int32_t j = 0; j < 4; ++j) m.set(i, j, (i + 2 * j) % 3 != 0);
    return CsrMatrix::from_dense(random_matrix(rng, 5, 4), m);  // row 0 and others partly empty
  }();
  std::vector<int32_t> labels_3 = {2, 0, 3};
  // Recurrent rows: T = 3 steps of a batch of 2, N = 4 units; loss weights for (6, 4).
  Matrix weights_6x4 = random_matrix(rng, 6, 4);
  CsrMatrix pattern_4x4 = [this] {
    Mask m(4, 4);
    for (int32_t i = 0; i < 4; ++i)
      for (int32_t j = 0; j < 4; ++j) m.set(i, j, (i + j) % 3 != 1);
    return CsrMatrix::from_dense(random_matrix(rng, 4, 4), m);
  }();
};

Fixtures& fixtures() {
  static Fixtures f;
  return f;
}

// Σ (v ⊙ R) for a constant R of v's shape.
Var weighted_sum(Tape& t, Var v, const Matrix& r) { return sum(mul(v, t.constant(r))); }

std::vector<OpCase> op_cases() {
  Fixtures& fx = fixtures();
  Rng& rng = fx.rng;
  std::vector<OpCase> cases;
  cases.push_back({Op::kLeaf, "a (1, 1) leaf is its own loss", {random_matrix(rng, 1, 1)},
                   [](Tape&, const std::vector<Var>& v) { return v[0]; }});
  cases.push_back({Op::kMatMul, "matmul (3, 5)·(5, 4)",
                   {random_matrix(rng, 3, 5), random_matrix(rng, 5, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, matmul(v[0], v[1]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kMatMulNT, "matmul_nt (3, 5)·(4, 5)ᵀ",
                   {random_matrix(rng, 3, 5), random_matrix(rng, 4, 5)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, matmul_nt(v[0], v[1]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kMatMulTN, "matmul_tn (5, 3)ᵀ·(5, 4)",
                   {random_matrix(rng, 5, 3), random_matrix(rng, 5, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, matmul_tn(v[0], v[1]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kSparseMatMulNT, "sparse_matmul_nt (3, 4)·S(5, 4)ᵀ",
                   {random_matrix(rng, 3, 4), random_matrix(rng, 1, int32_t(fx.pattern_5x4.nnz()))},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, sparse_matmul_nt(v[0], fx.pattern_5x4, v[1]),
                                         fx.weights_3x5);
                   }});
  cases.push_back({Op::kAdd, "add", {random_matrix(rng, 3, 4), random_matrix(rng, 3, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, add(v[0], v[1]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kSub, "sub", {random_matrix(rng, 3, 4), random_matrix(rng, 3, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, sub(v[0], v[1]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kMul, "mul, including a value multiplied by itself",
                   {random_matrix(rng, 3, 4), random_matrix(rng, 3, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, mul(mul(v[0], v[1]), v[0]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kScale, "scale by −1.5", {random_matrix(rng, 3, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, scale(v[0], real(-1.5)), fx.weights_3x4);
                   }});
  cases.push_back({Op::kAddRowBias, "add_row_bias (3, 4) + (1, 4)",
                   {random_matrix(rng, 3, 4), random_matrix(rng, 1, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, add_row_bias(v[0], v[1]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kColScale, "col_scale (3, 4)·diag(1, 4)",
                   {random_matrix(rng, 3, 4), random_matrix(rng, 1, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, col_scale(v[0], v[1]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kTanh, "tanh over [−3, 3]", {random_matrix(rng, 3, 4, -3, 3)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, tanh(v[0]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kSigmoid, "sigmoid over [−4, 4]", {random_matrix(rng, 3, 4, -4, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, sigmoid(v[0]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kRelu, "relu at θ = 0 and θ = 0.3, away from the kink",
                   {away_from(random_matrix(rng, 3, 4), real(0.3), real(0.05))},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, relu(v[0], real(0.3)), fx.weights_3x4) +
                            weighted_sum(t, relu(scale(v[0], real(-1)), real(-0.3)), fx.weights_3x4);
                   }});
  cases.push_back({Op::kAbs, "abs away from 0", {away_from(random_matrix(rng, 3, 4), 0, real(0.05))},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, abs(v[0]), fx.weights_3x4);
                   }});
  cases.push_back({Op::kMaskMul, "mask_mul", {random_matrix(rng, 3, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, mask_mul(v[0], fx.mask_3x4), fx.weights_3x4);
                   }});
  cases.push_back({Op::kSum, "sum of a product (so the gradient is not constant)",
                   {random_matrix(rng, 3, 4), random_matrix(rng, 3, 4)},
                   [](Tape&, const std::vector<Var>& v) { return sum(mul(v[0], v[1])); }});
  cases.push_back({Op::kMean, "mean of a product", {random_matrix(rng, 3, 4), random_matrix(rng, 3, 4)},
                   [](Tape&, const std::vector<Var>& v) { return mean(mul(v[0], v[1])); }});
  cases.push_back({Op::kMse, "mse with gradients to both prediction and target",
                   {random_matrix(rng, 3, 4), random_matrix(rng, 3, 4)},
                   [](Tape&, const std::vector<Var>& v) { return mse(v[0], v[1]); }});
  cases.push_back({Op::kSoftmaxCrossEntropy, "softmax cross-entropy over 4 classes",
                   {random_matrix(rng, 3, 4, -2, 2)},
                   [&fx](Tape&, const std::vector<Var>& v) {
                     return softmax_cross_entropy(v[0], fx.labels_3);
                   }});
  cases.push_back({Op::kSliceRows, "slice_rows: two overlapping slices of one matrix",
                   {random_matrix(rng, 5, 3)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     return weighted_sum(t, slice_rows(v[0], 1, 3), fx.weights_3x3) +
                            sum(slice_rows(v[0], 3, 2));
                   }});
  // The fused recurrent op with tanh and the Dale threshold returning rates; θ = 0.02 is
  // below every activation at this seed's points, which keeps the check off the kink.
  // Inputs: x (6, 3) [3 steps × batch 2], W_in (4, 3), W (4, 4) or its CSR values, b_in, b_rec.
  cases.push_back({Op::kRecurrent, "recurrent: 3 steps, batch 2, 4 units, tanh, threshold, returns h",
                   {random_matrix(rng, 6, 3), random_matrix(rng, 4, 3), random_matrix(rng, 4, 4, -0.5, 0.5),
                    random_matrix(rng, 1, 4), random_matrix(rng, 1, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     RecurrentOptions o;
                     o.steps = 3;
                     o.threshold = true;
                     o.theta = real(0.02);
                     o.output = ReadoutFrom::kRate;
                     return weighted_sum(t, recurrent(v[0], v[1], v[2], v[3], v[4], o), fx.weights_6x4);
                   }});
  cases.push_back({Op::kRecurrentSparse, "recurrent_sparse: 3 steps, batch 2, 4 units, tanh, returns a",
                   {random_matrix(rng, 6, 3), random_matrix(rng, 4, 3),
                    random_matrix(rng, 1, int32_t(fx.pattern_4x4.nnz()), -0.5, 0.5), random_matrix(rng, 1, 4),
                    random_matrix(rng, 1, 4)},
                   [&fx](Tape& t, const std::vector<Var>& v) {
                     RecurrentOptions o;
                     o.steps = 3;
                     return weighted_sum(t, recurrent_sparse(v[0], v[1], fx.pattern_4x4, v[2], v[3], v[4], o),
                                         fx.weights_6x4);
                   }});
  return cases;
}

}  // namespace

TEST_CASE("every tape op passes gradcheck at the derived tolerance") {
  for (const OpCase& c : op_cases()) {
    CAPTURE(c.description);
    const GradcheckReport report = gradcheck(c.loss, c.inputs);
    CAPTURE(report.worst);
    CHECK(report.passed);
    CHECK(report.elements_checked > 0);
  }
}

TEST_CASE("the gradcheck table has a row for every Op") {
  std::set<int> covered;
  for (const OpCase& c : op_cases()) covered.insert(int(c.op));
  for (int op = 0; op < int(Op::kCount); ++op) {
    CAPTURE(op_name(Op(op)));
    CHECK(covered.count(op) == 1);
  }
}
