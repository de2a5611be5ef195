// bench_celltype.cpp — `biornn bench celltype`: seconds per training epoch of the cell-type RNN
// at the paper's size (SPEC §7: 2000 samples × 15 steps, batch 200, 1440 units, Adam), for the
// dense phase and for fine-tuning on the CSR pattern pruned to the table's densities, with the
// peak memory of the process.
//
// The data is synthetic (uniform random traces of the right shape, no files needed): the
// arithmetic of an epoch does not depend on the values. Each phase trains one warm-up epoch
// (sizing every buffer), then times --epochs epochs and reports the median. The sparse model is
// the dense model's initial W pruned block-wise (top-prob, exact counts) — the same pattern
// density a real fit fine-tunes on.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "biornn/celltype_fit.hpp"
#include "biornn/json.hpp"
#include "biornn/kernels.hpp"
#include "biornn/train.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"

namespace biornn::cli {

namespace {

double peak_rss_megabytes() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

TaskData synthetic_celltype_data(int32_t populations, int32_t samples, int32_t steps, Rng& rng) {
  TaskData t;
  t.kind = TaskKind::kCelltype;
  for (SequenceData* d : {&t.train, &t.test}) {
    d->steps = steps;
    d->inputs = d->outputs = populations;
    d->x = Matrix(samples, steps * populations);
    d->y = Matrix(samples, steps * populations);
    for (int64_t k = 0; k < d->x.size(); ++k) d->x.data()[k] = real(rng.uniform(-0.5, 0.5));
    for (int64_t k = 0; k < d->y.size(); ++k) d->y.data()[k] = real(rng.uniform(-0.5, 0.5));
  }
  t.description = "synthetic cell-type-sized data";
  return t;
}

double median_epoch_seconds(Trainer& trainer, int64_t epochs) {
  std::vector<double> times;
  for (int64_t e = 0; e <= epochs; ++e) {  // epoch 0 warms every buffer up
    const auto t0 = std::chrono::steady_clock::now();
    trainer.train_epoch();
    if (e > 0) times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int bench_celltype_command(int argc, char** argv, int first) {
  Args a("biornn bench celltype",
         "Seconds per training epoch of the cell-type RNN (default spec: 1440 units; 2000 synthetic\n"
         "samples × 15 steps, batch 200, Adam): dense, then sparse fine-tuning at the table's block\n"
         "densities; plus the process's peak resident memory so far.",
         {{"json", "", "one JSON object per line", ""},
          {"threads", "LIST", "comma-separated thread counts", "the active count"},
          {"epochs", "N", "timed epochs per phase (the median is reported)", "1"},
          {"phases", "LIST", "dense,sparse or one of them", "dense,sparse"},
          {"spec", "FILE", "population spec (default: the paper's)", ""}});
  Status st = a.parse(argc, argv, first);
  if (st.ok() && a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  int64_t epochs = 1;
  if (st.ok()) st = a.get_int("epochs", 1, 100, &epochs);
  std::vector<int> thread_counts;
  bool dense = false, sparse = false;
  std::string item;
  for (char c : a.get("phases") + ",") {
    if (c != ',') { item += c; continue; }
    if (item == "dense") dense = true;
    else if (item == "sparse") sparse = true;
    else if (!item.empty() && st.ok()) st = invalid_argument("--phases: '" + item + "' is not dense or sparse");
    item.clear();
  }
  for (char c : (a.has("threads") ? a.get("threads") : std::to_string(active_threads())) + ",") {
    if (c != ',') { item += c; continue; }
    const int n = std::atoi(item.c_str());
    if (n < 1 && st.ok()) st = invalid_argument("--threads: '" + item + "' is not a thread count");
    thread_counts.push_back(n);
    item.clear();
  }
  StatusOr<CelltypeSpec> spec = st.ok() ? (a.has("spec") ? load_celltype_spec(a.get("spec")) : default_celltype_spec())
                                        : StatusOr<CelltypeSpec>(st);
  if (!spec.ok()) {
    std::fprintf(stderr, "biornn bench celltype: %s\n", spec.status().message().c_str());
    return 2;
  }
  const CelltypeSpec& s = spec.value();
  const bool json = a.has("json");
  if (json) std::printf("{\"bench\":\"info\",\"kernels\":%s}\n", json_string(kernel_summary()).c_str());
  else std::printf("%s\n%-7s %7s %7s %13s %10s %12s\n", kernel_summary().c_str(), "phase", "threads", "units", "epoch_s",
                   "density", "peak_MB");
  Rng data_rng(1);
  TaskData data = synthetic_celltype_data(s.populations(), 2000, 15, data_rng);
  st = prepare_celltype_task(s, &data);
  if (!st.ok()) {
    std::fprintf(stderr, "biornn bench celltype: %s\n", st.message().c_str());
    return 2;
  }
  OptimizerOptions adam;
  adam.kind = OptimizerKind::kAdam;
  for (int threads : thread_counts) {
    set_threads(threads);
    for (const char* phase : {"dense", "sparse"}) {
      const bool is_sparse = std::string(phase) == "sparse";
      if ((is_sparse && !sparse) || (!is_sparse && !dense)) continue;
      Rng init_rng(2);
      std::unique_ptr<SignedRnn> model = make_celltype_model(s, init_rng);
      double density = 1;
      if (is_sparse) {
        const Mask keep = celltype_prune_mask(s, model->recurrent_weights(), InterArealMask::kTopProb, true, 3);
        density = keep.density();
        model->make_sparse(keep);
      }
      Trainer trainer(*model, data, adam, 200, 4);
      const double seconds = median_epoch_seconds(trainer, epochs);
      if (json) {
        JsonWriter j;
        j.begin_object().field("bench", "celltype").field("phase", phase).field("threads", int64_t(active_threads()));
        j.field("epoch_seconds", seconds).field("units", int64_t(s.total_units())).field("samples", int64_t(2000));
        j.field("steps", int64_t(15)).field("batch", int64_t(200)).field("recurrent_density", density);
        j.field("peak_rss_mb", peak_rss_megabytes()).field("gemm", gemm_kernel_name(active_gemm_kernel()));
        j.field("data", "synthetic").end_object();
        std::printf("%s\n", j.str().c_str());
      } else {
        std::printf("%-7s %7d %7d %13.3f %10.4f %12.1f\n", phase, active_threads(), s.total_units(), seconds, density,
                    peak_rss_megabytes());
      }
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace biornn::cli
