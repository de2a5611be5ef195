// verify_common.cpp — the pieces every theorem check uses: Jacobi eigenvalues, the verdict
// and slack arithmetic, the least-squares problem, the gradient-descent runner, and
// verify_all (see verify.hpp for the contract of each).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "verify_internal.hpp"

namespace biornn {

using namespace verify_detail;

// ---- Jacobi --------------------------------------------------------------------------------------

std::vector<double> symmetric_eigenvalues(std::vector<double> a, int32_t n) {
  BIORNN_CHECK(n >= 0 && int64_t(a.size()) == int64_t(n) * n,
               "symmetric_eigenvalues: expected n·n = " + std::to_string(int64_t(n) * n) + " values, got " +
                   std::to_string(a.size()));
  auto at = [&a, n](int32_t i, int32_t j) -> double& { return a[std::size_t(i) * std::size_t(n) + std::size_t(j)]; };
  double total = 0;
  for (double v : a) total += v * v;
  const double stop = total * std::ldexp(1.0, -104);  // (2⁻⁵²·‖A‖_F)²
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (int32_t p = 0; p < n; ++p)
      for (int32_t q = p + 1; q < n; ++q) off += 2 * at(p, q) * at(p, q);
    if (off <= stop) break;
    for (int32_t p = 0; p < n; ++p) {
      for (int32_t q = p + 1; q < n; ++q) {
        const double apq = at(p, q);
        if (apq == 0) continue;
        // The rotation that zeroes a_pq: t = tan φ is the smaller root of t² + 2θt − 1 = 0.
        const double theta = (at(q, q) - at(p, p)) / (2 * apq);
        const double t = std::fabs(theta) > 1e150 ? 0.5 / theta
                                                  : (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int32_t k = 0; k < n; ++k) {  // A ← A·J (columns p and q)
          const double akp = at(k, p), akq = at(k, q);
          at(k, p) = c * akp - s * akq;
          at(k, q) = s * akp + c * akq;
        }
        for (int32_t k = 0; k < n; ++k) {  // A ← Jᵀ·A (rows p and q)
          const double apk = at(p, k), aqk = at(q, k);
          at(p, k) = c * apk - s * aqk;
          at(q, k) = s * apk + c * aqk;
        }
        at(p, q) = 0;
        at(q, p) = 0;
      }
    }
  }
  std::vector<double> eig(static_cast<std::size_t>(n));
  for (int32_t i = 0; i < n; ++i) eig[std::size_t(i)] = at(i, i);
  std::sort(eig.begin(), eig.end());
  return eig;
}

double spectral_norm(const std::vector<double>& m, int32_t rows, int32_t cols) {
  BIORNN_CHECK(int64_t(m.size()) == int64_t(rows) * cols, "spectral_norm: size does not match the shape");
  if (rows == 0 || cols == 0) return 0;
  std::vector<double> gram(std::size_t(cols) * std::size_t(cols), 0.0);
  for (int32_t i = 0; i < cols; ++i)
    for (int32_t j = i; j < cols; ++j) {
      double s = 0;
      for (int32_t k = 0; k < rows; ++k) s += m[std::size_t(k) * cols + i] * m[std::size_t(k) * cols + j];
      gram[std::size_t(i) * cols + j] = s;
      gram[std::size_t(j) * cols + i] = s;
    }
  const std::vector<double> eig = symmetric_eigenvalues(std::move(gram), cols);
  return std::sqrt(std::max(0.0, eig.back()));
}

double spectral_norm(ConstMatrixView m) {
  std::vector<double> v(static_cast<std::size_t>(m.size()));
  for (int32_t i = 0; i < m.rows; ++i)
    for (int32_t j = 0; j < m.cols; ++j) v[std::size_t(i) * m.cols + j] = double(m(i, j));
  return spectral_norm(v, m.rows, m.cols);
}

// ---- verdicts and slack ----------------------------------------------------------------------------

const char* verify_verdict(const VerifyCheck& check) {
  if (check.demonstration) return check.pass ? "held" : "broken";
  return check.pass ? "pass" : "fail";
}

const char* verify_relation_symbol(VerifyRelation relation) {
  switch (relation) {
    case VerifyRelation::kAtMost: return "<=";
    case VerifyRelation::kAtLeast: return ">=";
    case VerifyRelation::kEqualWithin: return "==";
  }
  return "?";
}

std::string verify_slack_text(const VerifyCheck& c) {
  if (c.relation == VerifyRelation::kEqualWithin)
    return format("|diff| %.2g = %.0f%% of tol", std::fabs(c.measured - c.bound), 100 * c.ratio);
  const bool upper = c.relation == VerifyRelation::kAtMost;
  if (!(c.slack >= -c.tolerance)) {
    if (upper && c.bound > 0 && c.measured > 0) return format("measured %.3gx the bound", c.measured / c.bound);
    return format(upper ? "exceeded by %.3g" : "short by %.3g", -c.slack);
  }
  if (!std::isfinite(c.ratio)) return format("slack %.3g", c.slack);
  if (c.ratio < 1 + 1e-9) return format("tight (slack %.2g)", c.slack);
  if (c.ratio < 1.01) return format("%s 1 + %.2g", upper ? "bound/meas" : "meas/bound", c.ratio - 1);
  return format(upper ? "bound %.3gx measured" : "measured %.3gx bound", c.ratio);
}

