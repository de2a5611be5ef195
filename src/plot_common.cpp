// plot_common.cpp — what the figures share: XML escaping, nice ticks, the diverging colour
// scale, axes with their tick labels, the SVG writer, layout, legends, palette and notes.
//
// Ticks follow Heckbert's "nice numbers" (Graphics Gems I, 1990): the step is 1, 2 or 5 × 10^k
// closest to range / target. Labels are printed with exactly the decimals the step needs, in
// scientific form when the numbers are very large or very small. The series palette is Okabe &
// Ito's colour-blind-safe set (2008), yellow last. All formatting goes through snprintf with
// fixed precisions, so output is byte-stable.
//
// Not here: the figures themselves (plot_lines.cpp, plot_heatmap.cpp, plot_bars.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "plot_internal.hpp"

namespace biornn {

namespace {

// Length of the valid UTF-8 sequence starting at s[i] and its code point, or 0 when invalid.
int utf8_sequence(const std::string& s, std::size_t i, uint32_t* cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  int len = 0;
  if (c < 0x80) { *cp = c; return 1; }
  if (c >= 0xC2 && c <= 0xDF) len = 2, *cp = c & 0x1Fu;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, *cp = c & 0x0Fu;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, *cp = c & 0x07u;
  else return 0;
  if (i + std::size_t(len) > s.size()) return 0;
  for (int k = 1; k < len; ++k) {
    const auto d = static_cast<unsigned char>(s[i + std::size_t(k)]);
    if ((d & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (d & 0x3Fu);
  }
  if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) || *cp > 0x10FFFF ||
      (*cp >= 0xD800 && *cp <= 0xDFFF))
    return 0;
  return len;
}

double nice_step(double range, int target) {
  const double raw = range / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / magnitude;
  const double m = r < 1.5 ? 1.0 : r < 3.0 ? 2.0 : r < 7.0 ? 5.0 : 10.0;
  return m * magnitude;
}

// Trims "1.2000e-05" style exponents to "1.2e-5" and mantissa zeros.
std::string tidy_scientific(std::string s) {
  const std::size_t e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
  if (mantissa.find('.') != std::string::npos) {
    while (mantissa.back() == '0') mantissa.pop_back();
    if (mantissa.back() == '.') mantissa.pop_back();
  }
  const bool negative = exponent[0] == '-';
  std::size_t k = exponent[0] == '-' || exponent[0] == '+' ? 1 : 0;
  while (k + 1 < exponent.size() && exponent[k] == '0') ++k;
  return mantissa + "e" + (negative ? "-" : "") + exponent.substr(k);
}

// The label of a tick at v on an axis with the given step and largest magnitude.
std::string tick_label(double v, double step, double max_abs) {
  if (std::fabs(v) < step * 1e-6) return "0";
  char buf[48];
  const int k = int(std::floor(std::log10(step) + 1e-9));
  if (max_abs >= 1e6 || max_abs < 1e-3) {
    const int digits = std::max(0, int(std::floor(std::log10(max_abs) + 1e-9)) - k);
    std::snprintf(buf, sizeof buf, "%.*e", std::min(digits, 12), v);
    return tidy_scientific(buf);
  }
  std::snprintf(buf, sizeof buf, "%.*f", std::max(0, -k), v);
  return buf;
}

std::string log_tick_label(double mantissa, int exponent) {
  char buf[48];
  if (exponent >= -4 && exponent <= 5)
    std::snprintf(buf, sizeof buf, "%.*f", std::max(0, -exponent), mantissa * std::pow(10.0, exponent));
  else
    std::snprintf(buf, sizeof buf, "%.0fe%d", mantissa, exponent);
  return buf;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const int len = utf8_sequence(text, i, &cp);
    const bool forbidden = len == 0 || (cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F ||
                           cp == 0xFFFE || cp == 0xFFFF;
    if (forbidden) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      i += len == 0 ? 1 : std::size_t(len);
      continue;
    }
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.append(text, i, std::size_t(len));
    }
    i += std::size_t(len);
  }
  return out;
}

