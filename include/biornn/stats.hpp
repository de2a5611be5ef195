// stats.hpp — the statistics the paper's figures need, each written out and tested against an
// independent twin (exact integer sums, brute-force enumeration, closed forms).
//
// What each part is for in this project:
//  * mean_of, sample_sd — "mean ± sd over 5 runs" (n − 1 in the denominator, as numpy's
//    std(ddof=1)). A NaN input gives NaN; nothing is silently dropped.
//  * normal_cdf, normal_sf — Φ(z) and 1 − Φ(z), each from its own side (erfc), so a tail of
//    1e-300 is a number, not 1 − 1 = 0. Used by the Mann–Whitney normal approximation.
//  * hypergeom_* — the random-pruning baseline for the MST overlap (SPEC §5, paper App. 10.2).
//    A dense N×N matrix has M = N² entries; its maximum spanning tree has K = 2N − 1 of them;
//    random pruning to sparsity s keeps n = (1 − s)·N² entries uniformly without replacement.
//    The number X of tree edges that survive is hypergeometric(M, K, n), and its mean nK/M is
//    the paper's expectation (2N − 1)(1 − s). Everything is computed in log space: C(N², k)
//    overflows a double already for N ≥ 33, and for the CelltypeRNN (N = 1440, M ≈ 2·10⁶)
//    tail probabilities go far below the smallest double.
//  * topprob_mst_overlap_bound — the paper's App. 10.1 lower bound on the same count for
//    top-prob pruning, so the two can be drawn side by side (Fig. 3A/3B).
//  * mann_whitney_u, holm_adjust — Fig. 3C: pruning error, top-prob vs random, 5 runs each at
//    15 sparsity levels; one two-sided Mann–Whitney p per level (exact for samples this small)
//    and a Holm-corrected family, instead of the published minimum over levels (uncorrected).
//  * welch_t_test (with student_t_* and regularized_incomplete_beta underneath) — across-run
//    comparisons of two conditions' weights (SPEC §7), where the notebooks' placeholder t-test
//    compared a vector with itself.
//
// Accuracy (measured; tests/test_stats_hypergeom.cpp and test_stats_tests.cpp hold the twins):
//  * hypergeometric pmf/cdf/sf: max relative error 1.2e-14 over every (M, K, n, x) with M ≤ 60
//    against exact integer ratios. At M = 1440² against a long-double recurrence: ≤ 5e-14
//    where P ≥ 1e-22, ≤ 4.6e-13 down to 1e-308 — the error grows like a few ε·|ln P|, because
//    ln P itself is only known to a few ulps; beyond the double range the log_ variants keep
//    ln P to a relative 8ε. A plain std::lgamma difference errs by 4e-10 at the mode there
//    (lgamma(2·10⁶) ≈ 2.7·10⁷ carries an absolute error of ~1e-9); we use the saddle-point form
//    of ln C(m, x)·pˣqᵐ⁻ˣ (Stirling-error table + deviance) instead, see stats_hypergeom.cpp.
//  * incomplete beta / Student t: relative error ≤ 1e-13 for the small degrees of freedom of
//    run-level comparisons (measured 2e-14 at df = 100). For df ≫ t² the continued fraction
//    cancels in its first terms and loses ~log10(df/t²) digits: 7e-13 at df = 10⁴,
//    1e-11 at df = 10⁶ (a plain lgamma ln B and a rounded x = df/(df + t²) would add 2e-10
//    there; both are avoided).
//
// Contracts: invalid parameters (K > M, a negative count, an empty sample, a NaN in a rank test,
// a p-value outside [0, 1]) are programming errors and stop with a ContractViolation that names
// the values; the command-line program validates user input before calling.
//
// Not here: histograms and KL (histogram.hpp); the MST itself (graph.hpp).
#pragma once

#include <cstdint>
#include <vector>

