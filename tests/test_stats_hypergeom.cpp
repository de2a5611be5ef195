// test_stats_hypergeom.cpp — the hypergeometric distribution against two independent twins,
// and the App. 10.1 MST-overlap bound against a brute-force enumeration.
//
// Twin 1, exact (M ≤ 60): binomial coefficients from Pascal's triangle in uint64 (C(60, 30)
// < 2⁵⁷, and C(K, x)·C(M − K, n − x) ≤ C(M, n) by Vandermonde's identity), so every pmf, cdf and
// sf is an exact ratio of integers; it is converted to double by a 128-bit division with ≥ 68
// quotient bits, i.e. to within rounding of the last bit.
// Twin 2, recurrence (M = 1440², the CelltypeRNN's matrix): r(x) = P[X = x]/P[X = mode] from the
// exact ratio P[x + 1]/P[x] = (K − x)(n − x)/((x + 1)(M − K − n + x + 1)), one multiplication and
// one division per step in long double, normalised by Σ r. Its own error is at most
// 2·steps·ε_long_double (≈ 6e-16 on x86-64 with 2879 steps), far below what is tested.
//
// Tolerances: the specification asks for relative error ≤ 1e-12; that is what is enforced
// (plus twin 2's own error bound). The measured maxima are far smaller (≈ 1e-14, see the INFO
// lines, which doctest prints on failure).
#include "doctest/doctest.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "biornn/check.hpp"
#include "biornn/stats.hpp"
#include "stats_internal.hpp"

using namespace biornn;

namespace {

constexpr double kRelTolerance = 1e-12;  // the specification's accuracy target

__extension__ typedef unsigned __int128 u128;

// num/den as a double, num, den < 2⁶³, to within one rounding.
double exact_ratio(uint64_t num, uint64_t den) {
  if (num == 0) return 0.0;
  int bits = 0;
  while (bits < 64 && (num >> bits) != 0) ++bits;
  const int shift = 126 - bits;  // num·2^shift ∈ [2¹²⁵, 2¹²⁶): the quotient keeps ≥ 68 bits
  const u128 q = (u128(num) << shift) / den;
  return std::ldexp(double(q), -shift);
}

struct Pascal {
  std::vector<std::vector<uint64_t>> c;
  explicit Pascal(int top) : c(size_t(top + 1)) {
    for (int m = 0; m <= top; ++m) {
      c[size_t(m)].assign(size_t(m + 1), 1);
      for (int k = 1; k < m; ++k)
        c[size_t(m)][size_t(k)] = c[size_t(m - 1)][size_t(k - 1)] + c[size_t(m - 1)][size_t(k)];
    }
  }
  uint64_t operator()(int64_t m, int64_t k) const {
    return (k < 0 || k > m) ? 0 : c[size_t(m)][size_t(k)];
  }
};

double relative_error(double got, double want) {
  if (got == want) return 0.0;
  return std::fabs(got - want) / std::fabs(want);
}

struct Accuracy {
  double pmf = 0, cdf = 0, sf = 0;
  long cases = 0;
};

// Compares every x of hypergeometric(M, K, n), plus one point beyond each end of the support,
// with the exact ratio; returns false at the first value that is not a probability.
void compare_with_exact(const Pascal& C, int64_t M, int64_t K, int64_t n, Accuracy& acc) {
  const uint64_t all = C(M, n);
  const HypergeomSupport s = hypergeom_support(M, K, n);
  for (int64_t x = s.lo - 1; x <= s.hi + 1; ++x) {
    uint64_t below = 0, above = 0;  // Σ numerators for j ≤ x and j > x
    for (int64_t j = s.lo; j <= s.hi; ++j) (j <= x ? below : above) += C(K, j) * C(M - K, n - j);
    const double pmf_want = exact_ratio(C(K, x) * C(M - K, n - x), all);
    const double cdf_want = exact_ratio(below, all), sf_want = exact_ratio(above, all);
    const double pmf = hypergeom_pmf(x, M, K, n), cdf = hypergeom_cdf(x, M, K, n),
                 sf = hypergeom_sf(x, M, K, n);
    INFO("M = " << M << ", K = " << K << ", n = " << n << ", x = " << x);
    if (x < s.lo || x > s.hi) REQUIRE(pmf == 0.0);  // exactly, outside the support
    if (x < s.lo) REQUIRE((cdf == 0.0 && sf == 1.0));
    if (x >= s.hi) REQUIRE((cdf == 1.0 && sf == 0.0));
    acc.pmf = std::max(acc.pmf, relative_error(pmf, pmf_want));
    acc.cdf = std::max(acc.cdf, relative_error(cdf, cdf_want));
    acc.sf = std::max(acc.sf, relative_error(sf, sf_want));
    ++acc.cases;
  }
}

}  // namespace

