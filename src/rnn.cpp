// rnn.cpp — SignedRnn: initialisation, the three learning rules, masks, the CSR switch, and
// recording the forward pass on a tape (see rnn.hpp; SPEC §1–§2).
#include "biornn/rnn.hpp"

#include <cmath>

namespace biornn {

const char* learning_rule_name(LearningRule rule) {
  switch (rule) {
    case LearningRule::kConventional: return "conventional";
    case LearningRule::kDale: return "dale";
    case LearningRule::kRectified: return "rectified";
  }
  return "?";
}

bool parse_learning_rule(const std::string& text, LearningRule* out) {
  for (LearningRule r : {LearningRule::kConventional, LearningRule::kDale, LearningRule::kRectified}) {
    if (text == learning_rule_name(r)) {
      *out = r;
      return true;
    }
  }
  return false;
}

const char* recurrent_init_name(RecurrentInit init) {
  switch (init) {
    case RecurrentInit::kUniform: return "uniform";
    case RecurrentInit::kBalanced: return "balanced";
  }
  return "?";
}

bool parse_recurrent_init(const std::string& text, RecurrentInit* out) {
  for (RecurrentInit r : {RecurrentInit::kUniform, RecurrentInit::kBalanced}) {
    if (text == recurrent_init_name(r)) {
      *out = r;
      return true;
    }
  }
  return false;
}

namespace {

Matrix uniform_matrix(Rng& rng, int32_t rows, int32_t cols, double lo, double hi) {
  Matrix m(rows, cols);
  for (int64_t k = 0; k < m.size(); ++k) m.data()[k] = real(rng.uniform(lo, hi));
  return m;
}

}  // namespace

SignedRnn::SignedRnn(const RnnSpec& spec, Rng& init_rng) : spec_(spec) {
  BIORNN_CHECK(spec.inputs >= 1 && spec.hidden >= 1 && spec.outputs >= 1,
               "SignedRnn: inputs, hidden and outputs must be >= 1, got " +
                   std::to_string(spec.inputs) + ", " + std::to_string(spec.hidden) + ", " +
                   std::to_string(spec.outputs));
  BIORNN_CHECK(spec.theta >= 0, "SignedRnn: the threshold θ must be >= 0");
  const int32_t n = spec.hidden;
  BIORNN_CHECK(spec.column_signs.empty() || int32_t(spec.column_signs.size()) == n,
               "SignedRnn: " + std::to_string(spec.column_signs.size()) + " column signs for " + std::to_string(n) +
                   " hidden units");
  column_signs_ = spec.column_signs.empty() ? dale_column_signs(n, spec.exc_frac) : spec.column_signs;
  sign_row_ = Matrix(1, n);
  for (int32_t j = 0; j < n; ++j) sign_row_(0, j) = real(column_signs_[std::size_t(j)]);

  const double bound = 1.0 / std::sqrt(double(n));
  // The I columns' scale: 1 (SPEC §1), or n_E/n_I so that E[Σ_j W_ij] = n_E·b/2 − n_I·r·b/2 = 0.
  double inhibitory_scale = 1;
  if (spec.recurrent_init == RecurrentInit::kBalanced) {
    const int32_t n_exc = excitatory();
    BIORNN_CHECK(n_exc > 0 && n_exc < n, "SignedRnn: the balanced recurrent init needs both E and I units, got " +
                                             std::to_string(n_exc) + " E of " + std::to_string(n));
    inhibitory_scale = double(n_exc) / double(n - n_exc);
  }
  Matrix w0(n, n);
  for (int32_t i = 0; i < n; ++i)
    for (int32_t j = 0; j < n; ++j)
      w0(i, j) = real(column_signs_[std::size_t(j)] > 0 ? init_rng.uniform(0, bound)
                                                         : inhibitory_scale * init_rng.uniform(-bound, 0));
  if (spec.rule == LearningRule::kRectified) {
    for (int64_t k = 0; k < w0.size(); ++k) w0.data()[k] = std::fabs(w0.data()[k]);  // V = |W|
  }
  w = Parameter("W", w0);
  w_in = Parameter("W_in", uniform_matrix(init_rng, n, spec.inputs, -bound, bound));
  b_in = Parameter("b_in", spec.recurrent_biases ? uniform_matrix(init_rng, 1, n, -bound, bound) : Matrix(1, n));
  b_rec = Parameter("b_rec", spec.recurrent_biases ? uniform_matrix(init_rng, 1, n, -bound, bound) : Matrix(1, n));
  w_out = Parameter("W_out", uniform_matrix(init_rng, spec.outputs, n, -bound, bound));
  b_out = Parameter("b_out", spec.readout_bias ? uniform_matrix(init_rng, 1, spec.outputs, -bound, bound)
                                               : Matrix(1, spec.outputs));
  w_values = Parameter("W_values", Matrix(1, 0));
}

int32_t SignedRnn::excitatory() const { return excitatory_count(column_signs_); }

void SignedRnn::set_input_mask(const Mask& mask) {
  BIORNN_CHECK(mask.same_shape(w_in.value), "set_input_mask: W_in is " + w_in.value.shape() +
                                                " but the mask is " + mask.shape());
  input_mask_ = mask;
  apply_mask_inplace(w_in.value, input_mask_);
}

void SignedRnn::set_readout_mask(const Mask& mask) {
  BIORNN_CHECK(mask.same_shape(w_out.value), "set_readout_mask: W_out is " + w_out.value.shape() +
                                                  " but the mask is " + mask.shape());
  readout_mask_ = mask;
  apply_mask_inplace(w_out.value, readout_mask_);
}

void SignedRnn::make_sparse(const Mask& keep) {
  BIORNN_CHECK(keep.same_shape(w.value), "make_sparse: W is " + w.value.shape() +
                                             " but the mask is " + keep.shape());
  pattern_ = CsrMatrix::from_dense(w.value, keep);
  w_values = Parameter("W_values", Matrix(1, int32_t(pattern_.nnz())));
  for (int64_t k = 0; k < pattern_.nnz(); ++k) w_values.value.data()[k] = pattern_.values()[std::size_t(k)];
  const SignVector value_signs = element_signs_csr(pattern_, column_signs_);
  sign_values_ = Matrix(1, int32_t(pattern_.nnz()));
  for (int64_t k = 0; k < pattern_.nnz(); ++k) sign_values_.data()[k] = real(value_signs[std::size_t(k)]);
  sparse_ = true;
}

Matrix SignedRnn::recurrent_weights() const {
  Matrix out(spec_.hidden, spec_.hidden);
  if (sparse_) {
    CsrMatrix s = pattern_;
    s.set_values(w_values.value.data(), w_values.value.size());
    s.scatter_to(out);
  } else {
    out = w.value;
  }
  if (spec_.rule == LearningRule::kRectified) {
    for (int32_t i = 0; i < out.rows(); ++i)
      for (int32_t j = 0; j < out.cols(); ++j) out(i, j) = std::fmax(out(i, j), real(0)) * sign_row_(0, j);
  }
  return out;
}

int64_t SignedRnn::sign_violations() const {
  // Counted in place (no allocation: the trainer calls this after every optimiser step).
  // NaN counts as a violation. The rectified rule's relu(V)·s has the right sign by
  // construction, so only a NaN latent can break it.
  const bool rectified = spec_.rule == LearningRule::kRectified;
  auto breaks = [rectified](real v, int8_t sign) {
    if (rectified) return !(v == v);
    return (sign > 0 && !(v >= 0)) || (sign < 0 && !(v <= 0));
  };
  int64_t bad = 0;
  if (sparse_) {
    const std::vector<int32_t>& cols = pattern_.col_idx();
    for (int64_t k = 0; k < w_values.value.size(); ++k)
      bad += breaks(w_values.value.data()[k], column_signs_[std::size_t(cols[std::size_t(k)])]);
    return bad;
  }
  for (int32_t i = 0; i < w.value.rows(); ++i) {
    const real* row = w.value.row(i);
    for (int32_t j = 0; j < w.value.cols(); ++j) bad += breaks(row[j], column_signs_[std::size_t(j)]);
  }
  return bad;
}

Var SignedRnn::record_hidden(Tape& tape, const Matrix& x, int32_t steps) {
  BIORNN_CHECK(x.cols() == spec_.inputs, "SignedRnn: the network has " + std::to_string(spec_.inputs) +
                                             " inputs but x is " + x.shape());
  Var b_in_var = spec_.recurrent_biases ? tape.param(b_in) : Var();
  Var b_rec_var = spec_.recurrent_biases ? tape.param(b_rec) : Var();
  RecurrentOptions o;
  o.steps = steps;
  o.activation = spec_.activation;
  o.threshold = spec_.rule == LearningRule::kDale;
  o.theta = spec_.theta;
  o.output = spec_.readout_from;
  const bool rectified = spec_.rule == LearningRule::kRectified;
  if (sparse_) {
    Var values = tape.param(w_values);
    if (rectified) values = mul(relu(values), tape.constant(sign_values_));
    return recurrent_sparse(tape.constant(x), tape.param(w_in), pattern_, values, b_in_var, b_rec_var, o);
  }
  Var weights = tape.param(w);
  if (rectified) weights = col_scale(relu(weights), tape.constant(sign_row_));
  return recurrent(tape.constant(x), tape.param(w_in), weights, b_in_var, b_rec_var, o);
}

Var SignedRnn::record_readout(Tape& tape, Var rows) {
  // A frozen readout enters as a constant, so the backward pass skips its gradient (the
  // optimiser never sees it): for the cell-type model that is one (T·B, N)-deep product a batch.
  Var weights = readout_frozen_ ? tape.constant(w_out.value) : tape.param(w_out);
  Var y = matmul_nt(rows, weights);
  if (spec_.readout_bias) y = add_row_bias(y, readout_frozen_ ? tape.constant(b_out.value) : tape.param(b_out));
  return y;
}

void SignedRnn::register_parameters(Optimizer& optimizer) {
  ParamConstraint input_constraint;
  if (input_mask_.rows() > 0) input_constraint.mask = &input_mask_;
  optimizer.add(w_in, input_constraint);
  if (spec_.recurrent_biases) {
    optimizer.add(b_in);
    optimizer.add(b_rec);
  }
  ParamConstraint recurrent_constraint;
  if (spec_.rule == LearningRule::kDale) {
    recurrent_constraint.signs = sparse_ ? element_signs_csr(pattern_, column_signs_)
                                         : element_signs_dense(spec_.hidden, column_signs_);
    recurrent_constraint.reset_moments_where_clipped = spec_.reset_clipped_moments;
  }
  optimizer.add(sparse_ ? w_values : w, recurrent_constraint);
  if (!readout_frozen_) {
    ParamConstraint readout_constraint;
    if (readout_mask_.rows() > 0) readout_constraint.mask = &readout_mask_;
    optimizer.add(w_out, readout_constraint);
    if (spec_.readout_bias) optimizer.add(b_out);
  }
}

std::vector<Parameter*> SignedRnn::parameters() {
  std::vector<Parameter*> all = {&w_in, &b_in, &w, &b_rec, &w_out, &b_out};
  if (sparse_) all.push_back(&w_values);
  return all;
}

}  // namespace biornn
