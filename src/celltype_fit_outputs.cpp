// celltype_fit_outputs.cpp — what a finished cell-type fit leaves in its directory besides the
// checkpoint and metrics.csv: model.npz, the pictures, report.html and, last, summary.json
// (see celltype_fit.hpp).
#include <cmath>
#include <cstdio>

#include "biornn/celltype_fit.hpp"
#include "biornn/config.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/kernels.hpp"
#include "biornn/plot.hpp"
#include "biornn/report.hpp"
#include "biornn/run.hpp"

namespace biornn {

namespace {

std::string fmt(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

std::string summary_json(const CelltypeSpec& spec, const TaskData& data, const CelltypeFitResult& r,
                         const CelltypeFitOptions& o, const std::string& title) {
  JsonWriter j;
  j.begin_object().field("biornn_version", kVersion).field("precision", kPrecisionName).field("title", title);
  j.field("data", data.description).field("units", int64_t(spec.total_units()));
  j.field("train_samples", int64_t(data.train.size())).field("test_samples", int64_t(data.test.size()));
  j.field("steps", int64_t(data.train.steps));
  j.key("options").begin_object();
  j.field("dense_epochs", int64_t(o.dense_epochs)).field("finetune_epochs", int64_t(o.finetune_epochs));
  j.field("lr", o.lr).field("batch", int64_t(o.batch)).field("cosine", o.cosine);
  j.field("cosine_t_max", int64_t(o.cosine_t_max)).field("cosine_min_lr", o.cosine_min_lr);
  j.field("inter_areal", inter_areal_mask_name(o.inter_areal)).field("exact", o.exact).field("input_mask", o.input_mask)
      .field("initial_drive", o.initial_drive).field("selection_samples", int64_t(o.selection_samples))
      .field("recurrent_init", recurrent_init_name(o.recurrent_init));
  j.end_object();
  // The test samples every epoch was scored on (every loss below); R² uses all test_samples.
  j.field("epoch_test_samples", int64_t(r.epoch_test_samples));
  j.key("seeds").begin_object().field("seed", o.seed).field("init", Rng::derive_seed(o.seed, 1));
  j.field("shuffle_dense", Rng::derive_seed(o.seed, 2)).field("shuffle_finetune", Rng::derive_seed(o.seed, 3));
  j.field("prune", Rng::derive_seed(o.seed, 4)).end_object();
  j.field("best_dense_epoch", int64_t(r.best_dense_epoch)).field("best_dense_test_loss", r.best_dense_loss);
  j.field("test_loss_after_pruning", r.loss_after_pruning);
  j.field("best_finetune_epoch", int64_t(r.best_finetune_epoch)).field("best_finetune_test_loss", r.best_finetune_loss);
  j.field("r2_first_step", int64_t(r.r2_first_step)).key("r2").begin_object();
  for (int32_t p = 0; p < spec.populations(); ++p) j.field(spec.population_name(p), r.r2[std::size_t(p)]);
  j.end_object();
  if (!r.r2_all_steps.empty()) {
    j.key("r2_all_steps").begin_object();
    for (int32_t p = 0; p < spec.populations(); ++p) j.field(spec.population_name(p), r.r2_all_steps[std::size_t(p)]);
    j.end_object();
  }
  j.key("unobserved").begin_array();
  for (int32_t p = 0; p < spec.populations(); ++p)
    if (!spec.observed[std::size_t(p)]) j.value(spec.population_name(p));
  j.end_array();
  j.field("max_density_deviation", r.max_density_deviation);
  j.field("sign_violations", r.sign_violations).field("max_sign_violations_after_any_step", r.max_sign_violations);
  j.field("off_mask_weights", r.off_mask_weights).field("inter_areal_weights_outside_projections", r.inter_areal_outside);
  j.key("blocks").begin_array();
  for (const CelltypeBlockDensity& b : r.blocks) {
    j.begin_object().field("post", spec.population_name(b.post)).field("pre", spec.population_name(b.pre));
    j.field("target", b.target).field("realised", b.realised).field("kept", b.kept).field("entries", b.entries);
    j.end_object();
  }
  j.end_array();
  j.field("training_seconds", r.seconds).field("threads", int64_t(active_threads())).field("kernels", kernel_summary());
  j.end_object();
  return j.str() + "\n";
}

std::vector<HeatmapGroup> area_groups(const CelltypeSpec& spec) {
  std::vector<HeatmapGroup> g;
  const int32_t per_area = int32_t(spec.layers.size() * spec.types.size());
  for (std::size_t a = 0; a < spec.areas.size(); ++a) {
    const int32_t first = int32_t(a) * per_area;
    const int32_t last = first + per_area - 1;
    g.push_back({spec.population_offset(first), spec.population_offset(last) + spec.population_size(last), spec.areas[a]});
  }
  return g;
}

std::string connectivity_svg(const CelltypeSpec& spec, const Matrix& w, const std::string& title) {
  HeatmapOptions o;
  o.title = title + ": recurrent weights W after fine-tuning";
  o.colorbar_label = "weight";
  o.row_boundaries = o.col_boundaries = celltype_unit_boundaries(spec);
  o.row_groups = o.col_groups = area_groups(spec);
  o.size = 720;
  return plot_heatmap(w, o);
}

std::string population_means_svg(const CelltypeSpec& spec, const Matrix& w, const std::string& title) {
  HeatmapOptions o;
  o.title = title + ": mean weight per block (zeros included)";
  o.colorbar_label = "mean weight";
  o.x_label = "presynaptic population";
  o.y_label = "postsynaptic population";
  const int32_t per_area = int32_t(spec.layers.size() * spec.types.size());
  for (std::size_t a = 1; a < spec.areas.size(); ++a) {
    o.row_boundaries.push_back(int32_t(a) * per_area);
    o.col_boundaries.push_back(int32_t(a) * per_area);
  }
  for (int32_t p = 0; p < spec.populations(); ++p) o.row_groups.push_back({p, p + 1, spec.population_name(p)});
  o.col_groups = o.row_groups;
  o.cells = HeatmapCells::kRects;
  return plot_heatmap(celltype_population_means(spec, w), o);
}

// Target and prediction of population p over the test set: mean ± sd over samples per step.
std::string traces_svg(const CelltypeSpec& spec, const SequenceData& test, const Matrix& prediction, int32_t p,
                       double r2, const std::string& title) {
  LineSeries target, predicted;
  target.name = "target";
  predicted.name = "one-step prediction";
  predicted.dashed = true;
  const int32_t outputs = test.outputs, n = test.size();
  for (LineSeries* s : {&target, &predicted}) {
    const Matrix& source = s == &target ? test.y : prediction;
    for (int32_t t = 0; t < test.steps; ++t) {
      double sum = 0, squares = 0;
      for (int32_t i = 0; i < n; ++i) {
        const double v = double(source(i, t * outputs + p));
        sum += v;
        squares += v * v;
      }
      const double mean = sum / n, sd = std::sqrt(std::fmax(squares / n - mean * mean, 0.0));
      s->x.push_back(t + 1);
      s->y.push_back(mean);
      s->band_lower.push_back(mean - sd);
      s->band_upper.push_back(mean + sd);
    }
  }
  LinePlotOptions o;
  o.title = title + ": " + spec.population_name(p) + (spec.observed[std::size_t(p)] ? "" : " (unobserved)") +
            ", R² = " + fmt(r2) + " (target frames " + std::to_string(kCelltypeR2FirstStep + 1) + "–" +
            std::to_string(test.steps) + ")";
  o.x_label = "step (target frame)";
  o.y_label = "ΔF/F (mean ± sd over test samples)";
  return plot_lines({target, predicted}, o);
}

std::string loss_svg(const CelltypeFitResult& r, const std::string& title) {
  LineSeries train, test;
  train.name = "train";
  test.name = "test";
  int32_t k = 0;
  for (const CelltypeEpoch& e : r.history) {
    ++k;
    train.x.push_back(k);
    train.y.push_back(e.train_loss);
    test.x.push_back(k);
    test.y.push_back(e.test_loss);
  }
  LinePlotOptions o;
  o.title = title + ": loss per epoch (dense, then fine-tuning)";
  o.x_label = "epoch (both phases in sequence)";
  o.y_label = "MSE over observed populations";
  o.log_y = true;
  return plot_lines({train, test}, o);
}

std::string report_html(const CelltypeSpec& spec, const TaskData& data, const CelltypeFitResult& r,
                        const CelltypeFitOptions& o, const std::string& title) {
  HtmlReport h("biornn celltype fit: " + title);
  h.add_summary({{"data", data.description},
                 {"network", std::to_string(spec.total_units()) + " units in " + std::to_string(spec.populations()) +
                                 " populations"},
                 {"dense", std::to_string(o.dense_epochs) + " epochs, best epoch " + std::to_string(r.best_dense_epoch) +
                               ", test loss " + fmt(r.best_dense_loss)},
                 {"after pruning", "test loss " + fmt(r.loss_after_pruning) + " (inter-areal " +
                                       inter_areal_mask_name(o.inter_areal) + (o.exact ? ", exact counts" : "") + ")"},
                 {"fine-tuning", std::to_string(o.finetune_epochs) + " epochs, best epoch " +
                                     std::to_string(r.best_finetune_epoch) + ", test loss " + fmt(r.best_finetune_loss)},
                 {"learning rate", fmt(o.lr) + (o.cosine ? ", cosine T_max " + std::to_string(o.cosine_t_max) +
                                                              ", min " + fmt(o.cosine_min_lr)
                                                        : std::string(", constant"))},
                 {"max |realised − target| block density", fmt(r.max_density_deviation)},
                 {"sign violations / weights off the mask / inter-areal outside projections",
                  std::to_string(r.sign_violations) + " / " + std::to_string(r.off_mask_weights) + " / " +
                      std::to_string(r.inter_areal_outside)},
                 {"kernels", kernel_summary()}});
  std::vector<std::vector<std::string>> rows;
  for (int32_t p = 0; p < spec.populations(); ++p)
    rows.push_back({spec.population_name(p), spec.observed[std::size_t(p)] ? "yes" : "no", fmt(r.r2[std::size_t(p)]),
                    r.r2_all_steps.empty() ? "–" : fmt(r.r2_all_steps[std::size_t(p)])});
  h.add_heading("Explained variance of the one-step prediction (test set)");
  h.add_table({"population", "observed", "R² (from step " + std::to_string(kCelltypeR2FirstStep) + ")",
               "R² (every step)"}, rows);
  h.add_heading("Pictures");
  h.add_figure_link("loss.svg", "loss per epoch");
  h.add_figure_link("connectivity.svg", "W after fine-tuning, units ordered area / layer / type");
  h.add_figure_link("population_means.svg", "mean weight per population block");
  for (int32_t p = 0; p < spec.populations(); ++p)
    h.add_figure_link("traces_" + spec.population_name(p) + ".svg", spec.population_name(p) + ": target vs prediction");
  std::vector<std::vector<std::string>> epochs;
  for (const CelltypeEpoch& e : r.history)
    epochs.push_back({e.phase, std::to_string(e.epoch), fmt(e.lr), fmt(e.train_loss), fmt(e.test_loss), fmt(e.seconds)});
  h.add_heading("Metrics");
  h.add_table({"phase", "epoch", "lr", "train loss", "test loss", "seconds"}, epochs, "metrics.csv");
  h.add_heading("Settings");
  h.add_preformatted(celltype_fit_settings(o), "what determines this run");
  return h.html();
}

}  // namespace

Status write_celltype_fit_outputs(const CelltypeSpec& spec, const TaskData& data, SignedRnn& model,
                                  const CelltypeFitResult& result, const Matrix& prediction,
                                  const CelltypeFitOptions& options, const std::string& dir, const std::string& title) {
  const Matrix w = model.recurrent_weights();
  BIORNN_RETURN_IF_ERROR(save_model_npz(model, join_path(dir, "model.npz")));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir, "loss.svg"), loss_svg(result, title)));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir, "connectivity.svg"), connectivity_svg(spec, w, title)));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir, "population_means.svg"), population_means_svg(spec, w, title)));
  for (int32_t p = 0; p < spec.populations(); ++p)
    BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir, "traces_" + spec.population_name(p) + ".svg"),
                                             traces_svg(spec, data.test, prediction, p, result.r2[std::size_t(p)], title)));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(dir, "report.html"), report_html(spec, data, result, options, title)));
  return write_file_atomic(join_path(dir, "summary.json"), summary_json(spec, data, result, options, title));
}

}  // namespace biornn
