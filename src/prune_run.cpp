// prune_run.cpp — a trained run pruned into a new, resumable run directory (see prune_run.hpp).
#include "biornn/prune_run.hpp"

#include <cmath>

#include "biornn/fileio.hpp"
#include "biornn/graph.hpp"
#include "biornn/json.hpp"
#include "biornn/npy.hpp"

namespace biornn {

namespace {

std::string report_json(const TrainingRun& run, const PruneOutcome& o) {
  const TrainConfig& c = run.config();
  const Evaluation& before = run.before_finetuning();
  JsonWriter j;
  j.begin_object().field("source", c.prune_source).field("method", c.prune_method).field("exact", c.prune_exact);
  j.field("seed", c.prune_seed).field("blocks_table", c.prune_blocks);
  const int64_t entries = int64_t(o.mask.rows()) * o.mask.cols();
  j.field("target_sparsity", c.prune_blocks.empty() ? c.prune_sparsity : std::nan(""));
  j.field("realised_sparsity", 1.0 - double(o.mask.count()) / double(entries));
  j.field("kept", o.mask.count()).field("entries", entries);
  j.field("mst_overlap", o.mst_overlap).field("mst_edges", o.mst_edges);
  j.key("before_finetuning").begin_object().field("test_loss", before.loss);
  if (before.accuracy >= 0) j.field("test_accuracy", before.accuracy);
  j.end_object();
  j.key("per_block").begin_array();
  for (const BlockPruneReport& b : o.blocks) {
    j.begin_object().field("post", int64_t(b.post)).field("pre", int64_t(b.pre));
    j.field("target_density", b.target_density).field("realised_density", 1 - b.stats.realised_sparsity());
    j.field("entries", b.stats.entries).field("kept", b.stats.kept).end_object();
  }
  j.end_array().end_object();
  return j.str() + "\n";
}

}  // namespace

TrainConfig pruned_run_config(const TrainConfig& source, const std::string& source_dir, const PruneRequest& request) {
  TrainConfig pruned = source;
  pruned.prune_method = prune_method_name(request.method);
  pruned.prune_sparsity = request.sparsity;
  pruned.prune_exact = request.exact;
  pruned.prune_seed = request.seed;
  pruned.prune_source = source_dir;
  if (request.table != nullptr) pruned.prune_blocks = request.table_path;
  pruned.cosine_lr = request.finetune_cosine;
  if (request.finetune_cosine) pruned.lr_min = pruned.lr / kFinetuneLrDivisor;
  pruned.epochs = request.finetune_epochs >= 0 ? request.finetune_epochs : default_finetune_epochs(pruned.task);
  return pruned;
}

StatusOr<std::unique_ptr<TrainingRun>> prune_run(const std::string& source_dir, const PruneRequest& request,
                                                 const std::string& out_dir, bool force, PruneOutcome* outcome) {
  BIORNN_CHECK(outcome != nullptr, "prune_run: outcome must not be null");
  StatusOr<std::unique_ptr<TrainingRun>> loaded = TrainingRun::resume(source_dir);
  if (!loaded.ok()) return loaded.status();
  std::unique_ptr<TrainingRun> run = std::move(loaded.value());
  const Matrix w = run->model().recurrent_weights();
  for (int64_t k = 0; k < w.size(); ++k)
    if (!std::isfinite(w.data()[k]))
      return invalid_argument(source_dir + ": the recurrent weights contain NaN or infinity; prune a run that trained successfully");
  const Mask current = run->model().sparse() ? run->model().pattern().pattern_mask() : Mask::all(w.rows(), w.cols());

  const TrainConfig pruned = pruned_run_config(run->config(), source_dir, request);
  outcome->blocks.clear();
  if (request.table != nullptr) {
    BIORNN_RETURN_IF_ERROR(check_population_table(*request.table, w.rows(), w.cols(), request.table_path));
    outcome->mask = prune_blocks(request.method, w, *request.table, request.seed, &current, request.exact, &outcome->blocks);
  } else {
    if (!(request.sparsity >= 0 && request.sparsity <= 1))
      return invalid_argument("the sparsity must lie in [0, 1], got " + std::to_string(request.sparsity));
    Rng rng(request.seed);
    PruneStats stats;
    outcome->mask = prune_block(request.method, w, request.sparsity, rng, &current, request.exact, &stats);
    outcome->blocks.push_back({0, 0, 1 - request.sparsity, stats});
  }
  const MstResult tree = maximum_spanning_tree(w, current);
  outcome->mst_overlap = mst_overlap(tree, outcome->mask);
  outcome->mst_edges = tree.edge_count();

  run->convert_to_sparse(outcome->mask, pruned, pruned.epochs);
  outcome->report_json = report_json(*run, *outcome);
  BIORNN_RETURN_IF_ERROR(run->start_directory(out_dir, force));
  BIORNN_RETURN_IF_ERROR(save_npy(join_path(out_dir, "mask.npy"), npy_from_mask(outcome->mask)));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out_dir, "prune_report.json"), outcome->report_json));
  BIORNN_RETURN_IF_ERROR(run->save_state());
  BIORNN_RETURN_IF_ERROR(run->write_outputs());
  return run;
}

}  // namespace biornn
