// stats_tests.cpp — two-sample tests and multiple-comparison correction (see stats.hpp):
// Mann–Whitney U (exact null distribution or tie-corrected normal approximation), Welch's
// t-test with Student's t from the regularized incomplete beta function, and Holm's step-down
// adjustment.
//
// References for the formulas: the continued fraction for I_x(a, b) is DLMF 8.17.22, evaluated
// with the modified Lentz method (Thompson & Barnett 1986); the null distribution of U is the
// coefficient list of the Gaussian binomial [m + n choose m]_q (Mann & Whitney 1947 count it
// with the recursion c(u; m, n) = c(u − n; m − 1, n) + c(u; m, n − 1), whose generating function
// this is).
//
// Not here: the normal distribution (stats.cpp); the hypergeometric (stats_hypergeom.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "biornn/check.hpp"
#include "biornn/stats.hpp"
#include "stats_internal.hpp"

namespace biornn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- regularized incomplete beta -------------------------------------------------------------

// 1/(1 + d₁/(1 + d₂/(1 + …))) with (DLMF 8.17.22)
//   d_{2m+1} = −(a + m)(a + b + m)·x / ((a + 2m)(a + 2m + 1)),
//   d_{2m}   = m(b − m)·x / ((a + 2m − 1)(a + 2m)),
// by the modified Lentz method: the convergents' ratios C and D are updated directly, and a
// zero denominator is nudged to `tiny` instead of dividing by it. NaN if 10000 terms do not
// converge (which the caller's choice x < (a + 1)/(a + b + 2) prevents for a, b ≲ 10⁷).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300;
  constexpr double tolerance = 4 * std::numeric_limits<double>::epsilon();
  double f = 1.0, c = 1.0, d = 0.0;
  for (int j = 1; j <= 10000; ++j) {
    const int m = j / 2;
    const double dj = (j % 2 == 1) ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                                   : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1.0 + dj * d;
    if (std::fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    c = 1.0 + dj / c;
    if (std::fabs(c) < tiny) c = tiny;
    const double delta = c * d;
    f *= delta;
    if (std::fabs(delta - 1.0) < tolerance) return 1.0 / f;
  }
  return kNaN;
}

// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). For a large argument the plain lgamma sum
// cancels values of size a·ln a (2.7·10⁷ for 10⁶) and keeps their ~1e-9 absolute error; with
// Stirling's formula ln Γ(x) = (x − ½)·ln x − x + ½·ln 2π + δ(x) the large parts cancel
// analytically instead:
//   ln Γ(x) − ln Γ(x + y) = −(x − ½)·log1p(y/x) − y·ln(x + y) + y + δ(x) − δ(x + y),
//   ln B(a, b) = ½·ln 2π − ½·ln(a + b) − (a − ½)·log1p(b/a) − (b − ½)·log1p(a/b)
//                + δ(a) + δ(b) − δ(a + b).
double log_beta(double a, double b) {
  constexpr double kHalfLog2Pi = 0.91893853320467274178032973640562;
  const double small = std::min(a, b), big = std::max(a, b);
  if (big < 15) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  using stats_detail::stirling_error_series;
  if (small < 15)
    return std::lgamma(small) - (big - 0.5) * std::log1p(small / big) -
           small * std::log(big + small) + small + stirling_error_series(big) -
           stirling_error_series(big + small);
  return kHalfLog2Pi - 0.5 * std::log(a + b) - (a - 0.5) * std::log1p(b / a) -
         (b - 0.5) * std::log1p(a / b) + stirling_error_series(a) + stirling_error_series(b) -
         stirling_error_series(a + b);
}

// I_x(a, b) from x, y = 1 − x and their logarithms, all supplied accurately by the caller: x
// may underflow while ln x is still finite (Student's t with t² beyond the double range).
// Relative error ≈ ε·(a·|ln x| + b·|ln y| + |ln B(a, b)|) from the prefactor, plus the
// fraction's few ε; so a large a needs ln x accurate in absolute terms (Student's t below).
double incomplete_beta(double a, double b, double x, double y, double log_x, double log_y) {
  if (std::isinf(log_x)) return 0.0;  // x = 0
  if (std::isinf(log_y)) return 1.0;  // x = 1
  // The fraction converges fast left of the mean a/(a + b); on the right use the symmetry
  // I_x(a, b) = 1 − I_{1−x}(b, a).
  const bool reflect = x > (a + 1) / (a + b + 2);
  if (reflect) {
    std::swap(a, b);
    std::swap(x, y);
    std::swap(log_x, log_y);
  }
  const double front = std::exp(a * log_x + b * log_y - log_beta(a, b)) / a;
  const double value = front * beta_continued_fraction(a, b, x);
  return reflect ? 1.0 - value : value;
}

// ---- helpers -----------------------------------------------------------------------------------

