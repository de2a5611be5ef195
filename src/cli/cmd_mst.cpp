// cmd_mst.cpp — `biornn mst`: the maximum spanning tree of a weight matrix stored as .npy, and
// its overlap with a pruning mask (paper §3.2, App. 10; SPEC §5; the algorithm is graph.hpp's).
//
// Input is checked here, before the library sees it: W must be a 2-D <f4/<f8 array of finite
// values (NaN is a contract violation in graph.cpp, so it is reported here as bad input), and
// every mask must be 2-D bool/uint8 of W's shape. Output is a short readable summary (and the
// time taken, on stderr), or with --json one object on stdout that other tools can read.
//
// Not here: the hypergeometric baseline for the overlap (stats, examples/06_mst_hypergeom).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "biornn/graph.hpp"
#include "biornn/json.hpp"
#include "biornn/npy.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

StatusOr<Matrix> load_weights(const std::string& path) {
  StatusOr<NpyArray> array = load_npy(path);
  if (!array.ok()) return array.status();
  const NpyArray& a = array.value();
  if (a.shape.size() != 2)
    return invalid_argument(path + ": expected a 2-D weight matrix (n_post, n_pre), found shape " +
                            a.shape_string());
  StatusOr<Matrix> w = npy_to_matrix(a, path, /*allow_non_finite=*/true);
  if (!w.ok()) return w.status();
  // Our own scan, so the message can say how many entries are bad and where the first one is.
  const Matrix& m = w.value();
  int64_t bad = 0, first = -1;
  for (int64_t k = 0; k < m.size(); ++k) {
    if (std::isfinite(m.data()[k])) continue;
    if (first < 0) first = k;
    ++bad;
  }
  if (bad > 0) {
    const real v = m.data()[first];
    return invalid_argument(
        path + ": weights must be finite, found " + (std::isnan(v) ? "NaN" : "infinity") +
        " at (" + std::to_string(first / m.cols()) + ", " + std::to_string(first % m.cols()) +
        ")" + (bad > 1 ? " and " + std::to_string(bad - 1) + " more non-finite entries" : "") +
        " — a spanning tree needs ordered weights; replace them (e.g. np.nan_to_num) first");
  }
  return w;
}

StatusOr<Mask> load_mask(const std::string& option, const std::string& path, const Matrix& w,
                         const std::string& weights_path) {
  StatusOr<NpyArray> array = load_npy(path);
  if (!array.ok()) return array.status();
  StatusOr<Mask> mask = npy_to_mask(array.value(), path);
  if (!mask.ok()) return mask.status();
  if (!mask.value().same_shape(w))
    return invalid_argument("--" + option + " " + path + " has shape " + mask.value().shape() +
                            " but --weights " + weights_path + " has shape " + w.shape() +
                            "; a mask must have W's shape (n_post, n_pre)");
  return mask;
}

void write_json(const std::string& weights_path, const Matrix& w, const MstResult& t,
                const Mask* kept) {
  JsonWriter j;
  j.begin_object().field("weights_file", weights_path);
  j.key("shape").begin_array().value(w.rows()).value(w.cols()).end_array();
  j.field("edge_count", t.edge_count())
      .field("total_weight", t.total_weight)
      .field("components", t.components);
  if (kept != nullptr) {
    j.field("overlap_count", mst_overlap_count(t, *kept)).field("overlap", mst_overlap(t, *kept));
  }
  j.key("edges").begin_array();
  for (const MstEdge& e : t.edges)
    j.begin_array().value(e.row).value(e.col).value(double(e.weight)).end_array();
  j.end_array().end_object();
  std::printf("%s\n", j.str().c_str());
}

