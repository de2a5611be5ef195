// test_stats_tests.cpp — Mann–Whitney U, Welch's t, Student's t and the incomplete beta, and
// Holm's adjustment, each against an independent twin: brute-force enumeration of every
// relabelling (the permutation null), pair counting for U, closed forms of the t and beta
// distributions, a direct run of Holm's step-down rejection rule, and reference values computed
// once with mpmath at 40 digits (quoted with their inputs).
#include "doctest/doctest.h"

#include <algorithm>
#include <bitset>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "biornn/check.hpp"
#include "biornn/stats.hpp"

using namespace biornn;

namespace {

constexpr double kPi = 3.14159265358979323846;

double relative_error(double got, double want) {
  if (got == want) return 0.0;
  return std::fabs(got - want) / std::fabs(want);
}

// Distinct pseudo-random values (a fixed LCG; the order, not the values, matters for ranks).
std::vector<double> distinct_values(int count, uint64_t seed) {
  std::vector<double> v;
  uint64_t state = seed;
  while (int(v.size()) < count) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double x = double(state >> 11) * 0x1p-53;
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
  }
  return v;
}

// U of a by its definition: pairs with a_i > b_j, plus half the ties.
double u_by_pairs(const std::vector<double>& a, const std::vector<double>& b) {
  double u = 0;
  for (double x : a)
    for (double y : b) u += x > y ? 1.0 : x == y ? 0.5 : 0.0;
  return u;
}

// The two-sided permutation p-value by brute force: every split of the pooled values into
// groups of sizes |a| and |b| is equally likely under the null; p = the share of splits whose
// U (by pair counting) is at least as far from n_a·n_b/2 as the observed one.
double permutation_p(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> pooled = a;
  pooled.insert(pooled.end(), b.begin(), b.end());
  const int n = int(pooled.size()), na = int(a.size());
  const double mu = 0.5 * double(a.size() * b.size());
  const double observed = std::fabs(u_by_pairs(a, b) - mu);
  double as_extreme = 0, splits = 0;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (int(std::bitset<32>(mask).count()) != na) continue;
    double u = 0;  // pairs (i in the first group, j in the second) with pooled_i > pooled_j
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        if (((mask >> i) & 1u) && !((mask >> j) & 1u))
          u += pooled[size_t(i)] > pooled[size_t(j)] ? 1.0 : 0.0;
    splits += 1;
    if (std::fabs(u - mu) >= observed) as_extreme += 1;
  }
  return as_extreme / splits;
}

}  // namespace

// ---- Mann–Whitney ---------------------------------------------------------------------------

TEST_CASE("exact Mann–Whitney p equals brute-force enumeration of every relabelling") {
  const int sizes[][2] = {{1, 1}, {1, 4}, {2, 2}, {3, 4}, {4, 3}, {5, 5}, {2, 9}, {6, 7}, {7, 7}};
  uint64_t seed = 1;
  for (const auto& s : sizes) {
    for (int repeat = 0; repeat < 3; ++repeat) {
      const std::vector<double> pooled = distinct_values(s[0] + s[1], seed++);
      const std::vector<double> a(pooled.begin(), pooled.begin() + s[0]),
          b(pooled.begin() + s[0], pooled.end());
      const MannWhitneyResult r = mann_whitney_u(a, b);
      INFO("n_a = " << s[0] << ", n_b = " << s[1] << ", seed " << seed - 1);
      CHECK(r.exact);
      CHECK(r.u == u_by_pairs(a, b));
      // Both are ratios of the same integers, each rounded once or twice.
      CHECK(relative_error(r.p_value, permutation_p(a, b)) <= 4 * DBL_EPSILON);
    }
  }
}

TEST_CASE("Mann–Whitney is symmetric in swapping the samples") {
  const std::vector<double> pooled = distinct_values(23, 99);
  const std::vector<double> a(pooled.begin(), pooled.begin() + 9),
      b(pooled.begin() + 9, pooled.end());
  for (MannWhitneyMethod m : {MannWhitneyMethod::kExact, MannWhitneyMethod::kAsymptotic}) {
    const MannWhitneyResult ab = mann_whitney_u(a, b, m), ba = mann_whitney_u(b, a, m);
    CHECK(ab.u + ba.u == 9.0 * 14.0);
    CHECK(ab.p_value == ba.p_value);
    CHECK(ab.z == -ba.z);
  }
}

