// StaticRnn: tf.nn.static_rnn — unrolls a cell over a list of time steps in
// variable scope "rnn" (or `scope_name`), sharing the cell's variables across
// steps ("rnn/gru_cell/MatMul", "rnn/gru_cell/MatMul_2", ...).
#ifndef RILL_CELLS_STATIC_RNN_H_
#define RILL_CELLS_STATIC_RNN_H_

#include <optional>
#include <string>
#include <vector>

#include "cells/rnn_cell.h"

namespace rill {

struct StaticRnnResult {
  std::vector<Output> outputs;  // One per time step.
  std::vector<Output> final_state;
};

// Errors: InvalidArgument "inputs must not be empty"; "Shape (3,) must have
// rank at least 2"; "Input size (dimension 0 of inputs) must be accessible
// via shape inference, but saw value None." (any input; dimensions after the
// batch one are numbered from 0, as TF does); "If no initial_state is
// provided, dtype must be specified". Without an initial_state the zero state needs the batch size of inputs[0] to be known
// at build time (Unimplemented otherwise: pass an initial_state).
absl::StatusOr<StaticRnnResult> StaticRnn(
    const Scope& scope, RNNCell& cell, const std::vector<Output>& inputs,
    const std::optional<std::vector<Output>>& initial_state = std::nullopt,
    std::optional<DataType> dtype = std::nullopt, const std::string& scope_name = "rnn");

}  // namespace rill

#endif  // RILL_CELLS_STATIC_RNN_H_
