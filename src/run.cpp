// run.cpp — TrainingRun: create or resume, train with per-epoch checkpoints, write the run
// directory (see run.hpp).
#include "biornn/run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "biornn/checkpoint.hpp"
#include "biornn/csv.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/kernels.hpp"
#include "biornn/schedule.hpp"

namespace biornn {

namespace {

const char* kConfigFile = "config.toml";
const char* kCheckpointFile = "checkpoint.bin";

// Keeps the first `limit` samples of a set (all when limit is 0 or larger than the set).
void truncate_set(SequenceData& d, int32_t limit) {
  if (limit <= 0 || limit >= d.size()) return;
  if (!d.x_bytes.empty()) d.x_bytes.resize(std::size_t(int64_t(limit) * d.steps * d.inputs));
  else d.x = Matrix::copy_of(d.x.view().block(0, 0, limit, d.x.cols()));
  if (!d.y.empty()) d.y = Matrix::copy_of(d.y.view().block(0, 0, limit, d.y.cols()));
  if (!d.labels.empty()) d.labels.resize(std::size_t(limit));
}

// Builds the task's data as the configuration says (reading files for seqmnist).
StatusOr<TaskData> build_task(const TrainConfig& c) {
  Rng data_rng(c.data_seed);
  switch (c.task) {
    case TaskKind::kFlipFlop:
    case TaskKind::kWave: {
      TaskData t = c.task == TaskKind::kFlipFlop ? make_flipflop(FlipFlopOptions{}, data_rng)
                                                 : make_wave(WaveOptions{}, data_rng);
      truncate_set(t.train, c.train_limit);
      truncate_set(t.test, c.test_limit);
      if (c.train_limit > 0 || c.test_limit > 0)
        t.description += " (limited to " + std::to_string(t.train.size()) + " train / " +
                         std::to_string(t.test.size()) + " test)";
      return t;
    }
    case TaskKind::kSeqMnist: {
      if (c.data_dir.empty())
        return invalid_argument(
            "seqmnist needs --data DIR: a directory with train-images-idx3-ubyte[.gz], "
            "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and "
            "t10k-labels-idx1-ubyte[.gz] (Fashion-MNIST, same format: apt-get install "
            "dataset-fashion-mnist, then --data /usr/share/datasets/fashion-mnist)");
      SeqMnistOptions o;
      o.train_limit = c.train_limit;
      o.test_limit = c.test_limit;
      return load_seqmnist(c.data_dir, o);
    }
    case TaskKind::kCelltype:
      // Its data, model and two-phase schedule need the population spec: a run of its own.
      return invalid_argument("the cell-type model is fitted with `biornn celltype fit`, not `biornn train`");
  }
  return invalid_argument("unknown task");
}

// The wave task's structure: E units hear only the E-wave (channel 0), I units only the
// I-wave (channel 1); output 0 (E-wave) reads only E units, output 1 only I units.
void apply_wave_masks(SignedRnn& model, bool input_mask) {
  const int32_t n = model.hidden(), n_exc = model.excitatory();
  if (input_mask) {
    Mask in(n, 2);
    for (int32_t i = 0; i < n; ++i) in.set(i, i < n_exc ? 0 : 1, true);
    model.set_input_mask(in);
  }
  Mask out(2, n);
  for (int32_t j = 0; j < n; ++j) out.set(j < n_exc ? 0 : 1, j, true);
  model.set_readout_mask(out);
}

// True when every parameter value is finite (a NaN gradient shows up here after the step).
bool all_parameters_finite(SignedRnn& model) {
  for (Parameter* p : model.parameters())
    for (int64_t k = 0; k < p->value.size(); ++k)
      if (!std::isfinite(p->value.data()[k])) return false;
  return true;
}

std::string history_csv(const std::vector<EpochRecord>& history) {
  std::vector<std::vector<std::string>> rows;
  for (const EpochRecord& r : history) {
    rows.push_back({std::to_string(r.epoch), csv_number(r.train_loss), csv_number(r.test_loss),
                    csv_number(r.test_accuracy < 0 ? std::nan("") : r.test_accuracy),
                    csv_number(r.seconds)});
  }
  return format_csv({"epoch", "train_loss", "test_loss", "test_accuracy", "seconds"}, rows);
}

}  // namespace

StatusOr<std::unique_ptr<TrainingRun>> TrainingRun::create(const TrainConfig& config) {
  std::unique_ptr<TrainingRun> run(new TrainingRun());
  run->config_ = config;
  resolve_seeds(&run->config_);
  const TrainConfig& c = run->config_;
  if (c.recurrent_init == RecurrentInit::kBalanced) {
    const int32_t n_exc = excitatory_count(c.hidden, c.exc_frac);
    if (n_exc == 0 || n_exc == c.hidden)
      return invalid_argument("model.recurrent_init = balanced scales the I columns against the E columns, so it needs "
                              "both; exc_frac " + json_number(c.exc_frac) + " of " + std::to_string(c.hidden) +
                              " units gives " + std::to_string(n_exc) + " E");
  }
  StatusOr<TaskData> data = build_task(c);
  if (!data.ok()) return data.status();
  run->data_ = std::move(data.value());
  const int32_t outputs = c.task == TaskKind::kSeqMnist ? 10 : run->data_.train.outputs;
  Rng init_rng(c.init_seed);
  run->model_.reset(new SignedRnn(rnn_spec_for(c, run->data_.train.inputs, outputs), init_rng));
  if (c.task == TaskKind::kWave) apply_wave_masks(*run->model_, c.wave_input_mask);
  run->initial_recurrent_ = run->model_->recurrent_weights();
  run->trainer_.reset(new Trainer(*run->model_, run->data_, optimizer_options_for(c), c.batch, c.shuffle_seed));
  return run;
}

Status TrainingRun::start_directory(const std::string& dir, bool force) {
  if (directory_exists(dir) && !force && file_exists(join_path(dir, kConfigFile)))
    return invalid_argument(dir + " already holds a run (config.toml); pass --force to overwrite it or --resume " +
                            dir + " to continue it");
  BIORNN_RETURN_IF_ERROR(make_directories(dir));
  dir_ = dir;
  const std::string header = std::string("biornn ") + kVersion + " training run — the resolved configuration.\n" +
                             "Repeat this run with: biornn train --config " + join_path(dir, kConfigFile);
  return write_file_atomic(join_path(dir, kConfigFile), to_toml_string(train_config_to_toml(config_), header));
}

Status TrainingRun::save_state() const {
  BIORNN_RETURN_IF_ERROR(write_metrics());
  return save_checkpoint();
}

Status TrainingRun::write_metrics() const {
  return write_file_atomic(join_path(dir_, "metrics.csv"), history_csv(history_));
}

Status TrainingRun::train(const std::function<void(const EpochRecord&)>& on_epoch,
                          const std::atomic<bool>* stop) {
  BIORNN_CHECK(!dir_.empty(), "TrainingRun::train: start_directory (or resume) first");
  const auto started = std::chrono::steady_clock::now();
  while (epochs_done() < config_.epochs) {
    const auto t0 = std::chrono::steady_clock::now();
    EpochRecord r;
    r.epoch = epochs_done() + 1;
    trainer_->optimizer().set_lr(current_lr());  // the schedule's rate for this epoch
    r.train_loss = trainer_->train_epoch();
    const Evaluation e = trainer_->evaluate(data_.test);
    r.test_loss = e.loss;
    r.test_accuracy = e.accuracy;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool parameters_finite = all_parameters_finite(*model_);
    if (!std::isfinite(r.train_loss) || !std::isfinite(r.test_loss) || !parameters_finite) {
      // Nothing of this epoch is kept: no history row, no checkpoint (the last good one stays).
      if (nan_policy_ != NanPolicy::kRollback || int(nan_rollbacks_.size()) >= kMaxNanRollbacks)
        return numerical_failure(r, parameters_finite);
      BIORNN_RETURN_IF_ERROR(roll_back());
      nan_rollbacks_.push_back({r.epoch, 0});
      nan_rollbacks_.back().lr = current_lr();
      trainer_->optimizer().set_lr(current_lr());
      continue;
    }
    history_.push_back(r);
    max_sign_violations_ = trainer_->max_sign_violations();
    BIORNN_RETURN_IF_ERROR(save_state());
    if (on_epoch) on_epoch(r);
    if (stop != nullptr && stop->load() && epochs_done() < config_.epochs)
      return Status(StatusCode::kCancelled,
                    "interrupted after epoch " + std::to_string(epochs_done()) + "; continue with: biornn train --resume " + dir_);
  }
  wall_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return Status();
}

double TrainingRun::current_lr() const {
  double lr = config_.lr;
  if (config_.cosine_lr) {
    CosineSchedule schedule;
    schedule.base_lr = config_.lr;
    schedule.min_lr = config_.lr_min;
    schedule.t_max = std::max(1, config_.epochs);
    lr = schedule.lr(epochs_done());
  }
  for (std::size_t i = 0; i < nan_rollbacks_.size(); ++i) lr *= kNanRollbackFactor;
  return lr;
}

Status TrainingRun::numerical_failure(const EpochRecord& r, bool parameters_finite) const {
  const bool nan = std::isnan(r.train_loss) || std::isnan(r.test_loss);
  std::string what = !std::isfinite(r.train_loss) || !std::isfinite(r.test_loss)
                         ? std::string("the loss became ") + (nan ? "NaN" : "infinite")
                         : std::string("a parameter became NaN or infinite");
  if (!parameters_finite && what[0] == 't') what += " and so did a parameter";
  std::string text = "epoch " + std::to_string(r.epoch) + ": " + what;
  if (!nan_rollbacks_.empty())
    text += " after " + std::to_string(nan_rollbacks_.size()) + " rollbacks (learning rate now " +
            csv_number(current_lr()) + ")";
  text += epochs_done() > 0 ? "; the state after epoch " + std::to_string(epochs_done()) + " is in " +
                                  join_path(dir_, kCheckpointFile) + " (continue with --resume " + dir_ + ")"
                            : std::string("; no epoch finished, nothing was saved");
  text += nan_policy_ == NanPolicy::kRollback ? " — try a smaller --lr"
                                              : " — try a smaller --lr, or --on-nan rollback to retry with a smaller one";
  return Status(StatusCode::kNumericalFailure, text);
}

Status TrainingRun::roll_back() {
  const std::vector<NanRollback> rollbacks = nan_rollbacks_;
  const std::string checkpoint = join_path(dir_, kCheckpointFile);
  const bool have_checkpoint = file_exists(checkpoint);
  if (model_->sparse() && !have_checkpoint)
    return Status(StatusCode::kNumericalFailure, "cannot roll back a pruned run without its checkpoint " + checkpoint);
  Rng init_rng(config_.init_seed);
  const int32_t outputs = config_.task == TaskKind::kSeqMnist ? 10 : data_.train.outputs;
  model_.reset(new SignedRnn(rnn_spec_for(config_, data_.train.inputs, outputs), init_rng));
  if (config_.task == TaskKind::kWave) apply_wave_masks(*model_, config_.wave_input_mask);
  trainer_.reset(new Trainer(*model_, data_, optimizer_options_for(config_), config_.batch, config_.shuffle_seed));
  history_.clear();
  max_sign_violations_ = 0;
  if (have_checkpoint) BIORNN_RETURN_IF_ERROR(load_checkpoint(checkpoint));
  nan_rollbacks_ = rollbacks;
  return Status();
}

void TrainingRun::convert_to_sparse(const Mask& keep, const TrainConfig& pruned, int32_t finetune_epochs) {
  BIORNN_CHECK(finetune_epochs >= 0, "convert_to_sparse: fine-tuning epochs must be >= 0");
  model_->make_sparse(keep);
  trainer_.reset(new Trainer(*model_, data_, optimizer_options_for(pruned), pruned.batch, pruned.shuffle_seed));
  config_ = pruned;
  config_.epochs = finetune_epochs;
  pre_prune_history_.insert(pre_prune_history_.end(), history_.begin(), history_.end());
  history_.clear();
  max_sign_violations_ = 0;
  before_finetuning_ = trainer_->evaluate(data_.test);
}

Evaluation TrainingRun::evaluate_test() { return trainer_->evaluate(data_.test); }

Status TrainingRun::save_checkpoint() const {
  Checkpoint cp;
  cp.set_text("config", to_toml_string(train_config_to_toml(config_)));
  cp.set_text("history", history_csv(history_));
  if (!pre_prune_history_.empty()) cp.set_text("pre_prune_history", history_csv(pre_prune_history_));
  if (model_->sparse()) {
    cp.set_matrix("before_finetuning", Matrix::from_rows({{real(before_finetuning_.loss), real(before_finetuning_.accuracy)}}));
    const Mask m = model_->pattern().pattern_mask();
    Matrix as_matrix(m.rows(), m.cols());
    for (int64_t k = 0; k < as_matrix.size(); ++k) as_matrix.data()[k] = real(m.data()[k]);
    cp.set_matrix("mask", as_matrix);
  }
  cp.set_u64("epochs_done", uint64_t(epochs_done()));
  cp.set_u64("optimizer_steps", uint64_t(trainer_->optimizer().steps_taken()));
  cp.set_u64("max_sign_violations", uint64_t(max_sign_violations_));
  cp.set_matrix("initial_recurrent", initial_recurrent_);
  for (Parameter* p : model_->parameters()) cp.set_matrix("param/" + p->name, p->value);
  const std::vector<Optimizer::Slot>& slots = trainer_->optimizer().slots();
  for (const Optimizer::Slot& s : slots) {
    cp.set_matrix("moment1/" + s.parameter->name, s.first);
    cp.set_matrix("moment2/" + s.parameter->name, s.second);
    cp.set_u64("moment1_started/" + s.parameter->name, s.first_initialised ? 1 : 0);
  }
  const Rng::State rs = trainer_->shuffle_rng().state();
  for (int i = 0; i < 4; ++i) cp.set_u64("shuffle_rng/" + std::to_string(i), rs.words[i]);
  // The shuffler only uses integer draws, so the normal-distribution cache is always empty.
  cp.set_u64("wall_milliseconds", uint64_t(wall_seconds_ * 1000));
  if (!nan_rollbacks_.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const NanRollback& b : nan_rollbacks_) rows.push_back({std::to_string(b.epoch), csv_number(b.lr)});
    cp.set_text("nan_rollbacks", format_csv({"epoch", "lr"}, rows));
  }
  return cp.save(join_path(dir_, kCheckpointFile));
}

