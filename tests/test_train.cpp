// test_train.cpp — training end to end on small problems: Dale's signs after every step,
// learning actually happens, configs are validated, and a resumed run ends bit-identical to an
// uninterrupted one.
#include "doctest/doctest.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <string>
#include <vector>

#include "biornn/fileio.hpp"
#include "biornn/prune_run.hpp"
#include "biornn/run.hpp"
#include "biornn/schedule.hpp"

using namespace biornn;

namespace {

TrainConfig small_config(TaskKind task, LearningRule rule) {
  TrainConfig c = default_train_config(task, rule);
  c.hidden = 16;
  c.batch = 50;
  c.epochs = 3;
  c.train_limit = 300;
  c.test_limit = 100;
  c.seed = 7;
  c.lr = 0.01;
  return c;
}

std::string temp_dir(const std::string& name) {
  std::string dir = "/tmp/biornn_test_" + name + "_" + std::to_string(long(::getpid()));
  std::string cmd = "rm -rf '" + dir + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return dir;
}

}  // namespace

TEST_CASE("Dale's backprop never leaves a sign violation after any step; conventional does") {
  for (LearningRule rule : {LearningRule::kDale, LearningRule::kConventional}) {
    CAPTURE(learning_rule_name(rule));
    TrainConfig c = small_config(TaskKind::kFlipFlop, rule);
    c.lr = 0.05;  // large steps push many weights across zero
    resolve_seeds(&c);
    Rng data_rng(c.data_seed), init_rng(c.init_seed);
    TaskData d = make_flipflop(FlipFlopOptions{}, data_rng);
    SignedRnn model(rnn_spec_for(c, 1, 1), init_rng);
    Trainer t(model, d, optimizer_options_for(c), c.batch, c.shuffle_seed);
    for (int e = 0; e < 1; ++e) t.train_epoch();
    if (rule == LearningRule::kDale) {
      CHECK(t.max_sign_violations() == 0);
      CHECK(model.sign_violations() == 0);
    } else {
      CHECK(t.max_sign_violations() > 0);  // the check can see violations when they exist
    }
  }
}

TEST_CASE("reset_clipped_moments reaches the optimiser: another trajectory, still no sign violation") {
  // The reset itself is tested in test_optim.cpp; here, that the config switch arrives there.
  auto train = [](bool reset) {
    TrainConfig c = small_config(TaskKind::kFlipFlop, LearningRule::kDale);
    c.lr = 0.05;
    c.reset_clipped_moments = reset;
    resolve_seeds(&c);
    Rng data_rng(c.data_seed), init_rng(c.init_seed);
    TaskData d = make_flipflop(FlipFlopOptions{}, data_rng);
    SignedRnn model(rnn_spec_for(c, 1, 1), init_rng);
    CHECK(model.spec().reset_clipped_moments == reset);
    Trainer t(model, d, optimizer_options_for(c), c.batch, c.shuffle_seed);
    t.train_epoch();
    CHECK(t.max_sign_violations() == 0);
    return model.recurrent_weights();
  };
  const Matrix plain = train(false), reset = train(true);
  CHECK_FALSE(bitwise_equal(plain, reset));
}

TEST_CASE("training lowers the flip-flop and wave losses for every rule") {
  for (TaskKind task : {TaskKind::kFlipFlop, TaskKind::kWave}) {
    for (LearningRule rule : {LearningRule::kDale, LearningRule::kConventional, LearningRule::kRectified}) {
      CAPTURE(task_name(task));
      CAPTURE(learning_rule_name(rule));
      TrainConfig c = small_config(task, rule);
      if (task == TaskKind::kWave) {
        c.train_limit = 40;  // 500-step windows: keep the test quick
        c.test_limit = 20;
        c.batch = 20;
      }
      StatusOr<std::unique_ptr<TrainingRun>> run = TrainingRun::create(c);
      REQUIRE(run.ok());
      const std::string dir = temp_dir(std::string("learn_") + task_name(task) + learning_rule_name(rule));
      REQUIRE(run.value()->start_directory(dir, false).ok());
      REQUIRE(run.value()->train(nullptr).ok());
      const std::vector<EpochRecord>& h = run.value()->history();
      REQUIRE(h.size() == 3);
      CHECK(h.back().train_loss < h.front().train_loss);
    }
  }
}

