// rng.hpp — the library's own random number generator and distributions.
//
// Every random draw in biornn goes through an explicit, seeded Rng&: there is no global
// generator. The engine is xoshiro256** (Blackman & Vigna, 2018), seeded by running
// SplitMix64 over the 64-bit seed. The distributions are written here rather than taken from
// <random>, because std::uniform_real_distribution and friends produce different sequences on
// different standard libraries; ours produce the same numbers everywhere.
//
// Reference outputs (tested in tests/test_rng.cpp; a port that does not reproduce these is not
// compatible with saved seeds):
//   Rng(0).next_u64()          first three: 0x99EC5F36CB75F2B4, 0xBF6E1F784956452A, 0x1A5F849D4933E6E0
//   Rng(42).uniform01()        first value: 0.08386297105988216
//   Rng(42).uniform_int(10)    first five:  2 2 9 3 6
// normal() uses the Marsaglia polar method and calls std::log and std::sqrt; sqrt is exact
// under IEEE 754, log is glibc's (error < 1 ulp), so normal() can differ in the last bit on a
// platform whose log rounds differently. Nothing else here touches libm.
//
// Not here: anything that draws from a particular model's distribution (initialisers live with
// their models; pruning's Bernoulli draws live in prune).
#pragma once

#include <cstdint>
#include <vector>

#include "biornn/check.hpp"

namespace biornn {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  // An independent stream for (seed, stream): e.g. one stream per pruned block. Equal to
  // Rng(derive_seed(seed, stream)).
  Rng(uint64_t seed, uint64_t stream);

  // Mixes a stream index into a seed (two rounds of SplitMix64); stream 0 does not give `seed`.
  static uint64_t derive_seed(uint64_t seed, uint64_t stream);

  uint64_t next_u64();
  // Uniform on [0, 1) with 53 random bits: k · 2⁻⁵³ for k uniform in [0, 2⁵³).
  double uniform01();
  // Uniform on [lo, hi): lo + (hi − lo) · uniform01().
  double uniform(double lo, double hi);
  // Uniform integer on [0, n), exactly (rejection removes the modulo bias). Requires n > 0.
  uint64_t uniform_int(uint64_t n);
  // Uniform integer on [lo, hi] inclusive.
  int64_t uniform_int_range(int64_t lo, int64_t hi);
  // Standard normal N(0, 1).
  double normal();
  // True with probability p (p outside [0, 1] is clamped by the comparison itself).
  bool bernoulli(double p) { return uniform01() < p; }

  // The complete generator state, for checkpoints: restoring it continues the exact sequence.
  struct State {
    uint64_t words[4] = {0, 0, 0, 0};
    double spare_normal = 0.0;
    bool has_spare_normal = false;
  };
  State state() const;
  void set_state(const State& state);

  // Fisher–Yates: every permutation equally likely.
  template <class T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      const std::size_t j = std::size_t(uniform_int(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  uint64_t s_[4];
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

}  // namespace biornn
