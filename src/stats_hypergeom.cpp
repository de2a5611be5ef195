// stats_hypergeom.cpp — the hypergeometric distribution in log space (SPEC §5, paper App. 10.2)
// and the top-prob MST-overlap lower bound (App. 10.1). See stats.hpp for what they are for.
//
// How ln P[X = x] is formed. With p = n/M and q = 1 − p, multiply the numerator and the
// denominator of C(K, x)·C(M − K, n − x)/C(M, n) by pⁿ·q^(M−n):
//     P[X = x] = b(x; K, p) · b(n − x; M − K, p) / b(n; M, p),   b(x; m, p) = C(m, x)·pˣ·q^(m−x).
// Each binomial term is evaluated in the saddle-point form (Loader, "Fast and accurate
// computation of binomial probabilities", 2000), which follows from Stirling's formula with
// its error term, ln k! = (k + ½)·ln k − k + ½·ln 2π + δ(k):
//     ln b(x; m, p) = δ(m) − δ(x) − δ(m − x) − D(x, mp) − D(m − x, mq) + ½·ln(m / (2π·x·(m − x)))
// with the deviance D(x, μ) = x·ln(x/μ) + μ − x ≥ 0. The terms of size ln M! cancel
// analytically instead of numerically: what is left are δ's (≤ 0.082), non-negative deviances
// computed without cancellation, and one log of moderate size, so ln P carries an absolute
// error of ~1e-15 (a relative error of P of the same size), where a difference of lgamma
// values of size 2.7·10⁷ (M = 1440²) carries ~4e-9. In the denominator x = mp exactly, so its
// deviances vanish.
//
// Not here: drawing random subsets (rng.hpp, prune.hpp); the spanning tree itself (graph.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "biornn/check.hpp"
#include "biornn/stats.hpp"
#include "stats_internal.hpp"