// Reads the history CSV written by history_csv.
static Status parse_history(const std::string& text, const std::string& source, std::vector<EpochRecord>* out) {
  CsvReadOptions o;
  o.allow_non_finite = true;
  StatusOr<CsvTable> table = parse_csv(text, source, o);
  if (!table.ok()) return table.status();
  out->clear();
  for (int64_t r = 0; r < table.value().rows(); ++r) {
    EpochRecord e;
    e.epoch = int32_t(table.value().at(r, 0));
    e.train_loss = table.value().at(r, 1);
    e.test_loss = table.value().at(r, 2);
    const double acc = table.value().at(r, 3);
    e.test_accuracy = std::isnan(acc) ? -1 : acc;
    e.seconds = table.value().at(r, 4);
    out->push_back(e);
  }
  return Status();
}

Status TrainingRun::load_checkpoint(const std::string& path) {
  StatusOr<Checkpoint> loaded = Checkpoint::load(path);
  if (!loaded.ok()) return loaded.status();
  const Checkpoint& cp = loaded.value();
  std::string history;
  BIORNN_RETURN_IF_ERROR(cp.get_text("history", &history));
  BIORNN_RETURN_IF_ERROR(parse_history(history, path + " (history)", &history_));
  if (cp.has("pre_prune_history")) {  // only runs that were pruned have one
    BIORNN_RETURN_IF_ERROR(cp.get_text("pre_prune_history", &history));
    BIORNN_RETURN_IF_ERROR(parse_history(history, path + " (pre-prune history)", &pre_prune_history_));
  }
  if (cp.has("mask")) {
    // A pruned run: rebuild the CSR model and its optimiser before reading the parameters.
    Matrix m;
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("mask", &m, model_->hidden(), model_->hidden()));
    Mask keep(m.rows(), m.cols());
    for (int64_t k = 0; k < m.size(); ++k) {
      if (m.data()[k] != 0 && m.data()[k] != 1) return corrupt(path + ": the mask holds a value other than 0 or 1");
      keep.data()[k] = m.data()[k] != 0;
    }
    model_->make_sparse(keep);
    trainer_.reset(new Trainer(*model_, data_, optimizer_options_for(config_), config_.batch, config_.shuffle_seed));
    Matrix before;
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("before_finetuning", &before, 1, 2));
    before_finetuning_.loss = before(0, 0);
    before_finetuning_.accuracy = before(0, 1);
    before_finetuning_.samples = data_.test.size();
  }
  uint64_t epochs = 0, steps = 0, violations = 0, wall_ms = 0;
  BIORNN_RETURN_IF_ERROR(cp.get_u64("epochs_done", &epochs));
  if (epochs != history_.size())
    return corrupt(path + ": " + std::to_string(epochs) + " epochs done but the history has " +
                   std::to_string(history_.size()) + " rows");
  BIORNN_RETURN_IF_ERROR(cp.get_u64("optimizer_steps", &steps));
  BIORNN_RETURN_IF_ERROR(cp.get_u64("max_sign_violations", &violations));
  BIORNN_RETURN_IF_ERROR(cp.get_u64("wall_milliseconds", &wall_ms));
  BIORNN_RETURN_IF_ERROR(cp.get_matrix("initial_recurrent", &initial_recurrent_, model_->hidden(), model_->hidden()));
  for (Parameter* p : model_->parameters())
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("param/" + p->name, &p->value, p->value.rows(), p->value.cols()));
  for (Optimizer::Slot& s : trainer_->optimizer().slots()) {
    const std::string& name = s.parameter->name;
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("moment1/" + name, &s.first, s.first.rows(), s.first.cols()));
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("moment2/" + name, &s.second, s.second.rows(), s.second.cols()));
    uint64_t started = 0;
    BIORNN_RETURN_IF_ERROR(cp.get_u64("moment1_started/" + name, &started));
    s.first_initialised = started != 0;
  }
  Rng::State rs;
  for (int i = 0; i < 4; ++i) BIORNN_RETURN_IF_ERROR(cp.get_u64("shuffle_rng/" + std::to_string(i), &rs.words[i]));
  if ((rs.words[0] | rs.words[1] | rs.words[2] | rs.words[3]) == 0)
    return corrupt(path + ": the saved shuffling generator state is all zero");
  trainer_->shuffle_rng().set_state(rs);
  nan_rollbacks_.clear();
  if (cp.has("nan_rollbacks")) {  // written only by runs that rolled back (NanPolicy::kRollback)
    std::string text;
    BIORNN_RETURN_IF_ERROR(cp.get_text("nan_rollbacks", &text));
    StatusOr<CsvTable> table = parse_csv(text, path + " (nan_rollbacks)");
    if (!table.ok()) return table.status();
    if (table.value().cols() != 2) return corrupt(path + ": nan_rollbacks must have the columns epoch, lr");
    for (int64_t i = 0; i < table.value().rows(); ++i)
      nan_rollbacks_.push_back({int32_t(table.value().at(i, 0)), table.value().at(i, 1)});
    trainer_->optimizer().set_lr(current_lr());
  }
  trainer_->optimizer().set_steps_taken(int64_t(steps));
  trainer_->set_epochs_done(int64_t(epochs));
  trainer_->set_max_sign_violations(int64_t(violations));
  max_sign_violations_ = int64_t(violations);
  wall_seconds_ = double(wall_ms) / 1000;
  return Status();
}

