// train_config.cpp — defaults, schema and TOML mapping of TrainConfig (see train_config.hpp).
#include "biornn/train_config.hpp"

namespace biornn {

TrainConfig default_train_config(TaskKind task, LearningRule rule) {
  TrainConfig c;
  c.task = task;
  c.rule = rule;
  switch (task) {
    case TaskKind::kFlipFlop: c.epochs = 100; c.batch = 200; break;
    case TaskKind::kWave: c.epochs = 25; c.batch = 100; break;
    case TaskKind::kSeqMnist: c.epochs = 50; c.batch = 200; break;
    case TaskKind::kCelltype: c.epochs = 100; c.batch = 200; break;  // SPEC §7
  }
  if (rule == LearningRule::kRectified) c.activation = Activation::kRelu;
  return c;
}

const TomlSchema& train_config_schema() {
  static const TomlSchema schema = [] {
    TomlSchema s;
    s.add("run.task", TomlType::kString).one_of({"flipflop", "wave", "seqmnist"});
    s.add("run.rule", TomlType::kString).one_of({"dale", "conventional", "rectified"});
    s.add("run.epochs", TomlType::kInteger).at_least(0).at_most(1000000);
    s.add("run.seed", TomlType::kInteger).at_least(0);
    s.add("run.init_seed", TomlType::kInteger).at_least(0);
    s.add("run.data_seed", TomlType::kInteger).at_least(0);
    s.add("run.shuffle_seed", TomlType::kInteger).at_least(0);
    s.add("run.threads", TomlType::kInteger).at_least(0).at_most(4096);
    s.add("model.hidden", TomlType::kInteger).at_least(1).at_most(100000);
    s.add("model.exc_frac", TomlType::kFloat).at_least(0).at_most(1);
    s.add("model.activation", TomlType::kString).one_of({"tanh", "relu", "identity"});
    s.add("model.readout_from", TomlType::kString).one_of({"activation", "rate"});
    s.add("model.theta", TomlType::kFloat).at_least(0).finite();
    s.add("model.recurrent_init", TomlType::kString).one_of({"uniform", "balanced"});
    s.add("optimizer.name", TomlType::kString).one_of({"adam", "sgd", "rmsprop"});
    s.add("optimizer.lr", TomlType::kFloat).greater_than(0).finite();
    s.add("optimizer.schedule", TomlType::kString).one_of({"constant", "cosine"});
    s.add("optimizer.lr_min", TomlType::kFloat).at_least(0).finite();
    s.add("optimizer.batch", TomlType::kInteger).at_least(1).at_most(1000000);
    s.add("optimizer.momentum", TomlType::kFloat).at_least(0).less_than(1);
    s.add("optimizer.weight_decay", TomlType::kFloat).at_least(0).finite();
    s.add("optimizer.reset_clipped_moments", TomlType::kBoolean);
    s.add("optimizer.clip_grad_norm", TomlType::kFloat).at_least(0).finite();
    s.add("data.dir", TomlType::kString);
    s.add("data.wave_input_mask", TomlType::kBoolean);
    s.add("data.train_limit", TomlType::kInteger).at_least(0);
    s.add("data.test_limit", TomlType::kInteger).at_least(0);
    s.add("prune.method", TomlType::kString).one_of({"topprob", "random", "magnitude"});
    s.add("prune.sparsity", TomlType::kFloat).at_least(0).at_most(1);
    s.add("prune.exact", TomlType::kBoolean);
    s.add("prune.seed", TomlType::kInteger).at_least(0);
    s.add("prune.blocks", TomlType::kString);
    s.add("prune.source", TomlType::kString);
    return s;
  }();
  return schema;
}

Status peek_task_and_rule(const TomlDocument& doc, TaskKind* task, LearningRule* rule) {
  std::string text;
  if (doc.contains("run.task")) {
    BIORNN_RETURN_IF_ERROR(doc.get_string("run.task", &text));
    if (!parse_task(text, task))
      return invalid_argument(doc.source_name() + ": run.task must be flipflop, wave or seqmnist, found '" + text + "'");
  }
  if (doc.contains("run.rule")) {
    BIORNN_RETURN_IF_ERROR(doc.get_string("run.rule", &text));
    if (!parse_learning_rule(text, rule))
      return invalid_argument(doc.source_name() + ": run.rule must be dale, conventional or rectified, found '" + text + "'");
  }
  return Status();
}

namespace {

// Applies an integer key if present (the schema already checked type and range).
template <class T>
Status take_integer(const TomlDocument& doc, const char* path, T* out) {
  if (!doc.contains(path)) return Status();
  int64_t v = 0;
  BIORNN_RETURN_IF_ERROR(doc.get_integer(path, &v));
  *out = T(v);
  return Status();
}

Status take_double(const TomlDocument& doc, const char* path, double* out) {
  if (!doc.contains(path)) return Status();
  return doc.get_double(path, out);
}

}  // namespace

Status apply_train_config(const TomlDocument& doc, TrainConfig* c) {
  BIORNN_RETURN_IF_ERROR(toml_validate(doc, train_config_schema()));
  BIORNN_RETURN_IF_ERROR(peek_task_and_rule(doc, &c->task, &c->rule));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "run.epochs", &c->epochs));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "run.seed", &c->seed));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "run.init_seed", &c->init_seed));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "run.data_seed", &c->data_seed));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "run.shuffle_seed", &c->shuffle_seed));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "run.threads", &c->threads));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "model.hidden", &c->hidden));
  BIORNN_RETURN_IF_ERROR(take_double(doc, "model.exc_frac", &c->exc_frac));
  std::string text;
  if (doc.contains("model.activation")) {
    BIORNN_RETURN_IF_ERROR(doc.get_string("model.activation", &text));
    parse_activation(text, &c->activation);
  }
  if (doc.contains("model.readout_from")) {
    BIORNN_RETURN_IF_ERROR(doc.get_string("model.readout_from", &text));
    parse_readout_from(text, &c->readout_from);
  }
  BIORNN_RETURN_IF_ERROR(take_double(doc, "model.theta", &c->theta));
  if (doc.contains("model.recurrent_init")) {
    BIORNN_RETURN_IF_ERROR(doc.get_string("model.recurrent_init", &text));
    parse_recurrent_init(text, &c->recurrent_init);
  }
  if (doc.contains("optimizer.name")) {
    BIORNN_RETURN_IF_ERROR(doc.get_string("optimizer.name", &text));
    parse_optimizer(text, &c->optimizer);
  }
  BIORNN_RETURN_IF_ERROR(take_double(doc, "optimizer.lr", &c->lr));
  if (doc.contains("optimizer.schedule")) {
    BIORNN_RETURN_IF_ERROR(doc.get_string("optimizer.schedule", &text));
    parse_lr_schedule(text, &c->cosine_lr);
  }
  BIORNN_RETURN_IF_ERROR(take_double(doc, "optimizer.lr_min", &c->lr_min));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "optimizer.batch", &c->batch));
  BIORNN_RETURN_IF_ERROR(take_double(doc, "optimizer.momentum", &c->momentum));
  BIORNN_RETURN_IF_ERROR(take_double(doc, "optimizer.weight_decay", &c->weight_decay));
  if (doc.contains("optimizer.reset_clipped_moments"))
    BIORNN_RETURN_IF_ERROR(doc.get_bool("optimizer.reset_clipped_moments", &c->reset_clipped_moments));
  BIORNN_RETURN_IF_ERROR(take_double(doc, "optimizer.clip_grad_norm", &c->clip_grad_norm));
  if (doc.contains("data.dir")) BIORNN_RETURN_IF_ERROR(doc.get_string("data.dir", &c->data_dir));
  if (doc.contains("data.wave_input_mask"))
    BIORNN_RETURN_IF_ERROR(doc.get_bool("data.wave_input_mask", &c->wave_input_mask));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "data.train_limit", &c->train_limit));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "data.test_limit", &c->test_limit));
  if (doc.contains("prune.method")) BIORNN_RETURN_IF_ERROR(doc.get_string("prune.method", &c->prune_method));
  BIORNN_RETURN_IF_ERROR(take_double(doc, "prune.sparsity", &c->prune_sparsity));
  if (doc.contains("prune.exact")) BIORNN_RETURN_IF_ERROR(doc.get_bool("prune.exact", &c->prune_exact));
  BIORNN_RETURN_IF_ERROR(take_integer(doc, "prune.seed", &c->prune_seed));
  if (doc.contains("prune.blocks")) BIORNN_RETURN_IF_ERROR(doc.get_string("prune.blocks", &c->prune_blocks));
  if (doc.contains("prune.source")) BIORNN_RETURN_IF_ERROR(doc.get_string("prune.source", &c->prune_source));
  return Status();
}

