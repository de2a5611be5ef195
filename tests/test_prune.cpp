// test_prune.cpp — top-prob pruning against App. 9's promises (expected density equals the
// target, inclusion probability equals p), the renormalisation, the adjusted sparsity with
// existing zeros, exact mode, the baselines, and block-wise pruning.
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/prune.hpp"

using namespace biornn;

namespace {

Matrix random_weights(Rng& rng, int32_t rows, int32_t cols, double zero_fraction = 0) {
  Matrix w(rows, cols);
  for (int64_t k = 0; k < w.size(); ++k)
    w.data()[k] = rng.uniform01() < zero_fraction ? real(0) : real(rng.uniform(-1, 1));
  return w;
}

}  // namespace

TEST_CASE("keep probabilities sum to the expected count, never exceed 1, and cap the largest weights") {
  Rng rng(1);
  Matrix w = random_weights(rng, 20, 30);
  w(0, 0) = 50;  // a giant weight forces capping and renormalisation
  w(1, 1) = -40;
  for (double s : {0.0, 0.3, 0.9, 0.99}) {
    CAPTURE(s);
    const std::vector<double> p = topprob_keep_probabilities(w, s);
    double total = 0;
    for (int64_t k = 0; k < w.size(); ++k) {
      CHECK(p[std::size_t(k)] <= 1.0);
      CHECK(p[std::size_t(k)] >= 0.0);
      total += p[std::size_t(k)];
    }
    CHECK(total == doctest::Approx((1 - s) * 600).epsilon(1e-12));
  }
  const std::vector<double> p = topprob_keep_probabilities(w, 0.5);
  CHECK(p[0] == 1.0);  // capped
  CHECK(p[std::size_t(31)] == 1.0);
}

TEST_CASE("uncapped probabilities differ by the same shared offset: p_i − p_j = κ(|w_i| − |w_j|)") {
  Rng rng(2);
  Matrix w = random_weights(rng, 10, 10);
  w(0, 0) = 30;
  const std::vector<double> p = topprob_keep_probabilities(w, 0.2);
  // Solve κ from two uncapped entries, then check every other pair.
  std::vector<int64_t> below;
  for (int64_t k = 0; k < w.size(); ++k)
    if (p[std::size_t(k)] < 1) below.push_back(k);
  REQUIRE(below.size() > 3);
  const auto mag = [&w](int64_t k) { return std::fabs(double(w.data()[k])); };
  const double kappa = (p[std::size_t(below[0])] - p[std::size_t(below[1])]) / (mag(below[0]) - mag(below[1]));
  for (std::size_t i = 2; i < below.size(); ++i) {
    const double predicted = p[std::size_t(below[0])] + kappa * (mag(below[i]) - mag(below[0]));
    CHECK(p[std::size_t(below[i])] == doctest::Approx(predicted).epsilon(1e-9));
  }
}

TEST_CASE("App. 9: over many seeds each entry is kept with frequency p, in both sampling modes") {
  Rng wr(3);
  Matrix w = random_weights(wr, 4, 5);
  w(2, 3) = 4;  // capped at 1
  const double s = 0.6;
  const std::vector<double> p = topprob_keep_probabilities(w, s);
  const std::vector<double> p_exact = topprob_keep_probabilities(w, s, nullptr, double(std::llround(0.4 * 20)));
  for (bool exact : {false, true}) {
    CAPTURE(exact);
    const int trials = 20000;
    std::vector<int> kept(20, 0);
    for (int t = 0; t < trials; ++t) {
      Rng rng(1000 + uint64_t(t));
      const Mask m = prune_topprob(w, s, rng, nullptr, exact);
      if (exact) REQUIRE(m.count() == 8);
      for (int k = 0; k < 20; ++k) kept[std::size_t(k)] += m.data()[k];
    }
    for (int k = 0; k < 20; ++k) {
      const double q = exact ? p_exact[std::size_t(k)] : p[std::size_t(k)];
      const double sd = std::sqrt(q * (1 - q) / trials);
      CAPTURE(k);
      CHECK(std::fabs(kept[std::size_t(k)] / double(trials) - q) <= 5 * sd + 1e-12);
    }
  }
}

