// graph.cpp — union-find and Kruskal's maximum spanning tree over a weight matrix (graph.hpp).
//
// The reference sorts (|w|, row, col) records with the comparator that *is* the edge order and
// runs Kruskal over all of them. The fast version keeps the same order but never sorts more
// than it must: each candidate edge becomes a 16-byte key (the IEEE bits of |w|, which order
// like the values for non-negative numbers, and the row-major index, which orders like (row,
// col)); nth_element moves the next batch of heaviest keys to the front, only that batch is
// sorted and fed to Kruskal, and the batch doubles until the tree spans every vertex or the
// keys run out. On a dense random N×N matrix the tree is complete after a few N·log N edges,
// so the 2-million-edge case of N = 1440 sorts a few percent of its keys; a forest (some
// vertex never joined) still ends with every key sorted, O(E log E) as in the reference.
//
// Not here: anything statistical about trees (stats.hpp).
#include "biornn/graph.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "biornn/check.hpp"

namespace biornn {

// ---- UnionFind ---------------------------------------------------------------------------------

UnionFind::UnionFind(int32_t n) { reset(n); }

void UnionFind::reset(int32_t n) {
  BIORNN_CHECK(n >= 0, "UnionFind size must be non-negative, got " + std::to_string(n));
  parent_.resize(std::size_t(n));
  size_.assign(std::size_t(n), 1);
  for (int32_t v = 0; v < n; ++v) parent_[std::size_t(v)] = v;
  components_ = n;
}

void UnionFind::check_vertex(int32_t v, const char* what) const {
  BIORNN_CHECK(v >= 0 && v < size(), std::string(what) + ": vertex " + std::to_string(v) +
                                         " is outside 0.." + std::to_string(size() - 1));
}

int32_t UnionFind::find(int32_t v) {
  check_vertex(v, "UnionFind::find");
  int32_t root = v;
  while (parent_[std::size_t(root)] != root) root = parent_[std::size_t(root)];
  while (parent_[std::size_t(v)] != root) {  // second pass: point the whole path at the root
    const int32_t next = parent_[std::size_t(v)];
    parent_[std::size_t(v)] = root;
    v = next;
  }
  return root;
}

bool UnionFind::unite(int32_t a, int32_t b) {
  int32_t ra = find(a);
  int32_t rb = find(b);
  if (ra == rb) return false;
  if (size_[std::size_t(ra)] < size_[std::size_t(rb)]) std::swap(ra, rb);
  parent_[std::size_t(rb)] = ra;  // the smaller tree hangs under the larger
  size_[std::size_t(ra)] += size_[std::size_t(rb)];
  --components_;
  return true;
}

// ---- shared checks -----------------------------------------------------------------------------

namespace {

void check_graph_shape(ConstMatrixView w, const Mask* allowed, const char* what) {
  BIORNN_CHECK(int64_t(w.rows) + int64_t(w.cols) <= std::numeric_limits<int32_t>::max(),
               std::string(what) + ": n_post + n_pre must fit in int32_t, W is " + w.shape());
  if (allowed != nullptr)
    BIORNN_CHECK(allowed->same_shape(w), std::string(what) + ": the allowed mask is " +
                                             allowed->shape() + " but W is " + w.shape());
}

[[noreturn]] void nan_weight(int32_t i, int32_t j, ConstMatrixView w, const char* what) {
  contract_failure(__FILE__, __LINE__, "!std::isnan(w(i, j))",
                   std::string(what) + ": W" + w.shape() + " has NaN at (" + std::to_string(i) +
                       ", " + std::to_string(j) + "); spanning trees need ordered weights");
}

// An entry is an edge when it is nonzero and allowed. NaN entries stop with a contract failure.
bool is_edge(ConstMatrixView w, const Mask* allowed, int32_t i, int32_t j, const char* what) {
  const real v = w(i, j);
  if (std::isnan(v)) nan_weight(i, j, w, what);
  return v != real(0) && (allowed == nullptr || (*allowed)(i, j));
}

MstResult empty_result(ConstMatrixView w) {
  MstResult r;
  r.n_post = w.rows;
  r.n_pre = w.cols;
  r.components = w.rows + w.cols;
  return r;
}

// ---- reference ---------------------------------------------------------------------------------

struct RefEdge {
  real weight;
  int32_t row;
  int32_t col;
};

MstResult mst_ref_impl(ConstMatrixView w, const Mask* allowed) {
  const char* what = "maximum_spanning_tree_ref";
  check_graph_shape(w, allowed, what);
  std::vector<RefEdge> edges;
  for (int32_t i = 0; i < w.rows; ++i)
    for (int32_t j = 0; j < w.cols; ++j)
      if (is_edge(w, allowed, i, j, what)) edges.push_back({std::fabs(w(i, j)), i, j});
  std::sort(edges.begin(), edges.end(), [](const RefEdge& a, const RefEdge& b) {
    if (a.weight != b.weight) return a.weight > b.weight;
    if (a.row != b.row) return a.row < b.row;
    return a.col < b.col;
  });
  MstResult r = empty_result(w);
  UnionFind uf(w.rows + w.cols);
  for (const RefEdge& e : edges) {
    if (uf.unite(e.col, w.cols + e.row)) {
      r.edges.push_back({e.row, e.col, e.weight});
      r.total_weight += double(e.weight);
    }
  }
  r.components = uf.components();
  return r;
}

// ---- fast --------------------------------------------------------------------------------------

// Orders like (|w| descending, row-major index ascending) = (|w| desc, row asc, col asc).
struct EdgeKey {
  uint64_t magnitude;  // IEEE bits of |w|: monotone in the value for |w| ≥ 0, +inf included
  int64_t index;       // i * n_pre + j
};

bool heavier_first(const EdgeKey& a, const EdgeKey& b) {
  return a.magnitude > b.magnitude || (a.magnitude == b.magnitude && a.index < b.index);
}

uint64_t magnitude_bits(real v) {
  const real a = std::fabs(v);
  if constexpr (sizeof(real) == 4) {
    uint32_t bits;
    std::memcpy(&bits, &a, 4);
    return bits;
  } else {
    uint64_t bits;
    std::memcpy(&bits, &a, 8);
    return bits;
  }
}

MstResult mst_fast_impl(ConstMatrixView w, const Mask* allowed) {
  const char* what = "maximum_spanning_tree";
  check_graph_shape(w, allowed, what);
  std::vector<EdgeKey> keys;
  keys.reserve(std::size_t(w.size()));
  for (int32_t i = 0; i < w.rows; ++i)
    for (int32_t j = 0; j < w.cols; ++j)
      if (is_edge(w, allowed, i, j, what))
        keys.push_back({magnitude_bits(w(i, j)), int64_t(i) * w.cols + j});

  MstResult r = empty_result(w);
  UnionFind uf(w.rows + w.cols);
  const std::size_t n_keys = keys.size();
  // First batch: a few times the tree size, enough for a dense random matrix in one round.
  std::size_t batch = std::max<std::size_t>(64, 8 * std::size_t(w.rows + w.cols));
  std::size_t begin = 0;
  while (begin < n_keys && uf.components() > 1) {
    const std::size_t end = n_keys - begin <= batch ? n_keys : begin + batch;
    auto first = keys.begin() + std::ptrdiff_t(begin);
    auto last = keys.begin() + std::ptrdiff_t(end);
    if (end < n_keys) std::nth_element(first, last, keys.end(), heavier_first);
    std::sort(first, last, heavier_first);
    for (auto k = first; k != last && uf.components() > 1; ++k) {
      const int32_t row = int32_t(k->index / w.cols);
      const int32_t col = int32_t(k->index % w.cols);
      if (uf.unite(col, w.cols + row)) {
        const real weight = std::fabs(w(row, col));
        r.edges.push_back({row, col, weight});
        r.total_weight += double(weight);
      }
    }
    begin = end;
    batch *= 2;
  }
  r.components = uf.components();
  return r;
}

}  // namespace

// ---- public ------------------------------------------------------------------------------------

MstResult maximum_spanning_tree(ConstMatrixView w) { return mst_fast_impl(w, nullptr); }
MstResult maximum_spanning_tree(ConstMatrixView w, const Mask& allowed) {
  return mst_fast_impl(w, &allowed);
}
MstResult maximum_spanning_tree_ref(ConstMatrixView w) { return mst_ref_impl(w, nullptr); }
MstResult maximum_spanning_tree_ref(ConstMatrixView w, const Mask& allowed) {
  return mst_ref_impl(w, &allowed);
}

int64_t mst_overlap_count(const MstResult& tree, const Mask& kept) {
  BIORNN_CHECK(kept.rows() == tree.n_post && kept.cols() == tree.n_pre,
               "mst_overlap: the kept mask is " + kept.shape() + " but the tree is over W " +
                   shape_string(tree.n_post, tree.n_pre));
  int64_t n = 0;
  for (const MstEdge& e : tree.edges) n += kept.at(e.row, e.col) ? 1 : 0;
  return n;
}

double mst_overlap(const MstResult& tree, const Mask& kept) {
  const int64_t n = mst_overlap_count(tree, kept);
  if (tree.edges.empty()) return std::numeric_limits<double>::quiet_NaN();
  return double(n) / double(tree.edge_count());
}

}  // namespace biornn
