// test_celltype_compare.cpp — comparing two conditions' fitted connectivity: block means against
// a brute-force loop over units, layer and area means against hand sums of population blocks,
// B − A and the statistics against stats.hpp called directly, the highlighted projections, the
// runs read from disk (and the errors when they do not fit the spec), and the summary rows that
// `aggregate` orders.
#include "doctest/doctest.h"

#include <cmath>

#include "biornn/celltype_compare.hpp"
#include "biornn/celltype_summary.hpp"
#include "biornn/json.hpp"
#include "biornn/npz.hpp"
#include "biornn/rng.hpp"
#include "celltype_fixtures.hpp"
#include "io_test_util.hpp"

using namespace biornn;

namespace {

CelltypeSpec small_spec() { return celltype_fixtures::small_paper_spec(); }  // 24 units

// Signed random W, some entries exactly 0 (as after pruning).
Matrix random_w(const CelltypeSpec& spec, uint64_t seed) {
  Rng rng(seed);
  const int32_t n = spec.total_units();
  Matrix w(n, n);
  for (int32_t i = 0; i < n; ++i)
    for (int32_t j = 0; j < n; ++j) w(i, j) = rng.uniform01() < 0.3 ? real(0) : real(rng.uniform(-1, 1));
  return w;
}

// The group of unit u at a scale, found from the unit's position alone.
int32_t unit_group(const CelltypeSpec& spec, int32_t u, CelltypeScale scale) {
  int32_t p = 0;
  while (!(u >= spec.population_offset(p) && u < spec.population_offset(p) + spec.population_size(p))) ++p;
  if (scale == CelltypeScale::kPopulation) return p;
  if (scale == CelltypeScale::kLayer) return spec.area_of(p) * int32_t(spec.layers.size()) + spec.layer_of(p);
  return spec.area_of(p);
}

// A finished run's files as compare reads them: W and the readouts W_out in model.npz (a constant
// readout unless one is given), summary.json with the population names.
void write_run(const std::string& dir, const Matrix& w, const std::vector<std::string>& populations,
               const Matrix* w_out = nullptr) {
  REQUIRE(make_directories(dir).ok());
  const Matrix readout = w_out ? *w_out : Matrix(int32_t(populations.size()), w.rows(), real(0.1));
  REQUIRE(save_npz(join_path(dir, "model.npz"), {{"W", npy_from_matrix(w)}, {"W_out", npy_from_matrix(readout)}}).ok());
  JsonWriter j;
  j.begin_object().key("r2").begin_object();
  for (const std::string& p : populations) j.field(p, 0.5);
  j.end_object().end_object();
  REQUIRE(write_file_atomic(join_path(dir, "summary.json"), j.str()).ok());
}

std::vector<std::string> names_of(const CelltypeSpec& spec) {
  std::vector<std::string> out;
  for (int32_t p = 0; p < spec.populations(); ++p) out.push_back(spec.population_name(p));
  return out;
}

}  // namespace

TEST_CASE("compare: block means at every scale equal a brute-force loop over units, zeros included") {
  const CelltypeSpec spec = small_spec();
  const Matrix w = random_w(spec, 7);
  for (CelltypeScale scale : kCelltypeScales) {
    CAPTURE(celltype_scale_name(scale));
    const CelltypeBlockMeans m = celltype_block_means(spec, w, scale);
    const int32_t g = m.groups;
    CHECK(g == (scale == CelltypeScale::kPopulation ? 18 : scale == CelltypeScale::kLayer ? 6 : 2));
    std::vector<double> abs_sum(std::size_t(g * g)), sum(std::size_t(g * g)), count(std::size_t(g * g));
    for (int32_t i = 0; i < w.rows(); ++i)
      for (int32_t k = 0; k < w.cols(); ++k) {
        const std::size_t cell = std::size_t(unit_group(spec, i, scale) * g + unit_group(spec, k, scale));
        abs_sum[cell] += std::fabs(double(w(i, k)));
        sum[cell] += double(w(i, k));
        count[cell] += 1;
      }
    for (std::size_t cell = 0; cell < abs_sum.size(); ++cell) {
      CHECK(m.mean_abs[cell] == doctest::Approx(abs_sum[cell] / count[cell]).epsilon(1e-12));
      CHECK(m.mean_signed[cell] == doctest::Approx(sum[cell] / count[cell]).epsilon(1e-12));
    }
  }
}

