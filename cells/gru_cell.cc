#include "cells/gru_cell.h"

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"

namespace rill {

absl::StatusOr<Activation> GetActivation(const std::string& name) {
  if (name == "tanh") return Activation(ops::Tanh);
  if (name == "sigmoid") return Activation(ops::Sigmoid);
  if (name == "relu") return Activation(ops::Relu);
  return absl::InvalidArgumentError(absl::StrCat("Unknown activation function: ", name));
}

GRUCell::GRUCell(const Scope& scope, int64_t num_units, GRUCellOptions options)
    : RNNCell(scope, "GRUCell",
              LayerOptions{true, options.name, options.dtype, nullptr, options.reuse}),
      num_units_(num_units),
      activation_(options.activation ? options.activation : Activation(ops::Tanh)),
      kernel_initializer_(std::move(options.kernel_initializer)),
      bias_initializer_(std::move(options.bias_initializer)) {}

absl::StatusOr<std::unique_ptr<GRUCell>> GRUCell::Create(const Scope& scope, int64_t num_units,
                                                         GRUCellOptions options) {
  RETURN_IF_ERROR(scope.status());
  if (num_units < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("GRUCell: num_units must be positive, got ", num_units));
  }
  if (options.dtype) RETURN_IF_ERROR(CheckRnnDtype(*options.dtype));
  return std::unique_ptr<GRUCell>(new GRUCell(scope, num_units, std::move(options)));
}

std::unique_ptr<Layer> GRUCell::DeepCopy() const {
  return std::unique_ptr<Layer>(new GRUCell(*this));
}

absl::Status GRUCell::Build(const std::vector<TensorShape>& input_shapes) {
  const TensorShape& in = input_shapes[0];
  if (in.unknown_rank() || in.dim(in.rank() - 1) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected inputs.shape[-1] to be known, saw shape: ", in.ToPythonString()));
  }
  const int64_t depth = in.dim(in.rank() - 1);
  AddVariableOptions kernel;
  kernel.initializer = kernel_initializer_;
  AddVariableOptions gate_bias;
  gate_bias.initializer = bias_initializer_ ? bias_initializer_ : ConstantInitializer(1.0);
  AddVariableOptions candidate_bias;
  candidate_bias.initializer = bias_initializer_ ? bias_initializer_ : ZerosInitializer();
  ASSIGN_OR_RETURN(gate_kernel_,
                   AddVariable("gates/kernel", TensorShape({depth + num_units_, 2 * num_units_}),
                               kernel));
  ASSIGN_OR_RETURN(gate_bias_, AddVariable("gates/bias", TensorShape({2 * num_units_}), gate_bias));
  ASSIGN_OR_RETURN(candidate_kernel_,
                   AddVariable("candidate/kernel",
                               TensorShape({depth + num_units_, num_units_}), kernel));
  ASSIGN_OR_RETURN(candidate_bias_,
                   AddVariable("candidate/bias", TensorShape({num_units_}), candidate_bias));
  return absl::OkStatus();
}

absl::StatusOr<CellOutput> GRUCell::CallCell(const Scope& s, Output inputs,
                                             const std::vector<Output>& state) {
  const Output h = state[0];
  Output gates = ops::MatMul(s, ops::Concat(s, {inputs, h}, 1), gate_kernel_->value);
  Output value = ops::Sigmoid(s, ops::BiasAdd(s, gates, gate_bias_->value));
  std::vector<Output> ru = ops::Split(s, 1, value, 2);
  RETURN_IF_ERROR(s.status());
  const Output r = ru[0], u = ru[1];
  Output r_state = ops::Mul(s, r, h);
  Output candidate = ops::MatMul(s, ops::Concat(s, {inputs, r_state}, 1),
                                 candidate_kernel_->value);
  Output c = activation_(s, ops::BiasAdd(s, candidate, candidate_bias_->value));
  Output u_h = ops::Mul(s, u, h);
  Output new_h = ops::AddV2(s, u_h, ops::Mul(s, ops::SubFromScalar(s, 1.0f, u), c));
  RETURN_IF_ERROR(s.status());
  return CellOutput{new_h, {new_h}};
}

}  // namespace rill
