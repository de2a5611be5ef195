// fig2_outputs.cpp — the tables, KL divergences and panels of Fig. 2 (see fig2.hpp).
#include <cmath>
#include <cstdio>

#include "biornn/csv.hpp"
#include "biornn/fig2.hpp"
#include "biornn/fileio.hpp"
#include "biornn/histogram.hpp"
#include "biornn/json.hpp"
#include "biornn/plot.hpp"
#include "biornn/stats.hpp"

namespace biornn {

namespace {

std::vector<double> flatten(const Matrix& m) { return std::vector<double>(m.data(), m.data() + m.size()); }

std::string fmt(double v) {
  if (std::isnan(v)) return "nan";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

// "mean ± sd", or the mean alone when there is no sd (a single run or pair).
std::string mean_sd_text(double mean, double sd) { return std::isnan(sd) ? fmt(mean) : fmt(mean) + " ± " + fmt(sd); }

const Fig2Cell* find_cell(const Fig2Result& r, TaskKind task, LearningRule rule) {
  for (const Fig2Cell& c : r.cells)
    if (c.task == task && c.rule == rule) return &c;
  return nullptr;
}

// KL(P_conventional ‖ P_rule) for every pair of runs, each pair on its own common edges.
std::vector<double> kl_pairs(const Fig2Cell& conventional, const Fig2Cell& other, int bins) {
  std::vector<double> out;
  for (const Matrix& a : conventional.final_w) {
    const std::vector<double> va = flatten(a);
    for (const Matrix& b : other.final_w) {
      const std::vector<double> vb = flatten(b);
      const std::vector<double> edges = common_edges({va, vb}, bins);
      out.push_back(kl_divergence(histogram_probabilities(va, edges), histogram_probabilities(vb, edges)));
    }
  }
  return out;
}

std::string curves_svg(const Fig2Result& r, TaskKind task) {
  std::vector<LineSeries> series;
  for (const Fig2Cell& c : r.cells) {
    if (c.task != task || c.test_curves.empty()) continue;
    LineSeries s;
    s.name = learning_rule_name(c.rule);
    std::size_t epochs = c.test_curves.empty() ? 0 : c.test_curves[0].size();
    for (std::size_t e = 0; e < epochs; ++e) {
      std::vector<double> at;
      for (const std::vector<double>& curve : c.test_curves)
        if (e < curve.size()) at.push_back(curve[e]);
      const double m = mean_of(at), sd = at.size() > 1 ? sample_sd(at) : 0.0;
      s.x.push_back(double(e + 1));
      s.y.push_back(m);
      s.band_lower.push_back(m - sd);
      s.band_upper.push_back(m + sd);
    }
    series.push_back(s);
  }
  LinePlotOptions o;
  o.title = std::string("Fig. 2C — ") + task_name(task) + ": test loss (mean ± sd over runs)";
  o.x_label = "epoch";
  o.y_label = task == TaskKind::kSeqMnist ? "cross-entropy" : "MSE per element";
  o.log_y = true;
  return plot_lines(series, o);
}

std::string hist_svg(const Fig2Result& r, TaskKind task) {
  std::vector<HistogramSeries> series;
  bool initial_added = false;
  for (const Fig2Cell& c : r.cells) {
    if (c.task != task || c.final_w.empty()) continue;
    if (!initial_added) {
      series.push_back({"initial (run 1)", flatten(c.initial_w[0]), ""});
      initial_added = true;
    }
    series.push_back({std::string(learning_rule_name(c.rule)) + " (run 1)", flatten(c.final_w[0]), ""});
  }
  HistogramOptions o;
  o.title = std::string("Fig. 2B — ") + task_name(task) + ": recurrent weights before and after training";
  o.x_label = "weight";
  o.density = true;
  o.log_y = true;
  o.bins = 80;
  return plot_histogram(series, o);
}

std::string weights_svg(const Fig2Cell& c) {
  const int32_t n_exc = c.excitatory;
  HeatmapOptions o;
  o.title = std::string("Fig. 2B — ") + task_name(c.task) + ", " + learning_rule_name(c.rule) + ": W after training (run 1)";
  o.colorbar_label = "weight";
  o.row_boundaries = {n_exc};
  o.col_boundaries = {n_exc};
  return plot_heatmap(c.final_w[0], o);
}

}  // namespace

Status write_fig2_outputs(const Fig2Options& options, const Fig2Result& r) {
  BIORNN_RETURN_IF_ERROR(make_directories(options.out_dir));
  std::vector<std::vector<std::string>> table_rows;
  std::string md = std::string("Recurrent init: ") + recurrent_init_name(options.recurrent_init) +
                   (options.recurrent_init == RecurrentInit::kUniform ? " (SPEC §1, the paper's)" : " (ours, not the paper's)") +
                   ".\n\n| task | rule | runs ok / diverged | final test loss (mean ± sd) | test accuracy % (mean ± sd) | sign violations |\n"
                   "|---|---|---|---|---|---|\n";
  JsonWriter j;
  j.begin_object().field("runs", int64_t(options.runs)).field("quick", options.quick)
      .field("recurrent_init", recurrent_init_name(options.recurrent_init));
  j.key("cells").begin_array();
  for (const Fig2Cell& c : r.cells) {
    const double m = mean_of(c.final_test_loss), sd = sample_sd(c.final_test_loss);
    const double am = c.final_test_accuracy.empty() ? NAN : 100 * mean_of(c.final_test_accuracy);
    const double asd = c.final_test_accuracy.size() > 1 ? 100 * sample_sd(c.final_test_accuracy) : NAN;
    int64_t violations = 0;
    for (int64_t v : c.sign_violations) violations += v;
    table_rows.push_back({task_name(c.task), learning_rule_name(c.rule), std::to_string(c.final_test_loss.size()),
                          std::to_string(c.diverged),
                          csv_number(m), csv_number(sd), csv_number(am), csv_number(asd), std::to_string(violations)});
    md += std::string("| ") + task_name(c.task) + " | " + learning_rule_name(c.rule) + " | " +
          std::to_string(c.final_test_loss.size()) + " / " + std::to_string(c.diverged) + " | " + mean_sd_text(m, sd) + " | " +
          (std::isnan(am) ? std::string("") : mean_sd_text(am, asd)) + " | " + std::to_string(violations) + " |\n";
    j.begin_object().field("task", task_name(c.task)).field("rule", learning_rule_name(c.rule));
    j.key("final_test_loss").begin_array();
    for (double v : c.final_test_loss) j.value(v);
    j.end_array();
    j.key("final_test_accuracy").begin_array();
    for (double v : c.final_test_accuracy) j.value(v);
    j.end_array();
    j.field("diverged_runs", int64_t(c.diverged)).field("test_loss_mean", m).field("test_loss_sd", sd).field("sign_violations", violations).end_object();
  }
  j.end_array();

  std::vector<std::vector<std::string>> kl_rows;
  std::vector<std::string> kl_categories;
  BarSeries kl_bars;
  kl_bars.name = "KL(P_conventional ‖ P_rule)";
  j.key("kl").begin_array();
  md += "\nKL(P_conventional ‖ P_rule) of the trained recurrent weights, over all run pairs (common bins, "
        "smoothing 1e-7, natural log):\n\n| task | rule | pairs | KL mean ± sd |\n|---|---|---|---|\n";
  for (TaskKind task : options.tasks) {
    const Fig2Cell* conventional = find_cell(r, task, LearningRule::kConventional);
    if (conventional == nullptr) continue;
    for (LearningRule rule : {LearningRule::kDale, LearningRule::kRectified}) {
      const Fig2Cell* other = find_cell(r, task, rule);
      if (other == nullptr || other->final_w.empty() || conventional->final_w.empty()) continue;
      const std::vector<double> kl = kl_pairs(*conventional, *other, options.kl_bins);
      const double m = mean_of(kl), sd = sample_sd(kl);
      kl_rows.push_back({task_name(task), learning_rule_name(rule), std::to_string(kl.size()), csv_number(m), csv_number(sd)});
      md += std::string("| ") + task_name(task) + " | " + learning_rule_name(rule) + " | " + std::to_string(kl.size()) +
            " | " + mean_sd_text(m, sd) + " |\n";
      kl_categories.push_back(std::string(task_name(task)) + " / " + learning_rule_name(rule));
      kl_bars.values.push_back(m);
      kl_bars.errors.push_back(std::isnan(sd) ? 0.0 : sd);
      kl_bars.points.push_back(kl);
      j.begin_object().field("task", task_name(task)).field("rule", learning_rule_name(rule)).field("mean", m).field("sd", sd);
      j.key("pairs").begin_array();
      for (double v : kl) j.value(v);
      j.end_array().end_object();
    }
  }
  j.end_array();
  j.key("notes").begin_array();
  for (const std::string& n : r.notes) {
    j.value(n);
    md += "\n" + n + "\n";
  }
  j.end_array().end_object();

  const std::string& out = options.out_dir;
  BIORNN_RETURN_IF_ERROR(write_csv(join_path(out, "table.csv"),
                                   {"task", "rule", "runs", "diverged_runs", "test_loss_mean", "test_loss_sd", "test_accuracy_mean_percent",
                                    "test_accuracy_sd_percent", "sign_violations"},
                                   table_rows));
  BIORNN_RETURN_IF_ERROR(write_csv(join_path(out, "kl.csv"), {"task", "rule", "pairs", "kl_mean", "kl_sd"}, kl_rows));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, "table.md"), md));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, "fig2.json"), j.str() + "\n"));
  for (TaskKind task : options.tasks) {
    bool any = false;
    for (const Fig2Cell& c : r.cells) any = any || c.task == task;
    if (!any) continue;
    BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, std::string("fig2_curves_") + task_name(task) + ".svg"), curves_svg(r, task)));
    BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, std::string("fig2_hist_") + task_name(task) + ".svg"), hist_svg(r, task)));
  }
  for (const Fig2Cell& c : r.cells) {
    if (c.final_w.empty()) continue;  // every run diverged
    BIORNN_RETURN_IF_ERROR(write_file_atomic(
        join_path(out, std::string("fig2_weights_") + task_name(c.task) + "_" + learning_rule_name(c.rule) + ".svg"),
        weights_svg(c)));
  }
  if (!kl_categories.empty()) {
    BarChartOptions bo;
    bo.title = "Fig. 2B — KL(P_conventional ‖ P_rule) of trained weights (mean ± sd over run pairs)";
    bo.y_label = "KL divergence (nats)";
    BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, "fig2_kl.svg"), plot_bars(kl_categories, {kl_bars}, bo)));
  }
  return Status();
}

}  // namespace biornn