std::vector<double> plot_nice_ticks(double lo, double hi, int target) {
  BIORNN_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi && target >= 2,
               "plot_nice_ticks: need finite lo <= hi and target >= 2");
  if (lo == hi) return {lo};
  const double step = nice_step(hi - lo, target);
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  for (double k = first; k <= last; k += 1.0) {
    const double t = k * step;
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

PlotColor plot_diverging_color(double value, double limit) {
  BIORNN_CHECK(limit > 0 && std::isfinite(limit), "plot_diverging_color: limit must be finite and > 0");
  if (std::isnan(value)) return {128, 128, 128};
  static const PlotColor stops[5] = {
      {33, 102, 172}, {146, 197, 222}, {255, 255, 255}, {244, 165, 130}, {178, 24, 43}};
  const double t = std::min(1.0, std::max(-1.0, value / limit));  // ±inf clamp to the ends
  const double pos = (t + 1.0) * 2.0;  // 0..4 across the stops
  const int seg = std::min(3, int(std::floor(pos)));
  const double f = pos - seg;
  auto mix = [f](uint8_t a, uint8_t b) { return uint8_t(std::lround(a + (double(b) - a) * f)); };
  const PlotColor &a = stops[seg], &b = stops[seg + 1];
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

std::string plot_color_hex(PlotColor c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", unsigned(c.r), unsigned(c.g), unsigned(c.b));
  return buf;
}

namespace plot_detail {

std::string num(double v) {
  BIORNN_CHECK(std::isfinite(v), "plot: a non-finite coordinate reached the SVG writer");
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string format_number(double v, int significant) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", significant, v);
  return tidy_scientific(buf);
}

double text_width(const std::string& text, double size) {
  std::size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return 0.6 * size * double(chars);
}

double Axis::map(double v) const {
  const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                       : (v - lo) / (hi - lo);
  return px_lo + t * (px_hi - px_lo);
}

double Axis::max_label_width(double size) const {
  double w = 0;
  for (const std::string& l : labels) w = std::max(w, text_width(l, size));
  return w;
}

Axis make_linear_axis(double lo, double hi, int target, bool expand) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad, hi += pad;
  }
  const double step = nice_step(hi - lo, target);
  Axis a;
  a.lo = expand ? std::floor(lo / step + 1e-9) * step : lo;
  a.hi = expand ? std::ceil(hi / step - 1e-9) * step : hi;
  const double max_abs = std::max(std::fabs(a.lo), std::fabs(a.hi));
  for (double k = std::ceil(a.lo / step - 1e-9); k <= std::floor(a.hi / step + 1e-9); k += 1.0) {
    const double t = std::fabs(k * step) < step * 1e-9 ? 0.0 : k * step;
    a.ticks.push_back(t);
    a.labels.push_back(tick_label(t, step, max_abs));
  }
  return a;
}

Axis make_log_axis(double lo, double hi) {
  int e0 = int(std::floor(std::log10(lo) + 1e-12));
  int e1 = int(std::ceil(std::log10(hi) - 1e-12));
  if (e1 <= e0) e1 = e0 + 1;
  Axis a;
  a.log = true;
  a.lo = std::pow(10.0, e0);
  a.hi = std::pow(10.0, e1);
  const int decades = e1 - e0;
  const int stride = std::max(1, (decades + 5) / 6);
  for (int k = e0; k <= e1; ++k) {
    if ((k - e0) % stride == 0) {
      a.ticks.push_back(std::pow(10.0, k));
      a.labels.push_back(log_tick_label(1, k));
    }
    if (decades <= 2 && k < e1) {
      for (double m : {2.0, 5.0}) {
        a.ticks.push_back(m * std::pow(10.0, k));
        a.labels.push_back(log_tick_label(m, k));
      }
    }
  }
  return a;
}

Svg::Svg(int32_t width, int32_t height, const std::string& title) {
  BIORNN_CHECK(width >= 100 && height >= 80 && width <= 100000 && height <= 100000,
               "plot: figure size must be at least 100x80 px, got " + std::to_string(width) + "x" +
                   std::to_string(height));
  const std::string w = std::to_string(width), h = std::to_string(height);
  out_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
         "version=\"1.1\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h +
         "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  if (!title.empty()) out_ += "<title>" + xml_escape(title) + "</title>\n";
  out_ += "<rect width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
}

void Svg::text(double x, double y, const std::string& t, const char* anchor, double size,
               const std::string& extra) {
  out_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"";
  if (std::string(anchor) != "start") out_ += std::string(" text-anchor=\"") + anchor + "\"";
  if (size != 12) out_ += " font-size=\"" + num(size) + "\"";
  if (!extra.empty()) out_ += " " + extra;
  out_ += ">" + xml_escape(t) + "</text>\n";
}

void Svg::line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
               const std::string& extra) {
  out_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
          num(y2) + "\" stroke=\"" + stroke + "\" stroke-width=\"" + num(width) + "\"" +
          (extra.empty() ? "" : " " + extra) + "/>\n";
}

void Svg::rect(double x, double y, double w, double h, const std::string& fill,
               const std::string& extra) {
  out_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" +
          num(h) + "\" fill=\"" + fill + "\"" + (extra.empty() ? "" : " " + extra) + "/>\n";
}

