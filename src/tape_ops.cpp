// tape_ops.cpp — every tape operation: its shape check, its forward formula, and, right
// below it, its backward formula. The single backward switch at the end only dispatches.
//
// Conventions: `n` is the node being recorded or differentiated; X = the first input's value,
// Y = the second's, C = the node's value; dC = the node's gradient; dX, dY = the gradient
// buffers of the inputs, which backward ADDS into (an input used twice gets both shares).
// Inputs that do not require a gradient are skipped.
//
// Reference: the formulas are the standard matrix-calculus identities; each one is verified
// against central finite differences in tests/test_tape_gradcheck.cpp.
#include <cmath>

#include "biornn/blas.hpp"
#include "biornn/vmath.hpp"
#include "tape_internal.hpp"

namespace biornn {

namespace {

const Matrix& input_value(Tape& t, const Tape::Node& n, int k) {
  return t.node(n.inputs[k]).val();
}

// The gradient buffer of input k, or nullptr when that input needs no gradient.
Matrix* input_grad(Tape& t, const Tape::Node& n, int k) {
  if (n.inputs[k] < 0 || !t.node(n.inputs[k]).requires_grad) return nullptr;
  return &t.grad_of(n.inputs[k]);
}

// The same for an op whose product writes all of it (C = α·P + β·C): `beta` says whether to
// add (1) or overwrite (0, nothing added yet).
Matrix* input_grad_target(Tape& t, const Tape::Node& n, int k, real* beta) {
  if (n.inputs[k] < 0 || !t.node(n.inputs[k]).requires_grad) return nullptr;
  return &t.grad_target(n.inputs[k], beta);
}

Tape& tape_of(Var a) {
  BIORNN_CHECK(a.tape != nullptr, "an operation received a default-constructed Var");
  return *a.tape;
}

void check_same_shape(const char* op, const Matrix& a, const Matrix& b) {
  BIORNN_CHECK(a.same_shape(b), std::string(op) + ": A is " + a.shape() + " but B is " +
                                    b.shape() + "; they must have the same shape");
}

void check_row_vector(const char* op, const char* what, const Matrix& a, const Matrix& v) {
  BIORNN_CHECK(v.rows() == 1 && v.cols() == a.cols(),
               std::string(op) + ": A is " + a.shape() + " so " + what + " must be " +
                   shape_string(1, a.cols()) + ", got " + v.shape());
}

// Records a node whose value has A's shape; the caller fills it.
Tape::Node& begin_like(Tape& t, Op op, std::initializer_list<Var> inputs, const Matrix& shape_of) {
  Tape::Node& n = t.begin_node(op, inputs);
  n.value.resize(shape_of.rows(), shape_of.cols());
  return n;
}

// dX += dC, element by element (shapes equal by construction).
void accumulate(Matrix& dx, const Matrix& dc, real factor = 1) {
  const int64_t size = dc.size();
  real* g = dx.data();
  const real* d = dc.data();
  for (int64_t i = 0; i < size; ++i) g[i] += factor * d[i];
}

}  // namespace

const char* op_name(Op op) {
  switch (op) {
    case Op::kLeaf: return "leaf";
    case Op::kMatMul: return "matmul";
    case Op::kMatMulNT: return "matmul_nt";
    case Op::kMatMulTN: return "matmul_tn";
    case Op::kSparseMatMulNT: return "sparse_matmul_nt";
    case Op::kAdd: return "add";
    case Op::kSub: return "sub";
    case Op::kMul: return "mul";
    case Op::kScale: return "scale";
    case Op::kAddRowBias: return "add_row_bias";
    case Op::kColScale: return "col_scale";
    case Op::kTanh: return "tanh";
    case Op::kSigmoid: return "sigmoid";
    case Op::kRelu: return "relu";
    case Op::kAbs: return "abs";
    case Op::kMaskMul: return "mask_mul";
    case Op::kSum: return "sum";
    case Op::kMean: return "mean";
    case Op::kMse: return "mse";
    case Op::kSoftmaxCrossEntropy: return "softmax_cross_entropy";
    case Op::kSliceRows: return "slice_rows";
    case Op::kRecurrent: return "recurrent";
    case Op::kRecurrentSparse: return "recurrent_sparse";
    case Op::kCount: break;
  }
  return "?";
}

// ---- matmul: C = X·Y;  dX += dC·Yᵀ,  dY += Xᵀ·dC ----------------------------------------
Var matmul(Var a, Var b) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& y = b.value();
  BIORNN_CHECK(x.cols() == y.rows(), "matmul: A is " + x.shape() + " but B is " + y.shape() +
                                         "; A's columns must equal B's rows");
  Tape::Node& n = t.begin_node(Op::kMatMul, {a, b});
  n.value.resize(x.rows(), y.cols());
  gemm(Trans::kNo, Trans::kNo, 1, x, y, 0, n.value);
  return t.finish_node();
}

