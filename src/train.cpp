// train.cpp — task losses, the epoch loop and evaluation (see train.hpp).
#include "biornn/train.hpp"

#include <algorithm>
#include <numeric>

namespace biornn {

Var record_scored_mse(Var prediction, Var target, const Matrix& scored) {
  if (scored.empty()) return mse(prediction, target);
  BIORNN_CHECK(scored.rows() == 1 && scored.cols() == prediction.cols(),
               "record_scored_mse: scored outputs " + scored.shape() + " do not fit predictions " + prediction.shape());
  int32_t count = 0;
  for (int32_t j = 0; j < scored.cols(); ++j) {
    BIORNN_CHECK(scored(0, j) == 0 || scored(0, j) == 1, "record_scored_mse: scored outputs must be 0 or 1");
    count += scored(0, j) == 1;
  }
  BIORNN_CHECK(count > 0, "record_scored_mse: no output is scored");
  if (count == scored.cols()) return mse(prediction, target);
  // With s ∈ {0, 1}: (s·p − s·t)² = s·(p − t)², so mse of the column-scaled pair sums the
  // scored squares over rows·outputs; rescaling by outputs / scored gives the mean over
  // rows × scored outputs (eq. 6 over the observed populations).
  Var s = target.tape->constant(scored);
  return scale(mse(col_scale(prediction, s), col_scale(target, s)), real(double(scored.cols()) / count));
}

Var record_task_loss(Tape& tape, SignedRnn& model, TaskKind task, const Matrix& x_batch,
                     const Matrix& y_batch, const std::vector<int32_t>& labels, int32_t steps,
                     int64_t* correct, const Matrix* scored_outputs) {
  Var hidden = model.record_hidden(tape, x_batch, steps);
  switch (task) {
    case TaskKind::kCelltype: {
      static const Matrix kAllScored;
      return record_scored_mse(model.record_readout(tape, hidden), tape.constant(y_batch),
                               scored_outputs != nullptr ? *scored_outputs : kAllScored);
    }
    case TaskKind::kFlipFlop:
      return mse(tanh(model.record_readout(tape, hidden)), tape.constant(y_batch));
    case TaskKind::kWave:
      return mse(model.record_readout(tape, hidden), tape.constant(y_batch));
    case TaskKind::kSeqMnist: {
      const int32_t batch = x_batch.rows() / steps;
      Var last = slice_rows(hidden, (steps - 1) * batch, batch);
      Var logits = model.record_readout(tape, last);
      if (correct != nullptr) {
        const Matrix& z = logits.value();
        int64_t hits = 0;
        for (int32_t i = 0; i < z.rows(); ++i) {
          int32_t best = 0;
          for (int32_t j = 1; j < z.cols(); ++j)
            if (z(i, j) > z(i, best)) best = j;
          hits += best == labels[std::size_t(i)];
        }
        *correct = hits;
      }
      return softmax_cross_entropy(logits, labels);
    }
  }
  BIORNN_CHECK(false, "record_task_loss: unknown task");
  return Var();
}

Trainer::Trainer(SignedRnn& model, const TaskData& data, const OptimizerOptions& options,
                 int32_t batch, uint64_t shuffle_seed)
    : model_(model), data_(data), optimizer_(options), batch_(batch), shuffle_rng_(shuffle_seed) {
  BIORNN_CHECK(batch >= 1, "Trainer: the batch size must be >= 1, got " + std::to_string(batch));
  model_.register_parameters(optimizer_);
  order_.resize(std::size_t(data.train.size()));
}

double Trainer::train_epoch() {
  const SequenceData& train = data_.train;
  std::iota(order_.begin(), order_.end(), 0);
  shuffle_rng_.shuffle(order_);
  double weighted_loss = 0;
  for (int32_t first = 0; first < train.size(); first += batch_) {
    const int32_t count = std::min(batch_, train.size() - first);
    gather_batch(train, order_, first, count, x_batch_, y_batch_, labels_batch_);
    tape_.clear();
    optimizer_.zero_grad();
    Var loss = record_task_loss(tape_, model_, data_.kind, x_batch_, y_batch_, labels_batch_, train.steps, nullptr,
                                &train.scored_outputs);
    tape_.backward(loss);
    optimizer_.step();
    max_sign_violations_ = std::max(max_sign_violations_, model_.sign_violations());
    weighted_loss += double(loss.item()) * count;
  }
  ++epochs_done_;
  return weighted_loss / train.size();
}

Evaluation evaluate_model(SignedRnn& model, TaskKind task, const SequenceData& set, int32_t batch, Tape& tape,
                          Matrix& x_batch, Matrix& y_batch, std::vector<int32_t>& labels) {
  BIORNN_CHECK(batch >= 1, "evaluate_model: the batch size must be >= 1");
  std::vector<int32_t> order(std::size_t(set.size()));
  std::iota(order.begin(), order.end(), 0);
  Evaluation e;
  double weighted_loss = 0;
  int64_t correct = 0;
  for (int32_t first = 0; first < set.size(); first += batch) {
    const int32_t count = std::min(batch, set.size() - first);
    gather_batch(set, order, first, count, x_batch, y_batch, labels);
    tape.clear();
    int64_t hits = 0;
    Var loss = record_task_loss(tape, model, task, x_batch, y_batch, labels, set.steps, &hits, &set.scored_outputs);
    weighted_loss += double(loss.item()) * count;
    correct += hits;
  }
  tape.clear();
  e.samples = set.size();
  e.loss = weighted_loss / set.size();
  if (set.classification()) e.accuracy = double(correct) / set.size();
  return e;
}

Evaluation evaluate_model(SignedRnn& model, TaskKind task, const SequenceData& set, int32_t batch) {
  Tape tape;
  Matrix x, y;
  std::vector<int32_t> labels;
  return evaluate_model(model, task, set, batch, tape, x, y, labels);
}

Evaluation Trainer::evaluate(const SequenceData& set) {
  return evaluate_model(model_, data_.kind, set, batch_, tape_, x_batch_, y_batch_, labels_batch_);
}

}  // namespace biornn