TEST_CASE(
    "the Stirling-error table and series satisfy the exact recurrence δ(k) − δ(k+1) = "
    "(k+½)·ln(1+1/k) − 1") {
  // Each tabulated δ is within half an ulp of 0.08 (7e-18); the series' truncation is < 2e-18;
  // the right-hand side is formed in long double (cancellation costs ~4 of its ulps).
  const double tolerance = 3e-17 + 4 * double(std::numeric_limits<long double>::epsilon());
  for (int64_t k = 1; k <= 40; ++k) {
    const long double rhs = (k + 0.5L) * std::log1p(1.0L / k) - 1.0L;
    INFO("k = " << k);
    CHECK(std::fabs(stats_detail::stirling_error(k) - stats_detail::stirling_error(k + 1) -
                    double(rhs)) <= tolerance);
  }
  // Far out, δ(k) ≈ 1/(12k).
  CHECK(stats_detail::stirling_error(2073600) ==
        doctest::Approx(1.0 / (12.0 * 2073600)).epsilon(1e-12));
  CHECK_THROWS_AS(stats_detail::stirling_error(0), ContractViolation);
}

TEST_CASE("the binomial deviance matches x·ln(x/μ) + μ − x without losing digits near x = μ") {
  CHECK(stats_detail::binomial_deviance(0.0, 2.5) == 2.5);
  CHECK(stats_detail::binomial_deviance(7.0, 7.0) == 0.0);
  for (double mu : {0.3, 287.9, 2591.1, 1.0e6}) {
    for (double t : {-0.9, -0.2, -0.09, -1e-3, 1e-3, 0.05, 0.1, 0.3, 5.0}) {
      const double x = std::round(mu * (1 + t)) > 0 ? std::round(mu * (1 + t)) : 1.0;
      const long double u = (long double)(x) / mu - 1.0L;  // D = μ·((1 + u)·ln(1 + u) − u)
      const long double want = mu * ((1 + u) * std::log1p(u) - u);
      if (std::fabs(double(u)) < 1e-3) continue;  // the long-double twin itself cancels there
      INFO("x = " << x << ", mu = " << mu);
      CHECK(relative_error(stats_detail::binomial_deviance(x, mu), double(want)) <= 1e-14);
    }
  }
}

TEST_CASE("hypergeometric pmf, cdf and sf equal exact integer ratios for every case up to M = 60") {
  const Pascal C(60);
  Accuracy acc;
  for (int64_t M = 0; M <= 16; ++M)
    for (int64_t K = 0; K <= M; ++K)
      for (int64_t n = 0; n <= M; ++n) compare_with_exact(C, M, K, n, acc);
  for (int64_t M : {33, 47, 60})  // N ≥ 33 is where C(N², k) first overflows; M here is N
    for (int64_t K = 0; K <= M; K += (M / 6))
      for (int64_t n = 0; n <= M; n += 7) compare_with_exact(C, M, K, n, acc);
  INFO("cases " << acc.cases << ": max relative error pmf " << acc.pmf << ", cdf " << acc.cdf
                << ", sf " << acc.sf);
  CHECK(acc.pmf <= kRelTolerance);
  CHECK(acc.cdf <= kRelTolerance);
  CHECK(acc.sf <= kRelTolerance);
}

