// celltype_fit.cpp — one cell-type fit: dense phase, pruning, fine-tuning, with checkpoints that
// let a stopped run continue exactly (see celltype_fit.hpp). Pictures and summary.json are
// written by celltype_fit_outputs.cpp; measurements live in celltype_fit_analysis.cpp.
#include "biornn/celltype_fit.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <limits>
#include <memory>

#include "biornn/checkpoint.hpp"
#include "biornn/csv.hpp"
#include "biornn/fileio.hpp"
#include "biornn/train.hpp"

namespace biornn {

// celltype_fit_outputs.cpp
Status write_celltype_fit_outputs(const CelltypeSpec& spec, const TaskData& data, SignedRnn& model,
                                  const CelltypeFitResult& result, const Matrix& prediction,
                                  const CelltypeFitOptions& options, const std::string& dir, const std::string& title);

namespace {

const char* kCheckpointFile = "checkpoint.bin";
const char* kSummaryFile = "summary.json";
constexpr double kInf = std::numeric_limits<double>::infinity();

// Doubles go into the checkpoint as their bit patterns (Checkpoint stores u64 exactly; its
// matrices hold `real`, which would round a float build's losses).
uint64_t bits_of(double v) {
  uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
double double_of(uint64_t b) {
  double v = 0;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

std::string history_csv(const std::vector<CelltypeEpoch>& history, bool numeric_phase) {
  std::vector<std::vector<std::string>> rows;
  for (const CelltypeEpoch& e : history)
    rows.push_back({numeric_phase ? (e.phase == "dense" ? "1" : "2") : e.phase, std::to_string(e.epoch),
                    csv_number(e.lr), csv_number(e.train_loss), csv_number(e.test_loss), csv_number(e.seconds)});
  return format_csv({"phase", "epoch", "lr", "train_loss", "test_loss", "seconds"}, rows);
}

Status parse_history(const std::string& text, const std::string& source, std::vector<CelltypeEpoch>* out) {
  CsvReadOptions o;
  o.allow_non_finite = true;
  StatusOr<CsvTable> table = parse_csv(text, source, o);
  if (!table.ok()) return table.status();
  out->clear();
  const CsvTable& t = table.value();
  if (t.cols() != 6) return corrupt(source + ": the history has " + std::to_string(t.cols()) + " columns, expected 6");
  for (int64_t r = 0; r < t.rows(); ++r) {
    CelltypeEpoch e;
    e.phase = t.at(r, 0) == 1 ? "dense" : "finetune";
    e.epoch = int32_t(t.at(r, 1));
    e.lr = t.at(r, 2);
    e.train_loss = t.at(r, 3);
    e.test_loss = t.at(r, 4);
    e.seconds = t.at(r, 5);
    out->push_back(e);
  }
  return Status();
}

// The first `count` samples of `set` (all of them when count is 0 or not smaller).
SequenceData selection_of(const SequenceData& set, int32_t count) {
  if (count <= 0 || count >= set.size()) return set;
  BIORNN_CHECK(set.x_bytes.empty() && set.labels.empty(), "selection_of: cell-type sets are float regression sets");
  SequenceData out = set;
  out.x = Matrix(count, set.x.cols());
  out.y = Matrix(count, set.y.cols());
  std::copy(set.x.data(), set.x.data() + out.x.size(), out.x.data());
  std::copy(set.y.data(), set.y.data() + out.y.size(), out.y.data());
  return out;
}

// The training state of one fit and the steps that move it forward.
class Fit {
 public:
  Fit(const CelltypeSpec& spec, const TaskData& data, const CelltypeFitOptions& o, std::string dir)
      : spec_(spec), data_(data), o_(o), dir_(std::move(dir)), selection_(selection_of(data.test, o.selection_samples)) {
    Rng init_rng(Rng::derive_seed(o.seed, 1));
    CelltypeModelOptions mo;
    mo.input_mask = o.input_mask;
    mo.initial_drive = o.initial_drive;
    mo.recurrent_init = o.recurrent_init;
    model_ = make_celltype_model(spec, init_rng, mo);
    trainer_.reset(new Trainer(*model_, data_, optimizer_options(), o.batch, Rng::derive_seed(o.seed, 2)));
  }

  const std::string& phase() const { return phase_; }
  SignedRnn& model() { return *model_; }
  int32_t selection_size() const { return selection_.size(); }
  CelltypeFitResult& result() { return result_; }

  std::string settings() const {
    std::string s = celltype_fit_settings(o_);
    s += "units = " + std::to_string(spec_.total_units()) + "\npopulations = " + std::to_string(spec_.populations()) + "\n";
    s += "train_samples = " + std::to_string(data_.train.size()) + "\ntest_samples = " + std::to_string(data_.test.size()) +
         "\nsteps = " + std::to_string(data_.train.steps) + "\n";
    return s;
  }

  Status load_checkpoint();
  Status save_checkpoint() const;
  Status run_phase(int32_t epochs, const CelltypeFitHooks& hooks);
  void end_dense_and_prune();
  void end_finetuning();

 private:
  OptimizerOptions optimizer_options() const {
    OptimizerOptions oo;
    oo.kind = OptimizerKind::kAdam;
    oo.lr = o_.lr;
    return oo;
  }
  int32_t epochs_in_phase() const {
    int32_t n = 0;
    for (const CelltypeEpoch& e : result_.history) n += e.phase == phase_;
    return n;
  }
  // A non-finite loss is kept as +inf, so that the first finite epoch replaces it (a NaN
  // would compare false with every later loss and its weights would be restored as "best").
  void keep_as_best(int32_t epoch, double loss) {
    best_epoch_ = epoch;
    best_loss_ = std::isfinite(loss) ? loss : kInf;
    std::vector<Parameter*> ps = model_->parameters();
    best_.resize(ps.size());
    for (std::size_t i = 0; i < ps.size(); ++i) best_[i] = ps[i]->value;
  }
  void restore_best() {
    std::vector<Parameter*> ps = model_->parameters();
    BIORNN_CHECK(best_.size() == ps.size(), "celltype fit: no best parameters to restore");
    for (std::size_t i = 0; i < ps.size(); ++i) ps[i]->value = best_[i];
  }

  const CelltypeSpec& spec_;
  const TaskData& data_;
  CelltypeFitOptions o_;
  std::string dir_;
  SequenceData selection_;  // what every epoch is scored on (see CelltypeFitOptions)
  std::unique_ptr<SignedRnn> model_;
  std::unique_ptr<Trainer> trainer_;
  std::string phase_ = "dense";  // dense → finetune → done
  CelltypeFitResult result_;
  int32_t best_epoch_ = -1;      // −1: the phase's starting state was not evaluated yet
  double best_loss_ = kInf;
  std::vector<Matrix> best_;
};

Status Fit::run_phase(int32_t epochs, const CelltypeFitHooks& hooks) {
  if (best_epoch_ < 0) keep_as_best(0, trainer_->evaluate(selection_).loss);  // "epoch 0": the start
  const CosineSchedule schedule{o_.cosine, o_.lr, o_.cosine_min_lr, o_.cosine_t_max};
  bool saved = true;
  for (int32_t done = epochs_in_phase(); done < epochs; done = epochs_in_phase()) {
    const auto t0 = std::chrono::steady_clock::now();
    CelltypeEpoch e;
    e.phase = phase_;
    e.epoch = done + 1;
    e.lr = schedule.lr(done);
    trainer_->optimizer().set_lr(e.lr);
    e.train_loss = trainer_->train_epoch();
    e.test_loss = trainer_->evaluate(selection_).loss;
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!std::isfinite(e.train_loss) || !std::isfinite(e.test_loss))
      return Status(StatusCode::kNumericalFailure, dir_ + ": " + phase_ + " epoch " + std::to_string(e.epoch) +
                                                       ": the loss became " +
                                                       (std::isnan(e.train_loss + e.test_loss) ? "NaN" : "infinite") +
                                                       " (try a smaller lr)");
    result_.history.push_back(e);
    result_.max_sign_violations = std::max(result_.max_sign_violations, trainer_->max_sign_violations());
    if (e.test_loss < best_loss_) keep_as_best(e.epoch, e.test_loss);
    saved = e.epoch % o_.checkpoint_every == 0 || e.epoch == epochs;
    if (saved) BIORNN_RETURN_IF_ERROR(save_checkpoint());
    if (hooks.on_epoch) hooks.on_epoch(e);
    if (hooks.stop != nullptr && hooks.stop->load() && e.epoch < epochs) {
      if (!saved) BIORNN_RETURN_IF_ERROR(save_checkpoint());
      return Status(StatusCode::kCancelled, "stopped after " + phase_ + " epoch " + std::to_string(e.epoch) +
                                                "; the state is in " + join_path(dir_, kCheckpointFile));
    }
  }
  return Status();
}

void Fit::end_dense_and_prune() {
  restore_best();
  result_.best_dense_epoch = best_epoch_;
  result_.best_dense_loss = best_loss_;
  const Mask keep = celltype_prune_mask(spec_, model_->recurrent_weights(), o_.inter_areal, o_.exact,
                                        Rng::derive_seed(o_.seed, 4));
  model_->make_sparse(keep);
  // A fresh optimiser: dense moments do not carry over to the pruned pattern.
  trainer_.reset(new Trainer(*model_, data_, optimizer_options(), o_.batch, Rng::derive_seed(o_.seed, 3)));
  result_.loss_after_pruning = trainer_->evaluate(selection_).loss;
  phase_ = "finetune";
  keep_as_best(0, result_.loss_after_pruning);
}

void Fit::end_finetuning() {
  restore_best();
  result_.best_finetune_epoch = best_epoch_;
  result_.best_finetune_loss = best_loss_;
  phase_ = "done";
}

Status Fit::save_checkpoint() const {
  Checkpoint cp;
  cp.set_text("settings", settings());
  cp.set_text("phase", phase_);
  cp.set_text("history", history_csv(result_.history, true));
  if (model_->sparse()) {
    const Mask m = model_->pattern().pattern_mask();
    Matrix as_matrix(m.rows(), m.cols());
    for (int64_t k = 0; k < as_matrix.size(); ++k) as_matrix.data()[k] = real(m.data()[k]);
    cp.set_matrix("mask", as_matrix);
  }
  cp.set_u64("best_dense_epoch", uint64_t(result_.best_dense_epoch));
  cp.set_u64("best_dense_loss", bits_of(result_.best_dense_loss));
  cp.set_u64("loss_after_pruning", bits_of(result_.loss_after_pruning));
  cp.set_u64("best_finetune_epoch", uint64_t(result_.best_finetune_epoch));
  cp.set_u64("best_finetune_loss", bits_of(result_.best_finetune_loss));
  cp.set_u64("max_sign_violations", uint64_t(result_.max_sign_violations));
  cp.set_u64("best_epoch", uint64_t(best_epoch_ + 1));  // 0: not evaluated yet
  cp.set_u64("best_loss", bits_of(best_loss_));
  std::vector<Parameter*> ps = const_cast<SignedRnn&>(*model_).parameters();
  for (std::size_t i = 0; i < ps.size(); ++i) {
    cp.set_matrix("param/" + ps[i]->name, ps[i]->value);
    if (i < best_.size()) cp.set_matrix("best/" + ps[i]->name, best_[i]);
  }
  const Trainer& t = *trainer_;
  Trainer& tm = const_cast<Trainer&>(t);
  for (const Optimizer::Slot& s : tm.optimizer().slots()) {
    cp.set_matrix("moment1/" + s.parameter->name, s.first);
    cp.set_matrix("moment2/" + s.parameter->name, s.second);
  }
  cp.set_u64("optimizer_steps", uint64_t(tm.optimizer().steps_taken()));
  cp.set_u64("trainer_epochs", uint64_t(tm.epochs_done()));
  cp.set_u64("trainer_max_sign_violations", uint64_t(tm.max_sign_violations()));
  const Rng::State rs = tm.shuffle_rng().state();
  for (int i = 0; i < 4; ++i) cp.set_u64("shuffle_rng/" + std::to_string(i), rs.words[i]);
  BIORNN_RETURN_IF_ERROR(cp.save(join_path(dir_, kCheckpointFile)));
  return write_file_atomic(join_path(dir_, "metrics.csv"), history_csv(result_.history, false));
}

Status Fit::load_checkpoint() {
  const std::string path = join_path(dir_, kCheckpointFile);
  StatusOr<Checkpoint> loaded = Checkpoint::load(path);
  if (!loaded.ok()) return loaded.status().with_context("continuing the fit in " + dir_ + " (--force starts it over)");
  const Checkpoint& cp = loaded.value();
  std::string text;
  BIORNN_RETURN_IF_ERROR(cp.get_text("settings", &text));
  if (text != settings())
    return invalid_argument(path + " was written with other settings or data:\n" + text + "now:\n" + settings() +
                            "start the run over with --force, or use the settings it was started with");
  BIORNN_RETURN_IF_ERROR(cp.get_text("phase", &phase_));
  if (phase_ != "dense" && phase_ != "finetune" && phase_ != "done") return corrupt(path + ": unknown phase '" + phase_ + "'");
  BIORNN_RETURN_IF_ERROR(cp.get_text("history", &text));
  BIORNN_RETURN_IF_ERROR(parse_history(text, path + " (history)", &result_.history));
  if (phase_ != "dense") {
    Matrix m;
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("mask", &m, model_->hidden(), model_->hidden()));
    Mask keep(m.rows(), m.cols());
    for (int64_t k = 0; k < m.size(); ++k) {
      if (m.data()[k] != 0 && m.data()[k] != 1) return corrupt(path + ": the mask holds a value other than 0 or 1");
      keep.data()[k] = m.data()[k] != 0;
    }
    model_->make_sparse(keep);
    trainer_.reset(new Trainer(*model_, data_, optimizer_options(), o_.batch, Rng::derive_seed(o_.seed, 3)));
  }
  uint64_t u = 0;
  BIORNN_RETURN_IF_ERROR(cp.get_u64("best_dense_epoch", &u));
  result_.best_dense_epoch = int32_t(u);
  BIORNN_RETURN_IF_ERROR(cp.get_u64("best_dense_loss", &u));
  result_.best_dense_loss = double_of(u);
  BIORNN_RETURN_IF_ERROR(cp.get_u64("loss_after_pruning", &u));
  result_.loss_after_pruning = double_of(u);
  BIORNN_RETURN_IF_ERROR(cp.get_u64("best_finetune_epoch", &u));
  result_.best_finetune_epoch = int32_t(u);
  BIORNN_RETURN_IF_ERROR(cp.get_u64("best_finetune_loss", &u));
  result_.best_finetune_loss = double_of(u);
  BIORNN_RETURN_IF_ERROR(cp.get_u64("max_sign_violations", &u));
  result_.max_sign_violations = int64_t(u);
  BIORNN_RETURN_IF_ERROR(cp.get_u64("best_epoch", &u));
  best_epoch_ = int32_t(u) - 1;
  BIORNN_RETURN_IF_ERROR(cp.get_u64("best_loss", &u));
  best_loss_ = double_of(u);
  std::vector<Parameter*> ps = model_->parameters();
  best_.clear();
  for (Parameter* p : ps) {
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("param/" + p->name, &p->value, p->value.rows(), p->value.cols()));
    if (best_epoch_ >= 0) {
      best_.emplace_back();
      BIORNN_RETURN_IF_ERROR(cp.get_matrix("best/" + p->name, &best_.back(), p->value.rows(), p->value.cols()));
    }
  }
  for (Optimizer::Slot& s : trainer_->optimizer().slots()) {
    const std::string& name = s.parameter->name;
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("moment1/" + name, &s.first, s.first.rows(), s.first.cols()));
    BIORNN_RETURN_IF_ERROR(cp.get_matrix("moment2/" + name, &s.second, s.second.rows(), s.second.cols()));
  }
  BIORNN_RETURN_IF_ERROR(cp.get_u64("optimizer_steps", &u));
  trainer_->optimizer().set_steps_taken(int64_t(u));
  BIORNN_RETURN_IF_ERROR(cp.get_u64("trainer_epochs", &u));
  trainer_->set_epochs_done(int64_t(u));
  BIORNN_RETURN_IF_ERROR(cp.get_u64("trainer_max_sign_violations", &u));
  trainer_->set_max_sign_violations(int64_t(u));
  Rng::State rs;
  for (int i = 0; i < 4; ++i) BIORNN_RETURN_IF_ERROR(cp.get_u64("shuffle_rng/" + std::to_string(i), &rs.words[i]));
  if ((rs.words[0] | rs.words[1] | rs.words[2] | rs.words[3]) == 0)
    return corrupt(path + ": the saved shuffling generator state is all zero");
  trainer_->shuffle_rng().set_state(rs);
  return Status();
}