const char* lr_schedule_name(bool cosine) { return cosine ? "cosine" : "constant"; }

bool parse_lr_schedule(const std::string& text, bool* cosine) {
  if (text != "constant" && text != "cosine") return false;
  *cosine = text == "cosine";
  return true;
}

int32_t default_finetune_epochs(TaskKind task) {
  switch (task) {
    case TaskKind::kFlipFlop: return 40;
    case TaskKind::kWave: return 10;
    case TaskKind::kSeqMnist: return 25;
    case TaskKind::kCelltype: return 50;  // SPEC §7
  }
  return 10;
}

void resolve_seeds(TrainConfig* c) {
  // Derived seeds keep 63 bits so that they fit a TOML integer (signed 64-bit) unchanged.
  constexpr uint64_t kLow63 = (uint64_t(1) << 63) - 1;
  if (c->init_seed == 0) c->init_seed = Rng::derive_seed(c->seed, 1) & kLow63;
  if (c->data_seed == 0) c->data_seed = Rng::derive_seed(c->seed, 2) & kLow63;
  if (c->shuffle_seed == 0) c->shuffle_seed = Rng::derive_seed(c->seed, 3) & kLow63;
}

TomlDocument train_config_to_toml(const TrainConfig& c) {
  TomlDocument d;
  d.set("run.task", TomlValue::of_string(task_name(c.task)));
  d.set("run.rule", TomlValue::of_string(learning_rule_name(c.rule)));
  d.set("run.epochs", TomlValue::of_integer(c.epochs));
  d.set("run.seed", TomlValue::of_integer(int64_t(c.seed)));
  d.set("run.init_seed", TomlValue::of_integer(int64_t(c.init_seed)));
  d.set("run.data_seed", TomlValue::of_integer(int64_t(c.data_seed)));
  d.set("run.shuffle_seed", TomlValue::of_integer(int64_t(c.shuffle_seed)));
  d.set("run.threads", TomlValue::of_integer(c.threads));
  d.set("model.hidden", TomlValue::of_integer(c.hidden));
  d.set("model.exc_frac", TomlValue::of_float(c.exc_frac));
  d.set("model.activation", TomlValue::of_string(activation_name(c.activation)));
  d.set("model.readout_from", TomlValue::of_string(readout_from_name(c.readout_from)));
  d.set("model.theta", TomlValue::of_float(c.theta));
  d.set("model.recurrent_init", TomlValue::of_string(recurrent_init_name(c.recurrent_init)));
  d.set("optimizer.name", TomlValue::of_string(optimizer_name(c.optimizer)));
  d.set("optimizer.lr", TomlValue::of_float(c.lr));
  d.set("optimizer.schedule", TomlValue::of_string(lr_schedule_name(c.cosine_lr)));
  d.set("optimizer.lr_min", TomlValue::of_float(c.lr_min));
  d.set("optimizer.batch", TomlValue::of_integer(c.batch));
  d.set("optimizer.momentum", TomlValue::of_float(c.momentum));
  d.set("optimizer.weight_decay", TomlValue::of_float(c.weight_decay));
  d.set("optimizer.reset_clipped_moments", TomlValue::of_bool(c.reset_clipped_moments));
  d.set("optimizer.clip_grad_norm", TomlValue::of_float(c.clip_grad_norm));
  d.set("data.dir", TomlValue::of_string(c.data_dir));
  d.set("data.wave_input_mask", TomlValue::of_bool(c.wave_input_mask));
  d.set("data.train_limit", TomlValue::of_integer(c.train_limit));
  d.set("data.test_limit", TomlValue::of_integer(c.test_limit));
  if (!c.prune_method.empty()) {
    d.set("prune.method", TomlValue::of_string(c.prune_method));
    d.set("prune.sparsity", TomlValue::of_float(c.prune_sparsity));
    d.set("prune.exact", TomlValue::of_bool(c.prune_exact));
    d.set("prune.seed", TomlValue::of_integer(int64_t(c.prune_seed)));
    d.set("prune.blocks", TomlValue::of_string(c.prune_blocks));
    d.set("prune.source", TomlValue::of_string(c.prune_source));
  }
  return d;
}

RnnSpec rnn_spec_for(const TrainConfig& c, int32_t inputs, int32_t outputs) {
  RnnSpec s;
  s.inputs = inputs;
  s.outputs = outputs;
  s.hidden = c.hidden;
  s.exc_frac = c.exc_frac;
  s.rule = c.rule;
  s.activation = c.activation;
  s.theta = real(c.theta);
  s.readout_from = c.readout_from;
  s.recurrent_init = c.recurrent_init;
  s.reset_clipped_moments = c.reset_clipped_moments;
  return s;
}

OptimizerOptions optimizer_options_for(const TrainConfig& c) {
  OptimizerOptions o;
  o.kind = c.optimizer;
  o.lr = c.lr;
  o.momentum = c.momentum;
  o.weight_decay = c.weight_decay;
  o.clip_grad_norm = c.clip_grad_norm;
  return o;
}

}  // namespace biornn
