// rnn.hpp — the sign-constrained Elman RNN and its three learning rules (SPEC §1–§2).
//
//   a_t = φ(x_t·W_inᵀ + b_in + h_{t−1}·Wᵀ + b_rec)      h_0 = 0
//   h_t = max(a_t, θ)  (Dale's rule)   or   h_t = a_t  (conventional, rectified)
//   y_t = a_t·W_outᵀ + b_out   (readout_from = activation, the default — the published
//                               notebooks read the unthresholded a_t)  or  h_t·W_outᵀ + b_out
//
// Learning rules (SPEC §2):
//   conventional  plain optimiser step on W; no threshold.
//   dale          the optimiser step is followed by the projection onto the sign orthant
//                 (E columns ≥ 0, I columns ≤ 0) — a ParamConstraint registered with the
//                 optimiser — and h_t is thresholded at θ.
//   rectified     W = relu(V) ⊙ s, s = ±1 per column, with V the trained latent matrix
//                 (initialised to |W_init|); gradients flow through the relu, so a latent that
//                 goes negative is dead (Song, Yang & Wang 2016). ReLU activation by default;
//                 tanh is allowed (the notebooks ran it with tanh).
//
// Initialisation (SPEC §1), drawn from the init Rng in this order: W (E columns U[0, 1/√N],
// I columns U[−1/√N, 0], for every rule), W_in, b_in, b_rec (U(±1/√N)), W_out, b_out
// (U(±1/√N), fan-in N). Only W is sign-constrained or pruned.
// Option (ours, not SPEC's): recurrent_init = balanced draws the I columns from
// U[−r/√N, 0] with r = n_E/n_I, so every row of W sums to 0 in expectation. SPEC's init sums
// to (n_E − n_I)/(2√N) per row in expectation (+3.4 for 128 units, 80 % E): a strongly
// excitatory start. The same random draws are used, scaled, so a seed gives the same W up to
// the I columns' scale.
//
// Structure as data: an input mask (which input channels each unit receives) and a readout
// mask (which units each output reads) are Masks applied to W_in / W_out and kept by the
// optimiser. After pruning, W moves into CSR storage (make_sparse) and trains on its pattern.
//
// Not here: tasks and losses (tasks.hpp), the training loop (train.hpp), the fused op
// itself (recurrent.hpp).
#pragma once

#include <string>
#include <vector>

#include "biornn/constraint.hpp"
#include "biornn/optim.hpp"
#include "biornn/recurrent.hpp"
#include "biornn/rng.hpp"

namespace biornn {

enum class LearningRule { kConventional, kDale, kRectified };

const char* learning_rule_name(LearningRule rule);
bool parse_learning_rule(const std::string& text, LearningRule* out);  // "conventional", "dale", "rectified"

// How W's inhibitory columns start (see above): SPEC §1's U[−1/√N, 0], or scaled to balance.
enum class RecurrentInit { kUniform, kBalanced };

const char* recurrent_init_name(RecurrentInit init);
bool parse_recurrent_init(const std::string& text, RecurrentInit* out);  // "uniform", "balanced"

struct RnnSpec {
  int32_t inputs = 1;
  int32_t hidden = 128;
  int32_t outputs = 1;
  double exc_frac = 0.8;
  // Explicit Dale signs per unit (+1 E, −1 I), overriding exc_frac when not empty — for models
  // whose E and I units interleave (the cortical model: Pyr, Sst, Vip in every layer).
  SignVector column_signs;
  LearningRule rule = LearningRule::kDale;
  Activation activation = Activation::kTanh;
  real theta = 0;  // Dale's rate threshold θ ≥ 0
  ReadoutFrom readout_from = ReadoutFrom::kActivation;
  RecurrentInit recurrent_init = RecurrentInit::kUniform;  // balanced needs both E and I units
  bool recurrent_biases = true;  // b_in and b_rec (the cortical model has none)
  bool readout_bias = true;
  // Dale rule, SPEC §2's option: where the projection clips a recurrent weight, also reset its
  // optimiser moments (ParamConstraint::reset_moments_where_clipped).
  bool reset_clipped_moments = false;
};

class SignedRnn {
 public:
  SignedRnn(const RnnSpec& spec, Rng& init_rng);

  const RnnSpec& spec() const { return spec_; }
  int32_t hidden() const { return spec_.hidden; }
  int32_t excitatory() const;
  const SignVector& column_signs() const { return column_signs_; }

  // Parameters. For the rectified rule `w` holds the latent V. When sparse(), `w` is unused
  // and the recurrent weights (or latents) are `w_values`, on `pattern()`.
  Parameter w_in, b_in, w, b_rec, w_out, b_out, w_values;

  // Masks on W_in (hidden, inputs) and W_out (outputs, hidden); applied immediately.
  void set_input_mask(const Mask& mask);
  void set_readout_mask(const Mask& mask);
  const Mask& input_mask() const { return input_mask_; }    // (0, 0) when none
  const Mask& readout_mask() const { return readout_mask_; }

  // Moves W to CSR storage on `keep`'s pattern (values gathered from the dense W or latent).
  void make_sparse(const Mask& keep);
  bool sparse() const { return sparse_; }
  const CsrMatrix& pattern() const { return pattern_; }

  // The recurrent matrix the forward pass uses, (hidden, hidden), dense: for the rectified
  // rule relu(V) ⊙ s, for a sparse model the CSR scattered into zeros.
  Matrix recurrent_weights() const;
  // Entries of the effective W whose sign breaks Dale's law (0 for a Dale-trained model).
  int64_t sign_violations() const;

  // Records the network on `x`: (steps·batch, inputs), time-major (row t·B + b). Returns the
  // sequence the readout reads, (steps·batch, hidden): a_t, or h_t with readout_from = rate.
  Var record_hidden(Tape& tape, const Matrix& x, int32_t steps);
  // rows: (r, hidden) → (r, outputs).
  Var record_readout(Tape& tape, Var rows);

  // Registers the trainable parameters with the rule's constraints (Dale signs on W or its
  // values; the masks on W_in and W_out). Frozen parameters (see freeze_readout) are skipped.
  void register_parameters(Optimizer& optimizer);
  // The cortical model keeps its readouts fixed at initialisation (SPEC §7).
  void freeze_readout(bool frozen) { readout_frozen_ = frozen; }
  // Every parameter, trainable or not, with its stable name (for checkpoints and model.npz).
  std::vector<Parameter*> parameters();

 private:
  RnnSpec spec_;
  SignVector column_signs_;
  Matrix sign_row_;             // (1, hidden), ±1: the rectified rule's s
  Matrix sign_values_;          // (1, nnz): s per stored value (sparse rectified)
  Mask input_mask_, readout_mask_;
  CsrMatrix pattern_;
  bool sparse_ = false;
  bool readout_frozen_ = false;
};

}  // namespace biornn
