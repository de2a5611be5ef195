// plot.hpp — the figures a run directory needs, as self-contained SVG text.
//
// Five kinds, each a function returning the SVG document as a std::string (the caller writes
// it, e.g. with fileio's write_file_atomic):
//   * plot_lines      — named series against x, optional log-scale y (loss curves), optional
//                       shaded band per series (mean ± sd), dashed horizontal reference lines;
//   * plot_heatmap    — a matrix on a diverging blue–white–red scale centred at 0 (symmetric
//                       limits, max |value| unless given), a colour bar, lines at chosen row and
//                       column boundaries (E/I split, population blocks) and group labels;
//   * plot_histogram  — one or more distributions overlaid on common bin edges (weights before
//                       and after training, SPEC §3 "Weight-distribution analysis");
//   * plot_bars       — a grouped bar chart with ± error bars and optional individual points
//                       (mean ± sd over runs);
//   * plot_network    — nodes at given positions joined by directed, curved edges whose colour
//                       (the heat maps' diverging scale) and width show a signed value, e.g. the
//                       change of connection strength between areas and layers.
// Small heat maps (up to 64×64 cells by default) are drawn as one <rect> per cell with a
// tooltip; larger ones as one embedded PNG (png.hpp) with one pixel per cell, in a 241-level
// palette (plus one NaN colour), so a 1440×1440 matrix costs at most ~2.8 MB of SVG and far
// less when it is pruned (long runs of zeros compress).
//
// Guarantees: the output is well-formed XML readable by browsers (all text XML-escaped,
// invalid UTF-8 and forbidden control characters replaced by U+FFFD); non-finite data never
// reaches a coordinate — NaN and ±inf points are left out of lines (a gap), NaN heat-map cells
// get a distinct grey and ±inf the end colours, and every figure says in a note how many values
// it could not draw; the same input gives byte-identical output (fixed number formatting,
// element ids derived from a hash of the content, so several figures can share one HTML page).
//
// Not here: writing files (fileio.hpp), HTML pages (report.hpp), computing statistics
// (stats.hpp) — these functions draw what they are given.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "biornn/matrix.hpp"

namespace biornn {

// ---- shared -----------------------------------------------------------------------------------

// Escapes text for XML element content and attribute values: & < > " ' become entities; bytes
// that are not valid UTF-8 and control characters other than tab and newline become U+FFFD.
std::string xml_escape(const std::string& text);

// Tick positions for an axis over [lo, hi]: the multiples of a step of 1, 2 or 5 × 10^k that
// lie in [lo, hi], about `target` of them (at least two when lo < hi). Contract: finite lo ≤ hi.
std::vector<double> plot_nice_ticks(double lo, double hi, int target = 5);

struct PlotColor {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const PlotColor& o) const { return r == o.r && g == o.g && b == o.b; }
};

// The diverging colour scale of the heat maps: -limit → blue (#2166ac), 0 → white, +limit →
// red (#b2182b), through light blue (#92c5de) and light red (#f4a582) at ±limit/2; values
// beyond ±limit take the end colours; NaN → grey (#808080). Contract: limit > 0.
PlotColor plot_diverging_color(double value, double limit);

// "#rrggbb".
std::string plot_color_hex(PlotColor c);

// ---- line plots -------------------------------------------------------------------------------

struct LineSeries {
  std::string name;                  // legend entry; empty: not in the legend
  std::vector<double> x;             // empty: 0, 1, 2, ...
  std::vector<double> y;
  std::vector<double> band_lower;    // optional shaded band, e.g. mean − sd ...
  std::vector<double> band_upper;    // ... and mean + sd; both empty or both y.size()
  std::string color;                 // "#rgb" or "#rrggbb"; empty: the next palette colour
  bool dashed = false;
};

struct ReferenceLine {
  double y = 0.0;
  std::string label;
};

struct LinePlotOptions {
  std::string title, x_label, y_label;
  bool log_y = false;  // values ≤ 0 are left out (and counted in the note)
  double y_min = std::numeric_limits<double>::quiet_NaN();  // fixed limits; NaN: from the data
  double y_max = std::numeric_limits<double>::quiet_NaN();
  std::vector<ReferenceLine> reference_lines;  // dashed horizontal lines
  int32_t width = 640, height = 400;
};

