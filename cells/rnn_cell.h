// RNNCell: a Layer mapping (inputs, state) to (output, new_state), as
// tf.nn.rnn_cell.RNNCell. A state is a list of 2-D tensors (one for GRU and
// basic RNN cells; the concatenation of every sub-cell's for MultiRNNCell),
// and state_size() lists their widths.
#ifndef RILL_CELLS_RNN_CELL_H_
#define RILL_CELLS_RNN_CELL_H_

#include <functional>
#include <utility>
#include <vector>

#include "cells/layer.h"

namespace rill {

// A nonlinearity applied by a cell: Tanh by default.
using Activation = std::function<Output(const Scope& scope, Output x)>;

struct CellOutput {
  Output output;
  std::vector<Output> state;
};

class RNNCell : public Layer {
 public:
  virtual std::vector<int64_t> state_size() const = 0;
  virtual int64_t output_size() const = 0;
  // "GRUCell": names the zero-state scope ("GRUCellZeroState").
  virtual std::string class_name() const = 0;

  // __call__(inputs, state, scope): runs the cell on one time step. The
  // state must have one [batch, s] tensor per entry of state_size().
  absl::StatusOr<CellOutput> operator()(const Scope& scope, Output inputs,
                                        const std::vector<Output>& state,
                                        const std::optional<std::string>& scope_name =
                                            std::nullopt);

  // zero_state(batch_size, dtype): zero tensors [batch_size, s] for each s in
  // state_size(), under name scope "<ClassName>ZeroState" with TensorFlow's
  // node names (".../Const", ".../concat", ".../zeros").
  virtual absl::StatusOr<std::vector<Output>> ZeroState(const Scope& scope, int64_t batch_size,
                                                        DataType dtype) const;

 protected:
  RNNCell(const Scope& scope, const std::string& class_name, LayerOptions options)
      : Layer(scope, class_name, std::move(options)) {}
  RNNCell(const RNNCell&) = default;

  // call(inputs, state).
  virtual absl::StatusOr<CellOutput> CallCell(const Scope& scope, Output inputs,
                                              const std::vector<Output>& state) = 0;
  // Emits the zero tensors of this cell's state in the current name scope.
  absl::StatusOr<std::vector<Output>> ZeroStateTensors(const Scope& scope, int64_t batch_size,
                                                       DataType dtype) const;

  // Layer: checks rank-2 inputs, floating dtypes and the state arity.
  absl::Status CheckInputs(const std::vector<Output>& inputs,
                           const std::vector<Output>& args) const override;

 private:
  absl::StatusOr<std::vector<Output>> Call(const Scope& scope, const std::vector<Output>& inputs,
                                           const std::vector<Output>& args) final;
};

// InvalidArgument "RNN cell only supports floating point inputs, but saw
// dtype: int32" for non-float dtypes.
absl::Status CheckRnnDtype(DataType dtype);

}  // namespace rill

#endif  // RILL_CELLS_RNN_CELL_H_
