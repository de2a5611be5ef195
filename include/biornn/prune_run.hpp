// prune_run.hpp — pruning a trained run into a new run directory that fine-tunes with the mask
// fixed. `biornn prune` and the Fig. 3 reproduction both go through here.
//
// The new directory holds a complete, resumable run: config.toml with a [prune] section,
// checkpoint.bin with the mask and the test error before fine-tuning, metrics.csv, mask.npy,
// model.npz, the pictures, and prune_report.json: target vs realised sparsity per block, the
// overlap of the kept weights with the maximum spanning tree of the matrix as it was before
// this pruning, and the error before fine-tuning.
//
// Not here: the pruning rules (prune.hpp), training (run.hpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "biornn/population.hpp"
#include "biornn/run.hpp"

namespace biornn {

struct PruneRequest {
  PruneMethod method = PruneMethod::kTopProb;
  double sparsity = 0.9;           // whole-matrix target (ignored when `table` is set)
  const PopulationTable* table = nullptr;
  std::string table_path;          // recorded in the config when `table` is set
  bool exact = false;
  uint64_t seed = 1;
  int32_t finetune_epochs = -1;    // < 0: the task's default (40 / 10 / 25)
  // Fine-tuning's learning rate: cosine from the dense run's lr down towards
  // lr / kFinetuneLrDivisor over the fine-tuning epochs (false: constant, as the dense run).
  // Adam at a constant 1e-3 spikes on flip-flop once the error is ~1e-4 (measured: two of
  // five top-prob fine-tunings jumped from 4e-5 to 3e-4 and 1.5e-3 in their last 2 epochs).
  bool finetune_cosine = true;
};

inline constexpr double kFinetuneLrDivisor = 10;

struct PruneOutcome {
  Mask mask;
  std::vector<BlockPruneReport> blocks;
  double mst_overlap = 0;          // NaN when the tree has no edges
  int64_t mst_edges = 0;
  std::string report_json;         // what prune_report.json holds
};

// The configuration a run pruned from `source` (trained in `source_dir`) as `request` asks
// records: the source's, with the [prune] fields, the fine-tuning schedule and, as `epochs`,
// the fine-tuning epochs. prune_run writes it; the Fig. 3 reproduction checks reused runs by it.
TrainConfig pruned_run_config(const TrainConfig& source, const std::string& source_dir, const PruneRequest& request);

// Loads the run in `source_dir`, prunes it as asked and writes the pruned run to `out_dir`
// (an existing run there is an error unless `force`). Returns the pruned run, ready to train.
// Errors (kInvalidArgument etc.) name the problem: a table that does not fit the matrix,
// non-finite weights, an existing directory, an unreadable source.
StatusOr<std::unique_ptr<TrainingRun>> prune_run(const std::string& source_dir, const PruneRequest& request,
                                                 const std::string& out_dir, bool force, PruneOutcome* outcome);

}  // namespace biornn