namespace biornn {

// ---- descriptive -------------------------------------------------------------------------------

// The arithmetic mean; NaN for an empty sample.
double mean_of(const std::vector<double>& values);
// The sample standard deviation (ddof = 1); NaN for fewer than two values.
double sample_sd(const std::vector<double>& values);

// ---- standard normal ---------------------------------------------------------------------------

// Φ(z) = P[Z ≤ z] and 1 − Φ(z) = P[Z > z], both as ½·erfc(∓z/√2). Relative error grows like
// z²·ε/2 from rounding z/√2: measured 4e-15 at z = 10, 9e-14 at z = 37 (tail 5.7e-300);
// beyond z ≈ 37.5 the tail is subnormal and keeps fewer bits, beyond 38.5 it is 0. NaN → NaN.
double normal_cdf(double z);
double normal_sf(double z);

// ---- hypergeometric (M, K, n) ------------------------------------------------------------------
//
// Population M, of which K are "successes"; n drawn without replacement; X = successes drawn.
//   P[X = x] = C(K, x)·C(M − K, n − x) / C(M, n),   max(0, n + K − M) ≤ x ≤ min(n, K).
// Parameters must satisfy 0 ≤ K ≤ M, 0 ≤ n ≤ M and M ≤ 2⁵³ (so every count is exact in a
// double); anything else is a contract violation. x may be any integer: outside the support
// the pmf is exactly 0, the cdf exactly 0 or 1, the sf exactly 1 or 0.
//
// cdf(x) = P[X ≤ x] and sf(x) = P[X > x] are each summed over their own range (never 1 − the
// other), starting at the range's largest term and stopping when the rest is provably below
// 2⁻⁶⁴ of the sum (the pmf is log-concave, so the remaining terms shrink at least
// geometrically). Cost: a few ns per non-negligible term (≈ 20·sd(X) terms at worst): at
// M = 1440², K = 2879 a pmf takes ≈ 0.15 µs and a cdf or sf ≤ 3 µs. cdf is non-decreasing and
// sf non-increasing in x, also where they underflow. The log_ variants return the natural log
// (−∞ for probability 0) and stay finite far below the smallest double.

inline constexpr int64_t kHypergeomMaxPopulation = int64_t(1) << 53;

struct HypergeomSupport {
  int64_t lo;  // max(0, n + K − M)
  int64_t hi;  // min(n, K)
};
HypergeomSupport hypergeom_support(int64_t M, int64_t K, int64_t n);
// The most probable x: floor((n + 1)(K + 1)/(M + 2)), exact in integer arithmetic (when two
// values tie, the larger).
int64_t hypergeom_mode(int64_t M, int64_t K, int64_t n);
// nK/M — for the MST overlap, (2N − 1)(1 − s) (App. 10.2).
double hypergeom_mean(int64_t M, int64_t K, int64_t n);
// nK(M − K)(M − n) / (M²(M − 1)); 0 when M ≤ 1.
double hypergeom_var(int64_t M, int64_t K, int64_t n);

double hypergeom_log_pmf(int64_t x, int64_t M, int64_t K, int64_t n);
double hypergeom_pmf(int64_t x, int64_t M, int64_t K, int64_t n);
double hypergeom_log_cdf(int64_t x, int64_t M, int64_t K, int64_t n);
double hypergeom_cdf(int64_t x, int64_t M, int64_t K, int64_t n);
double hypergeom_log_sf(int64_t x, int64_t M, int64_t K, int64_t n);
double hypergeom_sf(int64_t x, int64_t M, int64_t K, int64_t n);

// ---- top-prob MST overlap lower bound (paper App. 10.1, SPEC §5) --------------------------------
//
// For an N×N matrix (`n` = N) pruned by top-prob, p_sorted_desc[k − 1] is the keep probability
// (after capping and renormalisation) of the entry with the k-th largest |w|, k = 1, 2, …
// Entries missing from the end of the vector count as p = 0 (zero weights are never kept).
// Returns
//     Σ_{k=1..3} p_k  +  Σ_{k=4..N} p_k·(N − (k − 1))² / (N² − (k − 1)).
//
// What it bounds: the expected NUMBER of maximum-spanning-tree edges that the pruning keeps
// (a count between 0 and 2N − 1, the tree's size) — not the fraction. Divide by 2N − 1 for
// the overlap fraction that Fig. 3A/3B plot; random pruning's expected count is
// (2N − 1)(1 − s), i.e. fraction 1 − s (hypergeom_mean above).
//
// The argument (App. 10.1): the top three edges can never close a cycle in a bipartite graph
// (the shortest cycle has 4 edges), so they are always in the tree; the k-th largest edge is
// in the tree at least when both its end-points are still isolated, and after k − 1 edges at
// least N − (k − 1) vertices on each side are, so P ≥ (N − (k − 1))²/(N² − (k − 1)) when the
// k-th edge is equally likely to sit at any of the N² − (k − 1) remaining positions.
// Ambiguities in the paper, and what we compute:
//  * The probability is over where the ranked magnitudes sit in the matrix (exchangeable
//    positions, e.g. i.i.d. entries as in the notebooks' random U(0,1) matrices). For one
//    fixed trained matrix the exact expectation is Σ over its tree edges of p_k; the bound is a
//    guarantee on average over random placements, a heuristic for a given matrix.
//  * The paper's case list sets the probability to 0 for k ≥ N, but its sum runs to k = N and
//    SPEC follows the sum. The k = N term, p_N/(N² − N + 1), is a valid bound (the argument
//    holds while k − 1 ≤ N), so we include it; it changes the result by at most 1/(N² − N + 1).
//  * The paper writes κ|w_k|, which can exceed 1; we use the keep probabilities actually used
//    (capped and renormalised, SPEC §4), as the expectation Σ P[kept]·P[in tree] requires.
// Contract: n ≥ 1, p_sorted_desc.size() ≤ n², every p in [0, 1] and non-increasing.
double topprob_mst_overlap_bound(const std::vector<double>& p_sorted_desc, int64_t n);

// ---- Mann–Whitney U (two-sided) -----------------------------------------------------------------
//
// u = U of sample a = #{(i, j): a_i > b_j} + ½·#{(i, j): a_i = b_j}, so that u_a + u_b = n_a·n_b.
// Null hypothesis: a and b come from the same distribution.
//  * Exact p (no ties in the pooled sample and n_a + n_b ≤ kMannWhitneyExactMaxTotal): the null
//    distribution of U is counted exactly (the coefficients of the Gaussian binomial
//    [n_a + n_b choose n_a]_q, in 64-bit integers) and p = min(1, 2·P[U ≤ min(u_a, u_b)]).
//  * Otherwise the normal approximation with tie and continuity corrections:
//      σ² = n_a n_b/12 · (N + 1 − Σ_ties (t³ − t)/(N(N − 1))),  N = n_a + n_b,
//      z = sign(u − μ)·max(|u − μ| − ½, 0)/σ,  μ = n_a n_b/2,  p = min(1, 2·normal_sf(|z|)).
//    When every observation is equal, σ = 0: z = 0 and p = 1.
// z is reported in both cases (positive when a tends to be larger).
// Contract: both samples non-empty, no NaN; kExact additionally needs no ties and N ≤ 60.

inline constexpr int kMannWhitneyExactMaxTotal = 60;  // C(60, 30) < 2⁵⁷: counts fit in int64

enum class MannWhitneyMethod { kAuto, kExact, kAsymptotic };

struct MannWhitneyResult {
  double u;        // U of the first sample
  double p_value;  // two-sided
  bool exact;      // true when p comes from the exact null distribution
  double z;        // the normal-approximation score (tie- and continuity-corrected)
};
MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b,
                                 MannWhitneyMethod method = MannWhitneyMethod::kAuto);