TEST_CASE("compare: layer and area blocks are the entry-weighted sums of their population blocks") {
  const CelltypeSpec spec = small_spec();
  const Matrix w = random_w(spec, 8);
  const CelltypeBlockMeans pop = celltype_block_means(spec, w, CelltypeScale::kPopulation);
  const CelltypeBlockMeans layer = celltype_block_means(spec, w, CelltypeScale::kLayer);
  const CelltypeBlockMeans area = celltype_block_means(spec, w, CelltypeScale::kArea);
  // Layer V1_L23 (group 1) ← LM_L5 (group 5): populations 3..5 (post) and 15..17 (pre), 2+1+1 units each.
  const double n[3] = {2, 1, 1};
  double hand = 0;
  for (int q = 0; q < 3; ++q)
    for (int r = 0; r < 3; ++r) hand += pop.mean_abs[std::size_t((3 + q) * 18 + 15 + r)] * n[q] * n[r];
  CHECK(layer.mean_abs[1 * 6 + 5] == doctest::Approx(hand / 16).epsilon(1e-12));
  // Area LM ← V1: every population block of LM rows and V1 columns, 12 × 12 units.
  double hand_signed = 0;
  for (int q = 9; q < 18; ++q)
    for (int r = 0; r < 9; ++r) hand_signed += pop.mean_signed[std::size_t(q * 18 + r)] * n[q % 3] * n[r % 3];
  CHECK(area.mean_signed[1 * 2 + 0] == doctest::Approx(hand_signed / 144).epsilon(1e-12));
  const CelltypeGrouping g = celltype_grouping(spec, CelltypeScale::kLayer);
  CHECK(g.labels == std::vector<std::string>{"V1_L4", "V1_L23", "V1_L5", "LM_L4", "LM_L23", "LM_L5"});
  CHECK(g.units == std::vector<int64_t>{4, 4, 4, 4, 4, 4});
  CHECK(celltype_grouping(spec, CelltypeScale::kArea).labels == std::vector<std::string>{"V1", "LM"});
}

