// test_report.cpp — the HTML report: escaped text, self-contained, well-formed, deterministic.
#include "doctest/doctest.h"

#include <string>

#include "biornn/check.hpp"
#include "biornn/plot.hpp"
#include "biornn/report.hpp"
#include "xml_check.hpp"

using namespace biornn;

namespace {

const std::string kHostile = "<script>alert('x')</script> & \"q\" \x01\xFF";
const std::string kEscaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \xEF\xBF\xBD\xEF\xBF\xBD";

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

HtmlReport full_report() {
  HtmlReport r("run " + kHostile);
  r.add_heading("summary " + kHostile);
  r.add_paragraph("line one\n" + kHostile);
  r.add_summary({{"task", "flipflop"}, {kHostile, kHostile}});
  r.add_table({"epoch", "loss", "note"}, {{"1", "0.25", "warm-up"}, {"2", "-1.5e-3", kHostile}, {"3", "nan", "95.2 %"}},
              "per-epoch " + kHostile);
  LineSeries s;
  s.name = "loss";
  s.y = {3, 2, 1};
  r.add_figure_inline(plot_lines({s}, {}), "loss " + kHostile);
  r.add_figure_link("figures/weights after.svg", "W " + kHostile);
  r.add_preformatted("[train]\nlr = 0.001\nname = \"<&>\"\n", "config " + kHostile);
  return r;
}

}  // namespace

TEST_CASE("a report escapes every piece of text it is given") {
  const std::string html = full_report().html();
  CHECK(html.find("<script") == std::string::npos);
  // title (twice), heading, paragraph, summary (2), cell, 4 captions and the image alt text
  CHECK(count(html, kEscaped) == 12);
  CHECK(html.find("<p>line one<br/>") != std::string::npos);
  CHECK(html.find("<pre>[train]\nlr = 0.001\nname = &quot;&lt;&amp;&gt;&quot;\n</pre>") != std::string::npos);
  CHECK(html.find("alt=\"W " + kEscaped + "\"") != std::string::npos);
}

TEST_CASE("a report page is well-formed, self-contained and deterministic") {
  const std::string html = full_report().html();
  CHECK(xml_test::check_well_formed(html) == "");
  const int lint = xml_test::xmllint_verdict(html);
  if (lint >= 0) CHECK(lint == 1);
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
  CHECK(html.find("<meta charset=\"utf-8\"/>") != std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(count(html, "http://") == 2);  // only the SVG and XLink namespace names of the inline figure
  CHECK(full_report().html() == html);
}

TEST_CASE("a report table right-aligns numbers and checks its row lengths") {
  const std::string html = full_report().html();
  CHECK(html.find("<td class=\"num\">-1.5e-3</td>") != std::string::npos);
  CHECK(html.find("<td class=\"num\">nan</td>") != std::string::npos);
  CHECK(html.find("<td class=\"num\">95.2 %</td>") != std::string::npos);
  CHECK(html.find("<td>warm-up</td>") != std::string::npos);
  HtmlReport r("t");
  CHECK_THROWS_AS(r.add_table({"a", "b"}, {{"1"}}), ContractViolation);
}

TEST_CASE("a report embeds SVG figures inline and links others by a percent-encoded relative path") {
  const std::string html = full_report().html();
  CHECK(html.find("<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  CHECK(html.find("<a href=\"figures/weights%20after.svg\"><img src=\"figures/weights%20after.svg\"") !=
        std::string::npos);
  CHECK(report_url_path("a b/c&d%.svg") == "a%20b/c%26d%25.svg");
  HtmlReport r("t");
  r.add_figure_inline("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  CHECK(r.html().find("<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n</figure>") != std::string::npos);
  CHECK_THROWS_AS(r.add_figure_inline("<html/>"), ContractViolation);
  CHECK_THROWS_AS(r.add_figure_link("/etc/passwd"), ContractViolation);
  CHECK_THROWS_AS(r.add_figure_link("https://example.com/x.svg"), ContractViolation);
}