TEST_CASE("a resumed run ends bit-identical to an uninterrupted one") {
  TrainConfig c = small_config(TaskKind::kFlipFlop, LearningRule::kDale);
  c.epochs = 4;
  const std::string straight_dir = temp_dir("straight"), split_dir = temp_dir("split");

  StatusOr<std::unique_ptr<TrainingRun>> straight = TrainingRun::create(c);
  REQUIRE(straight.ok());
  REQUIRE(straight.value()->start_directory(straight_dir, false).ok());
  REQUIRE(straight.value()->train(nullptr).ok());

  // Stop after two epochs, as SIGINT would, then resume from the directory.
  std::atomic<bool> stop{false};
  StatusOr<std::unique_ptr<TrainingRun>> first = TrainingRun::create(c);
  REQUIRE(first.ok());
  REQUIRE(first.value()->start_directory(split_dir, false).ok());
  const Status interrupted = first.value()->train([&](const EpochRecord& r) { stop = r.epoch >= 2; }, &stop);
  CHECK(interrupted.code() == StatusCode::kCancelled);
  CHECK(first.value()->epochs_done() == 2);
  first.value().reset();

  StatusOr<std::unique_ptr<TrainingRun>> resumed = TrainingRun::resume(split_dir);
  REQUIRE(resumed.ok());
  CHECK(resumed.value()->epochs_done() == 2);
  // read_config gives the configuration resume runs, seeds resolved, without building the run.
  StatusOr<TrainConfig> recorded = TrainingRun::read_config(split_dir);
  REQUIRE(recorded.ok());
  CHECK(train_config_to_toml(recorded.value()) == train_config_to_toml(resumed.value()->config()));
  CHECK(recorded.value().init_seed != 0);
  CHECK_FALSE(TrainingRun::read_config(split_dir + "_missing").ok());
  REQUIRE(resumed.value()->train(nullptr).ok());
  CHECK(resumed.value()->epochs_done() == 4);

  SignedRnn& a = const_cast<SignedRnn&>(straight.value()->model());
  SignedRnn& b = const_cast<SignedRnn&>(resumed.value()->model());
  for (std::size_t k = 0; k < a.parameters().size(); ++k) {
    CAPTURE(a.parameters()[k]->name);
    CHECK(bitwise_equal(a.parameters()[k]->value, b.parameters()[k]->value));
  }
  CHECK(straight.value()->history().back().test_loss == resumed.value()->history().back().test_loss);
}

