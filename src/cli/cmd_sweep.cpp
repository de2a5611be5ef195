// cmd_sweep.cpp — `biornn sweep`: the job list of a cell-type study (conditions × windows × run
// seeds), one complete `biornn celltype fit` command line per job, for GNU parallel or a Slurm
// array on as many machines as there are; and `biornn aggregate`, which merges the finished jobs
// into the summary `celltype all` writes (celltype_summary.hpp).
//
// Each job fits one seed (--runs 1 --seed S) into its own directory OUT/<condition>_<window>/
// seed<S>/, with --resume, so a job that was stopped (preempted, Ctrl-C) continues from its
// checkpoint when run again and a finished one is reused. Paths in the job lines are made
// absolute: jobs may start in another working directory. The flags are checked, and (unless
// --no-check) every data file the jobs will read, before anything is printed.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "biornn/celltype_data.hpp"
#include "biornn/celltype_fit.hpp"
#include "biornn/celltype_summary.hpp"
#include "biornn/fileio.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/shared_options.hpp"

namespace biornn::cli {

namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c != ',') {
      item += c;
    } else if (!item.empty()) {
      out.push_back(item);
      item.clear();
    }
  }
  return out;
}

// A word as the shell reads it back: as is when it holds only safe characters, else in single
// quotes (a ' inside becomes '\'').
std::string shell_quote(const std::string& word) {
  bool safe = !word.empty();
  for (char c : word)
    safe = safe && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string("_-+=.,/:@%").find(c) != std::string::npos);
  if (safe) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

// Flags handed to every job unchanged (after being checked here).
const char* const kValueFlags[] = {"dense-epochs", "finetune-epochs", "inter-areal", "lr", "batch", "selection-samples",
                                   "threads", "recurrent-init"};
const char* const kSwitches[] = {"bernoulli", "no-cosine", "no-input-mask", "initial-drive"};

}  // namespace

