// histogram.cpp — common-edge histograms and KL divergence (see histogram.hpp).
#include "biornn/histogram.hpp"

#include <algorithm>
#include <cmath>

#include "biornn/check.hpp"

namespace biornn {

std::vector<double> common_edges(const std::vector<std::vector<double>>& samples, int bins) {
  BIORNN_CHECK(bins >= 1, "common_edges: bins must be >= 1, got " + std::to_string(bins));
  double lo = INFINITY, hi = -INFINITY;
  for (const std::vector<double>& s : samples)
    for (double v : s)
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  if (!(lo <= hi)) {
    lo = 0;
    hi = 1;
  } else if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  std::vector<double> edges(std::size_t(bins) + 1);
  for (int i = 0; i <= bins; ++i) edges[std::size_t(i)] = lo + (hi - lo) * i / bins;
  edges.back() = hi;  // exact, so the maximum lands in the last bin
  return edges;
}

std::vector<double> histogram_counts(const std::vector<double>& values, const std::vector<double>& edges) {
  BIORNN_CHECK(edges.size() >= 2, "histogram_counts: need at least two edges");
  const std::size_t bins = edges.size() - 1;
  std::vector<double> counts(bins, 0.0);
  for (double v : values) {
    if (!std::isfinite(v) || v < edges.front() || v > edges.back()) continue;
    // upper_bound finds the first edge > v; the bin is the one before it.
    std::size_t i = std::size_t(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
    i = i == 0 ? 0 : i - 1;
    if (i >= bins) i = bins - 1;  // v == the last edge
    counts[i] += 1;
  }
  return counts;
}

std::vector<double> histogram_probabilities(const std::vector<double>& values,
                                            const std::vector<double>& edges, double smoothing) {
  BIORNN_CHECK(smoothing >= 0, "histogram_probabilities: smoothing must be >= 0");
  std::vector<double> p = histogram_counts(values, edges);
  double total = 0;
  for (double c : p) total += c;
  const double denominator = total + smoothing * double(p.size());
  BIORNN_CHECK(denominator > 0, "histogram_probabilities: no values in range and no smoothing");
  for (double& c : p) c = (c + smoothing) / denominator;
  return p;
}

double kl_divergence(const std::vector<double>& p, const std::vector<double>& q) {
  BIORNN_CHECK(p.size() == q.size(), "kl_divergence: p has " + std::to_string(p.size()) +
                                         " bins but q has " + std::to_string(q.size()));
  double kl = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    BIORNN_CHECK(p[i] >= 0 && q[i] > 0, "kl_divergence: needs p ≥ 0 and q > 0 (smooth the histograms)");
    if (p[i] > 0) kl += p[i] * std::log(p[i] / q[i]);
  }
  return kl;
}

}  // namespace biornn