TEST_CASE("compare: B − A is the difference of the run means, and the tests are Welch and Mann–Whitney of B vs A") {
  const CelltypeSpec spec = small_spec();
  std::vector<Matrix> a = {random_w(spec, 1), random_w(spec, 2), random_w(spec, 3)};
  std::vector<Matrix> b = {random_w(spec, 4), random_w(spec, 5), random_w(spec, 6)};
  for (Matrix& w : b) w(0, 0) = real(0);  // keep one block varying, make population block (0,0) differ
  for (Matrix* w : {&a[0], &a[1], &a[2], &b[0], &b[1], &b[2]})
    for (int32_t i = spec.population_offset(1); i < spec.population_offset(2); ++i)
      for (int32_t k = spec.population_offset(2); k < spec.population_offset(3); ++k) (*w)(i, k) = real(0);  // block (1, 2): 0 everywhere
  const CelltypeComparison c = compare_celltype_weights(spec, a, b, {"a1", "a2", "a3"}, {"b1", "b2", "b3"});
  REQUIRE(c.scales.size() == 3);
  const CelltypeScaleComparison& s = c.scales[0];
  std::vector<double> welch_p;
  std::vector<std::size_t> tested;
  for (std::size_t cell = 0; cell < s.mean_abs.size(); ++cell) {
    std::vector<double> va, vb;
    for (const Matrix& w : a) va.push_back(celltype_block_means(spec, w, CelltypeScale::kPopulation).mean_abs[cell]);
    for (const Matrix& w : b) vb.push_back(celltype_block_means(spec, w, CelltypeScale::kPopulation).mean_abs[cell]);
    const CelltypeBlockTest& t = s.mean_abs[cell];
    CHECK(t.diff == doctest::Approx(mean_of(vb) - mean_of(va)).epsilon(1e-12));
    if (!t.tested) continue;
    const WelchResult wt = welch_t_test(vb, va);
    CHECK(t.welch.t == doctest::Approx(wt.t).epsilon(1e-12));
    CHECK(t.mann_whitney.p_value == doctest::Approx(mann_whitney_u(vb, va).p_value).epsilon(1e-12));
    welch_p.push_back(wt.p_value);
    tested.push_back(cell);
  }
  // The block that is 0 in every run is untested and outside the Holm family.
  const CelltypeBlockTest& zero = s.mean_abs[1 * 18 + 2];
  CHECK_FALSE(zero.tested);
  CHECK(std::isnan(zero.welch_p_holm));
  CHECK(zero.diff == 0);
  const std::vector<double> holm = holm_adjust(welch_p);
  for (std::size_t i = 0; i < tested.size(); ++i)
    CHECK(s.mean_abs[tested[i]].welch_p_holm == doctest::Approx(holm[i]).epsilon(1e-12));
  // Highlights: tested on the union of their blocks.
  REQUIRE(c.highlights.size() == 5);
  const CelltypeHighlight& ff = c.highlights[0];
  CHECK(ff.name == "feedforward V1_L23_Pyr -> LM_L4");
  CHECK(ff.blocks.size() == 3);
  CHECK(ff.test.a[1] == doctest::Approx(celltype_union_mean_abs(spec, a[1], ff.blocks)).epsilon(1e-12));
}

TEST_CASE("compare: one run per condition gives means and differences but no tests") {
  const CelltypeSpec spec = small_spec();
  const CelltypeComparison c = compare_celltype_weights(spec, {random_w(spec, 1)}, {random_w(spec, 2)}, {"a"}, {"b"});
  for (const CelltypeBlockTest& t : c.scales[2].mean_abs) {
    CHECK_FALSE(t.tested);
    CHECK(std::isfinite(t.diff));
  }
}

TEST_CASE("compare: the paper's spec calls out feedforward, both feedback projections and L2/3 Sst→Vip") {
  StatusOr<CelltypeSpec> spec = default_celltype_spec();
  REQUIRE(spec.ok());
  const std::vector<CelltypeHighlight> h = celltype_highlights(spec.value());
  REQUIRE(h.size() == 5);
  CHECK(h[0].name == "feedforward V1_L23_Pyr -> LM_L4");
  CHECK(h[1].name == "feedback LM_L5_Pyr -> V1_L23");
  CHECK(h[2].name == "feedback LM_L5_Pyr -> V1_L5");
  for (int i = 0; i < 3; ++i) CHECK(h[std::size_t(i)].blocks.size() == 3);
  CHECK(h[3].name == "L23 Sst -> Vip V1");
  CHECK(h[4].name == "L23 Sst -> Vip LM");
  CHECK(spec.value().population_name(h[4].blocks[0].source) == "LM_L23_Sst");
  CHECK(spec.value().population_name(h[4].blocks[0].target) == "LM_L23_Vip");
}

