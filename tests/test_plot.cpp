// test_plot.cpp — the SVG figures: well-formed XML (own checker, and xmllint when installed),
// escaped text, the heat map's colours (read back from rects and from the embedded PNG),
// boundaries where asked, non-finite data counted and never written as a coordinate, and
// byte-identical output for identical input.
#include "doctest/doctest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "biornn/plot.hpp"
#include "png_decode.hpp"
#include "xml_check.hpp"

using namespace biornn;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
const std::string kHostile = "<b>&\"'\x01\xFF é";

void check_svg(const std::string& svg) {
  CHECK_MESSAGE(xml_test::check_well_formed(svg) == "", svg.substr(0, 300));
  const int lint = xml_test::xmllint_verdict(svg);
  if (lint >= 0) CHECK(lint == 1);
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  // No non-finite number may reach an attribute.
  for (const char* bad : {"=\"nan", "=\"-nan", "=\"inf", "=\"-inf", "nan\"", "inf\"", " nan ", " -nan ",
                          " inf ", " -inf ", "Mnan", "Lnan", "L-nan", "Minf", "Linf", "L-inf"})
    CHECK_MESSAGE(svg.find(bad) == std::string::npos, bad);
}

// Every opening tag `<tag ...>` of the document, as text.
std::vector<std::string> elements(const std::string& svg, const std::string& tag) {
  std::vector<std::string> out;
  for (std::size_t p = svg.find("<" + tag + " "); p != std::string::npos; p = svg.find("<" + tag + " ", p + 1))
    out.push_back(svg.substr(p, svg.find('>', p) - p + 1));
  return out;
}

std::string attr(const std::string& element, const std::string& name) {
  const std::size_t p = element.find(" " + name + "=\"");
  if (p == std::string::npos) return "";
  const std::size_t start = p + name.size() + 3;
  return element.substr(start, element.find('"', start) - start);
}

double attr_num(const std::string& element, const std::string& name) { return std::stod(attr(element, name)); }

// The fill of the heat-map rect whose tooltip starts with `title`.
std::string cell_fill(const std::string& svg, const std::string& title) {
  const std::size_t t = svg.find("<title>" + title);
  REQUIRE(t != std::string::npos);
  const std::size_t r = svg.rfind("<rect ", t);
  return attr(svg.substr(r, t - r), "fill");
}

// The y coordinate after every M and L of a path.
std::vector<double> path_ys(const std::string& d) {
  std::vector<double> ys;
  for (std::size_t p = 0; (p = d.find_first_of("ML", p)) != std::string::npos; ++p)
    ys.push_back(std::stod(d.substr(d.find(' ', p) + 1)));
  return ys;
}

png_test::Image embedded_png(const std::string& svg) {
  const std::vector<std::string> images = elements(svg, "image");
  REQUIRE(images.size() == 1);
  const std::string uri = attr(images[0], "xlink:href");
  REQUIRE(uri.rfind("data:image/png;base64,", 0) == 0);
  std::string png;
  REQUIRE(png_test::base64_decode(uri.substr(22), &png));
  png_test::Image img = png_test::decode(png);
  REQUIRE_MESSAGE(img.error.empty(), img.error);
  return img;
}

Matrix colour_probe() {
  Matrix m(3, 4, real(0.5));
  m(0, 0) = 0;
  m(0, 1) = 2;   // the largest |value|: the +limit colour
  m(0, 2) = -2;  // the -limit colour
  m(1, 1) = real(kNaN);
  m(2, 3) = real(kInf);
  return m;
}

}  // namespace

