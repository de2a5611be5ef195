// test_stats.cpp — descriptive statistics against hand-computed values.
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
