// run.hpp — one training run from configuration to run directory, resumable.
//
// A TrainingRun builds everything that can fail on user input — the task data (reading MNIST
// files included) and the model — before it writes anything, so a bad config or a corrupt
// data file leaves no partial run directory behind. Then it trains epoch by epoch; after every
// epoch it rewrites metrics.csv and an atomic checkpoint holding the whole training state
// (parameters, optimiser moments and step count, the shuffling generator, the history), so a
// run resumed from its directory continues exactly where it stopped and ends bit-identical to
// an uninterrupted one.
//
// The run directory:
//   config.toml     the resolved configuration (every seed written out)
//   metrics.csv     epoch, train_loss, test_loss, test_accuracy (nan when the task has
//                   none), seconds
//   checkpoint.bin  the training state (checkpoint.hpp), replaced atomically each epoch
//   summary.json    final metrics, seeds, kernels, threads, version, wall time, sign violations
//   model.npz       W_in, W, b_in, b_rec, W_out, b_out, signs, mask (numpy.load reads it)
//   loss.svg, recurrent.svg, weights_hist.svg, report.html
//
// Not here: the training step itself (train.hpp), the command line (src/cli/cmd_train.cpp).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "biornn/train.hpp"
#include "biornn/train_config.hpp"

namespace biornn {

struct EpochRecord {
  int32_t epoch = 0;  // 1-based
  double train_loss = 0;
  double test_loss = 0;
  double test_accuracy = -1;  // −1 when the task has no accuracy
  double seconds = 0;         // training + evaluation time of this epoch
};

// What train() does when an epoch ends with a non-finite loss or non-finite parameters.
//   kStop      stop with kNumericalFailure; the last good checkpoint stays as it was.
//   kRollback  go back to the last good state (the checkpoint of the last finished epoch, or
//              the initial network when no epoch finished), multiply the learning rate by
//              kNanRollbackFactor (½) and repeat the epoch; after kMaxNanRollbacks rollbacks in
//              one run, stop as kStop does. Rollbacks are kept in the checkpoint (a resumed run
//              keeps the smaller rate) and listed in summary.json.
enum class NanPolicy { kStop, kRollback };
inline constexpr double kNanRollbackFactor = 0.5;
inline constexpr int kMaxNanRollbacks = 5;

struct NanRollback {
  int32_t epoch = 0;  // the epoch that went non-finite (1-based) and was repeated
  double lr = 0;      // the learning rate it was repeated with
};

class TrainingRun {
 public:
  // Builds data and model for `config` (seeds resolved). Nothing is written.
  static StatusOr<std::unique_ptr<TrainingRun>> create(const TrainConfig& config);
  // Reopens `dir` (its config.toml and checkpoint.bin). `epochs` > 0 replaces the configured
  // number of epochs (to extend a finished run).
  static StatusOr<std::unique_ptr<TrainingRun>> resume(const std::string& dir, int32_t epochs = 0);
  // The configuration `dir` records (its config.toml, seeds resolved), without building data or
  // model: what resume() would run, read cheaply enough to check many directories up front.
  static StatusOr<TrainConfig> read_config(const std::string& dir);

  // Creates the run directory and writes config.toml. An existing non-empty directory is an
  // error unless `force`.
  Status start_directory(const std::string& dir, bool force);

  // Trains until the configured number of epochs, checkpointing after each. `on_epoch` is
  // called after each epoch; when `*stop` becomes true (e.g. on SIGINT) training stops after
  // the current epoch's checkpoint and train() returns kCancelled.
  Status train(const std::function<void(const EpochRecord&)>& on_epoch,
               const std::atomic<bool>* stop = nullptr);

  // Writes summary.json, model.npz, the pictures and report.html.
  Status write_outputs() const;
  // Writes metrics.csv and the checkpoint now (train() does this after every epoch).
  Status save_state() const;

  // Pruning: moves the recurrent matrix to CSR on `keep`'s pattern and starts a fine-tuning
  // phase of `finetune_epochs` epochs with the mask fixed and a fresh optimiser (moments from
  // dense training do not carry over). `pruned` is the configuration with its [prune] fields
  // set. The dense phase's history stays available as pre_prune_history(); epochs count from 0.
  void convert_to_sparse(const Mask& keep, const TrainConfig& pruned, int32_t finetune_epochs);
  const std::vector<EpochRecord>& pre_prune_history() const { return pre_prune_history_; }
  // The test error measured right after pruning, before any fine-tuning (set by
  // convert_to_sparse; loss < 0 for a dense run).
  const Evaluation& before_finetuning() const { return before_finetuning_; }
  // The loss (and accuracy) on the test set right now, without training.
  Evaluation evaluate_test();

  void set_nan_policy(NanPolicy policy) { nan_policy_ = policy; }
  // Rollbacks so far (NanPolicy::kRollback) and the learning rate in use now: config().lr
  // times kNanRollbackFactor per rollback.
  const std::vector<NanRollback>& nan_rollbacks() const { return nan_rollbacks_; }
  double current_lr() const;

  const TrainConfig& config() const { return config_; }
  const TaskData& data() const { return data_; }
  const SignedRnn& model() const { return *model_; }
  const std::vector<EpochRecord>& history() const { return history_; }
  const std::string& directory() const { return dir_; }
  int32_t epochs_done() const { return int32_t(history_.size()); }
  // Sign violations of the recurrent matrix, checked after every optimiser step (max seen).
  int64_t max_sign_violations() const { return max_sign_violations_; }
  double wall_seconds() const { return wall_seconds_; }
  // W before the first training step (the effective matrix, dense).
  const Matrix& initial_recurrent() const { return initial_recurrent_; }

 private:
  TrainingRun() = default;
  Status save_checkpoint() const;
  Status load_checkpoint(const std::string& path);
  Status write_metrics() const;
  // Rebuilds model and optimiser as create() does and reloads the last checkpoint if there is
  // one (NanPolicy::kRollback).
  Status roll_back();
  // The message for an epoch whose loss or parameters are not finite.
  Status numerical_failure(const EpochRecord& r, bool parameters_finite) const;

  TrainConfig config_;
  TaskData data_;
  std::unique_ptr<SignedRnn> model_;
  std::unique_ptr<Trainer> trainer_;
  Matrix initial_recurrent_;  // W before training, for the histogram
  std::vector<EpochRecord> history_;
  std::vector<EpochRecord> pre_prune_history_;
  Evaluation before_finetuning_{-1, -1, 0};
  std::string dir_;
  int64_t max_sign_violations_ = 0;
  double wall_seconds_ = 0;
  NanPolicy nan_policy_ = NanPolicy::kStop;
  std::vector<NanRollback> nan_rollbacks_;
};

// model.npz: W_in, W (effective, dense), W_latent (rectified rule), b_in, b_rec, W_out, b_out,
// signs, mask, input_mask and readout_mask when set — what every run directory holds — and
// the forward pass described as 0-d arrays (model_format, rule, activation, threshold, theta,
// readout_from, output_activation, sparse, recurrent_biases, readout_bias; codes in
// inference.hpp), so that InferenceModel reproduces the network exactly. `output_activation`
// is what the task applies to the readout (task_output_activation).
Status save_model_npz(const SignedRnn& model, const std::string& path,
                      Activation output_activation = Activation::kIdentity);
// tanh for flip-flop (its loss compares tanh of the readout with ±1 targets, train.cpp), the
// identity for the other tasks (wave and cell-type read the readout, seqmnist its logits).
Activation task_output_activation(TaskKind task);

}  // namespace biornn
