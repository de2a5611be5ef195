// rnn_op.cpp — forward and backward of the fused recurrent op (formulas in recurrent.hpp).
//
// The time loops themselves run in src/kernels/recurrent_driver.cpp (threaded over batch
// slices); this file records the node and forms the parameter gradients.
//
// Buffers on the node (all reused across recordings, so training allocates nothing):
//   value   the returned sequence (a or h), (T·B, N)
//   aux[0]  the other sequence when the threshold is on (h or a); unused when h = a
//   aux[1]  dZ for every step (backward), (T·B, N)
//   aux[2]  dH scratch for the backward time loop, one block per batch slice
// ints: [0] steps T, [1] activation, [2] threshold on/off, [3] output (a or h); scalar: θ.
// inputs: [0] u, [1] W (dense) or the CSR values, [2] bias (or −1).
#include <cstring>

#include "biornn/blas.hpp"
#include "biornn/recurrent.hpp"
#include "kernels/recurrent_driver.hpp"
#include "tape_internal.hpp"

namespace biornn {

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kTanh: return "tanh";
    case Activation::kRelu: return "relu";
    case Activation::kIdentity: return "identity";
  }
  return "?";
}

bool parse_activation(const std::string& text, Activation* out) {
  for (Activation a : {Activation::kTanh, Activation::kRelu, Activation::kIdentity}) {
    if (text == activation_name(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

const char* readout_from_name(ReadoutFrom r) {
  return r == ReadoutFrom::kActivation ? "activation" : "rate";
}

bool parse_readout_from(const std::string& text, ReadoutFrom* out) {
  for (ReadoutFrom r : {ReadoutFrom::kActivation, ReadoutFrom::kRate}) {
    if (text == readout_from_name(r)) {
      *out = r;
      return true;
    }
  }
  return false;
}

namespace {

struct Layout {
  int32_t steps, batch, units;
  Activation activation;
  bool threshold;
  real theta;
  bool returns_rate;
};

Layout layout_of(const Tape::Node& n) {
  Layout l;
  l.steps = n.ints[0];
  l.units = n.value.cols();
  l.batch = n.value.rows() / l.steps;
  l.activation = Activation(n.ints[1]);
  l.threshold = n.ints[2] != 0;
  l.theta = n.scalar;
  l.returns_rate = n.ints[3] != 0;
  return l;
}

// The a and h sequences of a recorded node (h aliases a when there is no threshold).
Matrix& activations(Tape::Node& n) {
  const bool returns_rate = n.ints[3] != 0, threshold = n.ints[2] != 0;
  return threshold && returns_rate ? n.aux[0] : n.value;
}
Matrix& rates(Tape::Node& n) {
  const bool returns_rate = n.ints[3] != 0, threshold = n.ints[2] != 0;
  return threshold && !returns_rate ? n.aux[0] : n.value;
}

// Records the node and checks shapes shared by the dense and sparse variants. Inputs:
// [0] x, [1] W_in, [2] W or the CSR values, [3] b_in, [4] b_rec (−1 when absent).
Tape::Node& begin_recurrent(Op op, Var x, Var w_in, Var w_or_values, Var b_in, Var b_rec, const RecurrentOptions& o,
                            int32_t units) {
  BIORNN_CHECK(x.tape != nullptr, "recurrent: the input x is a default-constructed Var");
  Tape& t = *x.tape;
  const Matrix& xv = x.value();
  const Matrix& win = w_in.value();
  BIORNN_CHECK(o.steps >= 1, "recurrent: steps must be >= 1, got " + std::to_string(o.steps));
  BIORNN_CHECK(xv.rows() % o.steps == 0,
               "recurrent: the input is " + xv.shape() + ", whose " + std::to_string(xv.rows()) +
                   " rows are not a whole number of batches of " + std::to_string(o.steps) + " steps");
  BIORNN_CHECK(win.rows() == units && win.cols() == xv.cols(),
               "recurrent: the input is " + xv.shape() + " and W has " + std::to_string(units) +
                   " units, so W_in must be " + shape_string(units, xv.cols()) + ", got " + win.shape());
  BIORNN_CHECK(o.theta >= 0, "recurrent: the threshold θ must be >= 0");
  for (const Var* bias : {&b_in, &b_rec}) {
    if (bias->tape == nullptr) continue;
    BIORNN_CHECK(bias->value().rows() == 1 && bias->value().cols() == units,
                 "recurrent: W has " + std::to_string(units) + " units so a bias must be " + shape_string(1, units) +
                     ", got " + bias->value().shape());
  }
  // Absent biases are recorded as the input itself and then marked absent (−1), so that
  // begin_node sees only valid Vars.
  Tape::Node& n = t.begin_node(op, {x, w_in, w_or_values, b_in.tape ? b_in : x, b_rec.tape ? b_rec : x});
  if (b_in.tape == nullptr) n.inputs[3] = -1;
  if (b_rec.tape == nullptr) n.inputs[4] = -1;
  n.ints[0] = o.steps;
  n.ints[1] = int32_t(o.activation);
  n.ints[2] = o.threshold ? 1 : 0;
  n.ints[3] = o.output == ReadoutFrom::kRate ? 1 : 0;
  n.scalar = o.theta;
  n.value.resize(xv.rows(), units);
  if (o.threshold) n.aux[0].resize(xv.rows(), units);
  return n;
}

// The driver's view of a recorded node.
kernels::RecurrentProblem problem_of(const Tape::Node& n, const Matrix* w, const CsrView* sparse) {
  const Layout l = layout_of(n);
  kernels::RecurrentProblem p;
  p.steps = l.steps;
  p.batch = l.batch;
  p.units = l.units;
  p.activation = l.activation;
  p.threshold = l.threshold;
  p.theta = l.theta;
  p.w = w;
  p.sparse = sparse;
  return p;
}

const Matrix* optional_input(Tape& t, const Tape::Node& n, int k) {
  return n.inputs[k] >= 0 ? &t.node(n.inputs[k]).val() : nullptr;
}

// The time loop, which also forms the input drive X·W_inᵀ slice by slice.
void run_forward(Tape& t, Tape::Node& n, const Matrix* w, const CsrView* sparse) {
  kernels::RecurrentProblem p = problem_of(n, w, sparse);
  p.x = &t.node(n.inputs[0]).val();
  p.w_in = &t.node(n.inputs[1]).val();
  kernels::recurrent_forward(p, optional_input(t, n, 3), optional_input(t, n, 4), activations(n), rates(n),
                             active_threads());
}

}  // namespace

Var recurrent(Var x, Var w_in, Var w, Var b_in, Var b_rec, const RecurrentOptions& options) {
  const Matrix& wv = w.value();
  BIORNN_CHECK(wv.rows() == wv.cols(), "recurrent: W must be square (N, N), got " + wv.shape());
  Tape::Node& n = begin_recurrent(Op::kRecurrent, x, w_in, w, b_in, b_rec, options, wv.rows());
  Tape& t = *x.tape;
  run_forward(t, n, &wv, nullptr);
  return t.finish_node();
}

Var recurrent_sparse(Var x, Var w_in, const CsrMatrix& pattern, Var values, Var b_in, Var b_rec,
                     const RecurrentOptions& options) {
  BIORNN_CHECK(pattern.rows() == pattern.cols(), "recurrent_sparse: W must be square (N, N), got " + pattern.shape());
  const Matrix& v = values.value();
  BIORNN_CHECK(v.rows() == 1 && v.cols() == pattern.nnz(),
               "recurrent_sparse: W stores " + std::to_string(pattern.nnz()) + " entries so its values must be " +
                   shape_string(1, pattern.nnz()) + ", got " + v.shape());
  Tape::Node& n = begin_recurrent(Op::kRecurrentSparse, x, w_in, values, b_in, b_rec, options, pattern.rows());
  n.pattern = &pattern;
  Tape& t = *x.tape;
  const CsrView s = pattern.view_with_values(v.data());
  run_forward(t, n, nullptr, &s);
  return t.finish_node();
}

// Backward: the recurrence for dZ runs step by step, newest first (the driver); then every
// parameter gradient is formed once from the whole dZ sequence.
void backward_recurrent(Tape& t, Tape::Node& n) {
  const Layout l = layout_of(n);
  const bool sparse = n.op == Op::kRecurrentSparse;
  const Matrix& x = t.node(n.inputs[0]).val();
  const Matrix& w_in = t.node(n.inputs[1]).val();
  const Matrix& w = t.node(n.inputs[2]).val();  // dense W, or the CSR values
  const CsrView s = sparse ? n.pattern->view_with_values(w.data()) : CsrView();
  const Matrix& a = activations(n);
  const Matrix& h = rates(n);
  Matrix& dz = n.aux[1];
  dz.resize(n.value.rows(), n.value.cols());
  // The gradient arriving at the returned sequence goes to a_t, or to h_t when the op returns
  // thresholded rates.
  const bool returns_h = l.returns_rate && l.threshold;
  kernels::recurrent_backward(problem_of(n, sparse ? nullptr : &w, sparse ? &s : nullptr), returns_h ? nullptr : &n.grad,
                              returns_h ? &n.grad : nullptr, a, dz, n.aux[2], active_threads());
  auto wants = [&t, &n](int k) { return n.inputs[k] >= 0 && t.node(n.inputs[k]).requires_grad; };

  // dW += Σ_{t≥1} dZ_tᵀ·h_{t−1}: one product over (T−1)·B rows.
  if (wants(2) && l.steps > 1) {
    Matrix& dw = t.grad_of(n.inputs[2]);
    const int32_t rows = (l.steps - 1) * l.batch;
    ConstMatrixView dz_later = ConstMatrixView(dz).block(l.batch, 0, rows, l.units);
    ConstMatrixView h_earlier = ConstMatrixView(h).block(0, 0, rows, l.units);
    if (sparse) sddmm(Trans::kYes, Trans::kNo, 1, dz_later, h_earlier, 1, s, dw.data());
    else gemm(Trans::kYes, Trans::kNo, 1, dz_later, h_earlier, 1, dw);
  }
  if (wants(1)) gemm(Trans::kYes, Trans::kNo, 1, dz, x, 1, t.grad_of(n.inputs[1]));  // dW_in += dZᵀ·X
  if (wants(0)) gemm(Trans::kNo, Trans::kNo, 1, dz, w_in, 1, t.grad_of(n.inputs[0]));  // dX += dZ·W_in
  if (wants(3) || wants(4)) {
    // Both biases enter z_t the same way, so both receive the column sums of dZ.
    Matrix& column_sums = n.aux[2];
    column_sums.resize(1, l.units);
    column_sums.set_zero();
    for (int32_t i = 0; i < dz.rows(); ++i) {
      const real* row = dz.row(i);
      for (int32_t j = 0; j < l.units; ++j) column_sums(0, j) += row[j];
    }
    for (int k : {3, 4}) {
      if (!wants(k)) continue;
      Matrix& db = t.grad_of(n.inputs[k]);
      for (int32_t j = 0; j < l.units; ++j) db(0, j) += column_sums(0, j);
    }
  }
}

}  // namespace biornn
