// schedule.cpp — cosine annealing, PyTorch's CosineAnnealingLR closed form (see schedule.hpp).
#include "biornn/schedule.hpp"

#include <cmath>

#include "biornn/check.hpp"

namespace biornn {

double CosineSchedule::lr(int64_t epochs_finished) const {
  BIORNN_CHECK(epochs_finished >= 0, "CosineSchedule::lr: epochs_finished must be >= 0");
  if (!enabled) return base_lr;
  BIORNN_CHECK(t_max > 0, "CosineSchedule::lr: t_max must be > 0");
  constexpr double kPi = 3.14159265358979323846;
  const int64_t e = epochs_finished % (2 * int64_t(t_max));
  return min_lr + (base_lr - min_lr) * (1 + std::cos(kPi * double(e) / double(t_max))) / 2;
}

}  // namespace biornn
