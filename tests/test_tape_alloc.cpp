// test_tape_alloc.cpp — after its first step, a training step allocates nothing.
//
// The step records a small recurrent network unrolled over three time steps — dense and
// sparse matrix products, biases, tanh, the Dale threshold, a masked readout, both losses —
// runs backward and applies a plain gradient step. The first two steps size every buffer
// (tape nodes, GEMM packing workspaces, OpenMP's thread team); the next steps must not touch
// the heap at all.
#include "doctest/doctest.h"

#include "alloc_counter.hpp"
#include "biornn/rng.hpp"
#include "biornn/tape.hpp"

using namespace biornn;

namespace {

Matrix random_matrix(Rng& rng, int32_t rows, int32_t cols) {
  Matrix m(rows, cols);
  for (int64_t i = 0; i < m.size(); ++i) m.data()[i] = real(rng.uniform(-0.3, 0.3));
  return m;
}

struct TinyRnn {
  static constexpr int32_t kBatch = 16, kInputs = 3, kHidden = 24, kClasses = 4, kSteps = 3;
  Rng rng{17};
  Parameter w_in{"W_in", random_matrix(rng, kHidden, kInputs)};
  Parameter w{"W", random_matrix(rng, kHidden, kHidden)};
  Parameter bias{"b", random_matrix(rng, 1, kHidden)};
  Parameter w_out{"W_out", random_matrix(rng, kClasses, kHidden)};
  Parameter signs{"s", Matrix(1, kHidden, real(1))};
  CsrMatrix pattern;
  Parameter sparse_values;
  Mask readout_mask{kClasses, kHidden, true};
  Matrix inputs = random_matrix(rng, kBatch * kSteps, kInputs);
  Matrix targets = random_matrix(rng, kBatch, kClasses);
  std::vector<int32_t> labels;

  TinyRnn() {
    Mask m(kHidden, kHidden);
    for (int32_t i = 0; i < kHidden; ++i)
      for (int32_t j = 0; j < kHidden; ++j) m.set(i, j, rng.bernoulli(0.2));
    pattern = CsrMatrix::from_dense(random_matrix(rng, kHidden, kHidden), m);
    sparse_values = Parameter("W_sparse", Matrix(1, int32_t(pattern.nnz())));
    for (int32_t j = 0; j < kHidden; j += 3) readout_mask.set(0, j, false);
    for (int32_t b = 0; b < kBatch; ++b) labels.push_back(b % kClasses);
  }

  void step(Tape& tape) {
    tape.clear();
    for (Parameter* p : {&w_in, &w, &bias, &w_out, &signs, &sparse_values}) p->zero_grad();
    Var x = tape.constant(inputs);
    Var v_w_in = tape.param(w_in), v_w = tape.param(w), v_b = tape.param(bias);
    Var v_s = tape.param(signs), v_sparse = tape.param(sparse_values);
    Var v_out = mask_mul(tape.param(w_out), readout_mask);
    Var w_signed = col_scale(abs(v_w), v_s);
    Var h;
    for (int32_t t = 0; t < kSteps; ++t) {
      Var pre = matmul_nt(slice_rows(x, t * kBatch, kBatch), v_w_in);
      if (t > 0) pre = pre + matmul_nt(h, w_signed) + sparse_matmul_nt(h, pattern, v_sparse);
      h = relu(tanh(add_row_bias(pre, v_b)), real(0));
    }
    Var logits = matmul_nt(h, v_out);
    Var loss = softmax_cross_entropy(logits, labels) + mse(sigmoid(logits), tape.constant(targets));
    loss = mean(scale(loss, real(0.5))) + scale(sum(matmul_tn(h, h)), real(1e-4));
    tape.backward(loss);
    for (Parameter* p : {&w_in, &w, &bias, &w_out, &sparse_values})
      for (int64_t k = 0; k < p->value.size(); ++k) p->value.data()[k] -= real(0.01) * p->grad.data()[k];
  }
};

}  // namespace

TEST_CASE("a training step allocates nothing after the first two") {
  TinyRnn net;
  Tape tape;
  net.step(tape);
  net.step(tape);
  const int32_t nodes_per_step = tape.size();
  biornn_test::AllocationCounter counter;
  for (int i = 0; i < 5; ++i) net.step(tape);
  const int64_t allocations = counter.count();
  CHECK(allocations == 0);
  CHECK(tape.size() == nodes_per_step);
}

TEST_CASE("the allocation test would notice a step that allocates") {
  TinyRnn net;
  Tape tape;
  net.step(tape);
  net.step(tape);
  biornn_test::AllocationCounter counter;
  net.step(tape);
  Tape fresh;  // a new tape has no spare nodes, so recording on it must allocate
  net.step(fresh);
  CHECK(counter.count() > 0);
}