int cmd_sweep(int argc, char** argv, int first) {
  const std::string command = "biornn sweep";
  Args a(command,
         "Writes the job list of a cell-type study: one complete `biornn celltype fit` command line\n"
         "per condition x window x run seed, each fitting one seed into OUT/<condition>_<window>/seed<S>/\n"
         "with --resume (a stopped job continues, a finished one is reused when run again). Run the\n"
         "lines anywhere that sees the data and OUT, then merge them with `biornn aggregate`:\n\n"
         "  biornn sweep --data data/ --out study/ --jobs jobs.txt\n"
         "  parallel -j 2 < jobs.txt                          # GNU parallel on this machine\n"
         "  parallel --sshloginfile hosts -j 1 < jobs.txt     # GNU parallel over several machines\n"
         "  sbatch --array=1-$(wc -l < jobs.txt) --cpus-per-task=2 \\\n"
         "         --wrap 'sed -n \"${SLURM_ARRAY_TASK_ID}p\" jobs.txt | bash'   # a Slurm array\n"
         "  biornn aggregate --out study/ study/              # study/summary.csv, summary.json\n\n"
         "The fit options below are checked here and passed to every job.",
         {{"data", "DIR", "processed data (as for celltype fit)", ""},
          {"out", "DIR", "root of the job directories", ""},
          {"runs", "N", "runs (seeds seed, seed+1, ...) per condition and window", "5"},
          {"seed", "N", "seed of the first run", "1"},
          {"conditions", "LIST", "comma-separated conditions", "the paper's six"},
          {"windows", "LIST", "comma-separated windows", "full,half"},
          {"jobs", "FILE", "write the job list here instead of stdout", ""},
          {"program", "PATH", "the biornn the jobs run", "this program"},
          {"no-check", "", "do not read the data files now (e.g. when only the cluster sees them)", ""},
          {"spec", "FILE", "population spec (passed to every job)", ""},
          {"dense-epochs", "N", "dense training epochs", "100"},
          {"finetune-epochs", "N", "fine-tuning epochs after pruning", "50"},
          {"inter-areal", "NAME", "topprob | random", "topprob"},
          {"bernoulli", "", "independent keep draws per weight instead of exact counts", ""},
          {"no-cosine", "", "constant learning rate", ""},
          {"no-input-mask", "", "let every unit hear every input channel", ""},
          {"initial-drive", "", "learn a first-step drive (see celltype fit --help)", ""},
          {"recurrent-init", "NAME", "uniform | balanced (see celltype fit --help)", "uniform"},
          {"lr", "X", "Adam learning rate", "0.001"},
          {"batch", "N", "mini-batch size", "200"},
          {"selection-samples", "N", "test samples scored per epoch (see celltype fit --help)", "500"},
          {"threads", "N", "kernel threads per job", ""}});
  Status st = a.parse(argc, argv, first);
  if (st.ok() && a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  if (st.ok() && !a.positional().empty()) st = invalid_argument("unexpected argument '" + a.positional()[0] + "'");
  if (st.ok() && !a.has("data")) st = invalid_argument("--data DIR is required (the processed .npy files)");
  if (st.ok() && !a.has("out")) st = invalid_argument("--out DIR is required (the root of the job directories)");
  // The fit options, checked as `celltype fit` checks them.
  CelltypeFitOptions o;
  int64_t runs = 0, seed = 0, v = 0;
  if (st.ok()) st = a.get_int("runs", 1, 1000, &runs);
  if (st.ok()) st = a.get_int("seed", 0, INT64_MAX - 1000, &seed);
  if (st.ok()) st = a.get_int("dense-epochs", 0, 100000, &v);
  o.dense_epochs = int32_t(v);
  if (st.ok()) st = a.get_int("finetune-epochs", 0, 100000, &v);
  o.finetune_epochs = int32_t(v);
  if (st.ok()) st = a.get_int("batch", 1, 1000000, &v);
  o.batch = int32_t(v);
  if (st.ok()) st = a.get_int("selection-samples", 0, 100000000, &v);
  o.selection_samples = int32_t(v);
  if (st.ok() && a.has("threads")) st = a.get_int("threads", 1, 4096, &v);
  if (st.ok()) st = a.get_double("lr", &o.lr);
  if (st.ok() && !parse_inter_areal_mask(a.get("inter-areal"), &o.inter_areal))
    st = invalid_argument("--inter-areal must be topprob or random, got '" + a.get("inter-areal") + "'");
  if (st.ok()) st = read_recurrent_init_option(a, &o.recurrent_init);
  if (st.ok() && o.lr < o.cosine_min_lr) o.cosine_min_lr = o.lr;
  if (st.ok()) st = validate_celltype_fit_options(o);
  if (!st.ok()) return report_failure(command, st);
  const std::vector<std::string> conditions =
      a.has("conditions") ? split_commas(a.get("conditions")) : celltype_conditions();
  std::vector<std::string> windows;
  for (const std::string& w : split_commas(a.get("windows"))) {
    CelltypeWindow parsed;
    if (!parse_celltype_window(w, &parsed))
      return report_failure(command, invalid_argument("--windows: '" + w + "' is not a window; expected full or half"));
    windows.push_back(w);
  }
  if (conditions.empty() || windows.empty()) return report_failure(command, invalid_argument("no condition or window to fit"));
  StatusOr<CelltypeSpec> spec = a.has("spec") ? load_celltype_spec(a.get("spec")) : default_celltype_spec();
  if (!spec.ok()) return report_failure(command, spec.status());
  st = check_celltype_recurrent_init(spec.value(), o.recurrent_init);
  if (!st.ok()) return report_failure(command, st);
  if (!a.has("no-check"))
    for (const std::string& c : conditions) {
      StatusOr<TaskData> d = load_celltype_data(spec.value(), a.get("data"), c, CelltypeWindow::kFull);
      if (!d.ok()) return report_failure(command, d.status().with_context("checking the data (--no-check skips this)"));
    }
  // The jobs, condition-major like `celltype all`.
  std::string common = " --data " + shell_quote(absolute(a.get("data")));
  if (a.has("spec")) common += " --spec " + shell_quote(absolute(a.get("spec")));
  for (const char* flag : kValueFlags)
    if (a.has(flag)) common += std::string(" --") + flag + " " + shell_quote(a.get(flag));
  for (const char* flag : kSwitches)
    if (a.has(flag)) common += std::string(" --") + flag;
  const std::string program = shell_quote(a.has("program") ? a.get("program") : absolute(argv[0]));
  const std::string out = absolute(a.get("out"));
  std::string list;
  int64_t jobs = 0;
  for (const std::string& c : conditions)
    for (const std::string& w : windows)
      for (int64_t k = 0; k < runs; ++k) {
        const std::string s = std::to_string(seed + k);
        list += program + " celltype fit" + common + " --condition " + shell_quote(c) + " --window " + w +
                " --runs 1 --seed " + s + " --out " + shell_quote(join_path(out, c + "_" + w + "/" + celltype_seed_dir_name(uint64_t(seed + k)))) +
                " --resume --quiet\n";
        ++jobs;
      }
  if (a.has("jobs")) {
    st = write_file_atomic(a.get("jobs"), list);
    if (!st.ok()) return report_failure(command, st);
    std::fprintf(stderr, "%s: %lld jobs written to %s; afterwards: biornn aggregate --out %s %s\n", command.c_str(),
                 static_cast<long long>(jobs), a.get("jobs").c_str(), shell_quote(out).c_str(), shell_quote(out).c_str());
  } else {
    std::printf("%s", list.c_str());
  }
  return 0;
}

int cmd_aggregate(int argc, char** argv, int first) {
  const std::string command = "biornn aggregate";
  Args a(command,
         "Merges finished cell-type runs into one summary, exactly as `celltype all` writes it:\n"
         "OUT/summary.csv and OUT/summary.json, rows ordered by condition, window and seed, runs\n"
         "numbered 1, 2, ... by seed within each condition and window. Give the job directories of\n"
         "`biornn sweep` (or any `celltype fit`/`celltype all` outputs), or a root above them: every\n"
         "directory below that holds summary.json and model.npz is a run. Runs that have a\n"
         "checkpoint but no summary yet are listed as unfinished (an error with --strict).\n\n"
         "  biornn aggregate --out study/ study/",
         {{"out", "DIR", "where summary.csv and summary.json go (created if needed)", ""},
          {"spec", "FILE", "population spec (default: the one the first run's fit.toml records)", ""},
          {"strict", "", "fail when some runs are unfinished", ""},
          {"quiet", "", "no table on stdout", ""}});
  Status st = a.parse(argc, argv, first);
  if (st.ok() && a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  if (st.ok() && !a.has("out")) st = invalid_argument("--out DIR is required");
  if (st.ok() && a.positional().empty()) st = invalid_argument("give the job directories (or a root above them)");
  if (!st.ok()) return report_failure(command, st);
  std::vector<std::string> unfinished;
  StatusOr<std::vector<std::string>> runs = find_celltype_runs(a.positional(), &unfinished);
  if (!runs.ok()) return report_failure(command, runs.status());
  if (runs.value().empty()) {
    std::string roots;
    for (const std::string& r : a.positional()) roots += (roots.empty() ? "" : ", ") + r;
    return report_failure(command, invalid_argument("no finished run (a directory with summary.json and model.npz) below " + roots));
  }
  for (const std::string& u : unfinished) std::fprintf(stderr, "%s: unfinished: %s\n", command.c_str(), u.c_str());
  if (!unfinished.empty() && a.has("strict"))
    return report_failure(command, invalid_argument(std::to_string(unfinished.size()) + " runs are unfinished (listed above)"));
  StatusOr<CelltypeSpec> spec = a.has("spec") ? load_celltype_spec(a.get("spec")) : celltype_recorded_spec(runs.value().front());
  if (!spec.ok()) return report_failure(command, spec.status());
  std::vector<CelltypeRunRecord> rows;
  for (const std::string& dir : runs.value()) {
    StatusOr<CelltypeRunRecord> r = read_celltype_run(spec.value(), dir);
    if (!r.ok()) return report_failure(command, r.status());
    rows.push_back(std::move(r.value()));
  }
  st = order_celltype_records(&rows);
  if (st.ok()) st = make_directories(a.get("out"));
  if (st.ok()) st = write_celltype_summary(spec.value(), rows, a.get("out"));
  if (!st.ok()) return report_failure(command, st);
  if (!a.has("quiet")) {
    std::printf("%-22s %-5s %4s %6s %12s %8s %8s  %s\n", "condition", "win", "run", "seed", "final_loss", "mean_R2",
                "min_R2", "directory");
    for (const CelltypeRunRecord& r : rows)
      std::printf("%-22s %-5s %4d %6llu %12.4g %8.4f %8.4f  %s\n", r.condition.c_str(), r.window.c_str(), r.run,
                  static_cast<unsigned long long>(r.seed), r.result.best_finetune_loss,
                  celltype_mean_r2(spec.value(), r.result.r2), celltype_min_r2(spec.value(), r.result.r2), r.dir.c_str());
    print_lagging_runs(rows);
  }
  std::printf("%zu runs%s; summary: %s (summary.csv, summary.json)\n", rows.size(),
              unfinished.empty() ? "" : (", " + std::to_string(unfinished.size()) + " unfinished").c_str(),
              a.get("out").c_str());
  return 0;
}

}  // namespace biornn::cli
