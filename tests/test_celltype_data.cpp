// test_celltype_data.cpp — the cell-type data path: the Gaussian filter against scipy's
// documented outputs and hand-computed weights, the bootstrap against the trial mean, file
// names, the loader's layout and windows, every validation error, and the synthetic ground
// truth (table densities, Dale signs, planted factors, determinism, synth → bootstrap → load,
// the planted effects against the planted and control files).
#include "doctest/doctest.h"

#include <algorithm>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "biornn/celltype_data.hpp"
#include "biornn/celltype_synth.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json_read.hpp"
#include "biornn/npy.hpp"
#include "io_test_util.hpp"

using namespace biornn;

namespace {

// The paper's spec at a small scale (12:2:1 units per layer), so the tests stay fast.
CelltypeSpec small_spec(int32_t scale = 1) {
  StatusOr<CelltypeSpec> s = default_celltype_spec();
  REQUIRE(s.ok());
  CelltypeSpec spec = s.value();
  spec.scale = scale;
  return spec;
}

// Two areas × one layer × two types = 4 populations: enough for the file-handling tests, whose
// time goes into one fsync per file written (write_file_atomic), not into arithmetic.
CelltypeSpec mini_spec() {
  CelltypeSpec s;
  s.areas = {"V1", "LM"};
  s.layers = {"L23"};
  s.types = {"Pyr", "Vip"};
  s.type_excitatory = {true, false};
  s.type_ratio = {2, 1};
  s.scale = 2;
  s.intra_density = Matrix::from_rows({{0.5, 0.5}, {0.5, 0.25}});
  s.projections = {{s.find_population("V1_L23_Pyr"), s.find_population("LM_L23_Pyr")}};
  s.observed.assign(4, true);
  REQUIRE(validate_celltype_spec(s, "mini").ok());
  return s;
}

// A (rows, cols) float64 array whose value at (i, j) is f(i, j).
template <class F>
void write_array(const std::string& path, int64_t rows, int64_t cols, F f) {
  std::vector<double> v(static_cast<std::size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) v[std::size_t(i * cols + j)] = f(i, j);
  REQUIRE(save_npy(path, npy_from_doubles(v, {rows, cols})).ok());
}

// Processed files for every population: value = p + 0.01·frame + 0.0001·sample (input) and the
// same one frame later (target), so each entry says where it came from.
void write_processed(const CelltypeSpec& spec, const std::string& dir, const std::string& condition, int64_t samples) {
  for (int32_t p = 0; p < spec.populations(); ++p) {
    write_array(join_path(dir, celltype_processed_file(spec, p, condition, "train")), samples, 15,
                [p](int64_t i, int64_t j) { return p + 0.01 * double(j) + 0.0001 * double(i); });
    write_array(join_path(dir, celltype_processed_file(spec, p, condition, "test")), samples, 15,
                [p](int64_t i, int64_t j) { return p + 0.01 * double(j + 1) + 0.0001 * double(i); });
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool same_bytes(const std::string& a, const std::string& b) {
  StatusOr<std::vector<uint8_t>> x = read_file(a), y = read_file(b);
  return x.ok() && y.ok() && x.value() == y.value();
}

}  // namespace

TEST_CASE("celltype data: the Gaussian filter reproduces scipy.ndimage.gaussian_filter1d's documented outputs") {
  // scipy's docstring: gaussian_filter1d([1, 2, 3, 4, 5], 1) and (…, 4); σ = 4 has a radius of
  // 16 frames on a 5-frame signal, so the reflection repeats (period 2n).
  const std::vector<double> x = {1, 2, 3, 4, 5};
  const std::vector<double> s1 = gaussian_filter_reflect(x, 1.0);
  const double want1[] = {1.42704095, 2.06782203, 3.0, 3.93217797, 4.57295905};
  const std::vector<double> s4 = gaussian_filter_reflect(x, 4.0);
  const double want4[] = {2.91948343, 2.95023502, 3.0, 3.04976498, 3.08051657};
  for (int i = 0; i < 5; ++i) {
    CHECK(s1[std::size_t(i)] == doctest::Approx(want1[i]).epsilon(1e-8));  // the docstring prints 8 decimals
    CHECK(s4[std::size_t(i)] == doctest::Approx(want4[i]).epsilon(1e-8));
  }
}

TEST_CASE("celltype data: away from the edges an impulse comes out as the normalised kernel truncated at 4 sigma") {
  std::vector<double> impulse(15, 0.0);
  impulse[7] = 1;
  const std::vector<double> y = gaussian_filter_reflect(impulse, 1.0);
  double total = 1;
  for (int k = 1; k <= 4; ++k) total += 2 * std::exp(-0.5 * k * k);
  for (int k = -4; k <= 4; ++k) CHECK(y[std::size_t(7 + k)] == doctest::Approx(std::exp(-0.5 * k * k) / total).epsilon(1e-15));
  CHECK(y[2] == 0.0);  // 5 frames away: outside the truncated kernel
  CHECK(gaussian_filter_reflect(impulse, 0.0) == impulse);  // σ = 0: radius 0, the identity
}

TEST_CASE("celltype data: names follow the authors' file conventions") {
  const CelltypeSpec spec = small_spec();
  const int32_t p = spec.find_population("V1_L23_Pyr"), q = spec.find_population("LM_L5_Vip");
  CHECK(celltype_processed_file(spec, p, "familiar_change", "train") == "dff_V1_L23_pyr_familiar_change_train.npy");
  CHECK(celltype_processed_file(spec, q, "novel_omission", "test") == "dff_LM_L5_vip_novel_omission_test.npy");
  CHECK(celltype_raw_file(spec, p, "familiar_change") == "dff_pyr_visp_L23_familiar_change.npy");
  CHECK(celltype_raw_file(spec, q, "novel_no_change") == "dff_vip_visl_L5_novel_no_change.npy");
  const std::vector<std::string> c = celltype_conditions();
  REQUIRE(c.size() == 6);
  CHECK(c.front() == "familiar_change");
  CHECK(c.back() == "novel_omission");
  CelltypeWindow w;
  CHECK((parse_celltype_window("half", &w) && w == CelltypeWindow::kHalf));
  CHECK_FALSE(parse_celltype_window("quarter", &w));
}

TEST_CASE("celltype data: the bootstrap's mean of means matches the trial mean and the target is the input one frame on") {
  const int32_t n_trials = 37;
  std::vector<double> trials(std::size_t(n_trials) * kCelltypeFrames);
  Rng fill(3);
  for (double& v : trials) v = fill.uniform(-1, 1);
  Rng rng(11);
  std::vector<double> input, target;
  const int32_t samples = 3000, rows = 100;
  bootstrap_trials(trials, n_trials, samples, rows, /*sigma=*/0.0, rng, &input, &target);
  REQUIRE(input.size() == std::size_t(samples) * 15);
  REQUIRE(target.size() == input.size());
  for (int32_t f = 0; f < kCelltypeFrames - 1; ++f) {
    double trial_mean = 0, trial_var = 0, mean_of_means = 0;
    for (int32_t t = 0; t < n_trials; ++t) trial_mean += trials[std::size_t(t * 16 + f)] / n_trials;
    for (int32_t t = 0; t < n_trials; ++t) trial_var += std::pow(trials[std::size_t(t * 16 + f)] - trial_mean, 2) / n_trials;
    for (int32_t s = 0; s < samples; ++s) mean_of_means += input[std::size_t(s * 15 + f)] / samples;
    // The mean of `samples` means of `rows` draws has standard error sd / √(samples · rows).
    CHECK(std::fabs(mean_of_means - trial_mean) < 5 * std::sqrt(trial_var / (double(samples) * rows)));
  }
  // With σ = 0, target frame f + 1 is the same draw as input frame f + 1.
  for (int32_t s = 0; s < samples; s += 97)
    for (int32_t c = 0; c + 1 < 15; ++c) CHECK(target[std::size_t(s * 15 + c)] == input[std::size_t(s * 15 + c + 1)]);
}

TEST_CASE("celltype data: a single trial bootstraps to itself, smoothed input and target separately") {
  std::vector<double> trial(16);
  for (int f = 0; f < 16; ++f) trial[std::size_t(f)] = f * f * 0.1;
  Rng rng(1);
  std::vector<double> input, target;
  bootstrap_trials(trial, 1, 3, 5, 1.0, rng, &input, &target);
  const std::vector<double> in(trial.begin(), trial.begin() + 15), out(trial.begin() + 1, trial.end());
  const std::vector<double> in_s = gaussian_filter_reflect(in, 1.0), out_s = gaussian_filter_reflect(out, 1.0);
  for (int s = 0; s < 3; ++s)
    for (int c = 0; c < 15; ++c) {
      CHECK(input[std::size_t(s * 15 + c)] == doctest::Approx(in_s[std::size_t(c)]).epsilon(1e-14));
      CHECK(target[std::size_t(s * 15 + c)] == doctest::Approx(out_s[std::size_t(c)]).epsilon(1e-14));
    }
}

TEST_CASE("celltype data: the loader lays traces out time-major and cuts the half window from the full files") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const CelltypeSpec spec = mini_spec();
  const int32_t n_pop = spec.populations();
  write_processed(spec, dir.path(), "familiar_change", 4);
  StatusOr<TaskData> full = load_celltype_data(spec, dir.path(), "familiar_change", CelltypeWindow::kFull);
  REQUIRE_MESSAGE(full.ok(), full.status().message());
  const SequenceData& f = full.value().train;
  CHECK(full.value().kind == TaskKind::kCelltype);
  CHECK(f.steps == 15);
  CHECK(f.inputs == n_pop);
  CHECK(f.outputs == n_pop);
  CHECK(f.size() == 4);
  CHECK(f.x.cols() == 15 * n_pop);
  // x(i, t·P + p) = population p's input frame t of sample i; y the same one frame later.
  CHECK(double(f.x(2, 3 * n_pop + 3)) == doctest::Approx(3 + 0.03 + 0.0002).epsilon(1e-6));
  CHECK(double(f.y(2, 3 * n_pop + 3)) == doctest::Approx(3 + 0.04 + 0.0002).epsilon(1e-6));
  CHECK(full.value().test.size() == 4);  // no heldout/: test = train
  StatusOr<TaskData> half = load_celltype_data(spec, dir.path(), "familiar_change", CelltypeWindow::kHalf);
  REQUIRE(half.ok());
  const SequenceData& h = half.value().train;
  CHECK(h.steps == 7);
  for (int32_t i = 0; i < 4; ++i)
    for (int32_t t = 0; t < 7; ++t)
      for (int32_t p = 0; p < n_pop; ++p) {
        CHECK(h.x(i, t * n_pop + p) == f.x(i, (t + 7) * n_pop + p));  // input frames 7..13
        CHECK(h.y(i, t * n_pop + p) == f.y(i, (t + 7) * n_pop + p));  // target frames 8..14
      }
  CHECK(double(h.y(0, 0)) == doctest::Approx(0.08).epsilon(1e-6));
}

TEST_CASE("celltype data: every malformed processed set is refused with the file and the problem named") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const CelltypeSpec spec = mini_spec();
  const std::string c = "familiar_change";
  const int32_t p = spec.find_population("LM_L23_Vip");
  const std::string train = join_path(dir.path(), celltype_processed_file(spec, p, c, "train"));
  auto load = [&] { return load_celltype_data(spec, dir.path(), c, CelltypeWindow::kFull); };

