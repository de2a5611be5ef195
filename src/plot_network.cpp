// plot_network.cpp — a network diagram: circles at given positions, directed curved edges coloured
// and thickened by a signed value on the heat maps' diverging scale (see plot.hpp). Drawn for the
// areas × layers of the cell-type RNN by `celltype compare` (B − A of mean |w| per block).
//
// Not here: the layout (the caller places the nodes), graph algorithms (graph.hpp).
#include <algorithm>
#include <cmath>

#include "biornn/check.hpp"
#include "biornn/plot.hpp"
#include "plot_internal.hpp"

namespace biornn {

using namespace plot_detail;

namespace {

constexpr double kRadius = 26;

std::string edge_tooltip(const NetworkNode& from, const NetworkNode& to, double value) {
  return "<title>" + xml_escape(from.label + " → " + to.label + ": " + format_number(value, 4)) + "</title>";
}

}  // namespace

std::string plot_network(const std::vector<NetworkNode>& nodes, const std::vector<NetworkEdge>& edges,
                         const NetworkPlotOptions& o) {
  for (const NetworkNode& n : nodes)
    BIORNN_CHECK(n.x >= 0 && n.x <= 1 && n.y >= 0 && n.y <= 1,
                 "plot_network: node '" + n.label + "' lies outside [0, 1]²");
  for (const NetworkEdge& e : edges)
    BIORNN_CHECK(e.from >= 0 && e.to >= 0 && std::size_t(e.from) < nodes.size() && std::size_t(e.to) < nodes.size(),
                 "plot_network: an edge names node " + std::to_string(std::max(e.from, e.to)) + " of " +
                     std::to_string(nodes.size()));
  double limit = o.limit;
  if (!(limit > 0)) {
    limit = 0;
    for (const NetworkEdge& e : edges)
      if (std::isfinite(e.value)) limit = std::max(limit, std::fabs(e.value));
    for (const NetworkNode& n : nodes)
      if (std::isfinite(n.value)) limit = std::max(limit, std::fabs(n.value));
    if (limit == 0) limit = 1;
  }
  Svg svg(o.width, o.height, o.title);
  draw_title(&svg, o.width, o.title);
  // The drawing area: below the title, left of the colour bar, above the caption and note.
  const double left = 20 + kRadius, top = (o.title.empty() ? 14 : 40) + kRadius + 14;
  const double right = o.width - 90 - kRadius, bottom = o.height - 40 - kRadius;
  auto px = [&](const NetworkNode& n) { return left + n.x * (right - left); };
  auto py = [&](const NetworkNode& n) { return top + n.y * (bottom - top); };

  // Arrow-heads are small filled paths in the edge's colour: an SVG <marker> would need one
  // definition per colour (context-stroke is not supported everywhere).
  int64_t skipped = 0;
  svg.raw("<g class=\"edges\" fill=\"none\">\n");
  for (const NetworkEdge& e : edges) {
    if (!std::isfinite(e.value)) {
      ++skipped;
      continue;
    }
    const NetworkNode &a = nodes[std::size_t(e.from)], &b = nodes[std::size_t(e.to)];
    const std::string color = plot_color_hex(plot_diverging_color(e.value, limit));
    const double width = 1 + 5 * std::min(1.0, std::fabs(e.value) / limit);
    const double ax = px(a), ay = py(a), bx = px(b), by = py(b);
    double sx, sy, cx, cy, ex, ey, tx, ty;  // start, control, end, end tangent
    if (e.from == e.to) {  // a loop above the node
      sx = ax - kRadius * 0.6, sy = ay - kRadius * 0.8;
      ex = ax + kRadius * 0.6, ey = ay - kRadius * 0.8;
      cx = ax, cy = ay - kRadius * 3.2;
      tx = ex - cx, ty = ey - cy;
    } else {
      const double dx = bx - ax, dy = by - ay, len = std::sqrt(dx * dx + dy * dy);
      const double ux = dx / len, uy = dy / len;
      const double bend = 0.22 * len;  // to the right of the direction of travel
      cx = (ax + bx) / 2 - uy * bend, cy = (ay + by) / 2 + ux * bend;
      // Start and end on the circles, towards the control point.
      double vx = cx - ax, vy = cy - ay, vl = std::sqrt(vx * vx + vy * vy);
      sx = ax + vx / vl * kRadius, sy = ay + vy / vl * kRadius;
      vx = cx - bx, vy = cy - by, vl = std::sqrt(vx * vx + vy * vy);
      ex = bx + vx / vl * (kRadius + 2), ey = by + vy / vl * (kRadius + 2);
      tx = ex - cx, ty = ey - cy;
    }
    const double tl = std::sqrt(tx * tx + ty * ty);
    tx /= tl, ty /= tl;
    const double head = 7 + width;
    // A grey outline under the colour keeps an edge visible when its value is near 0 (white).
    const std::string d = "M" + num(sx) + " " + num(sy) + " Q" + num(cx) + " " + num(cy) + " " +
                          num(ex - tx * head * 0.6) + " " + num(ey - ty * head * 0.6);
    svg.raw("<g>" + edge_tooltip(a, b, e.value) + "<path d=\"" + d + "\" stroke=\"#9a9a9a\" stroke-width=\"" +
            num(width + 1.5) + "\"/><path d=\"" + d + "\" stroke=\"" + color + "\" stroke-width=\"" + num(width) + "\"/>");
    svg.raw("<path d=\"M" + num(ex) + " " + num(ey) + " L" + num(ex - tx * head - ty * head * 0.45) + " " +
            num(ey - ty * head + tx * head * 0.45) + " L" + num(ex - tx * head + ty * head * 0.45) + " " +
            num(ey - ty * head - tx * head * 0.45) + " Z\" fill=\"" + color + "\" stroke=\"#9a9a9a\" stroke-width=\"0.75\"/></g>\n");
  }
  svg.raw("</g>\n<g class=\"nodes\">\n");
  for (const NetworkNode& n : nodes) {
    const std::string fill =
        std::isfinite(n.value) ? plot_color_hex(plot_diverging_color(n.value, limit)) : std::string("#ffffff");
    svg.raw("<g><title>" + xml_escape(n.label + (std::isfinite(n.value) ? ": " + format_number(n.value, 4) : "")) +
            "</title><circle cx=\"" + num(px(n)) + "\" cy=\"" + num(py(n)) + "\" r=\"" + num(kRadius) +
            "\" fill=\"" + fill + "\" stroke=\"#333333\" stroke-width=\"1.2\"/></g>\n");
    svg.text(px(n), py(n) + 4, n.label, "middle", 11);
  }
  svg.raw("</g>\n");
  draw_colorbar(&svg, o.width - 80, top - kRadius, std::max(60.0, bottom - top), limit, o.colorbar_label);
  if (!o.caption.empty()) svg.text(16, o.height - 24, o.caption, "start", 11, "fill=\"#333333\"");
  draw_note(&svg, o.height, 16,
            note_text({skipped > 0 ? count_phrase(skipped, "edge", "edges") + " with a non-finite value left out" : ""}));
  return svg.finish();
}

}  // namespace biornn
