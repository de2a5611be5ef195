// verify_internal.hpp — what the verify_*.cpp files share: finishing a check, norms, the
// least-squares problem of Lemma 1 / Theorem 2 / Lemma 3, and a gradient-descent runner that
// is the library's Optimizer (plain, or with Dale's projection as a ParamConstraint).
//
// Not a public header: nothing outside src/verify_*.cpp includes it.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "biornn/optim.hpp"
#include "biornn/rng.hpp"
#include "biornn/verify.hpp"

namespace biornn::verify_detail {

// One Rng stream per check, so that adding a check never changes another's problem.
enum Stream : uint64_t {
  kStreamTheorem5 = 1,
  kStreamCorollary6,
  kStreamLemma1,
  kStreamTheorem2,
  kStreamLemma3,
  kStreamTheorem4,
  kStreamAppendix7,
  kStreamAppendix9,
  kStreamAppendix10Bound,
  kStreamAppendix10Hypergeom,
  kStreamDemoLemma1Outside,
  kStreamDemoTheorem2Outside,
};

// The unit roundoff of `real`: |fl(x) − x| ≤ u·|x|.
inline double unit_roundoff() { return double(std::numeric_limits<real>::epsilon()) / 2; }

inline void finish_check(VerifyCheck& check, bool extra = true) { verify_finish(check, extra); }
// printf into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

double norm2(const std::vector<double>& v);
double norm2(const real* v, int64_t n);
double distance2(const real* a, const real* b, int64_t n);

// W: (rows, cols) with column j's entries ~ U[0, 1/√cols] for an excitatory column and
// U[−1/√cols, 0] for an inhibitory one: the paper's Algorithm 1, step 3.
Matrix dale_initial_weights(Rng& rng, int32_t rows, const SignVector& col_signs);

enum class OptimumPlacement { kInside, kOutside };

// ℓ(W) = ½‖A·vec(W) − b‖² with b = A·vec(W*), so ℓ* = ℓ(W*) = 0 and W* is the unique
// minimiser (A has full column rank). A: (m, n), entries N(0, 1/m). Hessian AᵀA: ℓ is μ-PL
// and L-smooth with μ = λ_min(AᵀA), L = λ_max(AᵀA) (½‖∇ℓ‖² = ½eᵀH²e ≥ λ_min·½eᵀHe).
struct LeastSquares {
  int32_t rows = 0, cols = 0, m = 0;  // W: (rows, cols); n = rows·cols unknowns
  std::vector<double> a, b;           // A row-major (m, n); b (m)
  SignVector col_signs, signs;        // Dale: per column, and per element
  Matrix optimum;                     // W*
  double mu = 0, lipschitz = 0;

  int64_t n() const { return int64_t(rows) * cols; }
  double loss(const real* w) const;
  // The loss and a bound on its evaluation error in double: 2(n + 2)·ε·Σ_r |r_r|·(Σ_k |a_rk·w_k| + |b_r|).
  double loss(const real* w, double* error) const;
  void gradient(const real* w, std::vector<double>* g) const;
};
// kInside: |w*| ∈ [0.3, 1] with the column's sign. kOutside: the same, then every third entry
// gets the opposite sign (the restricted-optimum assumption fails).
LeastSquares make_least_squares(Rng& rng, int32_t rows, int32_t cols, int32_t exc_cols, int32_t m,
                                OptimumPlacement placement);
// A fixed A (m = rows of `a_rows`) and W*: for hand-built problems such as the 2-D counterexample.
LeastSquares make_least_squares_from(const std::vector<std::vector<double>>& a_rows, const Matrix& optimum,
                                     const SignVector& col_signs);

// Gradient descent on one weight matrix through the library's Optimizer (SGD, no momentum,
// lr = step). With `signs` it is Dale's backprop: the ParamConstraint projects after every
// update — or, when options.projection is set, that hook does instead.
class GdRunner {
 public:
  GdRunner(const Matrix& w0, double step, const SignVector* signs, const VerifyProjection& hook);
  GdRunner(const GdRunner&) = delete;
  GdRunner& operator=(const GdRunner&) = delete;

  const Matrix& weights() const { return param_.value; }
  Parameter& parameter() { return param_; }
  // One update with gradient g (one value per weight); returns the elements projected.
  int64_t step(const std::vector<double>& g);
  // One update with the gradient already in parameter().grad.
  int64_t step_with_current_grad();
  // The rounding allowance of the last update: 4u(‖w_before‖ + η‖g‖) bounds ‖fl(step) − step‖
  // (rounding g to real, η·g, the subtraction; the projection itself is exact).
  double last_rounding() const { return last_rounding_; }

 private:
  Parameter param_;
  Optimizer optimizer_;
  SignVector signs_;
  VerifyProjection hook_;
  bool dale_ = false;
  double step_ = 0;
  double last_rounding_ = 0;
  std::vector<real> before_;
};

}  // namespace biornn::verify_detail
