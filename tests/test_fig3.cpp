// test_fig3.cpp — Fig. 3B's acceptance on the matrices the published notebooks used: on random
// U(0, 1) matrices (N = 10, 50, 100), top-prob keeps at least the App. 10.1 bound's share of
// the maximum spanning tree and more than random pruning's expectation at every sparsity up to
// 0.95 — and random pruning itself sits on its expectation.
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/fig3.hpp"

using namespace biornn;

TEST_CASE("top-prob keeps more of the spanning tree than the App. 10.1 bound and the random expectation") {
  const std::vector<double> levels = fig3_mst_sparsities();
  REQUIRE(levels.size() == 21);
  for (int32_t n : {10, 50, 100}) {
    std::vector<Matrix> matrices;
    for (uint64_t r = 0; r < 5; ++r) {
      Rng rng(77, r);
      Matrix m(n, n);
      for (int64_t k = 0; k < m.size(); ++k) m.data()[k] = real(rng.uniform01());
      matrices.push_back(m);
    }
    const int32_t draws = 20;
    const MstOverlapCurve c = mst_overlap_curve("random", matrices, levels, 3, draws);
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const double s = levels[l];
      if (s == 0 || s > 0.95) continue;
      CAPTURE(n);
      CAPTURE(s);
      CHECK(c.topprob_mean[l] >= c.bound_mean[l]);
      CHECK(c.topprob_mean[l] > c.expectation_mean[l]);
      CHECK(c.expectation_mean[l] == doctest::Approx(1 - s).epsilon(1e-9));  // App. 10.2: fraction 1 − s
      // Random pruning's overlap scatters around 1 − s: its mean over 5 matrices × 20 draws
      // (independent: random pruning ignores the values) of 2N − 1 tree edges has
      // sd ≤ √(s(1 − s)/(100(2N − 1))); allow 5 of them.
      CHECK(std::fabs(c.random_mean[l] - (1 - s)) <= 5 * std::sqrt(s * (1 - s) / (5.0 * draws * (2 * n - 1))) + 1e-12);
    }
  }
}

TEST_CASE("Fig. 3C's connection probabilities are 0 and 14 evenly spaced values from 0.01 to 1") {
  const std::vector<double> d = fig3_error_densities();
  REQUIRE(d.size() == 15);
  CHECK(d[0] == 0);
  CHECK(d[1] == doctest::Approx(0.01));
  CHECK(d[14] == doctest::Approx(1.0));
  CHECK(d[2] - d[1] == doctest::Approx(0.99 / 13));
}
