// celltype_compare_outputs.cpp — what `celltype compare` shows and writes: the text report,
// compare.json, the CSV tables, the B − A heat maps and the areas × layers network diagram
// (see celltype_compare.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "biornn/celltype_compare.hpp"
#include "biornn/csv.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/plot.hpp"

namespace biornn {

namespace {

std::string fmt(double v, const char* format = "%.4g") {
  if (std::isnan(v)) return "-";
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}

void test_json(JsonWriter& j, const CelltypeBlockTest& t) {
  j.begin_object();
  j.key("a").begin_array();
  for (double v : t.a) j.value(v);
  j.end_array().key("b").begin_array();
  for (double v : t.b) j.value(v);
  j.end_array();
  j.field("mean_a", t.mean_a).field("sd_a", t.sd_a).field("mean_b", t.mean_b).field("sd_b", t.sd_b);
  j.field("diff", t.diff).field("tested", t.tested);
  j.field("welch_t", t.welch.t).field("welch_df", t.welch.df).field("welch_p", t.welch.p_value);
  j.field("welch_p_holm", t.welch_p_holm);
  j.field("mann_whitney_u", t.mann_whitney.u).field("mann_whitney_p", t.mann_whitney.p_value);
  j.field("mann_whitney_exact", t.mann_whitney.exact).field("mann_whitney_p_holm", t.mann_whitney_p_holm);
  j.end_object();
}

std::vector<std::string> test_cells(const CelltypeBlockTest& t) {
  return {std::to_string(t.a.size()), std::to_string(t.b.size()), csv_number(t.mean_a), csv_number(t.sd_a),
          csv_number(t.mean_b), csv_number(t.sd_b), csv_number(t.diff), t.tested ? "true" : "false",
          csv_number(t.welch.t), csv_number(t.welch.df), csv_number(t.welch.p_value), csv_number(t.welch_p_holm),
          csv_number(t.mann_whitney.u), csv_number(t.mann_whitney.p_value), t.mann_whitney.exact ? "true" : "false",
          csv_number(t.mann_whitney_p_holm)};
}

const std::vector<std::string> kTestHeader = {"n_a", "n_b", "mean_a", "sd_a", "mean_b", "sd_b", "diff_b_minus_a",
                                              "tested", "welch_t", "welch_df", "welch_p", "welch_p_holm",
                                              "mann_whitney_u", "mann_whitney_p", "mann_whitney_exact",
                                              "mann_whitney_p_holm"};

std::string blocks_of(const CelltypeSpec& spec, const std::vector<CelltypeProjection>& blocks) {
  std::string out;
  for (const CelltypeProjection& b : blocks)
    out += (out.empty() ? "" : "; ") + spec.population_name(b.source) + " -> " + spec.population_name(b.target);
  return out;
}

// One line of a text table: the values and the two Holm-corrected p-values.
std::string test_line(const std::string& name, const CelltypeBlockTest& t) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, "  %-34s %11s %11s %11s %9s %9s\n", name.c_str(), fmt(t.mean_a).c_str(),
                fmt(t.mean_b).c_str(), fmt(t.diff, "%+.4g").c_str(), fmt(t.welch_p_holm, "%.3g").c_str(),
                fmt(t.mann_whitney_p_holm, "%.3g").c_str());
  return buffer;
}

std::string table_header(const char* what) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, "  %-34s %11s %11s %11s %9s %9s\n", what, "A", "B", "B - A", "Welch p*",
                "MW p*");
  return buffer;
}

// The block measures in output order: name in CSV and JSON, heat-map file stem, and where their
// tests are.
enum class Measure { kMeanAbs, kSigned, kCoupling };
const char* measure_key(Measure m) {
  return m == Measure::kMeanAbs ? "mean_abs" : m == Measure::kSigned ? "signed" : "coupling";
}
const char* measure_stem(Measure m) { return m == Measure::kMeanAbs ? "abs" : measure_key(m); }
const std::vector<CelltypeBlockTest>& tests_of(const CelltypeScaleComparison& s, Measure m) {
  return m == Measure::kMeanAbs ? s.mean_abs : m == Measure::kSigned ? s.mean_signed : s.coupling;
}
std::vector<Measure> measures_of(const CelltypeComparison& c) {
  std::vector<Measure> out = {Measure::kMeanAbs, Measure::kSigned};
  if (c.has_coupling) out.push_back(Measure::kCoupling);
  return out;
}