// The cosine schedule reaches the optimiser: epoch k of E trains with CosineSchedule's rate
// for k − 1 finished epochs (T_max = E); the floor equal to lr gives the constant run's bits;
// and an interrupted cosine run resumes onto the same rate and the same bits.
TEST_CASE("a cosine learning-rate schedule sets each epoch's rate, and resumes onto it") {
  TrainConfig c = small_config(TaskKind::kFlipFlop, LearningRule::kDale);
  c.epochs = 4;
  c.cosine_lr = true;
  c.lr_min = 0.001;
  CosineSchedule expected;
  expected.base_lr = c.lr;
  expected.min_lr = c.lr_min;
  expected.t_max = c.epochs;

  const std::string cosine_dir = temp_dir("cosine");
  StatusOr<std::unique_ptr<TrainingRun>> cosine = TrainingRun::create(c);
  REQUIRE(cosine.ok());
  REQUIRE(cosine.value()->start_directory(cosine_dir, false).ok());
  CHECK(cosine.value()->current_lr() == expected.lr(0));
  std::vector<double> next_rates;
  REQUIRE(cosine.value()->train([&](const EpochRecord&) { next_rates.push_back(cosine.value()->current_lr()); }).ok());
  REQUIRE(next_rates.size() == 4);
  for (int k = 0; k < 4; ++k) CHECK(next_rates[std::size_t(k)] == expected.lr(k + 1));
  CHECK(next_rates[0] < c.lr);
  CHECK(next_rates[2] < next_rates[1]);

  // Constant, and cosine with floor = lr: identical bits; the real cosine run differs.
  TrainConfig flat = c;
  flat.cosine_lr = false;
  TrainConfig floor_at_lr = c;
  floor_at_lr.lr_min = c.lr;
  const std::string flat_dir = temp_dir("flat"), floor_dir = temp_dir("floor");
  StatusOr<std::unique_ptr<TrainingRun>> a = TrainingRun::create(flat);
  StatusOr<std::unique_ptr<TrainingRun>> b = TrainingRun::create(floor_at_lr);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(a.value()->start_directory(flat_dir, false).ok());
  REQUIRE(b.value()->start_directory(floor_dir, false).ok());
  REQUIRE(a.value()->train(nullptr).ok());
  REQUIRE(b.value()->train(nullptr).ok());
  CHECK(bitwise_equal(a.value()->model().w.value, b.value()->model().w.value));
  CHECK_FALSE(bitwise_equal(a.value()->model().w.value, cosine.value()->model().w.value));

  // Interrupted after epoch 2 and resumed: the same rates, the same weights.
  const std::string split_dir = temp_dir("cosine_split");
  std::atomic<bool> stop{false};
  StatusOr<std::unique_ptr<TrainingRun>> first = TrainingRun::create(c);
  REQUIRE(first.ok());
  REQUIRE(first.value()->start_directory(split_dir, false).ok());
  CHECK(first.value()->train([&](const EpochRecord& r) { stop = r.epoch >= 2; }, &stop).code() == StatusCode::kCancelled);
  first.value().reset();
  StatusOr<std::unique_ptr<TrainingRun>> resumed = TrainingRun::resume(split_dir);
  REQUIRE(resumed.ok());
  CHECK(resumed.value()->config().cosine_lr);
  CHECK(resumed.value()->current_lr() == expected.lr(2));
  REQUIRE(resumed.value()->train(nullptr).ok());
  CHECK(bitwise_equal(resumed.value()->model().w.value, cosine.value()->model().w.value));
}

// Issue 4's fine-tuning guarantee end to end: prune a trained Dale run to 10 % density, fine-tune
// it on the CSR path, and after every epoch no weight off the mask is nonzero and every kept
// weight has its column's sign — while the kept weights do move.
TEST_CASE("fine-tuning at 10 % density never revives a pruned weight nor breaks a sign") {
  TrainConfig c = small_config(TaskKind::kFlipFlop, LearningRule::kDale);
  const std::string dense_dir = temp_dir("ft_dense"), pruned_dir = temp_dir("ft_pruned");
  StatusOr<std::unique_ptr<TrainingRun>> dense = TrainingRun::create(c);
  REQUIRE(dense.ok());
  REQUIRE(dense.value()->start_directory(dense_dir, false).ok());
  REQUIRE(dense.value()->train(nullptr).ok());

  PruneRequest request;
  request.sparsity = 0.9;
  request.seed = 5;
  request.finetune_epochs = 4;
  PruneOutcome outcome;
  StatusOr<std::unique_ptr<TrainingRun>> pruned = prune_run(dense_dir, request, pruned_dir, false, &outcome);
  REQUIRE(pruned.ok());
  TrainingRun& run = *pruned.value();
  const Mask& keep = outcome.mask;
  CHECK(keep.count() < keep.rows() * keep.cols() / 5);
  const Matrix before = run.model().recurrent_weights();
  const SignVector& signs = run.model().column_signs();
  int64_t checked_epochs = 0;
  const Status trained = run.train([&](const EpochRecord&) {
      const Matrix w = run.model().recurrent_weights();
      int64_t off_mask = 0, wrong_sign = 0;
      for (int32_t i = 0; i < w.rows(); ++i)
        for (int32_t j = 0; j < w.cols(); ++j) {
          if (!keep(i, j) && w(i, j) != 0) ++off_mask;
          if (signs[std::size_t(j)] > 0 ? w(i, j) < 0 : w(i, j) > 0) ++wrong_sign;
        }
      CHECK(off_mask == 0);
      CHECK(wrong_sign == 0);
      ++checked_epochs;
    });
  REQUIRE(trained.ok());
  CHECK(checked_epochs == 4);
  CHECK_FALSE(bitwise_equal(before, run.model().recurrent_weights()));
}

