// cmd_train.cpp — `biornn train`: train one network on one task with one learning rule.
//
// Everything the user supplies (flags, the config file, the data files) is checked before
// the run directory is created, so a mistake never leaves a half-made run behind. Progress
// goes to stderr: a bar with an ETA on a terminal, one line per epoch otherwise. Ctrl-C (or
// SIGTERM) finishes the current epoch, saves the checkpoint and exits; --resume continues.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "biornn/fileio.hpp"
#include "biornn/kernels.hpp"
#include "biornn/run.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/shared_options.hpp"
#include "cli/progress.hpp"

namespace biornn::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

Args train_args() {
  return Args("biornn train",
              "Trains a sign-constrained RNN on flip-flop, wave reconstruction or sequential MNIST\n"
              "with Dale's backprop, conventional or rectified backprop (SPEC §1–§3). Settings come\n"
              "from the task's defaults, then --config FILE, then these flags. The run directory gets\n"
              "config.toml, metrics.csv, checkpoint.bin, summary.json, model.npz, SVG pictures and\n"
              "report.html. Ctrl-C stops after the current epoch with a checkpoint; --resume DIR continues.",
              {{"task", "NAME", "flipflop | wave | seqmnist", "flipflop"},
               {"rule", "NAME", "dale | conventional | rectified", "dale"},
               {"epochs", "N", "training epochs (default per task: 100 / 25 / 50)", ""},
               {"seed", "N", "master seed; init, data and shuffle seeds derive from it", "1"},
               {"data", "DIR", "seqmnist: directory with the IDX files (.gz or plain)", ""},
               {"out", "DIR", "run directory", "runs/<task>_<rule>_seed<seed>"},
               {"config", "FILE", "a TOML config (e.g. another run's config.toml)", ""},
               {"threads", "N", "kernel threads (default: BIORNN_THREADS or all cores)", ""},
               {"batch", "N", "mini-batch size (default per task: 200 / 100 / 200)", ""},
               {"lr", "X", "learning rate", "0.001"},
               {"lr-schedule", "NAME", "constant | cosine (from --lr down towards --lr-min over the run's epochs)", "constant"},
               {"lr-min", "X", "the cosine schedule's floor", "0.0001"},
               {"optimizer", "NAME", "adam | sgd | rmsprop", "adam"},
               {"momentum", "X", "momentum for sgd / rmsprop", "0"},
               {"clip-grad-norm", "X", "scale all gradients down when their joint norm exceeds X (ours, not the paper's)", "0 = off"},
               {"hidden", "N", "recurrent units", "128"},
               {"exc-frac", "X", "fraction of excitatory units", "0.8"},
               {"recurrent-init", "NAME", "uniform (SPEC: I columns U[-1/sqrt(N), 0]) | balanced (ours: I columns\n"
                                          "scaled by n_E/n_I, so each unit's recurrent input sums to 0 on average)", "uniform"},
               {"theta", "X", "Dale rule: rate threshold h = max(a, θ)", "0"},
               {"reset-clipped-moments", "", "Dale rule: where the projection clips a weight, reset its optimiser moments too", ""},
               {"activation", "NAME", "tanh | relu | identity (rectified default: relu)", "tanh"},
               {"readout-from", "NAME", "activation (a_t, as the notebooks) | rate (h_t)", "activation"},
               {"no-input-mask", "", "wave: let every unit hear both waves", ""},
               {"train-limit", "N", "use only the first N training samples (quick runs)", ""},
               {"test-limit", "N", "use only the first N test samples", ""},
               {"resume", "DIR", "continue the run in DIR (with --epochs N: extend it to N)", ""},
               {"on-nan", "WHAT", "stop | rollback: on a NaN/Inf loss or weight, stop (keeping the last good\n"
                                  "checkpoint) or go back to it and repeat the epoch at half the learning\n"
                                  "rate (at most 5 times; listed in summary.json)", "stop"},
               {"force", "", "overwrite an existing run directory", ""},
               {"quiet", "", "no progress output", ""}});
}

