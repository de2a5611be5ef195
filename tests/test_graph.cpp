// test_graph.cpp — union-find and the maximum spanning tree, against independent twins:
// a brute-force enumeration of every spanning forest on small graphs, the cut and cycle
// properties on larger ones, and the plain reference Kruskal for the fast one.
#include "doctest/doctest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "biornn/graph.hpp"
#include "biornn/rng.hpp"

using namespace biornn;

namespace {

template <class F>
void check_violation_names(F f, std::initializer_list<const char*> parts) {
  try {
    f();
    FAIL("expected a contract violation");
  } catch (const ContractViolation& e) {
    const std::string what = e.what();
    for (const char* p : parts) CHECK_MESSAGE(what.find(p) != std::string::npos, what);
  }
}

// W with entries drawn from {0, ±1, ..., ±levels}: a zero with probability 1 − density, so both
// ties (few levels) and missing edges (zeros) are common. Integers keep every sum exact.
Matrix random_tied(int32_t rows, int32_t cols, double density, int levels, Rng& rng) {
  Matrix w(rows, cols);
  for (int32_t i = 0; i < rows; ++i)
    for (int32_t j = 0; j < cols; ++j) {
      if (!rng.bernoulli(density)) continue;
      const real magnitude = real(1 + rng.uniform_int(uint64_t(levels)));
      w(i, j) = rng.bernoulli(0.5) ? magnitude : -magnitude;
    }
  return w;
}

// ---- the independent twin: components by relabelling, no union-find -------------------------

struct Edge {
  int32_t u, v;  // vertices: pre j is j, post i is n_pre + i (graph.hpp's numbering)
  double weight;
};

std::vector<Edge> graph_edges(const Matrix& w) {
  std::vector<Edge> edges;
  for (int32_t i = 0; i < w.rows(); ++i)
    for (int32_t j = 0; j < w.cols(); ++j)
      if (w(i, j) != 0) edges.push_back({j, w.cols() + i, std::fabs(double(w(i, j)))});
  return edges;
}

// Component label of each vertex after adding `edges`: merging relabels every vertex of one
// side — quadratic and obviously right.
std::vector<int> labels_after(int n_vertices, const std::vector<Edge>& edges, bool* acyclic) {
  std::vector<int> label(static_cast<std::size_t>(n_vertices));
  for (int v = 0; v < n_vertices; ++v) label[std::size_t(v)] = v;
  *acyclic = true;
  for (const Edge& e : edges) {
    const int a = label[std::size_t(e.u)], b = label[std::size_t(e.v)];
    if (a == b) {
      *acyclic = false;
      continue;
    }
    for (int& l : label)
      if (l == b) l = a;
  }
  return label;
}

int count_components(const std::vector<int>& label) {
  int n = 0;
  for (std::size_t v = 0; v < label.size(); ++v) n += label[v] == int(v) ? 1 : 0;
  return n;
}

double binomial(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * double(n - k + i) / double(i);
  return c;
}

// The maximum total weight over all acyclic subsets of exactly `size` edges: every subset of
// that size is enumerated (lexicographic combinations) and the cyclic ones are discarded.
double brute_force_max_forest(int n_vertices, const std::vector<Edge>& edges, int size) {
  const int e = int(edges.size());
  if (size == 0) return 0.0;
  std::vector<int> pick(static_cast<std::size_t>(size));
  for (int k = 0; k < size; ++k) pick[std::size_t(k)] = k;
  double best = -1;
  std::vector<Edge> subset(static_cast<std::size_t>(size));
  while (true) {
    double total = 0;
    for (int k = 0; k < size; ++k) {
      subset[std::size_t(k)] = edges[std::size_t(pick[std::size_t(k)])];
      total += subset[std::size_t(k)].weight;
    }
    if (total > best) {
      bool acyclic = false;
      labels_after(n_vertices, subset, &acyclic);
      if (acyclic) best = total;
    }
    int k = size - 1;  // advance to the next combination
    while (k >= 0 && pick[std::size_t(k)] == e - size + k) --k;
    if (k < 0) break;
    ++pick[std::size_t(k)];
    for (int m = k + 1; m < size; ++m) pick[std::size_t(m)] = pick[std::size_t(m - 1)] + 1;
  }
  return best;
}

std::vector<Edge> tree_edges(const MstResult& t) {
  std::vector<Edge> edges;
  for (const MstEdge& e : t.edges) edges.push_back({e.col, t.n_pre + e.row, double(e.weight)});
  return edges;
}

bool same_edges(const MstResult& a, const MstResult& b) {
  if (a.edges.size() != b.edges.size()) return false;
  for (std::size_t k = 0; k < a.edges.size(); ++k) {
    const MstEdge &x = a.edges[k], &y = b.edges[k];
    if (x.row != y.row || x.col != y.col || x.weight != y.weight) return false;
  }
  return a.total_weight == b.total_weight && a.components == b.components;
}

}  // namespace

