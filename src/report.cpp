// report.cpp — the HTML page builder (see report.hpp).
//
// Each add_* appends escaped markup to the body; html() wraps it with the head and the style
// sheet. The style sheet is a fixed string: system fonts, readable line length, tables with
// light rules, figures scaled to the page width.
//
// Not here: figure drawing and XML escaping (plot.hpp), file output (fileio.hpp).
#include "biornn/report.hpp"

#include <cctype>
#include <cstdio>

#include "biornn/check.hpp"
#include "biornn/config.hpp"
#include "biornn/plot.hpp"

namespace biornn {

namespace {

const char* const kStyle =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Helvetica,Arial,sans-serif;"
    "max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
    "h1{font-size:1.6em;border-bottom:1px solid #ddd;padding-bottom:.3em}\n"
    "h2{font-size:1.25em;margin-top:1.8em}\n"
    "table{border-collapse:collapse;margin:.8em 0}\n"
    "th,td{border:1px solid #ddd;padding:.3em .7em;text-align:left;vertical-align:top}\n"
    "th{background:#f4f4f4}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "caption{caption-side:bottom;color:#555;font-size:.9em;padding-top:.3em;text-align:left}\n"
    "figure{margin:1.2em 0}\n"
    "figure svg,figure img{max-width:100%;height:auto}\n"
    "figcaption{color:#555;font-size:.9em}\n"
    "pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.8em;overflow-x:auto;font-size:.9em}\n"
    "footer{margin-top:3em;color:#888;font-size:.85em}\n";

// True for cells such as "12", "-3.5e-4", "95.2 %", "nan", "+inf".
bool looks_numeric(const std::string& s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const std::string rest = s.substr(i);
  if (rest == "nan" || rest == "inf" || rest == "NaN" || rest == "Inf") return true;
  if (i >= s.size() || !(std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) return false;
  bool digit = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' && c != '%' && c != ' ' && c != '_')
      return false;
  }
  return digit;
}

std::string caption_block(const char* tag, const std::string& caption) {
  if (caption.empty()) return "";
  return std::string("<") + tag + ">" + xml_escape(caption) + "</" + tag + ">\n";
}

}  // namespace

std::string report_url_path(const std::string& path) {
  std::string out;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", unsigned(c));
      out += buf;
    }
  }
  return out;
}

HtmlReport::HtmlReport(std::string title) : title_(std::move(title)) {}

void HtmlReport::add_heading(const std::string& text) { body_ += "<h2>" + xml_escape(text) + "</h2>\n"; }

void HtmlReport::add_paragraph(const std::string& text) {
  std::string escaped = xml_escape(text), out;
  for (char c : escaped) out += c == '\n' ? std::string("<br/>") : std::string(1, c);
  body_ += "<p>" + out + "</p>\n";
}

void HtmlReport::add_summary(const std::vector<std::pair<std::string, std::string>>& items) {
  body_ += "<table class=\"summary\">\n";
  for (const auto& kv : items)
    body_ += "<tr><th>" + xml_escape(kv.first) + "</th><td>" + xml_escape(kv.second) + "</td></tr>\n";
  body_ += "</table>\n";
}

void HtmlReport::add_table(const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows, const std::string& caption) {
  for (std::size_t r = 0; r < rows.size(); ++r)
    BIORNN_CHECK(rows[r].size() == header.size(),
                 "HtmlReport::add_table: row " + std::to_string(r) + " has " +
                     std::to_string(rows[r].size()) + " cells, the header " + std::to_string(header.size()));
  body_ += "<table>\n" + caption_block("caption", caption) + "<thead><tr>";
  for (const std::string& h : header) body_ += "<th>" + xml_escape(h) + "</th>";
  body_ += "</tr></thead>\n<tbody>\n";
  for (const std::vector<std::string>& row : rows) {
    body_ += "<tr>";
    for (const std::string& cell : row)
      body_ += (looks_numeric(cell) ? "<td class=\"num\">" : "<td>") + xml_escape(cell) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</tbody>\n</table>\n";
}

void HtmlReport::add_figure_inline(const std::string& svg, const std::string& caption) {
  std::size_t start = 0;
  if (svg.compare(0, 5, "<?xml") == 0) {
    const std::size_t end = svg.find("?>");
    start = end == std::string::npos ? svg.size() : end + 2;
  }
  while (start < svg.size() && std::isspace(static_cast<unsigned char>(svg[start]))) ++start;
  BIORNN_CHECK(svg.compare(start, 4, "<svg") == 0,
               "HtmlReport::add_figure_inline: the text is not an SVG document");
  body_ += "<figure>\n" + svg.substr(start);
  if (body_.back() != '\n') body_ += "\n";
  body_ += caption_block("figcaption", caption) + "</figure>\n";
}

void HtmlReport::add_figure_link(const std::string& relative_path, const std::string& caption) {
  BIORNN_CHECK(!relative_path.empty() && relative_path[0] != '/' && relative_path[0] != '\\' &&
                   relative_path.find(':') == std::string::npos,
               "HtmlReport::add_figure_link: '" + relative_path + "' is not a relative path");
  const std::string url = xml_escape(report_url_path(relative_path));
  body_ += "<figure>\n<a href=\"" + url + "\"><img src=\"" + url + "\" alt=\"" +
           xml_escape(caption.empty() ? relative_path : caption) + "\"/></a>\n" +
           caption_block("figcaption", caption) + "</figure>\n";
}

void HtmlReport::add_preformatted(const std::string& text, const std::string& caption) {
  body_ += "<figure>\n<pre>" + xml_escape(text) + "</pre>\n" + caption_block("figcaption", caption) +
           "</figure>\n";
}

std::string HtmlReport::html() const {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>" +
         xml_escape(title_) + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n<h1>" +
         xml_escape(title_) + "</h1>\n" + body_ + "<footer>written by biornn " + kVersion +
         "</footer>\n</body>\n</html>\n";
}

}  // namespace biornn