// Everything measured on the final model (the result's fields besides the training record).
void measure(const CelltypeSpec& spec, SignedRnn& model, const Matrix& prediction, const SequenceData& test,
             CelltypeFitResult* r) {
  const Matrix w = model.recurrent_weights();
  const Mask mask = model.sparse() ? model.pattern().pattern_mask() : Mask::all(w.rows(), w.cols());
  r->blocks = celltype_block_densities(spec, mask);
  r->max_density_deviation = 0;
  for (const CelltypeBlockDensity& b : r->blocks)
    r->max_density_deviation = std::max(r->max_density_deviation, std::fabs(b.realised - b.target));
  r->sign_violations = model.sign_violations();
  r->off_mask_weights = 0;
  for (int32_t i = 0; i < w.rows(); ++i)
    for (int32_t j = 0; j < w.cols(); ++j) r->off_mask_weights += !mask(i, j) && w(i, j) != 0;
  r->inter_areal_outside = celltype_inter_areal_outside(spec, w);
  r->r2 = celltype_explained_variance(test, prediction, kCelltypeR2FirstStep);
  r->r2_all_steps = celltype_explained_variance(test, prediction, 0);
  r->seconds = 0;
  for (const CelltypeEpoch& e : r->history) r->seconds += e.seconds;
}

}  // namespace

