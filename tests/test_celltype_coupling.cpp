// test_celltype_coupling.cpp — the readout coupling of population blocks: against a plain triple
// loop, against the teacher's block gains (readouts 1/n: the mean row sum, and exactly the planted
// factor between conditions), the closed form of a readout-shaped weight change (which moves the
// coupling and leaves mean |w| where it was), and inside compare (layer and area sums, tests,
// highlights, nothing without readouts).
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/celltype_compare.hpp"
#include "biornn/celltype_coupling.hpp"
#include "biornn/celltype_synth.hpp"
#include "biornn/rng.hpp"
#include "celltype_fixtures.hpp"

using namespace biornn;

namespace {

CelltypeSpec small_spec() { return celltype_fixtures::small_paper_spec(); }  // 24 units

Matrix random_matrix(int32_t rows, int32_t cols, uint64_t seed) {
  Rng rng(seed);
  Matrix m(rows, cols);
  for (int64_t e = 0; e < m.size(); ++e) m.data()[e] = real(rng.uniform(-1, 1));
  return m;
}

// Readouts as celltype_model draws them: each population's row nonzero on its own units only.
Matrix random_readout(const CelltypeSpec& spec, uint64_t seed) {
  Rng rng(seed);
  Matrix r(spec.populations(), spec.total_units());
  for (int32_t p = 0; p < spec.populations(); ++p)
    for (int32_t i = spec.population_offset(p); i < spec.population_offset(p) + spec.population_size(p); ++i)
      r(p, i) = real(rng.uniform(-1, 1));
  return r;
}

int32_t population_of(const CelltypeSpec& spec, int32_t unit) {
  int32_t p = 0;
  while (unit >= spec.population_offset(p) + spec.population_size(p)) ++p;
  return p;
}

}  // namespace

TEST_CASE("coupling: every block equals a plain loop over units, and a union is the sum of its blocks") {
  const CelltypeSpec spec = small_spec();
  const int32_t n = spec.total_units(), p = spec.populations();
  const Matrix w = random_matrix(n, n, 3), r = random_readout(spec, 4);
  // Brute force: every (i, j) adds r(pop(i), i) · w_ij to the block (pop(i), pop(j)).
  std::vector<double> hand(std::size_t(p) * std::size_t(p), 0.0);
  for (int32_t i = 0; i < n; ++i)
    for (int32_t j = 0; j < n; ++j)
      hand[std::size_t(population_of(spec, i) * p + population_of(spec, j))] +=
          double(r(population_of(spec, i), i)) * double(w(i, j));
  const std::vector<double> m = celltype_coupling_matrix(spec, w, r);
  REQUIRE(m.size() == hand.size());
  for (std::size_t cell = 0; cell < m.size(); ++cell) CHECK(m[cell] == doctest::Approx(hand[cell]).epsilon(1e-12));
  const std::vector<CelltypeProjection> blocks = {{4, 9}, {4, 10}, {4, 11}};  // V1_L23_Pyr -> LM_L4_*
  CHECK(celltype_union_coupling(spec, w, r, blocks) ==
        doctest::Approx(m[9 * 18 + 4] + m[10 * 18 + 4] + m[11 * 18 + 4]).epsilon(1e-12));
  CHECK(celltype_union_coupling(spec, w, r, {}) == 0);
}

TEST_CASE("coupling: with the teacher's readouts (1/n) it is the mean row sum, and exactly the planted factor apart") {
  StatusOr<CelltypeSpec> spec = default_celltype_spec();
  REQUIRE(spec.ok());
  const CelltypeSpec& s = spec.value();
  StatusOr<std::unique_ptr<SignedRnn>> change = make_celltype_teacher(s, "familiar_change", 5, true, 3.0);
  StatusOr<std::unique_ptr<SignedRnn>> no_change = make_celltype_teacher(s, "familiar_no_change", 5, true, 3.0);
  REQUIRE(change.ok());
  REQUIRE(no_change.ok());
  const Matrix& wc = change.value()->w.value;
  const Matrix& wn = no_change.value()->w.value;
  const std::vector<double> kc = celltype_coupling_matrix(s, wc, change.value()->w_out.value);
  const std::vector<double> kn = celltype_coupling_matrix(s, wn, no_change.value()->w_out.value);
  const int32_t src = s.find_population("V1_L23_Pyr");
  int32_t planted = 0, checked = 0;
  for (int32_t t = 0; t < s.populations(); ++t)
    for (int32_t q = 0; q < s.populations(); ++q) {
      const std::size_t cell = std::size_t(t * s.populations() + q);
      // The mean row sum of the block, by hand.
      double rows = 0;
      for (int32_t i = s.population_offset(t); i < s.population_offset(t) + s.population_size(t); ++i)
        for (int32_t j = s.population_offset(q); j < s.population_offset(q) + s.population_size(q); ++j) rows += wc(i, j);
      CHECK(kc[cell] == doctest::Approx(rows / s.population_size(t)).epsilon(1e-6));  // readouts 1/n in float
      if (kn[cell] == 0) continue;
      const bool ff = q == src && s.area_of(t) == 1 && s.layers[std::size_t(s.layer_of(t))] == "L4";
      CHECK(kc[cell] / kn[cell] == doctest::Approx(ff ? 3.0 : 1.0).epsilon(1e-5));
      planted += ff;
      ++checked;
    }
  CHECK(planted == 3);
  CHECK(checked > 100);
}