TEST_CASE("a finished run writes every promised file, and model.npz holds the weights") {
  TrainConfig c = small_config(TaskKind::kFlipFlop, LearningRule::kDale);
  c.epochs = 1;
  const std::string dir = temp_dir("outputs");
  StatusOr<std::unique_ptr<TrainingRun>> run = TrainingRun::create(c);
  REQUIRE(run.ok());
  REQUIRE(run.value()->start_directory(dir, false).ok());
  REQUIRE(run.value()->train(nullptr).ok());
  REQUIRE(run.value()->write_outputs().ok());
  for (const char* f : {"config.toml", "metrics.csv", "checkpoint.bin", "summary.json", "model.npz", "loss.svg",
                        "recurrent.svg", "weights_hist.svg", "report.html"}) {
    CAPTURE(f);
    CHECK(file_exists(join_path(dir, f)));
  }
  StatusOr<std::vector<uint8_t>> summary = read_file(join_path(dir, "summary.json"));
  REQUIRE(summary.ok());
  const std::string text(summary.value().begin(), summary.value().end());
  CHECK(text.find("\"sign_violations\":0") != std::string::npos);
  CHECK(text.find("\"init\":") != std::string::npos);
}

TEST_CASE("an existing run directory is not overwritten without force") {
  TrainConfig c = small_config(TaskKind::kFlipFlop, LearningRule::kDale);
  const std::string dir = temp_dir("exists");
  StatusOr<std::unique_ptr<TrainingRun>> run = TrainingRun::create(c);
  REQUIRE(run.ok());
  REQUIRE(run.value()->start_directory(dir, false).ok());
  const Status again = run.value()->start_directory(dir, false);
  CHECK_FALSE(again.ok());
  CHECK(again.message().find("--force") != std::string::npos);
  CHECK(run.value()->start_directory(dir, true).ok());
}

TEST_CASE("config files are validated key by key with the file and line named") {
  StatusOr<TomlDocument> doc = parse_toml("[optimizer]\nlrr = 0.1\n[run]\nepochs = -3\n", "bad.toml");
  REQUIRE(doc.ok());
  TrainConfig c;
  const Status s = apply_train_config(doc.value(), &c);
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("bad.toml line 2") != std::string::npos);
  CHECK(s.message().find("did you mean 'optimizer.lr'") != std::string::npos);
  CHECK(s.message().find("run.epochs") != std::string::npos);

  StatusOr<TomlDocument> task = parse_toml("[run]\ntask = \"mnist\"\n", "task.toml");
  REQUIRE(task.ok());
  CHECK_FALSE(apply_train_config(task.value(), &c).ok());
}

TEST_CASE("the resolved config round-trips through TOML") {
  TrainConfig c = small_config(TaskKind::kWave, LearningRule::kRectified);
  c.theta = 0.25;
  c.readout_from = ReadoutFrom::kRate;
  c.cosine_lr = true;
  c.lr_min = 2.5e-4;
  c.reset_clipped_moments = true;
  c.clip_grad_norm = 0.75;
  c.recurrent_init = RecurrentInit::kBalanced;
  resolve_seeds(&c);
  const TomlDocument doc = train_config_to_toml(c);
  StatusOr<TomlDocument> parsed = parse_toml(to_toml_string(doc), "round");
  REQUIRE(parsed.ok());
  TrainConfig back;
  REQUIRE(apply_train_config(parsed.value(), &back).ok());
  CHECK(train_config_to_toml(back) == doc);
  CHECK(back.clip_grad_norm == 0.75);
  CHECK(optimizer_options_for(back).clip_grad_norm == 0.75);
  CHECK(back.recurrent_init == RecurrentInit::kBalanced);
  CHECK(rnn_spec_for(back, 1, 1).recurrent_init == RecurrentInit::kBalanced);
}

TEST_CASE("seqmnist without a data directory, or with a missing one, is a clear error") {
  TrainConfig c = default_train_config(TaskKind::kSeqMnist, LearningRule::kDale);
  StatusOr<std::unique_ptr<TrainingRun>> run = TrainingRun::create(c);
  REQUIRE_FALSE(run.ok());
  CHECK(run.status().message().find("--data") != std::string::npos);
  c.data_dir = "/nonexistent/mnist";
  run = TrainingRun::create(c);
  REQUIRE_FALSE(run.ok());
  CHECK(run.status().message().find("/nonexistent/mnist") != std::string::npos);
}
