// celltype_data.cpp — file names, the Gaussian filter, and reading processed population traces
// into a regression data set (see celltype_data.hpp; SPEC §7). The bootstrap that writes the
// processed files is celltype_bootstrap.cpp.
//
// The loader reads the .npy elements itself (float64 or float32, C order) rather than through
// npy_to_matrix, so that a non-finite value is reported with its file, row and frame, and so
// that float64 data reaches the check before any rounding to `real`.
#include <cctype>
#include <cmath>
#include <cstring>

#include "biornn/celltype_data.hpp"
#include "biornn/fileio.hpp"
#include "biornn/npy.hpp"
#include "celltype_data_internal.hpp"

namespace biornn {

const char* celltype_window_name(CelltypeWindow w) { return w == CelltypeWindow::kFull ? "full" : "half"; }

bool parse_celltype_window(const std::string& text, CelltypeWindow* out) {
  if (text == "full") *out = CelltypeWindow::kFull;
  else if (text == "half") *out = CelltypeWindow::kHalf;
  else return false;
  return true;
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The Allen Brain Atlas acronym the authors' raw files use for an area.
std::string raw_area_name(const std::string& area) {
  if (area == "V1") return "visp";
  if (area == "LM") return "visl";
  return lower(area);
}

}  // namespace

std::string celltype_processed_file(const CelltypeSpec& spec, int32_t p, const std::string& condition,
                                    const std::string& role) {
  BIORNN_CHECK(p >= 0 && p < spec.populations(), "celltype_processed_file: population out of range");
  return "dff_" + spec.areas[std::size_t(spec.area_of(p))] + "_" + spec.layers[std::size_t(spec.layer_of(p))] + "_" +
         lower(spec.types[std::size_t(spec.type_of(p))]) + "_" + condition + "_" + role + ".npy";
}

std::string celltype_raw_file(const CelltypeSpec& spec, int32_t p, const std::string& condition) {
  BIORNN_CHECK(p >= 0 && p < spec.populations(), "celltype_raw_file: population out of range");
  return "dff_" + lower(spec.types[std::size_t(spec.type_of(p))]) + "_" +
         raw_area_name(spec.areas[std::size_t(spec.area_of(p))]) + "_" + spec.layers[std::size_t(spec.layer_of(p))] +
         "_" + condition + ".npy";
}

std::vector<std::string> celltype_conditions() {
  std::vector<std::string> c;
  for (const char* experience : {"familiar", "novel"})
    for (const char* trial : {"change", "no_change", "omission"}) c.push_back(std::string(experience) + "_" + trial);
  return c;
}

std::vector<double> gaussian_filter_reflect(const std::vector<double>& signal, double sigma) {
  BIORNN_CHECK(sigma >= 0 && std::isfinite(sigma), "gaussian_filter_reflect: sigma must be finite and >= 0");
  const int64_t n = int64_t(signal.size());
  // scipy: radius = int(truncate · σ + 0.5) with truncate = 4; σ = 0 gives the identity.
  const int64_t radius = int64_t(4.0 * sigma + 0.5);
  if (n == 0 || radius == 0) return signal;
  std::vector<double> weights(std::size_t(2 * radius + 1));
  double total = 0;
  for (int64_t k = -radius; k <= radius; ++k) {
    weights[std::size_t(k + radius)] = std::exp(-0.5 * double(k * k) / (sigma * sigma));
    total += weights[std::size_t(k + radius)];
  }
  for (double& w : weights) w /= total;
  // "reflect" (d c b a | a b c d | d c b a): the extension has period 2n, and index i ≥ n of a
  // period maps to 2n − 1 − i — also right when the kernel is wider than the signal.
  auto at = [&](int64_t i) {
    int64_t m = i % (2 * n);
    if (m < 0) m += 2 * n;
    return signal[std::size_t(m < n ? m : 2 * n - 1 - m)];
  };
  std::vector<double> out(signal.size());
  for (int64_t i = 0; i < n; ++i) {
    double sum = 0;
    for (int64_t k = -radius; k <= radius; ++k) sum += weights[std::size_t(k + radius)] * at(i + k);
    out[std::size_t(i)] = sum;
  }
  return out;
}

namespace celltype_detail {

StatusOr<std::vector<double>> read_trace_array(const std::string& path, int32_t cols, const std::string& what,
                                               int32_t* rows_out) {
  StatusOr<NpyArray> loaded = load_npy(path);
  if (!loaded.ok()) return loaded.status();
  const NpyArray& a = loaded.value();
  if (a.dtype != NpyDtype::kFloat64 && a.dtype != NpyDtype::kFloat32)
    return invalid_argument(path + ": expected float64 (or float32) values for " + what + ", found dtype '" +
                            npy_dtype_descr(a.dtype) + "'");
  if (a.shape.size() != 2 || (cols > 0 && a.shape[1] != cols) || a.shape[0] < 1 || a.shape[0] > INT32_MAX)
    return invalid_argument(path + ": expected " + what + " of shape (rows, " +
                            (cols > 0 ? std::to_string(cols) : std::string("frames")) + ") with at least one row, found " +
                            a.shape_string());
  const int64_t count = a.element_count();
  std::vector<double> values(static_cast<std::size_t>(count));
  if (a.dtype == NpyDtype::kFloat64) {
    std::memcpy(values.data(), a.data.data(), std::size_t(count) * sizeof(double));
  } else {
    for (int64_t k = 0; k < count; ++k) {
      float f;
      std::memcpy(&f, a.data.data() + k * 4, 4);
      values[std::size_t(k)] = f;
    }
  }
  int64_t bad = 0, first = -1;
  for (int64_t k = 0; k < count; ++k) {
    if (std::isfinite(values[std::size_t(k)])) continue;
    if (first < 0) first = k;
    ++bad;
  }
  if (bad > 0)
    return invalid_argument(path + ": values must be finite, found " +
                            (std::isnan(values[std::size_t(first)]) ? "NaN" : "infinity") + " at row " +
                            std::to_string(first / a.shape[1]) + ", column " + std::to_string(first % a.shape[1]) +
                            (bad > 1 ? " (and " + std::to_string(bad - 1) + " more non-finite values)" : ""));
  *rows_out = int32_t(a.shape[0]);
  return values;
}

}  // namespace celltype_detail

namespace {

// One population's processed pair; empty (rows 0) for an unobserved population without files.
struct ProcessedPair {
  std::vector<double> input, target;
  int32_t rows = 0;
};

// Reads one set (the main directory or its heldout/ twin) for every population.
StatusOr<std::vector<ProcessedPair>> read_processed_set(const CelltypeSpec& spec, const std::string& dir,
                                                        const std::string& condition, int32_t* samples) {
  const int32_t n_pop = spec.populations();
  std::vector<ProcessedPair> pairs(static_cast<std::size_t>(n_pop));
  std::string reference;  // the file that set the sample count
  *samples = 0;
  for (int32_t p = 0; p < n_pop; ++p) {
    const std::string name = spec.population_name(p);
    const std::string in_path = join_path(dir, celltype_processed_file(spec, p, condition, "train"));
    const std::string out_path = join_path(dir, celltype_processed_file(spec, p, condition, "test"));
    const bool has_in = file_exists(in_path), has_out = file_exists(out_path);
    if (!spec.observed[std::size_t(p)] && !has_in && !has_out) continue;
    for (const auto& f : {std::make_pair(has_in, in_path), std::make_pair(has_out, out_path)})
      if (!f.first)
        return not_found(f.second + ": missing — population " + name + ", condition '" + condition +
                         "' needs its input (_train) and target (_test) files; `biornn celltype bootstrap` writes "
                         "them from raw trial arrays" +
                         (spec.observed[std::size_t(p)] ? "" : " (the population is unobserved: give both or neither)"));
    ProcessedPair& pair = pairs[std::size_t(p)];
    int32_t rows_in = 0, rows_out = 0;
    StatusOr<std::vector<double>> x =
        celltype_detail::read_trace_array(in_path, kCelltypeFullSteps, "the input traces of " + name, &rows_in);
    if (!x.ok()) return x.status();
    StatusOr<std::vector<double>> y =
        celltype_detail::read_trace_array(out_path, kCelltypeFullSteps, "the target traces of " + name, &rows_out);
    if (!y.ok()) return y.status();
    if (rows_in != rows_out)
      return invalid_argument(out_path + ": has " + std::to_string(rows_out) + " samples but its input " + in_path +
                              " has " + std::to_string(rows_in) + "; input and target must pair row for row");
    if (reference.empty()) {
      reference = in_path;
      *samples = rows_in;
    } else if (rows_in != *samples) {
      return invalid_argument(in_path + ": has " + std::to_string(rows_in) + " samples, expected " +
                              std::to_string(*samples) + " like " + reference +
                              " — every population of a condition needs the same number of samples");
    }
    pair.input = std::move(x.value());
    pair.target = std::move(y.value());
    pair.rows = rows_in;
  }
  if (reference.empty())
    return not_found(dir + ": no processed files for condition '" + condition + "' (expected e.g. " +
                     celltype_processed_file(spec, 0, condition, "train") + ")");
  return pairs;
}

// Lays the pairs out as SequenceData: x(i, t·P + p) = input column first + t of population p.
SequenceData to_sequence(const CelltypeSpec& spec, const std::vector<ProcessedPair>& pairs, int32_t samples,
                         CelltypeWindow window) {
  const int32_t n_pop = spec.populations();
  const int32_t first = window == CelltypeWindow::kFull ? 0 : kCelltypeHalfFirst;
  const int32_t steps = window == CelltypeWindow::kFull ? kCelltypeFullSteps : kCelltypeHalfSteps;
  SequenceData d;
  d.steps = steps;
  d.inputs = n_pop;
  d.outputs = n_pop;
  d.x = Matrix(samples, steps * n_pop);
  d.y = Matrix(samples, steps * n_pop);
  d.scored_outputs = Matrix(1, n_pop);
  for (int32_t p = 0; p < n_pop; ++p) {
    d.scored_outputs(0, p) = spec.observed[std::size_t(p)] ? real(1) : real(0);
    const ProcessedPair& pair = pairs[std::size_t(p)];
    if (pair.rows == 0) continue;  // unobserved, no files: zeros
    for (int32_t i = 0; i < samples; ++i)
      for (int32_t t = 0; t < steps; ++t) {
        const std::size_t k = std::size_t(i) * kCelltypeFullSteps + std::size_t(first + t);
        d.x(i, t * n_pop + p) = real(pair.input[k]);
        d.y(i, t * n_pop + p) = real(pair.target[k]);
      }
  }
  return d;
}

}  // namespace

StatusOr<TaskData> load_celltype_data(const CelltypeSpec& spec, const std::string& dir, const std::string& condition,
                                      CelltypeWindow window) {
  BIORNN_RETURN_IF_ERROR(validate_celltype_spec(spec, "the population spec"));
  if (condition.empty() || condition.find('/') != std::string::npos)
    return invalid_argument("condition '" + condition + "': expected a non-empty name without '/', e.g. familiar_change");
  if (!directory_exists(dir)) return not_found(dir + ": no such directory (the processed data for celltype fit)");
  int32_t n_train = 0, n_test = 0;
  StatusOr<std::vector<ProcessedPair>> train = read_processed_set(spec, dir, condition, &n_train);
  if (!train.ok()) return train.status();
  TaskData data;
  data.kind = TaskKind::kCelltype;
  data.train = to_sequence(spec, train.value(), n_train, window);
  const std::string heldout = join_path(dir, "heldout");
  bool has_heldout = false;
  for (int32_t p = 0; p < spec.populations() && !has_heldout; ++p)
    has_heldout = file_exists(join_path(heldout, celltype_processed_file(spec, p, condition, "train")));
  if (has_heldout) {
    StatusOr<std::vector<ProcessedPair>> test = read_processed_set(spec, heldout, condition, &n_test);
    if (!test.ok()) return test.status();
    data.test = to_sequence(spec, test.value(), n_test, window);
  } else {
    data.test = data.train;
  }
  data.description = "celltype " + condition + " (" + celltype_window_name(window) + " window, " +
                     std::to_string(data.train.steps) + " steps, " + std::to_string(spec.populations()) +
                     " populations): " + std::to_string(n_train) + " samples from " + dir +
                     (has_heldout ? ", " + std::to_string(n_test) + " held-out test samples from " + heldout
                                  : " (test = train: no heldout/)");
  return data;
}

}  // namespace biornn
