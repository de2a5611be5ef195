// tape.hpp — reverse-mode automatic differentiation on matrices.
//
// How it works, in four sentences. Every operation you call (matmul, tanh, mse, …) computes
// its result immediately and appends one Node to the Tape: the Op, the indices of its inputs,
// its value, and whatever the backward pass will need. Nodes are stored in creation order,
// which is already a topological order, so backward() is a single loop from the loss back to
// the first node — no graph search, no recursion. Each Op's backward formula is one case of
// one switch (src/tape_ops.cpp, next to its forward formula) and gradients always accumulate
// (+=), so a value used twice receives both contributions. Parameters are leaves whose
// gradients accumulate straight into the Parameter's own `grad` matrix.
//
//   Tape tape;
//   Var x = tape.constant(inputs);           // no gradient
//   Var w = tape.param(weights);             // gradient lands in weights.grad
//   Var loss = mse(tanh(matmul_nt(x, w)), tape.constant(targets));
//   tape.backward(loss);                     // weights.grad += ∂loss/∂W
//   tape.clear();                            // keeps every buffer for the next step
//
// Memory: clear() forgets the nodes but keeps their matrices, so recording the same
// computation again reuses every buffer and a training step allocates nothing after the
// first (tests/test_tape_alloc.cpp proves it with an allocation counter).
//
// Shapes are written on every function and checked when the node is recorded; a mismatch is
// a contract violation that names both shapes. Every Op has a row in the gradient-check table
// (tests/test_tape_gradcheck.cpp), which also checks that the table covers every Op.
//
// Not here: optimisers (optim.hpp), the fused recurrent op (rnn.hpp), finite differences
// (gradcheck.hpp).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "biornn/csr.hpp"
#include "biornn/mask.hpp"
#include "biornn/matrix.hpp"

namespace biornn {

// A trainable matrix and the gradient that backward() accumulates into it (same shape).
// Optimisers read `grad` and update `value`; whoever steps is responsible for zeroing `grad`.
struct Parameter {
  std::string name;
  Matrix value;
  Matrix grad;

  Parameter() = default;
  Parameter(std::string param_name, Matrix initial);
  void zero_grad() { grad.set_zero(); }
};

// The operations. The order is the order of the cases in src/tape_ops.cpp.
enum class Op : uint8_t {
  kLeaf,                 // an input: constant, parameter, or owned variable
  kMatMul,               // A·B        A: (m, k), B: (k, n) → (m, n)
  kMatMulNT,             // A·Bᵀ       A: (m, k), B: (n, k) → (m, n)
  kMatMulTN,             // Aᵀ·B       A: (k, m), B: (k, n) → (m, n)
  kSparseMatMulNT,       // A·Sᵀ       A: (m, k), S: CSR (n, k) whose values are a (1, nnz) input
  kAdd,                  // A + B      same shapes
  kSub,                  // A − B      same shapes
  kMul,                  // A ⊙ B      same shapes
  kScale,                // α·A
  kAddRowBias,           // A + 1·b    A: (m, n), b: (1, n) added to every row
  kColScale,             // A·diag(s)  A: (m, n), s: (1, n) multiplies column j by s_j
  kTanh,                 // tanh(A)
  kSigmoid,              // 1 / (1 + e^−A)
  kRelu,                 // max(A, θ); θ = 0 is the ReLU, θ > 0 the Dale-rule rate threshold
  kAbs,                  // |A|
  kMaskMul,              // A ⊙ M      M: a fixed Mask of A's shape (not differentiated)
  kSum,                  // Σ A → (1, 1)
  kMean,                 // Σ A / size → (1, 1)
  kMse,                  // Σ (P − T)² / size → (1, 1)
  kSoftmaxCrossEntropy,  // −(1/m) Σ_i log softmax(Z_i)[label_i] → (1, 1); Z: (m, classes)
  kSliceRows,            // rows [r0, r0 + n) of A: one time step of a time-major sequence
  kRecurrent,            // a whole recurrent sequence, dense W (rnn.hpp)
  kRecurrentSparse,      // the same with a CSR W whose values are an input (rnn.hpp)
  kCount                 // number of ops (not an op)
};

const char* op_name(Op op);

class Tape;

// A handle to a node: the tape it lives on and its index. Cheap to copy; valid until the
// tape is cleared.
struct Var {
  Tape* tape = nullptr;
  int32_t id = -1;

  const Matrix& value() const;
  // The accumulated gradient (after backward); for a parameter leaf this is the Parameter's
  // grad. Zero-sized if the node does not require a gradient.
  const Matrix& grad() const;
  int32_t rows() const { return value().rows(); }
  int32_t cols() const { return value().cols(); }
  std::string shape() const { return value().shape(); }
  // The (1, 1) value as a scalar.
  real item() const;
};

class Tape {
 public:
  Tape() = default;
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // Leaves. `constant` and `param` refer to the caller's matrix, which must outlive the tape's
  // use of it (no copy is made). `variable` copies `initial` into the tape and, when
  // requires_grad, collects its gradient on the tape (read it through Var::grad()).
  Var constant(const Matrix& value);
  Var param(Parameter& parameter);
  Var variable(ConstMatrixView initial, bool requires_grad = true);
  Var scalar(real value, bool requires_grad = true);  // a (1, 1) variable

