// plot_heatmap.cpp — heat maps of a matrix on a diverging scale centred at 0, with a colour
// bar, boundary lines and group labels.
//
// Colours are quantised to 241 levels, level k standing for t = (k − 120) / 120 of the limit
// (120 so that halves, thirds, quarters, fifths, sixths, eighths and tenths of the limit are
// exact): 0 is level 120 (exactly white), ±limit are levels 240 and 0 (the end colours), values
// beyond the limit and ±inf take the end levels, NaN gets its own grey. Both renderings use the
// same levels: one <rect> per cell with a tooltip (small matrices), or one palette PNG with one
// pixel per cell (png.hpp), shown pixelated when a cell is at least a pixel and smoothed when
// the matrix is downscaled (nearest-neighbour downscaling would drop whole rows of a pruned
// matrix). The colour bar is a linear gradient through the scale's five stops, which is exactly
// the piecewise-linear scale. The figure's size follows from the matrix: `size` pixels for its
// longer side plus room for labels.
//
// Not here: the colour scale itself and the SVG writer (plot_common.cpp), PNG (png.cpp).
#include <algorithm>
#include <cmath>

#include "biornn/png.hpp"
#include "plot_internal.hpp"

namespace biornn {

using namespace plot_detail;

namespace {

constexpr int kHalf = 120;            // levels 0..240, white at 120
constexpr uint8_t kNanLevel = 241;

uint8_t level_of(double v, double limit) {
  if (std::isnan(v)) return kNanLevel;
  const double t = std::min(1.0, std::max(-1.0, v / limit));
  return uint8_t(std::lround((t + 1.0) * kHalf));
}

PlotColor level_color(int level) {
  if (level == kNanLevel) return plot_diverging_color(std::nan(""), 1.0);
  return plot_diverging_color(double(level - kHalf) / kHalf, 1.0);
}

struct Scan {
  double max_abs = 0.0;
  int64_t nan = 0, inf = 0, beyond = 0;
};

Scan scan(ConstMatrixView m, double given_limit) {
  Scan s;
  for (int32_t i = 0; i < m.rows; ++i) {
    for (int32_t j = 0; j < m.cols; ++j) {
      const double v = double(m(i, j));
      if (std::isnan(v)) { ++s.nan; continue; }
      if (std::isinf(v)) { ++s.inf; continue; }
      s.max_abs = std::max(s.max_abs, std::fabs(v));
      if (given_limit > 0 && std::fabs(v) > given_limit) ++s.beyond;
    }
  }
  return s;
}

void check_options(ConstMatrixView m, const HeatmapOptions& o) {
  BIORNN_CHECK(m.rows >= 1 && m.cols >= 1, "plot_heatmap: empty matrix " + m.shape());
  BIORNN_CHECK(o.size >= 16 && o.size <= 20000, "plot_heatmap: size must be in [16, 20000]");
  BIORNN_CHECK(std::isfinite(o.limit), "plot_heatmap: limit must be finite (0 = automatic)");
  for (int32_t b : o.row_boundaries)
    BIORNN_CHECK(b >= 0 && b <= m.rows, "plot_heatmap: row boundary " + std::to_string(b) +
                                            " outside a matrix of shape " + m.shape());
  for (int32_t b : o.col_boundaries)
    BIORNN_CHECK(b >= 0 && b <= m.cols, "plot_heatmap: column boundary " + std::to_string(b) +
                                            " outside a matrix of shape " + m.shape());
  for (const HeatmapGroup& g : o.row_groups)
    BIORNN_CHECK(g.begin >= 0 && g.begin < g.end && g.end <= m.rows,
                 "plot_heatmap: row group '" + g.label + "' is not a non-empty range of rows");
  for (const HeatmapGroup& g : o.col_groups)
    BIORNN_CHECK(g.begin >= 0 && g.begin < g.end && g.end <= m.cols,
                 "plot_heatmap: column group '" + g.label + "' is not a non-empty range of columns");
}

// Font size for group labels: as tall as the smallest group, within [6, 11] px.
double group_font(const std::vector<HeatmapGroup>& groups, double cell) {
  double smallest = 11;
  for (const HeatmapGroup& g : groups) smallest = std::min(smallest, (g.end - g.begin) * cell);
  return std::max(6.0, smallest);
}

double groups_extent(const std::vector<HeatmapGroup>& groups, double font) {
  double w = 0;
  for (const HeatmapGroup& g : groups) w = std::max(w, text_width(g.label, font));
  return w;
}

// Integer index ticks at cell centres.
std::vector<int32_t> index_ticks(int32_t n) {
  std::vector<int32_t> out;
  for (double t : plot_nice_ticks(0, std::max(0, n - 1), 5))
    if (t == std::floor(t)) out.push_back(int32_t(t));
  return out;
}

void draw_cells_as_rects(Svg* svg, ConstMatrixView m, double limit, double x0, double y0, double cell) {
  svg->raw("<g shape-rendering=\"crispEdges\">\n");
  for (int32_t i = 0; i < m.rows; ++i) {
    for (int32_t j = 0; j < m.cols; ++j) {
      const double v = double(m(i, j));
      svg->raw("<rect x=\"" + num(x0 + j * cell) + "\" y=\"" + num(y0 + i * cell) + "\" width=\"" +
               num(cell) + "\" height=\"" + num(cell) + "\" fill=\"" +
               plot_color_hex(level_color(level_of(v, limit))) + "\"><title>row " +
               std::to_string(i) + ", column " + std::to_string(j) + ": " + format_number(v, 4) +
               "</title></rect>\n");
    }
  }
  svg->raw("</g>\n");
}

void draw_cells_as_image(Svg* svg, ConstMatrixView m, double limit, double x0, double y0, double cell) {
  std::vector<uint8_t> levels(std::size_t(m.rows) * std::size_t(m.cols));
  for (int32_t i = 0; i < m.rows; ++i)
    for (int32_t j = 0; j < m.cols; ++j)
      levels[std::size_t(i) * std::size_t(m.cols) + std::size_t(j)] = level_of(double(m(i, j)), limit);
  std::vector<uint8_t> palette;
  for (int k = 0; k <= kNanLevel; ++k) {
    const PlotColor c = level_color(k);
    palette.insert(palette.end(), {c.r, c.g, c.b});
  }
  const std::string png = png_encode_indexed(m.cols, m.rows, levels, palette);
  svg->raw("<image x=\"" + num(x0) + "\" y=\"" + num(y0) + "\" width=\"" + num(m.cols * cell) +
           "\" height=\"" + num(m.rows * cell) + "\" preserveAspectRatio=\"none\"" +
           (cell >= 1 ? " image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\"" : "") +
           " xlink:href=\"" + png_data_uri(png) + "\"/>\n");
}

// Where the matrix sits and how big its cells and labels are.
struct Geometry {
  double x0 = 0, y0 = 0;  // top-left corner of the matrix
  double cell = 0, mw = 0, mh = 0;
  double row_font = 11, col_font = 11;
  double row_label_width = 0;  // room left of the matrix for row labels
  double below = 0;            // room under the matrix for column labels
};

Geometry layout(ConstMatrixView m, const HeatmapOptions& o) {
  Geometry g;
  g.cell = double(o.size) / std::max(m.rows, m.cols);
  g.mw = m.cols * g.cell, g.mh = m.rows * g.cell;
  g.row_font = group_font(o.row_groups, g.cell), g.col_font = group_font(o.col_groups, g.cell);
  g.row_label_width = o.row_groups.empty() ? text_width(std::to_string(m.rows - 1), 11)
                                           : groups_extent(o.row_groups, g.row_font);
  g.below = o.col_groups.empty() ? 20 : groups_extent(o.col_groups, g.col_font) + 10;
  g.x0 = 12 + (o.y_label.empty() ? 0 : 18) + g.row_label_width + 10;
  g.y0 = o.title.empty() ? 14 : 36;
  return g;
}

void draw_boundaries(Svg* svg, const HeatmapOptions& o, const Geometry& g) {
  svg->raw("<g class=\"boundaries\" stroke=\"#000000\" stroke-width=\"1\">\n");
  for (int32_t b : o.row_boundaries) {
    const std::string y = num(g.y0 + b * g.cell);
    svg->raw("<line x1=\"" + num(g.x0) + "\" y1=\"" + y + "\" x2=\"" + num(g.x0 + g.mw) + "\" y2=\"" + y + "\"/>\n");
  }
  for (int32_t b : o.col_boundaries) {
    const std::string x = num(g.x0 + b * g.cell);
    svg->raw("<line x1=\"" + x + "\" y1=\"" + num(g.y0) + "\" x2=\"" + x + "\" y2=\"" + num(g.y0 + g.mh) + "\"/>\n");
  }
  svg->raw("</g>\n");
}

// Index ticks, or group labels with short marks at the group edges, left of and below the
// matrix; then the axis labels.
void draw_labels(Svg* svg, ConstMatrixView m, const HeatmapOptions& o, const Geometry& g) {
  const double bottom = g.y0 + g.mh;
  if (o.row_groups.empty()) {
    for (int32_t t : index_ticks(m.rows)) {
      const double py = g.y0 + (t + 0.5) * g.cell;
      svg->line(g.x0 - 4, py, g.x0, py, "#444444", 1);
      svg->text(g.x0 - 6, py + 4, std::to_string(t), "end", 11);
    }
  }
  for (const HeatmapGroup& r : o.row_groups) {
    svg->line(g.x0 - 4, g.y0 + r.begin * g.cell, g.x0, g.y0 + r.begin * g.cell, "#444444", 0.8);
    svg->line(g.x0 - 4, g.y0 + r.end * g.cell, g.x0, g.y0 + r.end * g.cell, "#444444", 0.8);
    svg->text(g.x0 - 6, g.y0 + (r.begin + r.end) / 2.0 * g.cell + g.row_font * 0.35, r.label, "end", g.row_font);
  }
  if (o.col_groups.empty()) {
    for (int32_t t : index_ticks(m.cols)) {
      const double px = g.x0 + (t + 0.5) * g.cell;
      svg->line(px, bottom, px, bottom + 4, "#444444", 1);
      svg->text(px, bottom + 16, std::to_string(t), "middle", 11);
    }
  }
  for (const HeatmapGroup& c : o.col_groups) {
    svg->line(g.x0 + c.begin * g.cell, bottom, g.x0 + c.begin * g.cell, bottom + 4, "#444444", 0.8);
    svg->line(g.x0 + c.end * g.cell, bottom, g.x0 + c.end * g.cell, bottom + 4, "#444444", 0.8);
    const double px = g.x0 + (c.begin + c.end) / 2.0 * g.cell + g.col_font * 0.35, py = bottom + 6;
    svg->text(px, py, c.label, "end", g.col_font, "transform=\"rotate(-90 " + num(px) + " " + num(py) + ")\"");
  }
  if (!o.x_label.empty()) svg->text(g.x0 + g.mw / 2, bottom + g.below + 16, o.x_label, "middle", 12);
  if (!o.y_label.empty()) {
    const double lx = g.x0 - g.row_label_width - 16, ly = g.y0 + g.mh / 2;
    svg->text(lx, ly, o.y_label, "middle", 12, "transform=\"rotate(-90 " + num(lx) + " " + num(ly) + ")\"");
  }
}

}  // namespace

// The diverging colour bar shared with plot_network (plot_internal.hpp).
namespace plot_detail {

void draw_colorbar(Svg* svg, double x, double y, double height, double limit, const std::string& label) {
  svg->raw(std::string("<defs><linearGradient id=\"cbar") + kIdMark +
           "\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n");
  for (int k = 0; k <= 4; ++k)
    svg->raw("<stop offset=\"" + num(k * 0.25) + "\" stop-color=\"" +
             plot_color_hex(plot_diverging_color((k - 2) * 0.5, 1.0)) + "\"/>\n");
  svg->raw("</linearGradient></defs>\n");
  svg->rect(x, y, 14, height, std::string("url(#cbar") + kIdMark + ")",
            "stroke=\"#444444\" stroke-width=\"0.8\"");
  Axis a = make_linear_axis(-limit, limit, 5, false);
  a.px_lo = y + height, a.px_hi = y;
  for (std::size_t i = 0; i < a.ticks.size(); ++i) {
    const double py = a.map(a.ticks[i]);
    svg->line(x + 14, py, x + 18, py, "#444444", 1);
    svg->text(x + 21, py + 4, a.labels[i], "start", 10.5);
  }
  const std::string lim = "±" + format_number(limit, 3);
  const std::string caption = label.empty() ? std::string(lim) : label + " (" + lim + ")";
  const double lx = x + 21 + a.max_label_width(10.5) + 14, ly = y + height / 2;
  svg->text(lx, ly, caption, "middle", 11, "transform=\"rotate(90 " + num(lx) + " " + num(ly) + ")\"");
}

}  // namespace plot_detail

std::string plot_heatmap(ConstMatrixView m, const HeatmapOptions& o) {
  check_options(m, o);
  const Scan s = scan(m, o.limit);
  const double limit = o.limit > 0 ? o.limit : (s.max_abs > 0 ? s.max_abs : 1.0);
  const Geometry g = layout(m, o);
  const std::string note = note_text(
      {s.nan > 0 ? count_phrase(s.nan, "NaN cell", "NaN cells") + " (grey)" : "",
       s.inf > 0 ? count_phrase(s.inf, "infinite cell", "infinite cells") + " (at the colour limits)" : "",
       s.beyond > 0 ? count_phrase(s.beyond, "cell", "cells") + " beyond ±limit (at the colour limits)" : ""});
  const double bar_h = std::max(g.mh, 140.0);  // the colour bar: 14 wide, labels, caption
  const double width = std::max(g.x0 + g.mw + 20 + 14 + 60 + 20, g.x0 + text_width(note, 10.5) + 10);
  const double height = g.y0 + bar_h + g.below + (o.x_label.empty() ? 0 : 20) + (note.empty() ? 0 : 18) + 10;
  const int32_t w = std::max(100, int32_t(std::ceil(width))), h = std::max(80, int32_t(std::ceil(height)));

  Svg svg(w, h, o.title);
  draw_title(&svg, w, o.title);
  const bool rects = o.cells == HeatmapCells::kRects ||
                     (o.cells == HeatmapCells::kAuto && int64_t(m.rows) * m.cols <= 64 * 64);
  if (rects) draw_cells_as_rects(&svg, m, limit, g.x0, g.y0, g.cell);
  else draw_cells_as_image(&svg, m, limit, g.x0, g.y0, g.cell);
  svg.rect(g.x0, g.y0, g.mw, g.mh, "none", "stroke=\"#444444\" stroke-width=\"0.8\"");
  draw_boundaries(&svg, o, g);
  draw_labels(&svg, m, o, g);
  draw_colorbar(&svg, g.x0 + g.mw + 20, g.y0, bar_h, limit, o.colorbar_label);
  draw_note(&svg, h, g.x0, note);
  return svg.finish();
}

}  // namespace biornn
