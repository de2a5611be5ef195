// 10_theorem2_linear_rate — Dale's backprop converges linearly when the optimum respects Dale's
// signs (paper §2.2.1, App. 8.1, Theorem 2).
//
// The statement: if ℓ is μ-PL (½‖∇ℓ‖² ≥ μ(ℓ − ℓ*)) with L-Lipschitz gradients, the step is 1/L and
// the optimum has the imposed sign pattern, then ℓ(W_D⁽ⁱ⁾) − ℓ* ≤ (1 − μ/L)^i·(ℓ(W_D⁽⁰⁾) − ℓ*), so
// the gap is below ε once i ≥ log(gap₀/ε) / log(L/(L − μ)).
//
// The construction (verify_theorem2): least squares ½‖A·vec(W) − b‖² with A 72×24 Gaussian and
// b = A·vec(W*), W* inside the sign orthant — so ℓ* = 0 and the restricted-optimum assumption
// holds. For least squares μ = λ_min(AᵀA) and L = λ_max(AᵀA) exactly (Jacobi eigenvalues). Dale's
// backprop is the library's SGD with the Dale constraint, from the paper's initialisation, step
// 1/L, ε = 10⁻⁶·gap₀. The table prints every 10th iteration: the gap, the bound (1 − μ/L)^i·gap₀,
// their ratio and the elements the projection changed. The "tol" column is the rounding
// allowance derived from the unit roundoff of `real` (visible only in the float build).
//
// What to look for: the gap is under the bound at every iteration and falls much faster. The
// bound charges every step with the worst direction's rate 1 − μ/L; along an eigendirection with
// eigenvalue λ least squares contracts the gap by (1 − λ/L)², and most directions are fast, so ε
// comes 3.5× sooner than promised. In the float build the gap bottoms out near 5e-14 (the
// rounding floor of float weights), still far under the bound. Then the optimum-outside
// demonstration: the gap stalls at what the orthant allows and the bound runs away below it.
//
// Expected output (float build; the double build differs from i = 50 on, where float rounds):
//   mu = 0.1892, L = 2.1, step 1/L; eps = 1e-6 * gap0 = 3.919e-06
//         i          gap        bound  gap/bound        tol  clipped
//         0        3.919        3.919          1    4.4e-13        0
//        10     0.008744        1.525    0.00573    1.1e-06        0
//        20    0.0005072       0.5934   0.000855      6e-07        0
//        30    4.361e-05       0.2309   0.000189    2.8e-07        0
//        40    5.021e-06      0.08985   5.59e-05    1.2e-07        0
//      ...
//       147    5.401e-14    3.694e-06   1.46e-08    3.4e-11        0
//   reached eps at i = 42; Theorem 2 guarantees i <= 147
//   result             measured    bound          slack                          verdict
//   Theorem 2                42 <= 147            bound 3.5x measured            pass
//     least squares, W: 4x6, A: 72x24, ... (one line)
//
//   optimum outside the orthant (mu = 0.1622, L = 2.353):
//         i          gap        bound  gap/bound        tol  clipped
//         0        6.188        6.188          1    5.9e-13        0
//        20        1.393        1.483      0.939    1.4e-05        8
//        40        1.393       0.3555       3.92    1.8e-05        8
//      ...
//       194        1.393    5.941e-06   2.34e+05    1.9e-05        8
//   Theorem 2*          1.39259 <= 5.94108e-06    measured 2.34e+05x the bound   broken
//     same least squares with every third entry of W* of the wrong sign ... (one line)
// and exit status 0 (1 if the check fails).
#include <cstdio>

#include "biornn/verify.hpp"

using namespace biornn;

namespace {

void print_trace(const RateTrace& t, int every) {
  std::printf("   %4s %12s %12s %10s %10s %8s\n", "i", "gap", "bound", "gap/bound", "tol", "clipped");
  for (std::size_t i = 0; i < t.gap.size(); ++i) {
    if (i % std::size_t(every) != 0 && i + 1 != t.gap.size()) continue;
    std::printf("   %4zu %12.4g %12.4g %10.3g %10.2g %8lld\n", i, t.gap[i], t.bound[i], t.gap[i] / t.bound[i], t.tolerance[i],
                static_cast<long long>(t.clipped[i]));
  }
}

}  // namespace

int main() {
  RateTrace t;
  const VerifyCheck c = verify_theorem2({}, &t);
  std::printf("mu = %.4g, L = %.4g, step 1/L; eps = 1e-6 * gap0 = %.4g\n", t.mu, t.lipschitz, t.eps);
  print_trace(t, 10);
  std::printf("reached eps at i = %lld; Theorem 2 guarantees i <= %lld\n", static_cast<long long>(t.iterations_to_eps),
              static_cast<long long>(t.iterations_bound));
  std::printf("%s\n%s\n  %s\n\n", verify_table_header().c_str(), verify_table_row(c).c_str(), c.details.c_str());

  RateTrace u;
  const VerifyCheck d = verify_demo_theorem2_outside({}, &u);
  std::printf("optimum outside the orthant (mu = %.4g, L = %.4g):\n", u.mu, u.lipschitz);
  print_trace(u, 20);
  std::printf("%s\n  %s\n", verify_table_row(d).c_str(), d.details.c_str());
  return c.pass ? 0 : 1;
}
