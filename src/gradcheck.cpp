// gradcheck.cpp — central differences against Tape::backward (see gradcheck.hpp for the
// derivation of the step and tolerances).
#include "biornn/gradcheck.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

namespace biornn {

GradcheckTolerance gradcheck_default_tolerance() {
  const double u = std::numeric_limits<real>::epsilon() / 2;  // unit roundoff of `real`
  GradcheckTolerance t;
  t.step = std::cbrt(u);
  t.abs_tol = kGradcheckSafety * std::pow(u, 2.0 / 3.0);
  t.rel_tol = t.abs_tol;
  return t;
}

namespace {

double evaluate(const GradcheckFunction& f, Tape& tape, std::vector<Parameter>& params) {
  tape.clear();
  std::vector<Var> vars;
  for (Parameter& p : params) vars.push_back(tape.param(p));
  const Var loss = f(tape, vars);
  return double(loss.item());
}

}  // namespace

GradcheckReport gradcheck(const GradcheckFunction& f, const std::vector<Matrix>& inputs,
                          const GradcheckTolerance& tolerance) {
  std::vector<Parameter> params;
  params.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    params.emplace_back("input " + std::to_string(i), inputs[i]);

  Tape tape;
  std::vector<Var> vars;
  for (Parameter& p : params) vars.push_back(tape.param(p));
  const Var loss = f(tape, vars);
  tape.backward(loss);

  GradcheckReport report;
  for (std::size_t which = 0; which < params.size(); ++which) {
    Parameter& p = params[which];
    for (int32_t i = 0; i < p.value.rows(); ++i) {
      for (int32_t j = 0; j < p.value.cols(); ++j) {
        const real original = p.value(i, j);
        const double h = tolerance.step * std::fmax(1.0, std::fabs(double(original)));
        // Use the step actually representable in `real`, so the quotient is honest.
        const real plus = real(double(original) + h), minus = real(double(original) - h);
        p.value(i, j) = plus;
        const double f_plus = evaluate(f, tape, params);
        p.value(i, j) = minus;
        const double f_minus = evaluate(f, tape, params);
        p.value(i, j) = original;
        const double numeric = (f_plus - f_minus) / (double(plus) - double(minus));
        const double analytic = p.grad(i, j);
        const double error = std::fabs(analytic - numeric);
        const double allowed =
            tolerance.abs_tol + tolerance.rel_tol * std::fmax(std::fabs(analytic), std::fabs(numeric));
        const double ratio = std::isnan(error) ? std::numeric_limits<double>::infinity() : error / allowed;
        ++report.elements_checked;
        if (ratio > report.worst_ratio || report.worst.empty()) {
          report.worst_ratio = ratio;
          char buffer[256];
          std::snprintf(buffer, sizeof buffer,
                        "input %zu %s at (%d, %d): analytic %.9g, numeric %.9g, error %.3g, allowed %.3g",
                        which, p.value.shape().c_str(), i, j, analytic, numeric, error, allowed);
          report.worst = buffer;
        }
        if (!(ratio <= 1.0)) report.passed = false;
      }
    }
  }
  return report;
}

}  // namespace biornn
