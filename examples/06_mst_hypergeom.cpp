// 06_mst_hypergeom — the maximum spanning tree of a weight matrix, and how much of it pruning
// keeps (paper §3.2, App. 10).
//
// What it shows: a weight matrix is a bipartite graph (presynaptic and postsynaptic units,
// one edge per nonzero weight, edge weight |w|). Its maximum spanning tree — Kruskal's
// algorithm, heaviest edges first, skipping any that would close a cycle — has 2N − 1 edges
// for a dense N×N matrix and is the matrix's backbone. Random pruning keeps each tree edge with
// probability 1 − s, so the number kept is hypergeometric with population N², successes 2N − 1
// and draws (1 − s)·N² (App. 10.2). Top-prob pruning favours heavy edges, so it keeps far more
// of the tree; App. 10.1 gives a lower bound on how many.
//
// Expected output (N = 50, s = 0.9; exact up to the last printed digits):
//   maximum spanning tree: 99 edges, total weight 96.2966
//   random pruning keeps 9 of 99 tree edges; hypergeometric mean 9.9, sd 2.93, P[X >= 9] = 0.672
//   top-prob keeps 21 of 99; App. 10.1 lower bound 3.51; P[random keeps that many] = 0.000532
// and exit status 0 (non-zero if the tree does not have 2N − 1 edges or the pmf does not sum to 1).
#include <cmath>
#include <cstdio>
#include <algorithm>

#include "biornn/graph.hpp"
#include "biornn/prune.hpp"
#include "biornn/stats.hpp"

using namespace biornn;

int main() {
  const int32_t n = 50;
  const double s = 0.9;
  Rng rng(4);
  Matrix w(n, n);
  for (int64_t k = 0; k < w.size(); ++k) w.data()[k] = real(rng.uniform01());

  const MstResult tree = maximum_spanning_tree(w);
  std::printf("maximum spanning tree: %lld edges, total weight %.4f\n", static_cast<long long>(tree.edge_count()),
              tree.total_weight);

  const int64_t population = int64_t(n) * n, successes = tree.edge_count();
  const int64_t draws = std::llround((1 - s) * double(population));
  Rng r1(1), r2(2);
  const int64_t kept_random = mst_overlap_count(tree, prune_random(w, s, r1, nullptr, true));
  const int64_t kept_topprob = mst_overlap_count(tree, prune_topprob(w, s, r2, nullptr, true));
  const double mean = hypergeom_mean(population, successes, draws), sd = std::sqrt(hypergeom_var(population, successes, draws));
  std::printf("random pruning keeps %lld of %lld tree edges; hypergeometric mean %.1f, sd %.2f, P[X >= %lld] = %.3g\n",
              static_cast<long long>(kept_random), static_cast<long long>(successes), mean, sd,
              static_cast<long long>(kept_random), hypergeom_sf(kept_random - 1, population, successes, draws));

  std::vector<double> p = topprob_keep_probabilities(w, s);
  std::sort(p.begin(), p.end(), [](double a, double b) { return a > b; });
  const double bound = topprob_mst_overlap_bound(p, n);
  std::printf("top-prob keeps %lld of %lld; App. 10.1 lower bound %.2f; P[random keeps that many] = %.3g\n",
              static_cast<long long>(kept_topprob), static_cast<long long>(successes), bound,
              hypergeom_sf(kept_topprob - 1, population, successes, draws));

  double total = 0;
  const HypergeomSupport support = hypergeom_support(population, successes, draws);
  for (int64_t x = support.lo; x <= support.hi; ++x) total += hypergeom_pmf(x, population, successes, draws);
  const bool ok = tree.edge_count() == 2 * n - 1 && std::fabs(total - 1) < 1e-12;
  if (!ok) std::printf("FAILED: the tree should have %d edges and the pmf should sum to 1 (sum %.17g)\n", 2 * n - 1, total);
  return ok ? 0 : 1;
}