  write_processed(spec, dir.path(), c, 6);
  std::remove(train.c_str());
  StatusOr<TaskData> r = load();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("dff_LM_L23_vip_familiar_change_train.npy: missing") != std::string::npos);
  CHECK(r.status().message().find("LM_L23_Vip") != std::string::npos);

  write_array(train, 6, 16, [](int64_t, int64_t) { return 0.0; });
  r = load();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("dff_LM_L23_vip_familiar_change_train.npy: expected the input traces of LM_L23_Vip of shape (rows, 15)") != std::string::npos);
  CHECK(r.status().message().find("found (6, 16)") != std::string::npos);

  write_array(train, 6, 15, [](int64_t i, int64_t j) { return i == 4 && j == 2 ? std::nan("") : 0.0; });
  r = load();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("values must be finite, found NaN at row 4, column 2") != std::string::npos);

  write_array(train, 6, 15, [](int64_t, int64_t j) { return j == 0 ? HUGE_VAL : 0.0; });
  r = load();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("found infinity at row 0, column 0 (and 5 more") != std::string::npos);

  write_array(train, 5, 15, [](int64_t, int64_t) { return 0.0; });
  r = load();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("has 6 samples but its input") != std::string::npos);

  write_array(train, 5, 15, [](int64_t, int64_t) { return 0.0; });
  write_array(join_path(dir.path(), celltype_processed_file(spec, p, c, "test")), 5, 15,
              [](int64_t, int64_t) { return 0.0; });
  r = load();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("has 5 samples, expected 6 like") != std::string::npos);

  r = load_celltype_data(spec, dir.path(), "novel_change", CelltypeWindow::kFull);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("dff_V1_L23_pyr_novel_change_train.npy: missing") != std::string::npos);
  r = load_celltype_data(spec, dir.file("nope"), c, CelltypeWindow::kFull);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("no such directory") != std::string::npos);
}

