// 01_scalar_autodiff — reverse-mode differentiation on the smallest possible example.
//
// What it shows: the tape records each operation as it is computed; backward() walks the
// records from the end to the start and applies the chain rule, adding up the contributions
// of every path (x appears twice below, so its gradient has two terms). Scalars are just
// (1, 1) matrices, so this is the same machinery that trains the networks.
//
//   f(x, y) = tanh(x·y + x) · y
//   ∂f/∂x = (1 − tanh²(x·y + x)) · (y + 1) · y
//   ∂f/∂y = (1 − tanh²(x·y + x)) · x · y + tanh(x·y + x)
//
// Expected output (x = 0.5, y = −1.5; float build):
//   f(x, y)   = 0.364...        (tanh(−0.25) · −1.5)
//   df/dx     = 0.704...        hand formula 0.704...
//   df/dy     = −0.717...       hand formula −0.717...
//   the tape recorded 7 nodes
// and exit status 0 (non-zero if the tape and the hand formulas disagree).
#include <cmath>
#include <cstdio>

#include "biornn/tape.hpp"

int main() {
  using namespace biornn;
  const double x0 = 0.5, y0 = -1.5;

  Tape tape;
  Var x = tape.scalar(real(x0));
  Var y = tape.scalar(real(y0));
  Var inner = x * y + x;        // two nodes: mul, add
  Var f = tanh(inner) * y;      // two more: tanh, mul
  tape.backward(f);

  const double t = std::tanh(x0 * y0 + x0);
  const double dfdx = (1 - t * t) * (y0 + 1) * y0;
  const double dfdy = (1 - t * t) * x0 * y0 + t;

  std::printf("f(x, y)   = %.6f        (tanh(%.2f) · %.2f)\n", double(f.item()), x0 * y0 + x0, y0);
  std::printf("df/dx     = %.6f        hand formula %.6f\n", double(x.grad()(0, 0)), dfdx);
  std::printf("df/dy     = %.6f        hand formula %.6f\n", double(y.grad()(0, 0)), dfdy);
  std::printf("the tape recorded %d nodes\n", tape.size());

  // float has ~7 significant digits; the hand formulas are evaluated in double.
  const double tolerance = 1e-5;
  const bool ok = std::fabs(double(x.grad()(0, 0)) - dfdx) < tolerance &&
                  std::fabs(double(y.grad()(0, 0)) - dfdy) < tolerance &&
                  std::fabs(double(f.item()) - t * y0) < tolerance;
  if (!ok) std::printf("MISMATCH between the tape and the hand-derived gradients\n");
  return ok ? 0 : 1;
}
