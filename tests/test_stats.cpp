// test_stats.cpp — descriptive statistics and the normal distribution against hand-computed
// values and closed forms. The hypergeometric and the tests have their own files
// (test_stats_hypergeom.cpp, test_stats_tests.cpp).
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/stats.hpp"

using namespace biornn;

TEST_CASE("mean and sample sd match hand computation, with n − 1 in the denominator") {
  const std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  CHECK(mean_of(v) == 5.0);
  CHECK(sample_sd(v) == doctest::Approx(std::sqrt(32.0 / 7.0)));
  CHECK(std::isnan(mean_of({})));
  CHECK(std::isnan(sample_sd({1.0})));
  CHECK(std::isnan(mean_of({1.0, NAN})));
}

TEST_CASE("the normal cdf and sf are each accurate on their own side, far into the tail") {
  CHECK(normal_cdf(0.0) == 0.5);
  CHECK(normal_sf(0.0) == 0.5);
  CHECK(normal_cdf(1.959963984540054) == doctest::Approx(0.975).epsilon(1e-15));
  for (double z : {-3.0, -0.5, 0.25, 2.0})
    CHECK(normal_cdf(z) + normal_sf(z) == doctest::Approx(1.0).epsilon(1e-15));
  // Twin for the tail: the asymptotic (Mills-ratio) series
  //   sf(z) = φ(z)/z · (1 − 1/z² + 3/z⁴ − 15/z⁶ + …),
  // truncated after 10 terms: the first omitted term, 19!!/z²⁰, is < 1e-17 for z ≥ 20.
  // Both sides carry ~(z²/2)·ε from rounding the exponent's argument.
  for (double z : {20.0, 25.0, 30.0, 37.0}) {
    double series = 0, term = 1;
    for (int k = 0; k < 10; ++k) {
      series += term;
      term *= -(2 * k + 1) / (z * z);
    }
    const double want =
        std::exp(-0.5 * z * z) / (z * std::sqrt(2 * 3.14159265358979323846)) * series;
    INFO("z = " << z);
    CHECK(std::fabs(normal_sf(z) - want) <= 2 * z * z * 2.220446049250313e-16 * want);
    CHECK(normal_cdf(-z) == normal_sf(z));
  }
  CHECK(normal_sf(38.0) > 0);     // ≈ 2.9e-316: subnormal, but a number
  CHECK(normal_sf(40.0) == 0.0);  // ≈ 3.7e-350: below the smallest double
  CHECK(std::isnan(normal_cdf(NAN)));
}