std::string verify_table_header() {
  return format("%-12s %14s %2s %-14s %-30s %s", "result", "measured", "", "bound", "slack", "verdict");
}

std::string verify_table_row(const VerifyCheck& c) {
  return format("%-12s %14.6g %2s %-14.6g %-30s %s", c.name.c_str(), c.measured, verify_relation_symbol(c.relation),
                c.bound, verify_slack_text(c).c_str(), verify_verdict(c));
}

void verify_finish(VerifyCheck& c, bool extra) {
  bool holds = false;
  switch (c.relation) {
    case VerifyRelation::kAtMost:
      c.slack = c.bound - c.measured;
      c.ratio = c.measured == 0 ? HUGE_VAL : c.bound / c.measured;
      holds = c.measured <= c.bound + c.tolerance;
      break;
    case VerifyRelation::kAtLeast:
      c.slack = c.measured - c.bound;
      c.ratio = c.bound == 0 ? HUGE_VAL : c.measured / c.bound;
      holds = c.measured >= c.bound - c.tolerance;
      break;
    case VerifyRelation::kEqualWithin:
      c.slack = c.tolerance - std::fabs(c.measured - c.bound);
      c.ratio = c.tolerance == 0 ? HUGE_VAL : std::fabs(c.measured - c.bound) / c.tolerance;
      holds = std::fabs(c.measured - c.bound) <= c.tolerance;
      break;
  }
  c.pass = holds && extra;  // NaN measured or bound fails every comparison above
}

bool VerifyReport::all_pass() const {
  for (const VerifyCheck& c : checks)
    if (!c.pass) return false;
  return true;
}

VerifyReport verify_all(const VerifyOptions& options) {
  VerifyReport r;
  r.checks.push_back(verify_theorem5(options));
  r.checks.push_back(verify_corollary6(options));
  r.checks.push_back(verify_lemma1(options));
  r.checks.push_back(verify_theorem2(options));
  r.checks.push_back(verify_lemma3(options));
  r.checks.push_back(verify_theorem4(options));
  r.checks.push_back(verify_appendix7(options));
  r.checks.push_back(verify_appendix9(options));
  r.checks.push_back(verify_appendix10_bound(options));
  r.checks.push_back(verify_appendix10_hypergeom(options));
  r.demonstrations.push_back(verify_demo_lemma1_outside(options));
  r.demonstrations.push_back(verify_demo_lemma1_non_separable(options));
  r.demonstrations.push_back(verify_demo_theorem2_outside(options));
  r.demonstrations.push_back(verify_demo_theorem4_paper_lipschitz(options));
  r.demonstrations.push_back(verify_demo_appendix7_paper_direction(options));
  return r;
}