TEST_CASE("coupling: a weight change shaped like the readout raises it by c·n_pre·Σr² while mean |w| stays put") {
  // The gradient of the loss by w_ij is proportional to the readout r_i of the target unit, so a
  // fit that makes q drive p harder moves the block along r. With readouts of mean 0 that move
  // leaves the block's mean |w| where it was (up to Σ r_i, 0 here by construction), and the
  // coupling, which weighs each row by r_i, grows by c · n_pre · Σ r_i².
  const CelltypeSpec spec = small_spec();
  const int32_t n = spec.total_units();
  const int32_t post = spec.find_population("LM_L4_Pyr"), pre = spec.find_population("V1_L23_Pyr");
  Matrix w(n, n, real(1));  // positive (an excitatory source), so |w| = w
  Matrix r(spec.populations(), n);
  const int32_t i0 = spec.population_offset(post);
  r(post, i0) = real(0.5);
  r(post, i0 + 1) = real(-0.5);  // LM_L4_Pyr has 2 units: readouts summing to 0
  const double c = 0.25;
  Matrix moved = w;
  for (int32_t i = i0; i < i0 + 2; ++i)
    for (int32_t j = spec.population_offset(pre); j < spec.population_offset(pre) + spec.population_size(pre); ++j)
      moved(i, j) += real(c * double(r(post, i)));
  const std::vector<CelltypeProjection> block = {{pre, post}};
  CHECK(celltype_union_mean_abs(spec, moved, block) == doctest::Approx(celltype_union_mean_abs(spec, w, block)));
  const double expected = c * spec.population_size(pre) * (0.25 + 0.25);
  CHECK(celltype_union_coupling(spec, moved, r, block) - celltype_union_coupling(spec, w, r, block) ==
        doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("coupling in compare: layer and area blocks sum their population blocks; tests are B vs A; none without readouts") {
  const CelltypeSpec spec = small_spec();
  const int32_t n = spec.total_units();
  std::vector<Matrix> a = {random_matrix(n, n, 11), random_matrix(n, n, 12)};
  std::vector<Matrix> b = {random_matrix(n, n, 13), random_matrix(n, n, 14)};
  std::vector<Matrix> ra = {random_readout(spec, 21), random_readout(spec, 22)};
  std::vector<Matrix> rb = ra;  // the same seeds
  const CelltypeComparison c = compare_celltype_weights(spec, a, b, {"a1", "a2"}, {"b1", "b2"}, ra, rb);
  REQUIRE(c.has_coupling);
  const CelltypeScaleComparison& pop = c.scales[0];
  const CelltypeScaleComparison& layer = c.scales[1];
  const CelltypeScaleComparison& area = c.scales[2];
  REQUIRE(pop.coupling.size() == 18 * 18);
  REQUIRE(layer.coupling.size() == 6 * 6);
  REQUIRE(area.coupling.size() == 2 * 2);
  for (std::size_t run = 0; run < 2; ++run) {
    const std::vector<double> m = celltype_coupling_matrix(spec, b[run], rb[run]);
    // Layer LM_L4 (group 3) <- V1_L23 (group 1): populations 9..11 (post) and 3..5 (pre).
    double hand = 0;
    for (int q = 9; q < 12; ++q)
      for (int s = 3; s < 6; ++s) hand += m[std::size_t(q * 18 + s)];
    CHECK(layer.coupling[3 * 6 + 1].b[run] == doctest::Approx(hand).epsilon(1e-12));
    double lm_from_v1 = 0;
    for (int q = 9; q < 18; ++q)
      for (int s = 0; s < 9; ++s) lm_from_v1 += m[std::size_t(q * 18 + s)];
    CHECK(area.coupling[1 * 2 + 0].b[run] == doctest::Approx(lm_from_v1).epsilon(1e-12));
    CHECK(pop.coupling[9 * 18 + 4].b[run] == doctest::Approx(m[9 * 18 + 4]).epsilon(1e-12));
  }
  const CelltypeBlockTest& t = pop.coupling[9 * 18 + 4];
  CHECK(t.diff == doctest::Approx((t.b[0] + t.b[1]) / 2 - (t.a[0] + t.a[1]) / 2));
  CHECK(t.tested);
  CHECK(std::isfinite(t.welch_p_holm));
  // The feedforward highlight's coupling is the union's, per run.
  const CelltypeHighlight& ff = c.highlights.front();
  REQUIRE(ff.kind == "feedforward");
  for (std::size_t run = 0; run < 2; ++run)
    CHECK(ff.coupling.a[run] == doctest::Approx(celltype_union_coupling(spec, a[run], ra[run], ff.blocks)).epsilon(1e-12));
  CHECK(std::isfinite(ff.coupling.welch_p_holm));

  const CelltypeComparison plain = compare_celltype_weights(spec, a, b, {"a1", "a2"}, {"b1", "b2"});
  CHECK_FALSE(plain.has_coupling);
  CHECK(plain.scales[0].coupling.empty());
  CHECK_FALSE(plain.highlights.front().coupling.tested);
}