TEST_CASE(
    "the MST-overlap baseline at N = 1440 matches a long-double recurrence over the whole "
    "support") {
  // M = N², K = 2N − 1 tree edges, n = (1 − s)·N² entries kept, for s = 0.9 and s = 0.1.
  const int64_t N = 1440, M = N * N, K = 2 * N - 1;
  for (int64_t n : {M / 10, 9 * (M / 10)}) {
    const HypergeomSupport s = hypergeom_support(M, K, n);
    const int64_t mode = hypergeom_mode(M, K, n);
    const int64_t size = s.hi - s.lo + 1;
    std::vector<long double> r(static_cast<size_t>(size));
    r[size_t(mode - s.lo)] = 1;
    for (int64_t x = mode; x < s.hi; ++x)
      r[size_t(x + 1 - s.lo)] = r[size_t(x - s.lo)] * ((long double)((K - x) * (n - x)) /
                                                       ((x + 1) * (M - K - n + x + 1)));
    for (int64_t x = mode; x > s.lo; --x)
      r[size_t(x - 1 - s.lo)] =
          r[size_t(x - s.lo)] * ((long double)(x * (M - K - n + x)) / ((K - x + 1) * (n - x + 1)));
    // Tail sums of the twin, each accumulated from its small end.
    std::vector<long double> below(static_cast<size_t>(size)), above(static_cast<size_t>(size));
    long double acc = 0;
    for (int64_t i = 0; i < size; ++i) below[size_t(i)] = (acc += r[size_t(i)]);
    acc = 0;
    for (int64_t i = size - 1; i >= 0; --i) {
      above[size_t(i)] = acc;  // Σ_{j > x}
      acc += r[size_t(i)];
    }
    const long double total = below[size_t(size - 1)];
    const double twin_error =
        2.0 * double(size) * double(std::numeric_limits<long double>::epsilon());
    const double tolerance = kRelTolerance + twin_error;

    // Where P is a normal double, |Δ ln P| is the relative error of P and must meet the
    // specification. Deeper in the tail P exists only as its log, which cannot be more accurate
    // than a few ulps of ln P itself (ulp(6647) ≈ 9e-13): there the log's relative error is
    // checked, against 8ε (ln P is a sum of non-cancelling terms, each good to an ulp or two).
    Accuracy normal, deep;  // relative error of P; relative error of ln P
    double pmf_sum = 0, previous_cdf = 0, previous_sf = 1;
    const auto record = [&](double& normal_worst, double& deep_worst, double got, long double num) {
      if (num < std::numeric_limits<long double>::min()) return;  // the twin underflowed too
      const double want = double(std::log(num / total));
      if (want > std::log(DBL_MIN)) {
        normal_worst = std::max(normal_worst, std::fabs(got - want));
      } else {
        deep_worst = std::max(deep_worst, std::fabs(got - want) / std::fabs(want));
      }
    };
    for (int64_t x = s.lo; x <= s.hi; ++x) {
      const size_t i = size_t(x - s.lo);
      const double log_pmf = hypergeom_log_pmf(x, M, K, n), log_cdf = hypergeom_log_cdf(x, M, K, n),
                   log_sf = hypergeom_log_sf(x, M, K, n);
      const double cdf = hypergeom_cdf(x, M, K, n), sf = hypergeom_sf(x, M, K, n);
      INFO("n = " << n << ", x = " << x);
      // Probabilities, finite logs (never NaN), monotone tails — also where they underflow.
      REQUIRE((cdf >= 0 && cdf <= 1 && sf >= 0 && sf <= 1));
      REQUIRE(std::isfinite(log_pmf));
      REQUIRE(cdf >= previous_cdf);
      REQUIRE(sf <= previous_sf);
      previous_cdf = cdf;
      previous_sf = sf;
      pmf_sum += hypergeom_pmf(x, M, K, n);
      record(normal.pmf, deep.pmf, log_pmf, r[i]);
      record(normal.cdf, deep.cdf, log_cdf, below[i]);
      if (x < s.hi) record(normal.sf, deep.sf, log_sf, above[i]);
    }
    INFO("n = " << n << ": max relative error of P: pmf " << normal.pmf << ", cdf " << normal.cdf
                << ", sf " << normal.sf << " (tolerance " << tolerance
                << "); of ln P below 1e-308: pmf " << deep.pmf << ", cdf " << deep.cdf << ", sf "
                << deep.sf);
    CHECK(std::max({normal.pmf, normal.cdf, normal.sf}) <= tolerance);
    CHECK(std::max({deep.pmf, deep.cdf, deep.sf}) <= 8 * DBL_EPSILON);
    CHECK(std::fabs(pmf_sum - 1.0) <= kRelTolerance);
    // The paper's expectation (2N − 1)(1 − s) is the mean; the variance matches its moment sum.
    CHECK(hypergeom_mean(M, K, n) ==
          doctest::Approx(double(K) * double(n) / double(M)).epsilon(1e-15));
    long double second = 0;
    const long double mean = (long double)(K)*n / M;
    for (int64_t x = s.lo; x <= s.hi; ++x)
      second += (x - mean) * (x - mean) * r[size_t(x - s.lo)] / total;
    CHECK(hypergeom_var(M, K, n) == doctest::Approx(double(second)).epsilon(1e-12));
  }
}

