// verify_rnn.cpp — Theorem 4 (paper §2.2.2, App. 8.2) and App. 7 (Hebbian alignment) on a
// small recurrent network trained by the library: the fused recurrent op on the tape, the
// Optimizer with Dale's projection.
//
// The network is the theorem's: h_t = φ(W·h_{t−1} + W_in·x_t), h_0 = 0, no biases, φ = ReLU
// (so h_t ≥ 0 and the Dale threshold changes nothing — conventional and Dale's backprop run the
// same function f), output f_t = h_t. Only W is trained; W_in is fixed and shared. Targets come
// from a teacher network with the same W_in and a W of mixed signs, so Dale's signs cost
// something and W ≠ W_D. Loss ℓ(W) = Σ_t ‖h_t − y_t‖²_F / (2B) over B sequences.
//
// Theorem 4 as proved needs ‖f_t(W) − f_t(W_D)‖ ≤ L_{f_t}·‖W − W_D‖ (eq. 14): a Lipschitz
// constant IN THE WEIGHTS. Eq. 13 bounds a different one — the sensitivity to the input
// (‖W‖^t + ‖W_in‖Σ‖W‖^k has no ‖x‖ in it) — and is not enough: the demonstration scales the
// inputs ×10 and eq. 14 with eq. 13's constant fails. We use a provable weight-Lipschitz bound
// from the recursion e_t ≤ ‖Δ‖₂·‖H_{t−1}(W)‖_F + ‖W_D‖₂·e_{t−1} (ReLU is 1-Lipschitz; the input
// drive is the same for both networks), i.e. L_t = ‖H_{t−1}(W)‖_F + ‖W_D‖₂·L_{t−1}, L_1 = 0, and
// the same with W and W_D exchanged; L_{f_t} is the larger, as in the paper. Spectral norms
// come from Jacobi, inflated by 1e-10 relative (far above their rounding error).
// δ is Lemma 3's bound with G the largest gradient norm along both runs and L the largest
// secant ratio ‖∇ℓ(W^(k)) − ∇ℓ(W_D^(k))‖/‖W^(k) − W_D^(k)‖ — exactly the inequalities the
// proof of Lemma 3 uses, so δ ≥ ‖W − W_D‖ is a theorem for this run, not a hope.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "biornn/tape.hpp"
#include "verify_internal.hpp"