  // Seeds d(loss)/d(loss) = 1 and propagates to every node that requires a gradient.
  // `loss` must be (1, 1). Gradients of tape nodes are reset first; parameter gradients are
  // accumulated into (zero them yourself between steps). May be called once per recording.
  void backward(Var loss);

  // Forgets every node; keeps their buffers for reuse.
  void clear();

  int32_t size() const { return count_; }

  // Implementation interface used by the op functions below and by other modules' fused ops.
  struct Node {
    Op op = Op::kLeaf;
    int32_t inputs[6] = {-1, -1, -1, -1, -1, -1};
    bool requires_grad = false;
    Matrix value;            // the result (unused when external_value is set)
    Matrix grad;             // same shape as the value once backward has touched it
    // The tape-owned grad is sized but holds no values yet: backward skips zeroing it, and the
    // first op to add into it either zeroes it (grad_of) or overwrites it (grad_target).
    bool grad_unwritten = false;
    Matrix aux[3];           // data saved for backward or scratch (e.g. softmax probabilities)
    const Matrix* external_value = nullptr;  // constant / parameter leaves
    Matrix* external_grad = nullptr;         // parameter leaves
    // Attributes; which ones an op uses is written next to the op.
    real scalar = 0;
    int32_t ints[4] = {0, 0, 0, 0};
    const Mask* mask = nullptr;
    const CsrMatrix* pattern = nullptr;
    const int32_t* labels = nullptr;

    const Matrix& val() const { return external_value != nullptr ? *external_value : value; }
  };
  // Appends a node (reusing a cleared one's buffers) and returns it; the caller fills it and
  // then calls finish(). Inputs must be Vars of this tape.
  Node& begin_node(Op op, std::initializer_list<Var> inputs);
  Var finish_node();
  Node& node(int32_t id);
  const Node& node(int32_t id) const;
  // The gradient buffer an op's backward adds into for input `id` (a parameter's own grad).
  Matrix& grad_of(int32_t id);
  // The same buffer for an op that writes every element of it in one product C = α·P + β·C:
  // `beta` is 0 when nothing has been added yet (the buffer need not be zeroed first; saves a
  // pass over, e.g., the (T·B, N) gradient of a hidden sequence), 1 otherwise.
  Matrix& grad_target(int32_t id, real* beta);

 private:
  // Node `id`, its tape-owned gradient zeroed first if still unwritten.
  Node& node_with_grad(int32_t id);
  // [0, count_) are live; the rest are spare buffers. A deque, so that references to a
  // node's value stay valid while later nodes are appended.
  std::deque<Node> nodes_;
  int32_t count_ = 0;
  bool backward_done_ = false;
};

// ---- operations (each records one node and returns its result) --------------------------
Var matmul(Var a, Var b);     // A: (m, k), B: (k, n) → (m, n)
Var matmul_nt(Var a, Var b);  // A: (m, k), B: (n, k) → (m, n) = A·Bᵀ
Var matmul_tn(Var a, Var b);  // A: (k, m), B: (k, n) → (m, n) = Aᵀ·B
// A: (m, k); values: (1, nnz) of a CSR matrix S of shape (n, k) → (m, n) = A·Sᵀ. Only the
// stored entries of S receive gradient (pruned weights stay pruned).
Var sparse_matmul_nt(Var a, const CsrMatrix& pattern, Var values);
Var add(Var a, Var b);
Var sub(Var a, Var b);
Var mul(Var a, Var b);
Var scale(Var a, real alpha);
Var add_row_bias(Var a, Var bias);  // A: (m, n), bias: (1, n)
Var col_scale(Var a, Var s);        // A: (m, n), s: (1, n)
Var tanh(Var a);
Var sigmoid(Var a);
Var relu(Var a, real threshold = 0);
Var abs(Var a);
Var mask_mul(Var a, const Mask& mask);  // mask must outlive the tape's use
Var sum(Var a);
Var mean(Var a);
Var mse(Var prediction, Var target);  // same shapes → (1, 1)
// logits: (m, classes); labels: m class indices in [0, classes), must outlive the tape's use.
Var softmax_cross_entropy(Var logits, const std::vector<int32_t>& labels);
Var slice_rows(Var a, int32_t first_row, int32_t row_count);

inline Var operator+(Var a, Var b) { return add(a, b); }
inline Var operator-(Var a, Var b) { return sub(a, b); }
inline Var operator*(Var a, Var b) { return mul(a, b); }

}  // namespace biornn
