// cmd_celltype_fit.cpp — `biornn celltype fit` (one condition and window, several runs) and
// `biornn celltype all` (the 12 conditions × windows of the paper), both on celltype_fit.hpp.
//
// Everything the user supplies — flags, the spec, every data file of every condition — is read
// and checked before the first directory is made, so bad input leaves nothing behind. An
// existing output directory is an error unless --resume (continue: finished runs are reused,
// stopped ones continue from their checkpoint, with the settings recorded in fit.toml) or
// --force (start every run over). Ctrl-C stops after the current epoch with a checkpoint.
//
// Layout: fit:  OUT/fit.toml, OUT/run<k>/ (celltype_fit.hpp), OUT/summary.csv, OUT/summary.json
//         all:  OUT/<condition>_<window>/ as above, and OUT/summary.csv, OUT/summary.json over all.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "biornn/celltype_data.hpp"
#include "biornn/celltype_fit.hpp"
#include "biornn/celltype_summary.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/kernels.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/shared_options.hpp"

namespace biornn::cli {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_fit_stop_signal(int) { g_stop.store(true); }

std::vector<OptionSpec> common_options() {
  return {{"data", "DIR", "processed data: dff_<area>_<layer>_<type>_<condition>_<train|test>.npy", ""},
          {"out", "DIR", "output directory", ""},
          {"runs", "N", "independent runs (seeds seed, seed+1, ...)", "5"},
          {"dense-epochs", "N", "dense training epochs", "100"},
          {"finetune-epochs", "N", "fine-tuning epochs after pruning", "50"},
          {"spec", "FILE", "population spec (TOML, see celltype.hpp); default: the paper's 1440 units", ""},
          {"seed", "N", "seed of the first run", "1"},
          {"inter-areal", "NAME", "topprob (the paper) | random (Bernoulli mask, as the notebooks)", "topprob"},
          {"bernoulli", "", "independent keep draws per weight instead of exact counts per block", ""},
          {"no-cosine", "", "constant learning rate (default: cosine, T_max 10 epochs, min 1e-4)", ""},
          {"no-input-mask", "", "let every unit hear every population's input channel", ""},
          {"initial-drive", "", "learn a drive into every unit at the first step, so a trial need not start from\n"
                                "rest (an extra input channel, 1 at step 0; not in the paper)", ""},
          {"recurrent-init", "NAME", "uniform (SPEC) | balanced (I columns of W scaled by n_E/n_I, so each unit's\n"
                                     "recurrent input sums to 0 on average; not in the paper)", "uniform"},
          {"lr", "X", "Adam learning rate", "0.001"},
          {"batch", "N", "mini-batch size", "200"},
          {"selection-samples", "N", "test samples scored after every epoch to keep the best one (the first N;\n"
                                     "0: all); R² and the traces use the whole test set", "500"},
          {"threads", "N", "kernel threads (default: BIORNN_THREADS or all cores)", ""},
          {"resume", "", "continue in an existing output directory (finished runs are reused)", ""},
          {"force", "", "start over in an existing output directory", ""},
          {"quiet", "", "no progress output", ""}};
}

struct FitSetup {
  CelltypeSpec spec;
  std::string spec_path;  // "" for the default
  CelltypeFitOptions options;
  int32_t runs = 5;
  bool resume = false, force = false, quiet = false;
};

Status read_setup(const Args& a, FitSetup* s) {
  if (!a.positional().empty()) return invalid_argument("unexpected argument '" + a.positional()[0] + "'");
  if (!a.has("data")) return invalid_argument("--data DIR is required (the processed .npy files)");
  if (!a.has("out")) return invalid_argument("--out DIR is required");
  if (a.has("resume") && a.has("force")) return invalid_argument("--resume and --force exclude each other");
  int64_t v = 0;
  CelltypeFitOptions& o = s->options;
  BIORNN_RETURN_IF_ERROR(a.get_int("runs", 1, 1000, &v));
  s->runs = int32_t(v);
  BIORNN_RETURN_IF_ERROR(a.get_int("dense-epochs", 0, 100000, &v));
  o.dense_epochs = int32_t(v);
  BIORNN_RETURN_IF_ERROR(a.get_int("finetune-epochs", 0, 100000, &v));
  o.finetune_epochs = int32_t(v);
  BIORNN_RETURN_IF_ERROR(a.get_int("seed", 0, INT64_MAX, &v));
  o.seed = uint64_t(v);
  BIORNN_RETURN_IF_ERROR(a.get_int("batch", 1, 1000000, &v));
  o.batch = int32_t(v);
  BIORNN_RETURN_IF_ERROR(a.get_int("selection-samples", 0, 100000000, &v));
  o.selection_samples = int32_t(v);
  BIORNN_RETURN_IF_ERROR(a.get_double("lr", &o.lr));
  if (!(o.lr > 0)) return invalid_argument("--lr must be > 0, got " + a.get("lr"));
  if (!parse_inter_areal_mask(a.get("inter-areal"), &o.inter_areal))
    return invalid_argument("--inter-areal must be topprob or random, got '" + a.get("inter-areal") + "'");
  o.exact = !a.has("bernoulli");
  o.cosine = !a.has("no-cosine");
  o.input_mask = !a.has("no-input-mask");
  o.initial_drive = a.has("initial-drive");
  BIORNN_RETURN_IF_ERROR(read_recurrent_init_option(a, &o.recurrent_init));
  if (o.cosine && o.lr < o.cosine_min_lr) o.cosine_min_lr = o.lr;  // the schedule never raises the rate
  BIORNN_RETURN_IF_ERROR(validate_celltype_fit_options(o));
  BIORNN_RETURN_IF_ERROR(apply_threads_option(a));
  s->resume = a.has("resume");
  s->force = a.has("force");
  s->quiet = a.has("quiet");
  s->spec_path = a.get("spec");
  StatusOr<CelltypeSpec> spec = s->spec_path.empty() ? default_celltype_spec() : load_celltype_spec(s->spec_path);
  if (!spec.ok()) return spec.status();
  s->spec = std::move(spec.value());
  return check_celltype_recurrent_init(s->spec, o.recurrent_init);
}

// The data of one condition and window, read and checked.
StatusOr<TaskData> load_group_data(const FitSetup& s, const std::string& data_dir, const std::string& condition,
                                   CelltypeWindow window) {
  StatusOr<TaskData> data = load_celltype_data(s.spec, data_dir, condition, window);
  if (!data.ok()) return data.status();
  BIORNN_RETURN_IF_ERROR(prepare_celltype_task(s.spec, &data.value()).with_context(data_dir + ", " + condition));
  return data;
}

std::string fit_toml(const FitSetup& s, const std::string& data_dir, const std::string& condition,
                     CelltypeWindow window) {
  return "# biornn celltype fit: the settings of the runs in this directory (--resume checks them)\n"
         "data = " + json_string(data_dir) + "\ncondition = " + json_string(condition) + "\nwindow = \"" +
         celltype_window_name(window) + "\"\nspec = " + json_string(s.spec_path.empty() ? "(default)" : s.spec_path) +
         "\nruns = " + std::to_string(s.runs) + "\n" + celltype_fit_settings(s.options);
}

// An existing, non-empty output directory needs --resume or --force.
Status check_out_dir(const FitSetup& s, const std::string& out, const std::string& command) {
  if (!directory_exists(out) && !file_exists(out)) return Status();
  if (file_exists(out)) return invalid_argument(out + " is a file; --out needs a directory");
  if (s.resume || s.force) return Status();
  return invalid_argument(out + " already exists; pass --resume to continue the runs in it or --force to start over (" +
                          command + ")");
}

// Runs (or reuses) the runs of one condition and window in `dir`; appends their rows.
Status fit_group(const FitSetup& s, const TaskData& data, const std::string& data_dir, const std::string& condition,
                 CelltypeWindow window, const std::string& dir, const std::string& label, std::vector<CelltypeRunRecord>* rows) {
  const std::string toml = fit_toml(s, data_dir, condition, window);
  const std::string toml_path = join_path(dir, "fit.toml");
  if (s.resume && file_exists(toml_path)) {
    StatusOr<std::vector<uint8_t>> old = read_file(toml_path, 1 << 20);
    if (!old.ok()) return old.status();
    if (std::string(old.value().begin(), old.value().end()) != toml)
      return invalid_argument(toml_path + " records other settings than these; continue with the same flags, or use --force");
  }
  BIORNN_RETURN_IF_ERROR(make_directories(dir));
  BIORNN_RETURN_IF_ERROR(write_file_atomic(toml_path, toml));
  std::vector<CelltypeRunRecord> group;
  for (int32_t k = 1; k <= s.runs; ++k) {
    CelltypeFitOptions o = s.options;
    o.seed = s.options.seed + uint64_t(k - 1);
    const std::string title = condition + ", " + celltype_window_name(window) + " window, run " + std::to_string(k);
    CelltypeFitHooks hooks;
    hooks.stop = &g_stop;
    if (!s.quiet) {
      hooks.log = [&](const std::string& line) { std::fprintf(stderr, "%s %s\n", label.c_str(), line.c_str()); };
      hooks.on_epoch = [&, k](const CelltypeEpoch& e) {
        const int32_t total = e.phase == "dense" ? o.dense_epochs : o.finetune_epochs;
        std::fprintf(stderr, "%s run %d/%d %-8s %3d/%-3d lr %.2e  train %.4g  test %.4g  %.2fs\n", label.c_str(), k, s.runs,
                     e.phase.c_str(), e.epoch, total, e.lr, e.train_loss, e.test_loss, e.seconds);
        std::fflush(stderr);
      };
    }
    const std::string run_dir = join_path(dir, "run" + std::to_string(k));
    StatusOr<CelltypeFitResult> r = fit_celltype_run(s.spec, data, o, run_dir, title, s.force, hooks);
    if (!r.ok()) return r.status();
    group.push_back({condition, celltype_window_name(window), k, o.seed, std::move(r.value()), run_dir, data_dir});
  }
  BIORNN_RETURN_IF_ERROR(write_celltype_summary(s.spec, group, dir));
  rows->insert(rows->end(), group.begin(), group.end());
  return Status();
}

void print_table(const CelltypeSpec& spec, const std::vector<CelltypeRunRecord>& rows) {
  std::printf("%-22s %-5s %4s %12s %12s %12s %8s %8s %9s %6s\n", "condition", "win", "run", "dense_loss", "pruned_loss",
              "final_loss", "mean_R2", "min_R2", "max_dens", "signs");
  for (const CelltypeRunRecord& r : rows) {
    const CelltypeFitResult& f = r.result;
    std::printf("%-22s %-5s %4d %12.4g %12.4g %12.4g %8.4f %8.4f %9.4f %6lld%s\n", r.condition.c_str(), r.window.c_str(),
                r.run, f.best_dense_loss, f.loss_after_pruning, f.best_finetune_loss, celltype_mean_r2(spec, f.r2),
                celltype_min_r2(spec, f.r2), f.max_density_deviation, static_cast<long long>(f.sign_violations),
                f.reused ? "  (reused)" : "");
  }
  print_lagging_runs(rows);
}

// report_failure, plus how to continue after an interruption.
int fail(const std::string& command, const Status& s) {
  const int status = report_failure(command, s);
  if (s.code() == StatusCode::kCancelled)
    std::fprintf(stderr, "%s: continue with the same command and --resume\n", command.c_str());
  return status;
}

// Installs the Ctrl-C handler for the duration of a command.
struct StopOnSignal {
  StopOnSignal() {
    std::signal(SIGINT, on_fit_stop_signal);
    std::signal(SIGTERM, on_fit_stop_signal);
  }
  ~StopOnSignal() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
};

}  // namespace

