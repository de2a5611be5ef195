// train_config.hpp — everything that defines a training run, its defaults per task, and its
// TOML form (the `--config` file a user writes and the `config.toml` every run records).
//
// Resolution order: the task's defaults ← the config file ← command-line flags. The resolved
// configuration, with every seed written out, is what a run directory records, so any run can
// be repeated exactly with `biornn train --config RUN/config.toml`.
//
//   [run]        task, rule, epochs, seed, init_seed, data_seed, shuffle_seed, threads
//   [model]      hidden, exc_frac, activation, readout_from, theta, recurrent_init
//   [optimizer]  name, lr, schedule, lr_min, batch, momentum, weight_decay, reset_clipped_moments,
//                clip_grad_norm
//   [data]       dir, wave_input_mask, train_limit, test_limit
//   [prune]      method, sparsity, exact, seed, blocks, source — present only in a pruned run
//                (written by `biornn prune`; the run then fine-tunes with the mask fixed)
//
// Seeds: one master `seed`; init_seed, data_seed and shuffle_seed default to streams derived
// from it (the low 63 bits of Rng::derive_seed(seed, 1 / 2 / 3), so every seed fits a TOML
// integer) and can each be set on their own.
//
// Not here: running the training (train.hpp), the run directory (run.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "biornn/optim.hpp"
#include "biornn/recurrent.hpp"
#include "biornn/rnn.hpp"
#include "biornn/tasks.hpp"
#include "biornn/toml.hpp"

namespace biornn {

struct TrainConfig {
  TaskKind task = TaskKind::kFlipFlop;
  LearningRule rule = LearningRule::kDale;
  int32_t epochs = 100;
  uint64_t seed = 1;
  uint64_t init_seed = 0, data_seed = 0, shuffle_seed = 0;  // resolved from `seed` when unset
  int32_t threads = 0;  // 0: the environment's / machine's default

  int32_t hidden = 128;
  double exc_frac = 0.8;
  Activation activation = Activation::kTanh;
  ReadoutFrom readout_from = ReadoutFrom::kActivation;
  double theta = 0;
  // uniform (SPEC §1) | balanced (ours: I columns scaled by n_E/n_I; RnnSpec::recurrent_init)
  RecurrentInit recurrent_init = RecurrentInit::kUniform;

  OptimizerKind optimizer = OptimizerKind::kAdam;
  double lr = 1e-3;
  // Learning-rate schedule over the run's epochs (a pruned run: over its fine-tuning epochs):
  // constant, or cosine from lr down towards lr_min — epoch k (1-based) of E trains with
  // lr_min + (lr − lr_min)·(1 + cos(π(k − 1)/E))/2 (schedule.hpp with T_max = E).
  bool cosine_lr = false;
  double lr_min = 1e-4;
  int32_t batch = 200;
  double momentum = 0;
  double weight_decay = 0;
  bool reset_clipped_moments = false;  // Dale: RnnSpec::reset_clipped_moments
  double clip_grad_norm = 0;           // > 0: OptimizerOptions::clip_grad_norm (ours; 0 = off)

  std::string data_dir;        // seqmnist: the directory with the IDX files
  bool wave_input_mask = true;
  int32_t train_limit = 0;     // use only the first n training samples (0 = all)
  int32_t test_limit = 0;

  // Set in a pruned run: how its mask was made (the mask itself is in the checkpoint).
  std::string prune_method;    // "" for a dense run; else topprob | random | magnitude
  double prune_sparsity = 0;   // whole-matrix target (ignored with a block table)
  bool prune_exact = false;
  uint64_t prune_seed = 0;
  std::string prune_blocks;    // population table file, or ""
  std::string prune_source;    // the dense run it was pruned from
};

// The learning-rate schedule's name in configs and flags: "constant" or "cosine".
const char* lr_schedule_name(bool cosine);
bool parse_lr_schedule(const std::string& text, bool* cosine);

// SPEC §4 (the notebooks' fine-tuning lengths): flip-flop 40, wave 10, sequential MNIST 25.
int32_t default_finetune_epochs(TaskKind task);

// SPEC §3 defaults for a task and rule: epochs 100 / 25 / 50, batch 200 / 100 / 200,
// Adam at 1e-3; the rectified rule defaults to the ReLU activation.
TrainConfig default_train_config(TaskKind task, LearningRule rule);

// The keys a config file may contain, with their types and ranges.
const TomlSchema& train_config_schema();

// Reads `task` and `rule` from a document if present (they choose the defaults).
Status peek_task_and_rule(const TomlDocument& doc, TaskKind* task, LearningRule* rule);
// Validates the document against the schema and applies every key it sets onto `config`.
Status apply_train_config(const TomlDocument& doc, TrainConfig* config);
// Fills init/data/shuffle seeds left at 0 from the master seed.
void resolve_seeds(TrainConfig* config);
// The complete configuration as a document (every key written, seeds resolved).
TomlDocument train_config_to_toml(const TrainConfig& config);

// The network and optimiser the configuration describes, for the task's input and output sizes.
RnnSpec rnn_spec_for(const TrainConfig& config, int32_t inputs, int32_t outputs);
OptimizerOptions optimizer_options_for(const TrainConfig& config);

}  // namespace biornn