TEST_CASE("far hypergeometric tails are tiny positive numbers or exactly zero, with finite logs") {
  const int64_t M = 1440 * 1440, K = 2879, n = M / 10;  // mean 287.9, sd ≈ 16
  // P[X > K − 1] = P[X = K] = C(M − K, n − K)/C(M, n) ≈ 0.1^2879: far below the smallest double.
  CHECK(hypergeom_sf(K - 1, M, K, n) == 0.0);
  const double log_tail = hypergeom_log_sf(K - 1, M, K, n);
  CHECK(log_tail == doctest::Approx(hypergeom_log_pmf(K, M, K, n)).epsilon(1e-15));
  CHECK(log_tail < -6000);
  CHECK(std::isfinite(log_tail));
  // Around 1e-300 the tail is a (possibly subnormal) positive number and agrees with its log.
  for (int64_t x = 800; x <= 1000; x += 20) {
    const double sf = hypergeom_sf(x, M, K, n), log_sf = hypergeom_log_sf(x, M, K, n);
    INFO("x = " << x << ", log sf = " << log_sf);
    CHECK(sf >= 0);
    if (log_sf > -700) CHECK(std::log(sf) == doctest::Approx(log_sf).epsilon(1e-13));
    if (log_sf < -746) CHECK(sf == 0.0);
  }
  CHECK(hypergeom_cdf(0, M, K, n) > 0);  // P[X = 0] ≈ 0.9^2879 ≈ 1e-132
}

TEST_CASE("degenerate hypergeometric parameters give point masses exactly") {
  CHECK(hypergeom_pmf(0, 0, 0, 0) == 1.0);
  CHECK(hypergeom_pmf(0, 10, 0, 4) == 1.0);   // no successes
  CHECK(hypergeom_pmf(0, 10, 3, 0) == 1.0);   // nothing drawn
  CHECK(hypergeom_pmf(3, 10, 3, 10) == 1.0);  // everything drawn
  CHECK(hypergeom_pmf(4, 10, 10, 4) == 1.0);  // everything is a success
  CHECK(hypergeom_log_pmf(5, 10, 3, 4) == -std::numeric_limits<double>::infinity());
  CHECK(hypergeom_var(1, 1, 1) == 0.0);
  CHECK(hypergeom_mean(0, 0, 0) == 0.0);
  const HypergeomSupport s = hypergeom_support(10, 7, 6);
  CHECK(s.lo == 3);
  CHECK(s.hi == 6);
}