TEST_CASE("celltype data: an unobserved population without files is zeros and is not scored") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  CelltypeSpec spec = mini_spec();
  const int32_t p = spec.find_population("LM_L23_Vip");
  write_processed(spec, dir.path(), "novel_change", 3);
  for (const char* role : {"train", "test"})
    std::remove(join_path(dir.path(), celltype_processed_file(spec, p, "novel_change", role)).c_str());
  CHECK_FALSE(load_celltype_data(spec, dir.path(), "novel_change", CelltypeWindow::kFull).ok());
  spec.observed[std::size_t(p)] = false;
  StatusOr<TaskData> r = load_celltype_data(spec, dir.path(), "novel_change", CelltypeWindow::kFull);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  const SequenceData& d = r.value().train;
  REQUIRE(d.scored_outputs.cols() == spec.populations());
  for (int32_t q = 0; q < spec.populations(); ++q) CHECK(d.scored_outputs(0, q) == (q == p ? 0 : 1));
  for (int32_t t = 0; t < d.steps; ++t) {
    CHECK(d.x(1, t * spec.populations() + p) == 0);
    CHECK(d.y(1, t * spec.populations() + p) == 0);
  }
}

TEST_CASE("celltype data: bootstrap refuses bad raw arrays before writing anything") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const CelltypeSpec spec = mini_spec();
  const std::string raw = dir.file("raw"), out = dir.file("out");
  REQUIRE(make_directories(raw).ok());
  for (int32_t p = 0; p < spec.populations(); ++p)
    write_array(join_path(raw, celltype_raw_file(spec, p, "familiar_change")), 8, 16,
                [p](int64_t i, int64_t j) { return 0.1 * p + 0.01 * double(i + j); });
  BootstrapOptions o;
  o.samples = 10;
  o.rows_per_sample = 4;
  const int32_t q = spec.find_population("V1_L23_Vip");
  const std::string bad = join_path(raw, celltype_raw_file(spec, q, "familiar_change"));
  auto run = [&](const std::vector<std::string>& conditions) {
    return bootstrap_celltype(spec, raw, conditions, out, o);
  };

  StatusOr<std::vector<std::string>> r = run({"familiar_change", "novel_change"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("dff_pyr_visp_L23_novel_change.npy: missing") != std::string::npos);
  CHECK_FALSE(directory_exists(out));

  write_array(bad, 8, 15, [](int64_t, int64_t) { return 0.0; });
  r = run({"familiar_change"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("dff_vip_visp_L23_familiar_change.npy: expected the trials of V1_L23_Vip") != std::string::npos);
  CHECK(r.status().message().find("(rows, 16)") != std::string::npos);

  write_array(bad, 8, 16, [](int64_t i, int64_t j) { return i == 7 && j == 15 ? -HUGE_VAL : 0.0; });
  r = run({"familiar_change"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("found infinity at row 7, column 15") != std::string::npos);
  CHECK_FALSE(directory_exists(out));

  write_array(bad, 2, 16, [](int64_t, int64_t) { return 0.0; });
  o.heldout = 0.1;
  r = run({"familiar_change"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("2 trials cannot be split with a held-out fraction of 0.1") != std::string::npos);
  o.heldout = 0.5;
  r = run({"familiar_change"});  // 2 trials, one each side; other populations 4 and 4
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r.value().size() == std::size_t(spec.populations()) * 4 + 1);
  CHECK(file_exists(join_path(join_path(out, "heldout"), celltype_processed_file(spec, q, "familiar_change", "test"))));
  CHECK(read_text(join_path(out, "bootstrap.json")).find("\"heldout_trials\":1") != std::string::npos);

  o.samples = 0;
  CHECK_FALSE(run({"familiar_change"}).ok());
}

TEST_CASE("celltype data: the bootstrap is deterministic, per condition independent of the others listed") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const CelltypeSpec spec = mini_spec();
  const std::string raw = dir.file("raw");
  REQUIRE(make_directories(raw).ok());
  for (const std::string c : {"familiar_change", "familiar_omission"})
    for (int32_t p = 0; p < spec.populations(); ++p)
      write_array(join_path(raw, celltype_raw_file(spec, p, c)), 9 + p, 16,
                  [p](int64_t i, int64_t j) { return std::sin(0.3 * double(i * 16 + j) + p); });
  BootstrapOptions o;
  o.samples = 20;
  o.rows_per_sample = 7;
  REQUIRE(bootstrap_celltype(spec, raw, {"familiar_change", "familiar_omission"}, dir.file("a"), o).ok());
  REQUIRE(bootstrap_celltype(spec, raw, {"familiar_omission"}, dir.file("b"), o).ok());
  o.seed = 2;
  REQUIRE(bootstrap_celltype(spec, raw, {"familiar_omission"}, dir.file("c"), o).ok());
  const std::string f = celltype_processed_file(spec, 3, "familiar_omission", "train");
  CHECK(same_bytes(join_path(dir.file("a"), f), join_path(dir.file("b"), f)));
  CHECK_FALSE(same_bytes(join_path(dir.file("a"), f), join_path(dir.file("c"), f)));
}

TEST_CASE("celltype synth: the teacher obeys the table's densities and Dale signs, and conditions differ only by the planted factors") {
  const CelltypeSpec spec = small_spec(2);
  const PopulationTable table = spec.block_table();
  StatusOr<std::unique_ptr<SignedRnn>> change = make_celltype_teacher(spec, "familiar_change", 5);
  StatusOr<std::unique_ptr<SignedRnn>> no_change = make_celltype_teacher(spec, "familiar_no_change", 5);
  StatusOr<std::unique_ptr<SignedRnn>> omission = make_celltype_teacher(spec, "familiar_omission", 5);
  StatusOr<std::unique_ptr<SignedRnn>> novel = make_celltype_teacher(spec, "novel_no_change", 5);
  REQUIRE((change.ok() && no_change.ok() && omission.ok() && novel.ok()));
  CHECK_FALSE(make_celltype_teacher(spec, "familiar_half", 5).ok());
  const Matrix& w = change.value()->w.value;
  CHECK(change.value()->sign_violations() == 0);
  for (int32_t q = 0; q < spec.populations(); ++q)
    for (int32_t r = 0; r < spec.populations(); ++r) {
      const int32_t nq = spec.population_size(q), nr = spec.population_size(r);
      int64_t nonzero = 0;
      for (int32_t i = 0; i < nq; ++i)
        for (int32_t j = 0; j < nr; ++j) nonzero += w(spec.population_offset(q) + i, spec.population_offset(r) + j) != 0;
      CHECK(nonzero == std::llround(double(table.density(q, r)) * nq * nr));
    }
  const Matrix m_change = celltype_block_mean_abs(spec, w);
  const Matrix m_no = celltype_block_mean_abs(spec, no_change.value()->w.value);
  const Matrix m_om = celltype_block_mean_abs(spec, omission.value()->w.value);
  const Matrix m_novel = celltype_block_mean_abs(spec, novel.value()->w.value);
  const std::vector<CelltypePlanted> planted = celltype_planted_differences(spec);
  REQUIRE(planted.size() == 3);
  for (const CelltypePlanted& d : planted) CHECK(d.missing.empty());
  CHECK(planted[0].blocks.size() == 3);  // V1_L23_Pyr → LM_L4_{Pyr, Sst, Vip}
  CHECK(planted[1].blocks.size() == 3);  // LM_L5_Pyr → V1_L5_{Pyr, Sst, Vip}
  CHECK(planted[2].blocks.size() == 2);  // L23 Sst → L23 Vip in V1 and LM
  auto ratio = [](const Matrix& b, const Matrix& a, const CelltypeProjection& p) {
    return double(b(p.target, p.source)) / double(a(p.target, p.source));
  };
  for (const CelltypeProjection& p : planted[0].blocks) CHECK(ratio(m_change, m_no, p) == doctest::Approx(2).epsilon(1e-6));
  for (const CelltypeProjection& p : planted[1].blocks) CHECK(ratio(m_om, m_no, p) == doctest::Approx(2).epsilon(1e-6));
  for (const CelltypeProjection& p : planted[2].blocks) CHECK(ratio(m_novel, m_no, p) == doctest::Approx(0.5).epsilon(1e-6));
  // Every other block is identical between familiar change and no_change.
  int32_t differing = 0;
  for (int32_t q = 0; q < spec.populations(); ++q)
    for (int32_t r = 0; r < spec.populations(); ++r) differing += m_change(q, r) != m_no(q, r);
  CHECK(differing == 3);
  // The null control (planted = false): every condition's teacher is familiar no_change's, weight
  // for weight (no_change carries no planted factor).
  for (const char* c : {"familiar_change", "familiar_omission", "novel_change", "novel_omission"}) {
    StatusOr<std::unique_ptr<SignedRnn>> control = make_celltype_teacher(spec, c, 5, false);
    REQUIRE(control.ok());
    CAPTURE(c);
    const Matrix& a = control.value()->w.value;
    const Matrix& b = no_change.value()->w.value;
    REQUIRE(a.size() == b.size());
    CHECK(std::equal(a.data(), a.data() + a.size(), b.data()));
  }
}

TEST_CASE("celltype synth: the planted factor scales exactly the planted blocks, and only a factor > 1 is taken") {
  const CelltypeSpec spec = small_spec(2);
  const double factor = 4;
  StatusOr<std::unique_ptr<SignedRnn>> no_change = make_celltype_teacher(spec, "familiar_no_change", 5, true, factor);
  REQUIRE(no_change.ok());
  const Matrix m_no = celltype_block_mean_abs(spec, no_change.value()->w.value);
  // no_change carries no planted block, so its teacher is the same whatever the factor.
  StatusOr<std::unique_ptr<SignedRnn>> default_no_change = make_celltype_teacher(spec, "familiar_no_change", 5);
  REQUIRE(default_no_change.ok());
  const Matrix& w4 = no_change.value()->w.value;
  const Matrix& w2 = default_no_change.value()->w.value;
  CHECK(std::equal(w4.data(), w4.data() + w4.size(), w2.data()));
  const std::vector<CelltypePlanted> planted = celltype_planted_differences(spec, factor);
  REQUIRE(planted.size() == 3);
  CHECK(planted[0].factor == 4);
  CHECK(planted[1].factor == 4);
  CHECK(planted[2].factor == 0.25);
  CHECK(planted[0].description.find("mean |w| x4 in change") != std::string::npos);
  CHECK(planted[2].description.find("mean |w| x0.25 in novel") != std::string::npos);
  // Each condition's teacher differs from no_change by exactly its own planted blocks, by the factor.
  const char* conditions[] = {"familiar_change", "familiar_omission", "novel_no_change"};
  for (int i = 0; i < 3; ++i) {
    CAPTURE(conditions[i]);
    StatusOr<std::unique_ptr<SignedRnn>> t = make_celltype_teacher(spec, conditions[i], 5, true, factor);
    REQUIRE(t.ok());
    const Matrix m = celltype_block_mean_abs(spec, t.value()->w.value);
    Matrix expected_ratio(spec.populations(), spec.populations(), real(1));
    for (const CelltypeProjection& p : planted[std::size_t(i)].blocks)
      expected_ratio(p.target, p.source) = real(planted[std::size_t(i)].factor);
    for (int32_t q = 0; q < spec.populations(); ++q)
      for (int32_t r = 0; r < spec.populations(); ++r) {
        if (m_no(q, r) == 0) {
          CHECK(m(q, r) == 0);
          continue;
        }
        CHECK(double(m(q, r)) / double(m_no(q, r)) == doctest::Approx(double(expected_ratio(q, r))).epsilon(1e-6));
      }
  }
  // A factor that would flip or erase the expected signs is refused, with the value named.
  for (double bad : {1.0, 0.5, -2.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    CAPTURE(bad);
    StatusOr<std::unique_ptr<SignedRnn>> t = make_celltype_teacher(spec, "familiar_change", 5, true, bad);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().message().find("planted factor must be a finite number > 1") != std::string::npos);
    CHECK_THROWS_AS(celltype_planted_differences(spec, bad), ContractViolation);
    io_test::TempDir dir;
    REQUIRE(dir.ok());
    CelltypeSynthOptions o;
    o.trials = 2;
    o.planted_factor = bad;
    StatusOr<std::vector<std::string>> written = synth_celltype(spec, dir.file("raw"), o);
    REQUIRE_FALSE(written.ok());
    CHECK(written.status().message().find("planted factor must be a finite number > 1") != std::string::npos);
    CHECK_FALSE(directory_exists(dir.file("raw")));
  }
}

TEST_CASE("celltype synth: a matched feedback source gets the same drive in every condition") {
  const CelltypeSpec spec = small_spec();
  const int32_t lm_l5 = spec.find_population("LM_L5_Pyr");
  CelltypeSynthOptions matched;
  matched.matched_feedback_source = true;
  // The pulse 400-650 ms filtered like the images, u(k) = 0.5 u(k-1) + on(k), frame k covering
  // [k, k+1)/10.7 s: frame 4 holds 0.4 s to its end, frames 5 whole, frame 6 up to 0.65 s.
  const double f4 = 5 - 0.4 * 10.7, f6 = 0.65 * 10.7 - 6;
  double pulse[16] = {0, 0, 0, 0, f4, 0.5 * f4 + 1, 0.25 * f4 + 0.5 + f6};
  for (int k = 7; k < 16; ++k) pulse[k] = 0.5 * pulse[k - 1];  // nothing on: it decays
  for (const char* c : {"familiar_change", "familiar_no_change", "novel_change"}) {
    const Matrix plain = celltype_stimulus(spec, c), with = celltype_stimulus(spec, c, matched);
    for (int32_t k = 0; k < plain.rows(); ++k)
      for (int32_t p = 0; p < spec.populations(); ++p)
        CHECK(with(k, p) - plain(k, p) == doctest::Approx(p == lm_l5 ? pulse[k] : 0.0).epsilon(1e-5));
  }
  // Omission: everything but the feedback source as before (Vip keeps its omission ramp); the
  // feedback source loses the omitted image's pulse and the ramp and gets the matched pulse.
  const Matrix plain = celltype_stimulus(spec, "familiar_omission"), with = celltype_stimulus(spec, "familiar_omission", matched);
  for (int32_t k = 0; k < plain.rows(); ++k)
    for (int32_t p = 0; p < spec.populations(); ++p)
      if (p != lm_l5) CHECK(with(k, p) == plain(k, p));
  CHECK(plain(9, lm_l5) - with(9, lm_l5) > 0.5);  // the omitted image's pulse is gone
  // With no direct stimulus to the later area, the feedback source's drive is the same in every
  // trial type: only what reaches it through the network tells the conditions apart.
  matched.later_area_drive = 0;
  const Matrix change = celltype_stimulus(spec, "familiar_change", matched),
               omission = celltype_stimulus(spec, "familiar_omission", matched);
  for (int32_t k = 0; k < change.rows(); ++k) CHECK(omission(k, lm_l5) == change(k, lm_l5));
  const int32_t lm_vip = spec.find_population("LM_L5_Vip");
  CHECK(omission(12, lm_vip) - change(12, lm_vip) == doctest::Approx(0.05 * 5).epsilon(1e-5));  // Vip keeps its ramp
}

TEST_CASE("celltype synth: the stimulus follows the task's timing and the simulation is deterministic") {
  const CelltypeSpec spec = small_spec();
  const int32_t l4 = spec.find_population("V1_L4_Pyr"), lm_l4 = spec.find_population("LM_L4_Pyr");
  const Matrix change = celltype_stimulus(spec, "familiar_change"), same = celltype_stimulus(spec, "familiar_no_change"),
               omission = celltype_stimulus(spec, "familiar_omission"), novel = celltype_stimulus(spec, "novel_change");
  CHECK(change(0, l4) > 0.5 * change(1, l4));    // the first image is on from frame 0
  CHECK(change(6, l4) < 0.2 * change(1, l4));    // grey: the drive has decayed
  CHECK(change(9, l4) > change(7, l4));          // the second image
  CHECK(omission(9, l4) < omission(7, l4));      // no second image
  // Change and no_change (and familiar and novel) get the same stimulus: only the planted
  // weights tell them apart.
  for (int64_t k = 0; k < change.size(); ++k) {
    CHECK(change.data()[k] == same.data()[k]);
    CHECK(novel.data()[k] == change.data()[k]);
  }
  CHECK(change(1, lm_l4) == doctest::Approx(0.1));  // LM L4 hears V1 only through the projection
  // Frame 0 lies wholly inside the first image, so u = 1 there: V1 L2/3 Pyr gets 0.1 + 0.4 at
  // once, LM L2/3 Pyr 0.1 + the later-area drive one frame later, and nothing else changes.
  const int32_t v1_l23 = spec.find_population("V1_L23_Pyr"), lm_l23 = spec.find_population("LM_L23_Pyr");
  CHECK(change(0, v1_l23) == doctest::Approx(0.1 + 0.4));
  CHECK(change(0, lm_l23) == doctest::Approx(0.1));
  CHECK(change(1, lm_l23) == doctest::Approx(0.1 + 0.4));
  CelltypeSynthOptions weak;
  weak.later_area_drive = 0.15;
  const Matrix weaker = celltype_stimulus(spec, "familiar_change", weak);
  CHECK(weaker(1, lm_l23) == doctest::Approx(0.1 + 0.15));
  CelltypeSynthOptions negative;
  negative.later_area_drive = -0.1;
  CHECK_THROWS_AS(celltype_stimulus(spec, "familiar_change", negative), ContractViolation);
  for (int32_t k = 0; k < weaker.rows(); ++k)
    for (int32_t p = 0; p < spec.populations(); ++p)
      if (spec.area_of(p) == 0 || spec.layers[std::size_t(spec.layer_of(p))] == "L4") CHECK(weaker(k, p) == change(k, p));
  // Omission, frame 8 (0.748–0.841 s, 97.5 % of it inside the omitted image's 0.75–1.0 s): LM L5
  // Pyr gets the expectation pulse 1.0 × 0.975 plus the ramp 0.05 over no_change (whose second
  // image reaches LM one frame later); V1 L5 Pyr gets no pulse, only loses the image (1 × 0.4).
  const int32_t lm_l5 = spec.find_population("LM_L5_Pyr"), v1_l5 = spec.find_population("V1_L5_Pyr");
  CHECK(omission(8, lm_l5) - same(8, lm_l5) == doctest::Approx(1.0 * (9 - 0.75 * 10.7) + 0.05).epsilon(1e-5));
  CHECK(omission(8, v1_l5) - same(8, v1_l5) == doctest::Approx(-1.0 * 0.4 * (9 - 0.75 * 10.7)).epsilon(1e-5));
  CHECK(change(8, lm_l5) == same(8, lm_l5));        // no pulse where the image came
  // The later-area ramp: Y·k/15 on every type of LM's L2/3 and L5 in every condition, nothing
  // anywhere else (V1, LM L4).
  CelltypeSynthOptions ramped;
  ramped.later_area_ramp = 0.6;
  for (const char* c : {"familiar_change", "familiar_omission", "novel_no_change"}) {
    const Matrix plain = celltype_stimulus(spec, c), ramp = celltype_stimulus(spec, c, ramped);
    for (int32_t k = 0; k < plain.rows(); ++k)
      for (int32_t p = 0; p < spec.populations(); ++p) {
        const bool target = spec.area_of(p) > 0 && spec.layers[std::size_t(spec.layer_of(p))] != "L4";
        CHECK(ramp(k, p) - plain(k, p) == doctest::Approx(target ? 0.6 * k / 15.0 : 0.0).epsilon(1e-5));
      }
  }
  CelltypeSynthOptions negative_ramp;
  negative_ramp.later_area_ramp = -0.2;
  CHECK_THROWS_AS(celltype_stimulus(spec, "familiar_change", negative_ramp), ContractViolation);
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  StatusOr<std::unique_ptr<SignedRnn>> t = make_celltype_teacher(spec, "familiar_change", 1);
  REQUIRE(t.ok());
  CelltypeSynthOptions o;
  o.trials = 6;
  Rng a(9), b(9);
  const auto x = simulate_celltype_teacher(spec, *t.value(), "familiar_change", o, a);
  const auto y = simulate_celltype_teacher(spec, *t.value(), "familiar_change", o, b);
  CHECK(x == y);
  REQUIRE(x.size() == std::size_t(spec.populations()));
  CHECK(x[0].size() == 6u * 16u);
  // Frame 1 (image on) is above frame 7 (grey) on average for V1 L4 Pyr.
  double on = 0, off = 0;
  for (int i = 0; i < 6; ++i) on += x[std::size_t(l4)][std::size_t(i * 16 + 1)], off += x[std::size_t(l4)][std::size_t(i * 16 + 7)];
  CHECK(on > off);
}

TEST_CASE("celltype synth: synth -> bootstrap -> load round trip, with a held-out test set and truth.json") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const CelltypeSpec spec = mini_spec();
  CelltypeSynthOptions so;
  so.trials = 12;
  StatusOr<std::vector<std::string>> raw = synth_celltype(spec, dir.file("raw"), so);
  REQUIRE_MESSAGE(raw.ok(), raw.status().message());
  CHECK(raw.value().size() == 6u * std::size_t(spec.populations()) + 1);
  StatusOr<NpyArray> one = load_npy(join_path(dir.file("raw"), celltype_raw_file(spec, 3, "novel_omission")));
  REQUIRE(one.ok());
  CHECK(one.value().dtype == NpyDtype::kFloat64);
  CHECK(one.value().shape_string() == "(12, 16)");
  const std::string truth = read_text(dir.file("raw/truth.json"));
  // The mini spec has no L4, L5 or Sst: the planted differences are recorded as not applied.
  for (const char* s : {"\"feedforward\"", "\"feedback\"", "\"novelty\"", "\"applied\":false",
                        "\"a\":\"familiar_no_change\",\"b\":\"familiar_change\"", "\"block_mean_abs\"", "\"seed\":1"})
    CHECK_MESSAGE(truth.find(s) != std::string::npos, s);
  BootstrapOptions bo;
  bo.samples = 30;
  bo.rows_per_sample = 10;
  bo.heldout = 0.25;
  StatusOr<std::vector<std::string>> processed =
      bootstrap_celltype(spec, dir.file("raw"), {"familiar_change", "novel_omission"}, dir.file("proc"), bo);
  REQUIRE_MESSAGE(processed.ok(), processed.status().message());
  for (const std::string c : {"familiar_change", "novel_omission"}) {
    StatusOr<TaskData> d = load_celltype_data(spec, dir.file("proc"), c, CelltypeWindow::kHalf);
    REQUIRE_MESSAGE(d.ok(), d.status().message());
    CHECK(d.value().train.size() == 30);
    CHECK(d.value().test.size() == 30);
    CHECK(d.value().train.steps == 7);
    CHECK(d.value().description.find("held-out") != std::string::npos);
    CHECK(d.value().train.x.cols() == 7 * spec.populations());
  }
}

