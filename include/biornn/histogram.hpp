// histogram.hpp — histograms on one common set of bin edges, and the KL divergence between
// two such histograms (SPEC §3, Fig. 2B).
//
// Comparing two weight distributions needs both histograms on the SAME bins; the published
// notebooks binned each array on its own edges, which makes bin i of one histogram and bin i
// of the other cover different weights (a bug SPEC §3 names). Here:
//   edges = common_edges({a, b}, bins): `bins` equal bins from min(a ∪ b) to max(a ∪ b);
//   p = histogram_probabilities(a, edges, ε), q likewise, with additive smoothing
//       p_i = (count_i + ε) / (n + bins·ε), so that no bin is exactly 0;
//   KL(p ‖ q) = Σ p_i · ln(p_i / q_i)   (natural log; ≥ 0, 0 iff p = q).
// SPEC's smoothing constant is ε = 1e-7.
//
// Not here: drawing histograms (plot.hpp), other statistics (stats.hpp).
#pragma once

#include <vector>

namespace biornn {

inline constexpr double kKlSmoothing = 1e-7;

// `bins` + 1 increasing edges spanning every finite value of every sample (non-finite values
// are ignored). If all values are equal (or there are none) the span is widened to ±0.5
// around that value (or [0, 1]).
std::vector<double> common_edges(const std::vector<std::vector<double>>& samples, int bins);
// Counts per bin; bin i is [edges[i], edges[i+1]) and the last bin includes its right edge.
// Values outside the edges and non-finite values are not counted.
std::vector<double> histogram_counts(const std::vector<double>& values, const std::vector<double>& edges);
// Smoothed probabilities as above (sum to 1).
std::vector<double> histogram_probabilities(const std::vector<double>& values,
                                            const std::vector<double>& edges,
                                            double smoothing = kKlSmoothing);
// Σ p ln(p/q); p and q must have the same length and be positive.
double kl_divergence(const std::vector<double>& p, const std::vector<double>& q);

}  // namespace biornn
