#include "cells/basic_rnn_cell.h"

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"

namespace rill {

BasicRNNCell::BasicRNNCell(const Scope& scope, int64_t num_units, GRUCellOptions options)
    : RNNCell(scope, "BasicRNNCell",
              LayerOptions{true, options.name, options.dtype, nullptr, options.reuse}),
      num_units_(num_units),
      activation_(options.activation ? options.activation : Activation(ops::Tanh)),
      kernel_initializer_(std::move(options.kernel_initializer)),
      bias_initializer_(std::move(options.bias_initializer)) {}

absl::StatusOr<std::unique_ptr<BasicRNNCell>> BasicRNNCell::Create(const Scope& scope,
                                                                   int64_t num_units,
                                                                   GRUCellOptions options) {
  RETURN_IF_ERROR(scope.status());
  if (num_units < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("BasicRNNCell: num_units must be positive, got ", num_units));
  }
  if (options.dtype) RETURN_IF_ERROR(CheckRnnDtype(*options.dtype));
  return std::unique_ptr<BasicRNNCell>(new BasicRNNCell(scope, num_units, std::move(options)));
}

std::unique_ptr<Layer> BasicRNNCell::DeepCopy() const {
  return std::unique_ptr<Layer>(new BasicRNNCell(*this));
}

absl::Status BasicRNNCell::Build(const std::vector<TensorShape>& input_shapes) {
  const TensorShape& in = input_shapes[0];
  if (in.unknown_rank() || in.dim(in.rank() - 1) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected inputs.shape[-1] to be known, saw shape: ", in.ToPythonString()));
  }
  AddVariableOptions kernel;
  kernel.initializer = kernel_initializer_;
  AddVariableOptions bias;
  bias.initializer = bias_initializer_ ? bias_initializer_ : ZerosInitializer();
  ASSIGN_OR_RETURN(kernel_, AddVariable("kernel",
                                        TensorShape({in.dim(in.rank() - 1) + num_units_,
                                                     num_units_}),
                                        kernel));
  ASSIGN_OR_RETURN(bias_, AddVariable("bias", TensorShape({num_units_}), bias));
  return absl::OkStatus();
}

absl::StatusOr<CellOutput> BasicRNNCell::CallCell(const Scope& s, Output inputs,
                                                  const std::vector<Output>& state) {
  Output gate = ops::MatMul(s, ops::Concat(s, {inputs, state[0]}, 1), kernel_->value);
  Output out = activation_(s, ops::BiasAdd(s, gate, bias_->value));
  RETURN_IF_ERROR(s.status());
  return CellOutput{out, {out}};
}

}  // namespace rill
