// plot_bars.cpp — histograms of overlaid distributions on common bin edges, and grouped bar
// charts with error bars.
//
// Histograms: one set of edges for every series (SPEC §3: comparing weight distributions
// needs common edges), either given or `bins` equal bins over the finite values of all series
// (numpy's rule: half-open bins, the last one closed). Each series is a translucent filled step
// outline so overlaps stay visible. Bar charts: one group per category, one bar per series,
// error bars ± the given error with caps, individual observations as small dots spread evenly
// across the bar. Non-finite values are skipped and counted in the note.
//
// Not here: shared axes and SVG writing (plot_common.cpp); histogram statistics (stats.hpp).
#include <algorithm>
#include <cmath>

#include "plot_internal.hpp"

namespace biornn {

using namespace plot_detail;

namespace {

std::vector<double> histogram_edges(const std::vector<HistogramSeries>& series, const HistogramOptions& o) {
  if (!o.bin_edges.empty()) {
    BIORNN_CHECK(o.bin_edges.size() >= 2, "plot_histogram: bin_edges needs at least two edges");
    for (std::size_t i = 0; i < o.bin_edges.size(); ++i)
      BIORNN_CHECK(std::isfinite(o.bin_edges[i]) && (i == 0 || o.bin_edges[i] > o.bin_edges[i - 1]),
                   "plot_histogram: bin_edges must be finite and strictly increasing");
    return o.bin_edges;
  }
  BIORNN_CHECK(o.bins >= 1 && o.bins <= 100000, "plot_histogram: bins must be in [1, 100000]");
  double lo = INFINITY, hi = -INFINITY;
  for (const HistogramSeries& s : series)
    for (double v : s.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo <= hi)) lo = 0, hi = 1;
  if (lo == hi) lo -= 0.5, hi += 0.5;
  std::vector<double> edges(std::size_t(o.bins) + 1);
  for (int32_t i = 0; i <= o.bins; ++i) edges[std::size_t(i)] = lo + (hi - lo) * i / o.bins;
  edges.back() = hi;
  return edges;
}

// Bar heights of one series; adds to the counts of skipped values.
std::vector<double> histogram_heights(const HistogramSeries& s, const std::vector<double>& edges,
                                      bool density, int64_t* nonfinite, int64_t* outside) {
  const std::size_t bins = edges.size() - 1;
  std::vector<double> counts(bins, 0.0);
  int64_t inside = 0;
  for (double v : s.values) {
    if (!std::isfinite(v)) { ++*nonfinite; continue; }
    if (v < edges.front() || v > edges.back()) { ++*outside; continue; }
    std::size_t k = std::size_t(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin()) - 1;
    counts[std::min(k, bins - 1)] += 1;
    ++inside;
  }
  if (density && inside > 0)
    for (std::size_t k = 0; k < bins; ++k) counts[k] /= double(inside) * (edges[k + 1] - edges[k]);
  return counts;
}

}  // namespace

std::string plot_histogram(const std::vector<HistogramSeries>& series, const HistogramOptions& o) {
  const std::vector<double> edges = histogram_edges(series, o);
  int64_t nonfinite = 0, outside = 0;
  std::vector<std::vector<double>> heights;
  double top = 0, min_positive = INFINITY;
  for (const HistogramSeries& s : series) {
    heights.push_back(histogram_heights(s, edges, o.density, &nonfinite, &outside));
    for (double h : heights.back()) {
      top = std::max(top, h);
      if (h > 0) min_positive = std::min(min_positive, h);
    }
  }
  Axis xa = make_linear_axis(edges.front(), edges.back(), 6, false);
  Axis ya = o.log_y ? make_log_axis(std::isfinite(min_positive) ? min_positive : 1, std::max(top, 1e-300))
                    : make_linear_axis(0, top > 0 ? top : 1);
  std::vector<LegendEntry> legend;
  std::vector<std::string> colors;
  for (std::size_t i = 0; i < series.size(); ++i) {
    colors.push_back(series_color(i, series[i].color));
    legend.push_back({series[i].name, colors.back(), false, true});
  }
  const std::string note = note_text(
      {nonfinite > 0 ? count_phrase(nonfinite, "non-finite value", "non-finite values") + " not counted" : "",
       outside > 0 ? count_phrase(outside, "value", "values") + " outside the bin edges not counted" : ""});
  const std::string y_label = !o.y_label.empty() ? o.y_label : o.density ? "density" : "count";
  const Frame f = layout_frame(o.width, o.height, !o.title.empty(), ya, true, !o.x_label.empty(),
                               legend_width(legend), !note.empty());
  xa.px_lo = f.left, xa.px_hi = f.right();
  ya.px_lo = f.bottom(), ya.px_hi = f.top;

  Svg svg(o.width, o.height, o.title);
  draw_title(&svg, o.width, o.title);
  draw_axes(&svg, f, xa, ya, o.x_label, y_label);
  auto py = [&](double h) { return h > 0 && h >= ya.lo ? ya.map(h) : f.bottom(); };
  for (std::size_t s = 0; s < series.size(); ++s) {
    std::string d = "M" + num(xa.map(edges[0])) + " " + num(f.bottom());
    for (std::size_t k = 0; k + 1 < edges.size(); ++k) {
      const std::string y = num(py(heights[s][k]));
      d += " L" + num(xa.map(edges[k])) + " " + y + " L" + num(xa.map(edges[k + 1])) + " " + y;
    }
    d += " L" + num(xa.map(edges.back())) + " " + num(f.bottom()) + " Z";
    svg.raw("<path d=\"" + d + "\" fill=\"" + colors[s] + "\" fill-opacity=\"0.3\" stroke=\"" +
            colors[s] + "\" stroke-width=\"1.4\" stroke-linejoin=\"miter\"/>\n");
  }
  draw_legend(&svg, f.right() + 14, f.top, legend);
  draw_note(&svg, o.height, f.left, note);
  return svg.finish();
}