static void backward_matmul(Tape& t, Tape::Node& n) {
  real beta;
  const Matrix& x = input_value(t, n, 0);
  const Matrix& y = input_value(t, n, 1);
  if (Matrix* dx = input_grad_target(t, n, 0, &beta)) gemm(Trans::kNo, Trans::kYes, 1, n.grad, y, beta, *dx);
  if (Matrix* dy = input_grad_target(t, n, 1, &beta)) gemm(Trans::kYes, Trans::kNo, 1, x, n.grad, beta, *dy);
}

// ---- matmul_nt: C = X·Yᵀ;  dX += dC·Y,  dY += dCᵀ·X ---------------------------------------
Var matmul_nt(Var a, Var b) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& y = b.value();
  BIORNN_CHECK(x.cols() == y.cols(), "matmul_nt: A is " + x.shape() + " but B is " + y.shape() +
                                         "; A·Bᵀ needs equal column counts");
  Tape::Node& n = t.begin_node(Op::kMatMulNT, {a, b});
  n.value.resize(x.rows(), y.rows());
  gemm(Trans::kNo, Trans::kYes, 1, x, y, 0, n.value);
  return t.finish_node();
}

static void backward_matmul_nt(Tape& t, Tape::Node& n) {
  real beta;
  const Matrix& x = input_value(t, n, 0);
  const Matrix& y = input_value(t, n, 1);
  if (Matrix* dx = input_grad_target(t, n, 0, &beta)) gemm(Trans::kNo, Trans::kNo, 1, n.grad, y, beta, *dx);
  if (Matrix* dy = input_grad_target(t, n, 1, &beta)) gemm(Trans::kYes, Trans::kNo, 1, n.grad, x, beta, *dy);
}

// ---- matmul_tn: C = Xᵀ·Y;  dX += Y·dCᵀ,  dY += X·dC ---------------------------------------
Var matmul_tn(Var a, Var b) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& y = b.value();
  BIORNN_CHECK(x.rows() == y.rows(), "matmul_tn: A is " + x.shape() + " but B is " + y.shape() +
                                         "; Aᵀ·B needs equal row counts");
  Tape::Node& n = t.begin_node(Op::kMatMulTN, {a, b});
  n.value.resize(x.cols(), y.cols());
  gemm(Trans::kYes, Trans::kNo, 1, x, y, 0, n.value);
  return t.finish_node();
}

static void backward_matmul_tn(Tape& t, Tape::Node& n) {
  real beta;
  const Matrix& x = input_value(t, n, 0);
  const Matrix& y = input_value(t, n, 1);
  if (Matrix* dx = input_grad_target(t, n, 0, &beta)) gemm(Trans::kNo, Trans::kYes, 1, y, n.grad, beta, *dx);
  if (Matrix* dy = input_grad_target(t, n, 1, &beta)) gemm(Trans::kNo, Trans::kNo, 1, x, n.grad, beta, *dy);
}

