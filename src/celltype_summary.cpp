// celltype_summary.cpp — summary.csv / summary.json over finished cell-type runs, and reading
// finished runs back from their directories (see celltype_summary.hpp).
#include "biornn/celltype_summary.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <tuple>

#include "biornn/celltype_data.hpp"
#include "biornn/csv.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/json_read.hpp"
#include "biornn/toml.hpp"

namespace biornn {

namespace {

namespace fs = std::filesystem;

double r2_reduce(const CelltypeSpec& spec, const std::vector<double>& r2, bool minimum) {
  double acc = minimum ? INFINITY : 0;
  int n = 0;
  for (int32_t p = 0; p < spec.populations() && std::size_t(p) < r2.size(); ++p) {
    if (!spec.observed[std::size_t(p)] || std::isnan(r2[std::size_t(p)])) continue;
    acc = minimum ? std::fmin(acc, r2[std::size_t(p)]) : acc + r2[std::size_t(p)];
    ++n;
  }
  return n == 0 ? std::nan("") : minimum ? acc : acc / n;
}

// Natural order: a path split into runs of digits (compared by value) and other text.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      const std::string na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
      const std::string ta = na.substr(std::min(na.find_first_not_of('0'), na.size()));
      const std::string tb = nb.substr(std::min(nb.find_first_not_of('0'), nb.size()));
      if (ta.size() != tb.size()) return ta.size() < tb.size();
      if (ta != tb) return ta < tb;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string parent_dir(const std::string& dir) {
  fs::path p(dir);
  if (!p.has_filename()) p = p.parent_path();  // "a/run1/" → "a/run1"
  return p.parent_path().empty() ? "." : p.parent_path().string();
}

int32_t run_number_from_name(const std::string& dir) {
  std::string name = dir;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  name = path_basename(name);
  if (name.size() < 4 || name.compare(0, 3, "run") != 0) return 0;
  int64_t k = 0;
  for (std::size_t i = 3; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i])) || k > 1000000) return 0;
    k = k * 10 + (name[i] - '0');
  }
  return int32_t(k);
}

Status read_fit_toml(const std::string& run_dir, std::string* condition, std::string* window, std::string* data_dir) {
  const std::string path = join_path(parent_dir(run_dir), "fit.toml");
  StatusOr<std::vector<uint8_t>> bytes = read_file(path, 1 << 20);
  if (!bytes.ok())
    return invalid_argument(run_dir + ": cannot read " + path + " (the settings `celltype fit` writes beside its runs): " +
                            bytes.status().message());
  StatusOr<TomlDocument> doc = parse_toml(std::string(bytes.value().begin(), bytes.value().end()), path);
  if (!doc.ok()) return doc.status();
  BIORNN_RETURN_IF_ERROR(doc.value().get_string("condition", condition));
  if (doc.value().contains("data")) BIORNN_RETURN_IF_ERROR(doc.value().get_string("data", data_dir));
  return doc.value().get_string("window", window);
}

// One number per population, in the spec's order, from a summary's object keyed by population
// name ("r2", "r2_all_steps"); `where` names it in errors.
Status read_population_numbers(const CelltypeSpec& spec, const JsonValue& object, const std::string& where,
                               std::vector<double>* out) {
  out->assign(std::size_t(spec.populations()), 0.0);
  for (int32_t p = 0; p < spec.populations(); ++p)
    BIORNN_RETURN_IF_ERROR(json_get_number(object, spec.population_name(p), where, &(*out)[std::size_t(p)], true));
  return Status();
}

}  // namespace

double celltype_mean_r2(const CelltypeSpec& spec, const std::vector<double>& r2) { return r2_reduce(spec, r2, false); }
double celltype_min_r2(const CelltypeSpec& spec, const std::vector<double>& r2) { return r2_reduce(spec, r2, true); }