Matrix diff_matrix(const CelltypeScaleComparison& s, Measure measure) {
  const int32_t n = s.grouping.groups();
  Matrix m(n, n);
  const std::vector<CelltypeBlockTest>& tests = tests_of(s, measure);
  for (int32_t i = 0; i < n; ++i)
    for (int32_t k = 0; k < n; ++k) m(i, k) = real(tests[std::size_t(i) * std::size_t(n) + std::size_t(k)].diff);
  return m;
}

std::string heatmap_svg(const CelltypeSpec& spec, const CelltypeScaleComparison& s, Measure measure) {
  HeatmapOptions o;
  const char* what = measure == Measure::kMeanAbs ? "mean |w|" : measure == Measure::kSigned ? "signed mean w"
                                                                                              : "readout coupling";
  o.title = std::string("B − A: ") + what + " per " + celltype_scale_name(s.grouping.scale) + " block (" +
            (measure == Measure::kCoupling ? "Σ r_i Σ w_ij" : "zeros included") + ", mean over runs)";
  o.colorbar_label = measure == Measure::kMeanAbs ? "B − A of mean |w|" : measure == Measure::kSigned ? "B − A of mean w"
                                                                                                    : "B − A of coupling";
  o.x_label = "presynaptic (source)";
  o.y_label = "postsynaptic (target)";
  o.cells = HeatmapCells::kRects;
  const int32_t n = s.grouping.groups();
  for (int32_t g = 0; g < n; ++g) o.row_groups.push_back({g, g + 1, s.grouping.labels[std::size_t(g)]});
  o.col_groups = o.row_groups;
  if (s.grouping.scale != CelltypeScale::kArea) {
    const int32_t per_area = n / int32_t(spec.areas.size());
    for (int32_t a = 1; a < int32_t(spec.areas.size()); ++a) o.row_boundaries.push_back(a * per_area);
    o.col_boundaries = o.row_boundaries;
  }
  o.size = s.grouping.scale == CelltypeScale::kPopulation ? 540 : 360;
  return plot_heatmap(diff_matrix(s, measure), o);
}

// Nodes = area·layer groups (areas left to right, layers top to bottom in spec order); edge
// pre → post for every block that is not 0 in every run; colour = B − A of mean |w|.
std::string network_svg(const CelltypeSpec& spec, const CelltypeScaleComparison& layer) {
  const int32_t areas = int32_t(spec.areas.size()), layers = int32_t(spec.layers.size());
  std::vector<NetworkNode> nodes;
  std::vector<NetworkEdge> edges;
  const int32_t n = layer.grouping.groups();
  for (int32_t g = 0; g < n; ++g) {
    NetworkNode node;
    node.label = layer.grouping.labels[std::size_t(g)];
    node.x = (g / layers + 0.5) / areas;
    node.y = (g % layers + 0.5) / layers;
    node.value = layer.mean_abs[std::size_t(g) * std::size_t(n) + std::size_t(g)].diff;
    nodes.push_back(node);
  }
  for (int32_t post = 0; post < n; ++post)
    for (int32_t pre = 0; pre < n; ++pre) {
      const CelltypeBlockTest& t = layer.mean_abs[std::size_t(post) * std::size_t(n) + std::size_t(pre)];
      bool present = false;
      for (double v : t.a) present = present || v != 0;
      for (double v : t.b) present = present || v != 0;
      if (post != pre && present) edges.push_back({pre, post, t.diff});
    }
  NetworkPlotOptions o;
  o.title = "B − A of mean |w| between areas and layers (mean over runs)";
  o.colorbar_label = "B − A of mean |w|";
  o.caption = "arrows: source → target area·layer (blocks that are 0 in every run left out); node colour: within "
              "the area·layer";
  o.width = std::max<int32_t>(520, 260 * areas + 140);
  o.height = std::max<int32_t>(360, 150 * layers + 120);
  return plot_network(nodes, edges, o);
}

}  // namespace