// ---- sparse_matmul_nt: C = X·Sᵀ, S = CSR(pattern, values);
//      dX += dC·S,  dvalues[k] += (dCᵀ·X)[row_k, col_k]  (only stored entries: SDDMM) --------
Var sparse_matmul_nt(Var a, const CsrMatrix& pattern, Var values) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& v = values.value();
  BIORNN_CHECK(x.cols() == pattern.cols(),
               "sparse_matmul_nt: A is " + x.shape() + " but S is " + pattern.shape() +
                   "; A·Sᵀ needs A's columns to equal S's columns");
  BIORNN_CHECK(v.rows() == 1 && v.cols() == pattern.nnz(),
               "sparse_matmul_nt: S stores " + std::to_string(pattern.nnz()) +
                   " entries so its values must be " + shape_string(1, pattern.nnz()) +
                   ", got " + v.shape());
  Tape::Node& n = t.begin_node(Op::kSparseMatMulNT, {a, values});
  n.pattern = &pattern;
  n.value.resize(x.rows(), pattern.rows());
  dense_csr_mm(Trans::kYes, 1, x, pattern.view_with_values(v.data()), 0, n.value);
  return t.finish_node();
}

static void backward_sparse_matmul_nt(Tape& t, Tape::Node& n) {
  const Matrix& x = input_value(t, n, 0);
  const Matrix& v = input_value(t, n, 1);
  const CsrView s = n.pattern->view_with_values(v.data());
  if (Matrix* dx = input_grad(t, n, 0)) dense_csr_mm(Trans::kNo, 1, n.grad, s, 1, *dx);
  if (Matrix* dv = input_grad(t, n, 1))
    sddmm(Trans::kYes, Trans::kNo, 1, n.grad, x, 1, s, dv->data());
}

// ---- add: C = X + Y;  dX += dC,  dY += dC -------------------------------------------------
Var add(Var a, Var b) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& y = b.value();
  check_same_shape("add", x, y);
  Tape::Node& n = begin_like(t, Op::kAdd, {a, b}, x);
  for (int64_t i = 0; i < x.size(); ++i) n.value.data()[i] = x.data()[i] + y.data()[i];
  return t.finish_node();
}

static void backward_add(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) accumulate(*dx, n.grad);
  if (Matrix* dy = input_grad(t, n, 1)) accumulate(*dy, n.grad);
}

// ---- sub: C = X − Y;  dX += dC,  dY −= dC -------------------------------------------------
Var sub(Var a, Var b) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& y = b.value();
  check_same_shape("sub", x, y);
  Tape::Node& n = begin_like(t, Op::kSub, {a, b}, x);
  for (int64_t i = 0; i < x.size(); ++i) n.value.data()[i] = x.data()[i] - y.data()[i];
  return t.finish_node();
}

static void backward_sub(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) accumulate(*dx, n.grad);
  if (Matrix* dy = input_grad(t, n, 1)) accumulate(*dy, n.grad, real(-1));
}

// ---- mul: C = X ⊙ Y;  dX += dC ⊙ Y,  dY += dC ⊙ X -----------------------------------------
Var mul(Var a, Var b) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& y = b.value();
  check_same_shape("mul", x, y);
  Tape::Node& n = begin_like(t, Op::kMul, {a, b}, x);
  for (int64_t i = 0; i < x.size(); ++i) n.value.data()[i] = x.data()[i] * y.data()[i];
  return t.finish_node();
}

static void backward_mul(Tape& t, Tape::Node& n) {
  const Matrix& x = input_value(t, n, 0);
  const Matrix& y = input_value(t, n, 1);
  const real* dc = n.grad.data();
  if (Matrix* dx = input_grad(t, n, 0))
    for (int64_t i = 0; i < x.size(); ++i) dx->data()[i] += dc[i] * y.data()[i];
  if (Matrix* dy = input_grad(t, n, 1))
    for (int64_t i = 0; i < x.size(); ++i) dy->data()[i] += dc[i] * x.data()[i];
}

