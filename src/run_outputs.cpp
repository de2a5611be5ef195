// run_outputs.cpp — what a finished TrainingRun leaves in its directory besides the
// checkpoint: summary.json, model.npz, the SVG pictures and report.html (see run.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "biornn/fileio.hpp"
#include "biornn/inference.hpp"
#include "biornn/json.hpp"
#include "biornn/kernels.hpp"
#include "biornn/npz.hpp"
#include "biornn/plot.hpp"
#include "biornn/report.hpp"
#include "biornn/run.hpp"

namespace biornn {

namespace {

std::string summary_json(const TrainingRun& run) {
  const TrainConfig& c = run.config();
  const std::vector<EpochRecord>& h = run.history();
  JsonWriter j;
  j.begin_object();
  j.field("biornn_version", kVersion).field("precision", kPrecisionName);
  j.field("task", task_name(c.task)).field("rule", learning_rule_name(c.rule));
  j.field("epochs", int64_t(run.epochs_done()));
  j.key("final").begin_object();
  if (!h.empty()) {
    j.field("train_loss", h.back().train_loss).field("test_loss", h.back().test_loss);
    if (h.back().test_accuracy >= 0) j.field("test_accuracy", h.back().test_accuracy);
  }
  j.end_object();
  j.key("seeds").begin_object();
  j.field("seed", c.seed).field("init", c.init_seed).field("data", c.data_seed).field("shuffle", c.shuffle_seed);
  j.end_object();
  j.field("sign_violations", run.model().sign_violations());
  j.field("max_sign_violations_after_any_step", run.max_sign_violations());
  j.field("gemm_kernel", gemm_kernel_name(active_gemm_kernel()));
  j.field("math_kernel", math_kernel_name(active_math_kernel()));
  j.field("threads", int64_t(active_threads()));
  j.field("kernels", kernel_summary());
  j.field("lr", c.lr).field("final_lr", run.current_lr());
  j.key("nan_rollbacks").begin_array();  // NanPolicy::kRollback: epochs repeated with a smaller lr
  for (const NanRollback& b : run.nan_rollbacks()) j.begin_object().field("epoch", int64_t(b.epoch)).field("lr", b.lr).end_object();
  j.end_array();
  j.field("wall_seconds", run.wall_seconds());
  double epoch_seconds = 0;
  for (const EpochRecord& r : h) epoch_seconds += r.seconds;
  j.field("mean_epoch_seconds", h.empty() ? 0.0 : epoch_seconds / double(h.size()));
  j.field("data", run.data().description);
  j.field("hidden", int64_t(c.hidden)).field("excitatory", int64_t(run.model().excitatory()));
  j.end_object();
  return j.str() + "\n";
}


std::vector<double> as_doubles(const Matrix& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

std::string loss_svg(const TrainingRun& run) {
  LineSeries train, test;
  train.name = "train";
  test.name = "test";
  for (const EpochRecord& r : run.history()) {
    train.x.push_back(r.epoch);
    train.y.push_back(r.train_loss);
    test.x.push_back(r.epoch);
    test.y.push_back(r.test_loss);
  }
  LinePlotOptions o;
  o.title = std::string(task_name(run.config().task)) + ", " + learning_rule_name(run.config().rule) + ": loss per epoch";
  o.x_label = "epoch";
  o.y_label = "loss (mean per element)";
  o.log_y = true;
  return plot_lines({train, test}, o);
}

std::string recurrent_svg(const TrainingRun& run) {
  const SignedRnn& m = run.model();
  HeatmapOptions o;
  o.title = "recurrent weights W after training (E | I)";
  o.colorbar_label = "weight";
  o.col_boundaries = {m.excitatory()};
  o.row_boundaries = {m.excitatory()};
  o.col_groups = {{0, m.excitatory(), "E"}, {m.excitatory(), m.hidden(), "I"}};
  o.row_groups = o.col_groups;
  return plot_heatmap(m.recurrent_weights(), o);
}

std::string weights_hist_svg(const TrainingRun& run, const Matrix& initial) {
  HistogramOptions o;
  o.title = "recurrent weights before and after training";
  o.x_label = "weight";
  o.density = true;
  o.bins = 60;
  return plot_histogram({{"initial", as_doubles(initial), ""}, {"trained", as_doubles(run.model().recurrent_weights()), ""}}, o);
}

std::string fmt(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

std::string report_html(const TrainingRun& run) {
  const TrainConfig& c = run.config();
  HtmlReport r(std::string("biornn: ") + task_name(c.task) + " / " + learning_rule_name(c.rule) + " / seed " +
               std::to_string(c.seed));
  std::vector<std::pair<std::string, std::string>> summary = {
      {"task", run.data().description},
      {"learning rule", learning_rule_name(c.rule)},
      {"network", std::to_string(c.hidden) + " units (" + std::to_string(run.model().excitatory()) + " E), " +
                      activation_name(c.activation) + ", readout from " + readout_from_name(c.readout_from) +
                      ", recurrent init " + recurrent_init_name(c.recurrent_init)},
      {"optimizer", std::string(optimizer_name(c.optimizer)) + ", lr " + fmt(c.lr) + ", batch " + std::to_string(c.batch)},
      {"epochs", std::to_string(run.epochs_done())},
      {"sign violations (now / max after any step)",
       std::to_string(run.model().sign_violations()) + " / " + std::to_string(run.max_sign_violations())},
      {"kernels", kernel_summary()}};
  if (!run.history().empty()) {
    const EpochRecord& last = run.history().back();
    summary.push_back({"final train loss", fmt(last.train_loss)});
    summary.push_back({"final test loss", fmt(last.test_loss)});
    if (last.test_accuracy >= 0) summary.push_back({"final test accuracy", fmt(100 * last.test_accuracy) + " %"});
  }
  r.add_summary(summary);
  r.add_heading("Pictures");
  r.add_figure_link("loss.svg", "training and test loss per epoch");
  r.add_figure_link("recurrent.svg", "the recurrent matrix W (rows: postsynaptic, columns: presynaptic; E | I)");
  r.add_figure_link("weights_hist.svg", "recurrent weights before and after training");
  std::vector<std::vector<std::string>> rows;
  for (const EpochRecord& e : run.history())
    rows.push_back({std::to_string(e.epoch), fmt(e.train_loss), fmt(e.test_loss),
                    e.test_accuracy >= 0 ? fmt(100 * e.test_accuracy) : "", fmt(e.seconds)});
  r.add_heading("Metrics");
  r.add_table({"epoch", "train loss", "test loss", "test accuracy %", "seconds"}, rows, "per-epoch metrics (metrics.csv)");
  r.add_heading("Configuration");
  r.add_preformatted(to_toml_string(train_config_to_toml(c)), "config.toml");
  return r.html();
}

}  // namespace

namespace {

NpyArray scalar_int(int64_t v) {
  NpyArray a = npy_from_int32({int32_t(v)});
  a.shape.clear();  // 0-d: int(np.load(path)["rule"]) reads it
  return a;
}
NpyArray scalar_bool(bool v) {
  NpyArray a = npy_from_bools({uint8_t(v ? 1 : 0)});
  a.shape.clear();
  return a;
}
NpyArray scalar_real(real v) {
  NpyArray a = npy_from_matrix(Matrix(1, 1, v));
  a.shape.clear();
  return a;
}

int32_t rule_code(LearningRule rule) {
  switch (rule) {
    case LearningRule::kConventional: return 0;
    case LearningRule::kDale: return 1;
    case LearningRule::kRectified: return 2;
  }
  return -1;
}

}  // namespace

Activation task_output_activation(TaskKind task) {
  return task == TaskKind::kFlipFlop ? Activation::kTanh : Activation::kIdentity;
}

Status save_model_npz(const SignedRnn& m, const std::string& path, Activation output_activation) {
  const RnnSpec& spec = m.spec();
  std::vector<std::pair<std::string, NpyArray>> arrays;
  arrays.emplace_back("W_in", npy_from_matrix(m.w_in.value));
  arrays.emplace_back("W", npy_from_matrix(m.recurrent_weights()));
  if (m.spec().rule == LearningRule::kRectified)
    arrays.emplace_back("W_latent", npy_from_matrix(m.sparse() ? m.w_values.value : m.w.value));
  arrays.emplace_back("b_in", npy_from_matrix(m.b_in.value));
  arrays.emplace_back("b_rec", npy_from_matrix(m.b_rec.value));
  arrays.emplace_back("W_out", npy_from_matrix(m.w_out.value));
  arrays.emplace_back("b_out", npy_from_matrix(m.b_out.value));
  std::vector<int32_t> signs(m.column_signs().begin(), m.column_signs().end());
  arrays.emplace_back("signs", npy_from_int32(signs));
  arrays.emplace_back("mask", npy_from_mask(m.sparse() ? m.pattern().pattern_mask() : Mask::all(m.hidden(), m.hidden())));
  if (m.input_mask().rows() > 0) arrays.emplace_back("input_mask", npy_from_mask(m.input_mask()));
  if (m.readout_mask().rows() > 0) arrays.emplace_back("readout_mask", npy_from_mask(m.readout_mask()));
  // The forward pass, as record_hidden / record_readout run it (inference.hpp has the codes).
  arrays.emplace_back("model_format", scalar_int(kModelFormat));
  arrays.emplace_back("rule", scalar_int(rule_code(spec.rule)));
  arrays.emplace_back("activation", scalar_int(activation_code(spec.activation)));
  arrays.emplace_back("threshold", scalar_bool(spec.rule == LearningRule::kDale));
  arrays.emplace_back("theta", scalar_real(spec.theta));
  arrays.emplace_back("readout_from", scalar_int(spec.readout_from == ReadoutFrom::kRate ? 1 : 0));
  arrays.emplace_back("output_activation", scalar_int(activation_code(output_activation)));
  arrays.emplace_back("sparse", scalar_bool(m.sparse()));
  arrays.emplace_back("recurrent_biases", scalar_bool(spec.recurrent_biases));
  arrays.emplace_back("readout_bias", scalar_bool(spec.readout_bias));
  return save_npz(path, arrays);
}

Status TrainingRun::write_outputs() const {
  BIORNN_CHECK(!dir_.empty(), "TrainingRun::write_outputs: no run directory");
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir_, "summary.json"), summary_json(*this)));
  BIORNN_RETURN_IF_ERROR(save_model_npz(*model_, join_path(dir_, "model.npz"), task_output_activation(config_.task)));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir_, "loss.svg"), loss_svg(*this)));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir_, "recurrent.svg"), recurrent_svg(*this)));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir_, "weights_hist.svg"), weights_hist_svg(*this, initial_recurrent_)));
  return write_file_atomic(join_path(dir_, "report.html"), report_html(*this));
}

}  // namespace biornn
