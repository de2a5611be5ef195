// schedule.hpp — learning-rate schedules stepped once per epoch.
//
// Cosine annealing as PyTorch's torch.optim.lr_scheduler.CosineAnnealingLR computes it, which
// the cell-type notebooks used (T_max = 10 epochs, η_min = 1e-4, scheduler.step() after every
// epoch; SPEC §7). After e scheduler steps (e epochs finished) the learning rate is
//     η(e) = η_min + (η₀ − η_min) · (1 + cos(π · e / T_max)) / 2.
// Past T_max PyTorch does not restart (that is CosineAnnealingWarmRestarts) and does not stay
// at η_min: its recursive update is the closed form above continued, so the rate climbs back
// to η₀ at e = 2·T_max and repeats with period 2·T_max (e = 0…10 falls from η₀ to η_min,
// e = 10…20 rises again). We evaluate the closed form directly, with e reduced modulo 2·T_max
// (cos has period 2π, so the value is the same and the argument stays small). PyTorch's
// recursive float32 update can differ from it in the last digits; tests/test_celltype_fit.cpp
// runs PyTorch's recursion (in double) beside it.
//
// Epoch k (1-based) of a phase trains with η(k − 1): the first epoch uses η₀. A schedule that
// is off returns η₀ for every epoch.
//
// Not here: the optimisers (optim.hpp) — the caller sets Optimizer::set_lr before each epoch.
#pragma once

#include <cstdint>

namespace biornn {

struct CosineSchedule {
  bool enabled = true;
  double base_lr = 1e-3;  // η₀
  double min_lr = 1e-4;   // η_min
  int32_t t_max = 10;     // half period, in epochs (> 0)

  // The learning rate after `epochs_finished` scheduler steps (≥ 0).
  double lr(int64_t epochs_finished) const;
};

}  // namespace biornn
