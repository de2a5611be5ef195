// rnn_op.cpp — forward and backward of the fused recurrent op (formulas in recurrent.hpp).
//
// Buffers on the node (all reused across recordings, so training allocates nothing):
//   value   the returned sequence (a or h), (T·B, N)
//   aux[0]  the other sequence when the threshold is on (h or a); unused when h = a
//   aux[1]  dZ for every step (backward), (T·B, N)
//   aux[2]  dH for one step (backward), (B, N)
// ints: [0] steps T, [1] activation, [2] threshold on/off, [3] output (a or h); scalar: θ.
// inputs: [0] u, [1] W (dense) or the CSR values, [2] bias (or −1).
#include <cstring>

#include "biornn/blas.hpp"
#include "biornn/recurrent.hpp"
#include "biornn/vmath.hpp"
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

// The (B, N) rows of step t in a (T·B, N) matrix.
MatrixView step_rows(Matrix& m, int32_t t, int32_t batch) {
  return m.view().block(t * batch, 0, batch, m.cols());
}
ConstMatrixView step_rows(const Matrix& m, int32_t t, int32_t batch) {
  return m.view().block(t * batch, 0, batch, m.cols());
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

void apply_activation_inplace(Activation act, real* x, int64_t count) {
  switch (act) {
    case Activation::kTanh: vmath_tanh(x, x, count); return;
    case Activation::kRelu:
      for (int64_t i = 0; i < count; ++i) x[i] = x[i] < 0 ? real(0) : x[i];  // NaN stays NaN
      return;
    case Activation::kIdentity: return;
  }
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

// The forward recurrence; `recurrent_product(h_prev, z_t)` adds h_{t−1}·Wᵀ into z_t.
template <class RecurrentProduct>
void forward_sequence(Tape& t, Tape::Node& n, RecurrentProduct recurrent_product) {
  const Layout l = layout_of(n);
  const Matrix& u = t.node(n.inputs[0]).val();
  const Matrix* bias = n.inputs[2] >= 0 ? &t.node(n.inputs[2]).val() : nullptr;
  Matrix& a = activations(n);
  Matrix& h = rates(n);
  for (int32_t step = 0; step < l.steps; ++step) {
    MatrixView z = step_rows(a, step, l.batch);
    copy_into(step_rows(u, step, l.batch), z);
    if (bias != nullptr) {
      for (int32_t i = 0; i < l.batch; ++i)
        for (int32_t j = 0; j < l.units; ++j) z(i, j) += (*bias)(0, j);
    }
    if (step > 0) recurrent_product(step_rows(h, step - 1, l.batch), z);
    apply_activation_inplace(l.activation, z.data, z.size());
    if (l.threshold) {
      const real* av = z.data;
      real* hv = step_rows(h, step, l.batch).data;
      for (int64_t k = 0; k < z.size(); ++k) hv[k] = av[k] < l.theta ? l.theta : av[k];
    }
  }
}

}  // namespace

Var recurrent(Var u, Var w, Var bias, const RecurrentOptions& options) {
  const Matrix& wv = w.value();
  BIORNN_CHECK(wv.rows() == wv.cols(), "recurrent: W must be square (N, N), got " + wv.shape());
  Tape::Node& n = begin_recurrent(Op::kRecurrent, u, w, bias, options, wv.rows());
  Tape& t = *u.tape;
  forward_sequence(t, n, [&wv](ConstMatrixView h_prev, MatrixView z) {
    gemm(Trans::kNo, Trans::kYes, 1, h_prev, wv, 1, z);
  });
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
  forward_sequence(t, n, [&s](ConstMatrixView h_prev, MatrixView z) {
    dense_csr_mm(Trans::kYes, 1, h_prev, s, 1, z);
  });
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
  Matrix& dh = n.aux[2];
  dz.resize(n.value.rows(), n.value.cols());
  dh.resize(l.batch, l.units);
  const Matrix& d_out = n.grad;

  for (int32_t step = l.steps - 1; step >= 0; --step) {
    // dH_t = (returned h ? dOut_t : 0) + dZ_{t+1}·W
    const bool has_later = step + 1 < l.steps;
    if (l.returns_rate && l.threshold) copy_into(step_rows(d_out, step, l.batch), dh.view());
    else dh.set_zero();
    if (has_later) {
      ConstMatrixView dz_next = step_rows(dz, step + 1, l.batch);
      if (sparse) dense_csr_mm(Trans::kNo, 1, dz_next, s, 1, dh);
      else gemm(Trans::kNo, Trans::kNo, 1, dz_next, w, 1, dh);
    }
    // dA_t = (returned a ? dOut_t : 0) + [a_t > θ] ⊙ dH_t;   dZ_t = dA_t ⊙ φ'(a_t)
    const real* av = step_rows(a, step, l.batch).data;
    const real* dov = step_rows(d_out, step, l.batch).data;
    const bool out_is_a = !(l.returns_rate && l.threshold);
    real* dzv = step_rows(dz, step, l.batch).data;
    const int64_t count = int64_t(l.batch) * l.units;
    for (int64_t k = 0; k < count; ++k) {
      real da = out_is_a ? dov[k] : real(0);
      if (!l.threshold || av[k] > l.theta) da += dh.data()[k];
      switch (l.activation) {
        case Activation::kTanh: da *= real(1) - av[k] * av[k]; break;
        case Activation::kRelu: da = av[k] > 0 ? da : real(0); break;
        case Activation::kIdentity: break;
      }
      dzv[k] = da;
    }
  }

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