// Applies the flags the user gave on top of `c`.
Status apply_flags(const Args& a, TrainConfig* c) {
  int64_t v = 0;
  double x = 0;
  if (a.has("epochs")) { BIORNN_RETURN_IF_ERROR(a.get_int("epochs", 0, 1000000, &v)); c->epochs = int32_t(v); }
  if (a.has("seed")) { BIORNN_RETURN_IF_ERROR(a.get_int("seed", 0, INT64_MAX, &v)); c->seed = uint64_t(v); }
  if (a.has("threads")) { BIORNN_RETURN_IF_ERROR(a.get_int("threads", 1, 4096, &v)); c->threads = int32_t(v); }
  if (a.has("batch")) { BIORNN_RETURN_IF_ERROR(a.get_int("batch", 1, 1000000, &v)); c->batch = int32_t(v); }
  if (a.has("hidden")) { BIORNN_RETURN_IF_ERROR(a.get_int("hidden", 1, 100000, &v)); c->hidden = int32_t(v); }
  if (a.has("train-limit")) { BIORNN_RETURN_IF_ERROR(a.get_int("train-limit", 1, INT32_MAX, &v)); c->train_limit = int32_t(v); }
  if (a.has("test-limit")) { BIORNN_RETURN_IF_ERROR(a.get_int("test-limit", 1, INT32_MAX, &v)); c->test_limit = int32_t(v); }
  if (a.has("lr")) {
    BIORNN_RETURN_IF_ERROR(a.get_double("lr", &x));
    if (!(x > 0)) return invalid_argument("--lr must be > 0, got " + a.get("lr"));
    c->lr = x;
  }
  if (a.has("lr-schedule") && !parse_lr_schedule(a.get("lr-schedule"), &c->cosine_lr))
    return invalid_argument("--lr-schedule must be constant or cosine, got '" + a.get("lr-schedule") + "'");
  if (a.has("lr-min")) {
    BIORNN_RETURN_IF_ERROR(a.get_nonnegative("lr-min", &x));
    c->lr_min = x;
  }
  if (a.has("momentum")) {
    BIORNN_RETURN_IF_ERROR(a.get_double("momentum", &x));
    if (!(x >= 0 && x < 1)) return invalid_argument("--momentum must lie in [0, 1), got " + a.get("momentum"));
    c->momentum = x;
  }
  if (a.has("clip-grad-norm")) {
    BIORNN_RETURN_IF_ERROR(a.get_double("clip-grad-norm", &x));
    if (!(x >= 0))
      return invalid_argument("--clip-grad-norm must be a finite number >= 0 (0 = off), got " + a.get("clip-grad-norm"));
    c->clip_grad_norm = x;
  }
  if (a.has("exc-frac")) {
    BIORNN_RETURN_IF_ERROR(a.get_double("exc-frac", &x));
    if (!(x >= 0 && x <= 1)) return invalid_argument("--exc-frac must lie in [0, 1], got " + a.get("exc-frac"));
    c->exc_frac = x;
  }
  if (a.has("theta")) {
    BIORNN_RETURN_IF_ERROR(a.get_double("theta", &x));
    if (!(x >= 0)) return invalid_argument("--theta must be >= 0, got " + a.get("theta"));
    c->theta = x;
  }
  if (a.has("optimizer") && !parse_optimizer(a.get("optimizer"), &c->optimizer))
    return invalid_argument("--optimizer must be adam, sgd or rmsprop, got '" + a.get("optimizer") + "'");
  if (a.has("activation") && !parse_activation(a.get("activation"), &c->activation))
    return invalid_argument("--activation must be tanh, relu or identity, got '" + a.get("activation") + "'");
  if (a.has("readout-from") && !parse_readout_from(a.get("readout-from"), &c->readout_from))
    return invalid_argument("--readout-from must be activation or rate, got '" + a.get("readout-from") + "'");
  BIORNN_RETURN_IF_ERROR(read_recurrent_init_option(a, &c->recurrent_init));
  if (a.has("data")) c->data_dir = a.get("data");
  if (a.has("no-input-mask")) c->wave_input_mask = false;
  if (a.has("reset-clipped-moments")) c->reset_clipped_moments = true;
  return Status();
}

// Defaults for the task and rule, then the config file, then the flags.
StatusOr<TrainConfig> resolve_config(const Args& a) {
  TaskKind task = TaskKind::kFlipFlop;
  LearningRule rule = LearningRule::kDale;
  TomlDocument doc;
  const bool has_config = a.has("config");
  if (has_config) {
    StatusOr<std::vector<uint8_t>> bytes = read_file(a.get("config"), 1 << 20);
    if (!bytes.ok()) return bytes.status();
    StatusOr<TomlDocument> parsed = parse_toml(std::string(bytes.value().begin(), bytes.value().end()), a.get("config"));
    if (!parsed.ok()) return parsed.status();
    doc = std::move(parsed.value());
    BIORNN_RETURN_IF_ERROR(peek_task_and_rule(doc, &task, &rule));
  }
  if (a.has("task") && !parse_task(a.get("task"), &task))
    return invalid_argument("--task must be flipflop, wave or seqmnist, got '" + a.get("task") + "'");
  if (a.has("rule") && !parse_learning_rule(a.get("rule"), &rule))
    return invalid_argument("--rule must be dale, conventional or rectified, got '" + a.get("rule") + "'");
  TrainConfig c = default_train_config(task, rule);
  if (has_config) BIORNN_RETURN_IF_ERROR(apply_train_config(doc, &c));
  c.task = task;
  c.rule = rule;
  BIORNN_RETURN_IF_ERROR(apply_flags(a, &c));
  if (c.reset_clipped_moments && c.rule != LearningRule::kDale)
    return invalid_argument(std::string("reset_clipped_moments applies to the Dale rule only (its projection clips); the "
                                        "rule is ") + learning_rule_name(c.rule));
  return c;
}

}  // namespace

