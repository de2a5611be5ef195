// verify_pruning.cpp — App. 9 (top-prob realises the target sparsity in expectation) and
// App. 10 (how much of the maximum spanning tree pruning keeps: the 10.1 lower bound for
// top-prob, the 10.2 hypergeometric mean for random pruning), with the library's pruners,
// Kruskal and hypergeometric functions.
//
// Statistical checks compare a mean over R independent draws with its expectation and allow
// 4 standard errors, the standard error computed from the problem's own variance: for
// top-prob the kept count is a sum of independent Bernoulli(p_k), variance Σ p_k(1 − p_k);
// for random pruning the MST overlap is hypergeometric, variance hypergeom_var. With a fixed
// seed the outcome is deterministic; 4 SE would be exceeded by chance with probability 6e-5.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "biornn/graph.hpp"
#include "biornn/prune.hpp"
#include "biornn/stats.hpp"
#include "verify_internal.hpp"

namespace biornn {

using namespace verify_detail;

VerifyCheck verify_appendix9(const VerifyOptions& o) {
  VerifyCheck c;
  c.id = "appendix9";
  c.name = "App. 9";
  c.statement = "top-prob: E[realised sparsity] = target s (kappa = (1-s)mn/||W||_1, renormalised, zeros counted)";
  c.relation = VerifyRelation::kEqualWithin;
  Rng rng(o.seed, kStreamAppendix9);
  const int32_t m = 20, n = 20;
  const double s = 0.5;
  // Heavy-tailed magnitudes (log-normal) so that many κ|w| exceed 1 and App. 9.2's
  // renormalisation matters; 10 % exact zeros so that App. 9.3's adjustment matters.
  Matrix w(m, n);
  int64_t zeros = 0;
  for (int64_t k = 0; k < w.size(); ++k) {
    const double magnitude = std::exp(1.5 * rng.normal());
    const bool zero = rng.uniform01() < 0.1;
    zeros += zero;
    w.data()[k] = zero ? real(0) : real(rng.uniform01() < 0.5 ? magnitude : -magnitude);
  }
  const double entries = double(w.size());
  const std::vector<double> p = topprob_keep_probabilities(w, s);
  double sum_p = 0, var = 0, kappa_sum = 0;
  int64_t capped = 0;
  for (double v : p) {
    sum_p += v;
    var += v * (1 - v);
    capped += v >= 1 ? 1 : 0;
  }
  for (int64_t k = 0; k < w.size(); ++k) kappa_sum += std::fabs(double(w.data()[k]));
  const double kappa = (1 - s) * entries / kappa_sum;  // App. 9.1: κ = (1 − s)mn/‖W‖₁
  int64_t raw_over_one = 0;
  for (int64_t k = 0; k < w.size(); ++k) raw_over_one += kappa * std::fabs(double(w.data()[k])) > 1 ? 1 : 0;
  const double expected_kept = (1 - s) * entries;
  const bool sum_ok = std::fabs(sum_p - expected_kept) <= 1e-9 * expected_kept;

  const int draws = 400;
  double total = 0;
  for (int d = 0; d < draws; ++d) {
    PruneStats st;
    prune_topprob(w, s, rng, nullptr, false, &st);
    total += st.realised_sparsity();
  }
  bool exact_ok = true;
  for (int d = 0; d < 20; ++d) {
    PruneStats st;
    prune_topprob(w, s, rng, nullptr, true, &st);
    exact_ok = exact_ok && st.kept == std::llround(expected_kept);
  }
  c.measured = total / draws;
  c.bound = s;
  c.tolerance = 4 * std::sqrt(var) / entries / std::sqrt(double(draws));  // 4 standard errors
  c.details = format(
      "W: 20x20 log-normal magnitudes, %lld exact zeros, s = %.2f. Raw kappa|w| > 1 for %lld entries; after "
      "renormalisation %lld are capped at 1. Sum of keep probabilities %.12g vs (1-s)mn = %.12g (%s). Mean "
      "realised sparsity over %d draws %.5f; SE = %.3g from sum p(1-p). Exact mode: every one of 20 draws "
      "keeps exactly %lld (%s).",
      static_cast<long long>(zeros), s, static_cast<long long>(raw_over_one), static_cast<long long>(capped), sum_p,
      expected_kept, sum_ok ? "equal" : "DIFFERENT", draws, c.measured, c.tolerance / 4,
      static_cast<long long>(std::llround(expected_kept)), exact_ok ? "yes" : "NO");
  finish_check(c, sum_ok && exact_ok);
  return c;
}

VerifyCheck verify_appendix10_bound(const VerifyOptions& o) {
  VerifyCheck c;
  c.id = "appendix10_1";
  c.name = "App. 10.1";
  c.statement = "top-prob: E[MST edges kept] >= sum_k p_k P[k-th largest in MST] lower bound";
  c.relation = VerifyRelation::kAtLeast;
  Rng rng(o.seed, kStreamAppendix10Bound);
  const int32_t n = 40;
  const double s = 0.9;
  const int matrices = 100;
  double sum_kept = 0, sum_bound = 0, sum_expected = 0, sum_var = 0, worst_ratio = HUGE_VAL;
  bool tree_ok = true;
  for (int t = 0; t < matrices; ++t) {
    Matrix w(n, n);
    for (int64_t k = 0; k < w.size(); ++k) w.data()[k] = real(rng.uniform01());
    const MstResult tree = maximum_spanning_tree(w);
    tree_ok = tree_ok && tree.edge_count() == 2 * n - 1;
    std::vector<double> p = topprob_keep_probabilities(w, s);
    double expected = 0, var = 0;  // exact, given W: the tree edges are kept independently
    for (const MstEdge& e : tree.edges) {
      const double pe = p[std::size_t(e.row) * n + std::size_t(e.col)];
      expected += pe;
      var += pe * (1 - pe);
    }
    std::sort(p.begin(), p.end(), [](double a, double b) { return a > b; });
    const double bound = topprob_mst_overlap_bound(p, n);
    const Mask kept = prune_topprob(w, s, rng);
    sum_kept += double(mst_overlap_count(tree, kept));
    sum_bound += bound;
    sum_expected += expected;
    sum_var += var;
    worst_ratio = std::min(worst_ratio, expected / bound);
  }
  c.measured = sum_kept / matrices;
  c.bound = sum_bound / matrices;
  const double mean_expected = sum_expected / matrices, se = std::sqrt(sum_var) / matrices;
  const bool mean_ok = std::fabs(c.measured - mean_expected) <= 4 * se;
  const double random_mean = double(2 * n - 1) * (1 - s);
  c.details = format(
      "%d matrices 40x40 with i.i.d. U(0,1) entries, s = %.1f (the bound is an average over where the "
      "magnitudes sit). Mean kept tree edges %.3f of %d; the exact expectation given W, sum of p over the "
      "tree, averages %.3f (|diff| <= 4 SE = %.3g: %s); per matrix it exceeds the bound by >= %.2fx. The "
      "bound is loose: random pruning's expectation (2N-1)(1-s) = %.2f also exceeds it.",
      matrices, s, c.measured, 2 * n - 1, mean_expected, 4 * se, mean_ok ? "yes" : "NO", worst_ratio, random_mean);
  finish_check(c, tree_ok && mean_ok);
  return c;
}

VerifyCheck verify_appendix10_hypergeom(const VerifyOptions& o) {
  VerifyCheck c;
  c.id = "appendix10_2";
  c.name = "App. 10.2";
  c.statement = "random pruning: E[MST edges kept] = hypergeometric mean nK/M = (2N-1)(1-s)";
  c.relation = VerifyRelation::kEqualWithin;
  Rng rng(o.seed, kStreamAppendix10Hypergeom);
  const int32_t n = 40;
  const double s = 0.9;
  Matrix w(n, n);
  for (int64_t k = 0; k < w.size(); ++k) w.data()[k] = real(rng.uniform01());
  const MstResult tree = maximum_spanning_tree(w);
  const int64_t population = int64_t(n) * n, successes = tree.edge_count();
  const int64_t draws_per_mask = std::llround((1 - s) * double(population));
  const int draws = 1000;
  double total = 0;
  bool counts_ok = true;
  for (int d = 0; d < draws; ++d) {
    const Mask kept = prune_random(w, s, rng, nullptr, true);
    counts_ok = counts_ok && kept.count() == draws_per_mask;
    total += double(mst_overlap_count(tree, kept));
  }
  // The paper's expression: Σ_k k·P[X = k] over k = 1 … min(K, n).
  double paper_sum = 0;
  for (int64_t k = 1; k <= std::min(successes, draws_per_mask); ++k)
    paper_sum += double(k) * hypergeom_pmf(k, population, successes, draws_per_mask);
  const double mean = hypergeom_mean(population, successes, draws_per_mask);
  const bool sum_ok = std::fabs(paper_sum - mean) <= 1e-12 * mean;
  c.measured = total / draws;
  c.bound = mean;
  c.tolerance = 4 * std::sqrt(hypergeom_var(population, successes, draws_per_mask) / draws);
  c.details = format(
      "W: 40x40 U(0,1), tree of %lld edges (needs 2N-1 = %d), random pruning keeping exactly %lld of %lld "
      "entries, %d draws: mean overlap %.4f; nK/M = %.4f; the paper's sum of k*pmf(k) = %.15g (%s); "
      "tolerance 4 SE = %.3g. Every mask kept exactly n: %s.",
      static_cast<long long>(successes), 2 * n - 1, static_cast<long long>(draws_per_mask),
      static_cast<long long>(population), draws, c.measured, mean, paper_sum, sum_ok ? "agrees" : "DISAGREES",
      c.tolerance, counts_ok ? "yes" : "NO");
  finish_check(c, sum_ok && counts_ok && successes == 2 * n - 1);
  return c;
}

}  // namespace biornn