// ---- union-find --------------------------------------------------------------------------------

TEST_CASE("union-find starts as singletons and merges only different sets") {
  UnionFind uf(6);
  CHECK(uf.size() == 6);
  CHECK(uf.components() == 6);
  for (int32_t v = 0; v < 6; ++v) CHECK(uf.find(v) == v);
  CHECK(uf.unite(0, 1));
  CHECK(uf.unite(2, 3));
  CHECK(uf.unite(1, 3));
  CHECK_FALSE(uf.unite(0, 2));  // already one set: no merge, no change in the count
  CHECK(uf.components() == 3);
  CHECK(uf.connected(0, 3));
  CHECK_FALSE(uf.connected(0, 4));
  CHECK(uf.set_size(2) == 4);
  CHECK(uf.set_size(5) == 1);
  uf.reset(3);
  CHECK(uf.components() == 3);
  CHECK_FALSE(uf.connected(0, 1));
}

TEST_CASE("union-find keeps trees shallow: after find, every vertex of a long chain points at the root") {
  const int32_t n = 1000;
  UnionFind uf(n);
  for (int32_t v = 1; v < n; ++v) CHECK(uf.unite(v - 1, v));
  CHECK(uf.components() == 1);
  CHECK(uf.set_size(0) == n);
  const int32_t root = uf.find(n - 1);
  for (int32_t v = 0; v < n; ++v) CHECK(uf.find(v) == root);
}

TEST_CASE("union-find rejects vertices outside its range") {
  UnionFind uf(3);
  check_violation_names([&] { uf.find(3); }, {"vertex 3", "0..2"});
  CHECK_THROWS_AS(uf.unite(-1, 0), ContractViolation);
  CHECK_THROWS_AS(UnionFind(-2), ContractViolation);
}

// ---- the brute-force twin ----------------------------------------------------------------------

TEST_CASE("the tree's total weight equals a brute-force maximum over every spanning forest") {
  // Up to 7 vertices per side, weights in {0, ±1, ±2, ±3}: ties, zeros and disconnected graphs
  // are all common. Cases whose enumeration would exceed `budget` subsets are redrawn.
  Rng rng(20240611);
  const double budget = 3000;
  int tested = 0, forests = 0, with_ties = 0;
  while (tested < 120) {
    const int32_t rows = int32_t(1 + rng.uniform_int(7)), cols = int32_t(1 + rng.uniform_int(7));
    const Matrix w = random_tied(rows, cols, rng.uniform(0.2, 0.9), 3, rng);
    const std::vector<Edge> edges = graph_edges(w);
    const int n_vertices = rows + cols;
    bool acyclic = false;
    const int components = count_components(labels_after(n_vertices, edges, &acyclic));
    const int size = n_vertices - components;
    if (binomial(int(edges.size()), size) > budget) continue;
    ++tested;
    forests += components > 1 ? 1 : 0;
    with_ties += int(edges.size()) > 3 ? 1 : 0;  // three weight levels: four edges must tie

    const MstResult t = maximum_spanning_tree(w);
    CAPTURE(rows);
    CAPTURE(cols);
    CHECK(t.edge_count() == size);
    CHECK(t.components == components);
    CHECK(t.total_weight == brute_force_max_forest(n_vertices, edges, size));
    bool tree_acyclic = false;
    labels_after(n_vertices, tree_edges(t), &tree_acyclic);
    CHECK(tree_acyclic);
  }
  CHECK(forests > 10);  // the sample really contains disconnected graphs
  CHECK(with_ties > 50);
}

// ---- structure ---------------------------------------------------------------------------------

