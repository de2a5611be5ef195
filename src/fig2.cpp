// fig2.cpp — running the Fig. 2 grid of training runs (see fig2.hpp); the tables and panels
// are written by fig2_outputs.cpp.
#include "biornn/fig2.hpp"

#include <chrono>
#include <cstdio>

#include "biornn/fileio.hpp"

namespace biornn {

Status write_fig2_outputs(const Fig2Options& options, const Fig2Result& result);  // fig2_outputs.cpp

TrainConfig fig2_run_config(const Fig2Options& o, TaskKind task, LearningRule rule, int32_t run) {
  TrainConfig c = default_train_config(task, rule);
  c.seed = uint64_t(run);
  c.data_dir = o.mnist_dir;
  c.recurrent_init = o.recurrent_init;
  if (o.quick) {
    // Small enough that all nine cells and their runs finish in about a minute.
    c.hidden = 32;
    c.lr = 5e-3;
    switch (task) {
      case TaskKind::kFlipFlop: c.epochs = 4; c.train_limit = 600; c.test_limit = 200; c.batch = 100; break;
      case TaskKind::kWave: c.epochs = 3; c.train_limit = 40; c.test_limit = 20; c.batch = 20; break;
      case TaskKind::kSeqMnist: c.epochs = 2; c.train_limit = 2000; c.test_limit = 1000; c.batch = 100; break;
      case TaskKind::kCelltype: break;  // not part of Fig. 2
    }
  }
  return c;
}

std::string fig2_run_dir(const std::string& out_dir, TaskKind task, LearningRule rule, int32_t run) {
  return join_path(join_path(join_path(out_dir, task_name(task)), learning_rule_name(rule)), "seed" + std::to_string(run));
}

Status check_reused_run_config(const TrainConfig& wanted, const TrainConfig& found, const std::string& dir) {
  TrainConfig want = wanted;
  resolve_seeds(&want);
  TomlDocument a = train_config_to_toml(want), b = train_config_to_toml(found);
  // Where the data and a pruned run's source were read from, and the thread count, do not
  // change what was trained (the source's own configuration is in every other key).
  for (TomlDocument* d : {&a, &b}) {
    d->set("data.dir", TomlValue::of_string(""));
    d->set("run.threads", TomlValue::of_integer(0));
    if (d->contains("prune.source")) d->set("prune.source", TomlValue::of_string(""));
  }
  if (a == b) return Status();
  const auto dotted = [](const TomlTable& table, const TomlEntry& e) {
    return table.name.empty() ? e.key : table.name + "." + e.key;
  };
  std::string differences;
  for (const TomlTable& table : a.tables()) {
    for (const TomlEntry& e : table.entries) {
      const TomlValue* there = b.find(dotted(table, e));
      if (there != nullptr && *there == e.value) continue;
      differences += "\n  " + dotted(table, e) + ": the run has " + (there ? toml_value_string(*there) : std::string("nothing")) +
                     ", this reproduction wants " + toml_value_string(e.value);
    }
  }
  for (const TomlTable& table : b.tables())  // keys only the run has ([prune] in a dense slot)
    for (const TomlEntry& e : table.entries)
      if (a.find(dotted(table, e)) == nullptr)
        differences += "\n  " + dotted(table, e) + ": the run has " + toml_value_string(e.value) + ", this reproduction wants nothing";
  return invalid_argument(dir + " holds a run with another configuration:" + differences +
                          "\n(choose another output directory, or delete this run to train it again)");
}

Status check_reusable_run(const TrainConfig& wanted, const std::string& dir) {
  if (!file_exists(join_path(dir, "checkpoint.bin"))) return Status();
  StatusOr<TrainConfig> found = TrainingRun::read_config(dir);
  if (!found.ok()) return found.status().with_context("reusing " + dir + " (delete it to start over)");
  return check_reused_run_config(wanted, found.value(), dir);
}

StatusOr<std::unique_ptr<TrainingRun>> train_or_reuse_run(const TrainConfig& c, const std::string& dir,
                                                          const std::function<void(const std::string&)>& log) {
  std::unique_ptr<TrainingRun> run;
  if (file_exists(join_path(dir, "checkpoint.bin"))) {
    // Checked before the run is loaded: resuming builds its data set (MNIST: seconds).
    BIORNN_RETURN_IF_ERROR(check_reusable_run(c, dir));
    StatusOr<std::unique_ptr<TrainingRun>> resumed = TrainingRun::resume(dir);
    if (!resumed.ok()) return resumed.status().with_context("reusing " + dir + " (delete it to start over)");
    run = std::move(resumed.value());
    if (log) log((run->epochs_done() >= run->config().epochs ? "reusing " : "resuming ") + dir);
  } else {
    StatusOr<std::unique_ptr<TrainingRun>> created = TrainingRun::create(c);
    if (!created.ok()) return created.status();
    run = std::move(created.value());
    BIORNN_RETURN_IF_ERROR(run->start_directory(dir, true));
    if (log) log("training " + dir);
  }
  if (run->epochs_done() < run->config().epochs) {
    const auto start = std::chrono::steady_clock::now();
    BIORNN_RETURN_IF_ERROR(run->train(nullptr));
    BIORNN_RETURN_IF_ERROR(run->write_outputs());
    if (log) {
      // A long reproduction logs nothing per epoch, so each finished run says how it ended.
      const EpochRecord& last = run->history().back();
      char line[160];
      std::snprintf(line, sizeof line, "done in %.1f s: test loss %.4g",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), last.test_loss);
      std::string text = line;
      if (last.test_accuracy >= 0) {
        std::snprintf(line, sizeof line, ", test accuracy %.2f %%", 100 * last.test_accuracy);
        text += line;
      }
      log(text);
    }
  }
  return run;
}

