// tape.cpp — the tape's bookkeeping: leaves, node reuse, and the backward loop.
//
// The per-op formulas live in tape_ops.cpp; this file only knows that nodes exist, that they
// were created in topological order, and that each one can propagate its gradient.
#include "biornn/tape.hpp"

#include <cstring>

#include "tape_internal.hpp"

namespace biornn {

Parameter::Parameter(std::string param_name, Matrix initial)
    : name(std::move(param_name)), value(std::move(initial)), grad(value.rows(), value.cols()) {}

const Matrix& Var::value() const {
  BIORNN_CHECK(tape != nullptr, "Var::value() of a default-constructed Var");
  return tape->node(id).val();
}

const Matrix& Var::grad() const {
  BIORNN_CHECK(tape != nullptr, "Var::grad() of a default-constructed Var");
  const Tape::Node& n = tape->node(id);
  return n.external_grad != nullptr ? *n.external_grad : n.grad;
}

real Var::item() const {
  const Matrix& v = value();
  BIORNN_CHECK(v.rows() == 1 && v.cols() == 1, "Var::item() needs a (1, 1) value, got " + v.shape());
  return v(0, 0);
}

Tape::Node& Tape::node(int32_t id) {
  BIORNN_CHECK(id >= 0 && id < count_, "tape node " + std::to_string(id) +
                                           " does not exist (the tape holds " +
                                           std::to_string(count_) + "; was it cleared?)");
  return nodes_[std::size_t(id)];
}

const Tape::Node& Tape::node(int32_t id) const { return const_cast<Tape*>(this)->node(id); }

Tape::Node& Tape::begin_node(Op op, std::initializer_list<Var> inputs) {
  BIORNN_CHECK(inputs.size() <= 6, "a tape node has at most 6 inputs");
  // Validate the inputs before touching the node list, so a failed check leaves the tape as it was.
  for (const Var& v : inputs) {
    BIORNN_CHECK(v.tape == this, std::string(op_name(op)) + ": an input belongs to another tape");
    BIORNN_CHECK(v.id >= 0 && v.id < count_,
                 std::string(op_name(op)) + ": input node " + std::to_string(v.id) +
                     " is not on the tape (was the tape cleared?)");
  }
  if (count_ == int32_t(nodes_.size())) nodes_.emplace_back();
  Node& n = nodes_[std::size_t(count_)];
  n.op = op;
  for (int32_t& input : n.inputs) input = -1;
  n.requires_grad = false;
  n.external_value = nullptr;
  n.external_grad = nullptr;
  n.scalar = 0;
  n.ints[0] = n.ints[1] = n.ints[2] = n.ints[3] = 0;
  n.mask = nullptr;
  n.pattern = nullptr;
  n.labels = nullptr;
  int k = 0;
  for (const Var& v : inputs) {
    n.inputs[k++] = v.id;
    n.requires_grad = n.requires_grad || nodes_[std::size_t(v.id)].requires_grad;
  }
  n.grad.resize(0, 0);
  n.grad_unwritten = false;
  return n;
}

Var Tape::finish_node() {
  Var v;
  v.tape = this;
  v.id = count_++;
  backward_done_ = false;
  return v;
}

Var Tape::constant(const Matrix& value) {
  Node& n = begin_node(Op::kLeaf, {});
  n.external_value = &value;
  return finish_node();
}

Var Tape::param(Parameter& parameter) {
  BIORNN_CHECK(parameter.grad.same_shape(parameter.value),
               "parameter '" + parameter.name + "': grad is " + parameter.grad.shape() +
                   " but value is " + parameter.value.shape());
  Node& n = begin_node(Op::kLeaf, {});
  n.external_value = &parameter.value;
  n.external_grad = &parameter.grad;
  n.requires_grad = true;
  return finish_node();
}

Var Tape::variable(ConstMatrixView initial, bool requires_grad) {
  Node& n = begin_node(Op::kLeaf, {});
  n.value.resize(initial.rows, initial.cols);
  copy_into(initial, n.value.view());
  n.requires_grad = requires_grad;
  return finish_node();
}

Var Tape::scalar(real value, bool requires_grad) {
  Node& n = begin_node(Op::kLeaf, {});
  n.value.resize(1, 1);
  n.value(0, 0) = value;
  n.requires_grad = requires_grad;
  return finish_node();
}

Matrix& Tape::grad_of(int32_t id) {
  Node& n = node(id);
  if (n.external_grad != nullptr) return *n.external_grad;
  return node_with_grad(id).grad;
}

Matrix& Tape::grad_target(int32_t id, real* beta) {
  Node& n = node(id);
  *beta = n.external_grad == nullptr && n.grad_unwritten ? real(0) : real(1);
  if (n.external_grad != nullptr) return *n.external_grad;
  n.grad_unwritten = false;
  return n.grad;
}

void Tape::backward(Var loss) {
  BIORNN_CHECK(loss.tape == this, "backward: the loss belongs to another tape");
  const Node& loss_node = node(loss.id);
  BIORNN_CHECK(loss_node.val().rows() == 1 && loss_node.val().cols() == 1,
               "backward: the loss must be (1, 1), got " + loss_node.val().shape());
  BIORNN_CHECK(!backward_done_, "backward: already called on this recording; gradients would "
                                "be counted twice (clear the tape and record again)");
  backward_done_ = true;
  // Every tape-owned gradient starts at zero (parameter gradients are the caller's): marked
  // unwritten here, zeroed when first added into (grad_of) or when its node's backward reads
  // it, or overwritten by the first product that writes it whole (grad_target).
  for (int32_t i = 0; i <= loss.id; ++i) {
    Node& n = nodes_[std::size_t(i)];
    if (!n.requires_grad || n.external_grad != nullptr) continue;
    n.grad.resize(n.val().rows(), n.val().cols());
    n.grad_unwritten = true;
  }
  if (loss_node.requires_grad) {
    grad_of(loss.id)(0, 0) += real(1);
    for (int32_t i = loss.id; i >= 0; --i) {
      if (!nodes_[std::size_t(i)].requires_grad || nodes_[std::size_t(i)].op == Op::kLeaf) continue;
      Node& n = node_with_grad(i);
      tape_detail::backward_node(*this, n);
    }
  }
  // Gradients nothing flowed into (leaves the loss does not depend on) read as zero.
  for (int32_t i = 0; i <= loss.id; ++i) node_with_grad(i);
}

Tape::Node& Tape::node_with_grad(int32_t id) {
  Node& n = nodes_[std::size_t(id)];
  if (n.grad_unwritten) {
    n.grad.set_zero();
    n.grad_unwritten = false;
  }
  return n;
}

void Tape::clear() {
  count_ = 0;
  backward_done_ = false;
}

}  // namespace biornn
