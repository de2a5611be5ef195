// celltype_bootstrap.cpp — raw trial arrays → processed training data, as the authors'
// notebooks ran it (see celltype_data.hpp; SPEC §7): 2000 means of 100 rows drawn with
// replacement, input frames 0..14 and target frames 1..15, each smoothed along time with a
// σ = 1 Gaussian (scipy.ndimage.gaussian_filter1d, mode "reflect", truncate 4).
//
// Everything is read and checked first, then written, so bad input leaves no output behind
// (the command additionally stages the whole directory; cmd_celltype_data.cpp). Not here:
// reading the processed files back (celltype_data.cpp).
#include <algorithm>
#include <cmath>

#include "biornn/celltype_data.hpp"
#include "biornn/fileio.hpp"
#include "biornn/json.hpp"
#include "biornn/npy.hpp"
#include "celltype_data_internal.hpp"

namespace biornn {

void bootstrap_trials(const std::vector<double>& trials, int32_t n_trials, int32_t samples, int32_t rows_per_sample,
                      double sigma, Rng& rng, std::vector<double>* input, std::vector<double>* target) {
  BIORNN_CHECK(n_trials >= 1 && trials.size() == std::size_t(n_trials) * kCelltypeFrames,
               "bootstrap_trials: expected " + std::to_string(n_trials) + " x " + std::to_string(kCelltypeFrames) +
                   " values, got " + std::to_string(trials.size()));
  BIORNN_CHECK(samples >= 1 && rows_per_sample >= 1, "bootstrap_trials: samples and rows_per_sample must be >= 1");
  const int32_t steps = kCelltypeFullSteps;
  input->assign(std::size_t(samples) * steps, 0.0);
  target->assign(std::size_t(samples) * steps, 0.0);
  std::vector<double> mean(kCelltypeFrames), in(static_cast<std::size_t>(steps)), out(static_cast<std::size_t>(steps));
  for (int32_t s = 0; s < samples; ++s) {
    std::fill(mean.begin(), mean.end(), 0.0);
    for (int32_t r = 0; r < rows_per_sample; ++r) {
      const double* row = trials.data() + std::size_t(rng.uniform_int(uint64_t(n_trials))) * kCelltypeFrames;
      for (int32_t f = 0; f < kCelltypeFrames; ++f) mean[std::size_t(f)] += row[f];
    }
    for (double& m : mean) m /= rows_per_sample;
    // The notebooks filter input and target separately, each over its own 15 frames, so the
    // edges reflect at frames 0/14 for the input and 1/15 for the target.
    std::copy(mean.begin(), mean.begin() + steps, in.begin());
    std::copy(mean.begin() + 1, mean.end(), out.begin());
    const std::vector<double> in_s = gaussian_filter_reflect(in, sigma), out_s = gaussian_filter_reflect(out, sigma);
    std::copy(in_s.begin(), in_s.end(), input->begin() + std::ptrdiff_t(s) * steps);
    std::copy(out_s.begin(), out_s.end(), target->begin() + std::ptrdiff_t(s) * steps);
  }
}

namespace {

// One raw array as read, and how its trials split between training and held-out parts.
struct RawArray {
  int32_t population = 0;
  std::string path;
  std::vector<double> trials;
  int32_t rows = 0;
  std::vector<int32_t> train_rows, heldout_rows;  // row indices (all rows in train when heldout = 0)
};

uint64_t stream_of(const std::string& key) {
  return crc32(reinterpret_cast<const uint8_t*>(key.data()), key.size());
}

Status check_options(const BootstrapOptions& o) {
  if (o.samples < 1) return invalid_argument("bootstrap: samples must be >= 1, got " + std::to_string(o.samples));
  if (o.rows_per_sample < 1)
    return invalid_argument("bootstrap: rows per sample must be >= 1, got " + std::to_string(o.rows_per_sample));
  if (!(o.sigma >= 0) || !std::isfinite(o.sigma))
    return invalid_argument("bootstrap: sigma must be a finite number >= 0, got " + json_number(o.sigma));
  if (!(o.heldout >= 0 && o.heldout < 1))
    return invalid_argument("bootstrap: the held-out fraction must lie in [0, 1), got " + json_number(o.heldout));
  return Status();
}

// Reads every raw array of one condition; unobserved populations without a file are left out.
StatusOr<std::vector<RawArray>> read_condition(const CelltypeSpec& spec, const std::string& dir,
                                               const std::string& condition, const BootstrapOptions& o) {
  std::vector<RawArray> arrays;
  for (int32_t p = 0; p < spec.populations(); ++p) {
    RawArray a;
    a.population = p;
    a.path = join_path(dir, celltype_raw_file(spec, p, condition));
    if (!file_exists(a.path)) {
      if (!spec.observed[std::size_t(p)]) continue;
      return not_found(a.path + ": missing — the raw trial array (trials, " + std::to_string(kCelltypeFrames) +
                       ") of population " + spec.population_name(p) + ", condition '" + condition +
                       "' (mark the population unobserved in the spec if it was not recorded)");
    }
    StatusOr<std::vector<double>> values = celltype_detail::read_trace_array(
        a.path, kCelltypeFrames, "the trials of " + spec.population_name(p) + " (one row per trial)", &a.rows);
    if (!values.ok()) return values.status();
    a.trials = std::move(values.value());
    std::vector<int32_t> order(static_cast<std::size_t>(a.rows));
    for (int32_t i = 0; i < a.rows; ++i) order[std::size_t(i)] = i;
    if (o.heldout > 0) {
      const int32_t held = int32_t(std::lround(o.heldout * a.rows));
      if (held < 1 || held >= a.rows)
        return invalid_argument(a.path + ": " + std::to_string(a.rows) + " trials cannot be split with a held-out fraction of " +
                                json_number(o.heldout) + " (" + std::to_string(held) +
                                " held out) — both parts need at least one trial");
      Rng split(o.seed, stream_of(condition + "/" + spec.population_name(p) + "/split"));
      split.shuffle(order);
      a.heldout_rows.assign(order.begin(), order.begin() + held);
      a.train_rows.assign(order.begin() + held, order.end());
      std::sort(a.heldout_rows.begin(), a.heldout_rows.end());
      std::sort(a.train_rows.begin(), a.train_rows.end());
    } else {
      a.train_rows = order;
    }
    arrays.push_back(std::move(a));
  }
  return arrays;
}

// Bootstraps the chosen rows of one array and writes its input/target pair into `dir`.
Status write_part(const CelltypeSpec& spec, const RawArray& a, const std::vector<int32_t>& rows,
                  const std::string& condition, const std::string& part, const std::string& dir,
                  const BootstrapOptions& o, std::vector<std::string>* written) {
  std::vector<double> subset;
  subset.reserve(rows.size() * kCelltypeFrames);
  for (int32_t r : rows)
    subset.insert(subset.end(), a.trials.begin() + std::ptrdiff_t(r) * kCelltypeFrames,
                  a.trials.begin() + std::ptrdiff_t(r + 1) * kCelltypeFrames);
  Rng rng(o.seed, stream_of(condition + "/" + spec.population_name(a.population) + "/" + part));
  std::vector<double> input, target;
  bootstrap_trials(subset, int32_t(rows.size()), o.samples, o.rows_per_sample, o.sigma, rng, &input, &target);
  const std::vector<int64_t> shape = {o.samples, kCelltypeFullSteps};
  for (const auto& role : {std::make_pair("train", &input), std::make_pair("test", &target)}) {
    const std::string path = join_path(dir, celltype_processed_file(spec, a.population, condition, role.first));
    BIORNN_RETURN_IF_ERROR(save_npy(path, npy_from_doubles(*role.second, shape)));
    written->push_back(path);
  }
  return Status();
}

std::string provenance_json(const std::string& trials_dir, const BootstrapOptions& o,
                            const std::vector<std::string>& conditions, const CelltypeSpec& spec,
                            const std::vector<std::vector<RawArray>>& raw) {
  JsonWriter j;
  j.begin_object().field("trials_dir", trials_dir).field("samples", o.samples).field("rows_per_sample", o.rows_per_sample)
      .field("sigma", o.sigma).field("heldout", o.heldout).field("seed", o.seed)
      .field("input_frames", "0..14").field("target_frames", "1..15");
  j.key("conditions").begin_object();
  for (std::size_t c = 0; c < conditions.size(); ++c) {
    j.key(conditions[c]).begin_object();
    for (const RawArray& a : raw[c]) {
      j.key(spec.population_name(a.population)).begin_object().field("file", path_basename(a.path))
          .field("trials", a.rows).field("train_trials", int32_t(a.train_rows.size()))
          .field("heldout_trials", int32_t(a.heldout_rows.size())).end_object();
    }
    j.end_object();
  }
  j.end_object().end_object();
  return j.str() + "\n";
}

}  // namespace

StatusOr<std::vector<std::string>> bootstrap_celltype(const CelltypeSpec& spec, const std::string& trials_dir,
                                                      const std::vector<std::string>& conditions,
                                                      const std::string& out_dir, const BootstrapOptions& options,
                                                      const std::function<void(const std::string&)>& log) {
  BIORNN_RETURN_IF_ERROR(validate_celltype_spec(spec, "the population spec"));
  BIORNN_RETURN_IF_ERROR(check_options(options));
  if (conditions.empty()) return invalid_argument("bootstrap: no conditions given");
  for (const std::string& c : conditions)
    if (c.empty() || c.find('/') != std::string::npos)
      return invalid_argument("bootstrap: condition '" + c + "' must be a non-empty name without '/'");
  if (!directory_exists(trials_dir))
    return not_found(trials_dir + ": no such directory (expected raw trial arrays dff_<type>_<area>_<layer>_<condition>.npy)");
  std::vector<std::vector<RawArray>> raw;
  for (const std::string& c : conditions) {
    StatusOr<std::vector<RawArray>> arrays = read_condition(spec, trials_dir, c, options);
    if (!arrays.ok()) return arrays.status();
    raw.push_back(std::move(arrays.value()));
  }
  const std::string heldout_dir = join_path(out_dir, "heldout");
  BIORNN_RETURN_IF_ERROR(make_directories(options.heldout > 0 ? heldout_dir : out_dir));
  std::vector<std::string> written;
  for (std::size_t c = 0; c < conditions.size(); ++c) {
    for (const RawArray& a : raw[c]) {
      BIORNN_RETURN_IF_ERROR(write_part(spec, a, a.train_rows, conditions[c], "train", out_dir, options, &written));
      if (options.heldout > 0)
        BIORNN_RETURN_IF_ERROR(
            write_part(spec, a, a.heldout_rows, conditions[c], "heldout", heldout_dir, options, &written));
    }
    if (log)
      log("bootstrapped " + conditions[c] + ": " + std::to_string(raw[c].size()) + " populations x " +
          std::to_string(options.samples) + " samples (" + std::to_string(c + 1) + "/" +
          std::to_string(conditions.size()) + ")");
  }
  const std::string json_path = join_path(out_dir, "bootstrap.json");
  BIORNN_RETURN_IF_ERROR(write_file_atomic(json_path, provenance_json(trials_dir, options, conditions, spec, raw)));
  written.push_back(json_path);
  return written;
}

}  // namespace biornn