std::vector<CelltypeLaggingRun> celltype_lagging_runs(const std::vector<CelltypeRunRecord>& rows, double factor) {
  std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < rows.size(); ++i) groups[{rows[i].condition, rows[i].window}].push_back(i);
  std::vector<CelltypeLaggingRun> out;
  for (const auto& g : groups) {
    std::vector<double> finite;
    for (std::size_t i : g.second)
      if (std::isfinite(rows[i].result.best_finetune_loss)) finite.push_back(rows[i].result.best_finetune_loss);
    if (finite.size() < 3) continue;
    std::sort(finite.begin(), finite.end());
    const std::size_t n = finite.size();
    const double median = n % 2 == 1 ? finite[n / 2] : 0.5 * (finite[n / 2 - 1] + finite[n / 2]);
    for (std::size_t i : g.second) {
      const double loss = rows[i].result.best_finetune_loss;
      if (!std::isfinite(loss) || loss > factor * median) out.push_back({i, loss, median, n});
    }
  }
  std::sort(out.begin(), out.end(), [](const CelltypeLaggingRun& a, const CelltypeLaggingRun& b) { return a.row < b.row; });
  return out;
}

std::string describe_lagging_run(const std::vector<CelltypeRunRecord>& rows, const CelltypeLaggingRun& lag) {
  const CelltypeRunRecord& r = rows.at(lag.row);
  char numbers[256];
  if (std::isfinite(lag.final_loss) && lag.group_median > 0)
    std::snprintf(numbers, sizeof numbers, "ended at a test loss of %.4g, %.1f times the median of its %zu runs (%.4g)",
                  lag.final_loss, lag.final_loss / lag.group_median, lag.group_runs, lag.group_median);
  else
    std::snprintf(numbers, sizeof numbers, "ended at a test loss of %g (the median of its %zu runs: %.4g)",
                  lag.final_loss, lag.group_runs, lag.group_median);
  char dense[96];
  std::snprintf(dense, sizeof dense, "; its dense phase reached %.4g", r.result.best_dense_loss);
  const std::string where = r.dir.empty() ? "run" + std::to_string(r.run) : r.dir;
  return r.condition + " (" + r.window + " window) run " + std::to_string(r.run) + " " + numbers + dense +
         ". It has probably stalled: look at its loss curves (" + join_path(where, "report.html") +
         ") before comparing its weights, or refit it with more epochs.";
}

const std::vector<std::string>& celltype_summary_header() {
  static const std::vector<std::string> header = {
      "condition", "window", "run", "seed", "best_dense_epoch", "best_dense_test_loss", "test_loss_after_pruning",
      "best_finetune_epoch", "best_finetune_test_loss", "mean_r2", "min_r2", "max_density_deviation",
      "sign_violations", "off_mask_weights", "inter_areal_outside", "training_seconds"};
  return header;
}

Status write_celltype_summary(const CelltypeSpec& spec, const std::vector<CelltypeRunRecord>& rows,
                              const std::string& dir) {
  std::vector<std::vector<std::string>> csv;
  JsonWriter j;
  j.begin_array();
  for (const CelltypeRunRecord& r : rows) {
    const CelltypeFitResult& f = r.result;
    const double mean_r2 = celltype_mean_r2(spec, f.r2), min_r2 = celltype_min_r2(spec, f.r2);
    csv.push_back({r.condition, r.window, std::to_string(r.run), std::to_string(r.seed),
                   std::to_string(f.best_dense_epoch), csv_number(f.best_dense_loss), csv_number(f.loss_after_pruning),
                   std::to_string(f.best_finetune_epoch), csv_number(f.best_finetune_loss), csv_number(mean_r2),
                   csv_number(min_r2), csv_number(f.max_density_deviation), std::to_string(f.sign_violations),
                   std::to_string(f.off_mask_weights), std::to_string(f.inter_areal_outside), csv_number(f.seconds)});
    j.begin_object().field("condition", r.condition).field("window", r.window).field("run", int64_t(r.run));
    j.field("seed", r.seed).field("best_dense_epoch", int64_t(f.best_dense_epoch));
    j.field("best_dense_test_loss", f.best_dense_loss).field("test_loss_after_pruning", f.loss_after_pruning);
    j.field("best_finetune_epoch", int64_t(f.best_finetune_epoch)).field("best_finetune_test_loss", f.best_finetune_loss);
    j.field("mean_r2", mean_r2).field("min_r2", min_r2);
    j.key("r2").begin_object();
    for (int32_t p = 0; p < spec.populations(); ++p) j.field(spec.population_name(p), f.r2[std::size_t(p)]);
    j.end_object();
    j.field("max_density_deviation", f.max_density_deviation).field("sign_violations", f.sign_violations);
    j.field("off_mask_weights", f.off_mask_weights).field("inter_areal_outside", f.inter_areal_outside);
    j.field("training_seconds", f.seconds).end_object();
  }
  j.end_array();
  BIORNN_RETURN_IF_ERROR(write_csv(join_path(dir, "summary.csv"), celltype_summary_header(), csv));
  return write_file_atomic(join_path(dir, "summary.json"), j.str() + "\n");
}