Status validate_celltype_fit_options(const CelltypeFitOptions& o) {
  if (o.dense_epochs < 0 || o.finetune_epochs < 0) return invalid_argument("epochs must be >= 0");
  if (o.batch < 1) return invalid_argument("the batch size must be >= 1, got " + std::to_string(o.batch));
  if (!(o.lr > 0) || !std::isfinite(o.lr)) return invalid_argument("the learning rate must be > 0");
  if (o.cosine && !(o.cosine_min_lr >= 0 && o.cosine_min_lr <= o.lr))
    return invalid_argument("the cosine schedule's minimum learning rate must lie in [0, lr]");
  if (o.cosine_t_max < 1) return invalid_argument("the cosine schedule's T_max must be >= 1 epoch");
  if (o.checkpoint_every < 1) return invalid_argument("checkpoint_every must be >= 1");
  if (o.selection_samples < 0)
    return invalid_argument("the selection sample count must be >= 0 (0: the whole test set), got " +
                            std::to_string(o.selection_samples));
  return Status();
}

Status check_celltype_recurrent_init(const CelltypeSpec& spec, RecurrentInit init) {
  if (init != RecurrentInit::kBalanced) return Status();
  const int32_t n_exc = excitatory_count(spec.unit_signs());
  if (n_exc > 0 && n_exc < spec.total_units()) return Status();
  return invalid_argument("the balanced recurrent init scales the inhibitory columns against the excitatory ones, so the "
                          "spec needs both; it has " + std::to_string(n_exc) + " excitatory units of " +
                          std::to_string(spec.total_units()));
}