namespace verify_detail {

std::string format(const char* fmt, ...) {
  char buf[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

double norm2(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

double norm2(const real* v, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += double(v[i]) * double(v[i]);
  return std::sqrt(s);
}

double distance2(const real* a, const real* b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = double(a[i]) - double(b[i]);
    s += d * d;
  }
  return std::sqrt(s);
}

Matrix dale_initial_weights(Rng& rng, int32_t rows, const SignVector& col_signs) {
  const int32_t cols = int32_t(col_signs.size());
  const double hi = 1 / std::sqrt(double(cols));
  Matrix w(rows, cols);
  for (int32_t i = 0; i < rows; ++i)
    for (int32_t j = 0; j < cols; ++j)
      w(i, j) = real(col_signs[std::size_t(j)] > 0 ? rng.uniform(0, hi) : rng.uniform(-hi, 0));
  return w;
}

// ---- least squares --------------------------------------------------------------------------------

double LeastSquares::loss(const real* w) const {
  double unused = 0;
  return loss(w, &unused);
}

double LeastSquares::loss(const real* w, double* error) const {
  const int64_t nn = n();
  double s = 0, err = 0;
  for (int32_t r = 0; r < m; ++r) {
    double res = -b[std::size_t(r)], magnitude = std::fabs(b[std::size_t(r)]);
    for (int64_t k = 0; k < nn; ++k) {
      const double t = a[std::size_t(r * nn + k)] * double(w[k]);
      res += t;
      magnitude += std::fabs(t);
    }
    s += res * res;
    err += std::fabs(res) * magnitude;
  }
  *error = 2 * double(nn + 2) * DBL_EPSILON * err;
  return 0.5 * s;
}

void LeastSquares::gradient(const real* w, std::vector<double>* g) const {
  const int64_t nn = n();
  g->assign(std::size_t(nn), 0.0);
  for (int32_t r = 0; r < m; ++r) {
    double res = -b[std::size_t(r)];
    for (int64_t k = 0; k < nn; ++k) res += a[std::size_t(r * nn + k)] * double(w[k]);
    for (int64_t k = 0; k < nn; ++k) (*g)[std::size_t(k)] += a[std::size_t(r * nn + k)] * res;
  }
}

namespace {

void finish_least_squares(LeastSquares& p) {
  const int64_t nn = p.n();
  p.signs = element_signs_dense(p.rows, p.col_signs);
  p.b.assign(std::size_t(p.m), 0.0);
  for (int32_t r = 0; r < p.m; ++r)
    for (int64_t k = 0; k < nn; ++k) p.b[std::size_t(r)] += p.a[std::size_t(r * nn + k)] * double(p.optimum.data()[k]);
  std::vector<double> gram(std::size_t(nn * nn), 0.0);
  for (int64_t i = 0; i < nn; ++i)
    for (int64_t j = 0; j < nn; ++j) {
      double s = 0;
      for (int32_t r = 0; r < p.m; ++r) s += p.a[std::size_t(r * nn + i)] * p.a[std::size_t(r * nn + j)];
      gram[std::size_t(i * nn + j)] = s;
    }
  const std::vector<double> eig = symmetric_eigenvalues(std::move(gram), int32_t(nn));
  p.mu = eig.front();
  p.lipschitz = eig.back();
  BIORNN_CHECK(p.mu > 0, "least squares: AᵀA must be positive definite (μ = " + std::to_string(p.mu) + ")");
}

}  // namespace

LeastSquares make_least_squares(Rng& rng, int32_t rows, int32_t cols, int32_t exc_cols, int32_t m,
                                OptimumPlacement placement) {
  LeastSquares p;
  p.rows = rows;
  p.cols = cols;
  p.m = m;
  p.col_signs.assign(std::size_t(cols), int8_t(-1));
  for (int32_t j = 0; j < exc_cols; ++j) p.col_signs[std::size_t(j)] = 1;
  const int64_t nn = p.n();
  p.a.resize(std::size_t(int64_t(m) * nn));
  const double scale = 1 / std::sqrt(double(m));
  for (double& v : p.a) v = rng.normal() * scale;
  p.optimum = Matrix(rows, cols);
  for (int32_t i = 0; i < rows; ++i)
    for (int32_t j = 0; j < cols; ++j) {
      double v = p.col_signs[std::size_t(j)] * rng.uniform(0.3, 1.0);
      if (placement == OptimumPlacement::kOutside && (i * cols + j) % 3 == 1) v = -v;
      p.optimum(i, j) = real(v);
    }
  finish_least_squares(p);
  return p;
}

LeastSquares make_least_squares_from(const std::vector<std::vector<double>>& a_rows, const Matrix& optimum,
                                     const SignVector& col_signs) {
  LeastSquares p;
  p.rows = optimum.rows();
  p.cols = optimum.cols();
  p.m = int32_t(a_rows.size());
  p.col_signs = col_signs;
  p.optimum = optimum;
  for (const auto& row : a_rows) {
    BIORNN_CHECK(int64_t(row.size()) == p.n(), "make_least_squares_from: every row of A needs n values");
    p.a.insert(p.a.end(), row.begin(), row.end());
  }
  finish_least_squares(p);
  return p;
}

// ---- gradient descent -----------------------------------------------------------------------------

namespace {
OptimizerOptions sgd(double step) {
  OptimizerOptions o;
  o.kind = OptimizerKind::kSgd;
  o.lr = step;
  return o;
}
}  // namespace

GdRunner::GdRunner(const Matrix& w0, double step, const SignVector* signs, const VerifyProjection& hook)
    : param_("W", w0), optimizer_(sgd(step)), hook_(hook), dale_(signs != nullptr), step_(step) {
  ParamConstraint c;
  if (signs != nullptr) {
    signs_ = *signs;
    if (!hook_) c.signs = signs_;  // the library's projection, inside Optimizer::step
  }
  optimizer_.add(param_, c);
}

int64_t GdRunner::step(const std::vector<double>& g) {
  BIORNN_CHECK(int64_t(g.size()) == param_.value.size(), "GdRunner::step: gradient size does not match");
  for (int64_t k = 0; k < param_.value.size(); ++k) param_.grad.data()[k] = real(g[std::size_t(k)]);
  return step_with_current_grad();
}

int64_t GdRunner::step_with_current_grad() {
  const int64_t n = param_.value.size();
  last_rounding_ = 4 * unit_roundoff() * (norm2(param_.value.data(), n) + step_ * norm2(param_.grad.data(), n));
  optimizer_.step();
  if (!dale_ || !hook_) return dale_ ? optimizer_.last_clipped() : 0;
  before_.assign(param_.value.data(), param_.value.data() + n);
  hook_(param_.value.data(), signs_, n);
  int64_t changed = 0;
  for (int64_t k = 0; k < n; ++k) changed += before_[std::size_t(k)] != param_.value.data()[k] ? 1 : 0;
  return changed;
}

}  // namespace verify_detail
}  // namespace biornn