// ---- scale: C = α·X;  dX += α·dC ------------------------------------------------------------
Var scale(Var a, real alpha) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  Tape::Node& n = begin_like(t, Op::kScale, {a}, x);
  n.scalar = alpha;
  for (int64_t i = 0; i < x.size(); ++i) n.value.data()[i] = alpha * x.data()[i];
  return t.finish_node();
}

static void backward_scale(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) accumulate(*dx, n.grad, n.scalar);
}

// ---- add_row_bias: C = X + 1·b;  dX += dC,  db += column sums of dC ----------------------
Var add_row_bias(Var a, Var bias) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& b = bias.value();
  check_row_vector("add_row_bias", "the bias", x, b);
  Tape::Node& n = begin_like(t, Op::kAddRowBias, {a, bias}, x);
  for (int32_t i = 0; i < x.rows(); ++i)
    for (int32_t j = 0; j < x.cols(); ++j) n.value(i, j) = x(i, j) + b(0, j);
  return t.finish_node();
}

static void backward_add_row_bias(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) accumulate(*dx, n.grad);
  if (Matrix* db = input_grad(t, n, 1)) {
    for (int32_t i = 0; i < n.grad.rows(); ++i)
      for (int32_t j = 0; j < n.grad.cols(); ++j) (*db)(0, j) += n.grad(i, j);
  }
}

// ---- col_scale: C(i, j) = X(i, j)·s_j;  dX += dC·diag(s),  ds_j += Σ_i dC(i, j)·X(i, j) -----
Var col_scale(Var a, Var s) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  const Matrix& sv = s.value();
  check_row_vector("col_scale", "the column scales", x, sv);
  Tape::Node& n = begin_like(t, Op::kColScale, {a, s}, x);
  for (int32_t i = 0; i < x.rows(); ++i)
    for (int32_t j = 0; j < x.cols(); ++j) n.value(i, j) = x(i, j) * sv(0, j);
  return t.finish_node();
}

static void backward_col_scale(Tape& t, Tape::Node& n) {
  const Matrix& x = input_value(t, n, 0);
  const Matrix& sv = input_value(t, n, 1);
  if (Matrix* dx = input_grad(t, n, 0)) {
    for (int32_t i = 0; i < x.rows(); ++i)
      for (int32_t j = 0; j < x.cols(); ++j) (*dx)(i, j) += n.grad(i, j) * sv(0, j);
  }
  if (Matrix* ds = input_grad(t, n, 1)) {
    for (int32_t i = 0; i < x.rows(); ++i)
      for (int32_t j = 0; j < x.cols(); ++j) (*ds)(0, j) += n.grad(i, j) * x(i, j);
  }
}

// ---- tanh: C = tanh X;  dX += dC ⊙ (1 − C²) ------------------------------------------------
Var tanh(Var a) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  Tape::Node& n = begin_like(t, Op::kTanh, {a}, x);
  vmath_tanh(x.data(), n.value.data(), x.size());
  return t.finish_node();
}

static void backward_tanh(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) {
    const real* c = n.value.data();
    for (int64_t i = 0; i < n.value.size(); ++i)
      dx->data()[i] += n.grad.data()[i] * (real(1) - c[i] * c[i]);
  }
}

// ---- sigmoid: C = 1/(1 + e^−X);  dX += dC ⊙ C ⊙ (1 − C) -----------------------------------
Var sigmoid(Var a) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  Tape::Node& n = begin_like(t, Op::kSigmoid, {a}, x);
  vmath_sigmoid(x.data(), n.value.data(), x.size());
  return t.finish_node();
}