TEST_CASE("a dense N×N matrix has a spanning tree of exactly 2N − 1 edges") {
  Rng rng(5);
  for (int32_t n : {1, 2, 3, 10, 50}) {
    Matrix w(n, n);
    for (int64_t k = 0; k < w.size(); ++k) w.data()[k] = real(rng.uniform(-1, 1)) + real(2);
    const MstResult t = maximum_spanning_tree(w);
    CHECK(t.edge_count() == 2 * n - 1);
    CHECK(t.components == 1);
  }
  Matrix rect(3, 8, real(0.5));  // rectangular: n_post + n_pre − 1
  CHECK(maximum_spanning_tree(rect).edge_count() == 10);
}

TEST_CASE("every tree edge is a heaviest edge across the cut it defines, and no non-tree edge beats its cycle") {
  // Fundamental cuts: removing tree edge e splits its tree into sides A and B; every graph
  // edge from A to B weighs at most w(e). This is equivalent to the cycle property (a
  // non-tree edge weighs at most the lightest edge on the tree path between its ends), and
  // together with spanning and acyclicity it characterises maximum spanning forests.
  Rng rng(77);
  for (int trial = 0; trial < 12; ++trial) {
    const int32_t rows = int32_t(5 + rng.uniform_int(20)), cols = int32_t(5 + rng.uniform_int(20));
    const Matrix w = random_tied(rows, cols, rng.uniform(0.1, 1.0), 1 + int(rng.uniform_int(5)), rng);
    const MstResult t = maximum_spanning_tree(w);
    const std::vector<Edge> graph = graph_edges(w);
    std::vector<Edge> tree = tree_edges(t);
    const int n_vertices = rows + cols;
    for (std::size_t removed = 0; removed < tree.size(); ++removed) {
      std::vector<Edge> rest = tree;
      rest.erase(rest.begin() + std::ptrdiff_t(removed));
      bool acyclic = false;
      const std::vector<int> side = labels_after(n_vertices, rest, &acyclic);
      const int a = side[std::size_t(tree[removed].u)], b = side[std::size_t(tree[removed].v)];
      for (const Edge& e : graph) {
        const int su = side[std::size_t(e.u)], sv = side[std::size_t(e.v)];
        const bool crosses = (su == a && sv == b) || (su == b && sv == a);
        if (crosses) CHECK(e.weight <= tree[removed].weight);
      }
    }
  }
}

TEST_CASE("for random cuts, the tree holds an edge as heavy as the heaviest graph edge crossing the cut") {
  // The cut property itself: for any partition (S, V∖S) crossed by at least one graph edge,
  // max over crossing tree edges == max over crossing graph edges (otherwise swapping in the
  // heavier edge would give a heavier spanning forest).
  Rng rng(91);
  for (int trial = 0; trial < 20; ++trial) {
    const int32_t rows = int32_t(2 + rng.uniform_int(30)), cols = int32_t(2 + rng.uniform_int(30));
    const Matrix w = random_tied(rows, cols, rng.uniform(0.05, 1.0), 4, rng);
    const MstResult t = maximum_spanning_tree(w);
    const std::vector<Edge> graph = graph_edges(w), tree = tree_edges(t);
    for (int cut = 0; cut < 30; ++cut) {
      std::vector<uint8_t> in_s(static_cast<std::size_t>(rows + cols));
      for (uint8_t& s : in_s) s = rng.bernoulli(0.5) ? 1 : 0;
      auto heaviest_crossing = [&](const std::vector<Edge>& edges) {
        double best = -1;
        for (const Edge& e : edges)
          if (in_s[std::size_t(e.u)] != in_s[std::size_t(e.v)]) best = std::max(best, e.weight);
        return best;
      };
      CHECK(heaviest_crossing(tree) == heaviest_crossing(graph));
    }
  }
}