std::string Svg::finish() {
  out_ += "</svg>\n";
  uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a, 64 bit
  for (char c : out_) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  char id[16];
  std::snprintf(id, sizeof id, "%012llx", static_cast<unsigned long long>(hash >> 16));
  std::string result;
  result.reserve(out_.size() + 64);
  for (char c : out_) {
    if (c == kIdMark) result += id;
    else result += c;
  }
  return result;
}

Frame layout_frame(int32_t width, int32_t height, bool has_title, const Axis& y, bool has_y_label,
                   bool has_x_label, double legend_width, bool has_note, double extra_bottom) {
  Frame f;
  f.left = 12 + (has_y_label ? 18 : 0) + y.max_label_width(11) + 8;
  f.top = has_title ? 36 : 14;
  const double right = 16 + (legend_width > 0 ? legend_width + 14 : 0);
  const double bottom = 26 + (has_x_label ? 20 : 0) + (has_note ? 18 : 0) + extra_bottom;
  f.width = std::max(20.0, width - f.left - right);
  f.height = std::max(20.0, height - f.top - bottom);
  return f;
}

void draw_title(Svg* svg, int32_t width, const std::string& title) {
  if (!title.empty()) svg->text(width / 2.0, 22, title, "middle", 15, "font-weight=\"bold\"");
}

void draw_axes(Svg* svg, const Frame& f, const Axis& x, const Axis& y, const std::string& x_label,
               const std::string& y_label, bool x_ticks) {
  svg->raw("<g class=\"grid\">\n");
  for (double t : y.ticks) svg->line(f.left, y.map(t), f.right(), y.map(t), "#e6e6e6", 1);
  if (x_ticks)
    for (double t : x.ticks) svg->line(x.map(t), f.top, x.map(t), f.bottom(), "#e6e6e6", 1);
  svg->raw("</g>\n");
  for (std::size_t i = 0; i < y.ticks.size(); ++i) {
    const double py = y.map(y.ticks[i]);
    svg->line(f.left - 5, py, f.left, py, "#444444", 1);
    svg->text(f.left - 8, py + 4, y.labels[i], "end", 11);
  }
  if (x_ticks) {
    for (std::size_t i = 0; i < x.ticks.size(); ++i) {
      const double px = x.map(x.ticks[i]);
      svg->line(px, f.bottom(), px, f.bottom() + 5, "#444444", 1);
      svg->text(px, f.bottom() + 17, x.labels[i], "middle", 11);
    }
  }
  svg->rect(f.left, f.top, f.width, f.height, "none", "stroke=\"#444444\" stroke-width=\"1\"");
  if (!x_label.empty()) svg->text(f.left + f.width / 2, f.bottom() + 36, x_label, "middle", 12);
  if (!y_label.empty()) {
    const double lx = f.left - 8 - y.max_label_width(11) - 10;
    const double ly = f.top + f.height / 2;
    svg->text(lx, ly, y_label, "middle", 12,
              "transform=\"rotate(-90 " + num(lx) + " " + num(ly) + ")\"");
  }
}

void draw_note(Svg* svg, int32_t height, double x, const std::string& note) {
  if (!note.empty()) svg->text(x, height - 8, note, "start", 10.5, "fill=\"#555555\"");
}

double legend_width(const std::vector<LegendEntry>& entries) {
  double w = 0;
  for (const LegendEntry& e : entries)
    if (!e.name.empty()) w = std::max(w, 28 + text_width(e.name, 11));
  return w;
}

void draw_legend(Svg* svg, double x, double y, const std::vector<LegendEntry>& entries) {
  double row = y + 8;
  for (const LegendEntry& e : entries) {
    if (e.name.empty()) continue;
    if (e.box) {
      svg->rect(x, row - 6, 14, 12, e.color, "fill-opacity=\"0.6\" stroke=\"" + e.color + "\"");
    } else {
      svg->line(x, row, x + 20, row, e.color, 2, e.dashed ? "stroke-dasharray=\"5 3\"" : "");
    }
    svg->text(x + 26, row + 4, e.name, "start", 11);
    row += 18;
  }
}

std::string series_color(std::size_t i, const std::string& requested) {
  static const char* const palette[8] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                         "#e69f00", "#56b4e9", "#000000", "#f0e442"};
  if (requested.empty()) return palette[i % 8];
  bool ok = requested[0] == '#' && (requested.size() == 4 || requested.size() == 7);
  std::string lower = "#";
  for (std::size_t k = 1; ok && k < requested.size(); ++k) {
    const char c = requested[k];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    lower += char(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  }
  BIORNN_CHECK(ok, "plot: colour '" + requested + "' is not of the form #rgb or #rrggbb");
  return lower;
}

std::string count_phrase(int64_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

std::string note_text(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    out += out.empty() ? "note: " : "; ";
    out += p;
  }
  return out;
}

}  // namespace plot_detail
}  // namespace biornn