std::string celltype_comparison_json(const CelltypeSpec& spec, const CelltypeComparison& c) {
  JsonWriter j;
  j.begin_object().field("comparison", "B - A");
  j.key("runs_a").begin_array();
  for (const std::string& r : c.runs_a) j.value(r);
  j.end_array().key("runs_b").begin_array();
  for (const std::string& r : c.runs_b) j.value(r);
  j.end_array();
  j.field("measures", std::string("mean_abs = mean |w| per block, zeros included; signed = mean w per block; ") +
                          (c.has_coupling ? "coupling = sum over post units i of readout r_i times the row sum of "
                                            "the block (a layer or area block sums its population blocks); "
                                          : "") +
                          "rows post, columns pre; diff = mean over B's runs - mean over A's runs");
  j.field("tests", "Welch t and two-sided Mann-Whitney U on the per-run values (B vs A), Holm-corrected over the "
                   "tested blocks of each scale and measure; a block equal in every run of both is untested");
  j.key("scales").begin_object();
  for (const CelltypeScaleComparison& s : c.scales) {
    const int32_t n = s.grouping.groups();
    j.key(celltype_scale_name(s.grouping.scale)).begin_object();
    j.key("labels").begin_array();
    for (const std::string& l : s.grouping.labels) j.value(l);
    j.end_array().key("blocks").begin_array();
    for (int32_t post = 0; post < n; ++post)
      for (int32_t pre = 0; pre < n; ++pre) {
        const std::size_t cell = std::size_t(post) * std::size_t(n) + std::size_t(pre);
        j.begin_object().field("post", s.grouping.labels[std::size_t(post)]).field("pre", s.grouping.labels[std::size_t(pre)]);
        j.key("mean_abs");
        test_json(j, s.mean_abs[cell]);
        j.key("signed");
        test_json(j, s.mean_signed[cell]);
        if (c.has_coupling) {
          j.key("coupling");
          test_json(j, s.coupling[cell]);
        }
        j.end_object();
      }
    j.end_array().end_object();
  }
  j.end_object().key("highlights").begin_array();
  for (const CelltypeHighlight& h : c.highlights) {
    j.begin_object().field("kind", h.kind).field("name", h.name).key("blocks").begin_array();
    for (const CelltypeProjection& b : h.blocks)
      j.begin_object().field("source", spec.population_name(b.source)).field("target", spec.population_name(b.target)).end_object();
    j.end_array().key("mean_abs");
    test_json(j, h.test);
    if (c.has_coupling) {
      j.key("coupling");
      test_json(j, h.coupling);
    }
    j.end_object();
  }
  j.end_array().end_object();
  return j.str() + "\n";
}

std::string celltype_comparison_text(const CelltypeSpec& spec, const CelltypeComparison& c) {
  (void)spec;
  std::string out = "A: " + std::to_string(c.runs_a.size()) + " runs (" + c.runs_a.front() + (c.runs_a.size() > 1 ? ", ..." : "") +
                    ")\nB: " + std::to_string(c.runs_b.size()) + " runs (" + c.runs_b.front() +
                    (c.runs_b.size() > 1 ? ", ..." : "") + ")\n";
  out += "values: mean |w| per block, zeros included, mean over runs; p*: Holm-corrected (Welch t, Mann-Whitney U);"
         " '-': untested\nblocks that are 0 in every run (pruned away) are not listed\n";
  if (c.runs_a.size() < 2 || c.runs_b.size() < 2) out += "note: statistics need at least 2 runs per condition\n";
  out += "\nhighlighted projections (mean |w| over the union of their blocks; Holm over the highlights):\n";
  out += table_header("projection");
  for (const CelltypeHighlight& h : c.highlights) out += test_line(h.name, h.test);
  if (c.has_coupling) {
    out += "\nthe same projections by readout coupling (sum over target units of readout x row sum; ours, not the "
           "paper's; Holm over the highlights):\n";
    out += table_header("projection");
    for (const CelltypeHighlight& h : c.highlights) out += test_line(h.name, h.coupling);
  }
  for (auto it = c.scales.rbegin(); it != c.scales.rend(); ++it) {
    const CelltypeScaleComparison& s = *it;
    const int32_t n = s.grouping.groups();
    std::vector<std::size_t> cells;
    for (std::size_t cell = 0; cell < s.mean_abs.size(); ++cell) cells.push_back(cell);
    if (s.grouping.scale == CelltypeScale::kPopulation) {
      // The ten largest |B − A|, then every other Holm-significant block.
      std::stable_sort(cells.begin(), cells.end(), [&](std::size_t x, std::size_t y) {
        return std::fabs(s.mean_abs[x].diff) > std::fabs(s.mean_abs[y].diff);
      });
      std::vector<std::size_t> shown;
      for (std::size_t k = 0; k < cells.size(); ++k) {
        const CelltypeBlockTest& t = s.mean_abs[cells[k]];
        const bool significant = t.tested && (t.welch_p_holm <= 0.05 || t.mann_whitney_p_holm <= 0.05);
        if (k < 10 || significant) shown.push_back(cells[k]);
      }
      cells = shown;
      out += "\npopulation blocks with the largest |B - A| (and any with p* <= 0.05):\n";
    } else {
      out += std::string("\n") + celltype_scale_name(s.grouping.scale) + " scale:\n";
    }
    out += table_header("source -> target");
    for (std::size_t cell : cells) {
      const CelltypeBlockTest& t = s.mean_abs[cell];
      if (!t.tested && t.mean_a == 0 && t.mean_b == 0) continue;  // 0 in every run: pruned away
      const std::string name = s.grouping.labels[cell % std::size_t(n)] + " -> " + s.grouping.labels[cell / std::size_t(n)];
      out += test_line(name, s.mean_abs[cell]);
    }
  }
  return out;
}

