// optim.hpp — gradient optimisers with the constraint hook that Dale's backprop needs.
//
// One Optimizer holds a list of parameters, each with an optional ParamConstraint, and one
// update rule (SGD with momentum, Adam, RMSprop). step() does, for every parameter, in this
// order (SPEC §2, DESIGN "Constraints"):
//   1. mask the gradient (pruned entries get no gradient),
//   1b. with clip_grad_norm > 0 (off by default; not in the paper): when the Euclidean norm of
//      all masked gradients together exceeds it, scale every gradient by
//      clip_grad_norm / (norm + 1e-6) — PyTorch's clip_grad_norm_, applied after the mask so
//      pruned entries do not count,
//   2. the optimiser update,
//   3. project onto the sign orthant (Dale's projection, paper eq. 3),
//   4. apply the mask (pruned weights are exactly 0),
//   5. zero the optimiser moments outside the mask (so nothing can regrow).
// Moments are otherwise left alone after a sign clip (what the published notebooks do);
// ParamConstraint::reset_moments_where_clipped turns on SPEC §2's option to reset them.
//
// The update formulas follow PyTorch 1.13/2.x exactly, operation for operation, so a run can
// be compared with the published notebooks:
//   SGD:     g ← g + λw;  b ← μb + (1 − τ)g (b ← g on the first step);  w ← w − η·b
//            (Nesterov: w ← w − η(g + μb))
//   Adam:    g ← g + λw;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
//            w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
//   RMSprop: g ← g + λw;  v ← αv + (1 − α)g²;  d = √v + ε;
//            without momentum w ← w − η·g/d; with it b ← μb + g/d, w ← w − η·b
// Defaults are PyTorch's (Adam: η = 1e-3, β = (0.9, 0.999), ε = 1e-8; RMSprop: α = 0.99,
// ε = 1e-8). Moments are kept in `real`, like PyTorch's float32 state, so float runs follow
// the notebooks' arithmetic.
//
// The optimiser never allocates after its first step (moment buffers are sized on add).
//
// Not here: learning-rate schedules (schedule.hpp), the constraint definitions (constraint.hpp).
#pragma once

#include <string>
#include <vector>

#include "biornn/constraint.hpp"
#include "biornn/tape.hpp"

namespace biornn {

enum class OptimizerKind { kSgd, kAdam, kRmsProp };

const char* optimizer_name(OptimizerKind kind);
bool parse_optimizer(const std::string& text, OptimizerKind* out);  // "sgd", "adam", "rmsprop"

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::kAdam;
  double lr = 1e-3;
  double weight_decay = 0;     // λ (all kinds)
  double momentum = 0;         // μ (SGD, RMSprop)
  double dampening = 0;        // τ (SGD)
  bool nesterov = false;       // (SGD)
  double beta1 = 0.9;          // (Adam)
  double beta2 = 0.999;        // (Adam)
  double alpha = 0.99;         // smoothing (RMSprop)
  double eps = 1e-8;           // (Adam, RMSprop)
  double clip_grad_norm = 0;   // > 0: step 1b above (all kinds)
};

class Optimizer {
 public:
  explicit Optimizer(const OptimizerOptions& options);

  // Registers a parameter (it must outlive the optimiser). The constraint's signs must have
  // one entry per element and its mask the parameter's shape.
  void add(Parameter& parameter, ParamConstraint constraint = {});

  // One update of every parameter, in the order described above.
  void step();
  void zero_grad();

  double lr() const { return options_.lr; }
  void set_lr(double lr) { options_.lr = lr; }
  const OptimizerOptions& options() const { return options_; }
  int64_t steps_taken() const { return steps_; }
  // Elements the sign projection changed in the last step(), over all parameters.
  int64_t last_clipped() const { return last_clipped_; }
  // The norm of all masked gradients at the last step() before any clipping (computed only
  // when clip_grad_norm > 0; else 0).
  double last_grad_norm() const { return last_grad_norm_; }

  // Optimiser state, for checkpoints: per parameter, the first and second moment buffers
  // (unused ones are empty) and the step count.
  struct Slot {
    Parameter* parameter = nullptr;
    ParamConstraint constraint;
    Matrix first;    // SGD/RMSprop momentum buffer, Adam m
    Matrix second;   // Adam v, RMSprop square average
    bool first_initialised = false;  // SGD: the first step copies g into the buffer
    std::vector<uint8_t> clipped;    // scratch for reset_moments_where_clipped
  };
  std::vector<Slot>& slots() { return slots_; }
  const std::vector<Slot>& slots() const { return slots_; }
  void set_steps_taken(int64_t steps) { steps_ = steps; }

 private:
  void clip_gradients();
  void update_sgd(Slot& s);
  void update_adam(Slot& s);
  void update_rmsprop(Slot& s);

  OptimizerOptions options_;
  std::vector<Slot> slots_;
  int64_t steps_ = 0;
  int64_t last_clipped_ = 0;
  double last_grad_norm_ = 0;
};

}  // namespace biornn
