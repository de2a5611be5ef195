// plot_lines.cpp — line plots: several named series, optional shaded bands (mean ± sd),
// log-scale y, dashed horizontal reference lines, legend.
//
// A point whose x or y is not finite (or y ≤ 0 on a log axis) is not drawn: the line breaks
// there and the note counts it. A run of one drawable point becomes a dot so it stays visible.
// Everything inside the frame is clipped to it; y coordinates are clamped to ten frame heights
// beyond it so fixed limits never turn a huge value into a huge number in the file.
//
// Not here: shared axes and SVG writing (plot_common.cpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include "plot_internal.hpp"

namespace biornn {

using namespace plot_detail;

namespace {

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
  bool empty() const { return !(lo <= hi); }
};

double x_of(const LineSeries& s, std::size_t i) { return s.x.empty() ? double(i) : s.x[i]; }

void check_series(const LineSeries& s) {
  BIORNN_CHECK(s.x.empty() || s.x.size() == s.y.size(),
               "plot_lines: series '" + s.name + "' has " + std::to_string(s.x.size()) + " x and " +
                   std::to_string(s.y.size()) + " y values");
  BIORNN_CHECK(s.band_lower.size() == s.band_upper.size() &&
                   (s.band_lower.empty() || s.band_lower.size() == s.y.size()),
               "plot_lines: the band of series '" + s.name + "' needs lower and upper of length " +
                   std::to_string(s.y.size()));
}

// Data ranges over everything drawable, and the counts for the note.
void measure(const std::vector<LineSeries>& series, const LinePlotOptions& o, Range* xr, Range* yr,
             int64_t* nonfinite, int64_t* nonpositive) {
  auto usable = [&o](double v) { return std::isfinite(v) && (!o.log_y || v > 0); };
  for (const LineSeries& s : series) {
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      const double x = x_of(s, i), y = s.y[i];
      if (!std::isfinite(x) || !std::isfinite(y)) { ++*nonfinite; continue; }
      if (o.log_y && y <= 0) { ++*nonpositive; continue; }
      xr->add(x);
      yr->add(y);
      if (!s.band_lower.empty()) {
        if (usable(s.band_lower[i])) yr->add(s.band_lower[i]);
        if (usable(s.band_upper[i])) yr->add(s.band_upper[i]);
      }
    }
  }
  for (const ReferenceLine& r : o.reference_lines)
    if (usable(r.y)) yr->add(r.y);
}

// Automatic limits widen to whole ticks (or decades); a fixed limit is kept exactly, with the
// ticks that fall inside.
Axis y_axis(Range yr, const LinePlotOptions& o) {
  const bool has_min = !std::isnan(o.y_min), has_max = !std::isnan(o.y_max);
  if (yr.empty()) yr = o.log_y ? Range{1, 10} : Range{0, 1};
  if (has_min) yr.lo = o.y_min, yr.hi = std::max(yr.hi, o.y_min);
  if (has_max) yr.hi = o.y_max, yr.lo = std::min(yr.lo, o.y_max);
  Axis a = o.log_y ? make_log_axis(yr.lo, yr.hi) : make_linear_axis(yr.lo, yr.hi);
  if (!(has_min || has_max)) return a;
  if (has_min) a.lo = o.y_min;
  if (has_max) a.hi = o.y_max;
  Axis kept = a;
  kept.ticks.clear(), kept.labels.clear();
  const double tol = o.log_y ? 0.0 : (a.hi - a.lo) * 1e-9;
  for (std::size_t i = 0; i < a.ticks.size(); ++i) {
    const double t = a.ticks[i];
    const bool inside = o.log_y ? t >= a.lo * (1 - 1e-9) && t <= a.hi * (1 + 1e-9)
                                : t >= a.lo - tol && t <= a.hi + tol;
    if (!inside) continue;
    kept.ticks.push_back(t);
    kept.labels.push_back(a.labels[i]);
  }
  return kept;
}

double clamp_py(double py, const Frame& f) {
  return std::min(f.bottom() + 10 * f.height, std::max(f.top - 10 * f.height, py));
}

void draw_band(Svg* svg, const LineSeries& s, const Axis& xa, const Axis& ya, const Frame& f,
               const std::string& color) {
  const bool log = ya.log;
  auto point_ok = [&](std::size_t i) {
    return std::isfinite(x_of(s, i)) && std::isfinite(s.band_lower[i]) &&
           std::isfinite(s.band_upper[i]) && (!log || s.band_upper[i] > 0);
  };
  auto py = [&](double v) { return clamp_py(ya.map(log && v <= ya.lo ? ya.lo : v), f); };
  std::size_t i = 0;
  while (i < s.y.size()) {
    if (!point_ok(i)) { ++i; continue; }
    std::size_t end = i;
    while (end < s.y.size() && point_ok(end)) ++end;
    std::string d;
    for (std::size_t k = i; k < end; ++k)
      d += (k == i ? "M" : " L") + num(xa.map(x_of(s, k))) + " " + num(py(s.band_upper[k]));
    for (std::size_t k = end; k-- > i;)
      d += " L" + num(xa.map(x_of(s, k))) + " " + num(py(s.band_lower[k]));
    svg->raw("<path d=\"" + d + " Z\" fill=\"" + color + "\" fill-opacity=\"0.18\" stroke=\"none\"/>\n");
    i = end;
  }
}