TEST_CASE("svg text is XML-escaped and invalid bytes become replacement characters") {
  CHECK(xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(xml_escape("é ✓ \xF0\x9F\x98\x80") == "é ✓ \xF0\x9F\x98\x80");
  CHECK(xml_escape("x\x01y\xFFz\xC3") == "x\xEF\xBF\xBDy\xEF\xBF\xBDz\xEF\xBF\xBD");
  CHECK(xml_escape("tab\tnew\nline") == "tab\tnew\nline");
  CHECK(xml_escape("\xEF\xBF\xBE") == "\xEF\xBF\xBD");  // U+FFFE is not an XML character
}

TEST_CASE("plot ticks are nice numbers inside the interval") {
  auto near = [](const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::fabs(a[i] - b[i]) > 1e-12 * (1 + std::fabs(b[i]))) return false;
    return true;
  };
  CHECK(near(plot_nice_ticks(0, 1), {0, 0.2, 0.4, 0.6, 0.8, 1}));
  CHECK(near(plot_nice_ticks(0, 97), {0, 20, 40, 60, 80}));
  CHECK(near(plot_nice_ticks(-0.73, 0.73), {-0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.6}));
  CHECK(near(plot_nice_ticks(1440, 1460), {1440, 1445, 1450, 1455, 1460}));
  CHECK(near(plot_nice_ticks(3e-7, 9e-7), {3e-7, 4e-7, 5e-7, 6e-7, 7e-7, 8e-7, 9e-7}));
  CHECK(near(plot_nice_ticks(2, 2), {2}));
  CHECK_THROWS_AS(plot_nice_ticks(0, kNaN), ContractViolation);
}

TEST_CASE("the heat map colour scale is white at 0 and the end colours at plus and minus the limit") {
  CHECK(plot_color_hex(plot_diverging_color(0, 3)) == "#ffffff");
  CHECK(plot_color_hex(plot_diverging_color(3, 3)) == "#b2182b");
  CHECK(plot_color_hex(plot_diverging_color(-3, 3)) == "#2166ac");
  CHECK(plot_color_hex(plot_diverging_color(1.5, 3)) == "#f4a582");
  CHECK(plot_color_hex(plot_diverging_color(-1.5, 3)) == "#92c5de");
  CHECK(plot_diverging_color(10, 3) == plot_diverging_color(3, 3));
  CHECK(plot_diverging_color(-kInf, 3) == plot_diverging_color(-3, 3));
  CHECK(plot_color_hex(plot_diverging_color(kNaN, 3)) == "#808080");
}

TEST_CASE("a small svg heat map draws one rect per cell in the colour of its value") {
  const std::string svg = plot_heatmap(colour_probe(), {});
  check_svg(svg);
  CHECK(cell_fill(svg, "row 0, column 0: 0<") == "#ffffff");
  CHECK(cell_fill(svg, "row 0, column 1: 2<") == "#b2182b");
  CHECK(cell_fill(svg, "row 0, column 2: -2<") == "#2166ac");
  CHECK(cell_fill(svg, "row 1, column 1: nan<") == "#808080");
  CHECK(cell_fill(svg, "row 2, column 3: inf<") == "#b2182b");
  CHECK(svg.find("note: 1 NaN cell (grey); 1 infinite cell (at the colour limits)") != std::string::npos);
  CHECK(svg.find("±2") != std::string::npos);  // the symmetric limit is max |finite value|
}

TEST_CASE("a large svg heat map embeds a PNG whose pixels carry the same colours") {
  HeatmapOptions o;
  o.cells = HeatmapCells::kImage;
  const std::string svg = plot_heatmap(colour_probe(), o);
  check_svg(svg);
  const png_test::Image img = embedded_png(svg);
  CHECK(img.width == 4);
  CHECK(img.height == 3);
  auto pixel = [&](int i, int j) {
    const std::size_t p = (std::size_t(i) * 4 + std::size_t(j)) * 3;
    return plot_color_hex(PlotColor{img.rgb[p], img.rgb[p + 1], img.rgb[p + 2]});
  };
  CHECK(pixel(0, 0) == "#ffffff");
  CHECK(pixel(0, 1) == "#b2182b");
  CHECK(pixel(0, 2) == "#2166ac");
  CHECK(pixel(1, 1) == "#808080");
  CHECK(pixel(2, 3) == "#b2182b");
  CHECK(pixel(1, 0) == plot_color_hex(plot_diverging_color(0.5, 2)));  // a quarter: an exact level
}

