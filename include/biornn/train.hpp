// train.hpp — the training loop: task losses, one epoch of mini-batch training, evaluation.
//
// Per task (SPEC §3):
//   flipflop  loss = mean over all steps and samples of (tanh(y_t) − target_t)²
//   wave      loss = mean of (y_t − target_t)² over both waves, all steps and samples
//   seqmnist  loss = cross-entropy of the last step's logits; accuracy = argmax == label
//   celltype  loss = mean of (y_t − target_t)² over all steps, samples and scored outputs
//             (paper eq. 6; unobserved populations contribute nothing)
// Reported losses are per-element means over the whole set (the notebooks printed sums of
// per-batch means; divide theirs by the number of batches to compare).
//
// One epoch: shuffle the training samples with the trainer's own Rng, cut them into batches
// (the last one may be smaller), and for each: record the network on a tape, backward,
// Optimizer::step() (which applies Dale's projection and the mask). The tape, the batch
// buffers and the optimiser are reused, so after the first batch nothing is allocated.
//
// Not here: the model (rnn.hpp), files and checkpoints (run.hpp), the command (cli/).
#pragma once

#include <cstdint>
#include <vector>

#include "biornn/rnn.hpp"
#include "biornn/tasks.hpp"

namespace biornn {

struct Evaluation {
  double loss = 0;
  double accuracy = -1;  // fraction correct for classification; −1 when not applicable
  int32_t samples = 0;
};

// Records `model` on a batch and returns the task's scalar loss. For classification,
// `correct` (if not null) receives the number of correct predictions in the batch.
// `scored_outputs` (kCelltype only; SequenceData::scored_outputs, null or empty: all) must
// outlive the tape's use of it.
Var record_task_loss(Tape& tape, SignedRnn& model, TaskKind task, const Matrix& x_batch,
                     const Matrix& y_batch, const std::vector<int32_t>& labels, int32_t steps,
                     int64_t* correct = nullptr, const Matrix* scored_outputs = nullptr);

// MSE over the scored columns only: Σ_rows Σ_{j: s_j = 1} (p − t)² / (rows · #scored).
// prediction, target: (r, k); scored: (1, k) of 0 / 1 with at least one 1, or empty (all
// scored: plain mse). Built from col_scale and mse, so its gradient is theirs.
Var record_scored_mse(Var prediction, Var target, const Matrix& scored);

// Loss (and accuracy) of `model` on `set`, in batches of `batch`, with no parameter change.
// `tape`, `x_batch`, `y_batch` and `labels` are scratch (reused by a caller that evaluates
// often); the overload without them makes its own.
Evaluation evaluate_model(SignedRnn& model, TaskKind task, const SequenceData& set, int32_t batch, Tape& tape,
                          Matrix& x_batch, Matrix& y_batch, std::vector<int32_t>& labels);
Evaluation evaluate_model(SignedRnn& model, TaskKind task, const SequenceData& set, int32_t batch);

class Trainer {
 public:
  // `model`, `data` must outlive the trainer. The model's parameters are registered with a
  // new optimiser built from `options`.
  Trainer(SignedRnn& model, const TaskData& data, const OptimizerOptions& options, int32_t batch,
          uint64_t shuffle_seed);

  // One pass over the training set; returns the mean training loss (per element, weighted
  // by batch size).
  double train_epoch();
  // Loss (and accuracy) on `set` in batches of the training batch size; no parameter changes.
  Evaluation evaluate(const SequenceData& set);

  Optimizer& optimizer() { return optimizer_; }
  Rng& shuffle_rng() { return shuffle_rng_; }
  int32_t batch() const { return batch_; }
  int64_t epochs_done() const { return epochs_done_; }
  // The largest number of Dale sign violations in the recurrent matrix seen after any
  // optimiser step so far (checked after every step; 0 for a Dale-trained model).
  int64_t max_sign_violations() const { return max_sign_violations_; }
  void set_max_sign_violations(int64_t n) { max_sign_violations_ = n; }
  void set_epochs_done(int64_t n) { epochs_done_ = n; }

 private:
  SignedRnn& model_;
  const TaskData& data_;
  Optimizer optimizer_;
  int32_t batch_;
  Rng shuffle_rng_;
  int64_t epochs_done_ = 0;
  int64_t max_sign_violations_ = 0;
  Tape tape_;
  Matrix x_batch_, y_batch_;
  std::vector<int32_t> labels_batch_;
  std::vector<int32_t> order_;
};

}  // namespace biornn