TEST_CASE("realised sparsity on a 1440×1440 matrix is within 0.5 % of the target; exact mode hits it") {
  Rng wr(4);
  const Matrix w = random_weights(wr, 1440, 1440);
  for (double s : {0.1, 0.5, 0.9, 0.95, 0.99}) {
    CAPTURE(s);
    Rng rng(5);
    PruneStats stats;
    prune_topprob(w, s, rng, nullptr, false, &stats);
    CHECK(std::fabs(stats.realised_sparsity() - s) < 0.005);
    PruneStats exact_stats;
    prune_topprob(w, s, rng, nullptr, true, &exact_stats);
    CHECK(exact_stats.kept == std::llround((1 - s) * 1440.0 * 1440.0));
  }
}

TEST_CASE("existing zeros count towards the target sparsity (App. 9.3) and are never kept") {
  Rng wr(6);
  const Matrix w = random_weights(wr, 200, 200, 0.3);  // ~30 % zeros already
  Rng rng(7);
  PruneStats stats;
  const Mask m = prune_topprob(w, 0.8, rng, nullptr, false, &stats);
  CHECK(stats.adjusted_sparsity == doctest::Approx((0.8 * 40000 - (40000 - stats.eligible)) / double(stats.eligible)));
  CHECK(std::fabs(stats.realised_sparsity() - 0.8) < 0.01);
  for (int64_t k = 0; k < w.size(); ++k)
    if (w.data()[k] == 0) CHECK(m.data()[k] == 0);
  // Already sparser than asked: nothing more is pruned.
  PruneStats lenient;
  Rng rng2(8);
  const Mask all = prune_topprob(w, 0.1, rng2, nullptr, false, &lenient);
  CHECK(lenient.adjusted_sparsity == 0.0);
  CHECK(all.count() == lenient.eligible);
}

TEST_CASE("a current mask restricts pruning to the entries it allows") {
  Rng wr(9);
  const Matrix w = random_weights(wr, 30, 30);
  Mask allowed(30, 30);
  for (int32_t i = 0; i < 30; ++i)
    for (int32_t j = 0; j < 30; ++j) allowed.set(i, j, (i + j) % 2 == 0);
  for (PruneMethod method : {PruneMethod::kTopProb, PruneMethod::kRandom, PruneMethod::kMagnitude}) {
    Rng rng(10);
    const Mask m = prune_block(method, w, 0.7, rng, &allowed, true);
    CHECK(count_off_mask(Matrix(30, 30, real(1)), allowed) > 0);  // the mask forbids something
    for (int64_t k = 0; k < w.size(); ++k)
      if (!allowed.data()[k]) CHECK(m.data()[k] == 0);
    CHECK(m.count() == std::llround(0.3 * 900));
  }
}

TEST_CASE("magnitude pruning keeps the largest |w| and breaks ties by index") {
  Matrix w = Matrix::from_rows({{0.5, -0.9, 0.1}, {0.5, 0.2, -0.5}});
  const Mask m = prune_magnitude(w, 0.5);  // keep 3 of 6
  CHECK(m(0, 1));                          // |−0.9|
  CHECK(m(0, 0));                          // 0.5, first of the three tied
  CHECK(m(1, 0));                          // 0.5, second
  CHECK_FALSE(m(1, 2));                    // −0.5, third tied: dropped
  CHECK(m.count() == 3);
}

TEST_CASE("random pruning keeps entries with equal probability; exact mode keeps exactly K") {
  Rng wr(11);
  const Matrix w = random_weights(wr, 100, 100);
  Rng rng(12);
  PruneStats stats;
  prune_random(w, 0.75, rng, nullptr, false, &stats);
  CHECK(std::fabs(stats.realised_sparsity() - 0.75) < 0.02);
  const Mask exact = prune_random(w, 0.75, rng, nullptr, true);
  CHECK(exact.count() == 2500);
}