StatusOr<CelltypeSpec> celltype_recorded_spec(const std::string& dir) {
  std::string toml_path = join_path(dir, "fit.toml");
  if (!file_exists(toml_path)) toml_path = join_path(parent_dir(dir), "fit.toml");
  if (!file_exists(toml_path)) {
    // A sweep's group directory: the fit.toml of its first seed<S>/ (every job has the same options).
    StatusOr<std::vector<std::string>> runs = list_celltype_runs(dir);
    if (runs.ok()) toml_path = join_path(parent_dir(runs.value().front()), "fit.toml");
  }
  if (!file_exists(toml_path)) return default_celltype_spec();
  StatusOr<std::vector<uint8_t>> bytes = read_file(toml_path, 1 << 20);
  if (!bytes.ok()) return bytes.status();
  StatusOr<TomlDocument> doc = parse_toml(std::string(bytes.value().begin(), bytes.value().end()), toml_path);
  if (!doc.ok()) return doc.status();
  std::string spec_path;
  if (!doc.value().get_string("spec", &spec_path).ok() || spec_path == "(default)") return default_celltype_spec();
  StatusOr<CelltypeSpec> spec = load_celltype_spec(spec_path);
  if (!spec.ok())
    return invalid_argument(toml_path + " records the spec " + spec_path + ", which cannot be read (" +
                            spec.status().message() + "); pass --spec FILE");
  return spec;
}

bool is_celltype_run_dir(const std::string& dir) {
  return file_exists(join_path(dir, "summary.json")) && file_exists(join_path(dir, "model.npz"));
}

namespace {

// The subdirectories of `dir` that are finished runs, in natural order; the other entries' names
// into `others`, the subdirectories' paths into `subdirs` (natural order).
Status runs_directly_in(const std::string& dir, std::vector<std::string>* runs, std::vector<std::string>* others,
                        std::vector<std::string>* subdirs) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string path = join_path(dir, e.path().filename().string());
    const bool is_dir = e.is_directory(ec);
    if (is_dir && is_celltype_run_dir(path)) runs->push_back(path);
    else others->push_back(e.path().filename().string());
    if (is_dir && subdirs) subdirs->push_back(path);
  }
  if (ec) return io_error(dir + ": cannot list the directory: " + ec.message());
  std::sort(runs->begin(), runs->end(), natural_less);
  if (subdirs) std::sort(subdirs->begin(), subdirs->end(), natural_less);
  return Status();
}

}  // namespace

std::string celltype_seed_dir_name(uint64_t seed) { return "seed" + std::to_string(seed); }

bool is_celltype_seed_dir_name(const std::string& name) {
  return name.size() > 4 && name.compare(0, 4, "seed") == 0 && name.find_first_not_of("0123456789", 4) == std::string::npos;
}

