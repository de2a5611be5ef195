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

#include "biornn/prune_run.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

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
          {"finetune-schedule", "NAME", "fine-tuning learning rate: cosine (from the run's lr down towards lr/10 over\n"
                                        "the fine-tuning epochs) | constant (the run's lr throughout)", "cosine"},
          {"out", "DIR", "the pruned run directory", ""},
          {"force", "", "overwrite an existing directory", ""},
          {"json", "", "print the report as JSON on stdout", ""}});
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return a.fail(st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  if (!a.has("model")) return a.fail(invalid_argument("--model RUN is required"));
  if (!a.has("out")) return a.fail(invalid_argument("--out DIR is required"));
  if (a.has("sparsity") == a.has("blocks"))
    return a.fail(invalid_argument("give exactly one of --sparsity S and --blocks TABLE.csv"));
  PruneMethod method;
  if (!parse_prune_method(a.get("method"), &method))
    return a.fail(invalid_argument("--method must be topprob, random or magnitude, got '" + a.get("method") + "'"));
  double sparsity = 0;
  if (a.has("sparsity")) {
    st = a.get_double("sparsity", &sparsity);
    if (!st.ok()) return a.fail(st);
    if (!(sparsity >= 0 && sparsity <= 1))
      return a.fail(invalid_argument("--sparsity must lie in [0, 1], got " + a.get("sparsity")));
  }
  int64_t seed = 1, finetune_epochs = -1;
  st = a.get_int("seed", 0, INT64_MAX, &seed);
  if (!st.ok()) return a.fail(st);
  if (a.has("finetune-epochs")) {
    st = a.get_int("finetune-epochs", 0, 1000000, &finetune_epochs);
    if (!st.ok()) return a.fail(st);
  }

  PruneRequest request;
  if (!parse_lr_schedule(a.get("finetune-schedule"), &request.finetune_cosine))
    return a.fail(invalid_argument("--finetune-schedule must be cosine or constant, got '" + a.get("finetune-schedule") + "'"));
  request.method = method;
  request.sparsity = sparsity;
  request.exact = a.has("exact");
  request.seed = uint64_t(seed);
  request.finetune_epochs = int32_t(finetune_epochs);
  PopulationTable table;
  if (a.has("blocks")) {
    StatusOr<PopulationTable> read = read_population_table(a.get("blocks"));
    if (!read.ok()) return a.fail(read.status());
    table = std::move(read.value());
    request.table = &table;
    request.table_path = a.get("blocks");
  }
  PruneOutcome outcome;
  StatusOr<std::unique_ptr<TrainingRun>> pruned = prune_run(a.get("model"), request, a.get("out"), a.has("force"), &outcome);
  if (!pruned.ok()) return a.fail(pruned.status());
  const Evaluation& before = pruned.value()->before_finetuning();
  if (a.has("json")) {
    std::printf("%s", outcome.report_json.c_str());
  } else {
    const int64_t entries = int64_t(outcome.mask.rows()) * outcome.mask.cols();
    const std::string target = a.has("blocks") ? ", block-wise" : ", target " + a.get("sparsity");
    const std::string accuracy = before.accuracy >= 0 ? " (accuracy " + std::to_string(100 * before.accuracy) + " %)" : "";
    std::printf("pruned %s with %s: kept %lld of %lld weights (realised sparsity %.4f%s), MST overlap %.3f, "
                "test loss before fine-tuning %.4g%s\n",
                a.get("model").c_str(), prune_method_name(method), static_cast<long long>(outcome.mask.count()),
                static_cast<long long>(entries), 1.0 - double(outcome.mask.count()) / double(entries), target.c_str(),
                outcome.mst_overlap, before.loss, accuracy.c_str());
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
  if (!st.ok()) return a.fail(st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  if (!a.has("model")) return a.fail(invalid_argument("--model PRUNED is required"));
  int64_t epochs = 0;
  if (a.has("epochs")) {
    st = a.get_int("epochs", 1, 1000000, &epochs);
    if (!st.ok()) return a.fail(st);
  }
  StatusOr<std::unique_ptr<TrainingRun>> loaded = TrainingRun::resume(a.get("model"), int32_t(epochs));
  if (!loaded.ok()) return a.fail(loaded.status());
  TrainingRun& run = *loaded.value();
  if (!run.model().sparse())
    return a.fail(invalid_argument(a.get("model") + " is not a pruned run (no mask); make one with biornn prune"));
  if (a.has("out")) {
    st = run.start_directory(a.get("out"), a.has("force"));
    if (!st.ok()) return a.fail(st);
  }
  st = run.train([&](const EpochRecord& r) {
    if (!a.has("quiet"))
      std::fprintf(stderr, "fine-tune epoch %d/%d  train %.4g  test %.4g  %.2fs\n", r.epoch, run.config().epochs, r.train_loss,
                   r.test_loss, r.seconds);
  });
  if (st.ok()) st = run.write_outputs();
  if (!st.ok()) return a.fail(st);
  const Mask kept = run.model().pattern().pattern_mask();
  std::printf("fine-tuned %s for %d epochs: test loss %.4g, %lld weights kept, sign violations %lld\nresults: %s\n",
              a.get("model").c_str(), run.epochs_done(), run.history().empty() ? std::nan("") : run.history().back().test_loss,
              static_cast<long long>(kept.count()), static_cast<long long>(run.model().sign_violations()),
              run.directory().c_str());
  return 0;
}

}  // namespace biornn::cli