TEST_CASE("compare: runs are read from disk, and runs of another spec are refused naming them") {
  io_test::TempDir tmp;
  REQUIRE(tmp.ok());
  const CelltypeSpec spec = small_spec();
  write_run(tmp.file("a/run1"), random_w(spec, 1), names_of(spec));
  write_run(tmp.file("a/run2"), random_w(spec, 2), names_of(spec));
  write_run(tmp.file("a/run10"), random_w(spec, 3), names_of(spec));
  write_run(tmp.file("b/run1"), random_w(spec, 4), names_of(spec));
  StatusOr<std::vector<std::string>> runs = list_celltype_runs(tmp.file("a"));
  REQUIRE(runs.ok());
  CHECK(runs.value() == std::vector<std::string>{tmp.file("a/run1"), tmp.file("a/run2"), tmp.file("a/run10")});
  StatusOr<CelltypeComparison> c = compare_celltype_runs(spec, runs.value(), {tmp.file("b/run1")});
  REQUIRE(c.ok());
  CHECK(c.value().scales[1].mean_abs[0].a.size() == 3);

  // Another unit count.
  write_run(tmp.file("c/run1"), Matrix(12, 12, real(0.1)), names_of(spec));
  StatusOr<CelltypeComparison> bad = compare_celltype_runs(spec, runs.value(), {tmp.file("c/run1")});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find(tmp.file("a/run1") + " fits the spec, but " + tmp.file("c/run1/model.npz") + ": W is (12, 12), expected (24, 24)") !=
        std::string::npos);
  // Other populations.
  std::vector<std::string> other = names_of(spec);
  other[3] = "V1_L23_Chandelier";
  write_run(tmp.file("d/run1"), random_w(spec, 5), other);
  bad = compare_celltype_runs(spec, runs.value(), {tmp.file("d/run1")});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find(tmp.file("d/run1") + ": the run has populations") != std::string::npos);
  // A sweep's group: seed<S>/run1, in seed order; folders that only look like seeds are skipped.
  write_run(tmp.file("sweep/" + celltype_seed_dir_name(2) + "/run1"), random_w(spec, 7), names_of(spec));
  write_run(tmp.file("sweep/" + celltype_seed_dir_name(10) + "/run1"), random_w(spec, 8), names_of(spec));
  write_run(tmp.file("sweep/seedling/run1"), random_w(spec, 9), names_of(spec));
  CHECK(is_celltype_seed_dir_name("seed10"));
  CHECK_FALSE(is_celltype_seed_dir_name("seed"));
  CHECK_FALSE(is_celltype_seed_dir_name("seed1a"));
  StatusOr<std::vector<std::string>> sweep = list_celltype_runs(tmp.file("sweep"));
  REQUIRE(sweep.ok());
  CHECK(sweep.value() == std::vector<std::string>{tmp.file("sweep/seed2/run1"), tmp.file("sweep/seed10/run1")});
  // A directory without runs.
  REQUIRE(make_directories(tmp.file("empty/x")).ok());
  StatusOr<std::vector<std::string>> none = list_celltype_runs(tmp.file("empty"));
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message().find("holds no finished run") != std::string::npos);
  CHECK(none.status().message().find("it holds: x") != std::string::npos);
  // Readouts of another shape are refused naming the run.
  const Matrix wrong_readout(3, spec.total_units(), real(0.1));
  write_run(tmp.file("e/run1"), random_w(spec, 6), names_of(spec), &wrong_readout);
  bad = compare_celltype_runs(spec, runs.value(), {tmp.file("e/run1")});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find(tmp.file("e/run1/model.npz") + ": W_out is (3, 24), expected (18, 24)") !=
        std::string::npos);
}

TEST_CASE("compare (aggregate): records are ordered like celltype all and renumbered by seed; a fit given twice is refused") {
  auto record = [](const std::string& condition, const std::string& window, uint64_t seed, const std::string& dir) {
    CelltypeRunRecord r;
    r.condition = condition;
    r.window = window;
    r.seed = seed;
    r.run = 1;
    r.dir = dir;
    return r;
  };
  std::vector<CelltypeRunRecord> rows = {record("novel_change", "full", 3, "x"), record("familiar_change", "half", 2, "y"),
                                         record("familiar_change", "full", 9, "z"), record("familiar_change", "half", 1, "w"),
                                         record("mine", "full", 1, "v")};
  REQUIRE(order_celltype_records(&rows).ok());
  std::vector<std::string> order;
  std::vector<int32_t> numbers;
  for (const CelltypeRunRecord& r : rows) {
    order.push_back(r.dir);
    numbers.push_back(r.run);
  }
  CHECK(order == std::vector<std::string>{"z", "w", "y", "x", "v"});
  CHECK(numbers == std::vector<int32_t>{1, 1, 2, 1, 1});
  rows.push_back(record("familiar_change", "half", 2, "again"));
  const Status twice = order_celltype_records(&rows);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.message().find("are the same fit (familiar_change, half window, seed 2)") != std::string::npos);
}