TEST_CASE("Mann–Whitney reproduces a textbook example exactly and asymptotically") {
  // a = {19, 22, 16, 29, 24}, b = {20, 11, 17, 12} (the example in SciPy's documentation).
  // U_a = 17 by pair counting, U_b = 3. Exactly: #{U ≤ 3} = 1 + 1 + 2 + 3 = 7 partitions fit a
  // 4×5 box, of C(9, 4) = 126 orderings, so p = 2·7/126 = 1/9. Asymptotically: μ = 10,
  // σ² = 20·10/12 = 50/3, z = (7 − ½)/σ, p = erfc(z/√2) = 0.1113468865331404 (mpmath; SciPy's
  // documentation prints the same for method="asymptotic").
  const std::vector<double> a = {19, 22, 16, 29, 24}, b = {20, 11, 17, 12};
  const MannWhitneyResult exact = mann_whitney_u(a, b);
  CHECK(exact.u == 17.0);
  CHECK(exact.exact);
  CHECK(exact.p_value == doctest::Approx(1.0 / 9.0).epsilon(4 * DBL_EPSILON));
  const MannWhitneyResult normal = mann_whitney_u(a, b, MannWhitneyMethod::kAsymptotic);
  CHECK(!normal.exact);
  CHECK(normal.z == doctest::Approx(6.5 / std::sqrt(50.0 / 3.0)).epsilon(1e-15));
  CHECK(normal.p_value == doctest::Approx(0.111346886533140431166895).epsilon(1e-14));
}