void print_lagging_runs(const std::vector<CelltypeRunRecord>& rows) {
  for (const CelltypeLaggingRun& lag : celltype_lagging_runs(rows))
    std::printf("note: %s\n", describe_lagging_run(rows, lag).c_str());
}

int cmd_celltype_fit(int argc, char** argv, int first) {
  const std::string command = "biornn celltype fit";
  std::vector<OptionSpec> options = common_options();
  options.insert(options.begin() + 1, {"condition", "NAME", "the data condition, e.g. familiar_change", ""});
  options.insert(options.begin() + 2, {"window", "NAME", "full (15 steps) | half (7 steps)", "full"});
  Args a(command,
         "Fits the cell-type RNN to one condition and window: dense training (best epoch kept),\n"
         "block-wise top-prob pruning to the connectivity table, fine-tuning on the pruned pattern\n"
         "(best epoch kept), --runs times with consecutive seeds. Each OUT/run<k>/ gets model.npz,\n"
         "metrics.csv, summary.json, SVG pictures and report.html; OUT/summary.csv and summary.json\n"
         "list every run.",
         options);
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return fail(command, st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  FitSetup s;
  st = read_setup(a, &s);
  if (st.ok() && !a.has("condition")) st = invalid_argument("--condition NAME is required (e.g. familiar_change)");
  if (!st.ok()) return fail(command, st);
  CelltypeWindow window;
  if (!parse_celltype_window(a.get("window"), &window))
    return fail(command, invalid_argument("--window must be full or half, got '" + a.get("window") + "'"));
  StatusOr<TaskData> data = load_group_data(s, a.get("data"), a.get("condition"), window);
  if (!data.ok()) return fail(command, data.status());
  st = check_out_dir(s, a.get("out"), command);
  if (!st.ok()) return fail(command, st);
  if (!s.quiet) std::fprintf(stderr, "%s: %s\n  %s\n", command.c_str(), data.value().description.c_str(), kernel_summary().c_str());
  std::vector<CelltypeRunRecord> rows;
  {
    StopOnSignal guard;
    st = fit_group(s, data.value(), a.get("data"), a.get("condition"), window, a.get("out"),
                   "[" + a.get("condition") + " " + celltype_window_name(window) + "]", &rows);
  }
  if (!st.ok()) return fail(command, st);
  print_table(s.spec, rows);
  std::printf("results: %s (summary.csv, run<k>/report.html)\n", a.get("out").c_str());
  return 0;
}

int cmd_celltype_all(int argc, char** argv, int first) {
  const std::string command = "biornn celltype all";
  std::vector<OptionSpec> options = common_options();
  options.insert(options.begin() + 1, {"conditions", "LIST", "comma-separated conditions", "the paper's six"});
  options.insert(options.begin() + 2, {"windows", "LIST", "comma-separated windows", "full,half"});
  Args a(command,
         "Fits every condition × window (the paper's 6 conditions × full and half windows = 12\n"
         "groups of --runs runs) into OUT/<condition>_<window>/, with progress on stderr, and writes\n"
         "OUT/summary.csv and OUT/summary.json over all runs. Every data file is checked first.",
         options);
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return fail(command, st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  FitSetup s;
  st = read_setup(a, &s);
  if (!st.ok()) return fail(command, st);
  auto split = [](const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text + ",") {
      if (c != ',') { item += c; continue; }
      if (!item.empty()) out.push_back(item);
      item.clear();
    }
    return out;
  };
  const std::vector<std::string> conditions = a.has("conditions") ? split(a.get("conditions")) : celltype_conditions();
  std::vector<CelltypeWindow> windows;
  for (const std::string& w : split(a.get("windows"))) {
    CelltypeWindow parsed;
    if (!parse_celltype_window(w, &parsed))
      return fail(command, invalid_argument("--windows: '" + w + "' is not a window; expected full or half"));
    windows.push_back(parsed);
  }
  if (conditions.empty() || windows.empty()) return fail(command, invalid_argument("no condition or window to fit"));
  std::vector<TaskData> data;  // condition-major, every file read before anything is written
  for (const std::string& c : conditions) {
    for (CelltypeWindow w : windows) {
      StatusOr<TaskData> d = load_group_data(s, a.get("data"), c, w);
      if (!d.ok()) return fail(command, d.status());
      data.push_back(std::move(d.value()));
    }
  }
  st = check_out_dir(s, a.get("out"), command);
  if (!st.ok()) return fail(command, st);
  if (!s.quiet) std::fprintf(stderr, "%s: %zu groups × %d runs\n  %s\n", command.c_str(), data.size(), s.runs, kernel_summary().c_str());
  std::vector<CelltypeRunRecord> rows;
  {
    StopOnSignal guard;
    std::size_t k = 0;
    for (const std::string& c : conditions) {
      for (CelltypeWindow w : windows) {
        const std::string name = c + "_" + celltype_window_name(w);
        const std::string label = "[" + std::to_string(k + 1) + "/" + std::to_string(data.size()) + " " + name + "]";
        st = fit_group(s, data[k], a.get("data"), c, w, join_path(a.get("out"), name), label, &rows);
        if (!st.ok()) return fail(command, st);
        st = write_celltype_summary(s.spec, rows, a.get("out"));  // after every group: the table so far
        if (!st.ok()) return fail(command, st);
        ++k;
      }
    }
  }
  print_table(s.spec, rows);
  std::printf("results: %s (summary.csv, <condition>_<window>/run<k>/report.html)\n", a.get("out").c_str());
  return 0;
}

}  // namespace biornn::cli
