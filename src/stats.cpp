// stats.cpp — descriptive statistics and the standard normal distribution (see stats.hpp).
// Sums are formed in order; for the run counts we use (≤ a few hundred values) compensation is
// unnecessary.
//
// Not here: the hypergeometric distribution (stats_hypergeom.cpp); tests and p-value
// corrections (stats_tests.cpp).
#include "biornn/stats.hpp"

#include <cmath>

namespace biornn {

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  double total = 0;
  for (double v : values) total += v;
  return total / double(values.size());
}

double sample_sd(const std::vector<double>& values) {
  if (values.size() < 2) return std::nan("");
  const double m = mean_of(values);
  double squares = 0;
  for (double v : values) squares += (v - m) * (v - m);
  return std::sqrt(squares / double(values.size() - 1));
}

// Each side from erfc, so neither is formed as 1 − (a number close to 1).
double normal_cdf(double z) { return 0.5 * std::erfc(-z * 0.70710678118654752440); }
double normal_sf(double z) { return 0.5 * std::erfc(z * 0.70710678118654752440); }

}  // namespace biornn
