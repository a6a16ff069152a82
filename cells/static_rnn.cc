#include "cells/static_rnn.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"

namespace rill {

absl::StatusOr<StaticRnnResult> StaticRnn(const Scope& scope, RNNCell& cell,
                                          const std::vector<Output>& inputs,
                                          const std::optional<std::vector<Output>>& initial_state,
                                          std::optional<DataType> dtype,
                                          const std::string& scope_name) {
  RETURN_IF_ERROR(scope.status());
  if (inputs.empty()) return absl::InvalidArgumentError("inputs must not be empty");
  for (const Output& in : inputs) {
    if (!in.valid()) return absl::InvalidArgumentError("static_rnn: an input is invalid");
    // TF checks every input and numbers the non-batch dimensions from 0.
    const TensorShape& shape = in.shape();
    if (!shape.unknown_rank() && shape.rank() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Shape ", shape.ToPythonString(), " must have rank at least 2"));
    }
    for (int i = 1; i < std::max(shape.rank(), 2); ++i) {
      if (shape.unknown_rank() || shape.dim(i) < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Input size (dimension ", i - 1,
            " of inputs) must be accessible via shape inference, but saw value None."));
      }
    }
  }
  const TensorShape& first = inputs[0].shape();
  if (!initial_state && !dtype) {
    return absl::InvalidArgumentError("If no initial_state is provided, dtype must be specified");
  }
  Scope varscope = scope.WithVariableScope(scope_name.empty() ? "rnn" : scope_name);
  std::vector<Output> state;
  if (initial_state) {
    state = *initial_state;
  } else {
    if (first.dim(0) < 0) {
      return absl::UnimplementedError(
          "static_rnn: the batch size of inputs[0] is unknown at graph-build time; pass an "
          "initial_state (rill has no StridedSlice to read it at run time)");
    }
    ASSIGN_OR_RETURN(state, cell.ZeroState(varscope, first.dim(0), *dtype));
  }
  StaticRnnResult result;
  for (size_t t = 0; t < inputs.size(); ++t) {
    if (t > 0) varscope = varscope.WithReuseVariables();
    ASSIGN_OR_RETURN(CellOutput out, cell(varscope, inputs[t], state));
    result.outputs.push_back(out.output);
    state = out.state;
  }
  result.final_state = state;
  return result;
}

}  // namespace rill
