// report.hpp — a minimal HTML page for a run directory: what was run, what came out.
//
// HtmlReport collects blocks in order — headings, paragraphs, a key–value summary, metrics
// tables, figures (inline SVG from plot.hpp, or linked by a file name relative to the page),
// preformatted text such as the resolved TOML config — and html() renders one self-contained
// page: UTF-8, an embedded style sheet, no scripts, no external resources, readable offline
// and when the run directory is moved. All text is escaped (plot.hpp's xml_escape), and the
// page is also well-formed XML (void elements written as <meta ... />), so the tests can check
// it with an XML parser. Output is deterministic: no timestamps unless the caller adds them.
//
//   HtmlReport r("flipflop / dale / seed 1");
//   r.add_summary({{"task", "flipflop"}, {"final test MSE", "4.8e-4"}});
//   r.add_table({"epoch", "train loss", "test loss"}, rows, "per-epoch metrics");
//   r.add_figure_inline(plot_lines(...), "loss curves");
//   r.add_figure_link("weights_heatmap.svg", "W after training");
//   r.add_preformatted(to_toml_string(config), "resolved configuration");
//   std::string page = r.html();   // the caller writes it (fileio.hpp)
//
// Not here: writing files (fileio.hpp), drawing figures (plot.hpp), formatting numbers (the
// caller passes table cells as text, formatted as it sees fit).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace biornn {

class HtmlReport {
 public:
  explicit HtmlReport(std::string title);

  void add_heading(const std::string& text);    // a section heading (<h2>)
  void add_paragraph(const std::string& text);  // plain text; newlines become line breaks
  // A two-column table of names and values.
  void add_summary(const std::vector<std::pair<std::string, std::string>>& items);
  // Contract: every row has header.size() cells. Cells that read as numbers are right-aligned.
  void add_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, const std::string& caption = "");
  // An SVG document (e.g. from plot.hpp) embedded in the page; an XML declaration before it
  // is dropped. Contract: the text starts with "<svg" (after that declaration and whitespace).
  void add_figure_inline(const std::string& svg, const std::string& caption = "");
  // An image shown from a file beside the page, and linked to it. Contract: a relative path
  // (not absolute, no URL scheme); it is percent-encoded as needed.
  void add_figure_link(const std::string& relative_path, const std::string& caption = "");
  // Text shown verbatim in a monospace block.
  void add_preformatted(const std::string& text, const std::string& caption = "");

  // The complete page.
  std::string html() const;

 private:
  std::string title_;
  std::string body_;
};

// Percent-encodes a relative path for an href/src attribute (RFC 3986: everything but
// unreserved characters and '/' is encoded), e.g. "loss curve.svg" -> "loss%20curve.svg".
std::string report_url_path(const std::string& relative_path);

}  // namespace biornn
