// verify_projection.cpp — Theorem 5 and Corollary 6 (paper App. 6.3): Dale's projection is the
// Frobenius-closest sign-feasible matrix, hence no farther from W than the rectified map.
//
// Theorem 5 is checked three independent ways against the library's projection P:
//   1. an optimiser that knows nothing of clipping: golden-section search, entry by entry, for
//      min (w − x)² over the feasible half-line (the problem is separable, App. 6.3);
//   2. 2000 random feasible points X, some far, some within 10⁻² and 10⁻⁴ of the optimum;
//   3. the variational inequality that characterises the projection onto a convex set S:
//      ⟨W − P, X − P⟩ ≤ 0 for every X ∈ S (exact in floating point: every term is a product
//      of numbers whose signs the projection fixes, so a correct P gives only terms ≤ 0).
// Corollary 6 compares with the rectified map W_R = relu(W) ⊙ s as SignedRnn computes it.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "biornn/rnn.hpp"
#include "verify_internal.hpp"

namespace biornn {

using namespace verify_detail;

namespace {

void project(const VerifyOptions& o, Matrix& w, const SignVector& signs) {
  if (o.projection) {
    o.projection(w.data(), signs, w.size());
  } else {
    project_signs_inplace(w.data(), signs, w.size());
  }
}

// argmin over x with sign·x ≥ 0, x within [−r, r], of (w − x)², by golden-section search.
double golden_section_feasible(double w, int8_t sign, double r) {
  double lo = sign > 0 ? 0.0 : -r, hi = sign > 0 ? r : 0.0;
  const double g = (std::sqrt(5.0) - 1) / 2;
  auto f = [w](double x) { return (w - x) * (w - x); };
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = f(x1), f2 = f(x2);
  for (int it = 0; it < 200 && hi - lo > 0; ++it) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = f(x2);
    }
  }
  return 0.5 * (lo + hi);
}

bool feasible(const Matrix& w, const SignVector& signs) {
  for (int64_t k = 0; k < w.size(); ++k) {
    const int8_t s = signs[std::size_t(k)];
    if ((s > 0 && !(w.data()[k] >= 0)) || (s < 0 && !(w.data()[k] <= 0))) return false;
  }
  return true;
}

}  // namespace

VerifyCheck verify_theorem5(const VerifyOptions& o) {
  VerifyCheck c;
  c.id = "theorem5";
  c.name = "Theorem 5";
  c.statement = "||W - P(W)||_F <= ||W - X||_F for every sign-feasible X (P = Dale's projection)";
  Rng rng(o.seed, kStreamTheorem5);
  const int32_t n = 12;
  const SignVector col_signs = dale_column_signs(n, 0.75);
  const SignVector signs = element_signs_dense(n, col_signs);
  Matrix w(n, n);
  for (int64_t k = 0; k < w.size(); ++k) w.data()[k] = real(rng.uniform(-1, 1));
  Matrix p = w;
  project(o, p, signs);
  const int64_t size = w.size();
  c.measured = distance2(w.data(), p.data(), size);

  // 1. The per-entry optimiser.
  double wmax = 0;
  for (int64_t k = 0; k < size; ++k) wmax = std::max(wmax, std::fabs(double(w.data()[k])));
  const double r = 2 * wmax + 1;
  std::vector<double> x_opt(static_cast<std::size_t>(size));
  double opt2 = 0;
  for (int64_t k = 0; k < size; ++k) {
    const double wk = double(w.data()[k]);
    x_opt[std::size_t(k)] = golden_section_feasible(wk, signs[std::size_t(k)], r);
    opt2 += (wk - x_opt[std::size_t(k)]) * (wk - x_opt[std::size_t(k)]);
  }
  const double optimiser_distance = std::sqrt(opt2);

  // 2 and 3. Random feasible points: far ones, and ones near the optimiser's answer.
  const int trials = 2000;
  double nearest_far = HUGE_VAL, nearest_near = HUGE_VAL, vi_max = -HUGE_VAL;
  std::vector<double> x(static_cast<std::size_t>(size));
  for (int t = 0; t < trials; ++t) {
    const double spread = t % 3 == 0 ? 0 : (t % 3 == 1 ? 1e-2 : 1e-4);
    for (int64_t k = 0; k < size; ++k) {
      const int8_t s = signs[std::size_t(k)];
      double v = spread == 0 ? s * rng.uniform(0, r) : x_opt[std::size_t(k)] + spread * rng.uniform(-1, 1);
      if (s * v < 0) v = 0;  // keep it feasible
      x[std::size_t(k)] = v;
    }
    double d2 = 0, vi = 0;
    for (int64_t k = 0; k < size; ++k) {
      const double wk = double(w.data()[k]), pk = double(p.data()[k]), xk = x[std::size_t(k)];
      d2 += (wk - xk) * (wk - xk);
      vi += (wk - pk) * (xk - pk);
    }
    (spread == 0 ? nearest_far : nearest_near) = std::min(spread == 0 ? nearest_far : nearest_near, std::sqrt(d2));
    vi_max = std::max(vi_max, vi);
  }
  const bool p_feasible = feasible(p, signs);
  c.bound = std::min({nearest_far, nearest_near, optimiser_distance});
  c.tolerance = 64 * DBL_EPSILON * c.measured;  // the sums of squares, in double
  c.details = format(
      "W: 12x12, entries U(-1,1), 9 E and 3 I columns. P(W) feasible: %s. Per-entry golden-section "
      "optimiser (double) reaches %.17g (P is %s it). %d random feasible points: the nearest "
      "of those drawn anywhere is %.3gx farther than P; of those within 1e-2 or 1e-4 of the optimiser's "
      "answer, the nearest exceeds ||W - P|| by %.3g. max <W - P, X - P> over all = %.3g (must be <= 0).",
      p_feasible ? "yes" : "NO", optimiser_distance,
      c.measured <= optimiser_distance + c.tolerance ? "within rounding of" : "FARTHER than", trials,
      nearest_far / c.measured, nearest_near - c.measured, vi_max);
  finish_check(c, p_feasible && vi_max <= 0);
  return c;
}

