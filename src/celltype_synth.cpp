// celltype_synth.cpp — the synthetic ground truth: teacher networks with planted condition
// differences, their stimulus, their simulation to raw trial arrays, and truth.json (see
// celltype_synth.hpp for every constant and why).
//
// The simulation uses the library's GEMM (deterministic for any thread count) for the
// recurrent and readout products of all trials at once; everything else is plain loops.
#include "biornn/celltype_synth.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "biornn/blas.hpp"
#include "biornn/celltype_data.hpp"
#include "biornn/celltype_model.hpp"
#include "biornn/config.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/npy.hpp"

namespace biornn {

namespace {

// Teacher constants (documented in the header).
constexpr double kExcGainPerRow = 0.6, kInhGainPerRow = 0.5, kInterGain = 0.6;
constexpr double kFrameRateHz = 10.7;
constexpr double kTonicDrive = 0.1, kL4Drive = 0.8, kOtherLayerDrive = 0.4, kInhibitoryDrive = 0.6;
constexpr double kDriveMemory = 0.5;  // u(k) = 0.5·u(k−1) + on(k)
// The second image drives change and no_change trials alike, and novel sessions get no extra
// gain: a stimulus difference between compared conditions shows up in the fitted weights by
// itself (header: the null control), so only the planted weights tell those conditions apart.
constexpr double kSecondImage = 1.0, kNovelGain = 1.0;
constexpr double kOmissionRamp = 0.05, kOmissionExpectation = 1.0;
// The matched feedback source's pulse (s): after the first image (0-250 ms) and before the second
// (750 ms), so it coincides with no image in any condition.
constexpr double kBetweenImagesS[2] = {0.4, 0.65};
constexpr int32_t kBurnInFrames = 10;

const char* kTrialTypes[] = {"change", "no_change", "omission"};

// Fraction of [a, b) covered by [lo, hi).
double overlap(double a, double b, double lo, double hi) {
  const double l = a > lo ? a : lo, h = b < hi ? b : hi;
  return h > l ? (h - l) / (b - a) : 0.0;
}

// The flash part (scaled per trial) and the rest (tonic drive, later-area ramp, omission ramp)
// of the drive.
void check_later_area_setting(double value, const char* what) {
  BIORNN_CHECK(value >= 0 && std::isfinite(value), std::string("celltype synth: the later-area ") + what +
                                                       " must be a finite number >= 0, got " + std::to_string(value));
}

void stimulus_parts(const CelltypeSpec& spec, bool novel, int trial_type, const CelltypeSynthOptions& o, Matrix* flash,
                    Matrix* rest) {
  check_later_area_setting(o.later_area_drive, "drive");
  check_later_area_setting(o.later_area_ramp, "ramp");
  const int32_t n_pop = spec.populations();
  *flash = Matrix(kCelltypeFrames, n_pop);
  *rest = Matrix(kCelltypeFrames, n_pop, real(kTonicDrive));
  const double second = trial_type == 2 ? 0.0 : kSecondImage;
  const double experience = novel ? kNovelGain : 1.0;
  std::vector<double> u(kCelltypeFrames + 1, 0.0);  // u[k + 1] = drive at frame k; u[0] = 0
  std::vector<double> expected(kCelltypeFrames + 1, 0.0);  // the same filter over the omitted image
  for (int32_t k = 0; k < kCelltypeFrames; ++k) {
    const double a = k / kFrameRateHz, b = (k + 1) / kFrameRateHz;
    const double on = overlap(a, b, 0.0, 0.25) + second * overlap(a, b, 0.75, 1.0);
    u[std::size_t(k + 1)] = kDriveMemory * u[std::size_t(k)] + experience * on;
    const double pulse = o.matched_feedback_source ? overlap(a, b, kBetweenImagesS[0], kBetweenImagesS[1])
                         : trial_type == 2           ? overlap(a, b, 0.75, 1.0)
                                                     : 0.0;
    expected[std::size_t(k + 1)] = kDriveMemory * expected[std::size_t(k)] + experience * pulse;
  }
  for (int32_t k = 0; k < kCelltypeFrames; ++k) {
    for (int32_t p = 0; p < n_pop; ++p) {
      const bool l4 = spec.layers[std::size_t(spec.layer_of(p))] == "L4";
      const double type = spec.excitatory(p) ? 1.0 : kInhibitoryDrive;
      if (spec.area_of(p) == 0) (*flash)(k, p) = real(u[std::size_t(k + 1)] * (l4 ? kL4Drive : kOtherLayerDrive) * type);
      else if (!l4) {
        (*flash)(k, p) = real(u[std::size_t(k)] * o.later_area_drive * type);
        // The slow non-visual drive: the same in every condition and every trial (not scaled
        // by the trial's stimulus gain), and the same for every cell type.
        (*rest)(k, p) += real(o.later_area_ramp * k / (kCelltypeFrames - 1));
      }
      const std::string& t = spec.types[std::size_t(spec.type_of(p))];
      const bool later_l5_pyr = spec.area_of(p) > 0 && t == "Pyr" && spec.layers[std::size_t(spec.layer_of(p))] == "L5";
      const bool ramp_target = t == "Vip" || (later_l5_pyr && !o.matched_feedback_source);
      if (trial_type == 2 && k >= 8 && ramp_target) (*rest)(k, p) += real(kOmissionRamp * (k - 7));
      // The top-down expectation of the missing image: a pulse into the feedback source at the
      // time the image was due, which reaches the first area only through the feedback blocks.
      // With a matched feedback source the pulse falls between the images in every trial.
      if (later_l5_pyr) (*flash)(k, p) += real(kOmissionExpectation * expected[std::size_t(k + 1)]);
    }
  }
}

// Population gains G (P, P): rows post, columns pre, before the planted factors.
Matrix population_gains(const CelltypeSpec& spec, const PopulationTable& table) {
  const int32_t n_pop = spec.populations();
  Matrix g(n_pop, n_pop);
  for (int32_t q = 0; q < n_pop; ++q) {
    double exc = 0, inh = 0;
    for (int32_t r = 0; r < n_pop; ++r)
      if (!spec.inter_areal(q, r)) (spec.excitatory(r) ? exc : inh) += table.density(q, r);
    for (int32_t r = 0; r < n_pop; ++r) {
      const double d = table.density(q, r);
      if (d <= 0) continue;
      if (spec.inter_areal(q, r)) g(q, r) = real(kInterGain);
      else if (spec.excitatory(r)) g(q, r) = real(kExcGainPerRow * d / exc);
      else g(q, r) = real(kInhGainPerRow * d / inh);
    }
  }
  return g;
}

double planted_factor(const std::vector<CelltypePlanted>& planted, int32_t post, int32_t pre,
                      const std::string& condition) {
  double f = 1;
  for (const CelltypePlanted& d : planted) {
    if (!d.missing.empty()) continue;
    bool in_condition = false;
    for (const std::string& c : d.conditions) in_condition = in_condition || c == condition;
    if (!in_condition) continue;
    for (const CelltypeProjection& b : d.blocks)
      if (b.target == post && b.source == pre) f *= d.factor;
  }
  return f;
}

// The planted factor strengthens the feedforward and feedback blocks and weakens the novelty
// block by its inverse, so every expected sign stays as documented only for a factor > 1.
Status check_planted_factor(double factor) {
  if (factor > 1 && std::isfinite(factor)) return Status();
  return invalid_argument("synth: the planted factor must be a finite number > 1 (the expected signs assume it), got " +
                          json_number(factor));
}

// One planted difference from population names; blocks the table leaves empty are dropped.
CelltypePlanted resolve(const CelltypeSpec& spec, const PopulationTable& table, CelltypePlanted d,
                        const std::vector<std::pair<std::string, std::string>>& named) {
  for (const auto& st : named) {
    const int32_t s = spec.find_population(st.first), t = spec.find_population(st.second);
    if (s < 0 || t < 0) continue;
    if (table.density(t, s) > 0) d.blocks.push_back({s, t});
  }
  if (d.blocks.empty()) d.missing = "the spec has none of these blocks (populations absent or density 0)";
  return d;
}

}  // namespace

bool celltype_synth_condition(const std::string& condition, bool* novel, int* trial_type) {
  for (int e = 0; e < 2; ++e)
    for (int t = 0; t < 3; ++t)
      if (condition == std::string(e == 0 ? "familiar_" : "novel_") + kTrialTypes[t]) {
        *novel = e == 1;
        *trial_type = t;
        return true;
      }
  return false;
}

std::vector<CelltypePlanted> celltype_planted_differences(const CelltypeSpec& spec, double factor) {
  const Status factor_ok = check_planted_factor(factor);
  BIORNN_CHECK(factor_ok.ok(), "celltype " + factor_ok.message());
  const std::string times = "x" + json_number(factor), divided = "x" + json_number(1 / factor);
  const PopulationTable table = spec.block_table();
  std::vector<CelltypePlanted> out;
  std::vector<std::pair<std::string, std::string>> ff, fb, nov;
  for (const std::string& t : spec.types) {
    ff.emplace_back("V1_L23_Pyr", "LM_L4_" + t);
    fb.emplace_back("LM_L5_Pyr", "V1_L5_" + t);
  }
  for (const std::string& a : spec.areas) nov.emplace_back(a + "_L23_Sst", a + "_L23_Vip");

  CelltypePlanted d;
  d.name = "feedforward";
  d.description = "V1 L2/3 Pyr -> LM L4 (all types): mean |w| " + times + " in change trials vs no_change and omission";
  d.factor = factor;
  d.conditions = {"familiar_change", "novel_change"};
  d.comparisons = {{"familiar_no_change", "familiar_change"}, {"novel_no_change", "novel_change"}};
  out.push_back(resolve(spec, table, d, ff));

  d = CelltypePlanted();
  d.name = "feedback";
  d.description = "LM L5 Pyr -> V1 L5 (all types): mean |w| " + times + " in omission trials vs change and no_change";
  d.factor = factor;
  d.conditions = {"familiar_omission", "novel_omission"};
  d.comparisons = {{"familiar_change", "familiar_omission"}, {"familiar_no_change", "familiar_omission"},
                   {"novel_change", "novel_omission"}, {"novel_no_change", "novel_omission"}};
  out.push_back(resolve(spec, table, d, fb));

  d = CelltypePlanted();
  d.name = "novelty";
  d.description = "L2/3 Sst -> L2/3 Vip in every area: mean |w| " + divided + " in novel sessions vs familiar";
  d.factor = 1 / factor;
  d.expected_sign = -1;
  for (const char* t : kTrialTypes) {
    d.conditions.push_back(std::string("novel_") + t);
    d.comparisons.emplace_back(std::string("familiar_") + t, std::string("novel_") + t);
  }
  out.push_back(resolve(spec, table, d, nov));
  return out;
}

StatusOr<std::unique_ptr<SignedRnn>> make_celltype_teacher(const CelltypeSpec& spec, const std::string& condition,
                                                           uint64_t seed, bool planted, double factor) {
  bool novel = false;
  int trial_type = 0;
  if (!celltype_synth_condition(condition, &novel, &trial_type))
    return invalid_argument("synthetic teacher: unknown condition '" + condition +
                            "' (expected familiar|novel _ change|no_change|omission)");
  BIORNN_RETURN_IF_ERROR(validate_celltype_spec(spec, "the population spec"));
  BIORNN_RETURN_IF_ERROR(check_planted_factor(factor));
  Rng init_rng(seed, 0);
  std::unique_ptr<SignedRnn> model = make_celltype_model(spec, init_rng);
  const PopulationTable table = spec.block_table();
  const Matrix gains = population_gains(spec, table);
  const std::vector<CelltypePlanted> differences =
      planted ? celltype_planted_differences(spec, factor) : std::vector<CelltypePlanted>();
  const int32_t n_pop = spec.populations();
  Matrix& w = model->w.value;
  w.set_zero();
  // One structural stream for every condition: the same positions and u in each block.
  Rng structure(seed, 1);
  std::vector<int64_t> cells;
  for (int32_t q = 0; q < n_pop; ++q) {
    for (int32_t r = 0; r < n_pop; ++r) {
      const double d = table.density(q, r);
      if (d <= 0) continue;
      const int32_t nq = spec.population_size(q), nr = spec.population_size(r);
      const int32_t oq = spec.population_offset(q), orr = spec.population_offset(r);
      const int64_t total = int64_t(nq) * nr, keep = std::llround(d * double(total));
      cells.resize(std::size_t(total));
      for (int64_t k = 0; k < total; ++k) cells[std::size_t(k)] = k;
      // Partial Fisher–Yates: the first `keep` cells are a uniform sample without replacement.
      for (int64_t k = 0; k < keep; ++k)
        std::swap(cells[std::size_t(k)], cells[std::size_t(k + int64_t(structure.uniform_int(uint64_t(total - k))))]);
      const double scale = double(gains(q, r)) * planted_factor(differences, q, r, condition) / (d * nr);
      const double sign = spec.excitatory(r) ? 1.0 : -1.0;
      for (int64_t k = 0; k < keep; ++k) {
        const double u = structure.uniform(0.5, 1.5);
        const int64_t c = cells[std::size_t(k)];
        w(oq + int32_t(c / nr), orr + int32_t(c % nr)) = real(sign * scale * u);
      }
    }
  }
  model->w_in.value.set_zero();
  model->w_out.value.set_zero();
  model->b_out.value.set_zero();
  for (int32_t p = 0; p < n_pop; ++p) {
    const int32_t first = spec.population_offset(p), size = spec.population_size(p);
    for (int32_t i = first; i < first + size; ++i) {
      model->w_in.value(i, p) = 1;
      model->w_out.value(p, i) = real(1.0 / size);
    }
  }
  return model;
}

Matrix celltype_stimulus(const CelltypeSpec& spec, const std::string& condition, const CelltypeSynthOptions& o) {
  bool novel = false;
  int trial_type = 0;
  BIORNN_CHECK(celltype_synth_condition(condition, &novel, &trial_type),
               "celltype_stimulus: unknown condition '" + condition + "'");
  Matrix flash, rest;
  stimulus_parts(spec, novel, trial_type, o, &flash, &rest);
  for (int64_t k = 0; k < flash.size(); ++k) flash.data()[k] += rest.data()[k];
  return flash;
}

std::vector<std::vector<double>> simulate_celltype_teacher(const CelltypeSpec& spec, const SignedRnn& teacher,
                                                           const std::string& condition,
                                                           const CelltypeSynthOptions& o, Rng& rng) {
  bool novel = false;
  int trial_type = 0;
  BIORNN_CHECK(celltype_synth_condition(condition, &novel, &trial_type),
               "simulate_celltype_teacher: unknown condition '" + condition + "'");
  BIORNN_CHECK(o.trials >= 1, "simulate_celltype_teacher: trials must be >= 1");
  const int32_t n_pop = spec.populations(), n = spec.total_units(), b = o.trials;
  check_shape(teacher.w.value, n, n, "simulate_celltype_teacher: W");
  Matrix flash, rest;
  stimulus_parts(spec, novel, trial_type, o, &flash, &rest);
  std::vector<double> gain(static_cast<std::size_t>(b));
  for (double& g : gain) g = 1.0 + o.trial_gain_sd * rng.normal();
  Matrix drive(b, n_pop), a(b, n), h(b, n), traces(b, n_pop);
  std::vector<std::vector<double>> out(std::size_t(n_pop), std::vector<double>(std::size_t(b) * kCelltypeFrames));
  for (int32_t k = -kBurnInFrames; k < kCelltypeFrames; ++k) {
    for (int32_t i = 0; i < b; ++i)
      for (int32_t p = 0; p < n_pop; ++p) {
        const double stim = k < 0 ? kTonicDrive : double(rest(k, p)) + gain[std::size_t(i)] * double(flash(k, p));
        drive(i, p) = real(stim + o.drive_noise * rng.normal());
      }
    // a = tanh(drive·W_inᵀ + h·Wᵀ), h = max(a, 0): the model's forward pass (no biases).
    gemm(Trans::kNo, Trans::kYes, 1, drive, teacher.w_in.value, 0, a);
    gemm(Trans::kNo, Trans::kYes, 1, h, teacher.w.value, 1, a);
    for (int64_t e = 0; e < a.size(); ++e) {
      a.data()[e] = std::tanh(a.data()[e]);
      h.data()[e] = a.data()[e] > 0 ? a.data()[e] : real(0);
    }
    if (k < 0) continue;
    gemm(Trans::kNo, Trans::kYes, 1, a, teacher.w_out.value, 0, traces);
    for (int32_t i = 0; i < b; ++i)
      for (int32_t p = 0; p < n_pop; ++p)
        out[std::size_t(p)][std::size_t(i) * kCelltypeFrames + std::size_t(k)] =
            double(traces(i, p)) + double(teacher.b_out.value(0, p)) + o.observation_noise * rng.normal();
  }
  return out;
}

Matrix celltype_block_mean_abs(const CelltypeSpec& spec, const Matrix& w) {
  const int32_t n_pop = spec.populations(), n = spec.total_units();
  check_shape(w, n, n, "celltype_block_mean_abs: W");
  Matrix m(n_pop, n_pop);
  for (int32_t q = 0; q < n_pop; ++q)
    for (int32_t r = 0; r < n_pop; ++r) {
      const int32_t oq = spec.population_offset(q), orr = spec.population_offset(r);
      const int32_t nq = spec.population_size(q), nr = spec.population_size(r);
      double sum = 0;
      for (int32_t i = oq; i < oq + nq; ++i)
        for (int32_t j = orr; j < orr + nr; ++j) sum += std::fabs(double(w(i, j)));
      m(q, r) = real(sum / (double(nq) * nr));
    }
  return m;
}

namespace {

// Per population, the mean over trials of every frame: [p][frame].
std::vector<std::vector<double>> trial_means(const std::vector<std::vector<double>>& trials, int32_t n_trials) {
  std::vector<std::vector<double>> means(trials.size(), std::vector<double>(kCelltypeFrames, 0.0));
  for (std::size_t p = 0; p < trials.size(); ++p)
    for (int32_t i = 0; i < n_trials; ++i)
      for (int32_t k = 0; k < kCelltypeFrames; ++k)
        means[p][std::size_t(k)] += trials[p][std::size_t(i) * kCelltypeFrames + std::size_t(k)] / n_trials;
  return means;
}

// How much of a comparison's B − A the planted blocks make, in their targets' trial means (see
// the header: CelltypePlantedEffect). `planted[c]` and `plain[c]` are the trial means of the
// teacher with and without the planted factors in condition c, simulated from the same trial
// stream, so their difference holds the planted effect with the noise draws shared.
CelltypePlantedEffect planted_effect(const CelltypeSpec& spec, const CelltypePlanted& d, std::size_t a, std::size_t b,
                                     const std::vector<std::vector<std::vector<double>>>& planted,
                                     const std::vector<std::vector<std::vector<double>>>& plain) {
  CelltypePlantedEffect e;
  std::vector<int32_t> targets;
  for (const CelltypeProjection& block : d.blocks)
    if (spec.observed[std::size_t(block.target)] &&
        std::find(targets.begin(), targets.end(), block.target) == targets.end())
      targets.push_back(block.target);
  if (targets.empty()) return e;
  double level = 0, step = 0, unplanted_step = 0;
  for (int32_t t : targets) {
    const std::size_t q = std::size_t(t);
    const auto planted_part = [&](int32_t k) {
      const std::size_t f = std::size_t(k);
      return (planted[b][q][f] - plain[b][q][f]) - (planted[a][q][f] - plain[a][q][f]);
    };
    const auto plain_part = [&](int32_t k) { return plain[b][q][std::size_t(k)] - plain[a][q][std::size_t(k)]; };
    for (int32_t k = 0; k < kCelltypeFrames; ++k) level += planted_part(k) * planted_part(k);
    for (int32_t k = 1; k < kCelltypeFrames; ++k) {
      const double dp = planted_part(k) - planted_part(k - 1), ds = plain_part(k) - plain_part(k - 1);
      step += dp * dp;
      unplanted_step += ds * ds;
    }
  }
  const double n = double(targets.size());
  e.targets = int32_t(targets.size());
  e.planted_rms = std::sqrt(level / (n * kCelltypeFrames));
  e.planted_step_rms = std::sqrt(step / (n * (kCelltypeFrames - 1)));
  e.unplanted_step_rms = std::sqrt(unplanted_step / (n * (kCelltypeFrames - 1)));
  return e;
}

std::string truth_json(const CelltypeSpec& spec, const CelltypeSynthOptions& o, const std::vector<std::string>& conditions,
                       const std::vector<Matrix>& block_means,
                       const std::vector<std::vector<std::vector<double>>>& planted_means,
                       const std::vector<std::vector<std::vector<double>>>& plain_means) {
  JsonWriter j;
  j.begin_object().field("generator", "biornn celltype synth").field("version", kVersion).field("seed", o.seed)
      .field("noise_seed", o.noise_seed.value_or(o.seed)).field("control", o.control).field("trials", o.trials)
      .field("frames", kCelltypeFrames).field("frame_rate_hz", kFrameRateHz);
  j.key("populations").begin_array();
  for (int32_t p = 0; p < spec.populations(); ++p) j.value(spec.population_name(p));
  j.end_array().key("observed").begin_array();
  for (int32_t p = 0; p < spec.populations(); ++p) j.value(bool(spec.observed[std::size_t(p)]));
  j.end_array().key("conditions").begin_array();
  for (const std::string& c : conditions) j.value(c);
  j.end_array();
  j.key("noise").begin_object().field("trial_gain_sd", o.trial_gain_sd).field("drive_noise", o.drive_noise)
      .field("observation_noise", o.observation_noise).end_object();
  j.key("teacher").begin_object().field("exc_gain_per_row", kExcGainPerRow).field("inh_gain_per_row", kInhGainPerRow)
      .field("inter_areal_gain", kInterGain).field("magnitude_u", "U[0.5, 1.5]")
      .field("readout", "population mean of a_t").field("structure_stream", "Rng(seed, 1)")
      .field("trial_stream", "Rng(noise_seed, 2 + condition index)").end_object();
  j.key("stimulus").begin_object().field("first_image_s", "0-0.25").field("second_image_s", "0.75-1.0")
      .field("second_amplitude", "change and no_change " + json_number(kSecondImage) + ", omission 0").field("novel_gain", kNovelGain)
      .field("first_area_l4_drive", kL4Drive).field("other_layer_drive", kOtherLayerDrive)
      .field("later_area_drive", o.later_area_drive).field("later_area_ramp", o.later_area_ramp)
      .field("later_area_ramp_targets", "later areas' layers other than L4, every type, rising linearly from 0 at frame 0 to later_area_ramp at frame 15")
      .field("later_areas", "no L4 drive; other layers one frame late at later_area_drive").field("inhibitory_factor", kInhibitoryDrive)
      .field("tonic", kTonicDrive).field("omission_ramp_per_frame", kOmissionRamp)
      .field("matched_feedback_source", o.matched_feedback_source)
      .field("omission_ramp_targets", o.matched_feedback_source ? "every Vip" : "every Vip; Pyr L5 of later areas")
      .field("omission_expectation", kOmissionExpectation)
      .field("omission_expectation_targets",
             o.matched_feedback_source ? "Pyr L5 of later areas, between the images (400-650 ms) in every trial of every condition"
                                       : "Pyr L5 of later areas, at the omitted image's time (750-1000 ms)")
      .field("drive_memory", kDriveMemory).field("burn_in_frames", kBurnInFrames).end_object();
  j.key("planted").begin_array();
  for (const CelltypePlanted& d : celltype_planted_differences(spec, o.planted_factor)) {
    j.begin_object().field("name", d.name).field("description", d.description).field("factor", d.factor)
        .field("expected_sign", int32_t(d.expected_sign)).field("applied", d.missing.empty() && !o.control);
    if (!d.missing.empty()) j.field("missing", d.missing);
    else if (o.control) j.field("control", true);  // would be planted; left out of this control
    j.key("blocks").begin_array();
    for (const CelltypeProjection& b : d.blocks)
      j.begin_object().field("source", spec.population_name(b.source)).field("target", spec.population_name(b.target))
          .end_object();
    j.end_array().key("conditions").begin_array();
    for (const std::string& c : d.conditions) j.value(c);
    j.end_array().key("comparisons").begin_array();
    for (const auto& ab : d.comparisons) {
      j.begin_object().field("a", ab.first).field("b", ab.second);
      const auto a = std::find(conditions.begin(), conditions.end(), ab.first);
      const auto b = std::find(conditions.begin(), conditions.end(), ab.second);
      if (d.missing.empty() && !o.control && a != conditions.end() && b != conditions.end()) {
        const CelltypePlantedEffect e = planted_effect(spec, d, std::size_t(a - conditions.begin()),
                                                       std::size_t(b - conditions.begin()), planted_means, plain_means);
        if (e.targets > 0)
          j.key("effect").begin_object().field("targets", e.targets).field("planted_rms", e.planted_rms)
              .field("planted_step_rms", e.planted_step_rms).field("unplanted_step_rms", e.unplanted_step_rms)
              .end_object();
      }
      j.end_object();
    }
    j.end_array().end_object();
  }
  j.end_array();
  j.key("block_mean_abs").begin_object();
  for (std::size_t c = 0; c < conditions.size(); ++c) {
    j.key(conditions[c]).begin_array();
    const Matrix& m = block_means[c];
    for (int32_t q = 0; q < m.rows(); ++q) {
      j.begin_array();
      for (int32_t r = 0; r < m.cols(); ++r) j.value(double(m(q, r)));
      j.end_array();
    }
    j.end_array();
  }
  j.end_object().end_object();
  return j.str() + "\n";
}

}  // namespace

StatusOr<std::vector<std::string>> synth_celltype(const CelltypeSpec& spec, const std::string& out_dir,
                                                  const CelltypeSynthOptions& o,
                                                  const std::function<void(const std::string&)>& log) {
  BIORNN_RETURN_IF_ERROR(validate_celltype_spec(spec, "the population spec"));
  if (o.trials < 1) return invalid_argument("synth: trials must be >= 1, got " + std::to_string(o.trials));
  for (double v : {o.trial_gain_sd, o.drive_noise, o.observation_noise})
    if (!(v >= 0) || !std::isfinite(v)) return invalid_argument("synth: noise levels must be finite and >= 0");
  BIORNN_RETURN_IF_ERROR(check_planted_factor(o.planted_factor));
  BIORNN_RETURN_IF_ERROR(make_directories(out_dir));
  const std::vector<std::string> conditions = celltype_conditions();
  std::vector<std::string> written;
  std::vector<Matrix> block_means;
  // Trial means with and without the planted factors, for truth.json's planted effects. The
  // network without them is the same in every condition, so it is built once.
  std::vector<std::vector<std::vector<double>>> planted_means, plain_means;
  std::unique_ptr<SignedRnn> plain;
  const uint64_t noise_seed = o.noise_seed.value_or(o.seed);
  if (!o.control) {
    StatusOr<std::unique_ptr<SignedRnn>> built = make_celltype_teacher(spec, conditions[0], o.seed, false);
    if (!built.ok()) return built.status();
    plain = std::move(built.value());
  }
  for (std::size_t c = 0; c < conditions.size(); ++c) {
    StatusOr<std::unique_ptr<SignedRnn>> teacher =
        make_celltype_teacher(spec, conditions[c], o.seed, !o.control, o.planted_factor);
    if (!teacher.ok()) return teacher.status();
    block_means.push_back(celltype_block_mean_abs(spec, teacher.value()->w.value));
    Rng rng(noise_seed, 2 + c);
    const std::vector<std::vector<double>> trials =
        simulate_celltype_teacher(spec, *teacher.value(), conditions[c], o, rng);
    planted_means.push_back(trial_means(trials, o.trials));
    if (plain) {
      // The same trials (same stream) through the network without the planted factors.
      Rng plain_rng(noise_seed, 2 + c);
      plain_means.push_back(trial_means(simulate_celltype_teacher(spec, *plain, conditions[c], o, plain_rng), o.trials));
    }
    for (int32_t p = 0; p < spec.populations(); ++p) {
      const std::string path = join_path(out_dir, celltype_raw_file(spec, p, conditions[c]));
      BIORNN_RETURN_IF_ERROR(save_npy(path, npy_from_doubles(trials[std::size_t(p)], {o.trials, kCelltypeFrames})));
      written.push_back(path);
    }
    if (log)
      log("simulated " + conditions[c] + ": " + std::to_string(spec.populations()) + " populations x " +
          std::to_string(o.trials) + " trials (" + std::to_string(c + 1) + "/" + std::to_string(conditions.size()) + ")");
  }
  const std::string truth = join_path(out_dir, "truth.json");
  BIORNN_RETURN_IF_ERROR(write_file_atomic(truth, truth_json(spec, o, conditions, block_means, planted_means, plain_means)));
  written.push_back(truth);
  return written;
}

}  // namespace biornn
