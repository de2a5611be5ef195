// cmd_prune.cpp — `biornn prune` and `biornn finetune`: one-shot pruning of a trained run's
// recurrent matrix (top-prob, random or magnitude; whole-matrix or block-wise to a population
// table), then fine-tuning with the mask fixed (SPEC §4).
//
// `prune` writes a new run directory that `finetune` (or `train --resume`) continues: its
// config.toml has a [prune] section and its checkpoint holds the mask, so the pruned weights
// stay pruned in every later phase. It also writes mask.npy and prune_report.json/.csv: target
// vs realised sparsity per block, the overlap of the kept weights with the dense matrix's
// maximum spanning tree, and the test error before fine-tuning.
#include <cmath>
#include <cstdio>

#include "biornn/fileio.hpp"
#include "biornn/graph.hpp"
#include "biornn/json.hpp"
#include "biornn/npy.hpp"
#include "biornn/population.hpp"
#include "biornn/run.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

int usage_error(const std::string& command, const Status& s) {
  std::fprintf(stderr, "%s: %s\n", command.c_str(), s.message().c_str());
  return s.code() == StatusCode::kCancelled ? 130 : 2;
}

struct PruneResult {
  Mask mask;
  std::vector<BlockPruneReport> blocks;
};

std::string prune_report_json(const TrainingRun& run, const PruneResult& r, double overlap, int64_t tree_edges,
                              const Evaluation& before) {
  const TrainConfig& c = run.config();
  JsonWriter j;
  j.begin_object().field("source", c.prune_source).field("method", c.prune_method).field("exact", c.prune_exact);
  j.field("seed", c.prune_seed).field("blocks_table", c.prune_blocks);
  const int64_t entries = int64_t(r.mask.rows()) * r.mask.cols();
  j.field("target_sparsity", c.prune_blocks.empty() ? c.prune_sparsity : std::nan(""));
  j.field("realised_sparsity", 1.0 - double(r.mask.count()) / double(entries));
  j.field("kept", r.mask.count()).field("entries", entries);
  j.field("mst_overlap", overlap).field("mst_edges", tree_edges);
  j.key("before_finetuning").begin_object().field("test_loss", before.loss);
  if (before.accuracy >= 0) j.field("test_accuracy", before.accuracy);
  j.end_object();
  j.key("per_block").begin_array();
  for (const BlockPruneReport& b : r.blocks) {
    j.begin_object().field("post", int64_t(b.post)).field("pre", int64_t(b.pre));
    j.field("target_density", b.target_density).field("realised_density", 1 - b.stats.realised_sparsity());
    j.field("entries", b.stats.entries).field("kept", b.stats.kept).end_object();
  }
  j.end_array().end_object();
  return j.str() + "\n";
}

}  // namespace