namespace biornn {

using namespace verify_detail;

namespace {

struct TeacherTask {
  int32_t units = 0, inputs = 0, steps = 0, batch = 0;
  Matrix x;       // (steps·batch, inputs), time-major, U[0, 1)
  Matrix w_in;    // (units, inputs), fixed
  Matrix target;  // (steps·batch, units): the teacher's h_t
  SignVector col_signs, signs;
};

// H (steps·batch·units, time-major) of the ReLU network with recurrent weights w, in double.
std::vector<double> forward_double(const Matrix& w, const TeacherTask& task, double input_scale) {
  const int32_t n = task.units, b = task.batch;
  std::vector<double> h(std::size_t(task.steps) * b * n, 0.0);
  for (int32_t t = 0; t < task.steps; ++t)
    for (int32_t s = 0; s < b; ++s) {
      const int64_t row = int64_t(t) * b + s;
      for (int32_t j = 0; j < n; ++j) {
        double z = 0;
        for (int32_t k = 0; k < task.inputs; ++k) z += double(task.w_in(j, k)) * input_scale * double(task.x(int32_t(row), k));
        if (t > 0)
          for (int32_t i = 0; i < n; ++i) z += double(w(j, i)) * h[std::size_t((row - b) * n + i)];
        h[std::size_t(row * n + j)] = z > 0 ? z : 0;
      }
    }
  return h;
}

TeacherTask make_teacher_task(Rng& rng, int32_t units, int32_t inputs, int32_t steps, int32_t batch, double exc_frac) {
  TeacherTask task;
  task.units = units;
  task.inputs = inputs;
  task.steps = steps;
  task.batch = batch;
  task.col_signs = dale_column_signs(units, exc_frac);
  task.signs = element_signs_dense(units, task.col_signs);
  task.x = Matrix(steps * batch, inputs);
  for (int64_t k = 0; k < task.x.size(); ++k) task.x.data()[k] = real(rng.uniform01());
  task.w_in = Matrix(units, inputs);
  for (int64_t k = 0; k < task.w_in.size(); ++k) task.w_in.data()[k] = real(rng.uniform(-1, 1) / std::sqrt(double(inputs)));
  Matrix teacher(units, units);
  for (int64_t k = 0; k < teacher.size(); ++k) teacher.data()[k] = real(0.8 * rng.normal() / std::sqrt(double(units)));
  const std::vector<double> y = forward_double(teacher, task, 1.0);
  task.target = Matrix(steps * batch, units);
  for (int64_t k = 0; k < task.target.size(); ++k) task.target.data()[k] = real(y[std::size_t(k)]);
  return task;
}

// ℓ(W) = Σ‖h_t − y_t‖²/(2B) on the library's tape, the network unrolled with primitive ops
// (each gradient-checked in tests/test_tape_gradcheck.cpp); the gradient lands in w.grad.
// When `rates` is given it receives the forward pass's h, (steps·batch, units), time-major.
double loss_and_gradient(const TeacherTask& task, Parameter& w, Tape& tape, Matrix* rates = nullptr) {
  tape.clear();
  w.zero_grad();
  const int32_t b = task.batch;
  Var x = tape.constant(task.x), w_in = tape.constant(task.w_in), y = tape.constant(task.target);
  Var weights = tape.param(w);
  Var u = matmul_nt(x, w_in);  // (T·B, units): every step's input drive at once
  Var h, loss;
  if (rates != nullptr) rates->resize(task.steps * b, task.units);
  for (int32_t t = 0; t < task.steps; ++t) {
    Var z = slice_rows(u, t * b, b);
    if (t > 0) z = add(z, matmul_nt(h, weights));
    h = relu(z);
    Var term = scale(mse(h, slice_rows(y, t * b, b)), real(0.5 * task.units));
    loss = t == 0 ? term : add(loss, term);
    if (rates != nullptr)
      for (int32_t s = 0; s < b; ++s)
        for (int32_t j = 0; j < task.units; ++j) (*rates)(t * b + s, j) = h.value()(s, j);
  }
  tape.backward(loss);
  return double(loss.item());
}

std::vector<double> to_double(const Matrix& m) { return std::vector<double>(m.data(), m.data() + m.size()); }

double upper_spectral_norm(const Matrix& m) { return spectral_norm(m) * (1 + 1e-10); }

// Both runs of Theorem 4 from one Dale initialisation.
struct TrainedPair {
  TeacherTask task;
  Matrix w, w_d;  // conventional and Dale's backprop after K iterations
  int32_t iterations = 0;
  double step = 0, g_max = 0, secant = 0, delta_lemma3 = 0, delta_tolerance = 0;
};

TrainedPair train_pair(const VerifyOptions& o) {
  Rng rng(o.seed, kStreamTheorem4);
  TrainedPair r;
  r.task = make_teacher_task(rng, 8, 3, 8, 16, 0.75);
  const Matrix w0 = dale_initial_weights(rng, r.task.units, r.task.col_signs);
  r.step = 0.05;
  r.iterations = 40;
  GdRunner plain(w0, r.step, nullptr, o.projection), dale(w0, r.step, &r.task.signs, o.projection);
  Tape tape;
  std::vector<double> rounding;
  double delta = 0;
  for (int32_t k = 0; k < r.iterations; ++k) {
    loss_and_gradient(r.task, plain.parameter(), tape);
    loss_and_gradient(r.task, dale.parameter(), tape);
    const Matrix& g = plain.parameter().grad;
    const Matrix& gd = dale.parameter().grad;
    r.g_max = std::max({r.g_max, norm2(g.data(), g.size()), norm2(gd.data(), gd.size())});
    if (delta > 0) r.secant = std::max(r.secant, distance2(g.data(), gd.data(), g.size()) / delta);
    plain.step_with_current_grad();
    dale.step_with_current_grad();
    rounding.push_back(plain.last_rounding() + dale.last_rounding());
    delta = distance2(plain.weights().data(), dale.weights().data(), w0.size());
  }
  const double el = r.secant * r.step;
  r.delta_lemma3 = el > 0 ? r.g_max / r.secant * (std::pow(1 + el, double(r.iterations)) - 1)
                          : r.step * r.g_max * r.iterations;  // the limit L → 0
  for (double e : rounding) r.delta_tolerance = (1 + el) * r.delta_tolerance + e;
  r.w = plain.weights();
  r.w_d = dale.weights();
  return r;
}

// ‖block t‖_F of a (steps·batch·units) sequence, or of the difference of two.
double block_norm(const std::vector<double>& a, const std::vector<double>* b, const TeacherTask& task, int32_t t) {
  const std::size_t first = std::size_t(t) * task.batch * task.units, count = std::size_t(task.batch) * task.units;
  double s = 0;
  for (std::size_t k = first; k < first + count; ++k) {
    const double d = a[k] - (b != nullptr ? (*b)[k] : 0.0);
    s += d * d;
  }
  return std::sqrt(s);
}

// L_t = ‖H_{t−1}(a)‖_F + ‖b‖₂·L_{t−1}: the weight-Lipschitz recursion for the pair (a, b).
std::vector<double> weight_lipschitz(const std::vector<double>& h_a, double norm_b, const TeacherTask& task) {
  std::vector<double> l(std::size_t(task.steps), 0.0);
  for (int32_t t = 1; t < task.steps; ++t) l[std::size_t(t)] = block_norm(h_a, nullptr, task, t - 1) + norm_b * l[std::size_t(t - 1)];
  return l;
}

// Eq. 13: ‖W‖^t + ‖W_in‖·Σ_{k<t} ‖W‖^k (t = 1 … T).
double paper_lipschitz(double norm_w, double norm_in, int32_t t) {
  double geometric = 0;
  for (int32_t k = 0; k < t; ++k) geometric += std::pow(norm_w, double(k));
  return std::pow(norm_w, double(t)) + norm_in * geometric;
}

}  // namespace

VerifyCheck verify_theorem4(const VerifyOptions& o, ErrorBoundTrace* trace) {
  VerifyCheck c;
  c.id = "theorem4";
  c.name = "Theorem 4";
  c.statement = "||f(W_D) - y||^2 <= 2(delta^2 sum_t L_ft^2 + sum_t eps*_t^2), delta from Lemma 3";
  const TrainedPair r = train_pair(o);
  const TeacherTask& task = r.task;
  ErrorBoundTrace local;
  ErrorBoundTrace& t = trace != nullptr ? *trace : local;
  t = ErrorBoundTrace();
  t.units = task.units;
  t.steps = task.steps;
  t.batch = task.batch;
  t.iterations = r.iterations;
  t.step = r.step;
  t.gradient_bound = r.g_max;
  t.lipschitz_secant = r.secant;
  t.delta_lemma3 = r.delta_lemma3;
  t.delta_measured = distance2(r.w.data(), r.w_d.data(), r.w.size());

  const std::vector<double> h = forward_double(r.w, task, 1.0), h_d = forward_double(r.w_d, task, 1.0);
  const std::vector<double> y = to_double(task.target);
  const double norm_w = upper_spectral_norm(r.w), norm_d = upper_spectral_norm(r.w_d);
  const double norm_in = upper_spectral_norm(task.w_in);
  const std::vector<double> la = weight_lipschitz(h, norm_d, task), lb = weight_lipschitz(h_d, norm_w, task);
  double sum_l2 = 0, sum_eps2 = 0, measured = 0;
  bool eq14 = true;
  for (int32_t s = 0; s < task.steps; ++s) {
    const double lt = std::max(la[std::size_t(s)], lb[std::size_t(s)]);
    t.lipschitz_t.push_back(lt);
    t.paper_lipschitz_t.push_back(std::max(paper_lipschitz(norm_w, norm_in, s + 1), paper_lipschitz(norm_d, norm_in, s + 1)));
    t.output_distance_t.push_back(block_norm(h, &h_d, task, s));
    t.conventional_error_t.push_back(block_norm(h, &y, task, s));
    t.dale_error_t.push_back(block_norm(h_d, &y, task, s));
    eq14 = eq14 && t.output_distance_t.back() <= lt * t.delta_measured * (1 + 1e-12) + 1e-300;
    sum_l2 += lt * lt;
    sum_eps2 += t.conventional_error_t.back() * t.conventional_error_t.back();
    measured += t.dale_error_t.back() * t.dale_error_t.back();
  }
  const double delta = t.delta_lemma3;
  t.bound_tight = 2 * (t.delta_measured * t.delta_measured * sum_l2 + sum_eps2);
  const double no_factor_two = t.delta_measured * t.delta_measured * sum_l2 + sum_eps2;
  c.measured = measured;
  c.bound = 2 * (delta * delta * sum_l2 + sum_eps2);
  c.tolerance = 1e-12 * c.bound;
  const bool lemma3 = t.delta_measured <= delta + r.delta_tolerance;
  const bool tight = measured <= t.bound_tight * (1 + 1e-12);
  c.details = format(
      "ReLU RNN, 8 units (6 E, 2 I), 3 inputs, T = 8, B = 16, no biases; targets from a mixed-sign "
      "teacher; %d GD iterations, eta = %.3g, both rules from one Dale init. Lemma 3 on this run: "
      "G = %.4g, secant L = %.4g, delta = %.4g >= ||W - W_D||_F = %.4g: %s. L_ft (in the weights, "
      "provable; t = 1 is 0 since h_0 = 0) up to %.4g; eps* total %.4g. With delta = ||W - W_D||_F the "
      "bound is %.4g (%.3gx measured; holds: %s), and eq. 14 holds at every t: %s. The appendix's "
      "statement without the factor 2 would give %.4g here (%s).",
      r.iterations, r.step, r.g_max, r.secant, delta, t.delta_measured, lemma3 ? "yes" : "NO",
      *std::max_element(t.lipschitz_t.begin(), t.lipschitz_t.end()), sum_eps2, t.bound_tight,
      t.bound_tight / measured, tight ? "yes" : "NO", eq14 ? "yes" : "NO", no_factor_two,
      measured <= no_factor_two ? "it happens to hold" : "it fails");
  finish_check(c, lemma3 && tight && eq14);
  return c;
}

VerifyCheck verify_demo_theorem4_paper_lipschitz(const VerifyOptions& o) {
  VerifyCheck c;
  c.id = "demo_theorem4_paper_lipschitz";
  c.name = "Theorem 4*";
  c.statement = "eq. 14 with eq. 13's L_ft (an input-Lipschitz constant), inputs x10: max_t ||f_t(W)-f_t(W_D)|| / (L_ft delta)";
  c.demonstration = true;
  const TrainedPair r = train_pair(o);
  const double delta = distance2(r.w.data(), r.w_d.data(), r.w.size());
  const double norm_w = upper_spectral_norm(r.w), norm_d = upper_spectral_norm(r.w_d);
  const double norm_in = upper_spectral_norm(r.task.w_in);
  double worst[2] = {0, 0};
  const double scales[2] = {1, 10};
  for (int k = 0; k < 2; ++k) {
    const std::vector<double> h = forward_double(r.w, r.task, scales[k]), h_d = forward_double(r.w_d, r.task, scales[k]);
    for (int32_t s = 0; s < r.task.steps; ++s) {
      const double lt = std::max(paper_lipschitz(norm_w, norm_in, s + 1), paper_lipschitz(norm_d, norm_in, s + 1));
      worst[k] = std::max(worst[k], block_norm(h, &h_d, r.task, s) / (lt * delta));
    }
  }
  c.measured = worst[1];
  c.bound = 1;
  c.details = format(
      "the Theorem 4 network and weights. Eq. 13's L_ft = ||W||^t + ||W_in|| sum_k ||W||^k does not depend "
      "on the input's size; the output difference does (ReLU without biases is positively homogeneous). "
      "Largest ratio at the training inputs: %.3g; at inputs x10: %.3g. Eq. 14 needs a constant that bounds "
      "the effect of the weights, which the Theorem 4 check computes.",
      worst[0], worst[1]);
  finish_check(c, true);
  return c;
}

// ---- App. 7 --------------------------------------------------------------------------------------

namespace {

struct HebbianCounts {
  int64_t dale_e = 0, dale_e_and_hebb = 0;  // E weights Dale strengthened; of those, Hebbian too
  int64_t hebb_e = 0, hebb_e_and_dale = 0;  // E weights Hebbian strengthened; of those, Dale too
  int64_t dale_i = 0, hebb_i = 0;           // I weights each rule strengthened
  int64_t e_weights = 0, i_weights = 0;     // (weight, step) pairs looked at
  int32_t steps = 0;
};

// K steps of Dale's backprop on the ReLU network. At each step, for every weight: did the Dale
// step increase |w|, and would the Hebbian update Δw_ji = η Σ_{b,t} h_t[b, j]·h_{t−1}[b, i]
// (post at t, pre at t − 1, the rates the step itself saw) increase |w|?
HebbianCounts count_hebbian(const VerifyOptions& o) {
  Rng rng(o.seed, kStreamAppendix7);
  const TeacherTask task = make_teacher_task(rng, 10, 3, 6, 8, 0.8);
  const Matrix w0 = dale_initial_weights(rng, task.units, task.col_signs);
  GdRunner dale(w0, 0.05, &task.signs, o.projection);
  Tape tape;
  Matrix rates, before;
  HebbianCounts c;
  c.steps = 20;
  const int32_t n = task.units, b = task.batch;
  for (int32_t k = 0; k < c.steps; ++k) {
    loss_and_gradient(task, dale.parameter(), tape, &rates);
    before = dale.weights();
    dale.step_with_current_grad();
    for (int32_t j = 0; j < n; ++j)
      for (int32_t i = 0; i < n; ++i) {
        double hebb = 0;
        for (int32_t t = 1; t < task.steps; ++t)
          for (int32_t s = 0; s < b; ++s) hebb += double(rates(t * b + s, j)) * double(rates((t - 1) * b + s, i));
        const double w_old = double(before(j, i)), w_new = double(dale.weights()(j, i));
        const bool dale_up = std::fabs(w_new) > std::fabs(w_old);
        // Hebbian: w + η·hebb with hebb ≥ 0 has a larger magnitude iff hebb > 0 and w ≥ 0.
        const bool excitatory = task.col_signs[std::size_t(i)] > 0;
        const bool hebb_up = hebb > 0 && w_old >= 0;
        if (excitatory) {
          ++c.e_weights;
          c.dale_e += dale_up;
          c.dale_e_and_hebb += dale_up && hebb_up;
          c.hebb_e += hebb_up;
          c.hebb_e_and_dale += hebb_up && dale_up;
        } else {
          ++c.i_weights;
          c.dale_i += dale_up;
          c.hebb_i += hebb > 0 && w_old > 0;  // never: a feasible inhibitory w is ≤ 0
        }
      }
  }
  return c;
}

}  // namespace

VerifyCheck verify_appendix7(const VerifyOptions& o) {
  VerifyCheck c;
  c.id = "appendix7";
  c.name = "App. 7";
  c.statement = "with rates >= 0, every E weight Dale's backprop strengthens is one Hebbian learning strengthens";
  c.relation = VerifyRelation::kAtLeast;
  const HebbianCounts h = count_hebbian(o);
  c.measured = h.dale_e > 0 ? double(h.dale_e_and_hebb) / double(h.dale_e) : 0;
  c.bound = 1;
  c.details = format(
      "ReLU RNN, 10 units (8 E, 2 I), T = 6, B = 8, %d Dale steps (eta = 0.05). Hebbian update "
      "eta*sum_t h_j(t) h_i(t-1) >= 0. Of %lld (E weight, step) pairs Dale strengthened, %lld are Hebbian-"
      "strengthened (must be all: a nonzero dl/dw_ji needs pre h_i(t-1) > 0 and, through ReLU', post "
      "h_j(t) > 0). Inhibitory weights: Dale strengthened %lld of %lld, Hebbian %lld (with rates >= 0 "
      "Hebbian only weakens w <= 0).",
      h.steps, static_cast<long long>(h.dale_e), static_cast<long long>(h.dale_e_and_hebb),
      static_cast<long long>(h.dale_i), static_cast<long long>(h.i_weights), static_cast<long long>(h.hebb_i));
  finish_check(c, h.dale_e > 0);
  return c;
}

VerifyCheck verify_demo_appendix7_paper_direction(const VerifyOptions& o) {
  VerifyCheck c;
  c.id = "demo_appendix7_paper_direction";
  c.name = "App. 7*";
  c.statement = "as the paper words it (Hebbian-strengthened subset of Dale-strengthened): share of E weights";
  c.relation = VerifyRelation::kAtLeast;
  c.demonstration = true;
  const HebbianCounts h = count_hebbian(o);
  c.measured = h.hebb_e > 0 ? double(h.hebb_e_and_dale) / double(h.hebb_e) : 0;
  c.bound = 1;
  c.details = format(
      "same run: Hebbian learning strengthened %lld (E weight, step) pairs, Dale's backprop %lld of them. "
      "Co-activity is necessary for a Dale strengthening but not sufficient: the error signal decides, so "
      "the inclusion holds the other way round (the App. 7 check).",
      static_cast<long long>(h.hebb_e), static_cast<long long>(h.hebb_e_and_dale));
  finish_check(c, true);
  return c;
}

}  // namespace biornn