TEST_CASE("the hypergeometric mode is the largest most probable value, also for huge populations") {
  const Pascal C(40);
  for (int64_t M = 1; M <= 40; ++M)
    for (int64_t K = 0; K <= M; ++K)
      for (int64_t n = 0; n <= M; ++n) {
        const HypergeomSupport s = hypergeom_support(M, K, n);
        int64_t best = s.lo;
        for (int64_t x = s.lo; x <= s.hi; ++x)
          if (C(K, x) * C(M - K, n - x) >= C(K, best) * C(M - K, n - best)) best = x;
        INFO("M = " << M << ", K = " << K << ", n = " << n);
        REQUIRE(hypergeom_mode(M, K, n) == best);
      }
  // (K + 1)(n + 1) ≈ 2^104 overflows int64 and is not exact in a double; the mode still is.
  const int64_t big = kHypergeomMaxPopulation;
  CHECK(hypergeom_mode(big, big / 2 - 1, big / 2 + 1) == big / 4);
}

TEST_CASE("invalid hypergeometric parameters are contract violations naming the values") {
  CHECK_THROWS_AS(hypergeom_pmf(0, 5, 6, 1), ContractViolation);
  CHECK_THROWS_AS(hypergeom_cdf(0, 5, 1, 6), ContractViolation);
  CHECK_THROWS_AS(hypergeom_sf(0, -1, 0, 0), ContractViolation);
  CHECK_THROWS_AS(hypergeom_mean(5, -1, 2), ContractViolation);
  CHECK_THROWS_AS(hypergeom_var(kHypergeomMaxPopulation + 1, 1, 1), ContractViolation);
  std::string what;
  try {
    (void)hypergeom_pmf(0, 3, 5, 2);
  } catch (const ContractViolation& e) {
    what = e.what();
  }
  CHECK(what.find("M = 3, K = 5, n = 2") != std::string::npos);
}

// ---- App. 10.1 -------------------------------------------------------------------------------

namespace {

// Union-find over the 2N ≤ 8 vertices of the bipartite graph (rows 0..N−1, columns N..2N−1),
// small enough to copy by value at each level of the enumeration.
struct Forest {
  std::array<int, 8> parent{};
  int find(int v) {
    while (parent[size_t(v)] != v) v = parent[size_t(v)];
    return v;
  }
};

// Places rank `rank` (0 = largest |w|) in every free cell, runs Kruskal's step for it, and
// recurses; once the tree has all 2N − 1 edges no later rank can join it, so the remaining
// (N² − rank − 1)! placements are counted at once. in_tree[k] counts placements with rank k in
// the tree.
void enumerate_placements(int N, int rank, uint32_t used, Forest forest, int edges,
                          const std::vector<double>& factorial, std::vector<double>& in_tree) {
  const int entries = N * N;
  for (int cell = 0; cell < entries; ++cell) {
    if ((used >> cell) & 1u) continue;
    Forest next = forest;
    const int a = next.find(cell / N), b = next.find(N + cell % N);
    if (a == b) {
      if (rank + 1 < entries)
        enumerate_placements(N, rank + 1, used | (1u << cell), next, edges, factorial, in_tree);
      continue;
    }
    next.parent[size_t(a)] = b;
    in_tree[size_t(rank)] += factorial[size_t(entries - rank - 1)];
    if (edges + 1 < 2 * N - 1)
      enumerate_placements(N, rank + 1, used | (1u << cell), next, edges + 1, factorial, in_tree);
  }
}

// P[the k-th largest entry is a maximum-spanning-tree edge], k = 1..N², over all (N²)! equally
// likely placements of the ranked magnitudes in an N×N matrix (Kruskal on the bipartite graph).
std::vector<double> tree_membership_by_rank(int N) {
  const int entries = N * N;
  std::vector<double> factorial(static_cast<size_t>(entries + 1), 1.0);
  for (int i = 1; i <= entries; ++i) factorial[size_t(i)] = factorial[size_t(i - 1)] * i;
  Forest forest;
  for (int v = 0; v < 2 * N; ++v) forest.parent[size_t(v)] = v;
  std::vector<double> in_tree(static_cast<size_t>(entries), 0.0);
  enumerate_placements(N, 0, 0u, forest, 0, factorial, in_tree);
  for (double& p : in_tree) p /= factorial[size_t(entries)];
  return in_tree;
}

}  // namespace

