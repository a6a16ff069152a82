#include "cells/rnn_cell.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/status_macros.h"
#include "ops/array_ops.h"
#include "ops/op_builder.h"

namespace rill {

absl::Status CheckRnnDtype(DataType dtype) {
  if (!IsFloatingType(dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RNN cell only supports floating point inputs, but saw dtype: ", PythonDTypeName(dtype)));
  }
  return absl::OkStatus();
}

absl::Status RNNCell::CheckInputs(const std::vector<Output>& inputs,
                                  const std::vector<Output>& args) const {
  if (inputs.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("Layer ", name(), " expects 1 inputs, but it received ",
                                                   inputs.size(), " input tensors."));
  }
  const TensorShape& shape = inputs[0].shape();
  if (!shape.unknown_rank() && shape.rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Input 0 of layer ", name(), " is incompatible with the layer: expected ndim=2, found "
        "ndim=", shape.rank(), ". Full shape received: ", shape.ToString()));
  }
  RETURN_IF_ERROR(CheckRnnDtype(BaseType(inputs[0].dtype())));
  const std::vector<int64_t> sizes = state_size();
  if (args.size() != sizes.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected state to be a tuple of length ", sizes.size(), ", but received: ",
        args.size(), " tensors"));
  }
  for (const Output& s : args) RETURN_IF_ERROR(CheckRnnDtype(BaseType(s.dtype())));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Output>> RNNCell::Call(const Scope& scope,
                                                  const std::vector<Output>& inputs,
                                                  const std::vector<Output>& args) {
  ASSIGN_OR_RETURN(CellOutput out, CallCell(scope, inputs[0], args));
  std::vector<Output> outputs = {out.output};
  outputs.insert(outputs.end(), out.state.begin(), out.state.end());
  return outputs;
}

absl::StatusOr<CellOutput> RNNCell::operator()(const Scope& scope, Output inputs,
                                               const std::vector<Output>& state,
                                               const std::optional<std::string>& scope_name) {
  ASSIGN_OR_RETURN(std::vector<Output> outputs, Layer::operator()(scope, {inputs}, state,
                                                                  scope_name));
  CellOutput out;
  out.output = outputs[0];
  out.state.assign(outputs.begin() + 1, outputs.end());
  return out;
}

absl::StatusOr<std::vector<Output>> RNNCell::ZeroStateTensors(const Scope& scope,
                                                              int64_t batch_size,
                                                              DataType dtype) const {
  RETURN_IF_ERROR(CheckRnnDtype(dtype));
  if (batch_size < 0 || batch_size > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("zero_state: invalid batch_size ", batch_size));
  }
  std::vector<Output> zeros;
  for (int64_t size : state_size()) {
    // zeros(concat([batch], [size])) with a static [batch, size] shape.
    Output b = ops::ConstInt32(scope, {static_cast<int32_t>(batch_size)}, TensorShape({1}));
    Output s = ops::ConstInt32(scope, {static_cast<int32_t>(size)}, TensorShape({1}));
    Output dims = ops::Concat(scope, {b, s}, 0);
    Scope z = scope.NewSubScope("zeros");
    Output zero = ops::ConstFilled(z, TensorShape(), dtype, 0.0);
    // tf.zeros names its Fill after its name scope: ".../zeros".
    Node* fill = BuildNodeNamed(z, z.name_scope(), "Fill", {dims, zero});
    RETURN_IF_ERROR(scope.status());
    zeros.push_back(Output(fill, 0));
  }
  return zeros;
}

absl::StatusOr<std::vector<Output>> RNNCell::ZeroState(const Scope& scope, int64_t batch_size,
                                                       DataType dtype) const {
  RETURN_IF_ERROR(scope.status());
  return ZeroStateTensors(scope.NewSubScope(class_name() + "ZeroState"), batch_size, dtype);
}

}  // namespace rill
