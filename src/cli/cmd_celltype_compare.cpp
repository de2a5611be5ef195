// cmd_celltype_compare.cpp — `biornn celltype compare --a RUNS_A --b RUNS_B`: the fitted
// connectivity of two conditions, B − A, with across-run statistics (celltype_compare.hpp), and
// `biornn celltype recovery`, the same runs scored against the synthetic ground truth
// (celltype_recovery.hpp).
//
// Both find the runs the way `celltype fit --out DIR` lays them out (DIR/run<k>/, or one run
// directory), and the population spec the way the runs were fitted: --spec, else the spec that
// RUNS_A/fit.toml records, else the paper's. Everything is read and checked before --out is
// created, so bad input leaves nothing behind.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "biornn/celltype_compare.hpp"
#include "biornn/celltype_recovery.hpp"
#include "biornn/celltype_summary.hpp"
#include "biornn/fileio.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/shared_options.hpp"

namespace biornn::cli {

namespace {

// --spec, else the spec recorded beside the runs of `runs_dir`, else the default.
StatusOr<CelltypeSpec> spec_for(const Args& a, const std::string& runs_dir) {
  return a.has("spec") ? load_celltype_spec(a.get("spec")) : celltype_recorded_spec(runs_dir);
}

bool parse_args(Args& a, int argc, char** argv, int first, const std::string& command, int* status) {
  Status st = a.parse(argc, argv, first);
  if (st.ok() && a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    *status = 0;
    return false;
  }
  if (st.ok() && !a.positional().empty()) st = invalid_argument("unexpected argument '" + a.positional()[0] + "'");
  if (st.ok() && (!a.has("a") || !a.has("b"))) st = invalid_argument("--a RUNS_A and --b RUNS_B are both required");
  if (!st.ok()) {
    *status = report_failure(command, st);
    return false;
  }
  return true;
}

}  // namespace

int cmd_celltype_compare(int argc, char** argv, int first) {
  const std::string command = "biornn celltype compare";
  Args a(command,
         "Compares the fitted connectivity of two conditions, B - A. RUNS_A and RUNS_B are the --out\n"
         "directories of `celltype fit` (their run<k>/ folders; or one run folder each; or a sweep's\n"
         "group directory, seed<S>/run1). Per run and block: mean |w| (zeros included), the signed\n"
         "mean and the readout coupling (ours: sum over the target units of their frozen readout times\n"
         "the row sum of the block, the block's drive of the target's output; it follows what a fit does\n"
         "to a projection when mean |w| does not, and compares runs of the same seeds), at population\n"
         "(PxP), layer (areas.layers) and area scales; B - A of the means over runs; Welch t and\n"
         "Mann-Whitney U across runs, Holm-corrected over the blocks of each scale. The feedforward and\n"
         "feedback projections and L2/3 Sst->Vip are called out (mean |w| and coupling). With --out:\n"
         "compare.json, blocks_<scale>.csv, highlights.csv, runs.csv, diff_abs_<scale>.svg,\n"
         "diff_signed_<scale>.svg and diff_coupling_<scale>.svg (heat maps of B - A centred at 0) and\n"
         "network.svg (areas x layers). The spec: --spec, else the one RUNS_A/fit.toml records, else\n"
         "the paper's.",
         {{"a", "DIR", "runs of condition A (the baseline)", ""},
          {"b", "DIR", "runs of condition B", ""},
          {"out", "DIR", "write the tables and pictures here", ""},
          {"json", "", "print compare.json instead of the text report", ""},
          {"spec", "FILE", "population spec the runs were fitted with", ""},
          {"force", "", "write into an existing, non-empty --out", ""}});
  int status = 0;
  if (!parse_args(a, argc, argv, first, command, &status)) return status;
  StatusOr<CelltypeSpec> spec = spec_for(a, a.get("a"));
  if (!spec.ok()) return report_failure(command, spec.status());
  StatusOr<std::vector<std::string>> runs_a = list_celltype_runs(a.get("a"));
  if (!runs_a.ok()) return report_failure(command, runs_a.status().with_context("--a"));
  StatusOr<std::vector<std::string>> runs_b = list_celltype_runs(a.get("b"));
  if (!runs_b.ok()) return report_failure(command, runs_b.status().with_context("--b"));
  const std::string out = a.get("out");
  if (!out.empty() && !a.has("force")) {
    std::error_code ec;
    if (file_exists(out)) return report_failure(command, invalid_argument(out + " is a file; --out needs a directory"));
    if (directory_exists(out) && !std::filesystem::is_empty(out, ec))
      return report_failure(command, invalid_argument(out + " already exists and is not empty; pass --force to write into it"));
  }
  StatusOr<CelltypeComparison> c = compare_celltype_runs(spec.value(), runs_a.value(), runs_b.value());
  if (!c.ok()) return report_failure(command, c.status());
  if (!out.empty()) {
    Status st = make_directories(out);
    if (!st.ok()) return report_failure(command, st);
    StatusOr<std::vector<std::string>> written = write_celltype_comparison(spec.value(), c.value(), out);
    if (!written.ok()) return report_failure(command, written.status());
  }
  if (a.has("json")) {
    std::printf("%s", celltype_comparison_json(spec.value(), c.value()).c_str());
  } else {
    std::printf("%s", celltype_comparison_text(spec.value(), c.value()).c_str());
    if (!out.empty()) std::printf("\nresults: %s (compare.json, blocks_<scale>.csv, diff_*.svg, network.svg)\n", out.c_str());
  }
  return 0;
}

int cmd_celltype_recovery(int argc, char** argv, int first) {
  const std::string command = "biornn celltype recovery";
  Args a(command,
         "Scores fitted runs against the synthetic ground truth of `celltype synth`: for every planted\n"
         "difference that separates the conditions of RUNS_A and RUNS_B (read from their fit.toml),\n"
         "the sign of B - A of mean |w| over the planted blocks in each run pair (run k of A with run\n"
         "k of B), and whether at least --fraction of the pairs show the expected sign (4 of 5); and\n"
         "the minimum R² over observed populations of every run (from summary.json; steps 1 onward,\n"
         "since step 0 starts from rest) against --min-r2. With the truth of `celltype synth --control`\n"
         "(nothing planted) the same counts are false positives, and the signs pass when none reaches\n"
         "--fraction. Always also the readout coupling (ours): per run, the sum over the planted blocks\n"
         "of sum_i r_i sum_j w_ij (r_i the frozen readout of target unit i), the blocks' drive of their\n"
         "targets' outputs read from the weights alone; its B - A per run pair is scored the same way\n"
         "(run k of A and of B must share their readouts: the same seed). With --ablation, also a\n"
         "further measure: per run, the mean squared change of the\n"
         "one-step predictions of the planted blocks' target populations on the condition's held-out\n"
         "test set when the blocks are set to 0, its B - A per run pair scored the same way (the data\n"
         "directory comes from fit.toml, or --data). That change also follows how active each\n"
         "condition is, not only the weights: score --control fits the same way before trusting it\n"
         "(on the README's ramp teacher it shows the feedback sign with nothing planted).\n"
         "With --baseline-a and --baseline-b (the same conditions fitted with the same seeds on the\n"
         "null control of the same teacher), each measure is also calibrated: B - A minus the\n"
         "baseline's B - A per run pair, scored by the same rule. With --ablation every run's model\n"
         "must reproduce the R² its summary.json records on the data it is given, else it is refused\n"
         "(a relative data path in fit.toml read from another directory). Exit status 0; with --check,\n"
         "1 when either criterion fails (the signs by --measure, and R²; the baseline changes the\n"
         "verdict only with --calibrated, which reads the calibrated signs of --measure instead).\n"
         "--measure ablation implies --ablation.",
         {{"truth", "FILE", "truth.json written by `celltype synth`", ""},
          {"a", "DIR", "runs of condition A", ""},
          {"b", "DIR", "runs of condition B", ""},
          {"spec", "FILE", "population spec (default: the one RUNS_A/fit.toml records, else the paper's)", ""},
          {"fraction", "X", "share of run pairs that must show the planted sign", "0.8"},
          {"min-r2", "X", "explained variance every observed population must reach", "0.9"},
          {"ablation", "", "also score the planted blocks by the prediction change when they are removed", ""},
          {"data", "DIR", "with --ablation: the processed data the runs were fitted on (default: what fit.toml records)", ""},
          {"baseline-a", "DIR", "null-control fits of A's condition (with --baseline-b): calibrate against them", ""},
          {"baseline-b", "DIR", "null-control fits of B's condition (with --baseline-a)", ""},
          {"baseline-data", "DIR", "with --ablation: the baseline's processed data (default: what its fit.toml records)", ""},
          {"json", "", "print the result as JSON", ""},
          {"check", "", "exit 1 when a planted sign or the R² criterion is not met", ""},
          {"measure", "NAME", "the signs --check reads: mean-abs (the paper's) | coupling (readout coupling) | ablation",
           "mean-abs"},
          {"calibrated", "", "with --check: judge the signs of --measure calibrated against the baseline", ""},
          {"threads", "N", "threads for the --ablation predictions", "all cores, or BIORNN_THREADS"}});
  int status = 0;
  if (!parse_args(a, argc, argv, first, command, &status)) return status;
  if (!a.has("truth")) return report_failure(command, invalid_argument("--truth FILE is required (SYNTH_DIR/truth.json)"));
  CelltypeRecoveryOptions o;
  Status st = a.get_double("fraction", &o.fraction);
  if (st.ok() && !(o.fraction > 0 && o.fraction <= 1)) st = invalid_argument("--fraction must lie in (0, 1]");
  if (st.ok()) st = a.get_double("min-r2", &o.r2_threshold);
  const std::string measure = a.get("measure");
  if (st.ok() && measure != "mean-abs" && measure != "coupling" && measure != "ablation")
    st = invalid_argument("--measure must be mean-abs, coupling or ablation, got '" + measure + "'");
  o.ablation = a.has("ablation") || measure == "ablation";
  if (st.ok() && a.has("data") && !o.ablation) st = invalid_argument("--data is used only with --ablation");
  o.data_dir = a.get("data");
  if (st.ok() && a.has("baseline-a") != a.has("baseline-b"))
    st = invalid_argument("a baseline needs the null control's fits of both conditions: --baseline-a and --baseline-b");
  if (st.ok() && a.has("baseline-data") && !(o.ablation && a.has("baseline-a")))
    st = invalid_argument("--baseline-data is used only with --ablation and a baseline (--baseline-a, --baseline-b)");
  o.baseline_data_dir = a.get("baseline-data");
  const bool calibrated = a.has("calibrated");
  if (st.ok() && calibrated && !(a.has("check") && a.has("baseline-a")))
    st = invalid_argument("--calibrated is used only with --check and a baseline (--baseline-a, --baseline-b)");
  if (st.ok()) st = apply_threads_option(a);
  if (!st.ok()) return report_failure(command, st);
  StatusOr<CelltypeSpec> spec = spec_for(a, a.get("a"));
  if (!spec.ok()) return report_failure(command, spec.status());
  StatusOr<std::vector<std::string>> runs_a = list_celltype_runs(a.get("a"));
  if (!runs_a.ok()) return report_failure(command, runs_a.status().with_context("--a"));
  StatusOr<std::vector<std::string>> runs_b = list_celltype_runs(a.get("b"));
  if (!runs_b.ok()) return report_failure(command, runs_b.status().with_context("--b"));
  for (const auto& side : {std::make_pair("baseline-a", &o.baseline_a), std::make_pair("baseline-b", &o.baseline_b)}) {
    if (!a.has(side.first)) continue;
    StatusOr<std::vector<std::string>> runs = list_celltype_runs(a.get(side.first));
    if (!runs.ok()) return report_failure(command, runs.status().with_context(std::string("--") + side.first));
    *side.second = runs.value();
  }
  StatusOr<CelltypeRecovery> r = score_celltype_recovery(spec.value(), a.get("truth"), runs_a.value(), runs_b.value(), o);
  if (!r.ok()) return report_failure(command, r.status());
  std::printf("%s", (a.has("json") ? celltype_recovery_json(r.value()) : celltype_recovery_text(r.value())).c_str());
  const CelltypeRecovery& rec = r.value();
  const bool signs = measure == "coupling"   ? (calibrated ? rec.coupling_calibrated_signs_passed : rec.coupling_signs_passed)
                     : measure == "ablation" ? (calibrated ? rec.ablation_calibrated_signs_passed : rec.ablation_signs_passed)
                                             : (calibrated ? rec.calibrated_signs_passed : rec.signs_passed);
  return a.has("check") && !(signs && rec.r2_passed) ? 1 : 0;
}

}  // namespace biornn::cli