// ---- Welch's t-test (two-sided) -----------------------------------------------------------------
//
// t = (mean_a − mean_b)/√(v_a/n_a + v_b/n_b) with sample variances (ddof = 1); Welch–
// Satterthwaite df = (v_a/n_a + v_b/n_b)² / ((v_a/n_a)²/(n_a − 1) + (v_b/n_b)²/(n_b − 1));
// p = P[|T_df| ≥ |t|].
// Degenerate input, defined: when both samples have zero variance, df is NaN (0/0) and
// t = 0, p = 1 if the means are equal, t = ±∞, p = 0 if they differ. NaN data gives NaN.
// Contract: each sample has at least two values.
struct WelchResult {
  double t;
  double df;
  double p_value;
};
WelchResult welch_t_test(const std::vector<double>& a, const std::vector<double>& b);

// P[T > t] for Student's t with df > 0 degrees of freedom; and P[|T| ≥ |t|].
double student_t_sf(double t, double df);
double student_t_two_sided_p(double t, double df);
// I_x(a, b) = B(x; a, b)/B(a, b) for a, b > 0, x ∈ [0, 1]: continued fraction (modified Lentz)
// on whichever of I_x(a, b), 1 − I_{1−x}(b, a) converges fast.
double regularized_incomplete_beta(double a, double b, double x);

// ---- multiple comparisons -----------------------------------------------------------------------
//
// Holm–Bonferroni step-down adjusted p-values, in the input order: sort ascending,
// adj_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)). Reject at level α exactly the hypotheses with
// adj ≤ α (controls the family-wise error rate without independence assumptions).
// Contract: every p in [0, 1] (no NaN).
std::vector<double> holm_adjust(const std::vector<double>& p_values);

}  // namespace biornn
