// plot_internal.hpp — the pieces every figure in plot_*.cpp shares: number formatting, axes,
// the SVG writer, frame layout, legends and the series palette. Not part of the public API.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "biornn/plot.hpp"

namespace biornn {
namespace plot_detail {

// A coordinate or length: two decimals, trailing zeros dropped ("12.5", "3", "-0.25").
// Contract: finite (non-finite data must be filtered before it becomes a coordinate).
std::string num(double v);

// `v` with `significant` digits (%g), exponents without padding ("1e-5", "2.5e6"); "nan",
// "inf", "-inf" for non-finite values (text only, never a coordinate).
std::string format_number(double v, int significant);

// Estimated rendered width of `text` at font size `size` (0.6 em per character).
double text_width(const std::string& text, double size);

// Where element ids go: Svg::finish replaces this character (which xml_escape never lets
// through) with a hash of the document, so two figures on one page never share an id.
inline constexpr char kIdMark = '\x01';

struct Axis {
  double lo = 0.0, hi = 1.0;        // the data interval shown
  bool log = false;
  double px_lo = 0.0, px_hi = 1.0;  // pixels of lo and hi (px_hi < px_lo for a y axis)
  std::vector<double> ticks;
  std::vector<std::string> labels;  // one per tick

  double map(double v) const;  // data -> pixel; v inside [lo, hi] or a clamp is the caller's job
  double max_label_width(double size) const;
};

// A linear axis over [lo, hi] (an empty interval is padded). `expand`: widened to whole tick
// steps; otherwise exactly [lo, hi] with the ticks that fall inside.
Axis make_linear_axis(double lo, double hi, int target = 5, bool expand = true);
// A log10 axis from the decade at or below lo to the decade at or above hi (0 < lo ≤ hi).
Axis make_log_axis(double lo, double hi);

struct Frame {
  double left = 0, top = 0, width = 0, height = 0;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

class Svg {
 public:
  Svg(int32_t width, int32_t height, const std::string& title);
  // Raw markup; callers escape any text they put in it.
  void raw(const std::string& markup) { out_ += markup; }
  void text(double x, double y, const std::string& text, const char* anchor = "start",
            double size = 12, const std::string& extra = "");
  void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
            const std::string& extra = "");
  void rect(double x, double y, double w, double h, const std::string& fill,
            const std::string& extra = "");
  // Closes the document and replaces every kIdMark by a 12-hex-digit FNV-1a hash of it.
  std::string finish();

 private:
  std::string out_;
};

// The frame left after the title, axis labels, tick labels, a legend of width `legend_width`
// (0: none) and a note line.
Frame layout_frame(int32_t width, int32_t height, bool has_title, const Axis& y, bool has_y_label,
                   bool has_x_label, double legend_width, bool has_note, double extra_bottom = 0);

void draw_title(Svg* svg, int32_t width, const std::string& title);
// Grid, frame, ticks and labels. `x_ticks` false leaves the x axis to the caller (bar charts).
void draw_axes(Svg* svg, const Frame& f, const Axis& x, const Axis& y, const std::string& x_label,
               const std::string& y_label, bool x_ticks = true);
// A grey line of small text at the bottom; nothing when `note` is empty.
void draw_note(Svg* svg, int32_t height, double x, const std::string& note);

struct LegendEntry {
  std::string name;
  std::string color;
  bool dashed = false;
  bool box = false;  // a filled square instead of a line
};
double legend_width(const std::vector<LegendEntry>& entries);
void draw_legend(Svg* svg, double x, double y, const std::vector<LegendEntry>& entries);

// `requested` checked and normalised ("#abc" / "#aabbcc", lower case), or palette entry i.
std::string series_color(std::size_t i, const std::string& requested);

// A vertical colour bar of plot_diverging_color over [-limit, limit] at (x, y), `height` px tall,
// with ticks and `label` (plot_heatmap.cpp).
void draw_colorbar(Svg* svg, double x, double y, double height, double limit, const std::string& label);

// "1 value", "3 values".
std::string count_phrase(int64_t n, const char* singular, const char* plural);
// Joins non-empty parts with "; " behind "note: ", or "" when all are empty.
std::string note_text(const std::vector<std::string>& parts);

}  // namespace plot_detail
}  // namespace biornn