TEST_CASE("aggregate: a run whose final loss is over 3x its group's median is flagged; small groups are not judged") {
  auto record = [](const std::string& condition, int32_t run, double final_loss) {
    CelltypeRunRecord r;
    r.condition = condition;
    r.window = "full";
    r.run = run;
    r.result.best_finetune_loss = final_loss;
    r.result.best_dense_loss = 10 * final_loss;
    r.dir = "fits/" + condition + "/run" + std::to_string(run);
    return r;
  };
  // Group a: losses 1, 2, 3, 2, 7 -> median 2; 7 > 3 x 2 lags, and 6 would not (not strictly over).
  // Group b: four runs, median (1 + 2) / 2 = 1.5 of the finite ones; the NaN run lags; 4.6 > 4.5 lags.
  // Group c: two runs, however far apart, are not judged.
  std::vector<CelltypeRunRecord> rows = {record("a", 1, 1), record("a", 2, 2), record("b", 1, 1),
                                         record("a", 3, 3), record("b", 2, 2), record("a", 4, 2),
                                         record("c", 1, 1), record("c", 2, 100), record("a", 5, 7),
                                         record("b", 3, std::nan("")), record("b", 4, 4.6), record("b", 5, 1)};
  std::vector<CelltypeLaggingRun> lag = celltype_lagging_runs(rows);
  REQUIRE(lag.size() == 3);
  CHECK(lag[0].row == 8);
  CHECK(lag[0].final_loss == 7);
  CHECK(lag[0].group_median == 2);
  CHECK(lag[0].group_runs == 5);
  CHECK(lag[1].row == 9);
  CHECK(std::isnan(lag[1].final_loss));
  CHECK(lag[1].group_median == 1.5);
  CHECK(lag[1].group_runs == 4);
  CHECK(lag[2].row == 10);
  rows[8].result.best_finetune_loss = 6;  // exactly 3 x the median: not over it
  CHECK(celltype_lagging_runs(rows).size() == 2);
  CHECK(celltype_lagging_runs(rows, 2.9).size() == 3);
  // The note names the run, both numbers, the ratio, the dense loss and where to look.
  rows[8].result.best_finetune_loss = 7;
  const std::string note = describe_lagging_run(rows, lag[0]);
  CHECK(note.find("a (full window) run 5 ended at a test loss of 7, 3.5 times the median of its 5 runs (2)") == 0);
  CHECK(note.find("its dense phase reached 70") != std::string::npos);
  CHECK(note.find(join_path("fits/a/run5", "report.html")) != std::string::npos);
  CHECK(describe_lagging_run(rows, lag[1]).find("b (full window) run 3 ended at a test loss of nan") == 0);
  CHECK(celltype_lagging_runs({}).empty());
  // A median of 0 (losses that reached 0): any positive loss lags, and the note gives no ratio.
  std::vector<CelltypeRunRecord> zeros = {record("z", 1, 0), record("z", 2, 0), record("z", 3, 1e-9)};
  std::vector<CelltypeLaggingRun> zero_lag = celltype_lagging_runs(zeros);
  REQUIRE(zero_lag.size() == 1);
  CHECK(describe_lagging_run(zeros, zero_lag[0]).find("ended at a test loss of 1e-09 (the median of its 3 runs: 0)") !=
        std::string::npos);
}