TEST_CASE("a svg heat map with a given limit clamps beyond it and says so") {
  HeatmapOptions o;
  o.limit = 1.0;
  const std::string svg = plot_heatmap(colour_probe(), o);
  check_svg(svg);
  CHECK(cell_fill(svg, "row 0, column 1: 2<") == "#b2182b");
  CHECK(cell_fill(svg, "row 1, column 0: 0.5<") == "#f4a582");
  CHECK(svg.find("2 cells beyond ±limit (at the colour limits)") != std::string::npos);
}

TEST_CASE("svg heat map boundaries are drawn exactly between the rows and columns asked for") {
  Matrix m(48, 48, real(0.1));
  HeatmapOptions o;
  o.size = 480;  // 10 px per cell
  o.cells = HeatmapCells::kImage;
  o.row_boundaries = {12, 40};
  o.col_boundaries = {24};
  o.row_groups = {{0, 12, "E <exc>"}, {12, 48, "I & co"}};
  o.col_groups = {{0, 24, "first"}, {24, 48, "second"}};
  const std::string svg = plot_heatmap(m, o);
  check_svg(svg);
  const std::string image = elements(svg, "image")[0];
  const double x0 = attr_num(image, "x"), y0 = attr_num(image, "y");
  CHECK(attr_num(image, "width") == 480);
  const std::size_t g = svg.find("<g class=\"boundaries\"");
  const std::vector<std::string> lines = elements(svg.substr(g, svg.find("</g>", g) - g), "line");
  REQUIRE(lines.size() == 3);
  CHECK(attr_num(lines[0], "y1") == doctest::Approx(y0 + 120));
  CHECK(attr_num(lines[0], "y2") == doctest::Approx(y0 + 120));
  CHECK(attr_num(lines[0], "x1") == doctest::Approx(x0));
  CHECK(attr_num(lines[0], "x2") == doctest::Approx(x0 + 480));
  CHECK(attr_num(lines[1], "y1") == doctest::Approx(y0 + 400));
  CHECK(attr_num(lines[2], "x1") == doctest::Approx(x0 + 240));
  CHECK(attr_num(lines[2], "y1") == doctest::Approx(y0));
  CHECK(attr_num(lines[2], "y2") == doctest::Approx(y0 + 480));
  CHECK(svg.find(">E &lt;exc&gt;</text>") != std::string::npos);
  CHECK(svg.find(">I &amp; co</text>") != std::string::npos);
  CHECK_THROWS_AS(plot_heatmap(m, [] { HeatmapOptions b; b.row_boundaries = {49}; return b; }()), ContractViolation);
  CHECK_THROWS_AS(plot_heatmap(m, [] { HeatmapOptions b; b.col_groups = {{5, 5, "x"}}; return b; }()), ContractViolation);
}

TEST_CASE("a svg heat map costs at most 1.4 bytes per cell, much less when mostly zeros") {
  // 480 x 480 keeps the test fast; the cost per cell is what scales (1440 x 1440: under 3 MB).
  const int32_t n = 480;
  Matrix w(n, n);
  uint32_t state = 12345;
  for (int64_t k = 0; k < w.size(); ++k) {
    state = state * 1664525u + 1013904223u;
    w.data()[k] = real(double(state >> 8) / double(1 << 24) - 0.5);
  }
  const std::string dense = plot_heatmap(w, {});
  CHECK(double(dense.size()) < 1.4 * double(w.size()) + 20000);
  for (int64_t k = 0; k < w.size(); ++k)
    if (k % 10 != 0) w.data()[k] = 0;  // 10 % density, like a pruned matrix
  const std::string pruned = plot_heatmap(w, {});
  CHECK(pruned.size() < dense.size() / 2);
}

