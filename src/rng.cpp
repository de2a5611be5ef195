// rng.cpp — xoshiro256** engine, SplitMix64 seeding, and the distributions (see rng.hpp).
#include "biornn/rng.hpp"

#include <cmath>

namespace biornn {

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
  uint64_t sm = seed;
  for (uint64_t& word : s_) word = splitmix64(sm);
}

Rng::Rng(uint64_t seed, uint64_t stream) : Rng(derive_seed(seed, stream)) {}

uint64_t Rng::derive_seed(uint64_t seed, uint64_t stream) {
  uint64_t sm = seed;
  const uint64_t a = splitmix64(sm);
  uint64_t sm2 = a ^ (stream * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull);
  return splitmix64(sm2);
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

Rng::State Rng::state() const {
  State st;
  for (int i = 0; i < 4; ++i) st.words[i] = s_[i];
  st.spare_normal = spare_normal_;
  st.has_spare_normal = has_spare_normal_;
  return st;
}

void Rng::set_state(const State& st) {
  BIORNN_CHECK(st.words[0] | st.words[1] | st.words[2] | st.words[3],
               "Rng::set_state: the all-zero state is not a valid xoshiro256** state");
  for (int i = 0; i < 4; ++i) s_[i] = st.words[i];
  spare_normal_ = st.spare_normal;
  has_spare_normal_ = st.has_spare_normal;
}

double Rng::uniform01() { return double(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }

uint64_t Rng::uniform_int(uint64_t n) {
  BIORNN_CHECK(n > 0, "Rng::uniform_int needs n > 0");
  // Values below `threshold` would make some residues more likely; 2^64 mod n of them exist.
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    const uint64_t x = next_u64();
    if (x >= threshold) return x % n;
  }
}

int64_t Rng::uniform_int_range(int64_t lo, int64_t hi) {
  BIORNN_CHECK(lo <= hi, "Rng::uniform_int_range needs lo <= hi, got lo = " + std::to_string(lo) +
                             ", hi = " + std::to_string(hi));
  const uint64_t span = uint64_t(hi) - uint64_t(lo) + 1;  // 0 means the full 64-bit range
  const uint64_t offset = span == 0 ? next_u64() : uniform_int(span);
  return int64_t(uint64_t(lo) + offset);
}

double Rng::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform01() - 1.0;
    v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_normal_ = v * factor;
  has_spare_normal_ = true;
  return u * factor;
}

}  // namespace biornn