TEST_CASE("a disconnected graph gives a spanning forest, one tree per component") {
  // Two blocks on the diagonal plus an all-zero row (an isolated post-vertex) and an all-zero
  // column (an isolated pre-vertex): four components.
  Matrix w(6, 6);
  for (int32_t i = 0; i < 3; ++i)
    for (int32_t j = 0; j < 3; ++j) w(i, j) = real(1 + i + 2 * j);
  for (int32_t i = 3; i < 5; ++i)
    for (int32_t j = 3; j < 5; ++j) w(i, j) = real(-1 - i * j);
  const MstResult t = maximum_spanning_tree(w);
  CHECK(t.components == 4);
  CHECK(t.edge_count() == 12 - 4);
  for (const MstEdge& e : t.edges) CHECK(((e.row < 3) == (e.col < 3)));  // never between blocks
  CHECK(maximum_spanning_tree(Matrix(4, 5)).edge_count() == 0);
  CHECK(maximum_spanning_tree(Matrix(4, 5)).components == 9);
  CHECK(maximum_spanning_tree(Matrix(0, 0)).components == 0);
}

// ---- order and determinism ---------------------------------------------------------------------

TEST_CASE("ties are broken by (row, then column): equal weights give the lexicographically first tree") {
  // All weights equal, signs mixed: the first row takes every column, then each further row
  // joins through column 0 — listed in exactly that order.
  Matrix w(3, 4, real(2));
  w(0, 1) = -2;
  w(2, 0) = -2;
  const MstResult t = maximum_spanning_tree(w);
  const int32_t expected[][2] = {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 0}, {2, 0}};
  REQUIRE(t.edge_count() == 6);
  for (int k = 0; k < 6; ++k) {
    CHECK(t.edges[std::size_t(k)].row == expected[k][0]);
    CHECK(t.edges[std::size_t(k)].col == expected[k][1]);
    CHECK(t.edges[std::size_t(k)].weight == 2);
  }
  CHECK(t.total_weight == 12);
}

TEST_CASE("edges come out heaviest first, and flipping signs of tied weights changes nothing") {
  Rng rng(3);
  const Matrix w = random_tied(12, 9, 0.8, 3, rng);
  const MstResult t = maximum_spanning_tree(w);
  for (std::size_t k = 1; k < t.edges.size(); ++k) {
    const MstEdge &p = t.edges[k - 1], &q = t.edges[k];
    CHECK((p.weight > q.weight ||
           (p.weight == q.weight && (p.row < q.row || (p.row == q.row && p.col < q.col)))));
  }
  Matrix flipped = w;
  for (int64_t k = 0; k < flipped.size(); k += 3) flipped.data()[k] = -flipped.data()[k];
  CHECK(same_edges(maximum_spanning_tree(flipped), t));
  CHECK(same_edges(maximum_spanning_tree(w), t));  // and the same call twice agrees
}

TEST_CASE("the fast tree equals the reference edge for edge, including when it needs many batches") {
  Rng rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const int32_t rows = int32_t(1 + rng.uniform_int(60)), cols = int32_t(1 + rng.uniform_int(60));
    const Matrix w = random_tied(rows, cols, rng.uniform(0.02, 1.0), 1 + int(rng.uniform_int(6)), rng);
    CHECK(same_edges(maximum_spanning_tree(w), maximum_spanning_tree_ref(w)));
  }
  // One column reachable only through the lightest entries: the tree is complete only after
  // nearly every key, so the fast version goes through several doubling batches.
  Matrix w(60, 60);
  for (int32_t i = 0; i < 60; ++i)
    for (int32_t j = 0; j < 60; ++j)
      w(i, j) = j == 59 ? real(0.001 * (i + 1)) : real(1 + rng.uniform_int(50));
  const MstResult t = maximum_spanning_tree(w);
  CHECK(same_edges(t, maximum_spanning_tree_ref(w)));
  CHECK(t.edges.back().col == 59);
  CHECK(t.edges.back().row == 59);  // the heaviest entry of the light column
}

// ---- masks and overlap -------------------------------------------------------------------------

TEST_CASE("an allowed mask restricts the candidate edges exactly like zeroing the forbidden entries") {
  Rng rng(8);
  const Matrix w = random_tied(15, 11, 0.9, 4, rng);
  Mask allowed(15, 11);
  Matrix zeroed = w;
  for (int32_t i = 0; i < 15; ++i)
    for (int32_t j = 0; j < 11; ++j) {
      allowed.set(i, j, rng.bernoulli(0.6));
      if (!allowed(i, j)) zeroed(i, j) = 0;
    }
  const MstResult t = maximum_spanning_tree(w, allowed);
  CHECK(same_edges(t, maximum_spanning_tree(zeroed)));
  CHECK(same_edges(t, maximum_spanning_tree_ref(w, allowed)));
  for (const MstEdge& e : t.edges) CHECK(allowed(e.row, e.col));
}