void write_summary(const std::string& weights_path, const Matrix& w, const MstResult& t,
                   const Mask* kept, const std::string& kept_path) {
  std::printf("weights: %s %s (%d post x %d pre: %d vertices)\n", weights_path.c_str(),
              w.shape().c_str(), w.rows(), w.cols(), w.rows() + w.cols());
  std::printf("maximum spanning %s: %lld edges, total weight %.9g, %d component%s\n",
              t.components > 1 ? "forest" : "tree", static_cast<long long>(t.edge_count()),
              t.total_weight, t.components, t.components == 1 ? "" : "s");
  const std::size_t shown = t.edges.size() < 5 ? t.edges.size() : 5;
  for (std::size_t k = 0; k < shown; ++k)
    std::printf("  edge %zu: (row %d, col %d) |w| = %.9g\n", k, t.edges[k].row, t.edges[k].col,
                double(t.edges[k].weight));
  if (shown < t.edges.size()) std::printf("  ... (--json lists all %zu)\n", t.edges.size());
  if (kept != nullptr) {
    const int64_t n = mst_overlap_count(t, *kept);
    if (t.edges.empty())
      std::printf("overlap with %s: undefined (the tree has no edges)\n", kept_path.c_str());
    else
      std::printf("overlap with %s: %lld of %lld tree edges kept = %.6f\n", kept_path.c_str(),
                  static_cast<long long>(n), static_cast<long long>(t.edge_count()),
                  mst_overlap(t, *kept));
  }
}

}  // namespace

int cmd_mst(int argc, char** argv, int first) {
  Args args("biornn mst",
            "Finds the maximum spanning tree (a forest if disconnected) of a weight matrix W "
            "(n_post, n_pre) read as a bipartite graph: one vertex per row and per column, one "
            "edge per nonzero entry, weight |w|. Kruskal, ties broken by (row, col). With --kept, "
            "also the fraction of tree edges the mask keeps (edges matched by position).",
            {{"weights", "W.npy", "weight matrix, 2-D <f4 or <f8, finite values (required)", ""},
             {"mask", "ALLOWED.npy", "only entries this 2-D bool/uint8 mask allows are edges", ""},
             {"kept", "MASK.npy", "report the overlap of the tree with this 2-D bool/uint8 mask", ""},
             {"json", "", "print one JSON object (total_weight, edge_count, edges, overlap...)", ""}});
  const Status parsed = args.parse(argc, argv, first);
  if (!parsed.ok()) return args.fail(parsed);
  if (args.help_requested()) {
    std::printf("%s", args.help_text().c_str());
    return 0;
  }
  if (!args.positional().empty())
    return args.fail(invalid_argument("unexpected argument '" + args.positional()[0] +
                                 "' (the weights go after --weights)"));
  if (!args.has("weights")) return args.fail(invalid_argument("--weights W.npy is required"));

  const auto start = std::chrono::steady_clock::now();
  const std::string weights_path = args.get("weights");
  StatusOr<Matrix> w = load_weights(weights_path);
  if (!w.ok()) return args.fail(w.status());
  Mask allowed, kept;
  if (args.has("mask")) {
    StatusOr<Mask> m = load_mask("mask", args.get("mask"), w.value(), weights_path);
    if (!m.ok()) return args.fail(m.status());
    allowed = std::move(m.value());
  }
  if (args.has("kept")) {
    StatusOr<Mask> m = load_mask("kept", args.get("kept"), w.value(), weights_path);
    if (!m.ok()) return args.fail(m.status());
    kept = std::move(m.value());
  }
  const auto loaded = std::chrono::steady_clock::now();
  const MstResult tree = args.has("mask") ? maximum_spanning_tree(w.value(), allowed)
                                          : maximum_spanning_tree(w.value());
  const auto done = std::chrono::steady_clock::now();

  const Mask* kept_ptr = args.has("kept") ? &kept : nullptr;
  if (args.has("json")) {
    write_json(weights_path, w.value(), tree, kept_ptr);
  } else {
    write_summary(weights_path, w.value(), tree, kept_ptr, args.get("kept"));
    const auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    std::fprintf(stderr, "biornn mst: %.3f s (loading %.3f s, spanning tree %.3f s)\n",
                 seconds(start, done), seconds(start, loaded), seconds(loaded, done));
  }
  return 0;
}

}  // namespace biornn::cli