std::string celltype_fit_settings(const CelltypeFitOptions& o) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer,
                "dense_epochs = %d\nfinetune_epochs = %d\nlr = %.17g\nbatch = %d\ncosine = %s\ncosine_t_max = %d\n"
                "cosine_min_lr = %.17g\ninter_areal = \"%s\"\nexact = %s\ninput_mask = %s\nseed = %llu\n",
                o.dense_epochs, o.finetune_epochs, o.lr, o.batch, o.cosine ? "true" : "false", o.cosine_t_max,
                o.cosine_min_lr, inter_areal_mask_name(o.inter_areal), o.exact ? "true" : "false",
                o.input_mask ? "true" : "false", static_cast<unsigned long long>(o.seed));
  // Only when on (a subset), so that checkpoints written before these options existed still
  // continue with the settings they had (the drive off, every test sample scored).
  return std::string(buffer) + (o.initial_drive ? "initial_drive = true\n" : "") +
         (o.recurrent_init != RecurrentInit::kUniform
              ? std::string("recurrent_init = \"") + recurrent_init_name(o.recurrent_init) + "\"\n"
              : "") +
         (o.selection_samples > 0 ? "selection_samples = " + std::to_string(o.selection_samples) + "\n" : "");
}

Status prepare_celltype_task(const CelltypeSpec& spec, TaskData* data) {
  const int32_t p = spec.populations();
  if (data->kind != TaskKind::kCelltype) return invalid_argument("the data is not cell-type data (task " + std::string(task_name(data->kind)) + ")");
  for (SequenceData* s : {&data->train, &data->test}) {
    const char* which = s == &data->train ? "training" : "test";
    if (s->inputs != p || s->outputs != p)
      return invalid_argument(std::string("the ") + which + " data has " + std::to_string(s->inputs) + " inputs and " +
                              std::to_string(s->outputs) + " outputs; the spec has " + std::to_string(p) + " populations");
    if (s->size() < 1 || s->steps < 1 || s->classification() || s->y.rows() != s->size())
      return invalid_argument(std::string("the ") + which + " data is empty or not a regression set");
    s->scored_outputs = Matrix(1, p);
    for (int32_t q = 0; q < p; ++q) s->scored_outputs(0, q) = spec.observed[std::size_t(q)] ? 1 : 0;
  }
  bool any = false;
  for (bool b : spec.observed) any = any || b;
  if (!any) return invalid_argument("every population is unobserved: the loss has nothing to score");
  return Status();
}