StatusOr<Fig2Result> reproduce_fig2(const Fig2Options& o, const std::function<void(const std::string&)>& log) {
  BIORNN_CHECK(o.runs >= 1, "reproduce_fig2: runs must be >= 1");
  Fig2Result result;
  int32_t total = 0, started = 0;
  for (TaskKind task : o.tasks) {
    if (task == TaskKind::kSeqMnist && o.mnist_dir.empty()) continue;
    total += int32_t(o.rules.size()) * o.runs;
    for (LearningRule rule : o.rules)
      for (int32_t k = 1; k <= o.runs; ++k)
        BIORNN_RETURN_IF_ERROR(check_reusable_run(fig2_run_config(o, task, rule, k), fig2_run_dir(o.out_dir, task, rule, k)));
  }
  for (TaskKind task : o.tasks) {
    if (task == TaskKind::kSeqMnist && o.mnist_dir.empty()) {
      result.notes.push_back("sequential MNIST skipped: no MNIST directory was given (--data DIR)");
      continue;
    }
    for (LearningRule rule : o.rules) {
      Fig2Cell cell;
      cell.task = task;
      cell.rule = rule;
      for (int32_t k = 1; k <= o.runs; ++k) {
        const std::string dir = fig2_run_dir(o.out_dir, task, rule, k);
        const std::string counter = "[" + std::to_string(++started) + "/" + std::to_string(total) + "] ";
        const auto counted_log = [&](const std::string& line) {
          if (log) log(counter + line);
        };
        StatusOr<std::unique_ptr<TrainingRun>> run =
            train_or_reuse_run(fig2_run_config(o, task, rule, k), dir, counted_log);
        if (!run.ok() && run.status().code() == StatusCode::kNumericalFailure) {
          ++cell.diverged;
          result.notes.push_back(std::string(task_name(task)) + " / " + learning_rule_name(rule) + " / seed " +
                                 std::to_string(k) + " diverged: " + run.status().message());
          continue;
        }
        if (!run.ok()) return run.status();
        const TrainingRun& r = *run.value();
        const EpochRecord& last = r.history().back();
        cell.final_test_loss.push_back(last.test_loss);
        if (last.test_accuracy >= 0) cell.final_test_accuracy.push_back(last.test_accuracy);
        std::vector<double> curve;
        for (const EpochRecord& e : r.history()) curve.push_back(e.test_loss);
        cell.test_curves.push_back(curve);
        cell.initial_w.push_back(r.initial_recurrent());
        cell.final_w.push_back(r.model().recurrent_weights());
        cell.sign_violations.push_back(r.model().sign_violations());
        cell.excitatory = r.model().excitatory();
      }
      result.cells.push_back(std::move(cell));
    }
  }
  BIORNN_RETURN_IF_ERROR(write_fig2_outputs(o, result));
  return result;
}

}  // namespace biornn