TEST_CASE("top-prob favours large weights: kept weights are larger on average than random's") {
  Rng wr(13);
  const Matrix w = random_weights(wr, 100, 100);
  Rng r1(14), r2(14);
  const Mask tp = prune_topprob(w, 0.9, r1), rnd = prune_random(w, 0.9, r2);
  double tp_mean = 0, rnd_mean = 0;
  for (int64_t k = 0; k < w.size(); ++k) {
    tp_mean += tp.data()[k] * std::fabs(w.data()[k]);
    rnd_mean += rnd.data()[k] * std::fabs(w.data()[k]);
  }
  tp_mean /= double(tp.count());
  rnd_mean /= double(rnd.count());
  CHECK(tp_mean > 1.2 * rnd_mean);  // E|w| under p ∝ |w| is 2/3 vs 1/2 for U(−1, 1)
}

TEST_CASE("block-wise pruning follows the table, removes density-0 blocks, and blocks draw independently") {
  PopulationTable t;
  t.names = {"E", "I", "V"};
  t.sizes = {60, 24, 16};  // no block's target count lands on x.5, where rounding would depend on precision
  t.density = Matrix::from_rows({{0.3, 0.0, 0.5}, {1.0, 0.2, 0.1}, {0.05, 0.6, 0.0}});
  REQUIRE(check_population_table(t, 100, 100, "table").ok());
  Rng wr(15);
  Matrix w = random_weights(wr, 100, 100);
  std::vector<BlockPruneReport> report;
  const Mask m = prune_blocks(PruneMethod::kTopProb, w, t, 99, nullptr, true, &report);
  REQUIRE(report.size() == 9);
  for (const BlockPruneReport& r : report) {
    CAPTURE(r.post);
    CAPTURE(r.pre);
    CHECK(r.stats.kept == std::llround(r.target_density * double(r.stats.entries)));
  }
  for (int32_t i = 0; i < 60; ++i)
    for (int32_t j = 60; j < 84; ++j) CHECK_FALSE(m(i, j));  // E ← I has density 0
  // Changing the weights of one block leaves every other block's mask as it was.
  Matrix w2 = w;
  for (int32_t i = 60; i < 84; ++i)
    for (int32_t j = 0; j < 60; ++j) w2(i, j) *= real(-2);
  const Mask m2 = prune_blocks(PruneMethod::kTopProb, w2, t, 99, nullptr, true);
  for (int32_t i = 0; i < 100; ++i)
    for (int32_t j = 0; j < 100; ++j) {
      const bool changed_block = i >= 60 && i < 84 && j < 60;
      if (!changed_block) REQUIRE(m(i, j) == m2(i, j));
    }
}

TEST_CASE("a population table that does not fit the matrix is a clear error") {
  PopulationTable t;
  t.names = {"E", "I"};
  t.sizes = {80, 30};
  t.density = Matrix::from_rows({{0.1, 0.2}, {0.3, 0.4}});
  Status s = check_population_table(t, 100, 100, "cortex.csv");
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("add up to 110") != std::string::npos);
  t.sizes = {70, 30};
  t.density(1, 1) = 1.5;
  s = check_population_table(t, 100, 100, "cortex.csv");
  CHECK(s.message().find("[0, 1]") != std::string::npos);
  t.density = Matrix(3, 3);
  CHECK_FALSE(check_population_table(t, 100, 100, "cortex.csv").ok());
}

TEST_CASE("pruners validate their contract: sparsity in [0, 1], no NaN, matching mask") {
  Matrix w(3, 3, real(1));
  Rng rng(1);
  CHECK_THROWS_AS(prune_topprob(w, 1.5, rng), ContractViolation);
  w(1, 1) = real(std::nan(""));
  CHECK_THROWS_AS(prune_topprob(w, 0.5, rng), ContractViolation);
  Matrix ok(3, 3, real(1));
  Mask wrong(2, 3);
  CHECK_THROWS_AS(prune_topprob(ok, 0.5, rng, &wrong), ContractViolation);
}