TEST_CASE("five runs against five, completely separated, give the smallest exact p, 2/252") {
  // Fig. 3C compares 5 runs per method: 2/C(10, 5) is the strongest evidence such a level can
  // give, which is why the per-level p-values need a correction, not a minimum over levels.
  const MannWhitneyResult r = mann_whitney_u({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  CHECK(r.exact);
  CHECK(r.u == 0.0);
  CHECK(r.p_value == doctest::Approx(2.0 / 252.0).epsilon(4 * DBL_EPSILON));
  // Interleaved perfectly, nothing is left to see: p is capped at 1.
  CHECK(mann_whitney_u({1, 4, 5, 8, 9}, {2, 3, 6, 7, 10}).p_value == 1.0);
}

TEST_CASE("Mann–Whitney with ties uses midranks and the tie-corrected normal approximation") {
  // Pooled: 1a 2a 2a 2b 3a 3b 4b → midranks 1, 3, 3, 3, 5.5, 5.5, 7; R_a = 12.5, U_a = 2.5.
  // Ties: one triple and one pair, Σ(t³ − t) = 24 + 6 = 30; N = 7, μ = 6,
  // σ² = 12/12·(8 − 30/42) = 51/7; z = −(3.5 − ½)/σ.
  const std::vector<double> a = {1, 2, 2, 3}, b = {2, 3, 4};
  const MannWhitneyResult r = mann_whitney_u(a, b);
  CHECK(!r.exact);
  CHECK(r.u == 2.5);
  CHECK(r.u == u_by_pairs(a, b));
  const double z = -3.0 / std::sqrt(51.0 / 7.0);
  CHECK(r.z == doctest::Approx(z).epsilon(1e-15));
  CHECK(r.p_value == doctest::Approx(std::erfc(-z / std::sqrt(2.0))).epsilon(1e-14));
  CHECK_THROWS_AS(mann_whitney_u(a, b, MannWhitneyMethod::kExact), ContractViolation);
  // All values equal: no evidence at all, and no division by σ = 0.
  const MannWhitneyResult same = mann_whitney_u({3, 3}, {3, 3, 3});
  CHECK(same.p_value == 1.0);
  CHECK(same.z == 0.0);
  CHECK(same.u == 3.0);
}

TEST_CASE("exact and asymptotic Mann–Whitney agree closely at the exact method's largest size") {
  const std::vector<double> pooled = distinct_values(60, 7);
  std::vector<double> a(pooled.begin(), pooled.begin() + 30), b(pooled.begin() + 30, pooled.end());
  for (double& x : a) x += 0.12;  // a modest shift, p in the interesting range
  const MannWhitneyResult exact = mann_whitney_u(a, b),
                          normal = mann_whitney_u(a, b, MannWhitneyMethod::kAsymptotic);
  CHECK(exact.exact);
  CHECK(exact.p_value == doctest::Approx(normal.p_value).epsilon(0.02));
  // One more value and the automatic choice falls back to the normal approximation.
  b.push_back(2.0);
  CHECK(!mann_whitney_u(a, b).exact);
}

TEST_CASE("Mann–Whitney rejects empty samples and NaN") {
  CHECK_THROWS_AS(mann_whitney_u({}, {1.0}), ContractViolation);
  CHECK_THROWS_AS(mann_whitney_u({1.0}, {}), ContractViolation);
  CHECK_THROWS_AS(mann_whitney_u({1.0, NAN}, {2.0}), ContractViolation);
}

// ---- Student's t and the incomplete beta --------------------------------------------------------

TEST_CASE("the regularized incomplete beta matches its closed forms and the binomial tail") {
  const double xs[] = {1e-12, 1e-3, 0.05, 0.2, 0.37, 0.5, 0.63, 0.8, 0.95, 0.999, 1 - 1e-9};
  double worst = 0;
  for (double x : xs) {
    for (double a : {0.5, 1.0, 2.5, 7.0, 40.0}) {
      worst =
          std::max(worst, relative_error(regularized_incomplete_beta(a, 1.0, x), std::pow(x, a)));
      worst = std::max(worst, relative_error(regularized_incomplete_beta(1.0, a, x),
                                             -std::expm1(a * std::log1p(-x))));
    }
    // I_x(½, ½) = (2/π)·asin(√x); near x = 1 asin is ill-conditioned, so there the twin is
    // 1 − (2/π)·asin(√(1 − x)).
    const double arcsine =
        x <= 0.5 ? 2 / kPi * std::asin(std::sqrt(x)) : 1 - 2 / kPi * std::asin(std::sqrt(1 - x));
    worst = std::max(worst, relative_error(regularized_incomplete_beta(0.5, 0.5, x), arcsine));
    // Integer a, b: I_x(a, b) = P[Binomial(a + b − 1, x) ≥ a], summed term by term.
    for (int a = 1; a <= 12; ++a)
      for (int b = 1; b <= 12; ++b) {
        const int n = a + b - 1;
        double tail = 0, choose = 1;  // C(n, j), built up from C(n, 0)
        for (int j = 0; j <= n; ++j) {
          if (j > 0) choose = choose * (n - j + 1) / j;
          if (j >= a) tail += choose * std::pow(x, j) * std::pow(1 - x, n - j);
        }
        if (tail > 1e-290)
          worst = std::max(worst, relative_error(regularized_incomplete_beta(a, b, x), tail));
      }
  }
  // The prefactor exp(a·ln x + b·ln y − ln B) carries ≈ ε·(a·|ln x| + b·|ln y| + |ln B|), at
  // most 12·27.6·ε ≈ 4e-14 here (a = 12, x = 1e-12); the binomial twin a few ε·n more.
  INFO("max relative error " << worst);
  CHECK(worst <= 1e-13);
  // By symmetry I_½(a, a) = ½ for every a, including both arguments past the Stirling switch.
  // The prefactor cancels a·ln ½ twice against ln B(a, a) ≈ −2a·ln 2: error ≈ 4a·ε.
  for (double a : {3.0, 20.0, 1000.0})
    CHECK(relative_error(regularized_incomplete_beta(a, a, 0.5), 0.5) <=
          1e-15 + 4 * a * DBL_EPSILON);
  CHECK(regularized_incomplete_beta(2.0, 3.0, 0.0) == 0.0);
  CHECK(regularized_incomplete_beta(2.0, 3.0, 1.0) == 1.0);
  CHECK_THROWS_AS(regularized_incomplete_beta(0.0, 1.0, 0.5), ContractViolation);
  CHECK_THROWS_AS(regularized_incomplete_beta(1.0, 1.0, 1.5), ContractViolation);
}

TEST_CASE("Student's t p-values match the closed forms for df = 1, 2, 3, also far in the tail") {
  for (double t : {0.0, 0.1, 0.7, 1.0, 2.5, 12.0, 1e3, 1e8, 1e200}) {
    INFO("t = " << t);
    // df = 1 is the Cauchy distribution: P[|T| ≥ t] = 1 − 2·atan(t)/π = 2·atan(1/t)/π.
    const double cauchy = t == 0 ? 1.0 : 2 * std::atan(1 / t) / kPi;
    CHECK(relative_error(student_t_two_sided_p(t, 1.0), cauchy) <= 1e-13);
    CHECK(relative_error(student_t_two_sided_p(-t, 1.0), cauchy) <= 1e-13);
    // df = 2: 1 − t/√(2 + t²) = 2/(√(2 + t²)·(√(2 + t²) + t)), the second form free of
    // cancellation.
    if (t < 1e150) {
      const double r = std::sqrt(2 + t * t);
      CHECK(relative_error(student_t_two_sided_p(t, 2.0), 2 / (r * (r + t))) <= 1e-13);
    }
    // df = 3: 1 − (2/π)·(atan(t/√3) + √3·t/(3 + t²)); compared where it has no cancellation.
    if (t <= 12) {
      const double s3 = std::sqrt(3.0);
      CHECK(relative_error(student_t_two_sided_p(t, 3.0),
                           1 - 2 / kPi * (std::atan(t / s3) + s3 * t / (3 + t * t))) <= 1e-12);
    }
  }
  CHECK(student_t_sf(0.0, 4.0) == 0.5);
  CHECK(student_t_sf(-1.0, 1.0) == doctest::Approx(0.75).epsilon(1e-15));  // Cauchy: ½ + atan(1)/π
  CHECK(student_t_sf(1.0, 1.0) == doctest::Approx(0.25).epsilon(1e-15));
  CHECK(student_t_two_sided_p(1.96, std::numeric_limits<double>::infinity()) ==
        doctest::Approx(std::erfc(1.96 / std::sqrt(2.0))).epsilon(1e-15));
  CHECK(std::isnan(student_t_two_sided_p(NAN, 3.0)));
  CHECK_THROWS_AS(student_t_two_sided_p(1.0, 0.0), ContractViolation);
}

TEST_CASE(
    "Student's t p-values match 40-digit references at non-integer and large degrees of freedom") {
  struct Case {
    double t, df, p;  // p = I_{df/(df+t²)}(df/2, ½) by mpmath at 40 digits, for these doubles
  };
  const Case cases[] = {
      {2.5, 5.0, 0.05449009934237624111551276},   {0.3, 17.5, 0.767711472867689940674171},
      {6.0, 3.3, 0.007027217962143384068371437},  {40.0, 7.0, 1.590217998485037046865614e-9},
      {2.0, 100.0, 0.04821217873113367960095602}, {2.0, 1e4, 0.04552726066143544273796042},
      {3.0, 1e6, 0.002699862541421797058700882}};
  for (const Case& c : cases) {
    // For df ≫ t² the continued fraction's first partial denominator 1 + d₁ ≈ (1 + t²)·2/df
    // cancels, costing a factor ~df/t² (1e-11 at df = 10⁶); ln B(df/2, ½) and ln x are formed
    // so that they add nothing of that order (stats_tests.cpp).
    const double tolerance = 1e-13 + 4 * DBL_EPSILON * c.df / (c.t * c.t);
    INFO("t = " << c.t << ", df = " << c.df);
    CHECK(relative_error(student_t_two_sided_p(c.t, c.df), c.p) <= tolerance);
  }
}

// ---- Welch --------------------------------------------------------------------------------------

TEST_CASE("Welch's t-test reduces to the Cauchy and df = 2 closed forms when its df does") {
  // a = {0, 2}, b = {5, 5, 5}: v_a = 2, v_b = 0, so se² = 1, t = (1 − 5)/1 and df = n_a − 1 = 1.
  const WelchResult cauchy = welch_t_test({0, 2}, {5, 5, 5});
  CHECK(cauchy.t == -4.0);
  CHECK(cauchy.df == 1.0);
  CHECK(relative_error(cauchy.p_value, 1 - 2 * std::atan(4.0) / kPi) <= 1e-14);
  // a = {0, 2}, b = {3, 5}: equal variances 2, n = 2 each: se² = 2, df = 2²/(1 + 1) = 2.
  const WelchResult two = welch_t_test({0, 2}, {3, 5});
  const double t = -3.0 / std::sqrt(2.0);
  CHECK(two.t == doctest::Approx(t).epsilon(1e-15));
  CHECK(two.df == doctest::Approx(2.0).epsilon(1e-15));
  CHECK(relative_error(two.p_value, 1 - std::fabs(t) / std::sqrt(2 + t * t)) <= 1e-13);
}

TEST_CASE(
    "Welch's t-test matches a hand computation with unequal variances, symmetric in a and b") {
  // a: mean 22, v = 98/4 = 24.5; b: mean 15, v = 54/3 = 18. se² = 4.9 + 4.5 = 9.4, t = 7/√9.4,
  // df = 9.4²/(4.9²/4 + 4.5²/3) = 88.36/12.7525; p by mpmath at 40 digits.
  const std::vector<double> a = {19, 22, 16, 29, 24}, b = {20, 11, 17, 12};
  const WelchResult r = welch_t_test(a, b);
  CHECK(r.t == doctest::Approx(2.283148255687047693529).epsilon(1e-15));
  CHECK(r.df == doctest::Approx(6.928837482846500686140).epsilon(1e-14));
  CHECK(relative_error(r.p_value, 0.05675092592187572875595) <= 1e-13);
  const WelchResult s = welch_t_test(b, a);
  CHECK(s.t == -r.t);
  CHECK(s.df == r.df);
  CHECK(s.p_value == r.p_value);
}

TEST_CASE("Welch's t-test on constant samples is defined: df NaN, p 1 or 0") {
  const WelchResult same = welch_t_test({0.1, 0.1, 0.1}, {0.1, 0.1});  // 3·0.1/3 ≠ 0.1 in binary
  CHECK(same.t == 0.0);
  CHECK(same.p_value == 1.0);
  CHECK(std::isnan(same.df));
  const WelchResult apart = welch_t_test({1, 1}, {2, 2, 2});
  CHECK(apart.t == -std::numeric_limits<double>::infinity());
  CHECK(apart.p_value == 0.0);
  CHECK(std::isnan(apart.df));
  CHECK(std::isnan(welch_t_test({1, NAN}, {2, 3}).p_value));
  CHECK_THROWS_AS(welch_t_test({1}, {2, 3}), ContractViolation);
}

// ---- Holm ---------------------------------------------------------------------------------------

TEST_CASE("Holm's adjustment matches a hand computation, keeps the input order and caps at 1") {
  // Sorted: 0.005, 0.01, 0.03, 0.04 → 4·0.005 = 0.02, max(0.02, 3·0.01) = 0.03,
  // max(0.03, 2·0.03) = 0.06, max(0.06, 1·0.04) = 0.06.
  const std::vector<double> adj = holm_adjust({0.01, 0.04, 0.03, 0.005});
  REQUIRE(adj.size() == 4);
  CHECK(adj[0] == doctest::Approx(0.03));
  CHECK(adj[1] == doctest::Approx(0.06));
  CHECK(adj[2] == doctest::Approx(0.06));
  CHECK(adj[3] == doctest::Approx(0.02));
  CHECK(holm_adjust({0.5, 0.6}) == std::vector<double>{1.0, 1.0});
  CHECK(holm_adjust({0.01, 0.01, 0.5})[1] == doctest::Approx(0.03));  // ties adjust alike
  CHECK(holm_adjust({}).empty());
  CHECK(holm_adjust({0.2}) == std::vector<double>{0.2});
  CHECK_THROWS_AS(holm_adjust({0.1, NAN}), ContractViolation);
  CHECK_THROWS_AS(holm_adjust({1.2}), ContractViolation);
  CHECK_THROWS_AS(holm_adjust({-0.1}), ContractViolation);
}

TEST_CASE("Holm-adjusted p ≤ α exactly when the step-down procedure rejects at level α") {
  // The twin runs Holm's rule itself: walk the p-values in ascending order and reject while
  // p_(j) ≤ α/(m − j + 1); stop at the first failure.
  uint64_t state = 12345;
  for (int trial = 0; trial < 40; ++trial) {
    const int m = 1 + trial % 15;  // up to Fig. 3C's 15 sparsity levels
    std::vector<double> p(static_cast<size_t>(m));
    for (double& v : p) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v = std::pow(double(state >> 11) * 0x1p-53, 3.0);  // skewed towards small p
    }
    const std::vector<double> adj = holm_adjust(p);
    std::vector<size_t> order(static_cast<size_t>(m));
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return p[i] < p[j]; });
    for (double alpha : {0.001, 0.01, 0.05, 0.1, 0.3}) {
      std::vector<bool> rejected(static_cast<size_t>(m), false);
      for (int j = 0; j < m; ++j) {
        if (p[order[size_t(j)]] * double(m - j) > alpha) break;
        rejected[order[size_t(j)]] = true;
      }
      for (int i = 0; i < m; ++i) {
        INFO("trial " << trial << ", alpha " << alpha << ", i " << i);
        CHECK((adj[size_t(i)] <= alpha) == rejected[size_t(i)]);
        CHECK(adj[size_t(i)] >= p[size_t(i)]);
      }
    }
  }
}