StatusOr<std::vector<std::string>> write_celltype_comparison(const CelltypeSpec& spec, const CelltypeComparison& c,
                                                             const std::string& dir) {
  std::vector<std::string> written;
  auto write = [&](const std::string& name, const std::string& text) -> Status {
    written.push_back(join_path(dir, name));
    return write_file_atomic(written.back(), text);
  };
  BIORNN_RETURN_IF_ERROR(write("compare.json", celltype_comparison_json(spec, c)));
  std::vector<std::vector<std::string>> runs_rows;
  for (const CelltypeScaleComparison& s : c.scales) {
    const std::string scale = celltype_scale_name(s.grouping.scale);
    const std::size_t n = std::size_t(s.grouping.groups());
    std::vector<std::vector<std::string>> rows;
    for (std::size_t cell = 0; cell < s.mean_abs.size(); ++cell) {
      const std::string& post = s.grouping.labels[cell / n];
      const std::string& pre = s.grouping.labels[cell % n];
      for (Measure measure : measures_of(c)) {
        std::vector<std::string> row = {post, pre, measure_key(measure)};
        for (std::string& cell_text : test_cells(tests_of(s, measure)[cell])) row.push_back(std::move(cell_text));
        rows.push_back(std::move(row));
      }
      for (int side = 0; side < 2; ++side) {
        const std::vector<std::string>& names = side == 0 ? c.runs_a : c.runs_b;
        for (std::size_t r = 0; r < names.size(); ++r) {
          std::vector<std::string> row = {side == 0 ? "A" : "B", names[r], scale, post, pre};
          for (Measure measure : {Measure::kMeanAbs, Measure::kSigned, Measure::kCoupling}) {
            if (measure == Measure::kCoupling && !c.has_coupling) {
              row.push_back("");
              continue;
            }
            const CelltypeBlockTest& t = tests_of(s, measure)[cell];
            row.push_back(csv_number((side == 0 ? t.a : t.b)[r]));
          }
          runs_rows.push_back(std::move(row));
        }
      }
    }
    std::vector<std::string> header = {"post", "pre", "measure"};
    header.insert(header.end(), kTestHeader.begin(), kTestHeader.end());
    written.push_back(join_path(dir, "blocks_" + scale + ".csv"));
    BIORNN_RETURN_IF_ERROR(write_csv(written.back(), header, rows));
    for (Measure measure : measures_of(c))
      BIORNN_RETURN_IF_ERROR(
          write(std::string("diff_") + measure_stem(measure) + "_" + scale + ".svg", heatmap_svg(spec, s, measure)));
    if (s.grouping.scale == CelltypeScale::kLayer) BIORNN_RETURN_IF_ERROR(write("network.svg", network_svg(spec, s)));
  }
  std::vector<std::vector<std::string>> highlight_rows;
  for (const CelltypeHighlight& h : c.highlights)
    for (Measure measure : {Measure::kMeanAbs, Measure::kCoupling}) {
      if (measure == Measure::kCoupling && !c.has_coupling) continue;
      std::vector<std::string> row = {h.kind, h.name, blocks_of(spec, h.blocks), measure_key(measure)};
      for (std::string& cell_text : test_cells(measure == Measure::kMeanAbs ? h.test : h.coupling))
        row.push_back(std::move(cell_text));
      highlight_rows.push_back(std::move(row));
    }
  std::vector<std::string> header = {"kind", "name", "blocks", "measure"};
  header.insert(header.end(), kTestHeader.begin(), kTestHeader.end());
  written.push_back(join_path(dir, "highlights.csv"));
  BIORNN_RETURN_IF_ERROR(write_csv(written.back(), header, highlight_rows));
  written.push_back(join_path(dir, "runs.csv"));
  BIORNN_RETURN_IF_ERROR(
      write_csv(written.back(), {"condition", "run", "scale", "post", "pre", "mean_abs", "signed", "coupling"}, runs_rows));
  return written;
}

}  // namespace biornn
