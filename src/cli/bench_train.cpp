// bench_train.cpp — `biornn bench train`: seconds per training epoch per task at the SPEC
// sizes (flip-flop 6000 × 50 steps, wave 1000 × 500 steps, sequential MNIST 60000 × 28 steps;
// 128 units), with the peak memory of the process.
//
// Sequential MNIST uses the IDX files in --data when given; otherwise a synthetic set of the
// same size (random pixels): the arithmetic of an epoch does not depend on the pixel values,
// and the output says which was used. Each measurement trains a few batches first (sizing
// every buffer), then times whole epochs of training (evaluation is timed separately).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "biornn/json.hpp"
#include "biornn/kernels.hpp"
#include "biornn/run.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

double peak_rss_mb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

TaskData synthetic_mnist(Rng& rng) {
  TaskData t;
  t.kind = TaskKind::kSeqMnist;
  for (SequenceData* d : {&t.train, &t.test}) {
    const int32_t n = d == &t.train ? 60000 : 10000;
    d->steps = 28;
    d->inputs = 28;
    d->outputs = 10;
    d->x_bytes.resize(std::size_t(n) * 28 * 28);
    for (uint8_t& px : d->x_bytes) px = uint8_t(rng.uniform_int(256));
    d->x_byte_scale = real(1) / real(255);
    d->labels.resize(std::size_t(n));
    for (int32_t& l : d->labels) l = int32_t(rng.uniform_int(10));
  }
  t.description = "synthetic sequential-MNIST-sized data (60000 / 10000 random 28×28 images)";
  return t;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

}  // namespace

int bench_train_command(int argc, char** argv, int first) {
  Args a("biornn bench train",
         "Seconds per training epoch per task (SPEC sizes, 128 units, Adam, default batch) and the\n"
         "peak resident memory of the process so far. Tasks run in the order given, so list\n"
         "seqmnist first to read its peak memory alone.",
         {{"json", "", "one JSON object per line", ""},
          {"tasks", "LIST", "comma-separated tasks", "seqmnist,flipflop,wave"},
          {"rules", "LIST", "comma-separated learning rules", "dale"},
          {"threads", "LIST", "comma-separated thread counts", "the active count"},
          {"epochs", "N", "timed epochs per measurement (the median is reported)", "1"},
          {"data", "DIR", "MNIST IDX directory (default: synthetic data of the same size)", ""}});
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return a.fail(st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  int64_t epochs = 1;
  st = a.get_int("epochs", 1, 100, &epochs);
  if (!st.ok()) return a.fail(st);
  std::vector<int> thread_counts;
  for (const std::string& t : split_list(a.has("threads") ? a.get("threads") : std::to_string(active_threads()))) {
    const int n = std::atoi(t.c_str());
    if (n < 1) {
      std::fprintf(stderr, "biornn bench train: --threads: '%s' is not a thread count\n", t.c_str());
      return 2;
    }
    thread_counts.push_back(n);
  }
  const bool json = a.has("json");
  if (json) std::printf("{\"bench\":\"info\",\"kernels\":%s}\n", json_string(kernel_summary()).c_str());
  else std::printf("%s\n%-9s %-13s %7s %13s %13s %12s\n", kernel_summary().c_str(), "task", "rule", "threads",
                   "epoch_s", "eval_s", "peak_MB");
  for (const std::string& task_text : split_list(a.get("tasks"))) {
    TaskKind task;
    if (!parse_task(task_text, &task)) {
      std::fprintf(stderr, "biornn bench train: unknown task '%s'\n", task_text.c_str());
      return 2;
    }
    for (const std::string& rule_text : split_list(a.get("rules"))) {
      LearningRule rule;
      if (!parse_learning_rule(rule_text, &rule)) {
        std::fprintf(stderr, "biornn bench train: unknown rule '%s'\n", rule_text.c_str());
        return 2;
      }
      TrainConfig c = default_train_config(task, rule);
      c.data_dir = a.get("data");
      resolve_seeds(&c);
      // The data lives in `synthetic` or in `holder` (a run built only for its data, so
      // nothing is copied: MNIST's pixels alone are 220 MB in a float build).
      TaskData synthetic;
      std::unique_ptr<TrainingRun> holder;
      if (task == TaskKind::kSeqMnist && c.data_dir.empty()) {
        Rng rng(c.data_seed);
        synthetic = synthetic_mnist(rng);
      } else {
        StatusOr<std::unique_ptr<TrainingRun>> probe = TrainingRun::create(c);
        if (!probe.ok()) {
          std::fprintf(stderr, "biornn bench train: %s\n", probe.status().message().c_str());
          return 2;
        }
        holder = std::move(probe.value());
      }
      const TaskData& data = holder ? holder->data() : synthetic;
      for (int threads : thread_counts) {
        set_threads(threads);
        Rng init_rng(c.init_seed);
        SignedRnn model(rnn_spec_for(c, data.train.inputs, task == TaskKind::kSeqMnist ? 10 : data.train.outputs), init_rng);
        Trainer trainer(model, data, optimizer_options_for(c), c.batch, c.shuffle_seed);
        std::vector<double> times;
        for (int64_t e = 0; e <= epochs; ++e) {  // epoch 0 warms every buffer up
          const auto t0 = std::chrono::steady_clock::now();
          trainer.train_epoch();
          if (e > 0) times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(times.begin(), times.end());
        const double epoch_seconds = times[times.size() / 2];
        const auto t1 = std::chrono::steady_clock::now();
        trainer.evaluate(data.test);
        const double eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
        const bool is_synthetic = task == TaskKind::kSeqMnist && c.data_dir.empty();
        if (json) {
          JsonWriter j;
          j.begin_object().field("bench", "train").field("task", task_name(task)).field("rule", learning_rule_name(rule));
          j.field("threads", int64_t(active_threads())).field("epoch_seconds", epoch_seconds);
          j.field("eval_seconds", eval_seconds).field("train_samples", int64_t(data.train.size()));
          j.field("batch", int64_t(c.batch)).field("hidden", int64_t(c.hidden)).field("peak_rss_mb", peak_rss_mb());
          j.field("data", is_synthetic ? "synthetic" : "real").field("gemm", gemm_kernel_name(active_gemm_kernel()));
          j.end_object();
          std::printf("%s\n", j.str().c_str());
        } else {
          std::printf("%-9s %-13s %7d %13.3f %13.3f %12.1f%s\n", task_name(task), learning_rule_name(rule), active_threads(),
                      epoch_seconds, eval_seconds, peak_rss_mb(), is_synthetic ? "  (synthetic data)" : "");
        }
        std::fflush(stdout);
      }
    }
  }
  return 0;
}

}  // namespace biornn::cli