static void backward_sigmoid(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) {
    const real* c = n.value.data();
    for (int64_t i = 0; i < n.value.size(); ++i)
      dx->data()[i] += n.grad.data()[i] * c[i] * (real(1) - c[i]);
  }
}

// ---- relu: C = max(X, θ);  dX += dC where X > θ ----------------------------------------------
// Written as `x < θ ? θ : x` so that NaN propagates instead of being replaced by θ.
Var relu(Var a, real threshold) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  Tape::Node& n = begin_like(t, Op::kRelu, {a}, x);
  n.scalar = threshold;
  for (int64_t i = 0; i < x.size(); ++i) {
    const real v = x.data()[i];
    n.value.data()[i] = v < threshold ? threshold : v;
  }
  return t.finish_node();
}

static void backward_relu(Tape& t, Tape::Node& n) {
  const Matrix& x = input_value(t, n, 0);
  if (Matrix* dx = input_grad(t, n, 0)) {
    for (int64_t i = 0; i < x.size(); ++i)
      if (x.data()[i] > n.scalar) dx->data()[i] += n.grad.data()[i];
  }
}

// ---- abs: C = |X|;  dX += dC ⊙ sign(X)   (sign(0) = 0) --------------------------------------
Var abs(Var a) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  Tape::Node& n = begin_like(t, Op::kAbs, {a}, x);
  for (int64_t i = 0; i < x.size(); ++i) n.value.data()[i] = std::fabs(x.data()[i]);
  return t.finish_node();
}

static void backward_abs(Tape& t, Tape::Node& n) {
  const Matrix& x = input_value(t, n, 0);
  if (Matrix* dx = input_grad(t, n, 0)) {
    for (int64_t i = 0; i < x.size(); ++i) {
      const real v = x.data()[i];
      const real sign = v > 0 ? real(1) : (v < 0 ? real(-1) : real(0));
      dx->data()[i] += n.grad.data()[i] * sign;
    }
  }
}

// ---- mask_mul: C = X ⊙ M (M fixed, 0/1);  dX += dC ⊙ M ------------------------------------
Var mask_mul(Var a, const Mask& mask) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  BIORNN_CHECK(mask.same_shape(x), "mask_mul: A is " + x.shape() + " but the mask is " +
                                       mask.shape() + "; they must have the same shape");
  Tape::Node& n = begin_like(t, Op::kMaskMul, {a}, x);
  n.mask = &mask;
  const uint8_t* m = mask.data();
  for (int64_t i = 0; i < x.size(); ++i) n.value.data()[i] = m[i] ? x.data()[i] : real(0);
  return t.finish_node();
}

static void backward_mask_mul(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) {
    const uint8_t* m = n.mask->data();
    for (int64_t i = 0; i < n.grad.size(); ++i)
      if (m[i]) dx->data()[i] += n.grad.data()[i];
  }
}

// ---- sum: C = Σ X;  dX += dC (broadcast) --------------------------------------------------------
// Reductions accumulate in double so that the loss of a large batch is not dominated by
// float rounding.
Var sum(Var a) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  Tape::Node& n = t.begin_node(Op::kSum, {a});
  double total = 0;
  for (int64_t i = 0; i < x.size(); ++i) total += x.data()[i];
  n.value.resize(1, 1);
  n.value(0, 0) = real(total);
  return t.finish_node();
}

static void backward_sum(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) {
    const real g = n.grad(0, 0);
    for (int64_t i = 0; i < dx->size(); ++i) dx->data()[i] += g;
  }
}

// ---- mean: C = Σ X / size;  dX += dC / size ------------------------------------------------------
Var mean(Var a) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  BIORNN_CHECK(x.size() > 0, "mean: A is " + x.shape() + "; the mean of nothing is undefined");
  Tape::Node& n = t.begin_node(Op::kMean, {a});
  double total = 0;
  for (int64_t i = 0; i < x.size(); ++i) total += x.data()[i];
  n.value.resize(1, 1);
  n.value(0, 0) = real(total / double(x.size()));
  return t.finish_node();
}

