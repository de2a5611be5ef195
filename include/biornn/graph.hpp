// graph.hpp — union-find, and the maximum spanning tree of a weight matrix (paper §3.2, App. 10).
//
// A weight matrix W: (n_post, n_pre), row-major, is read as a bipartite graph. Its vertices are
// the n_pre presynaptic neurons (the columns) and the n_post postsynaptic neurons (the rows),
// 2N for a square W; entry w_ij is one edge between post-vertex i and pre-vertex j, of weight
// |w_ij|. Zero entries are not edges, and neither are entries a Mask forbids. Vertex numbers,
// where they appear (UnionFind over the graph): pre-vertex j is j, post-vertex i is n_pre + i.
//
// The maximum spanning tree — a forest when the graph is disconnected — is found by Kruskal's
// algorithm: edges in descending |w|, ties broken by (row, then column) ascending, each edge
// taken when it joins two components. Because the order is total, the result is a function of
// W alone, never of sort stability or thread count. A dense N×N matrix gives exactly 2N − 1
// edges. `maximum_spanning_tree_ref` is the specification (a sort of (weight, row, col) records
// with the comparator written out); `maximum_spanning_tree` sorts compact integer keys and must
// produce the identical edge list (tests/test_graph.cpp, plus a brute-force enumeration of
// every spanning forest on small graphs).
//
// Overlap (SPEC §5): the fraction of tree edges a pruning kept, with edges identified by their
// position (row, col). The published notebooks matched edges by float value, which counts a
// kept weight that merely equals a tree weight; identifying by position is the fix.
//
// NaN weights have no place in an order and are a contract violation; callers reading user
// files reject them first (npy_to_matrix does by default). ±Inf orders as the largest weight.
//
// Not here: the hypergeometric baseline and the top-prob lower bound (stats.hpp), pruning
// itself (prune.hpp), persistent homology beyond the tree.
#pragma once

#include <cstdint>
#include <vector>

#include "biornn/config.hpp"
#include "biornn/mask.hpp"
#include "biornn/matrix.hpp"

namespace biornn {

// Disjoint sets over the vertices 0 .. n−1: union by size, full path compression in find.
class UnionFind {
 public:
  explicit UnionFind(int32_t n = 0);
  // Back to n singletons; keeps the capacity.
  void reset(int32_t n);

  int32_t size() const { return int32_t(parent_.size()); }
  // The representative of v's set. Compresses the path it walks, hence not const.
  int32_t find(int32_t v);
  // Merges the sets of a and b. Returns true if they were different sets (a merge happened).
  bool unite(int32_t a, int32_t b);
  bool connected(int32_t a, int32_t b) { return find(a) == find(b); }
  // Number of elements in v's set.
  int32_t set_size(int32_t v) { return size_[std::size_t(find(v))]; }
  // Number of disjoint sets.
  int32_t components() const { return components_; }

 private:
  void check_vertex(int32_t v, const char* what) const;
  std::vector<int32_t> parent_;
  std::vector<int32_t> size_;  // meaningful at representatives only
  int32_t components_ = 0;
};

struct MstEdge {
  int32_t row = 0;  // post-synaptic neuron i
  int32_t col = 0;  // pre-synaptic neuron j
  real weight = 0;  // |w_ij|, the edge weight the tree maximised
};

struct MstResult {
  int32_t n_post = 0;  // rows of W
  int32_t n_pre = 0;   // cols of W
  // The tree (forest) edges in the order Kruskal took them: descending weight, ties by
  // ascending (row, col).
  std::vector<MstEdge> edges;
  double total_weight = 0;  // Σ weight, accumulated in double in edge order
  // Connected components of the graph, isolated vertices included:
  // n_pre + n_post − edge_count(). 1 for any graph whose entries connect every vertex.
  int32_t components = 0;

  int64_t edge_count() const { return int64_t(edges.size()); }
};

// The maximum spanning tree (forest) of W: (n_post, n_pre), row-major. Edges are the nonzero
// entries. NaN entries are a contract violation; n_pre + n_post must fit in int32_t.
MstResult maximum_spanning_tree(ConstMatrixView w);
// As above, with only the entries `allowed` permits as candidate edges (allowed: (n_post, n_pre)).
MstResult maximum_spanning_tree(ConstMatrixView w, const Mask& allowed);

// The reference: the same contract, written as plainly as possible (a vector of
// (|w|, row, col) records sorted by an explicit comparator, then the Kruskal loop).
MstResult maximum_spanning_tree_ref(ConstMatrixView w);
MstResult maximum_spanning_tree_ref(ConstMatrixView w, const Mask& allowed);

// The number of tree edges (row, col) that `kept` allows; kept: (n_post, n_pre).
int64_t mst_overlap_count(const MstResult& tree, const Mask& kept);
// mst_overlap_count / edge_count. A tree without edges (W all zero) has no overlap to speak of:
// the result is NaN, which JSON writes as null.
double mst_overlap(const MstResult& tree, const Mask& kept);

}  // namespace biornn