int cmd_train(int argc, char** argv, int first) {
  Args a = train_args();
  Status st = a.parse(argc, argv, first);
  if (!st.ok()) return a.fail(st);
  if (a.help_requested()) {
    std::printf("%s", a.help_text().c_str());
    return 0;
  }
  if (!a.positional().empty()) return a.fail(invalid_argument("unexpected argument '" + a.positional()[0] + "'"));

  NanPolicy nan_policy = NanPolicy::kStop;
  if (a.has("on-nan")) {
    if (a.get("on-nan") == "rollback") nan_policy = NanPolicy::kRollback;
    else if (a.get("on-nan") != "stop")
      return a.fail(invalid_argument("--on-nan must be stop or rollback, got '" + a.get("on-nan") + "'"));
  }

  std::unique_ptr<TrainingRun> run;
  if (a.has("resume")) {
    int64_t epochs = 0;
    if (a.has("epochs")) {
      st = a.get_int("epochs", 1, 1000000, &epochs);
      if (!st.ok()) return a.fail(st);
    }
    StatusOr<std::unique_ptr<TrainingRun>> resumed = TrainingRun::resume(a.get("resume"), int32_t(epochs));
    if (!resumed.ok()) return a.fail(resumed.status());
    run = std::move(resumed.value());
  } else {
    StatusOr<TrainConfig> config = resolve_config(a);
    if (!config.ok()) return a.fail(config.status());
    StatusOr<std::unique_ptr<TrainingRun>> created = TrainingRun::create(config.value());
    if (!created.ok()) return a.fail(created.status());
    run = std::move(created.value());
    const TrainConfig& c = run->config();
    const std::string out = a.has("out") ? a.get("out")
                                         : "runs/" + std::string(task_name(c.task)) + "_" +
                                               learning_rule_name(c.rule) + "_seed" + std::to_string(c.seed);
    st = run->start_directory(out, a.has("force"));
    if (!st.ok()) return a.fail(st);
  }
  if (run->config().threads > 0) set_threads(run->config().threads);
  run->set_nan_policy(nan_policy);

  const TrainConfig& c = run->config();
  const bool quiet = a.has("quiet");
  if (!quiet) {
    std::fprintf(stderr, "biornn train: %s, rule %s, %d hidden (%d E), %s lr %g, batch %d, %d epochs -> %s\n",
                 task_name(c.task), learning_rule_name(c.rule), c.hidden, run->model().excitatory(),
                 optimizer_name(c.optimizer), c.lr, c.batch, c.epochs, run->directory().c_str());
    std::fprintf(stderr, "  data: %s\n  %s\n", run->data().description.c_str(), kernel_summary().c_str());
    if (run->epochs_done() > 0) std::fprintf(stderr, "  resuming after epoch %d\n", run->epochs_done());
  }
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  Progress progress(c.epochs, run->epochs_done(), !quiet, isatty(STDERR_FILENO) != 0);
  std::size_t rollbacks_seen = run->nan_rollbacks().size();
  st = run->train(
      [&](const EpochRecord& r) {
        for (; rollbacks_seen < run->nan_rollbacks().size(); ++rollbacks_seen) {
          const NanRollback& b = run->nan_rollbacks()[rollbacks_seen];
          std::fprintf(stderr, "biornn train: epoch %d went NaN/Inf; rolled back to the last good state and repeated it with lr %g\n",
                       b.epoch, b.lr);
        }
        progress.epoch_done(r);
      },
      &g_stop);
  progress.finish();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!st.ok()) return a.fail(st);
  st = run->write_outputs();
  if (!st.ok()) return a.fail(st);
  const EpochRecord* last = run->history().empty() ? nullptr : &run->history().back();
  std::printf("trained %s with %s for %d epochs", task_name(c.task), learning_rule_name(c.rule), run->epochs_done());
  if (last != nullptr) {
    std::printf(": test loss %.4g", last->test_loss);
    if (last->test_accuracy >= 0) std::printf(", test accuracy %.2f%%", 100 * last->test_accuracy);
  }
  std::printf(", sign violations %lld\nresults: %s (open %s)\n", static_cast<long long>(run->model().sign_violations()),
              run->directory().c_str(), join_path(run->directory(), "report.html").c_str());
  return 0;
}

}  // namespace biornn::cli
