// inference.cpp — one step of a loaded network (see inference.hpp for the formulas and for why
// the results are bit-identical to the tape's forward pass). Reading model.npz is in
// inference_load.cpp.
//
// Every operation below names the library code whose arithmetic it repeats:
//   products          rnn_op.cpp run_forward (X·W_inᵀ), recurrent_driver.cpp product_nt
//                     (h·Wᵀ, dense packed / CSR / ref), tape_ops.cpp matmul_nt (readout);
//                     through gemm, so one input or one output is a thin product (gemm_thin)
//   biases            recurrent_driver.cpp add_biases, tape_ops.cpp add_row_bias
//   φ, threshold      recurrent_driver.cpp forward_slice
//   ψ                 tape_ops.cpp tanh / relu (train.cpp applies tanh for flip-flop)
#include <algorithm>
#include <cstring>
#include <utility>

#include "biornn/blas.hpp"
#include "biornn/vmath.hpp"
#include "inference_internal.hpp"
#include "kernels/gemm_blocking.hpp"
#include "kernels/gemm_thin.hpp"

namespace biornn {

int32_t activation_code(Activation a) {
  switch (a) {
    case Activation::kTanh: return 0;
    case Activation::kRelu: return 1;
    case Activation::kIdentity: return 2;
  }
  return -1;
}

bool activation_from_code(int32_t code, Activation* out) {
  for (Activation a : {Activation::kTanh, Activation::kRelu, Activation::kIdentity}) {
    if (activation_code(a) == code) {
      *out = a;
      return true;
    }
  }
  return false;
}

namespace {

bool packed(GemmKernel k) { return k == GemmKernel::kPackedScalar || k == GemmKernel::kPackedAvx2; }

// Whether gemm, with a packed kernel, runs row·weightsᵀ as a thin product (gemm_thin.hpp) —
// for one row here exactly when it does for the tape's T·B rows, since op(A) = A.
bool thin(const Matrix& weights) {
  return kernels::is_thin_product(Trans::kNo, 1, weights.rows(), weights.cols());
}

// out = row·op(B) + β·out for op(B) = weightsᵀ, as gemm computes it for the tape: a thin
// product with its plain loops, otherwise the packed copy with a packed kernel (what
// gemm_packed computes, see gemm_packed.hpp), the reference kernel otherwise. One thread.
void product_nt(const InferenceModel::Impl& m, const kernels::PackedOperandB& packed_b, const Matrix& weights,
                ConstMatrixView row, real beta, MatrixView out) {
  if (!packed(m.gemm)) gemm_with(m.gemm, 1, Trans::kNo, Trans::kYes, 1, row, weights, beta, out);
  else if (thin(weights)) kernels::gemm_thin(1, Trans::kNo, Trans::kYes, 1, row, weights, beta, out);
  else kernels::gemm_packed_b(Trans::kNo, 1, row, packed_b, beta, out);
}

void apply_activation(MathKernel math, Activation act, real* v, int32_t n) {
  switch (act) {
    case Activation::kTanh: vmath_tanh_with(math, v, v, n); break;
    case Activation::kRelu:
      for (int32_t k = 0; k < n; ++k) v[k] = v[k] < 0 ? real(0) : v[k];  // NaN stays NaN
      break;
    case Activation::kIdentity: break;
  }
}

void run_step(InferenceModel::Impl& m, const real* x, real* y_out) {
  const InferenceSpec& s = m.spec;
  const int32_t n = s.hidden;
  real* a = m.a.data();
  // z = x·W_inᵀ, then (z + b_in) + b_rec.
  product_nt(m, m.packed_in, m.w_in, ConstMatrixView(x, 1, s.inputs, s.inputs), 0, m.a);
  if (s.recurrent_biases) {
    const real* bi = m.b_in.data();
    const real* br = m.b_rec.data();
    for (int32_t j = 0; j < n; ++j) a[j] = (a[j] + bi[j]) + br[j];
  }
  // z += h_{t−1}·Wᵀ, from the second step on.
  if (m.t > 0) {
    if (s.sparse) dense_csr_mm(Trans::kYes, 1, m.h, m.sparse_view, 1, m.a, 1);
    else product_nt(m, m.packed_w, m.w, m.h, 1, m.a);
  }
  apply_activation(m.math, s.activation, a, n);
  real* h = m.h.data();
  if (s.threshold) {
    const real theta = s.theta;
    for (int32_t k = 0; k < n; ++k) h[k] = a[k] < theta ? theta : a[k];
  } else {
    std::memcpy(h, a, sizeof(real) * std::size_t(n));
  }
  // y = ψ(r·W_outᵀ + b_out).
  const Matrix& r = s.readout_from == ReadoutFrom::kRate ? m.h : m.a;
  product_nt(m, m.packed_out, m.w_out, r, 0, m.y);
  real* y = m.y.data();
  if (s.readout_bias) {
    const real* b = m.b_out.data();
    for (int32_t j = 0; j < s.outputs; ++j) y[j] = y[j] + b[j];
  }
  apply_activation(m.math, s.output_activation, y, s.outputs);
  std::memcpy(y_out, y, sizeof(real) * std::size_t(s.outputs));
  ++m.t;
}

int64_t packed_bytes(const InferenceModel::Impl& m, const kernels::PackedOperandB& b) {
  if (!packed(m.gemm)) return 0;
  const int64_t nr = kernels::gemm_blocking_of(m.gemm).nr;
  return (int64_t(b.n()) + nr - 1) / nr * nr * b.k() * int64_t(sizeof(real));
}

}  // namespace

void inference_prepare(InferenceModel::Impl& m) {
  const InferenceSpec& s = m.spec;
  m.gemm = active_gemm_kernel();
  m.math = active_math_kernel();
  if (s.sparse) m.sparse_view = m.pattern.view();
  if (packed(m.gemm)) {
    // The steps read only the packed copies: the plain weights would double the memory. A
    // thin product reads the plain weights (a single row or column) and stays unpacked.
    for (auto [weights, packed_copy] : {std::pair{&m.w_in, &m.packed_in}, std::pair{&m.w_out, &m.packed_out}}) {
      if (thin(*weights)) continue;
      kernels::pack_b_operand(m.gemm, Trans::kYes, *weights, packed_copy);
      *weights = Matrix();
    }
    if (!s.sparse) {
      kernels::pack_b_operand(m.gemm, Trans::kYes, m.w, &m.packed_w);
      m.w = Matrix();
    }
  }
  m.a = Matrix(1, s.hidden);
  m.h = Matrix(1, s.hidden);
  m.y = Matrix(1, s.outputs);
  // Two steps on zeros reach every product and every kernel's per-thread workspace (grow-only),
  // so that later steps on this thread allocate nothing; then back to h = 0.
  Matrix x(1, s.inputs), y(1, s.outputs);
  m.t = 0;
  run_step(m, x.data(), y.data());
  run_step(m, x.data(), y.data());
  m.a.set_zero();
  m.h.set_zero();
  m.t = 0;
}

InferenceModel::InferenceModel() = default;
InferenceModel::~InferenceModel() = default;
InferenceModel::InferenceModel(InferenceModel&&) noexcept = default;
InferenceModel& InferenceModel::operator=(InferenceModel&&) noexcept = default;

const InferenceSpec& InferenceModel::spec() const {
  BIORNN_CHECK(impl_ != nullptr, "InferenceModel: no model loaded");
  return impl_->spec;
}

GemmKernel InferenceModel::gemm_kernel() const {
  BIORNN_CHECK(impl_ != nullptr, "InferenceModel: no model loaded");
  return impl_->gemm;
}

MathKernel InferenceModel::math_kernel() const {
  BIORNN_CHECK(impl_ != nullptr, "InferenceModel: no model loaded");
  return impl_->math;
}

int64_t InferenceModel::memory_bytes() const {
  BIORNN_CHECK(impl_ != nullptr, "InferenceModel: no model loaded");
  const Impl& m = *impl_;
  int64_t elements = 0;
  for (const Matrix* x : {&m.w_in, &m.w, &m.b_in, &m.b_rec, &m.w_out, &m.b_out, &m.a, &m.h, &m.y}) elements += x->size();
  int64_t bytes = elements * int64_t(sizeof(real)) + int64_t(sizeof(Impl));
  bytes += m.pattern.nnz() * int64_t(sizeof(real) + sizeof(int32_t)) + (m.pattern.rows() + 1) * int64_t(sizeof(int64_t));
  bytes += packed_bytes(m, m.packed_in) + packed_bytes(m, m.packed_w) + packed_bytes(m, m.packed_out);
  return bytes;
}

void InferenceModel::reset() {
  BIORNN_CHECK(impl_ != nullptr, "InferenceModel::reset: no model loaded");
  impl_->a.set_zero();
  impl_->h.set_zero();
  impl_->t = 0;
}

void InferenceModel::step(const real* x, real* y) {
  BIORNN_CHECK(impl_ != nullptr, "InferenceModel::step: no model loaded");
  BIORNN_CHECK(x != nullptr && y != nullptr, "InferenceModel::step: x and y must not be null");
  run_step(*impl_, x, y);
}

const real* InferenceModel::state() const {
  BIORNN_CHECK(impl_ != nullptr, "InferenceModel::state: no model loaded");
  return impl_->h.data();
}

int64_t InferenceModel::steps() const {
  BIORNN_CHECK(impl_ != nullptr, "InferenceModel::steps: no model loaded");
  return impl_->t;
}

}  // namespace biornn