int cmd_prune(int argc, char** argv, int first) {
  const std::string name = "biornn prune";
  Args a(name,
         "Prunes the recurrent matrix of a trained run (top-prob keeps each weight with probability\n"
         "∝ |w|, renormalised; random and magnitude are the baselines) and writes a new run directory\n"
         "ready for `biornn finetune`: config.toml, checkpoint.bin (with the mask), mask.npy,\n"
         "model.npz and prune_report.json (target vs realised sparsity per block, MST overlap, the\n"
         "test error before fine-tuning).",
         {{"model", "RUN", "the trained run directory", ""},
          {"method", "NAME", "topprob | random | magnitude", "topprob"},
          {"sparsity", "S", "fraction of weights to remove, in [0, 1] (not with --blocks)", ""},
          {"blocks", "TABLE.csv", "block-wise densities per (post, pre) population (population.hpp format)", ""},
          {"exact", "", "hit the target count exactly (systematic sampling)", ""},
          {"seed", "N", "pruning seed", "1"},
          {"finetune-epochs", "N", "fine-tuning epochs the new run is set up for (default per task: 40 / 10 / 25)", ""},
          {"out", "DIR", "the pruned run directory", ""},
          {"force", "", "overwrite an existing directory", ""},
          {"json", "", "print the report as JSON on stdout", ""}});
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return usage_error(name, st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  if (!a.has("model")) return usage_error(name, invalid_argument("--model RUN is required"));
  if (!a.has("out")) return usage_error(name, invalid_argument("--out DIR is required"));
  if (a.has("sparsity") == a.has("blocks"))
    return usage_error(name, invalid_argument("give exactly one of --sparsity S and --blocks TABLE.csv"));
  PruneMethod method;
  if (!parse_prune_method(a.get("method"), &method))
    return usage_error(name, invalid_argument("--method must be topprob, random or magnitude, got '" + a.get("method") + "'"));
  double sparsity = 0;
  if (a.has("sparsity")) {
    st = a.get_double("sparsity", &sparsity);
    if (!st.ok()) return usage_error(name, st);
    if (!(sparsity >= 0 && sparsity <= 1))
      return usage_error(name, invalid_argument("--sparsity must lie in [0, 1], got " + a.get("sparsity")));
  }
  int64_t seed = 1, finetune_epochs = -1;
  st = a.get_int("seed", 0, INT64_MAX, &seed);
  if (!st.ok()) return usage_error(name, st);
  if (a.has("finetune-epochs")) {
    st = a.get_int("finetune-epochs", 0, 1000000, &finetune_epochs);
    if (!st.ok()) return usage_error(name, st);
  }

  StatusOr<std::unique_ptr<TrainingRun>> loaded = TrainingRun::resume(a.get("model"));
  if (!loaded.ok()) return usage_error(name, loaded.status());
  TrainingRun& run = *loaded.value();
  const Matrix w = run.model().recurrent_weights();
  for (int64_t k = 0; k < w.size(); ++k)
    if (!std::isfinite(w.data()[k]))
      return usage_error(name, invalid_argument(a.get("model") + ": the recurrent weights contain NaN or infinity; "
                                                "prune a run that trained successfully"));
  const Mask current = run.model().sparse() ? run.model().pattern().pattern_mask() : Mask::all(w.rows(), w.cols());

  PruneResult result;
  TrainConfig pruned = run.config();
  pruned.prune_method = prune_method_name(method);
  pruned.prune_sparsity = sparsity;
  pruned.prune_exact = a.has("exact");
  pruned.prune_seed = uint64_t(seed);
  pruned.prune_source = a.get("model");
  if (a.has("blocks")) {
    StatusOr<PopulationTable> table = read_population_table(a.get("blocks"));
    if (!table.ok()) return usage_error(name, table.status());
    st = check_population_table(table.value(), w.rows(), w.cols(), a.get("blocks"));
    if (!st.ok()) return usage_error(name, st);
    pruned.prune_blocks = a.get("blocks");
    result.mask = prune_blocks(method, w, table.value(), uint64_t(seed), &current, a.has("exact"), &result.blocks);
  } else {
    Rng rng{uint64_t(seed)};
    PruneStats stats;
    result.mask = prune_block(method, w, sparsity, rng, &current, a.has("exact"), &stats);
    result.blocks.push_back({0, 0, 1 - sparsity, stats});
  }

  // The spanning tree of the matrix as it was before this pruning.
  const MstResult tree = maximum_spanning_tree(w, current);
  const double overlap = mst_overlap(tree, result.mask);

  run.convert_to_sparse(result.mask, pruned, int32_t(finetune_epochs >= 0 ? finetune_epochs : default_finetune_epochs(pruned.task)));
  const Evaluation before = run.evaluate_test();
  st = run.start_directory(a.get("out"), a.has("force"));
  if (st.ok()) st = save_npy(join_path(a.get("out"), "mask.npy"), npy_from_mask(result.mask));
  const std::string report = prune_report_json(run, result, overlap, tree.edge_count(), before);
  if (st.ok()) st = write_file_atomic(join_path(a.get("out"), "prune_report.json"), report);
  if (st.ok()) st = run.save_state();
  if (st.ok()) st = run.write_outputs();
  if (!st.ok()) return usage_error(name, st);
  if (a.has("json")) {
    std::printf("%s", report.c_str());
  } else {
    const int64_t entries = int64_t(w.rows()) * w.cols();
    std::printf("pruned %s with %s: kept %lld of %lld weights (realised sparsity %.4f%s), MST overlap %.3f, "
                "test loss before fine-tuning %.4g%s\n",
                a.get("model").c_str(), prune_method_name(method), static_cast<long long>(result.mask.count()),
                static_cast<long long>(entries), 1.0 - double(result.mask.count()) / double(entries),
                a.has("blocks") ? ", block-wise" : (", target " + a.get("sparsity")).c_str(), overlap, before.loss,
                before.accuracy >= 0 ? (" (accuracy " + std::to_string(100 * before.accuracy) + " %)").c_str() : "");
    std::printf("fine-tune with: biornn finetune --model %s\n", a.get("out").c_str());
  }
  return 0;
}

int cmd_finetune(int argc, char** argv, int first) {
  const std::string name = "biornn finetune";
  Args a(name,
         "Fine-tunes a pruned run (made by `biornn prune`) with its mask fixed: gradients only on the\n"
         "kept weights, optimiser moments zero elsewhere, Dale's signs kept — pruned weights never\n"
         "come back. Continues the run in place, or in --out.",
         {{"model", "PRUNED", "the pruned run directory", ""},
          {"epochs", "N", "fine-tuning epochs in all (default: as configured by prune)", ""},
          {"out", "DIR", "write the fine-tuned run here instead of in place", ""},
          {"force", "", "overwrite an existing --out directory", ""},
          {"quiet", "", "no progress output", ""}});
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return usage_error(name, st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  if (!a.has("model")) return usage_error(name, invalid_argument("--model PRUNED is required"));
  int64_t epochs = 0;
  if (a.has("epochs")) {
    st = a.get_int("epochs", 1, 1000000, &epochs);
    if (!st.ok()) return usage_error(name, st);
  }
  StatusOr<std::unique_ptr<TrainingRun>> loaded = TrainingRun::resume(a.get("model"), int32_t(epochs));
  if (!loaded.ok()) return usage_error(name, loaded.status());
  TrainingRun& run = *loaded.value();
  if (!run.model().sparse())
    return usage_error(name, invalid_argument(a.get("model") + " is not a pruned run (no mask); make one with biornn prune"));
  if (a.has("out")) {
    st = run.start_directory(a.get("out"), a.has("force"));
    if (!st.ok()) return usage_error(name, st);
  }
  st = run.train([&](const EpochRecord& r) {
    if (!a.has("quiet"))
      std::fprintf(stderr, "fine-tune epoch %d/%d  train %.4g  test %.4g  %.2fs\n", r.epoch, run.config().epochs, r.train_loss,
                   r.test_loss, r.seconds);
  });
  if (st.ok()) st = run.write_outputs();
  if (!st.ok()) return usage_error(name, st);
  const Mask kept = run.model().pattern().pattern_mask();
  std::printf("fine-tuned %s for %d epochs: test loss %.4g, %lld weights kept, sign violations %lld\nresults: %s\n",
              a.get("model").c_str(), run.epochs_done(), run.history().empty() ? std::nan("") : run.history().back().test_loss,
              static_cast<long long>(kept.count()), static_cast<long long>(run.model().sign_violations()),
              run.directory().c_str());
  return 0;
}

}  // namespace biornn::cli
