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

// Records the node and checks shapes shared by the dense and sparse variants.
Tape::Node& begin_recurrent(Op op, Var u, Var w_or_values, Var bias, const RecurrentOptions& o,
                            int32_t units_of_w) {
  BIORNN_CHECK(u.tape != nullptr, "recurrent: the drive u is a default-constructed Var");
  Tape& t = *u.tape;
  const Matrix& uv = u.value();
  BIORNN_CHECK(o.steps >= 1, "recurrent: steps must be >= 1, got " + std::to_string(o.steps));
  BIORNN_CHECK(uv.rows() % o.steps == 0,
               "recurrent: the drive is " + uv.shape() + ", whose " + std::to_string(uv.rows()) +
                   " rows are not a whole number of batches of " + std::to_string(o.steps) +
                   " steps");
  BIORNN_CHECK(uv.cols() == units_of_w,
               "recurrent: the drive is " + uv.shape() + " but W has " +
                   std::to_string(units_of_w) + " units; u must have one column per unit");
  BIORNN_CHECK(o.theta >= 0, "recurrent: the threshold θ must be >= 0");
  const bool has_bias = bias.tape != nullptr;
  if (has_bias) {
    BIORNN_CHECK(bias.value().rows() == 1 && bias.value().cols() == uv.cols(),
                 "recurrent: the drive is " + uv.shape() + " so the bias must be " +
                     shape_string(1, uv.cols()) + ", got " + bias.value().shape());
  }
  Tape::Node& n = has_bias ? t.begin_node(op, {u, w_or_values, bias}) : t.begin_node(op, {u, w_or_values});
  n.ints[0] = o.steps;
  n.ints[1] = int32_t(o.activation);
  n.ints[2] = o.threshold ? 1 : 0;
  n.ints[3] = o.output == ReadoutFrom::kRate ? 1 : 0;
  n.scalar = o.theta;
  n.value.resize(uv.rows(), uv.cols());
  if (o.threshold) n.aux[0].resize(uv.rows(), uv.cols());
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

void run_forward(Tape& t, Tape::Node& n, const Matrix* w, const CsrView* sparse) {
  const Matrix& u = t.node(n.inputs[0]).val();
  const Matrix* bias = n.inputs[2] >= 0 ? &t.node(n.inputs[2]).val() : nullptr;
  kernels::recurrent_forward(problem_of(n, w, sparse), u, bias, activations(n), rates(n), active_threads());
}

}  // namespace

Var recurrent(Var u, Var w, Var bias, const RecurrentOptions& options) {
  const Matrix& wv = w.value();
  BIORNN_CHECK(wv.rows() == wv.cols(), "recurrent: W must be square (N, N), got " + wv.shape());
  Tape::Node& n = begin_recurrent(Op::kRecurrent, u, w, bias, options, wv.rows());
  Tape& t = *u.tape;
  run_forward(t, n, &wv, nullptr);
  return t.finish_node();
}

Var recurrent_sparse(Var u, const CsrMatrix& pattern, Var values, Var bias,
                     const RecurrentOptions& options) {
  BIORNN_CHECK(pattern.rows() == pattern.cols(),
               "recurrent_sparse: W must be square (N, N), got " + pattern.shape());
  const Matrix& v = values.value();
  BIORNN_CHECK(v.rows() == 1 && v.cols() == pattern.nnz(),
               "recurrent_sparse: W stores " + std::to_string(pattern.nnz()) +
                   " entries so its values must be " + shape_string(1, pattern.nnz()) +
                   ", got " + v.shape());
  Tape::Node& n = begin_recurrent(Op::kRecurrentSparse, u, values, bias, options, pattern.rows());
  n.pattern = &pattern;
  Tape& t = *u.tape;
  const CsrView s = pattern.view_with_values(v.data());
  run_forward(t, n, nullptr, &s);
  return t.finish_node();
}

// Backward: the recurrence for dZ runs step by step, newest first; then every parameter
// gradient is formed once from the whole dZ sequence.
void backward_recurrent(Tape& t, Tape::Node& n) {
  const Layout l = layout_of(n);
  const bool sparse = n.op == Op::kRecurrentSparse;
  const Matrix& w = t.node(n.inputs[1]).val();  // dense W, or the CSR values
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

  // dW += Σ_{t≥1} dZ_tᵀ·h_{t−1}: one product over (T−1)·B rows.
  if (t.node(n.inputs[1]).requires_grad && l.steps > 1) {
    Matrix& dw = t.grad_of(n.inputs[1]);
    const int32_t rows = (l.steps - 1) * l.batch;
    ConstMatrixView dz_later = ConstMatrixView(dz).block(l.batch, 0, rows, l.units);
    ConstMatrixView h_earlier = ConstMatrixView(h).block(0, 0, rows, l.units);
    if (sparse) sddmm(Trans::kYes, Trans::kNo, 1, dz_later, h_earlier, 1, s, dw.data());
    else gemm(Trans::kYes, Trans::kNo, 1, dz_later, h_earlier, 1, dw);
  }
  if (n.inputs[2] >= 0 && t.node(n.inputs[2]).requires_grad) {
    Matrix& db = t.grad_of(n.inputs[2]);
    for (int32_t i = 0; i < dz.rows(); ++i) {
      const real* row = dz.row(i);
      for (int32_t j = 0; j < l.units; ++j) db(0, j) += row[j];
    }
  }
  if (t.node(n.inputs[0]).requires_grad) {
    Matrix& du = t.grad_of(n.inputs[0]);
    for (int64_t k = 0; k < dz.size(); ++k) du.data()[k] += dz.data()[k];
  }
}

}  // namespace biornn