TEST_CASE("celltype synth: truth.json's planted effects are the trial-mean differences between the planted and the control files") {
  // The twin: the same teacher written twice to disk, planted and as the null control (the same
  // trial streams), read back, and the effect recomputed from the files' trial means.
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const CelltypeSpec spec = small_spec();
  CelltypeSynthOptions o;
  o.trials = 20;
  o.later_area_drive = 0;
  o.later_area_ramp = 0.6;
  o.matched_feedback_source = true;
  o.planted_factor = 4;
  StatusOr<std::vector<std::string>> planted_files = synth_celltype(spec, dir.file("planted"), o);
  REQUIRE_MESSAGE(planted_files.ok(), planted_files.status().message());
  CelltypeSynthOptions control = o;
  control.control = true;
  StatusOr<std::vector<std::string>> control_files = synth_celltype(spec, dir.file("control"), control);
  REQUIRE_MESSAGE(control_files.ok(), control_files.status().message());
  CHECK(read_text(dir.file("control/truth.json")).find("\"effect\"") == std::string::npos);  // nothing planted

  const auto trial_mean = [&](const char* which, int32_t p, const std::string& condition) {
    StatusOr<NpyArray> a = load_npy(join_path(dir.file(which), celltype_raw_file(spec, p, condition)));
    REQUIRE(a.ok());
    REQUIRE(a.value().shape_string() == "(20, 16)");
    std::vector<double> rows(20 * 16), mean(16, 0.0);
    std::memcpy(rows.data(), a.value().data.data(), rows.size() * sizeof(double));
    for (int i = 0; i < 20; ++i)
      for (int k = 0; k < 16; ++k) mean[std::size_t(k)] += rows[std::size_t(i * 16 + k)] / 20;
    return mean;
  };
  StatusOr<JsonValue> truth = read_json_file(dir.file("planted/truth.json"));
  REQUIRE_MESSAGE(truth.ok(), truth.status().message());
  const JsonValue* planted = truth.value().find("planted");
  REQUIRE(planted != nullptr);
  int compared = 0;
  for (const JsonValue& d : planted->items) {
    std::vector<int32_t> targets;
    for (const JsonValue& block : d.find("blocks")->items) {
      const int32_t t = spec.find_population(block.find("target")->string);
      if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
    }
    for (const JsonValue& ab : d.find("comparisons")->items) {
      const std::string a = ab.find("a")->string, b = ab.find("b")->string;
      const JsonValue* effect = ab.find("effect");
      REQUIRE_MESSAGE(effect != nullptr, (d.find("name")->string + " " + a + " -> " + b));
      double level = 0, step = 0, unplanted_step = 0;
      for (int32_t t : targets) {
        const std::vector<double> pa = trial_mean("planted", t, a), pb = trial_mean("planted", t, b),
                                  ua = trial_mean("control", t, a), ub = trial_mean("control", t, b);
        std::vector<double> part(16), plain(16);
        for (std::size_t k = 0; k < 16; ++k) {
          part[k] = (pb[k] - ub[k]) - (pa[k] - ua[k]);
          plain[k] = ub[k] - ua[k];
          level += part[k] * part[k];
        }
        for (std::size_t k = 1; k < 16; ++k) {
          step += (part[k] - part[k - 1]) * (part[k] - part[k - 1]);
          unplanted_step += (plain[k] - plain[k - 1]) * (plain[k] - plain[k - 1]);
        }
      }
      const double n = double(targets.size());
      CHECK(effect->find("targets")->number == n);
      CHECK(effect->find("planted_rms")->number == doctest::Approx(std::sqrt(level / (n * 16))).epsilon(1e-9));
      CHECK(effect->find("planted_step_rms")->number == doctest::Approx(std::sqrt(step / (n * 15))).epsilon(1e-9));
      CHECK(effect->find("unplanted_step_rms")->number ==
            doctest::Approx(std::sqrt(unplanted_step / (n * 15))).epsilon(1e-9));
      CHECK(effect->find("planted_rms")->number > 0);  // ×4 on every block: the data must show it
      ++compared;
    }
  }
  CHECK(compared == 9);  // feedforward ×2, feedback ×4, novelty ×3
}