void draw_series(Svg* svg, const LineSeries& s, const Axis& xa, const Axis& ya, const Frame& f,
                 const std::string& color) {
  auto point_ok = [&](std::size_t i) {
    return std::isfinite(x_of(s, i)) && std::isfinite(s.y[i]) && (!ya.log || s.y[i] > 0);
  };
  std::string d, dots;
  std::size_t i = 0;
  while (i < s.y.size()) {
    if (!point_ok(i)) { ++i; continue; }
    std::size_t end = i;
    while (end < s.y.size() && point_ok(end)) ++end;
    const std::string x0 = num(xa.map(x_of(s, i))), y0 = num(clamp_py(ya.map(s.y[i]), f));
    if (end == i + 1) {
      dots += "<circle cx=\"" + x0 + "\" cy=\"" + y0 + "\" r=\"2.5\" fill=\"" + color + "\"/>\n";
    } else {
      d += (d.empty() ? "M" : " M") + x0 + " " + y0;
      for (std::size_t k = i + 1; k < end; ++k)
        d += " L" + num(xa.map(x_of(s, k))) + " " + num(clamp_py(ya.map(s.y[k]), f));
    }
    i = end;
  }
  if (!d.empty())
    svg->raw("<path d=\"" + d + "\" fill=\"none\" stroke=\"" + color +
             "\" stroke-width=\"1.8\" stroke-linejoin=\"round\" stroke-linecap=\"round\"" +
             (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n");
  svg->raw(dots);
}

}  // namespace

std::string plot_lines(const std::vector<LineSeries>& series, const LinePlotOptions& o) {
  for (const LineSeries& s : series) check_series(s);
  BIORNN_CHECK(!o.log_y || std::isnan(o.y_min) || o.y_min > 0, "plot_lines: a log axis needs y_min > 0");
  BIORNN_CHECK(std::isnan(o.y_min) || std::isnan(o.y_max) || o.y_min < o.y_max,
               "plot_lines: y_min must be below y_max");
  BIORNN_CHECK((std::isnan(o.y_min) || std::isfinite(o.y_min)) && (std::isnan(o.y_max) || std::isfinite(o.y_max)),
               "plot_lines: y limits must be finite or NaN (automatic)");
  Range xr, yr;
  int64_t nonfinite = 0, nonpositive = 0;
  measure(series, o, &xr, &yr, &nonfinite, &nonpositive);
  const bool no_data = xr.empty();
  if (no_data) xr = Range{0, 1};
  Axis xa = make_linear_axis(xr.lo, xr.hi);
  Axis ya = y_axis(yr, o);

  std::vector<LegendEntry> legend;
  std::vector<std::string> colors;
  for (std::size_t i = 0; i < series.size(); ++i) {
    colors.push_back(series_color(i, series[i].color));
    legend.push_back({series[i].name, colors.back(), series[i].dashed, false});
  }
  const std::string note = note_text(
      {no_data ? "no data to draw" : "",
       nonfinite > 0 ? count_phrase(nonfinite, "non-finite point", "non-finite points") + " not drawn" : "",
       nonpositive > 0 ? count_phrase(nonpositive, "point", "points") + " ≤ 0 not drawn on the log scale" : ""});
  const Frame f = layout_frame(o.width, o.height, !o.title.empty(), ya, !o.y_label.empty(),
                               !o.x_label.empty(), legend_width(legend), !note.empty());
  xa.px_lo = f.left, xa.px_hi = f.right();
  ya.px_lo = f.bottom(), ya.px_hi = f.top;

  Svg svg(o.width, o.height, o.title);
  draw_title(&svg, o.width, o.title);
  draw_axes(&svg, f, xa, ya, o.x_label, o.y_label);
  svg.raw(std::string("<defs><clipPath id=\"clip") + kIdMark + "\"><rect x=\"" + num(f.left) +
          "\" y=\"" + num(f.top) + "\" width=\"" + num(f.width) + "\" height=\"" + num(f.height) +
          "\"/></clipPath></defs>\n<g clip-path=\"url(#clip" + kIdMark + ")\">\n");
  for (std::size_t i = 0; i < series.size(); ++i)
    if (!series[i].band_lower.empty()) draw_band(&svg, series[i], xa, ya, f, colors[i]);
  for (const ReferenceLine& r : o.reference_lines) {
    if (!std::isfinite(r.y) || (ya.log && r.y <= 0)) continue;
    const double py = clamp_py(ya.map(r.y), f);
    svg.line(f.left, py, f.right(), py, "#666666", 1.2, "stroke-dasharray=\"6 4\"");
    if (!r.label.empty()) svg.text(f.right() - 4, py - 4, r.label, "end", 10.5, "fill=\"#444444\"");
  }
  for (std::size_t i = 0; i < series.size(); ++i) draw_series(&svg, series[i], xa, ya, f, colors[i]);
  svg.raw("</g>\n");
  draw_legend(&svg, f.right() + 14, f.top, legend);
  draw_note(&svg, o.height, f.left, note);
  return svg.finish();
}

}  // namespace biornn