TEST_CASE("overlap on a tie-heavy matrix counts kept tree positions, which value matching overcounts") {
  // Three weight levels: almost every kept entry equals some tree weight in value. The
  // notebooks' value matching counts all of those; the overlap counts positions only.
  Rng rng(21);
  const Matrix w = random_tied(20, 20, 1.0, 3, rng);
  const MstResult t = maximum_spanning_tree(w);
  Mask kept(20, 20);
  for (int32_t i = 0; i < 20; ++i)
    for (int32_t j = 0; j < 20; ++j) kept.set(i, j, rng.bernoulli(0.3));
  Mask in_tree(20, 20);
  for (const MstEdge& e : t.edges) in_tree.set(e.row, e.col, true);
  int64_t by_position = 0, by_value = 0;
  for (int32_t i = 0; i < 20; ++i)
    for (int32_t j = 0; j < 20; ++j) {
      if (!kept(i, j)) continue;
      by_position += in_tree(i, j) ? 1 : 0;
      bool value_in_tree = false;
      for (const MstEdge& e : t.edges) value_in_tree = value_in_tree || e.weight == std::fabs(w(i, j));
      by_value += value_in_tree ? 1 : 0;
    }
  CHECK(mst_overlap_count(t, kept) == by_position);
  CHECK(mst_overlap(t, kept) == double(by_position) / double(2 * 20 - 1));
  CHECK(by_value > by_position);
}

TEST_CASE("overlap counts equal-valued entries by position: a kept twin of a tree weight is not a tree edge") {
  // Row 0 holds the two heaviest entries; (1,0) and (1,1) both equal 3. Tie-break takes (1,0)
  // into the tree; (1,1) then closes the cycle 1–0–0–1 and stays out. A value-matching overlap
  // would call a mask keeping only (1,1) a full match of the weight-3 edge.
  const Matrix w = Matrix::from_rows({{9, 8}, {3, 3}});
  const MstResult t = maximum_spanning_tree(w);
  REQUIRE(t.edge_count() == 3);
  CHECK(t.edges[2].row == 1);
  CHECK(t.edges[2].col == 0);
  Mask twin(2, 2);
  twin.set(1, 1, true);
  CHECK(mst_overlap_count(t, twin) == 0);
  CHECK(mst_overlap(t, twin) == 0.0);
  Mask tree_edge(2, 2);
  tree_edge.set(1, 0, true);
  tree_edge.set(0, 1, true);
  CHECK(mst_overlap(t, tree_edge) == doctest::Approx(2.0 / 3.0));
  CHECK(mst_overlap(t, Mask::all(2, 2)) == 1.0);
}

TEST_CASE("overlap of an edgeless tree is NaN, and a kept mask of the wrong shape is a contract violation") {
  const MstResult empty = maximum_spanning_tree(Matrix(2, 3));
  CHECK(std::isnan(mst_overlap(empty, Mask::all(2, 3))));
  const MstResult t = maximum_spanning_tree(Matrix(2, 3, real(1)));
  check_violation_names([&] { mst_overlap(t, Mask(3, 2)); }, {"(3, 2)", "(2, 3)"});
}

TEST_CASE("NaN weights and mismatched allowed masks are contract violations naming what is wrong") {
  Matrix w(3, 4, real(1));
  w(2, 1) = std::nan("");
  check_violation_names([&] { maximum_spanning_tree(w); }, {"NaN", "(2, 1)"});
  check_violation_names([&] { maximum_spanning_tree_ref(w); }, {"NaN", "(2, 1)"});
  const Matrix ok(3, 4, real(1));
  check_violation_names([&] { maximum_spanning_tree(ok, Mask(4, 3)); }, {"(4, 3)", "(3, 4)"});
  // ±Inf is ordered: it is simply the heaviest edge.
  Matrix inf = ok;
  inf(1, 2) = -std::numeric_limits<real>::infinity();
  const MstResult t = maximum_spanning_tree(inf);
  CHECK(t.edges[0].row == 1);
  CHECK(t.edges[0].col == 2);
  CHECK(std::isinf(t.total_weight));
}
