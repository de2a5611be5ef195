// inference.hpp — run a trained network one input at a time, inside someone else's program.
//
//   StatusOr<InferenceModel> loaded = InferenceModel::load("runs/ff/model.npz");
//   if (!loaded.ok()) { report(loaded.status()); return; }      // bad files are a Status
//   InferenceModel model = std::move(loaded).value();
//   model.reset();                                             // h = 0
//   for (each input x_t)  model.step(x_t, y_t);                // x_t: inputs(), y_t: outputs()
//
// What a step computes is the library's forward pass (recurrent.hpp, rnn.hpp; SPEC §1):
//   z_t = (x_t·W_inᵀ + b_in) + b_rec + h_{t−1}·Wᵀ      (the product skipped at t = 0: h_{−1} = 0)
//   a_t = φ(z_t)         h_t = max(a_t, θ) when the model thresholds, else h_t = a_t
//   y_t = ψ(r_t·W_outᵀ + b_out),   r_t = a_t or h_t (readout_from),   ψ = output_activation
// ψ is tanh for flip-flop models (the loss compares tanh of the readout with the targets) and
// the identity otherwise.
//
// Bit for bit: a step's outputs equal those of the tape's fused recurrent op (plus the readout
// and ψ) on the same model and inputs, in any batch. That holds because a step runs the very
// same kernels in the same order, with one sample as a batch of one row:
//   * the products go through the GEMM kernel that is active when the model is loaded (ref,
//     packed_scalar or packed_avx2; W_in, W and W_out packed once, at load, with
//     pack_b_operand — bit-identical to packing per product), or dense_csr_mm for a pruned W;
//     every output element of these kernels is one sum whose order depends on neither the
//     number of rows nor the row's position, so one row gives the bits a batch gives it;
//   * biases are added as (drive + b_in) + b_rec, like the recurrent driver; the recurrent
//     product is skipped at the first step, as the driver does (adding 0·W would turn −0 into
//     +0);
//   * tanh runs through the math kernel active at load (vmath_*_with), relu and the threshold
//     are the driver's comparisons.
// So the guarantee is "same build, same kernel choice" (BIORNN_GEMM, BIORNN_MATH or the
// set_*_kernel functions; `biornn info` prints it). Different kernels differ in the last bits
// (FMA or not, double accumulation in ref). tests/test_inference.cpp checks equality with the
// tape for every available kernel pair, dense and pruned, for each activation and readout.
//
// No allocation per step: everything a step touches — state, scratch rows, packed weights —
// is sized at load, and load runs one step and a reset so that the kernels' per-thread
// workspaces (grow-only, thread_local) have reached their size. Stepping on the thread that
// loaded the model therefore never allocates (tests/test_inference.cpp counts); the first step
// on another thread grows that thread's kernel workspace once.
//
// Loading checks everything and returns a Status naming the file, the key, what was expected
// and what was found: missing keys, dtypes, shapes that disagree, NaN/Inf, signs other than
// ±1, W entries outside the mask that are not 0, a sign-constrained W whose entries break
// their column's sign, unknown codes. model.npz files written before the forward-pass keys
// existed are refused with a message that says so.
//
// Not here: training, batches (use the tape), threads (a step is small; one thread runs it).
// The C interface is include/biornn/infer.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "biornn/kernels.hpp"
#include "biornn/npz.hpp"
#include "biornn/recurrent.hpp"
#include "biornn/status.hpp"

namespace biornn {

// ---- what model.npz says about the forward pass ----------------------------------------------
// save_model_npz (run.hpp) writes these 0-d arrays next to the weights; codes are fixed here
// (they are part of the file format, independent of the enums' order):
//   model_format       int32  1
//   rule               int32  0 conventional, 1 dale, 2 rectified
//   activation         int32  φ: 0 tanh, 1 relu, 2 identity
//   threshold          bool   h_t = max(a_t, θ)
//   theta              float  θ (<f4 in a float build, <f8 in a double build)
//   readout_from       int32  0 a_t (activation), 1 h_t (rate)
//   output_activation  int32  ψ: 0 tanh, 1 relu, 2 identity
//   sparse             bool   W ran as CSR on `mask` (a pruned model)
//   recurrent_biases   bool   b_in and b_rec are added
//   readout_bias       bool   b_out is added
inline constexpr int32_t kModelFormat = 1;
int32_t activation_code(Activation a);
bool activation_from_code(int32_t code, Activation* out);

struct InferenceSpec {
  int32_t inputs = 0, hidden = 0, outputs = 0;
  int32_t rule = 0;               // the code above
  bool sign_constrained = false;  // dale or rectified: every stored W entry obeys `signs`
  Activation activation = Activation::kTanh;
  bool threshold = false;
  real theta = 0;
  ReadoutFrom readout_from = ReadoutFrom::kActivation;
  Activation output_activation = Activation::kIdentity;
  bool sparse = false;
  int64_t nnz = 0;  // stored recurrent weights (hidden² when dense)
  bool recurrent_biases = true;
  bool readout_bias = true;
};

class InferenceModel {
 public:
  InferenceModel();
  ~InferenceModel();
  InferenceModel(InferenceModel&&) noexcept;
  InferenceModel& operator=(InferenceModel&&) noexcept;
  InferenceModel(const InferenceModel&) = delete;
  InferenceModel& operator=(const InferenceModel&) = delete;

  // Reads and validates `path` (a model.npz). The GEMM and math kernels active now are the
  // ones every step of this model uses.
  static StatusOr<InferenceModel> load(const std::string& path);
  // The same from arrays already in memory; `name` is used in messages.
  static StatusOr<InferenceModel> from_arrays(const NpzArrays& arrays, const std::string& name);

  bool loaded() const { return impl_ != nullptr; }
  const InferenceSpec& spec() const;
  int32_t inputs() const { return spec().inputs; }
  int32_t hidden() const { return spec().hidden; }
  int32_t outputs() const { return spec().outputs; }
  GemmKernel gemm_kernel() const;
  MathKernel math_kernel() const;
  // Bytes of heap memory the model holds (weights, packed copies, state, scratch).
  int64_t memory_bytes() const;

  // h = 0: the next step is t = 0.
  void reset();
  // One step: x holds inputs() values, y receives outputs() values (contracts: a loaded
  // model, non-null pointers). NaN or Inf inputs propagate; they are not checked.
  void step(const real* x, real* y);
  // h_t after the last step (hidden() values; zeros after reset).
  const real* state() const;
  // Steps taken since the last reset.
  int64_t steps() const;

  // The weights, packed copies and state (src/inference_internal.hpp; opaque to callers).
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace biornn