namespace biornn {
namespace stats_detail {

namespace {

// δ(k) for k = 1..15 from its definition ln Γ(k + 1) − (k + ½)·ln k + k − ½·ln 2π, evaluated
// in 50-digit arithmetic (mpmath) and rounded to 21 digits. tests/test_stats_hypergeom.cpp
// checks every entry against the exact recurrence δ(k) − δ(k + 1) = (k + ½)·ln(1 + 1/k) − 1,
// which also ties the table to the series at the seam k = 15 → 16.
constexpr double kStirlingErrorTable[16] = {
    0.0,  // k = 0 is never used: every caller handles the end-points x = 0 and x = m itself
    0.0810614667953272582197,
    0.0413406959554092940938,
    0.0276779256849983391488,
    0.0207906721037650931115,
    0.0166446911898211921632,
    0.0138761288230707479987,
    0.0118967099458917700951,
    0.0104112652619720964975,
    0.00925546218271273291773,
    0.00833056343336287125647,
    0.00757367548795184079497,
    0.00694284010720952986566,
    0.00640899418800420706844,
    0.00595137011275884773562,
    0.00555473355196280137104,
};

}  // namespace

double stirling_error(int64_t k) {
  BIORNN_CHECK(k >= 1, "stirling_error(k) needs k >= 1, got " + std::to_string(k));
  if (k <= 15) return kStirlingErrorTable[k];
  return stirling_error_series(double(k));
}

double stirling_error_series(double x) {
  BIORNN_CHECK(x >= 15, "stirling_error_series(x) needs x >= 15, got " + std::to_string(x));
  // The Stirling series Σ_j B_2j / (2j(2j − 1)·x^(2j−1)):
  //   1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹) − 691/(360360x¹¹) + …
  // The first omitted term, 1/(156·x¹³), is below 6e-18 for x ≥ 15.
  const double r2 = 1.0 / (x * x);
  return (1.0 / 12 -
          (1.0 / 360 -
           (1.0 / 1260 - (1.0 / 1680 - (1.0 / 1188 - 691.0 / 360360 * r2) * r2) * r2) * r2) *
              r2) /
         x;
}

double binomial_deviance(double x, double mu) {
  if (x == 0) return mu;
  const double d = x - mu, s = x + mu;
  if (std::fabs(d) < 0.5 * s) {
    // With v = d/s, x·ln(x/μ) = x·ln((1 + v)/(1 − v)) = 2x·(v + v³/3 + v⁵/5 + …) and
    // 2x·v − d = d·v, so D = d·v + 2x·(v³/3 + v⁵/5 + …). The leading d·v = s·v² dominates: the
    // next term is at most (2/3)|v| ≤ 1/3 of it, so there is no cancellation worth a digit, and
    // the terms shrink by v² ≤ ¼ (at most ~27 of them).
    const double v = d / s, v2 = v * v;
    double sum = d * v;
    double power = 2 * x * v;
    for (int j = 1;; ++j) {
      power *= v2;
      const double next = sum + power / (2 * j + 1);
      if (next == sum) return sum;
      sum = next;
    }
  }
  // Here x ≥ 3μ or x ≤ μ/3: x·ln(x/μ) and μ − x differ by a factor of 1.6 or more, so the
  // subtraction costs at most ~1 bit, less further out. (Why the series reaches |v| = ½: cut
  // at |v| = 0.1, this branch lost enough to give 3.8e-14 relative error in a tail sum at
  // M = 1440².)
  return x * std::log(x / mu) + (mu - x);
}

}  // namespace stats_detail

namespace {

using stats_detail::binomial_deviance;
using stats_detail::stirling_error;

constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// Summation stops once the remaining terms are provably below this fraction of the sum.
constexpr double kNegligible = 0x1p-64;
// Tail sums step from term to term by the exact ratio and re-evaluate the pmf this often.
constexpr int64_t kReanchorEvery = 32;

void check_parameters(int64_t M, int64_t K, int64_t n) {
  const auto where = [&] {
    return "hypergeometric(M = " + std::to_string(M) + ", K = " + std::to_string(K) +
           ", n = " + std::to_string(n) + "): ";
  };
  BIORNN_CHECK(M >= 0 && M <= kHypergeomMaxPopulation,
               where() + "the population M must be in [0, 2^53]");
  BIORNN_CHECK(K >= 0 && K <= M, where() + "the successes K must be in [0, M]");
  BIORNN_CHECK(n >= 0 && n <= M, where() + "the draws n must be in [0, M]");
}

// a·b < c·d for non-negative 64-bit integers, exactly: products are formed in 128 bits from
// 32-bit halves (no compiler extension needed).
struct U128 {
  uint64_t hi, lo;
};
U128 multiply_wide(uint64_t a, uint64_t b) {
  const uint64_t mask = 0xffffffffu;
  const uint64_t a0 = a & mask, a1 = a >> 32, b0 = b & mask, b1 = b >> 32;
  const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const uint64_t mid = (p00 >> 32) + (p01 & mask) + (p10 & mask);
  return {p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & mask)};
}
bool product_less(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  const U128 l = multiply_wide(a, b), r = multiply_wide(c, d);
  return l.hi != r.hi ? l.hi < r.hi : l.lo < r.lo;
}

// ln b(x; m, p) in the saddle-point form above; mp and mq are the two means m·p and m·q.
double log_binomial_term(int64_t x, int64_t m, double mp, double mq) {
  if (m == 0) return 0.0;  // then x = 0: the empty product
  // At the end-points the Stirling form has ln 0. There m·ln q = −(D(m, mq) + mp), exact algebra
  // since mp + mq = m, which keeps the same deviance form (and the same rounded means) as the
  // general case.
  if (x == 0) return -(binomial_deviance(double(m), mq) + mp);
  if (x == m) return -(binomial_deviance(double(m), mp) + mq);
  const double xd = double(x), yd = double(m - x);
  return stirling_error(m) - stirling_error(x) - stirling_error(m - x) - binomial_deviance(xd, mp) -
         binomial_deviance(yd, mq) + 0.5 * std::log(double(m) / (kTwoPi * xd * yd));
}

// One distribution with its support, mode and the x-independent parts of ln P precomputed.
class Hypergeom {
 public:
  Hypergeom(int64_t M, int64_t K, int64_t n) : M_(M), K_(K), n_(n) {
    check_parameters(M, K, n);
    support_ = {std::max<int64_t>(0, n + K - M), std::min(n, K)};
    const double p = double(n) / double(M > 0 ? M : 1), q = double(M - n) / double(M > 0 ? M : 1);
    successes_mp_ = double(K) * p;
    successes_mq_ = double(K) * q;
    failures_mp_ = double(M - K) * p;
    failures_mq_ = double(M - K) * q;
    // ln b(n; M, n/M): x equals the mean, so both deviances are 0.
    log_denominator_ = (n == 0 || n == M)
                           ? 0.0
                           : stirling_error(M) - stirling_error(n) - stirling_error(M - n) +
                                 0.5 * std::log(double(M) / (kTwoPi * double(n) * double(M - n)));
  }

  HypergeomSupport support() const { return support_; }
  bool in_support(int64_t x) const { return x >= support_.lo && x <= support_.hi; }