static void backward_mean(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) {
    const real g = real(double(n.grad(0, 0)) / double(dx->size()));
    for (int64_t i = 0; i < dx->size(); ++i) dx->data()[i] += g;
  }
}

// ---- mse: C = Σ (P − T)² / size;  dP += (2/size)·dC·(P − T),  dT −= the same ----------------
Var mse(Var prediction, Var target) {
  Tape& t = tape_of(prediction);
  const Matrix& p = prediction.value();
  const Matrix& y = target.value();
  BIORNN_CHECK(p.same_shape(y), "mse: the prediction is " + p.shape() + " but the target is " +
                                    y.shape() + "; they must have the same shape");
  BIORNN_CHECK(p.size() > 0, "mse: the prediction is " + p.shape() + "; nothing to compare");
  Tape::Node& n = t.begin_node(Op::kMse, {prediction, target});
  double total = 0;
  for (int64_t i = 0; i < p.size(); ++i) {
    const double d = double(p.data()[i]) - double(y.data()[i]);
    total += d * d;
  }
  n.value.resize(1, 1);
  n.value(0, 0) = real(total / double(p.size()));
  return t.finish_node();
}

static void backward_mse(Tape& t, Tape::Node& n) {
  const Matrix& p = input_value(t, n, 0);
  const Matrix& y = input_value(t, n, 1);
  const real factor = real(2.0 * double(n.grad(0, 0)) / double(p.size()));
  Matrix* dp = input_grad(t, n, 0);
  Matrix* dy = input_grad(t, n, 1);
  for (int64_t i = 0; i < p.size(); ++i) {
    const real g = factor * (p.data()[i] - y.data()[i]);
    if (dp != nullptr) dp->data()[i] += g;
    if (dy != nullptr) dy->data()[i] -= g;
  }
}

// ---- softmax_cross_entropy: C = −(1/m) Σ_i log softmax(Z_i)[label_i];
//      dZ += (dC/m)·(softmax(Z) − onehot(label)).  aux keeps softmax(Z) for backward. --------
// Each row is shifted by its maximum before exponentiating (exact in exact arithmetic, and it
// keeps exp from overflowing); the log-sum-exp is accumulated in double.
Var softmax_cross_entropy(Var logits, const std::vector<int32_t>& labels) {
  Tape& t = tape_of(logits);
  const Matrix& z = logits.value();
  BIORNN_CHECK(int64_t(labels.size()) == z.rows(),
               "softmax_cross_entropy: the logits are " + z.shape() + " so " +
                   std::to_string(z.rows()) + " labels are needed, got " +
                   std::to_string(labels.size()));
  BIORNN_CHECK(z.rows() > 0 && z.cols() > 0,
               "softmax_cross_entropy: the logits are " + z.shape() + "; nothing to classify");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    BIORNN_CHECK(labels[i] >= 0 && labels[i] < z.cols(),
                 "softmax_cross_entropy: label " + std::to_string(labels[i]) + " at row " +
                     std::to_string(i) + " is outside [0, " + std::to_string(z.cols()) + ")");
  }
  Tape::Node& n = t.begin_node(Op::kSoftmaxCrossEntropy, {logits});
  n.labels = labels.data();
  n.aux[0].resize(z.rows(), z.cols());
  double total = 0;
  for (int32_t i = 0; i < z.rows(); ++i) {
    const real* row = z.row(i);
    double largest = row[0];
    for (int32_t j = 1; j < z.cols(); ++j) largest = row[j] > largest ? row[j] : largest;
    double normaliser = 0;
    for (int32_t j = 0; j < z.cols(); ++j) normaliser += std::exp(double(row[j]) - largest);
    const double log_normaliser = largest + std::log(normaliser);
    for (int32_t j = 0; j < z.cols(); ++j)
      n.aux[0](i, j) = real(std::exp(double(row[j]) - log_normaliser));
    total += log_normaliser - double(row[labels[std::size_t(i)]]);
  }
  n.value.resize(1, 1);
  n.value(0, 0) = real(total / z.rows());
  return t.finish_node();
}