TEST_CASE("celltype synth: a noise seed draws other trials from the same teacher, and left unset changes nothing") {
  io_test::TempDir dir;
  REQUIRE(dir.ok());
  const CelltypeSpec spec = small_spec();
  CelltypeSynthOptions o;
  o.trials = 4;
  o.seed = 3;
  REQUIRE(synth_celltype(spec, dir.file("default"), o).ok());
  CelltypeSynthOptions same = o;
  same.noise_seed = 3;  // the seed itself: byte for byte the default output, truth.json included
  REQUIRE(synth_celltype(spec, dir.file("same"), same).ok());
  CelltypeSynthOptions other = o;
  other.noise_seed = 11;
  REQUIRE(synth_celltype(spec, dir.file("other"), other).ok());
  CelltypeSynthOptions other_control = other;
  other_control.control = true;
  REQUIRE(synth_celltype(spec, dir.file("other_control"), other_control).ok());
  CHECK(read_text(dir.file("same/truth.json")) == read_text(dir.file("default/truth.json")));
  const std::string truth = read_text(dir.file("other/truth.json"));
  CHECK(truth.find("\"seed\":3,\"noise_seed\":11") != std::string::npos);
  // The teacher is the same: truth.json's per-block weights agree with the default's.
  const auto block_means = [](const std::string& text) { return text.substr(text.find("\"block_mean_abs\"")); };
  CHECK(block_means(truth) == block_means(read_text(dir.file("default/truth.json"))));

  // The twin: every raw array is the teacher of seed 3 (planted, or the null control's network)
  // simulated from Rng(11, 2 + condition index), written straight from here.
  const std::vector<std::string> conditions = celltype_conditions();
  int differing = 0;
  for (std::size_t c = 0; c < conditions.size(); ++c) {
    for (const bool planted : {true, false}) {
      StatusOr<std::unique_ptr<SignedRnn>> teacher = make_celltype_teacher(spec, conditions[c], 3, planted);
      REQUIRE(teacher.ok());
      Rng rng(11, 2 + c);
      const std::vector<std::vector<double>> trials = simulate_celltype_teacher(spec, *teacher.value(), conditions[c], o, rng);
      for (int32_t p = 0; p < spec.populations(); ++p) {
        const std::string file = celltype_raw_file(spec, p, conditions[c]);
        StatusOr<NpyArray> written = load_npy(join_path(dir.file(planted ? "other" : "other_control"), file));
        REQUIRE(written.ok());
        REQUIRE(written.value().data.size() == trials[std::size_t(p)].size() * sizeof(double));
        CHECK(std::memcmp(written.value().data.data(), trials[std::size_t(p)].data(), written.value().data.size()) == 0);
        if (planted) {
          CHECK(read_text(join_path(dir.file("same"), file)) == read_text(join_path(dir.file("default"), file)));
          differing += read_text(join_path(dir.file("other"), file)) != read_text(join_path(dir.file("default"), file));
        }
      }
    }
  }
  CHECK(differing == int(conditions.size()) * spec.populations());  // other trials everywhere
}
