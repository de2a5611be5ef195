// 04_flipflop_dale — Dale's backprop on the 1-bit flip-flop task, step by step.
//
// What it shows: a sign-constrained RNN (80 % excitatory units whose outgoing weights stay
// ≥ 0, 20 % inhibitory units whose outgoing weights stay ≤ 0) learns the flip-flop task with
// ordinary Adam, because after every optimiser step the recurrent matrix is projected back onto
// the sign orthant: E columns max(0, w), I columns min(0, w) (paper eq. 3). The example trains
// the same network twice from the same initialisation — Dale's backprop and conventional
// backprop — and counts, after every single step, the weights whose sign breaks Dale's law.
// It is a small version of `biornn train --task flipflop` (64 units, 800 sequences).
//
// Expected output (float build; the last digits vary with the kernels). Six short epochs only
// start the learning — the full `biornn train` run (100 epochs, 6000 sequences) gets the test
// MSE to ~1e-3 — but they are enough to see the two rules diverge on signs:
//   epoch  1  dale: train 0.76.. test 0.68..   conventional: train 0.76.. test 0.67..
//   ...
//   epoch  6  dale: train 0.65.. test 0.68..   conventional: train 0.65.. test 0.66..
//   Dale's backprop: 0 sign violations after any of 24 steps (1270 weights clipped ...)
//   conventional:    261 sign violations after the last step
// and exit status 0 (non-zero if Dale's rule ever left a violation or the loss did not fall).
#include <cstdio>

#include "biornn/train.hpp"
#include "biornn/train_config.hpp"

using namespace biornn;

int main() {
  FlipFlopOptions task_options;
  task_options.train_samples = 800;
  task_options.test_samples = 300;
  Rng data_rng(11);
  const TaskData task = make_flipflop(task_options, data_rng);

  RnnSpec spec;
  spec.hidden = 64;
  spec.rule = LearningRule::kDale;
  RnnSpec conventional_spec = spec;
  conventional_spec.rule = LearningRule::kConventional;
  Rng init_a(5), init_b(5);  // the same initialisation for both rules
  SignedRnn dale(spec, init_a), conventional(conventional_spec, init_b);

  OptimizerOptions adam;
  adam.lr = 0.01;
  Trainer dale_trainer(dale, task, adam, 200, 3), conventional_trainer(conventional, task, adam, 200, 3);

  double first_loss = 0, last_loss = 0;
  int64_t clipped = 0, steps = 0;
  for (int epoch = 1; epoch <= 6; ++epoch) {
    const double d_train = dale_trainer.train_epoch();
    clipped += dale_trainer.optimizer().last_clipped();
    steps = dale_trainer.optimizer().steps_taken();
    const double c_train = conventional_trainer.train_epoch();
    const double d_test = dale_trainer.evaluate(task.test).loss, c_test = conventional_trainer.evaluate(task.test).loss;
    if (epoch == 1) first_loss = d_train;
    last_loss = d_train;
    std::printf("epoch %2d  dale: train %.4f test %.4f   conventional: train %.4f test %.4f\n", epoch, d_train, d_test,
                c_train, c_test);
  }
  std::printf("Dale's backprop: %lld sign violations after any of %lld steps (%lld weights clipped in the last step of each epoch)\n",
              static_cast<long long>(dale_trainer.max_sign_violations()), static_cast<long long>(steps),
              static_cast<long long>(clipped));
  std::printf("conventional:    %lld sign violations after the last step\n",
              static_cast<long long>(conventional.sign_violations()));
  const bool ok = dale_trainer.max_sign_violations() == 0 && last_loss < first_loss;
  if (!ok) std::printf("FAILED: Dale's rule left a violation or the loss did not fall\n");
  return ok ? 0 : 1;
}
