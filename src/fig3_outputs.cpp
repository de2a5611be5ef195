// fig3_outputs.cpp — the CSV, JSON and SVG files of Fig. 3 (see fig3.hpp).
#include <cmath>
#include <cstdio>

#include "biornn/csv.hpp"
#include "biornn/fig3.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/plot.hpp"
#include "biornn/stats.hpp"

namespace biornn {

namespace {

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

LineSeries band_series(const std::string& name, const std::vector<double>& x, const std::vector<double>& mean,
                       const std::vector<double>& sd) {
  LineSeries s;
  s.name = name;
  s.x = x;
  s.y = mean;
  for (std::size_t i = 0; i < mean.size(); ++i) {
    s.band_lower.push_back(mean[i] - sd[i]);
    s.band_upper.push_back(mean[i] + sd[i]);
  }
  return s;
}

std::string mst_svg(const MstOverlapCurve& c) {
  LineSeries bound, expectation;
  bound.name = "App. 10.1 lower bound (top-prob)";
  bound.x = c.sparsity;
  bound.y = c.bound_mean;
  bound.dashed = true;
  expectation.name = "App. 10.2 expectation (random)";
  expectation.x = c.sparsity;
  expectation.y = c.expectation_mean;
  expectation.dashed = true;
  LinePlotOptions o;
  o.title = "Fig. 3B — MST overlap vs sparsity: " + c.matrices;
  o.x_label = "sparsity";
  o.y_label = "fraction of spanning-tree edges kept";
  o.y_min = 0;
  o.y_max = 1;
  return plot_lines({band_series("top-prob", c.sparsity, c.topprob_mean, c.topprob_sd),
                     band_series("random", c.sparsity, c.random_mean, c.random_sd), bound, expectation},
                    o);
}

std::string error_svg(TaskKind task, const std::vector<ErrorLevel>& levels) {
  std::vector<double> x, tp_m, tp_s, rn_m, rn_s;
  double min_holm = 1;
  for (const ErrorLevel& l : levels) {
    x.push_back(l.density);
    tp_m.push_back(mean_of(l.topprob));
    tp_s.push_back(l.topprob.size() > 1 ? sample_sd(l.topprob) : 0.0);
    rn_m.push_back(mean_of(l.random));
    rn_s.push_back(l.random.size() > 1 ? sample_sd(l.random) : 0.0);
    min_holm = std::fmin(min_holm, l.p_holm);
  }
  LinePlotOptions o;
  char title[160];
  std::snprintf(title, sizeof title, "Fig. 3C — %s: test error before fine-tuning (smallest Holm-adjusted p = %.3g)",
                task_name(task), min_holm);
  o.title = title;
  o.x_label = "connection probability (1 − sparsity)";
  o.y_label = task == TaskKind::kSeqMnist ? "cross-entropy" : "MSE per element";
  o.log_y = true;
  return plot_lines({band_series("top-prob", x, tp_m, tp_s), band_series("random", x, rn_m, rn_s)}, o);
}

std::string finetune_svg(TaskKind task, const std::vector<FinetuneCurve>& curves, double dense_loss) {
  std::vector<LineSeries> series;
  for (const FinetuneCurve& c : curves) {
    if (c.task != task || c.test_loss.empty()) continue;
    std::vector<double> x, m, sd;
    for (std::size_t e = 0; e < c.test_loss[0].size(); ++e) {
      std::vector<double> at;
      for (const std::vector<double>& run : c.test_loss)
        if (e < run.size()) at.push_back(run[e]);
      x.push_back(double(e));
      m.push_back(mean_of(at));
      sd.push_back(at.size() > 1 ? sample_sd(at) : 0.0);
    }
    series.push_back(band_series(c.method, x, m, sd));
  }
  LinePlotOptions o;
  o.title = std::string("Fig. 3D — ") + task_name(task) + ": fine-tuning at 90 % sparsity (epoch 0 = right after pruning)";
  o.x_label = "fine-tuning epoch";
  o.y_label = "test loss";
  o.log_y = true;
  o.reference_lines = {{dense_loss, "dense model"}};
  return plot_lines(series, o);
}

}  // namespace

Status write_fig3_outputs(const Fig3Options& options, const Fig3Result& r) {
  const std::string& out = options.out_dir;
  BIORNN_RETURN_IF_ERROR(make_directories(out));
  JsonWriter j;
  j.begin_object().field("runs", int64_t(options.runs)).field("mst_draws", int64_t(options.mst_draws)).field("quick", options.quick)
      .field("recurrent_init", recurrent_init_name(options.recurrent_init));

  std::vector<std::vector<std::string>> mst_rows;
  j.key("mst_overlap").begin_array();
  for (const MstOverlapCurve& c : r.mst) {
    j.begin_object().field("matrices", c.matrices).field("n", int64_t(c.n)).key("levels").begin_array();
    for (std::size_t l = 0; l < c.sparsity.size(); ++l) {
      mst_rows.push_back({c.matrices, std::to_string(c.n), csv_number(c.sparsity[l]), csv_number(c.topprob_mean[l]),
                          csv_number(c.topprob_sd[l]), csv_number(c.random_mean[l]), csv_number(c.random_sd[l]),
                          csv_number(c.bound_mean[l]), csv_number(c.expectation_mean[l])});
      j.begin_object().field("sparsity", c.sparsity[l]).field("topprob", c.topprob_mean[l]).field("random", c.random_mean[l]);
      j.field("bound", c.bound_mean[l]).field("expectation", c.expectation_mean[l]).end_object();
    }
    j.end_array().end_object();
    BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, "fig3B_" + slug(c.matrices) + ".svg"), mst_svg(c)));
  }
  j.end_array();
  BIORNN_RETURN_IF_ERROR(write_csv(join_path(out, "fig3_mst.csv"),
                                   {"matrices", "n", "sparsity", "topprob_mean", "topprob_sd", "random_mean", "random_sd",
                                    "bound", "random_expectation"},
                                   mst_rows));

  std::vector<std::vector<std::string>> error_rows, test_rows;
  j.key("error_before_finetuning").begin_array();
  for (const auto& task_levels : r.error) {
    const TaskKind task = task_levels.first;
    j.begin_object().field("task", task_name(task)).key("levels").begin_array();
    for (const ErrorLevel& l : task_levels.second) {
      for (std::size_t k = 0; k < l.topprob.size(); ++k) {
        error_rows.push_back({task_name(task), csv_number(l.density), "topprob", std::to_string(k + 1), csv_number(l.topprob[k])});
        error_rows.push_back({task_name(task), csv_number(l.density), "random", std::to_string(k + 1), csv_number(l.random[k])});
      }
      test_rows.push_back({task_name(task), csv_number(l.density), csv_number(mean_of(l.topprob)),
                           csv_number(mean_of(l.random)), csv_number(l.u), csv_number(l.p), csv_number(l.p_holm)});
      j.begin_object().field("density", l.density).field("topprob_mean", mean_of(l.topprob)).field("random_mean", mean_of(l.random));
      j.field("mann_whitney_u", l.u).field("p", l.p).field("p_holm", l.p_holm).end_object();
    }
    j.end_array().end_object();
    BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, std::string("fig3C_") + task_name(task) + ".svg"),
                                             error_svg(task, task_levels.second)));
  }
  j.end_array();
  BIORNN_RETURN_IF_ERROR(write_csv(join_path(out, "fig3_error.csv"), {"task", "density", "method", "run", "test_error"}, error_rows));
  BIORNN_RETURN_IF_ERROR(write_csv(join_path(out, "fig3_error_tests.csv"),
                                   {"task", "density", "topprob_mean", "random_mean", "mann_whitney_u", "p", "p_holm"}, test_rows));

  std::vector<std::vector<std::string>> ft_rows;
  j.key("finetune").begin_array();
  for (const FinetuneCurve& c : r.finetune) {
    j.begin_object().field("task", task_name(c.task)).field("method", c.method).key("runs").begin_array();
    for (std::size_t run = 0; run < c.test_loss.size(); ++run) {
      j.begin_array();
      for (std::size_t e = 0; e < c.test_loss[run].size(); ++e) {
        ft_rows.push_back({task_name(c.task), c.method, std::to_string(run + 1), std::to_string(e), csv_number(c.test_loss[run][e])});
        j.value(c.test_loss[run][e]);
      }
      j.end_array();
    }
    j.end_array().end_object();
  }
  j.end_array();
  for (const auto& dense : r.dense_test_loss)
    BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, std::string("fig3D_") + task_name(dense.first) + ".svg"),
                                             finetune_svg(dense.first, r.finetune, dense.second)));
  BIORNN_RETURN_IF_ERROR(write_csv(join_path(out, "fig3_finetune.csv"), {"task", "method", "run", "epoch", "test_loss"}, ft_rows));

  if (!r.panel_a.empty()) {
    std::vector<HistogramSeries> hist;
    for (const auto& named : r.panel_a) hist.push_back({named.first, named.second, ""});
    HistogramOptions ho;
    ho.title = std::string("Fig. 3A — ") + task_name(r.panel_a_task) + " (Dale, run 1): weights kept at 90 % sparsity";
    ho.x_label = "recurrent weight";
    ho.bins = 60;
    ho.log_y = true;
    BIORNN_RETURN_IF_ERROR(write_file_atomic(join_path(out, "fig3A_kept_weights.svg"), plot_histogram(hist, ho)));
  }
  j.key("notes").begin_array();
  for (const std::string& n : r.notes) j.value(n);
  j.end_array().end_object();
  return write_file_atomic(join_path(out, "fig3.json"), j.str() + "\n");
}

}  // namespace biornn