// Sample variance (ddof = 1), exactly 0 when all values are equal (a sum of equal values
// divided by n need not round back to the value, which would leave a spurious ~1e-35).
struct MeanVar {
  double mean, var;
};
MeanVar mean_and_variance(const std::vector<double>& v) {
  if (std::all_of(v.begin(), v.end(), [&](double x) { return x == v[0]; })) return {v[0], 0.0};
  const double m = mean_of(v);
  double squares = 0;
  for (double x : v) squares += (x - m) * (x - m);
  return {m, squares / double(v.size() - 1)};
}

void check_rankable(const std::vector<double>& v, const char* name) {
  BIORNN_CHECK(!v.empty(), std::string("mann_whitney_u: sample ") + name + " is empty");
  for (size_t i = 0; i < v.size(); ++i)
    BIORNN_CHECK(!std::isnan(v[i]), std::string("mann_whitney_u: sample ") + name +
                                        " holds NaN at index " + std::to_string(i) +
                                        " (NaN has no rank; drop or impute it first)");
}

// counts[u] = number of the C(m + n, m) orderings of m a's and n b's (distinct values) in which
// U_a = u, for u = 0..m·n: the coefficients of the Gaussian binomial
//   [m + n choose m]_q = Π_{i=1..m} (1 − q^(n+i)) / (1 − q^i).
// Each factor is applied as one multiplication and one exact polynomial division; every
// intermediate is bounded by C(m + n, m) in magnitude, so int64 is exact for m + n ≤ 60.
std::vector<int64_t> mann_whitney_null_counts(int64_t m, int64_t n) {
  if (m > n) std::swap(m, n);  // [m + n choose m]_q = [m + n choose n]_q; fewer factors this way
  std::vector<int64_t> c(size_t(m * n + m + 1), 0);
  c[0] = 1;
  int64_t degree = 0;
  for (int64_t i = 1; i <= m; ++i) {
    const int64_t shift = n + i;
    for (int64_t j = degree + shift; j >= shift; --j)
      c[size_t(j)] -= c[size_t(j - shift)];  // ·(1 − q^(n+i))
    for (int64_t j = i; j <= degree + shift; ++j) c[size_t(j)] += c[size_t(j - i)];  // ÷(1 − q^i)
    degree += n;
  }
  c.resize(size_t(m * n + 1));
  return c;
}

}  // namespace

// ---- Student's t --------------------------------------------------------------------------------

double regularized_incomplete_beta(double a, double b, double x) {
  BIORNN_CHECK(a > 0 && b > 0 && x >= 0 && x <= 1,
               "regularized_incomplete_beta(a = " + std::to_string(a) +
                   ", b = " + std::to_string(b) + ", x = " + std::to_string(x) +
                   "): needs a > 0, b > 0, 0 <= x <= 1");
  const double y = 1.0 - x;  // exact for x ≥ ½ (Sterbenz); for smaller x, y's rounding is harmless
  const double log_x = x < 0.5 ? std::log(x) : std::log1p(-y);
  const double log_y = y < 0.5 ? std::log(y) : std::log1p(-x);
  return incomplete_beta(a, b, x, y, log_x, log_y);
}

double student_t_two_sided_p(double t, double df) {
  if (std::isnan(t) || std::isnan(df)) return kNaN;
  BIORNN_CHECK(df > 0, "student_t: degrees of freedom must be positive, got " + std::to_string(df));
  const double at = std::fabs(t);
  if (at == 0) return 1.0;
  if (std::isinf(at)) return 0.0;
  if (std::isinf(df)) return 2 * normal_sf(at);
  // P[|T| ≥ |t|] = I_x(df/2, ½) with x = 1/(1 + q), 1 − x = q/(1 + q), q = t²/df. The
  // prefactor multiplies ln x by df/2, so ln x = −log1p(q) is formed from q directly rather than
  // from a rounded x (whose rounding alone would cost df·ε, 1e-10 at df = 10⁶). When q
  // overflows, x underflows although p (≈ x^(df/2)) may not: then ln x = −ln q.
  const double q = (at / df) * at;
  if (std::isinf(q))
    return incomplete_beta(0.5 * df, 0.5, 0.0, 1.0, -(std::log(at / df) + std::log(at)), 0.0);
  const double x = 1 / (1 + q), y = q / (1 + q);
  const double log_y = y < 0.5 ? std::log(y) : std::log1p(-x);
  return incomplete_beta(0.5 * df, 0.5, x, y, -std::log1p(q), log_y);
}

double student_t_sf(double t, double df) {
  const double two_sided = student_t_two_sided_p(t, df);
  return t >= 0 ? 0.5 * two_sided : 1.0 - 0.5 * two_sided;  // NaN stays NaN
}

// ---- Welch --------------------------------------------------------------------------------------