StatusOr<std::vector<std::string>> list_celltype_runs(const std::string& dir) {
  if (!directory_exists(dir)) return not_found(dir + ": no such directory (expected the --out of a `celltype fit`)");
  if (is_celltype_run_dir(dir)) return std::vector<std::string>{dir};
  std::vector<std::string> runs, others, subdirs;
  BIORNN_RETURN_IF_ERROR(runs_directly_in(dir, &runs, &others, &subdirs));
  // A sweep's group directory (biornn sweep): one `celltype fit --out` per seed, seed<S>/run1.
  // Only seed<digits>/ folders: the root of `celltype all` holds whole condition groups, which must
  // not be pooled into one side of a comparison.
  if (runs.empty()) {
    std::vector<std::string> ignored;
    for (const std::string& sub : subdirs) {
      const std::string name = fs::path(sub).filename().string();
      if (is_celltype_seed_dir_name(name)) BIORNN_RETURN_IF_ERROR(runs_directly_in(sub, &runs, &ignored, nullptr));
    }
  }
  if (runs.empty()) {
    std::sort(others.begin(), others.end());
    std::string listing;
    for (std::size_t i = 0; i < others.size() && i < 8; ++i) listing += (i ? ", " : "") + others[i];
    if (others.size() > 8) listing += ", ...";
    return invalid_argument(dir + " holds no finished run (a directory with summary.json and model.npz, such as the "
                            "run<k>/ of `celltype fit --out`, or seed<S>/run1/ of a sweep's group); it holds: " +
                            (listing.empty() ? "nothing" : listing));
  }
  return runs;
}

StatusOr<std::vector<std::string>> find_celltype_runs(const std::vector<std::string>& roots,
                                                      std::vector<std::string>* unfinished) {
  std::vector<std::string> runs, pending;
  for (const std::string& root : roots) {
    if (!directory_exists(root)) return not_found(root + ": no such directory");
    if (is_celltype_run_dir(root)) {
      runs.push_back(root);
      continue;
    }
    std::error_code ec;
    fs::recursive_directory_iterator it(root, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (!it->is_directory(ec)) continue;
      const std::string path = it->path().string();
      if (is_celltype_run_dir(path)) {
        runs.push_back(path);
        it.disable_recursion_pending();  // a run's own folder holds no further runs
      } else if (file_exists(join_path(path, "checkpoint.bin"))) {
        pending.push_back(path);
      }
    }
    if (ec) return io_error(root + ": cannot list the directory tree: " + ec.message());
  }
  std::sort(runs.begin(), runs.end(), natural_less);
  runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
  std::sort(pending.begin(), pending.end(), natural_less);
  if (unfinished != nullptr) *unfinished = pending;
  return runs;
}