StatusOr<TrainConfig> TrainingRun::read_config(const std::string& dir) {
  const std::string config_path = join_path(dir, kConfigFile);
  StatusOr<std::vector<uint8_t>> bytes = read_file(config_path, 1 << 20);
  if (!bytes.ok()) return bytes.status().with_context("resuming " + dir);
  StatusOr<TomlDocument> doc = parse_toml(std::string(bytes.value().begin(), bytes.value().end()), config_path);
  if (!doc.ok()) return doc.status();
  TrainConfig c;
  BIORNN_RETURN_IF_ERROR(peek_task_and_rule(doc.value(), &c.task, &c.rule));
  c = default_train_config(c.task, c.rule);
  BIORNN_RETURN_IF_ERROR(apply_train_config(doc.value(), &c));
  resolve_seeds(&c);  // as create() does, so this is the configuration a resumed run reports
  return c;
}

StatusOr<std::unique_ptr<TrainingRun>> TrainingRun::resume(const std::string& dir, int32_t epochs) {
  StatusOr<TrainConfig> read = read_config(dir);
  if (!read.ok()) return read.status();
  TrainConfig c = read.value();
  if (epochs > 0) c.epochs = epochs;
  StatusOr<std::unique_ptr<TrainingRun>> run = create(c);
  if (!run.ok()) return run.status();
  run.value()->dir_ = dir;
  // A run stopped (even by SIGKILL) after config.toml but before its first checkpoint has
  // nothing to restore: it starts at epoch 0. A pruned run always has one (prune writes it).
  const std::string checkpoint = join_path(dir, kCheckpointFile);
  if (file_exists(checkpoint) || !c.prune_method.empty())
    BIORNN_RETURN_IF_ERROR(run.value()->load_checkpoint(checkpoint));
  if (epochs > 0) BIORNN_RETURN_IF_ERROR(run.value()->start_directory(dir, /*force=*/true));
  return run;
}

}  // namespace biornn
