// test_rng.cpp — the generator reproduces its documented reference outputs, and each
// distribution has the right mean and spread (checked against closed forms).
#include "doctest/doctest.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "biornn/rng.hpp"

using namespace biornn;

// The expected values were computed by an independent Python transcription of xoshiro256**
// and SplitMix64 (the first three u64s for seed 0 are also the widely published reference).
TEST_CASE("Rng reproduces the reference outputs documented in rng.hpp") {
  Rng r0(0);
  CHECK(r0.next_u64() == 0x99EC5F36CB75F2B4ull);
  CHECK(r0.next_u64() == 0xBF6E1F784956452Aull);
  CHECK(r0.next_u64() == 0x1A5F849D4933E6E0ull);
  Rng r42(42);
  CHECK(r42.uniform01() == 0.08386297105988216);
  Rng ri(42);
  std::vector<uint64_t> got;
  for (int i = 0; i < 5; ++i) got.push_back(ri.uniform_int(10));
  CHECK(got == std::vector<uint64_t>{2, 2, 9, 3, 6});
}

TEST_CASE("uniform01 lies in [0, 1) with mean 1/2 and variance 1/12") {
  Rng rng(7);
  const int n = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform01();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sum_sq += u * u;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  // Standard error of the mean is sqrt(1/12/n) ≈ 6.5e-4; allow 5 standard errors.
  CHECK(std::fabs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::fabs(var - 1.0 / 12) < 0.002);
}

TEST_CASE("uniform_int hits every value of a small range equally often (chi-square)") {
  Rng rng(11);
  const int k = 7, n = 70000;
  std::vector<int> counts(k, 0);
  for (int i = 0; i < n; ++i) ++counts[std::size_t(rng.uniform_int(k))];
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / double(k)) * (c - n / double(k)) / (n / double(k));
  // 6 degrees of freedom: P[chi2 > 22.46] = 0.001.
  CHECK(chi2 < 22.46);
  CHECK_THROWS_AS(rng.uniform_int(0), ContractViolation);
}

TEST_CASE("uniform_int_range covers both ends inclusively") {
  Rng rng(3);
  bool saw_lo = false, saw_hi = false;
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = rng.uniform_int_range(-2, 2);
    REQUIRE(v >= -2);
    REQUIRE(v <= 2);
    saw_lo |= v == -2;
    saw_hi |= v == 2;
  }
  CHECK(saw_lo);
  CHECK(saw_hi);
  CHECK_THROWS_AS(rng.uniform_int_range(3, 2), ContractViolation);
}

TEST_CASE("normal has mean 0, variance 1 and the right tail mass") {
  Rng rng(5);
  const int n = 200000;
  double sum = 0, sum_sq = 0;
  int beyond_two = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    sum += z;
    sum_sq += z * z;
    beyond_two += std::fabs(z) > 2.0;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  CHECK(std::fabs(mean) < 5 / std::sqrt(double(n)));
  CHECK(std::fabs(var - 1.0) < 0.015);
  // P(|Z| > 2) = 0.0455003; binomial sd at n = 2e5 is ≈ 4.7e-4.
  CHECK(std::fabs(beyond_two / double(n) - 0.0455003) < 0.0025);
}

TEST_CASE("streams derived from one seed differ from each other and are reproducible") {
  Rng a(9, 0), b(9, 1), a_again(9, 0);
  const uint64_t xa = a.next_u64(), xb = b.next_u64();
  CHECK(xa != xb);
  CHECK(a_again.next_u64() == xa);
  CHECK(Rng::derive_seed(9, 0) != 9);
  Rng plain(Rng::derive_seed(9, 1));
  Rng b_again(9, 1);
  CHECK(plain.next_u64() == b_again.next_u64());
}

TEST_CASE("shuffle is a permutation and reaches every ordering of three items") {
  Rng rng(1);
  std::vector<int> seen(6, 0);
  for (int t = 0; t < 600; ++t) {
    std::vector<int> v{0, 1, 2};
    rng.shuffle(v);
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == std::vector<int>{0, 1, 2});
    ++seen[std::size_t(v[0] * 2 + (v[1] > v[2] ? 1 : 0))];
  }
  for (int count : seen) CHECK(count > 50);
}