static void backward_softmax_cross_entropy(Tape& t, Tape::Node& n) {
  Matrix* dz = input_grad(t, n, 0);
  if (dz == nullptr) return;
  const real factor = real(double(n.grad(0, 0)) / n.aux[0].rows());
  for (int32_t i = 0; i < n.aux[0].rows(); ++i) {
    for (int32_t j = 0; j < n.aux[0].cols(); ++j) {
      const real onehot = j == n.labels[i] ? real(1) : real(0);
      (*dz)(i, j) += factor * (n.aux[0](i, j) - onehot);
    }
  }
}

// ---- slice_rows: C = X[r0 : r0 + count, :];  dX[r0 : r0 + count, :] += dC -------------------
Var slice_rows(Var a, int32_t first_row, int32_t row_count) {
  Tape& t = tape_of(a);
  const Matrix& x = a.value();
  BIORNN_CHECK(first_row >= 0 && row_count >= 0 && first_row + row_count <= x.rows(),
               "slice_rows: rows [" + std::to_string(first_row) + ", " +
                   std::to_string(first_row + row_count) + ") do not fit in A of shape " +
                   x.shape());
  Tape::Node& n = t.begin_node(Op::kSliceRows, {a});
  n.ints[0] = first_row;
  n.value.resize(row_count, x.cols());
  copy_into(x.view().block(first_row, 0, row_count, x.cols()), n.value.view());
  return t.finish_node();
}

static void backward_slice_rows(Tape& t, Tape::Node& n) {
  if (Matrix* dx = input_grad(t, n, 0)) {
    for (int32_t i = 0; i < n.grad.rows(); ++i) {
      real* target = dx->row(n.ints[0] + i);
      const real* source = n.grad.row(i);
      for (int32_t j = 0; j < n.grad.cols(); ++j) target[j] += source[j];
    }
  }
}

// ---- the single backward switch ---------------------------------------------------------------
void tape_detail::backward_node(Tape& t, Tape::Node& n) {
  switch (n.op) {
    case Op::kLeaf: return;
    case Op::kMatMul: return backward_matmul(t, n);
    case Op::kMatMulNT: return backward_matmul_nt(t, n);
    case Op::kMatMulTN: return backward_matmul_tn(t, n);
    case Op::kSparseMatMulNT: return backward_sparse_matmul_nt(t, n);
    case Op::kAdd: return backward_add(t, n);
    case Op::kSub: return backward_sub(t, n);
    case Op::kMul: return backward_mul(t, n);
    case Op::kScale: return backward_scale(t, n);
    case Op::kAddRowBias: return backward_add_row_bias(t, n);
    case Op::kColScale: return backward_col_scale(t, n);
    case Op::kTanh: return backward_tanh(t, n);
    case Op::kSigmoid: return backward_sigmoid(t, n);
    case Op::kRelu: return backward_relu(t, n);
    case Op::kAbs: return backward_abs(t, n);
    case Op::kMaskMul: return backward_mask_mul(t, n);
    case Op::kSum: return backward_sum(t, n);
    case Op::kMean: return backward_mean(t, n);
    case Op::kMse: return backward_mse(t, n);
    case Op::kSoftmaxCrossEntropy: return backward_softmax_cross_entropy(t, n);
    case Op::kSliceRows: return backward_slice_rows(t, n);
    case Op::kRecurrent:
    case Op::kRecurrentSparse: return backward_recurrent(t, n);  // rnn_op.cpp
    case Op::kCount: break;
  }
  BIORNN_CHECK(false, std::string("backward: no formula for op ") + op_name(n.op));
}

}  // namespace biornn
