// 15_appendix10_mst — how much of the maximum spanning tree survives pruning (paper §3.2,
// App. 10.1 and 10.2).
//
// The statements. A dense N×N weight matrix is a bipartite graph whose maximum spanning tree has
// 2N − 1 edges. (10.2) Random pruning to sparsity s keeps a uniformly random (1 − s)N² of the N²
// entries, so the number of tree edges kept is hypergeometric with mean (2N − 1)(1 − s). (10.1)
// Top-prob keeps the k-th largest weight with probability p_k; the three largest are always in
// the tree (a bipartite cycle needs 4 edges) and the k-th, k ≤ N, is in it at least when both of
// its end-points are still isolated, so E[kept] ≥ Σ_{k≤3} p_k + Σ_{3<k≤N} p_k·(N − k + 1)²/(N² − k + 1).
//
// The construction: verify_appendix10_bound — 100 i.i.d. U(0,1) 40×40 matrices (the bound averages
// over where the magnitudes sit), s = 0.9, the library's MST (Kruskal), keep probabilities,
// prune_topprob and topprob_mst_overlap_bound; it also checks the realised mean against the exact
// expectation given W (Σ of p over the tree edges). verify_appendix10_hypergeom — one matrix,
// 1000 random prunings keeping exactly 160 of 1600 entries, against hypergeom_mean, and the paper's
// sum Σ k·pmf(k) against nK/M.
//
// What to look for: top-prob keeps ~15 of 79 tree edges, about 5× the App. 10.1 bound — the bound
// is loose enough that even random pruning (7.9 on average) clears it; random pruning's mean sits
// within its standard error of 7.9.
//
// Expected output (float build):
//   result             measured    bound          slack                          verdict
//   App. 10.1             15.23 >= 2.79331        measured 5.45x bound           pass
//     (statement) / 100 matrices 40x40 with i.i.d. U(0,1) entries, s = 0.9 (...). Mean kept tree
//     edges 15.230 of 79; the exact expectation given W, sum of p over the tree, averages 15.327 ...
//   App. 10.2             8.111 == 7.9            |diff| 0.21 = 64% of tol       pass
//     (statement) / W: 40x40 U(0,1), tree of 79 edges (...), 1000 draws: mean overlap 8.1110;
//     nK/M = 7.9000; the paper's sum of k*pmf(k) = 7.9 (agrees); ...
// and exit status 0 (1 if either check fails).
#include <cstdio>

#include "biornn/verify.hpp"

using namespace biornn;

int main() {
  const VerifyCheck a = verify_appendix10_bound({});
  const VerifyCheck b = verify_appendix10_hypergeom({});
  std::printf("%s\n", verify_table_header().c_str());
  for (const VerifyCheck* c : {&a, &b}) std::printf("%s\n  %s\n  %s\n", verify_table_row(*c).c_str(), c->statement.c_str(), c->details.c_str());
  return a.pass && b.pass ? 0 : 1;
}