StatusOr<CelltypeRunRecord> read_celltype_run(const CelltypeSpec& spec, const std::string& run_dir) {
  const std::string path = join_path(run_dir, "summary.json");
  StatusOr<JsonValue> doc = read_json_file(path);
  if (!doc.ok()) return doc.status();
  const JsonValue& s = doc.value();
  if (s.type != JsonType::kObject) return invalid_argument(path + ": expected an object (a run's summary)");
  CelltypeRunRecord r;
  r.dir = run_dir;
  CelltypeFitResult& f = r.result;
  int64_t v = 0;
  BIORNN_RETURN_IF_ERROR(json_get_int(s, "best_dense_epoch", path, &v));
  f.best_dense_epoch = int32_t(v);
  BIORNN_RETURN_IF_ERROR(json_get_int(s, "best_finetune_epoch", path, &v));
  f.best_finetune_epoch = int32_t(v);
  BIORNN_RETURN_IF_ERROR(json_get_number(s, "best_dense_test_loss", path, &f.best_dense_loss, true));
  BIORNN_RETURN_IF_ERROR(json_get_number(s, "test_loss_after_pruning", path, &f.loss_after_pruning, true));
  BIORNN_RETURN_IF_ERROR(json_get_number(s, "best_finetune_test_loss", path, &f.best_finetune_loss, true));
  BIORNN_RETURN_IF_ERROR(json_get_number(s, "max_density_deviation", path, &f.max_density_deviation, true));
  BIORNN_RETURN_IF_ERROR(json_get_number(s, "training_seconds", path, &f.seconds, true));
  BIORNN_RETURN_IF_ERROR(json_get_int(s, "sign_violations", path, &f.sign_violations));
  BIORNN_RETURN_IF_ERROR(json_get_int(s, "off_mask_weights", path, &f.off_mask_weights));
  BIORNN_RETURN_IF_ERROR(json_get_int(s, "inter_areal_weights_outside_projections", path, &f.inter_areal_outside));
  const JsonValue* seeds = nullptr;
  BIORNN_RETURN_IF_ERROR(json_get_member(s, "seeds", JsonType::kObject, path, &seeds));
  BIORNN_RETURN_IF_ERROR(json_get_uint64(*seeds, "seed", path + ": seeds", &r.seed));
  // The populations: the same names in the same order as the spec, the same ones unobserved.
  const JsonValue* r2 = nullptr;
  BIORNN_RETURN_IF_ERROR(json_get_member(s, "r2", JsonType::kObject, path, &r2));
  const int32_t n = spec.populations();
  bool same = int32_t(r2->members.size()) == n;
  for (int32_t p = 0; same && p < n; ++p) same = r2->members[std::size_t(p)].first == spec.population_name(p);
  if (!same) {
    std::string names;
    for (const auto& m : r2->members) names += (names.empty() ? "" : ", ") + m.first;
    return invalid_argument(path + ": the run's populations (" + std::to_string(r2->members.size()) + ": " + names +
                            ") differ from the spec's " + std::to_string(n) +
                            "; pass the --spec the runs were fitted with");
  }
  BIORNN_RETURN_IF_ERROR(read_population_numbers(spec, *r2, path + ": r2", &f.r2));
  // Runs written before the step-0 exclusion scored every step and lack these fields.
  int64_t first_step = 0;
  if (s.find("r2_first_step") != nullptr) BIORNN_RETURN_IF_ERROR(json_get_int(s, "r2_first_step", path, &first_step));
  f.r2_first_step = int32_t(first_step);
  if (const JsonValue* all = s.find("r2_all_steps"); all != nullptr && all->type == JsonType::kObject)
    BIORNN_RETURN_IF_ERROR(read_population_numbers(spec, *all, path + ": r2_all_steps", &f.r2_all_steps));
  const JsonValue* unobserved = nullptr;
  BIORNN_RETURN_IF_ERROR(json_get_member(s, "unobserved", JsonType::kArray, path, &unobserved));
  std::vector<bool> observed(std::size_t(n), true);
  for (const JsonValue& u : unobserved->items) {
    const int32_t p = u.type == JsonType::kString ? spec.find_population(u.string) : -1;
    if (p < 0) return invalid_argument(path + ": \"unobserved\" lists an unknown population");
    observed[std::size_t(p)] = false;
  }
  if (observed != spec.observed)
    return invalid_argument(path + ": the run's unobserved populations differ from the spec's; pass the --spec the runs "
                            "were fitted with");
  BIORNN_RETURN_IF_ERROR(read_fit_toml(run_dir, &r.condition, &r.window, &r.data_dir));
  r.run = run_number_from_name(run_dir);
  return r;
}

Status order_celltype_records(std::vector<CelltypeRunRecord>* rows) {
  const std::vector<std::string> known = celltype_conditions();
  auto condition_rank = [&](const std::string& c) {
    const auto it = std::find(known.begin(), known.end(), c);
    return it == known.end() ? known.size() : std::size_t(it - known.begin());
  };
  auto key = [&](const CelltypeRunRecord& r) {
    return std::make_tuple(condition_rank(r.condition), r.condition, r.window == "full" ? 0 : r.window == "half" ? 1 : 2,
                           r.window, r.seed);
  };
  std::stable_sort(rows->begin(), rows->end(),
                   [&](const CelltypeRunRecord& a, const CelltypeRunRecord& b) { return key(a) < key(b); });
  for (std::size_t i = 0; i < rows->size(); ++i) {
    CelltypeRunRecord& r = (*rows)[i];
    const bool same_group = i > 0 && (*rows)[i - 1].condition == r.condition && (*rows)[i - 1].window == r.window;
    if (same_group && (*rows)[i - 1].seed == r.seed)
      return invalid_argument((*rows)[i - 1].dir + " and " + r.dir + " are the same fit (" + r.condition + ", " +
                              r.window + " window, seed " + std::to_string(r.seed) + "); pass each once");
    r.run = same_group ? (*rows)[i - 1].run + 1 : 1;
  }
  return Status();
}

}  // namespace biornn