StatusOr<CelltypeFitResult> fit_celltype_run(const CelltypeSpec& spec, const TaskData& data,
                                             const CelltypeFitOptions& options, const std::string& dir,
                                             const std::string& title, bool fresh, const CelltypeFitHooks& hooks) {
  BIORNN_RETURN_IF_ERROR(validate_celltype_fit_options(options));
  BIORNN_RETURN_IF_ERROR(check_celltype_recurrent_init(spec, options.recurrent_init));
  BIORNN_CHECK(data.kind == TaskKind::kCelltype && data.train.inputs == spec.populations(),
               "fit_celltype_run: prepare the data with prepare_celltype_task first");
  // With the first-step drive the model reads one more input channel (celltype_model.hpp).
  TaskData widened;
  if (options.initial_drive) {
    widened = data;
    widened.train = celltype_with_initial_channel(data.train);
    widened.test = celltype_with_initial_channel(data.test);
  }
  const TaskData& model_data = options.initial_drive ? widened : data;
  Fit fit(spec, model_data, options, dir);
  BIORNN_RETURN_IF_ERROR(make_directories(dir));
  if (fresh) std::remove(join_path(dir, kSummaryFile).c_str());  // a stale summary would mark the run finished
  const bool continuing = !fresh && file_exists(join_path(dir, kCheckpointFile));
  if (continuing) {
    BIORNN_RETURN_IF_ERROR(fit.load_checkpoint());
    if (hooks.log) hooks.log((fit.phase() == "done" ? "reusing " : "continuing ") + dir);
  } else if (hooks.log) {
    hooks.log("fitting " + dir);
  }
  if (fit.phase() == "dense") {
    BIORNN_RETURN_IF_ERROR(fit.run_phase(options.dense_epochs, hooks));
    fit.end_dense_and_prune();
    BIORNN_RETURN_IF_ERROR(fit.save_checkpoint());
  }
  if (fit.phase() == "finetune") {
    BIORNN_RETURN_IF_ERROR(fit.run_phase(options.finetune_epochs, hooks));
    fit.end_finetuning();
    BIORNN_RETURN_IF_ERROR(fit.save_checkpoint());
  }
  // Finished: a complete checkpoint and the summary, written last.
  const bool finished = !fresh && fit.phase() == "done" && file_exists(join_path(dir, kSummaryFile));
  CelltypeFitResult& r = fit.result();
  const Matrix prediction = celltype_predict(fit.model(), model_data.test, options.batch);
  measure(spec, fit.model(), prediction, data.test, &r);
  r.epoch_test_samples = fit.selection_size();
  r.reused = finished;
  if (!finished)
    BIORNN_RETURN_IF_ERROR(write_celltype_fit_outputs(spec, data, fit.model(), r, prediction, options, dir, title));
  return r;
}

}  // namespace biornn
