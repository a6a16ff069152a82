// BasicRNNCell: output = new_state = act(W · [x, h] + b) (tf.nn.rnn_cell.BasicRNNCell).
// Variables "kernel" [input_depth + num_units, num_units] and "bias"
// [num_units] (zeros unless bias_initializer) in the cell's scope
// ("rnn/basic_rnn_cell/kernel").
#ifndef RILL_CELLS_BASIC_RNN_CELL_H_
#define RILL_CELLS_BASIC_RNN_CELL_H_

#include <memory>

#include "cells/gru_cell.h"
#include "cells/rnn_cell.h"

namespace rill {

class BasicRNNCell : public RNNCell {
 public:
  // GRUCellOptions' fields mean the same here.
  static absl::StatusOr<std::unique_ptr<BasicRNNCell>> Create(const Scope& scope,
                                                              int64_t num_units,
                                                              GRUCellOptions options = {});

  std::vector<int64_t> state_size() const override { return {num_units_}; }
  int64_t output_size() const override { return num_units_; }
  std::string class_name() const override { return "BasicRNNCell"; }
  std::unique_ptr<Layer> DeepCopy() const override;

 protected:
  absl::Status Build(const std::vector<TensorShape>& input_shapes) override;
  absl::StatusOr<CellOutput> CallCell(const Scope& scope, Output inputs,
                                      const std::vector<Output>& state) override;

 private:
  BasicRNNCell(const Scope& scope, int64_t num_units, GRUCellOptions options);
  BasicRNNCell(const BasicRNNCell&) = default;

  int64_t num_units_;
  Activation activation_;
  Initializer kernel_initializer_, bias_initializer_;
  Variable* kernel_ = nullptr;
  Variable* bias_ = nullptr;
};

}  // namespace rill

#endif  // RILL_CELLS_BASIC_RNN_CELL_H_