TEST_CASE("svg line plots break at non-finite points and count them in a note") {
  LineSeries a;
  a.name = "loss";
  a.y = {1, 2, kNaN, 3, 4, kInf, 5};
  LineSeries b;
  b.name = kHostile;
  b.x = {0, 1, 2};
  b.y = {kNaN, 2, kNaN};  // one drawable point: a dot
  b.color = "#ABC";
  const std::string svg = plot_lines({a, b}, {});
  check_svg(svg);
  const std::vector<std::string> paths = elements(svg, "path");
  REQUIRE(paths.size() == 1);
  const std::string d = attr(paths[0], "d");
  CHECK(std::count(d.begin(), d.end(), 'M') == 2);  // {1,2} and {3,4}; 5 alone is a dot
  CHECK(elements(svg, "circle").size() == 2);
  CHECK(svg.find("note: 4 non-finite points not drawn") != std::string::npos);
  CHECK(svg.find(xml_escape(kHostile)) != std::string::npos);
  CHECK(svg.find("stroke=\"#abc\"") != std::string::npos);
}

TEST_CASE("svg line plots on a log axis label decades and leave out values at or below zero") {
  LineSeries s;
  s.name = "train";
  s.x = {1, 2, 3, 4};
  s.y = {0.5, 0.01, 0.0, -1.0};
  s.band_lower = {0.4, -1, 0, 0};
  s.band_upper = {0.6, 0.02, 0, 0};
  LinePlotOptions o;
  o.log_y = true;
  o.title = "loss";
  o.reference_lines = {{0.002, "target"}};
  const std::string svg = plot_lines({s}, o);
  check_svg(svg);
  for (const char* label : {">0.001<", ">0.01<", ">0.1<", ">1<"})
    CHECK_MESSAGE(svg.find(label) != std::string::npos, label);
  CHECK(svg.find("2 points ≤ 0 not drawn on the log scale") != std::string::npos);
  CHECK(svg.find("stroke-dasharray=\"6 4\"") != std::string::npos);
  CHECK(svg.find(">target</text>") != std::string::npos);
  CHECK(svg.find("fill-opacity=\"0.18\"") != std::string::npos);
}

TEST_CASE("svg line plots survive series with nothing to draw and honour fixed limits") {
  LineSeries s;
  s.y = {kNaN, kNaN};
  const std::string empty = plot_lines({s, LineSeries{}}, {});
  check_svg(empty);
  CHECK(empty.find("no data to draw") != std::string::npos);
  LineSeries t;
  t.y = {0, 10, 1e300};
  LinePlotOptions o;
  o.y_min = 0;
  o.y_max = 5;
  const std::string clipped = plot_lines({t}, o);
  check_svg(clipped);
  CHECK(clipped.find(">5<") != std::string::npos);
  CHECK(clipped.find(">6<") == std::string::npos);
  CHECK_THROWS_AS(plot_lines({t}, [] { LinePlotOptions b; b.log_y = true; b.y_min = 0; return b; }()), ContractViolation);
  LineSeries bad;
  bad.x = {1};
  bad.y = {1, 2};
  CHECK_THROWS_AS(plot_lines({bad}, {}), ContractViolation);
  LineSeries colour;
  colour.color = "red";
  CHECK_THROWS_AS(plot_lines({colour}, {}), ContractViolation);
}