  int64_t mode() const {
    // pmf(x)/pmf(x − 1) = (K − x + 1)(n − x + 1)/(x·(M − K − n + x)) ≥ 1
    //   ⇔  x·(M + 2) ≤ (K + 1)(n + 1),
    // so the mode is floor((K + 1)(n + 1)/(M + 2)). A double estimate, corrected exactly.
    const auto rises_to = [&](int64_t x) {  // pmf(x) ≥ pmf(x − 1)
      return !product_less(uint64_t(K_ + 1), uint64_t(n_ + 1), uint64_t(x), uint64_t(M_ + 2));
    };
    const double estimate = std::floor(double(K_ + 1) * double(n_ + 1) / double(M_ + 2));
    int64_t c = std::clamp(int64_t(estimate), support_.lo, support_.hi);
    while (c < support_.hi && rises_to(c + 1)) ++c;
    while (c > support_.lo && !rises_to(c)) --c;
    return c;
  }

  // ln P[X = x] for x in the support.
  double log_pmf_in_support(int64_t x) const {
    if (support_.lo == support_.hi) return 0.0;
    return log_binomial_term(x, K_, successes_mp_, successes_mq_) +
           log_binomial_term(n_ - x, M_ - K_, failures_mp_, failures_mq_) - log_denominator_;
  }

  // P[X = x + 1]/P[X = x] and P[X = x − 1]/P[X = x], for x and its neighbour in the support.
  double ratio_up(int64_t x) const {
    return (double(K_ - x) * double(n_ - x)) / (double(x + 1) * double(M_ - K_ - n_ + x + 1));
  }
  double ratio_down(int64_t x) const {
    return (double(x) * double(M_ - K_ - n_ + x)) / (double(K_ - x + 1) * double(n_ - x + 1));
  }

  // Σ_{x=a..b} P[X = x] as exp(log_anchor)·scaled, for lo ≤ a ≤ b ≤ hi.
  //
  // The anchor is the largest term of the range (the mode clamped into it; the pmf is
  // unimodal), so every scaled term is ≤ 1 and nothing overflows. From the anchor the sum
  // walks outwards, each term from its neighbour by the exact ratio above (4 roundings, so
  // ≤ 4.4e-16 relative per step), re-anchored to the directly evaluated pmf every
  // kReanchorEvery steps so that the drift never exceeds ~1.4e-14. The pmf is log-concave (the
  // ratio decreases in x), so once a step shrinks the term by r < 1 the rest of that side is
  // at most t·r/(1 − r), and the walk stops when that is below 2⁻⁶⁴ of the sum.
  // Monotone in x: while the anchor is the mode, the side towards the range's fixed end (lo
  // for the cdf, hi for the sf) is summed first, so moving x only appends terms to the same
  // sequence of additions — exactly monotone. While the anchor is x itself (x in the small
  // tail), one step of x changes the sum by at least 1/(x − lo + 1) of itself (the new term
  // is the largest), far more than its ~1e-14 rounding error.
  struct Sum {
    double log_anchor;
    double scaled;
  };
  Sum sum_range(int64_t a, int64_t b, bool fixed_end_is_low) const {
    const int64_t anchor = std::clamp(mode(), a, b);
    const double log_anchor = log_pmf_in_support(anchor);
    double sum = 1.0;
    const auto walk = [&](int64_t to, int64_t step) {
      double t = 1.0;
      int64_t steps = 0;
      for (int64_t x = anchor + step; step > 0 ? x <= to : x >= to; x += step) {
        const double ratio = step > 0 ? ratio_up(x - 1) : ratio_down(x + 1);
        t = (++steps % kReanchorEvery == 0) ? std::exp(log_pmf_in_support(x) - log_anchor)
                                            : t * ratio;
        sum += t;
        if (ratio < 1 && t * ratio <= kNegligible * sum * (1 - ratio)) break;
      }
    };
    if (fixed_end_is_low) {
      walk(a, -1);
      walk(b, +1);
    } else {
      walk(b, +1);
      walk(a, -1);
    }
    return {log_anchor, sum};
  }

 private:
  int64_t M_, K_, n_;
  HypergeomSupport support_{};
  double successes_mp_ = 0, successes_mq_ = 0, failures_mp_ = 0, failures_mq_ = 0;
  double log_denominator_ = 0;
};

double log_of(const Hypergeom::Sum& s) { return std::min(0.0, s.log_anchor + std::log(s.scaled)); }

double probability_of(const Hypergeom::Sum& s) {
  // exp(log_anchor) is the same number for every x that shares the anchor, so scaling the
  // (monotone) sum by it keeps the result monotone. Far in the tail, where exp(log_anchor)
  // alone would already be subnormal, a single exp of the total keeps the most bits.
  const double p = s.log_anchor > -700 ? std::exp(s.log_anchor) * s.scaled
                                       : std::exp(s.log_anchor + std::log(s.scaled));
  return std::min(1.0, p);
}

}  // namespace