TEST_CASE(
    "the top-prob MST bound never exceeds the exact expected overlap over all placements (N = 2, "
    "3)") {
  for (int N : {2, 3}) {
    const std::vector<double> membership = tree_membership_by_rank(N);
    double tree_size = 0;
    for (double m : membership) tree_size += m;
    CHECK(tree_size == doctest::Approx(2 * N - 1));
    // Per rank: the top three are always in the tree; beyond, the paper's probability bound.
    for (int k = 1; k <= N * N; ++k) {
      const double lower = k <= 3   ? 1.0
                           : k <= N ? double((N - (k - 1)) * (N - (k - 1))) / (N * N - (k - 1))
                                    : 0.0;
      INFO("N = " << N << ", k = " << k);
      CHECK(membership[size_t(k - 1)] >= lower - 1e-15);
    }
    // For any non-increasing keep probabilities, E[kept tree edges] = Σ p_k·P[k in tree] ≥ bound.
    const std::vector<std::vector<double>> keeps = {std::vector<double>(size_t(N * N), 1.0),
                                                    {1.0, 0.9, 0.5, 0.4, 0.4, 0.2, 0.1, 0.05, 0.0},
                                                    {0.6, 0.3}};
    for (std::vector<double> p : keeps) {
      p.resize(std::min(p.size(), size_t(N * N)));
      double expected = 0;
      for (size_t k = 0; k < p.size(); ++k) expected += p[k] * membership[k];
      CHECK(topprob_mst_overlap_bound(p, N) <= expected + 1e-15);
    }
  }
}

TEST_CASE("the top-prob MST bound matches the App. 10.1 formula term by term") {
  // N = 4: k = 1..3 count fully; k = 4: (4 − 3)²/(16 − 3) = 1/13; k ≥ 5 contributes nothing.
  const std::vector<double> p = {1.0, 1.0, 0.5, 0.26, 0.2, 0.1};
  CHECK(topprob_mst_overlap_bound(p, 4) == doctest::Approx(2.5 + 0.26 / 13).epsilon(1e-15));
  // N = 10, every p = 1: 3 + Σ_{k=4..10} (11 − k)²/(101 − k); a count, at most 2N − 1 = 19.
  double want = 3;
  for (int k = 4; k <= 10; ++k) want += double((11 - k) * (11 - k)) / (101 - k);
  const double all_kept = topprob_mst_overlap_bound(std::vector<double>(100, 1.0), 10);
  CHECK(all_kept == doctest::Approx(want).epsilon(1e-15));
  CHECK(all_kept <= 19);
  CHECK(topprob_mst_overlap_bound({}, 5) == 0.0);  // nothing kept
  CHECK(topprob_mst_overlap_bound({0.7}, 1) == 0.7);
  CHECK(topprob_mst_overlap_bound({0.7, 0.6, 0.5}, 2) ==
        doctest::Approx(1.8));  // k = 3 > N still counts
}

TEST_CASE("the top-prob MST bound rejects unsorted, out-of-range or too many probabilities") {
  CHECK_THROWS_AS(topprob_mst_overlap_bound({0.5, 0.6}, 3), ContractViolation);
  CHECK_THROWS_AS(topprob_mst_overlap_bound({1.5}, 3), ContractViolation);
  CHECK_THROWS_AS(topprob_mst_overlap_bound({NAN}, 3), ContractViolation);
  CHECK_THROWS_AS(topprob_mst_overlap_bound(std::vector<double>(5, 0.1), 2), ContractViolation);
  CHECK_THROWS_AS(topprob_mst_overlap_bound({0.1}, 0), ContractViolation);
}