TEST_CASE("svg histograms count every series on the same bin edges") {
  HistogramSeries a{"before", {0, 0.5, 1, 2.5, 3, 3.5, kNaN}, ""};
  HistogramSeries b{"after", {2, 2.2}, ""};
  HistogramOptions o;
  o.bin_edges = {0, 1, 2, 3};
  const std::string svg = plot_histogram({a, b}, o);
  check_svg(svg);
  CHECK(svg.find("note: 1 non-finite value not counted; 1 value outside the bin edges not counted") !=
        std::string::npos);
  const std::vector<std::string> paths = elements(svg, "path");
  REQUIRE(paths.size() == 2);
  // Series a: counts 2, 1, 2 -> heights top, middle, top on an axis from 0 to 2.
  const std::vector<double> ys = path_ys(attr(paths[0], "d"));
  REQUIRE(ys.size() == 8);
  const double bottom = ys[0], top = ys[1];
  CHECK(top < bottom);
  CHECK(ys[2] == top);
  CHECK(ys[3] == doctest::Approx((top + bottom) / 2).epsilon(0.01));
  CHECK(ys[5] == top);
  CHECK(ys[7] == bottom);
  const std::vector<double> b_ys = path_ys(attr(paths[1], "d"));  // series b: 0, 0, 2
  REQUIRE(b_ys.size() == 8);
  CHECK(b_ys[1] == bottom);
  CHECK(b_ys[3] == bottom);
  CHECK(b_ys[5] == top);
}

TEST_CASE("svg histograms with automatic edges, density and a log axis stay well-formed") {
  HistogramSeries a{kHostile, {}, ""};
  for (int i = 0; i < 1000; ++i) a.values.push_back(std::sin(i * 0.37));
  HistogramSeries same{"constant", {3, 3, 3}, "#112233"};
  HistogramOptions o;
  o.density = true;
  o.log_y = true;
  o.bins = 17;
  check_svg(plot_histogram({a}, o));
  check_svg(plot_histogram({same}, {}));
  check_svg(plot_histogram({HistogramSeries{"empty", {kNaN}, ""}}, o));
  CHECK(plot_histogram({a}, o).find(">density<") != std::string::npos);
  CHECK_THROWS_AS(plot_histogram({a}, [] { HistogramOptions b; b.bin_edges = {0, 0}; return b; }()), ContractViolation);
}

TEST_CASE("svg bar charts draw bars from zero with error bars and individual points") {
  BarSeries s{"Dale", {2, 1, kNaN}, {0.5, kNaN, 1}, {{1.8, 2.2}, {}, {}}, ""};
  BarSeries t{"conventional", {-1, 0.5, 1}, {}, {}, ""};
  const std::string svg = plot_bars({"a", kHostile, "c"}, {s, t}, {});
  check_svg(svg);
  std::vector<double> heights;
  for (const std::string& r : elements(svg, "rect"))
    if (attr(r, "fill-opacity") == "0.85") heights.push_back(attr_num(r, "height"));
  REQUIRE(heights.size() == 5);  // six bars, one NaN
  CHECK(heights[0] == doctest::Approx(2 * heights[2]).epsilon(0.01));  // 2 vs 1
  CHECK(heights[1] == doctest::Approx(heights[2]).epsilon(0.01));      // |-1| vs 1
  CHECK(elements(svg, "circle").size() == 2);
  CHECK(svg.find("note: 1 non-finite value not drawn") != std::string::npos);
  CHECK_THROWS_AS(plot_bars({"a"}, {s}, {}), ContractViolation);
}

TEST_CASE("svg output is byte-identical for identical input and ids differ between figures") {
  const Matrix m = colour_probe();
  CHECK(plot_heatmap(m, {}) == plot_heatmap(m, {}));
  LineSeries s;
  s.y = {1, 2, 3};
  CHECK(plot_lines({s}, {}) == plot_lines({s}, {}));
  s.y = {1, 2, 4};
  const std::string a = plot_lines({s}, {}), b = plot_lines({LineSeries{"", {}, {1, 2, 3}, {}, {}, "", false}}, {});
  const std::string id_a = attr(elements(a, "clipPath")[0], "id"), id_b = attr(elements(b, "clipPath")[0], "id");
  CHECK(id_a.size() == 16);
  CHECK(id_a != id_b);
}