VerifyCheck verify_corollary6(const VerifyOptions& o) {
  VerifyCheck c;
  c.id = "corollary6";
  c.name = "Corollary 6";
  c.statement = "||W - W_D||_F <= ||W - W_R||_F (Dale's projection vs the rectified map relu(W)*s)";
  Rng rng(o.seed, kStreamCorollary6);
  const int32_t n = 16;
  RnnSpec spec;
  spec.hidden = n;
  spec.exc_frac = 0.75;
  spec.rule = LearningRule::kRectified;
  SignedRnn rectified(spec, rng);  // its recurrent_weights() is relu(V)·s for the latent V
  const SignVector& col_signs = rectified.column_signs();
  const SignVector signs = element_signs_dense(n, col_signs);
  const int trials = 200;
  double worst = 0, sum_ratio = 0, closed_form_error = 0;
  bool all_feasible = true;
  for (int t = 0; t < trials; ++t) {
    // W: one unconstrained gradient step from a Dale-feasible matrix, as Dale's backprop sees it.
    Matrix w = dale_initial_weights(rng, n, col_signs);
    for (int64_t k = 0; k < w.size(); ++k) w.data()[k] -= real(0.1 * rng.normal());
    Matrix w_d = w;
    project(o, w_d, signs);
    rectified.w.value = w;
    const Matrix w_r = rectified.recurrent_weights();
    all_feasible = all_feasible && feasible(w_r, signs);
    const double d_d = distance2(w.data(), w_d.data(), w.size());
    const double d_r = distance2(w.data(), w_r.data(), w.size());
    // Closed form of ‖W − W_R‖²: E entries lose their negative part; an I entry w > 0 becomes
    // −w (distance 2w), an I entry w < 0 becomes 0 (distance |w|).
    double closed = 0;
    for (int64_t k = 0; k < w.size(); ++k) {
      const double v = double(w.data()[k]);
      if (signs[std::size_t(k)] > 0) closed += v < 0 ? v * v : 0;
      else closed += v > 0 ? 4 * v * v : v * v;
    }
    closed_form_error = std::max(closed_form_error, std::fabs(d_r * d_r - closed) / std::max(closed, 1e-300));
    const double ratio = d_r > 0 ? d_d / d_r : (d_d > 0 ? HUGE_VAL : 0);
    worst = std::max(worst, ratio);
    sum_ratio += ratio;
  }
  c.measured = worst;
  c.bound = 1;
  c.tolerance = 64 * DBL_EPSILON;
  const bool closed_ok = closed_form_error <= 1e-12;
  c.details = format(
      "%d trials: W = W0 - 0.1*N(0,1) from a Dale-feasible 16x16 W0 (12 E, 4 I columns); W_R from "
      "SignedRnn(rectified).recurrent_weights(). Largest ||W - W_D|| / ||W - W_R|| = %.4f, mean %.4f "
      "(the rectified map is on average %.2fx farther). W_R feasible: %s; ||W - W_R||^2 matches its "
      "closed form to %.2g (needs <= 1e-12).",
      trials, worst, sum_ratio / trials, trials / sum_ratio, all_feasible ? "yes" : "NO", closed_form_error);
  finish_check(c, all_feasible && closed_ok);
  return c;
}

}  // namespace biornn