HypergeomSupport hypergeom_support(int64_t M, int64_t K, int64_t n) {
  return Hypergeom(M, K, n).support();
}

int64_t hypergeom_mode(int64_t M, int64_t K, int64_t n) { return Hypergeom(M, K, n).mode(); }

double hypergeom_mean(int64_t M, int64_t K, int64_t n) {
  check_parameters(M, K, n);
  return M == 0 ? 0.0 : double(n) * double(K) / double(M);
}

double hypergeom_var(int64_t M, int64_t K, int64_t n) {
  check_parameters(M, K, n);
  if (M <= 1) return 0.0;
  const double Md = double(M);
  return double(n) / Md * (double(K) / Md) * double(M - K) * double(M - n) / double(M - 1);
}

double hypergeom_log_pmf(int64_t x, int64_t M, int64_t K, int64_t n) {
  const Hypergeom h(M, K, n);
  return h.in_support(x) ? h.log_pmf_in_support(x) : kNegInf;
}

double hypergeom_pmf(int64_t x, int64_t M, int64_t K, int64_t n) {
  return std::exp(hypergeom_log_pmf(x, M, K, n));
}

double hypergeom_log_cdf(int64_t x, int64_t M, int64_t K, int64_t n) {
  const Hypergeom h(M, K, n);
  const HypergeomSupport s = h.support();
  if (x < s.lo) return kNegInf;
  if (x >= s.hi) return 0.0;
  return log_of(h.sum_range(s.lo, x, /*fixed_end_is_low=*/true));
}

double hypergeom_cdf(int64_t x, int64_t M, int64_t K, int64_t n) {
  const Hypergeom h(M, K, n);
  const HypergeomSupport s = h.support();
  if (x < s.lo) return 0.0;
  if (x >= s.hi) return 1.0;
  return probability_of(h.sum_range(s.lo, x, /*fixed_end_is_low=*/true));
}

double hypergeom_log_sf(int64_t x, int64_t M, int64_t K, int64_t n) {
  const Hypergeom h(M, K, n);
  const HypergeomSupport s = h.support();
  if (x < s.lo) return 0.0;
  if (x >= s.hi) return kNegInf;
  return log_of(h.sum_range(x + 1, s.hi, /*fixed_end_is_low=*/false));
}

double hypergeom_sf(int64_t x, int64_t M, int64_t K, int64_t n) {
  const Hypergeom h(M, K, n);
  const HypergeomSupport s = h.support();
  if (x < s.lo) return 1.0;
  if (x >= s.hi) return 0.0;
  return probability_of(h.sum_range(x + 1, s.hi, /*fixed_end_is_low=*/false));
}

double topprob_mst_overlap_bound(const std::vector<double>& p_sorted_desc, int64_t n) {
  BIORNN_CHECK(n >= 1 && n <= std::numeric_limits<int32_t>::max(),
               "topprob_mst_overlap_bound: the matrix side N must be in [1, 2^31 - 1], got " +
                   std::to_string(n));
  const int64_t entries = n * n;
  const int64_t count = int64_t(p_sorted_desc.size());
  BIORNN_CHECK(count <= entries,
               "topprob_mst_overlap_bound: " + std::to_string(count) +
                   " keep probabilities for an N×N matrix with N = " + std::to_string(n) +
                   " (at most N² = " + std::to_string(entries) + ")");
  for (int64_t k = 0; k < count; ++k) {
    const double p = p_sorted_desc[size_t(k)];
    BIORNN_CHECK(p >= 0 && p <= 1, "topprob_mst_overlap_bound: keep probability #" +
                                       std::to_string(k + 1) + " is " + std::to_string(p) +
                                       ", outside [0, 1]");
    BIORNN_CHECK(k == 0 || p <= p_sorted_desc[size_t(k - 1)],
                 "topprob_mst_overlap_bound: keep probabilities must be sorted by descending "
                 "|w| (non-increasing), but #" +
                     std::to_string(k + 1) + " > #" + std::to_string(k));
  }
  // Terms with k > max(3, N) are bounded by 0; the top three always count in full.
  const int64_t last = std::min(count, std::max<int64_t>(3, n));
  double bound = 0;
  for (int64_t k = 1; k <= last; ++k) {
    const double p = p_sorted_desc[size_t(k - 1)];
    if (k <= 3) {
      bound += p;
    } else {
      const double isolated = double(n - (k - 1));  // untouched vertices on each side, at least
      bound += p * isolated * isolated / double(entries - (k - 1));
    }
  }
  return bound;
}

}  // namespace biornn
