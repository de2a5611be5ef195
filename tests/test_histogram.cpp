// test_histogram.cpp — common edges, counting at the bin boundaries, smoothing, and KL against
// closed forms.
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/check.hpp"
#include "biornn/histogram.hpp"

using namespace biornn;

TEST_CASE("common edges span both samples so that bin i means the same range for each") {
  const std::vector<double> a = {0.0, 1.0}, b = {-1.0, 3.0};
  const std::vector<double> e = common_edges({a, b}, 4);
  REQUIRE(e.size() == 5);
  CHECK(e.front() == -1.0);
  CHECK(e.back() == 3.0);
  CHECK(e[1] == 0.0);
  CHECK(common_edges({{2.0, 2.0}}, 2) == std::vector<double>{1.5, 2.0, 2.5});
  CHECK(common_edges({{NAN}}, 1) == std::vector<double>{0.0, 1.0});
}

TEST_CASE("counting puts left edges in their bin and the last edge in the last bin") {
  const std::vector<double> edges = {0, 1, 2};
  CHECK(histogram_counts({0, 0.5, 1, 1.5, 2, -0.1, 2.1, NAN}, edges) == std::vector<double>{2, 3});
}

TEST_CASE("smoothed probabilities sum to one and are never zero") {
  const std::vector<double> p = histogram_probabilities({0.1, 0.2}, {0, 1, 2, 3}, 1e-7);
  double total = 0;
  for (double v : p) {
    CHECK(v > 0);
    total += v;
  }
  CHECK(total == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(p[0] == doctest::Approx((2 + 1e-7) / (2 + 3e-7)));
}

TEST_CASE("KL divergence matches its closed form and is zero only for equal distributions") {
  const std::vector<double> p = {0.5, 0.5}, q = {0.9, 0.1};
  CHECK(kl_divergence(p, q) == doctest::Approx(0.5 * std::log(0.5 / 0.9) + 0.5 * std::log(0.5 / 0.1)));
  CHECK(kl_divergence(p, p) == 0.0);
  CHECK(kl_divergence(q, p) > 0);
  CHECK_THROWS_AS(kl_divergence(p, {1.0}), ContractViolation);
  CHECK_THROWS_AS(kl_divergence(p, {1.0, 0.0}), ContractViolation);
}
