// optim.cpp — SGD, Adam and RMSprop with the constraint hook (formulas and step order in
// optim.hpp). Each update is a plain loop over one parameter's elements.
#include "biornn/optim.hpp"

#include <cmath>

namespace biornn {

const char* optimizer_name(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kSgd: return "sgd";
    case OptimizerKind::kAdam: return "adam";
    case OptimizerKind::kRmsProp: return "rmsprop";
  }
  return "?";
}

bool parse_optimizer(const std::string& text, OptimizerKind* out) {
  for (OptimizerKind k : {OptimizerKind::kSgd, OptimizerKind::kAdam, OptimizerKind::kRmsProp}) {
    if (text == optimizer_name(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

Optimizer::Optimizer(const OptimizerOptions& options) : options_(options) {
  BIORNN_CHECK(options.lr >= 0, "optimizer: the learning rate must be >= 0, got " + std::to_string(options.lr));
  BIORNN_CHECK(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1,
               "optimizer: Adam's betas must lie in [0, 1)");
  BIORNN_CHECK(options.eps > 0, "optimizer: eps must be > 0");
  BIORNN_CHECK(options.clip_grad_norm >= 0 && std::isfinite(options.clip_grad_norm),
               "optimizer: clip_grad_norm must be a finite number >= 0 (0 = off)");
}

void Optimizer::add(Parameter& parameter, ParamConstraint constraint) {
  const Matrix& v = parameter.value;
  BIORNN_CHECK(parameter.grad.same_shape(v), "optimizer: parameter '" + parameter.name +
                                                 "' has value " + v.shape() + " but grad " +
                                                 parameter.grad.shape());
  BIORNN_CHECK(constraint.signs.empty() || int64_t(constraint.signs.size()) == v.size(),
               "optimizer: parameter '" + parameter.name + "' " + v.shape() + " has " +
                   std::to_string(v.size()) + " elements but its constraint has " +
                   std::to_string(constraint.signs.size()) + " signs");
  BIORNN_CHECK(constraint.mask == nullptr || constraint.mask->same_shape(v),
               "optimizer: parameter '" + parameter.name + "' is " + v.shape() +
                   " but its mask is " + (constraint.mask ? constraint.mask->shape() : ""));
  Slot s;
  s.parameter = &parameter;
  s.constraint = std::move(constraint);
  const bool needs_first = options_.kind == OptimizerKind::kAdam || options_.momentum != 0;
  const bool needs_second = options_.kind != OptimizerKind::kSgd;
  if (needs_first) s.first = Matrix(v.rows(), v.cols());
  if (needs_second) s.second = Matrix(v.rows(), v.cols());
  if (s.constraint.reset_moments_where_clipped) s.clipped.assign(std::size_t(v.size()), 0);
  slots_.push_back(std::move(s));
}

void Optimizer::zero_grad() {
  for (Slot& s : slots_) s.parameter->zero_grad();
}

namespace {

// Sets the entries of m to 0 wherever `keep` is 0 (no-op for an empty m).
void zero_where_not(Matrix& m, const uint8_t* keep) {
  for (int64_t i = 0; i < m.size(); ++i)
    if (!keep[i]) m.data()[i] = 0;
}

void zero_where(Matrix& m, const std::vector<uint8_t>& flags) {
  for (int64_t i = 0; i < m.size(); ++i)
    if (flags[std::size_t(i)]) m.data()[i] = 0;
}

}  // namespace

// Step 1b: the norm of every gradient together (in double, so the sum of squares of many
// float entries stays exact enough), and the scaling when it exceeds the limit. The gradients
// are already masked.
void Optimizer::clip_gradients() {
  double squares = 0;
  for (const Slot& s : slots_) {
    const real* g = s.parameter->grad.data();
    for (int64_t i = 0; i < s.parameter->grad.size(); ++i) squares += double(g[i]) * double(g[i]);
  }
  last_grad_norm_ = std::sqrt(squares);
  const double scale = options_.clip_grad_norm / (last_grad_norm_ + 1e-6);
  if (scale >= 1) return;
  for (Slot& s : slots_) {
    real* g = s.parameter->grad.data();
    for (int64_t i = 0; i < s.parameter->grad.size(); ++i) g[i] = real(double(g[i]) * scale);
  }
}

void Optimizer::step() {
  ++steps_;
  last_clipped_ = 0;
  for (Slot& s : slots_)                                                              // 1
    if (s.constraint.mask != nullptr) zero_where_not(s.parameter->grad, s.constraint.mask->data());
  if (options_.clip_grad_norm > 0) clip_gradients();                                  // 1b
  for (Slot& s : slots_) {
    Parameter& p = *s.parameter;
    const Mask* mask = s.constraint.mask;
    switch (options_.kind) {                                                          // 2
      case OptimizerKind::kSgd: update_sgd(s); break;
      case OptimizerKind::kAdam: update_adam(s); break;
      case OptimizerKind::kRmsProp: update_rmsprop(s); break;
    }
    if (!s.constraint.signs.empty()) {                                                // 3
      uint8_t* clipped = s.constraint.reset_moments_where_clipped ? s.clipped.data() : nullptr;
      last_clipped_ += project_signs_inplace(p.value.data(), s.constraint.signs, p.value.size(), clipped);
      if (clipped != nullptr) {
        if (!s.first.empty()) zero_where(s.first, s.clipped);
        if (!s.second.empty()) zero_where(s.second, s.clipped);
      }
    }
    if (mask != nullptr) {
      zero_where_not(p.value, mask->data());                                          // 4
      if (!s.first.empty()) zero_where_not(s.first, mask->data());                    // 5
      if (!s.second.empty()) zero_where_not(s.second, mask->data());
    }
  }
}

void Optimizer::update_sgd(Slot& s) {
  real* w = s.parameter->value.data();
  const real* g = s.parameter->grad.data();
  const int64_t n = s.parameter->value.size();
  const real lr = real(options_.lr), wd = real(options_.weight_decay);
  const real mu = real(options_.momentum), damp = real(1.0 - options_.dampening);
  const bool first_step = !s.first_initialised;
  s.first_initialised = true;
  for (int64_t i = 0; i < n; ++i) {
    real d = g[i];
    if (wd != 0) d += wd * w[i];
    if (mu != 0) {
      real& b = s.first.data()[i];
      b = first_step ? d : mu * b + damp * d;
      d = options_.nesterov ? d + mu * b : b;
    }
    w[i] -= lr * d;
  }
}

void Optimizer::update_adam(Slot& s) {
  real* w = s.parameter->value.data();
  const real* g = s.parameter->grad.data();
  real* m = s.first.data();
  real* v = s.second.data();
  const int64_t n = s.parameter->value.size();
  const double t = double(steps_);
  const real beta1 = real(options_.beta1), beta2 = real(options_.beta2);
  const real one_minus_beta1 = real(1.0 - options_.beta1), one_minus_beta2 = real(1.0 - options_.beta2);
  // Bias corrections in double, as PyTorch computes them in Python floats.
  const double bias1 = 1.0 - std::pow(options_.beta1, t);
  const double bias2 = 1.0 - std::pow(options_.beta2, t);
  const real step_size = real(options_.lr / bias1);
  const real bias2_sqrt = real(std::sqrt(bias2));
  const real eps = real(options_.eps), wd = real(options_.weight_decay);
  for (int64_t i = 0; i < n; ++i) {
    real gi = g[i];
    if (wd != 0) gi += wd * w[i];
    m[i] = m[i] * beta1 + one_minus_beta1 * gi;
    v[i] = v[i] * beta2 + one_minus_beta2 * gi * gi;
    const real denom = std::sqrt(v[i]) / bias2_sqrt + eps;
    w[i] -= step_size * (m[i] / denom);
  }
}

void Optimizer::update_rmsprop(Slot& s) {
  real* w = s.parameter->value.data();
  const real* g = s.parameter->grad.data();
  real* sq = s.second.data();
  const int64_t n = s.parameter->value.size();
  const real lr = real(options_.lr), alpha = real(options_.alpha);
  const real one_minus_alpha = real(1.0 - options_.alpha), eps = real(options_.eps);
  const real mu = real(options_.momentum), wd = real(options_.weight_decay);
  for (int64_t i = 0; i < n; ++i) {
    real gi = g[i];
    if (wd != 0) gi += wd * w[i];
    sq[i] = sq[i] * alpha + one_minus_alpha * gi * gi;
    const real avg = std::sqrt(sq[i]) + eps;
    if (mu != 0) {
      real& b = s.first.data()[i];
      b = b * mu + gi / avg;
      w[i] -= lr * b;
    } else {
      w[i] -= lr * (gi / avg);
    }
  }
}

}  // namespace biornn
