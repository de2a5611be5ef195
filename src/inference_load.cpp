// inference_load.cpp — reads a model.npz and checks it before anything runs (inference.hpp).
//
// Every problem is a Status whose message starts with the file name and the key and says what
// was expected and what was found; nothing in a file can reach a contract check. The checks,
// in order: the format marker, the forward-pass codes, each weight's dtype, rank, finiteness
// and shape against W's (N, N), the signs (±1, one per unit), the mask (N, N; all true unless
// the model is sparse), W zero outside the mask, and — for sign-constrained rules — every
// stored W entry on its column's side of zero. Optional input/readout masks, when present,
// must fit and W_in / W_out must be zero outside them (training applies them).
//
// Not here: the step (inference.cpp).
#include <cmath>
#include <cstdint>
#include <cstring>

#include "biornn/npz.hpp"
#include "inference_internal.hpp"

namespace biornn {

namespace {

std::string num(int64_t v) { return std::to_string(v); }

// The array under `key`, or a message listing what the file does hold.
StatusOr<const NpyArray*> find(const NpzArrays& arrays, const std::string& name, const std::string& key) {
  auto it = arrays.find(key);
  if (it != arrays.end()) return &it->second;
  return not_found(name + ": no array '" + key + "' (a model.npz written by `biornn train` has it); the file holds: " +
                   npz_keys_text(arrays));
}

bool is_integer(NpyDtype d) { return d == NpyDtype::kInt32 || d == NpyDtype::kInt64 || d == NpyDtype::kUInt8; }

// A 0-d (or one-element) integer or bool array.
Status read_scalar_int(const NpzArrays& arrays, const std::string& name, const std::string& key, int64_t* out) {
  StatusOr<const NpyArray*> found = find(arrays, name, key);
  if (!found.ok()) return found.status();
  const NpyArray& a = *found.value();
  if (!is_integer(a.dtype) && a.dtype != NpyDtype::kBool)
    return invalid_argument(name + ": '" + key + "' must be an integer scalar, found dtype " + npy_dtype_descr(a.dtype));
  if (a.element_count() != 1)
    return invalid_argument(name + ": '" + key + "' must hold one value, found shape " + a.shape_string());
  StatusOr<std::vector<int64_t>> v = npy_to_int64(a, name + ": '" + key + "'");
  if (!v.ok()) return v.status();
  *out = v.value()[0];
  return Status();
}

Status read_flag(const NpzArrays& arrays, const std::string& name, const std::string& key, bool* out) {
  int64_t v = 0;
  BIORNN_RETURN_IF_ERROR(read_scalar_int(arrays, name, key, &v));
  if (v != 0 && v != 1) return invalid_argument(name + ": '" + key + "' must be true or false (1 or 0), found " + num(v));
  *out = v == 1;
  return Status();
}

Status read_code(const NpzArrays& arrays, const std::string& name, const std::string& key, int64_t lo, int64_t hi,
                 const char* meaning, int32_t* out) {
  int64_t v = 0;
  BIORNN_RETURN_IF_ERROR(read_scalar_int(arrays, name, key, &v));
  if (v < lo || v > hi)
    return invalid_argument(name + ": '" + key + "' = " + num(v) + " is not a known code; expected " + meaning);
  *out = int32_t(v);
  return Status();
}

Status read_theta(const NpzArrays& arrays, const std::string& name, real* out) {
  StatusOr<const NpyArray*> found = find(arrays, name, "theta");
  if (!found.ok()) return found.status();
  const NpyArray& a = *found.value();
  if ((a.dtype != NpyDtype::kFloat32 && a.dtype != NpyDtype::kFloat64) || a.element_count() != 1)
    return invalid_argument(name + ": 'theta' must be one float, found dtype " + npy_dtype_descr(a.dtype) +
                            " shape " + a.shape_string());
  double v = 0;
  if (a.dtype == NpyDtype::kFloat32) {
    float f;
    std::memcpy(&f, a.data.data(), sizeof f);
    v = f;
  } else {
    std::memcpy(&v, a.data.data(), sizeof v);
  }
  if (!std::isfinite(v) || v < 0) return invalid_argument(name + ": 'theta' must be finite and >= 0, found " + std::to_string(v));
  *out = real(v);
  return Status();
}

// A float array of exactly (rows, cols) — or (cols,) when `vector` — with finite entries.
StatusOr<Matrix> read_matrix(const NpzArrays& arrays, const std::string& name, const std::string& key, int32_t rows,
                             int32_t cols, bool vector) {
  StatusOr<const NpyArray*> found = find(arrays, name, key);
  if (!found.ok()) return found.status();
  const NpyArray& a = *found.value();
  const std::string expected = vector ? "(" + num(cols) + ",) or (1, " + num(cols) + ")" : "(" + num(rows) + ", " + num(cols) + ")";
  const bool shape_ok = vector ? (a.shape.size() == 1 && a.shape[0] == cols) ||
                                     (a.shape.size() == 2 && a.shape[0] == 1 && a.shape[1] == cols)
                               : a.shape.size() == 2 && a.shape[0] == rows && a.shape[1] == cols;
  if (!shape_ok) return invalid_argument(name + ": '" + key + "' must have shape " + expected + ", found " + a.shape_string());
  return npy_to_matrix(a, name + ": '" + key + "'");
}

// Input or readout mask, when the file has one: its shape, and the weights zero outside it.
Status check_optional_mask(const NpzArrays& arrays, const std::string& name, const std::string& key,
                           const std::string& weights_key, const Matrix& weights) {
  if (arrays.find(key) == arrays.end()) return Status();
  StatusOr<Mask> mask = npy_to_mask(arrays.at(key), name + ": '" + key + "'");
  if (!mask.ok()) return mask.status();
  if (!mask.value().same_shape(weights))
    return invalid_argument(name + ": '" + key + "' must have the shape of '" + weights_key + "' " + weights.shape() +
                            ", found " + mask.value().shape());
  for (int32_t i = 0; i < weights.rows(); ++i)
    for (int32_t j = 0; j < weights.cols(); ++j)
      if (!mask.value()(i, j) && weights(i, j) != 0)
        return invalid_argument(name + ": '" + weights_key + "'[" + num(i) + ", " + num(j) + "] = " +
                                std::to_string(weights(i, j)) + " lies outside '" + key + "' but is not 0");
  return Status();
}

// The recurrent structure: signs, mask, W against both.
Status check_recurrent(const NpzArrays& arrays, const std::string& name, const InferenceSpec& s, const Matrix& w,
                       Mask* mask_out) {
  const int32_t n = s.hidden;
  StatusOr<const NpyArray*> signs_array = find(arrays, name, "signs");
  if (!signs_array.ok()) return signs_array.status();
  const NpyArray& sa = *signs_array.value();
  if (!is_integer(sa.dtype) || sa.shape.size() != 1 || sa.shape[0] != n)
    return invalid_argument(name + ": 'signs' must be " + num(n) + " integers (one per unit, +1 E / -1 I), found dtype " +
                            npy_dtype_descr(sa.dtype) + " shape " + sa.shape_string());
  StatusOr<std::vector<int64_t>> signs = npy_to_int64(sa, name + ": 'signs'");
  if (!signs.ok()) return signs.status();
  for (int32_t j = 0; j < n; ++j)
    if (signs.value()[std::size_t(j)] != 1 && signs.value()[std::size_t(j)] != -1)
      return invalid_argument(name + ": 'signs'[" + num(j) + "] = " + num(signs.value()[std::size_t(j)]) +
                              "; expected +1 (excitatory) or -1 (inhibitory)");

  StatusOr<const NpyArray*> mask_array = find(arrays, name, "mask");
  if (!mask_array.ok()) return mask_array.status();
  StatusOr<Mask> mask = npy_to_mask(*mask_array.value(), name + ": 'mask'");
  if (!mask.ok()) return mask.status();
  if (mask.value().rows() != n || mask.value().cols() != n)
    return invalid_argument(name + ": 'mask' must have the shape of 'W' " + w.shape() + ", found " + mask.value().shape());
  const Mask& keep = mask.value();
  if (!s.sparse && keep.count() != int64_t(n) * n)
    return invalid_argument(name + ": 'sparse' is false but 'mask' excludes " + num(int64_t(n) * n - keep.count()) +
                            " entries; a dense model's mask is all true (a pruned model sets 'sparse')");
  for (int32_t i = 0; i < n; ++i) {
    for (int32_t j = 0; j < n; ++j) {
      const real v = w(i, j);
      if (!keep(i, j)) {
        if (v != 0)
          return invalid_argument(name + ": 'W'[" + num(i) + ", " + num(j) + "] = " + std::to_string(v) +
                                  " lies outside 'mask' (pruned) but is not 0");
        continue;
      }
      const int64_t sign = signs.value()[std::size_t(j)];
      if (s.sign_constrained && ((sign > 0 && v < 0) || (sign < 0 && v > 0)))
        return invalid_argument(name + ": 'W'[" + num(i) + ", " + num(j) + "] = " + std::to_string(v) + " breaks the sign of column " +
                                num(j) + " (" + (sign > 0 ? "+1, excitatory" : "-1, inhibitory") +
                                "); a model trained with Dale's or the rectified rule never does");
    }
  }
  *mask_out = keep;
  return Status();
}

Status read_spec(const NpzArrays& arrays, const std::string& name, InferenceSpec* s) {
  if (arrays.find("model_format") == arrays.end())
    return unsupported(name + ": no 'model_format' key: this model.npz predates the forward-pass description "
                              "(activation, threshold, readout) that inference needs; rerun `biornn train` "
                              "(or resume the run) with this version to rewrite it");
  int32_t format = 0;
  BIORNN_RETURN_IF_ERROR(read_code(arrays, name, "model_format", kModelFormat, kModelFormat,
                                   "1 (this version reads format 1)", &format));
  BIORNN_RETURN_IF_ERROR(read_code(arrays, name, "rule", 0, 2, "0 conventional, 1 dale, 2 rectified", &s->rule));
  s->sign_constrained = s->rule != 0;
  int32_t code = 0;
  BIORNN_RETURN_IF_ERROR(read_code(arrays, name, "activation", 0, 2, "0 tanh, 1 relu, 2 identity", &code));
  activation_from_code(code, &s->activation);
  BIORNN_RETURN_IF_ERROR(read_code(arrays, name, "output_activation", 0, 2, "0 tanh, 1 relu, 2 identity", &code));
  activation_from_code(code, &s->output_activation);
  BIORNN_RETURN_IF_ERROR(read_code(arrays, name, "readout_from", 0, 1, "0 activation (a_t), 1 rate (h_t)", &code));
  s->readout_from = code == 0 ? ReadoutFrom::kActivation : ReadoutFrom::kRate;
  BIORNN_RETURN_IF_ERROR(read_flag(arrays, name, "threshold", &s->threshold));
  BIORNN_RETURN_IF_ERROR(read_theta(arrays, name, &s->theta));
  BIORNN_RETURN_IF_ERROR(read_flag(arrays, name, "sparse", &s->sparse));
  BIORNN_RETURN_IF_ERROR(read_flag(arrays, name, "recurrent_biases", &s->recurrent_biases));
  return read_flag(arrays, name, "readout_bias", &s->readout_bias);
}

// The sizes, from W (N, N), W_in (N, n_in) and W_out (n_out, N).
Status read_sizes(const NpzArrays& arrays, const std::string& name, InferenceSpec* s) {
  for (const char* key : {"W", "W_in", "W_out"}) {
    StatusOr<const NpyArray*> a = find(arrays, name, key);
    if (!a.ok()) return a.status();
    const std::vector<int64_t>& shape = a.value()->shape;
    if (shape.size() != 2 || shape[0] < 1 || shape[1] < 1 || shape[0] > INT32_MAX || shape[1] > INT32_MAX)
      return invalid_argument(name + ": '" + key + "' must be a non-empty 2-D array, found shape " + a.value()->shape_string());
  }
  const std::vector<int64_t>& w = arrays.at("W").shape;
  if (w[0] != w[1]) return invalid_argument(name + ": 'W' must be square (N, N), found " + arrays.at("W").shape_string());
  s->hidden = int32_t(w[0]);
  s->inputs = int32_t(arrays.at("W_in").shape[1]);
  s->outputs = int32_t(arrays.at("W_out").shape[0]);
  return Status();
}

}  // namespace

StatusOr<InferenceModel> InferenceModel::from_arrays(const NpzArrays& arrays, const std::string& name) {
  auto impl = std::make_unique<Impl>();
  InferenceSpec& s = impl->spec;
  BIORNN_RETURN_IF_ERROR(read_spec(arrays, name, &s));
  BIORNN_RETURN_IF_ERROR(read_sizes(arrays, name, &s));
  const int32_t n = s.hidden;
  struct Load {
    const char* key;
    Matrix* into;
    int32_t rows, cols;
    bool vector;
  } loads[] = {{"W", &impl->w, n, n, false},          {"W_in", &impl->w_in, n, s.inputs, false},
               {"b_in", &impl->b_in, 1, n, true},     {"b_rec", &impl->b_rec, 1, n, true},
               {"W_out", &impl->w_out, s.outputs, n, false}, {"b_out", &impl->b_out, 1, s.outputs, true}};
  for (const Load& l : loads) {
    StatusOr<Matrix> m = read_matrix(arrays, name, l.key, l.rows, l.cols, l.vector);
    if (!m.ok()) return m.status();
    *l.into = std::move(m).value();
  }
  Mask keep;
  BIORNN_RETURN_IF_ERROR(check_recurrent(arrays, name, s, impl->w, &keep));
  BIORNN_RETURN_IF_ERROR(check_optional_mask(arrays, name, "input_mask", "W_in", impl->w_in));
  BIORNN_RETURN_IF_ERROR(check_optional_mask(arrays, name, "readout_mask", "W_out", impl->w_out));
  s.nnz = keep.count();
  if (s.sparse) {
    impl->pattern = CsrMatrix::from_dense(impl->w, keep);
    impl->w = Matrix();
  }
  inference_prepare(*impl);
  InferenceModel model;
  model.impl_ = std::move(impl);
  return StatusOr<InferenceModel>(std::move(model));
}

StatusOr<InferenceModel> InferenceModel::load(const std::string& path) {
  StatusOr<NpzArrays> arrays = load_npz(path);
  if (!arrays.ok()) return arrays.status();
  return from_arrays(arrays.value(), path);
}

}  // namespace biornn