std::string plot_lines(const std::vector<LineSeries>& series, const LinePlotOptions& options = {});

// ---- heat maps --------------------------------------------------------------------------------

struct HeatmapGroup {
  int32_t begin = 0, end = 0;  // rows (or columns) [begin, end)
  std::string label;
};

enum class HeatmapCells {
  kAuto,   // rects up to 64×64 cells, an embedded PNG above
  kRects,  // one <rect> with a tooltip per cell
  kImage,  // one embedded PNG, one pixel per cell
};

struct HeatmapOptions {
  std::string title;
  std::string x_label = "presynaptic unit (column)";
  std::string y_label = "postsynaptic unit (row)";
  std::string colorbar_label;
  double limit = 0.0;  // colours span [-limit, limit]; ≤ 0: max |finite value| (1 if all 0)
  std::vector<int32_t> row_boundaries;  // a line above row b, 0 ≤ b ≤ rows
  std::vector<int32_t> col_boundaries;  // a line left of column b, 0 ≤ b ≤ cols
  std::vector<HeatmapGroup> row_groups;  // labels left of the matrix
  std::vector<HeatmapGroup> col_groups;  // labels below the matrix
  int32_t size = 480;  // pixels of the longer side of the matrix; cells are square
  HeatmapCells cells = HeatmapCells::kAuto;
};

// m: (rows, cols), any view; rows = postsynaptic, cols = presynaptic for a weight matrix.
// Contract: a non-empty matrix; boundaries and groups inside it.
std::string plot_heatmap(ConstMatrixView m, const HeatmapOptions& options = {});

// ---- histograms -------------------------------------------------------------------------------

struct HistogramSeries {
  std::string name;
  std::vector<double> values;
  std::string color;  // empty: the palette
};

struct HistogramOptions {
  std::string title, x_label, y_label;  // y_label empty: "count" or "density"
  int32_t bins = 40;                    // equal bins over the finite values of all series
  std::vector<double> bin_edges;        // or explicit common edges, strictly increasing
  bool density = false;                 // each series scaled to unit area
  bool log_y = false;                   // empty bins are then drawn at the axis floor
  int32_t width = 640, height = 400;
};

// Bin i holds edges[i] ≤ v < edges[i+1]; the last bin also holds v == edges.back().
std::string plot_histogram(const std::vector<HistogramSeries>& series,
                           const HistogramOptions& options = {});

// ---- bar charts -------------------------------------------------------------------------------

struct BarSeries {
  std::string name;
  std::vector<double> values;               // one per category
  std::vector<double> errors;               // optional ± error per category (e.g. sd)
  std::vector<std::vector<double>> points;  // optional observations per category, as dots
  std::string color;
};

struct BarChartOptions {
  std::string title, x_label, y_label;
  int32_t width = 640, height = 400;
};

// Each category is a group with one bar per series. Contract: every series has one value per
// category (and one error / one point list per category when given).
std::string plot_bars(const std::vector<std::string>& categories,
                      const std::vector<BarSeries>& series, const BarChartOptions& options = {});

// ---- network diagrams -------------------------------------------------------------------------

struct NetworkNode {
  std::string label;
  double x = 0.5, y = 0.5;  // position in [0, 1]², (0, 0) top left
  double value = std::numeric_limits<double>::quiet_NaN();  // fill colour; NaN: white
};

struct NetworkEdge {
  int32_t from = 0, to = 0;  // node indices; from == to is drawn as a loop above the node
  double value = 0;          // colour on the diverging scale; width 1 + 5·|value|/limit px
};

struct NetworkPlotOptions {
  std::string title;
  std::string colorbar_label;
  std::string caption;  // a small line under the diagram (e.g. what the node colour means)
  double limit = 0.0;   // ≤ 0: max |finite value| over edges and nodes (1 if all 0)
  int32_t width = 640, height = 520;
};

// Edges bend to the right of their direction, so a → b and b → a never overlap; each ends in
// an arrow-head at the edge of its target's circle. Edges with a non-finite value are left out
// and counted in a note. Contract: node indices in range, positions in [0, 1].
std::string plot_network(const std::vector<NetworkNode>& nodes, const std::vector<NetworkEdge>& edges,
                         const NetworkPlotOptions& options = {});

}  // namespace biornn
