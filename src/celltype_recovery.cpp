// celltype_recovery.cpp — planted differences and explained variance scored on fitted runs
// (see celltype_recovery.hpp).
#include "biornn/celltype_recovery.hpp"

#include <cmath>
#include <cstdio>

#include "biornn/celltype_ablation.hpp"
#include "biornn/celltype_compare.hpp"
#include "biornn/celltype_coupling.hpp"
#include "biornn/celltype_data.hpp"
#include "biornn/celltype_fit.hpp"
#include "biornn/celltype_model.hpp"
#include "biornn/celltype_summary.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/json_read.hpp"

namespace biornn {

namespace {

struct Planted {
  std::string name, description;
  int expected_sign = 1;
  bool applied = true;
  bool control = false;  // left out of a null control's teachers (synth --control)
  std::vector<std::pair<std::string, std::string>> blocks;       // (source, target) names
  std::vector<std::pair<std::string, std::string>> comparisons;  // (a, b)
};

Status read_pairs(const JsonValue& array, const char* first, const char* second, const std::string& where,
                  std::vector<std::pair<std::string, std::string>>* out) {
  for (std::size_t i = 0; i < array.items.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    std::pair<std::string, std::string> p;
    BIORNN_RETURN_IF_ERROR(json_get_string(array.items[i], first, at, &p.first));
    BIORNN_RETURN_IF_ERROR(json_get_string(array.items[i], second, at, &p.second));
    out->push_back(p);
  }
  return Status();
}

StatusOr<std::vector<Planted>> read_truth(const CelltypeSpec& spec, const std::string& path) {
  StatusOr<JsonValue> doc = read_json_file(path);
  if (!doc.ok()) return doc.status();
  const JsonValue* populations = nullptr;
  BIORNN_RETURN_IF_ERROR(json_get_member(doc.value(), "populations", JsonType::kArray, path, &populations));
  bool same = int32_t(populations->items.size()) == spec.populations();
  for (int32_t p = 0; same && p < spec.populations(); ++p)
    same = populations->items[std::size_t(p)].string == spec.population_name(p);
  if (!same)
    return invalid_argument(path + ": the ground truth's populations differ from the spec's (pass the --spec it was "
                            "synthesised with)");
  const JsonValue* planted = nullptr;
  BIORNN_RETURN_IF_ERROR(json_get_member(doc.value(), "planted", JsonType::kArray, path, &planted));
  std::vector<Planted> out;
  for (std::size_t i = 0; i < planted->items.size(); ++i) {
    const JsonValue& d = planted->items[i];
    const std::string at = path + ": planted[" + std::to_string(i) + "]";
    Planted p;
    int64_t sign = 0;
    BIORNN_RETURN_IF_ERROR(json_get_string(d, "name", at, &p.name));
    BIORNN_RETURN_IF_ERROR(json_get_string(d, "description", at, &p.description));
    BIORNN_RETURN_IF_ERROR(json_get_int(d, "expected_sign", at, &sign));
    if (sign != 1 && sign != -1) return invalid_argument(at + ": expected_sign must be 1 or -1");
    p.expected_sign = int(sign);
    const JsonValue* applied = d.find("applied");
    p.applied = applied == nullptr || applied->type != JsonType::kBool || applied->boolean;
    const JsonValue* control = d.find("control");
    p.control = control != nullptr && control->type == JsonType::kBool && control->boolean;
    const JsonValue *blocks = nullptr, *comparisons = nullptr;
    BIORNN_RETURN_IF_ERROR(json_get_member(d, "blocks", JsonType::kArray, at, &blocks));
    BIORNN_RETURN_IF_ERROR(json_get_member(d, "comparisons", JsonType::kArray, at, &comparisons));
    BIORNN_RETURN_IF_ERROR(read_pairs(*blocks, "source", "target", at + ".blocks", &p.blocks));
    BIORNN_RETURN_IF_ERROR(read_pairs(*comparisons, "a", "b", at + ".comparisons", &p.comparisons));
    for (const auto& b : p.blocks)
      if (spec.find_population(b.first) < 0 || spec.find_population(b.second) < 0)
        return invalid_argument(at + ": block " + b.first + " -> " + b.second + " names a population the spec lacks");
    out.push_back(std::move(p));
  }
  return out;
}

// The runs of one condition: their records (one condition and window), weights and readouts.
Status load_side(const CelltypeSpec& spec, const std::vector<std::string>& runs, const char* side,
                 std::vector<CelltypeRunRecord>* records, std::vector<Matrix>* weights, std::vector<Matrix>* readouts) {
  if (runs.empty()) return invalid_argument(std::string("no runs for ") + side);
  for (const std::string& dir : runs) {
    StatusOr<CelltypeRunRecord> r = read_celltype_run(spec, dir);
    if (!r.ok()) return r.status();
    if (!records->empty() && (r.value().condition != records->front().condition || r.value().window != records->front().window))
      return invalid_argument(std::string("the runs of ") + side + " mix conditions: " + records->front().dir + " is " +
                              records->front().condition + " (" + records->front().window + "), " + dir + " is " +
                              r.value().condition + " (" + r.value().window + ")");
    Matrix readout;
    StatusOr<Matrix> w = load_celltype_run_weights(spec, dir, &readout);
    if (!w.ok()) return w.status();
    records->push_back(std::move(r.value()));
    weights->push_back(std::move(w.value()));
    readouts->push_back(std::move(readout));
  }
  return Status();
}

std::vector<CelltypeRecoveryRun> r2_of(const CelltypeSpec& spec, const std::vector<CelltypeRunRecord>& records) {
  std::vector<CelltypeRecoveryRun> out;
  for (const CelltypeRunRecord& r : records) {
    CelltypeRecoveryRun run;
    run.dir = r.dir;
    run.min_r2 = celltype_min_r2(spec, r.result.r2);
    run.r2_first_step = r.result.r2_first_step;
    for (int32_t p = 0; p < spec.populations(); ++p)
      if (spec.observed[std::size_t(p)] && r.result.r2[std::size_t(p)] == run.min_r2) {
        run.worst = spec.population_name(p);
        break;
      }
    out.push_back(run);
  }
  return out;
}

bool same_matrix(const Matrix& x, const Matrix& y) {
  if (x.rows() != y.rows() || x.cols() != y.cols()) return false;
  for (int64_t e = 0; e < x.size(); ++e)
    if (x.data()[e] != y.data()[e]) return false;
  return true;
}

int sign_of(double v) { return v > 0 ? 1 : v < 0 ? -1 : 0; }

// The held-out test set of one side's condition and window (what its fits scored R² on).
StatusOr<SequenceData> side_test_set(const CelltypeSpec& spec, const CelltypeRunRecord& run, const std::string& data_dir,
                                     const char* side) {
  const std::string dir = data_dir.empty() ? run.data_dir : data_dir;
  if (dir.empty())
    return invalid_argument(std::string("the runs of ") + side + " (" + run.dir +
                            ") record no data directory in their fit.toml; pass --data DIR for --ablation");
  CelltypeWindow window;
  if (!parse_celltype_window(run.window, &window))
    return invalid_argument(run.dir + ": window '" + run.window + "' is not full or half");
  StatusOr<TaskData> data = load_celltype_data(spec, dir, run.condition, window);
  if (!data.ok())
    return data.status().with_context(std::string("ablation data of ") + side + " (" + run.condition +
                                      (data_dir.empty() ? ", the directory its fit.toml records; --data DIR overrides" : "") + ")");
  BIORNN_RETURN_IF_ERROR(prepare_celltype_task(spec, &data.value()).with_context(dir + ", " + run.condition));
  return std::move(data.value().test);
}

// The rebuilt model reproduces the fit's R² bit for bit on the data it was fitted on
// (test_celltype_ablation.cpp), so a different R² means other data: most often a relative data
// path in fit.toml read from another working directory, which would otherwise score the run on
// another ground truth without a word.
Status check_fitted_on(const CelltypeSpec& spec, const CelltypeRunRecord& run, const SequenceData& test,
                       const Matrix& prediction, const std::string& data_dir) {
  const std::vector<double> r2 = celltype_explained_variance(test, prediction, run.result.r2_first_step);
  for (int32_t p = 0; p < spec.populations(); ++p) {
    const double recorded = run.result.r2[std::size_t(p)], now = r2[std::size_t(p)];
    if (!spec.observed[std::size_t(p)] || !std::isfinite(recorded)) continue;
    if (std::fabs(now - recorded) <= 1e-6 * std::fmax(1.0, std::fabs(recorded))) continue;
    return invalid_argument(run.dir + ": on the held-out test set of " + data_dir + " its model explains " +
                            json_number(now) + " of " + spec.population_name(p) + "'s variance, but its summary.json "
                            "records " + json_number(recorded) + ": that is not the data it was fitted on (a relative "
                            "data path in fit.toml is relative to where the fit ran; pass the right directory with "
                            "--data or --baseline-data)");
  }
  return Status();
}

// Per item, the prediction change of one run with the item's blocks removed together, then with
// each block alone: [item][0] is the union, [item][1 + i] block i.
StatusOr<std::vector<std::vector<double>>> ablate_run(const CelltypeSpec& spec, const CelltypeRunRecord& run,
                                                      const SequenceData& test, const std::string& data_dir,
                                                      const std::vector<CelltypeRecoveryItem>& items) {
  const std::string path = join_path(run.dir, "model.npz");
  StatusOr<NpzArrays> arrays = load_npz(path);
  if (!arrays.ok()) return arrays.status();
  StatusOr<std::unique_ptr<SignedRnn>> whole = celltype_model_from_arrays(spec, arrays.value(), path, {});
  if (!whole.ok()) return whole.status();
  // The inputs with the first-step channel when the model was fitted with it, built once: every
  // ablated copy of the model has the same input layer.
  const bool drive = celltype_model_has_initial_drive(spec, *whole.value());
  const SequenceData with_channel = drive ? celltype_with_initial_channel(test) : SequenceData();
  const SequenceData& input = drive ? with_channel : test;
  auto predict = [&](const std::vector<CelltypeProjection>& removed) -> StatusOr<Matrix> {
    StatusOr<std::unique_ptr<SignedRnn>> model = celltype_model_from_arrays(spec, arrays.value(), path, removed);
    if (!model.ok()) return model.status();
    return celltype_predict(*model.value(), input, 200);
  };
  StatusOr<Matrix> base = celltype_predict(*whole.value(), input, 200);
  if (!base.ok()) return base.status();
  BIORNN_RETURN_IF_ERROR(check_fitted_on(spec, run, test, base.value(), data_dir));
  std::vector<std::vector<double>> out;
  for (const CelltypeRecoveryItem& item : items) {
    std::vector<std::vector<CelltypeProjection>> removals = {item.blocks};
    for (const CelltypeProjection& b : item.blocks) removals.push_back({b});
    std::vector<double> effects;
    for (const std::vector<CelltypeProjection>& removed : removals) {
      StatusOr<Matrix> ablated = predict(removed);
      if (!ablated.ok()) return ablated.status();
      effects.push_back(celltype_prediction_change(base.value(), ablated.value(), test.steps, spec.populations(),
                                                   celltype_block_targets(spec, removed), kCelltypeR2FirstStep));
    }
    out.push_back(std::move(effects));
  }
  return out;
}

// Fills the items' ablation fields from the runs of both sides.
Status score_ablation(const CelltypeSpec& spec, const std::vector<CelltypeRunRecord>& ra,
                      const std::vector<CelltypeRunRecord>& rb, const CelltypeRecoveryOptions& options,
                      CelltypeRecovery* r) {
  std::vector<std::vector<std::vector<double>>> effects[2];  // [side][run][item][union, blocks...]
  for (int side = 0; side < 2; ++side) {
    const std::vector<CelltypeRunRecord>& runs = side == 0 ? ra : rb;
    StatusOr<SequenceData> test = side_test_set(spec, runs.front(), options.data_dir, side == 0 ? "A" : "B");
    if (!test.ok()) return test.status();
    const std::string data_dir = options.data_dir.empty() ? runs.front().data_dir : options.data_dir;
    for (const CelltypeRunRecord& run : runs) {
      StatusOr<std::vector<std::vector<double>>> e = ablate_run(spec, run, test.value(), data_dir, r->items);
      if (!e.ok()) return e.status();
      effects[side].push_back(std::move(e.value()));
    }
  }
  for (std::size_t i = 0; i < r->items.size(); ++i) {
    CelltypeRecoveryItem& item = r->items[i];
    for (const auto& run : effects[0]) item.ablation_a.push_back(run[i][0]);
    for (const auto& run : effects[1]) item.ablation_b.push_back(run[i][0]);
    for (int32_t k = 0; k < r->pairs; ++k) {
      const auto& ea = effects[0][std::size_t(k)][i];
      const auto& eb = effects[1][std::size_t(k)][i];
      item.ablation_diffs.push_back(eb[0] - ea[0]);
      item.ablation_matches += sign_of(eb[0] - ea[0]) == item.expected_sign;
      for (std::size_t b = 0; b < item.per_block.size(); ++b) {
        item.per_block[b].ablation_diffs.push_back(eb[1 + b] - ea[1 + b]);
        item.per_block[b].ablation_matches += sign_of(eb[1 + b] - ea[1 + b]) == item.expected_sign;
      }
    }
    item.ablation_recovered = r->pairs > 0 && item.ablation_matches >= r->required;
  }
  r->ablation = true;
  r->ablation_signs_passed = !r->items.empty();
  for (const CelltypeRecoveryItem& item : r->items)
    r->ablation_signs_passed = r->ablation_signs_passed && item.ablation_recovered != item.control;
  return Status();
}

// c_k = d_k − d'_k for one measure, and its verdict by the same rule as d_k's.
void calibrate_measure(const std::vector<double>& diffs, const std::vector<double>& baseline, int expected_sign,
                       int32_t required, std::vector<double>* calibrated, int32_t* matches, bool* recovered) {
  calibrated->clear();
  *matches = 0;
  for (std::size_t k = 0; k < diffs.size(); ++k) {
    calibrated->push_back(diffs[k] - baseline[k]);
    *matches += sign_of(calibrated->back()) == expected_sign;
  }
  *recovered = !diffs.empty() && *matches >= required;
}

// Scores the baseline's runs like A's and B's (same truth, so the same items in the same order)
// and fills the calibrated fields.
Status score_against_baseline(const CelltypeSpec& spec, const std::string& truth_path,
                              const CelltypeRecoveryOptions& options, CelltypeRecovery* r) {
  if (options.baseline_a.empty() || options.baseline_b.empty())
    return invalid_argument("a baseline needs the null control's fits of both conditions (--baseline-a and --baseline-b)");
  for (const CelltypeRecoveryItem& item : r->items)
    if (item.control)
      return invalid_argument(truth_path + " is a null control's truth: a baseline calibrates fits of a planted truth "
                              "against the null control's fits, so pass the planted truth.json");
  CelltypeRecoveryOptions bo = options;
  bo.baseline_a.clear();
  bo.baseline_b.clear();
  bo.data_dir = options.baseline_data_dir;
  StatusOr<CelltypeRecovery> base = score_celltype_recovery(spec, truth_path, options.baseline_a, options.baseline_b, bo);
  if (!base.ok()) return base.status().with_context("the baseline");
  const CelltypeRecovery& b = base.value();
  if (b.condition_a != r->condition_a || b.window_a != r->window_a || b.condition_b != r->condition_b ||
      b.window_b != r->window_b)
    return invalid_argument("the baseline's runs are " + b.condition_a + " (" + b.window_a + ") and " + b.condition_b +
                            " (" + b.window_b + "), but A and B are " + r->condition_a + " (" + r->window_a + ") and " +
                            r->condition_b + " (" + r->window_b + "): a baseline fits the same conditions and window");
  if (b.pairs != r->pairs || b.runs_a.size() != r->runs_a.size() || b.runs_b.size() != r->runs_b.size())
    return invalid_argument("the baseline has " + std::to_string(b.runs_a.size()) + " and " + std::to_string(b.runs_b.size()) +
                            " runs, A and B " + std::to_string(r->runs_a.size()) + " and " + std::to_string(r->runs_b.size()) +
                            ": run k is compared with run k, so give as many with the same seeds");
  BIORNN_CHECK(b.items.size() == r->items.size(), "recovery: the same truth gave the baseline other items");
  for (std::size_t i = 0; i < r->items.size(); ++i) {
    CelltypeRecoveryItem& item = r->items[i];
    item.baseline_diffs = b.items[i].diffs;
    calibrate_measure(item.diffs, item.baseline_diffs, item.expected_sign, r->required, &item.calibrated_diffs,
                      &item.calibrated_matches, &item.calibrated_recovered);
    item.coupling_baseline_diffs = b.items[i].coupling_diffs;
    calibrate_measure(item.coupling_diffs, item.coupling_baseline_diffs, item.expected_sign, r->required,
                      &item.coupling_calibrated_diffs, &item.coupling_calibrated_matches,
                      &item.coupling_calibrated_recovered);
    if (!r->ablation) continue;
    item.ablation_baseline_diffs = b.items[i].ablation_diffs;
    calibrate_measure(item.ablation_diffs, item.ablation_baseline_diffs, item.expected_sign, r->required,
                      &item.ablation_calibrated_diffs, &item.ablation_calibrated_matches,
                      &item.ablation_calibrated_recovered);
  }
  r->calibrated = true;
  r->baseline_runs_a = b.runs_a;
  r->baseline_runs_b = b.runs_b;
  r->calibrated_signs_passed = r->ablation_calibrated_signs_passed = r->coupling_calibrated_signs_passed =
      !r->items.empty();
  for (const CelltypeRecoveryItem& item : r->items) {
    r->calibrated_signs_passed = r->calibrated_signs_passed && item.calibrated_recovered;
    r->coupling_calibrated_signs_passed = r->coupling_calibrated_signs_passed && item.coupling_calibrated_recovered;
    r->ablation_calibrated_signs_passed = r->ablation_calibrated_signs_passed && item.ablation_calibrated_recovered;
  }
  r->ablation_calibrated_signs_passed = r->ablation_calibrated_signs_passed && r->ablation;
  return Status();
}

}  // namespace

StatusOr<CelltypeRecovery> score_celltype_recovery(const CelltypeSpec& spec, const std::string& truth_path,
                                                   const std::vector<std::string>& runs_a,
                                                   const std::vector<std::string>& runs_b,
                                                   const CelltypeRecoveryOptions& options) {
  StatusOr<std::vector<Planted>> truth = read_truth(spec, truth_path);
  if (!truth.ok()) return truth.status();
  std::vector<CelltypeRunRecord> ra, rb;
  std::vector<Matrix> wa, wb, outa, outb;
  BIORNN_RETURN_IF_ERROR(load_side(spec, runs_a, "A", &ra, &wa, &outa));
  BIORNN_RETURN_IF_ERROR(load_side(spec, runs_b, "B", &rb, &wb, &outb));
  CelltypeRecovery r;
  r.condition_a = ra.front().condition;
  r.condition_b = rb.front().condition;
  r.window_a = ra.front().window;
  r.window_b = rb.front().window;
  r.pairs = int32_t(std::min(wa.size(), wb.size()));
  r.required = int32_t(std::ceil(options.fraction * r.pairs - 1e-9));
  // The coupling is scaled by the readouts, so a pair is comparable only when they are equal
  // (runs of the same seed: the readouts are frozen at their initial draw).
  for (int32_t k = 0; k < r.pairs; ++k)
    if (!same_matrix(outa[std::size_t(k)], outb[std::size_t(k)]))
      return invalid_argument("run pair " + std::to_string(k + 1) + " (" + ra[std::size_t(k)].dir + " and " +
                              rb[std::size_t(k)].dir + ") has different readouts: run k of A and run k of B must be "
                              "fitted with the same seed (celltype fit --seed), since their weights are compared");
  for (const Planted& p : truth.value()) {
    int sign = 0;
    for (const auto& ab : p.comparisons) {
      if (ab.first == r.condition_a && ab.second == r.condition_b) sign = p.expected_sign;
      if (ab.first == r.condition_b && ab.second == r.condition_a) sign = -p.expected_sign;
    }
    if ((!p.applied && !p.control) || sign == 0) {
      r.not_applicable.push_back(p.name + (p.applied ? ": not planted between " + r.condition_a + " and " + r.condition_b
                                                     : ": not planted in this spec"));
      continue;
    }
    CelltypeRecoveryItem item;
    item.name = p.name;
    item.description = p.description;
    item.expected_sign = sign;
    item.control = !p.applied;
    for (const auto& b : p.blocks) {
      item.blocks.push_back({spec.find_population(b.first), spec.find_population(b.second)});
      CelltypeRecoveryBlock block;
      block.source = b.first;
      block.target = b.second;
      item.per_block.push_back(block);
    }
    for (std::size_t k = 0; k < wa.size(); ++k) item.coupling_a.push_back(celltype_union_coupling(spec, wa[k], outa[k], item.blocks));
    for (std::size_t k = 0; k < wb.size(); ++k) item.coupling_b.push_back(celltype_union_coupling(spec, wb[k], outb[k], item.blocks));
    for (int32_t k = 0; k < r.pairs; ++k) {
      const std::size_t ks = std::size_t(k);
      const double d = celltype_union_mean_abs(spec, wb[ks], item.blocks) - celltype_union_mean_abs(spec, wa[ks], item.blocks);
      item.diffs.push_back(d);
      item.matches += sign_of(d) == sign;
      const double dc = item.coupling_b[ks] - item.coupling_a[ks];
      item.coupling_diffs.push_back(dc);
      item.coupling_matches += sign_of(dc) == sign;
      for (std::size_t i = 0; i < item.blocks.size(); ++i) {
        const double db = celltype_union_mean_abs(spec, wb[ks], {item.blocks[i]}) -
                          celltype_union_mean_abs(spec, wa[ks], {item.blocks[i]});
        item.per_block[i].diffs.push_back(db);
        item.per_block[i].matches += sign_of(db) == sign;
        const double dbc = celltype_union_coupling(spec, wb[ks], outb[ks], {item.blocks[i]}) -
                           celltype_union_coupling(spec, wa[ks], outa[ks], {item.blocks[i]});
        item.per_block[i].coupling_diffs.push_back(dbc);
        item.per_block[i].coupling_matches += sign_of(dbc) == sign;
      }
    }
    item.recovered = r.pairs > 0 && item.matches >= r.required;
    item.coupling_recovered = r.pairs > 0 && item.coupling_matches >= r.required;
    r.items.push_back(std::move(item));
  }
  r.signs_passed = r.coupling_signs_passed = !r.items.empty();
  for (const CelltypeRecoveryItem& item : r.items) {
    r.signs_passed = r.signs_passed && item.recovered != item.control;
    r.coupling_signs_passed = r.coupling_signs_passed && item.coupling_recovered != item.control;
  }
  if (options.ablation) BIORNN_RETURN_IF_ERROR(score_ablation(spec, ra, rb, options, &r));
  r.runs_a = r2_of(spec, ra);
  r.runs_b = r2_of(spec, rb);
  r.r2_threshold = options.r2_threshold;
  r.min_r2 = INFINITY;
  r.r2_passed = true;
  for (const std::vector<CelltypeRecoveryRun>* side : {&r.runs_a, &r.runs_b})
    for (const CelltypeRecoveryRun& run : *side) {
      r.min_r2 = std::fmin(r.min_r2, run.min_r2);
      r.r2_passed = r.r2_passed && run.min_r2 >= options.r2_threshold;  // NaN fails
    }
  if (!options.baseline_a.empty() || !options.baseline_b.empty())
    BIORNN_RETURN_IF_ERROR(score_against_baseline(spec, truth_path, options, &r));
  return r;
}

namespace {

// "             B - A per pair: +2.4e-04 -2.0e-04 ..." (the differences the counts above it rest on).
std::string per_pair_line(const std::vector<double>& diffs, const char* label = "B - A per pair:") {
  std::string out = std::string("             ") + label;
  char value[32];
  for (double d : diffs) {
    std::snprintf(value, sizeof value, " %+.2e", d);
    out += value;
  }
  return out + "\n";
}

// One line per run of A, then of B: its min R², the population that has it, the first step scored.
std::string run_lines(const std::vector<CelltypeRecoveryRun>& a, const std::vector<CelltypeRecoveryRun>& b) {
  std::string out;
  char line[512];
  for (const std::vector<CelltypeRecoveryRun>* side : {&a, &b})
    for (const CelltypeRecoveryRun& run : *side) {
      std::snprintf(line, sizeof line, "  %s %-40s %.4f  %-12s from step %d\n", side == &a ? "A" : "B", run.dir.c_str(),
                    run.min_r2, run.worst.c_str(), int(run.r2_first_step));
      out += line;
    }
  return out;
}

// The calibrated verdict of one measure and the per-pair numbers it rests on.
std::string calibrated_lines(const char* measure, int32_t matches, bool recovered, const std::vector<double>& baseline,
                             const std::vector<double>& calibrated, int32_t pairs) {
  char line[256];
  std::snprintf(line, sizeof line, "%-12s against the baseline (B - A minus its B - A) in %s: %d of %d pairs -> %s\n", "",
                measure, int(matches), int(pairs), recovered ? "RECOVERED" : "NOT recovered");
  return line + per_pair_line(baseline, "baseline B - A per pair:") + per_pair_line(calibrated, "calibrated per pair:");
}

// A further measure's verdict on one item, the per-pair differences and each block's count:
// "             by ablation, B - A > 0 in the prediction change: 4 of 5 pairs -> RECOVERED".
std::string measure_lines(const CelltypeRecovery& r, const CelltypeRecoveryItem& item, const char* label,
                          int32_t matches, bool recovered, const std::vector<double>& diffs,
                          int32_t CelltypeRecoveryBlock::*block_matches, const char* after = "") {
  char line[512];
  std::snprintf(line, sizeof line, "%-12s %s %s 0%s: %d of %d pairs -> %s\n", "", label, item.expected_sign > 0 ? ">" : "<",
                after, int(matches), int(r.pairs),
                item.control ? (recovered ? "FALSE POSITIVE" : "no false positive") : (recovered ? "RECOVERED" : "NOT recovered"));
  std::string out = line + per_pair_line(diffs);
  for (const CelltypeRecoveryBlock& b : item.per_block) {
    std::snprintf(line, sizeof line, "             %s -> %s: %d of %d\n", b.source.c_str(), b.target.c_str(),
                  int(b.*block_matches), int(r.pairs));
    out += line;
  }
  return out;
}

}  // namespace

std::string celltype_recovery_text(const CelltypeRecovery& r) {
  char line[512];
  std::string out = "A: " + r.condition_a + " (" + r.window_a + " window), " + std::to_string(r.runs_a.size()) +
                    " runs\nB: " + r.condition_b + " (" + r.window_b + " window), " + std::to_string(r.runs_b.size()) +
                    " runs\nrun pairs: " + std::to_string(r.pairs) + " (run k of A with run k of B); a difference is "
                    "recovered when at least " + std::to_string(r.required) + " pairs show its sign\n\n";
  if (r.items.empty()) out += "no planted difference separates " + r.condition_a + " and " + r.condition_b + "\n";
  for (const CelltypeRecoveryItem& item : r.items) {
    if (item.control)
      std::snprintf(line, sizeof line, "%-12s control, not planted: B - A %s 0 in mean |w| in %d of %d pairs -> %s\n",
                    item.name.c_str(), item.expected_sign > 0 ? ">" : "<", item.matches, r.pairs,
                    item.recovered ? "FALSE POSITIVE" : "no false positive");
    else
      std::snprintf(line, sizeof line, "%-12s expected B - A %s 0 in mean |w|: %d of %d pairs -> %s\n", item.name.c_str(),
                    item.expected_sign > 0 ? ">" : "<", item.matches, r.pairs, item.recovered ? "RECOVERED" : "NOT recovered");
    out += line;
    out += std::string("             ") + (item.control ? "(without --control: " + item.description + ")" : item.description) + "\n";
    out += per_pair_line(item.diffs);
    for (const CelltypeRecoveryBlock& b : item.per_block) {
      std::snprintf(line, sizeof line, "             %s -> %s: %d of %d\n", b.source.c_str(), b.target.c_str(), b.matches,
                    r.pairs);
      out += line;
    }
    if (r.calibrated) out += calibrated_lines("mean |w|", item.calibrated_matches, item.calibrated_recovered,
                                              item.baseline_diffs, item.calibrated_diffs, r.pairs);
    out += measure_lines(r, item, "by readout coupling, B - A", item.coupling_matches, item.coupling_recovered,
                         item.coupling_diffs, &CelltypeRecoveryBlock::coupling_matches);
    if (r.calibrated)
      out += calibrated_lines("readout coupling", item.coupling_calibrated_matches, item.coupling_calibrated_recovered,
                              item.coupling_baseline_diffs, item.coupling_calibrated_diffs, r.pairs);
    if (!r.ablation) continue;
    out += measure_lines(r, item, "by ablation, B - A", item.ablation_matches, item.ablation_recovered,
                         item.ablation_diffs, &CelltypeRecoveryBlock::ablation_matches, " in the prediction change");
    if (r.calibrated)
      out += calibrated_lines("the prediction change", item.ablation_calibrated_matches, item.ablation_calibrated_recovered,
                              item.ablation_baseline_diffs, item.ablation_calibrated_diffs, r.pairs);
  }
  for (const std::string& n : r.not_applicable) out += "(" + n + ")\n";
  out += "\nexplained variance (min R² over observed populations, held-out test set, from the step given):\n";
  out += run_lines(r.runs_a, r.runs_b);
  if (r.calibrated) out += "baseline runs (min R², reported, not judged):\n" + run_lines(r.baseline_runs_a, r.baseline_runs_b);
  std::snprintf(line, sizeof line, "min R² %.4f %s %.2f -> %s\n", r.min_r2, r.r2_passed ? ">=" : "<", r.r2_threshold,
                r.r2_passed ? "PASS" : "FAIL");
  out += line;
  bool control = false;
  for (const CelltypeRecoveryItem& item : r.items) control = control || item.control;
  out += std::string(control ? "signs (control: no false positive): " : "signs: ") + (r.signs_passed ? "PASS" : "FAIL") + "\n";
  out += std::string(control ? "signs by readout coupling (control: no false positive): " : "signs by readout coupling: ") +
         (r.coupling_signs_passed ? "PASS" : "FAIL") + "\n";
  if (r.ablation)
    out += std::string(control ? "signs by ablation (control: no false positive): " : "signs by ablation: ") +
           (r.ablation_signs_passed ? "PASS" : "FAIL") + "\n";
  if (r.calibrated) {
    out += std::string("signs against the baseline: ") + (r.calibrated_signs_passed ? "PASS" : "FAIL") + "\n";
    out += std::string("signs by readout coupling against the baseline: ") +
           (r.coupling_calibrated_signs_passed ? "PASS" : "FAIL") + "\n";
    if (r.ablation)
      out += std::string("signs by ablation against the baseline: ") + (r.ablation_calibrated_signs_passed ? "PASS" : "FAIL") +
             "\n";
  }
  return out;
}

namespace {

void write_numbers(JsonWriter& j, const char* key, const std::vector<double>& values) {
  j.key(key).begin_array();
  for (double v : values) j.value(v);
  j.end_array();
}

}  // namespace

std::string celltype_recovery_json(const CelltypeRecovery& r) {
  JsonWriter j;
  j.begin_object().field("condition_a", r.condition_a).field("window_a", r.window_a);
  j.field("condition_b", r.condition_b).field("window_b", r.window_b);
  j.field("pairs", int64_t(r.pairs)).field("required", int64_t(r.required));
  j.key("planted").begin_array();
  for (const CelltypeRecoveryItem& item : r.items) {
    j.begin_object().field("name", item.name).field("description", item.description);
    j.field("expected_sign", int64_t(item.expected_sign)).field("matches", int64_t(item.matches));
    j.field("recovered", item.recovered).field("control", item.control).key("diffs").begin_array();
    for (double d : item.diffs) j.value(d);
    j.end_array().key("blocks").begin_array();
    for (const CelltypeRecoveryBlock& b : item.per_block) {
      j.begin_object().field("source", b.source).field("target", b.target).field("matches", int64_t(b.matches));
      j.key("diffs").begin_array();
      for (double d : b.diffs) j.value(d);
      j.end_array();
      j.field("coupling_matches", int64_t(b.coupling_matches));
      write_numbers(j, "coupling_diffs", b.coupling_diffs);
      if (r.ablation) {
        j.field("ablation_matches", int64_t(b.ablation_matches)).key("ablation_diffs").begin_array();
        for (double d : b.ablation_diffs) j.value(d);
        j.end_array();
      }
      j.end_object();
    }
    j.end_array();
    j.field("coupling_matches", int64_t(item.coupling_matches)).field("coupling_recovered", item.coupling_recovered);
    write_numbers(j, "coupling_a", item.coupling_a);
    write_numbers(j, "coupling_b", item.coupling_b);
    write_numbers(j, "coupling_diffs", item.coupling_diffs);
    if (r.ablation) {
      j.field("ablation_matches", int64_t(item.ablation_matches)).field("ablation_recovered", item.ablation_recovered);
      write_numbers(j, "ablation_a", item.ablation_a);
      write_numbers(j, "ablation_b", item.ablation_b);
      write_numbers(j, "ablation_diffs", item.ablation_diffs);
    }
    if (r.calibrated) {
      j.field("calibrated_matches", int64_t(item.calibrated_matches)).field("calibrated_recovered", item.calibrated_recovered);
      write_numbers(j, "baseline_diffs", item.baseline_diffs);
      write_numbers(j, "calibrated_diffs", item.calibrated_diffs);
      j.field("coupling_calibrated_matches", int64_t(item.coupling_calibrated_matches))
          .field("coupling_calibrated_recovered", item.coupling_calibrated_recovered);
      write_numbers(j, "coupling_baseline_diffs", item.coupling_baseline_diffs);
      write_numbers(j, "coupling_calibrated_diffs", item.coupling_calibrated_diffs);
      if (r.ablation) {
        j.field("ablation_calibrated_matches", int64_t(item.ablation_calibrated_matches))
            .field("ablation_calibrated_recovered", item.ablation_calibrated_recovered);
        write_numbers(j, "ablation_baseline_diffs", item.ablation_baseline_diffs);
        write_numbers(j, "ablation_calibrated_diffs", item.ablation_calibrated_diffs);
      }
    }
    j.end_object();
  }
  j.end_array().key("not_applicable").begin_array();
  for (const std::string& n : r.not_applicable) j.value(n);
  j.end_array().key("runs").begin_array();
  auto write_runs = [&j](const std::vector<CelltypeRecoveryRun>& a, const std::vector<CelltypeRecoveryRun>& b) {
    for (const std::vector<CelltypeRecoveryRun>* side : {&a, &b})
      for (const CelltypeRecoveryRun& run : *side)
        j.begin_object().field("side", side == &a ? "A" : "B").field("dir", run.dir).field("min_r2", run.min_r2)
            .field("worst_population", run.worst).field("r2_first_step", int64_t(run.r2_first_step)).end_object();
  };
  write_runs(r.runs_a, r.runs_b);
  if (r.calibrated) {
    j.end_array().key("baseline_runs").begin_array();
    write_runs(r.baseline_runs_a, r.baseline_runs_b);
  }
  j.end_array().field("min_r2", r.min_r2).field("r2_threshold", r.r2_threshold).field("r2_passed", r.r2_passed);
  j.field("signs_passed", r.signs_passed).field("coupling_signs_passed", r.coupling_signs_passed);
  if (r.ablation) j.field("ablation_signs_passed", r.ablation_signs_passed);
  if (r.calibrated) {
    j.field("calibrated_signs_passed", r.calibrated_signs_passed)
        .field("coupling_calibrated_signs_passed", r.coupling_calibrated_signs_passed);
    if (r.ablation) j.field("ablation_calibrated_signs_passed", r.ablation_calibrated_signs_passed);
  }
  j.end_object();
  return j.str() + "\n";
}

}  // namespace biornn