WelchResult welch_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  BIORNN_CHECK(a.size() >= 2 && b.size() >= 2,
               "welch_t_test: each sample needs at least two values, got n_a = " +
                   std::to_string(a.size()) + ", n_b = " + std::to_string(b.size()));
  const double na = double(a.size()), nb = double(b.size());
  const MeanVar ma = mean_and_variance(a), mb = mean_and_variance(b);
  const double sa = ma.var / na, sb = mb.var / nb, se2 = sa + sb;
  if (se2 == 0) {  // both samples constant: df is 0/0; t and p follow from the means alone
    if (ma.mean == mb.mean) return {0.0, kNaN, 1.0};
    return {ma.mean > mb.mean ? kInf : -kInf, kNaN, 0.0};
  }
  const double t = (ma.mean - mb.mean) / std::sqrt(se2);
  // df = se2² / (sa²/(na − 1) + sb²/(nb − 1)), written with the shares sa/se2, sb/se2 ∈ [0, 1]
  // so that no square under- or overflows.
  const double fa = sa / se2, fb = sb / se2;
  const double df = 1.0 / (fa * fa / (na - 1) + fb * fb / (nb - 1));
  return {t, df, student_t_two_sided_p(t, df)};
}

// ---- Mann–Whitney -------------------------------------------------------------------------------

MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b,
                                 MannWhitneyMethod method) {
  check_rankable(a, "a");
  check_rankable(b, "b");
  const int64_t na = int64_t(a.size()), nb = int64_t(b.size()), total = na + nb;

  // Midranks of the pooled sample, the rank sum of a, and the tie term Σ (t³ − t).
  std::vector<std::pair<double, bool>> pooled;  // (value, belongs to a)
  pooled.reserve(size_t(total));
  for (double v : a) pooled.emplace_back(v, true);
  for (double v : b) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_a = 0, tie_term = 0;
  for (int64_t i = 0; i < total;) {
    int64_t j = i;
    while (j + 1 < total && pooled[size_t(j + 1)].first == pooled[size_t(i)].first) ++j;
    const double midrank = 0.5 * double(i + j) + 1.0;
    for (int64_t k = i; k <= j; ++k)
      if (pooled[size_t(k)].second) rank_sum_a += midrank;
    const double t = double(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }
  const bool ties = tie_term > 0;

  MannWhitneyResult result{};
  result.u = rank_sum_a - 0.5 * double(na) * double(na + 1);
  const double pairs = double(na) * double(nb), mu = 0.5 * pairs, n = double(total);
  const double var = pairs / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  const double deviation = std::fabs(result.u - mu) - 0.5;  // continuity correction
  result.z =
      var > 0 && deviation > 0 ? std::copysign(deviation / std::sqrt(var), result.u - mu) : 0.0;

  const bool exact_possible = !ties && total <= kMannWhitneyExactMaxTotal;
  BIORNN_CHECK(method != MannWhitneyMethod::kExact || exact_possible,
               "mann_whitney_u: the exact method needs no ties and n_a + n_b <= " +
                   std::to_string(kMannWhitneyExactMaxTotal) +
                   " (got n_a + n_b = " + std::to_string(total) + (ties ? ", with ties)" : ")"));
  result.exact =
      method == MannWhitneyMethod::kExact || (method == MannWhitneyMethod::kAuto && exact_possible);
  if (result.exact) {
    // U is an integer here (no ties); the null distribution is symmetric about mu, so the
    // two-sided p is twice the lower tail at the smaller of U_a and U_b.
    const std::vector<int64_t> counts = mann_whitney_null_counts(na, nb);
    const int64_t u_low = std::min(int64_t(result.u), na * nb - int64_t(result.u));
    const int64_t all = std::accumulate(counts.begin(), counts.end(), int64_t(0));
    const int64_t tail = std::accumulate(counts.begin(), counts.begin() + u_low + 1, int64_t(0));
    result.p_value = std::min(1.0, 2.0 * double(tail) / double(all));
  } else {
    result.p_value = var > 0 ? std::min(1.0, 2.0 * normal_sf(std::fabs(result.z))) : 1.0;
  }
  return result;
}

// ---- Holm ---------------------------------------------------------------------------------------

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  const size_t m = p_values.size();
  for (size_t i = 0; i < m; ++i)
    BIORNN_CHECK(p_values[i] >= 0 && p_values[i] <= 1,
                 "holm_adjust: p-value #" + std::to_string(i) + " is " +
                     std::to_string(p_values[i]) + ", outside [0, 1]");
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t i, size_t j) { return p_values[i] < p_values[j]; });
  std::vector<double> adjusted(m);
  double running = 0;  // the step-down maximum keeps the adjusted values monotone
  for (size_t r = 0; r < m; ++r) {
    const size_t i = order[r];
    running = std::max(running, std::min(1.0, double(m - r) * p_values[i]));
    adjusted[i] = running;
  }
  return adjusted;
}

}  // namespace biornn
