// gradcheck.hpp — compare the tape's gradients with central finite differences.
//
// For a scalar function f of some input matrices, gradcheck computes the analytic gradient
// with Tape::backward and, for every input element x, the central difference
//     D = (f(x + h) − f(x − h)) / 2h,      h = step · max(1, |x|).
// It then requires |analytic − D| ≤ abs_tol + rel_tol · max(|analytic|, |D|).
//
// Where the tolerances come from. For smooth f,
//     |D − f'(x)| ≤ h²·M₃/6 + ε_f/h,
// where M₃ bounds |f'''| near x (truncation) and ε_f bounds the absolute rounding error of one
// evaluation of f (ε_f ≈ c·u·F: u the unit roundoff of `real`, F the size of f's intermediate
// values, c the depth of the computation). The sum is smallest near h = (3ε_f/M₃)^{1/3}; for
// problems scaled so that |x|, F and M₃ are O(1), as in our tests, we take h = u^{1/3} and both
// terms are then O(u^{2/3}). So the default tolerance is
//     step = u^{1/3},   abs_tol = rel_tol = kGradcheckSafety · u^{2/3},
// with kGradcheckSafety = 100 absorbing c (up to ~30 chained operations in a test function)
// and M₃ (up to ~3). For float that is step ≈ 3.9e-3, tolerance ≈ 1.5e-3; for double,
// step ≈ 6.1e-6, tolerance ≈ 2.3e-9. A float build can therefore only detect gradient errors
// larger than ~0.2 %; the double build (make PREC=double) checks to ~1e-9. tests/
// test_gradcheck.cpp shows both the pass and a deliberately wrong gradient being caught.
//
// Functions with kinks (relu, abs) are only differentiable away from the kink: test them at
// points farther than h from it.
//
// Not here: the tape itself (tape.hpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "biornn/tape.hpp"

namespace biornn {

inline constexpr double kGradcheckSafety = 100.0;

struct GradcheckTolerance {
  double step = 0;     // h relative to max(1, |x|)
  double abs_tol = 0;
  double rel_tol = 0;
};

// The derived default for the build's `real` (see above).
GradcheckTolerance gradcheck_default_tolerance();

struct GradcheckReport {
  bool passed = true;
  int64_t elements_checked = 0;
  // max over elements of |analytic − numeric| / allowed; ≤ 1 means every element passed.
  double worst_ratio = 0;
  // The worst element, readable: "input 1 (3, 4) at (2, 0): analytic 0.25, numeric 0.2497, ..."
  std::string worst;
};

// f receives a fresh tape and one Var per input (parameters whose gradients gradcheck reads)
// and returns a (1, 1) loss. f must be deterministic. gradcheck works on copies of `inputs`.
using GradcheckFunction = std::function<Var(Tape&, const std::vector<Var>&)>;
GradcheckReport gradcheck(const GradcheckFunction& f, const std::vector<Matrix>& inputs,
                          const GradcheckTolerance& tolerance = gradcheck_default_tolerance());

}  // namespace biornn
