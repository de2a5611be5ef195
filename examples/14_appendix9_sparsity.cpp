// 14_appendix9_sparsity — top-prob pruning hits the target sparsity in expectation (paper §3.1,
// App. 9).
//
// The statement: keep each weight independently with probability p = κ|w|, κ = (1 − s)·mn/‖W‖₁
// (App. 9.1), so the expected number kept is Σ p = (1 − s)·mn. When some κ|w| exceed 1 they are
// capped and the excess shared among the rest (App. 9.2, Algorithm 3); when W already has z0
// zeros the target is adjusted to s′ = (s·mn − z0)/(mn − z0) (App. 9.3). Either way the realised
// sparsity should equal s on average.
//
// The construction: first a 2×3 example of the keep probabilities (one entry is so large that
// κ|w| > 1 and gets capped), then verify_appendix9: a 20×20 W with log-normal magnitudes (many
// κ|w| > 1) and 10 % exact zeros, s = 0.5, the library's topprob_keep_probabilities and
// prune_topprob. It checks Σ p = (1 − s)mn exactly, the mean realised sparsity over 400 draws
// against s within 4 standard errors (SE from Σ p(1 − p), the problem's own variance), and that
// exact mode keeps exactly (1 − s)mn every time.
//
// Expected output (float build):
//   W = [[4, 1, 0.5], [0.25, 0.25, 0]], s = 0.5: keep probabilities
//     1.0000  0.7500  0.5000
//     0.3750  0.3750  0.0000
//   sum 3.0000 = (1 - s) * 6 entries = 3 kept on average, the zero included in the sparsity
//
//   result             measured    bound          slack                          verdict
//   App. 9             0.500875 == 0.5            |diff| 0.00087 = 21% of tol    pass
//     W: 20x20 log-normal magnitudes, 44 exact zeros, s = 0.50. Raw kappa|w| > 1 for 45 entries; ...
// Reading the small example: one of 6 entries is already 0, so s′ = (0.5·6 − 1)/5 = 0.4 and 3 of
// the 5 nonzero entries should stay; κ = 3/Σ|w| = 0.5 gives p = (2, 0.5, 0.25, 0.125, 0.125); the 2
// is capped at 1 and its excess 1 shared equally by the other four (+0.25 each). Note that the
// renormalised p are no longer proportional to |w| — Algorithm 3 shares the excess equally.
// and exit status 0 (1 if the check fails).
#include <cstdio>

#include "biornn/prune.hpp"
#include "biornn/verify.hpp"

using namespace biornn;

int main() {
  const Matrix w = Matrix::from_rows({{4, 1, 0.5}, {0.25, 0.25, 0}});
  const std::vector<double> p = topprob_keep_probabilities(w, 0.5);
  std::printf("W = [[4, 1, 0.5], [0.25, 0.25, 0]], s = 0.5: keep probabilities\n");
  double sum = 0;
  for (int32_t i = 0; i < 2; ++i) {
    for (int32_t j = 0; j < 3; ++j) {
      std::printf(" %7.4f", p[std::size_t(i * 3 + j)]);
      sum += p[std::size_t(i * 3 + j)];
    }
    std::printf("\n");
  }
  std::printf("sum %.4f = (1 - s) * 6 entries = 3 kept on average, the zero included in the sparsity\n\n", sum);
  const VerifyCheck c = verify_appendix9({});
  std::printf("%s\n%s\n  %s\n", verify_table_header().c_str(), verify_table_row(c).c_str(), c.details.c_str());
  return c.pass ? 0 : 1;
}