namespace {

void check_bars(const std::vector<std::string>& categories, const std::vector<BarSeries>& series) {
  const std::size_t n = categories.size();
  for (const BarSeries& s : series) {
    BIORNN_CHECK(s.values.size() == n, "plot_bars: series '" + s.name + "' has " +
                                           std::to_string(s.values.size()) + " values for " +
                                           std::to_string(n) + " categories");
    BIORNN_CHECK(s.errors.empty() || s.errors.size() == n,
                 "plot_bars: series '" + s.name + "' needs one error per category or none");
    BIORNN_CHECK(s.points.empty() || s.points.size() == n,
                 "plot_bars: series '" + s.name + "' needs one list of points per category or none");
  }
}

}  // namespace

std::string plot_bars(const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                      const BarChartOptions& o) {
  check_bars(categories, series);
  double lo = 0, hi = 0;
  int64_t nonfinite = 0;
  for (const BarSeries& s : series) {
    for (std::size_t c = 0; c < categories.size(); ++c) {
      const double v = s.values[c];
      if (!std::isfinite(v)) { ++nonfinite; continue; }
      const double e = s.errors.empty() || !std::isfinite(s.errors[c]) ? 0 : std::fabs(s.errors[c]);
      lo = std::min(lo, v - e), hi = std::max(hi, v + e);
      if (!s.points.empty())
        for (double p : s.points[c])
          if (std::isfinite(p)) lo = std::min(lo, p), hi = std::max(hi, p);
    }
  }
  Axis ya = make_linear_axis(lo, hi);
  std::vector<LegendEntry> legend;
  std::vector<std::string> colors;
  for (std::size_t i = 0; i < series.size(); ++i) {
    colors.push_back(series_color(i, series[i].color));
    legend.push_back({series[i].name, colors.back(), false, true});
  }
  const std::string note = note_text(
      {nonfinite > 0 ? count_phrase(nonfinite, "non-finite value", "non-finite values") + " not drawn" : ""});
  double label_w = 0;
  for (const std::string& c : categories) label_w = std::max(label_w, text_width(c, 11));
  Frame f = layout_frame(o.width, o.height, !o.title.empty(), ya, !o.y_label.empty(), !o.x_label.empty(),
                         legend_width(legend), !note.empty());
  const double group = f.width / double(std::max<std::size_t>(1, categories.size()));
  const bool rotate = label_w > group * 0.95;
  if (rotate)
    f = layout_frame(o.width, o.height, !o.title.empty(), ya, !o.y_label.empty(), !o.x_label.empty(),
                     legend_width(legend), !note.empty(), label_w * 0.6);
  ya.px_lo = f.bottom(), ya.px_hi = f.top;

  Svg svg(o.width, o.height, o.title);
  draw_title(&svg, o.width, o.title);
  draw_axes(&svg, f, Axis(), ya, "", o.y_label, false);
  if (!o.x_label.empty())
    svg.text(f.left + f.width / 2, o.height - (note.empty() ? 8 : 26), o.x_label, "middle", 12);
  const double bar = group * 0.8 / double(std::max<std::size_t>(1, series.size()));
  const double zero = ya.map(0);
  for (std::size_t c = 0; c < categories.size(); ++c) {
    const double gx = f.left + c * group;
    for (std::size_t s = 0; s < series.size(); ++s) {
      const double v = series[s].values[c];
      if (!std::isfinite(v)) continue;
      const double x = gx + group * 0.1 + s * bar, mid = x + bar / 2, py = ya.map(v);
      svg.rect(x, std::min(py, zero), bar * 0.92, std::fabs(py - zero), colors[s], "fill-opacity=\"0.85\"");
      if (!series[s].errors.empty() && std::isfinite(series[s].errors[c])) {
        const double e = std::fabs(series[s].errors[c]), y1 = ya.map(v - e), y2 = ya.map(v + e);
        const double cx = mid - bar * 0.04;
        svg.line(cx, y1, cx, y2, "#222222", 1.2);
        svg.line(cx - bar * 0.15, y1, cx + bar * 0.15, y1, "#222222", 1.2);
        svg.line(cx - bar * 0.15, y2, cx + bar * 0.15, y2, "#222222", 1.2);
      }
      if (series[s].points.empty()) continue;
      const std::vector<double>& pts = series[s].points[c];
      const double spread = std::min(6.0, bar * 0.6 / double(std::max<std::size_t>(1, pts.size())));
      for (std::size_t k = 0; k < pts.size(); ++k) {
        if (!std::isfinite(pts[k])) continue;
        const double px = mid - bar * 0.04 + (double(k) - (pts.size() - 1) / 2.0) * spread;
        svg.raw("<circle cx=\"" + num(px) + "\" cy=\"" + num(ya.map(pts[k])) +
                "\" r=\"2.2\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"0.9\"/>\n");
      }
    }
    const double lx = gx + group / 2, ly = f.bottom() + 16;
    if (rotate) svg.text(lx, ly, categories[c], "end", 11, "transform=\"rotate(-35 " + num(lx) + " " + num(ly) + ")\"");
    else svg.text(lx, ly, categories[c], "middle", 11);
  }
  if (ya.lo < 0) svg.line(f.left, zero, f.right(), zero, "#444444", 1);
  draw_legend(&svg, f.right() + 14, f.top, legend);
  draw_note(&svg, o.height, f.left, note);
  return svg.finish();
}

}  // namespace biornn
