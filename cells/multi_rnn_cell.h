// MultiRNNCell: stacked cells (tf.nn.rnn_cell.MultiRNNCell). Cell i runs in
// variable scope "cell_<i>" inside this cell's ("rnn/multi_rnn_cell/cell_0/
// gru_cell/gates/kernel"); the state is the concatenation of the cells'
// states, in order; the output is the last cell's.
#ifndef RILL_CELLS_MULTI_RNN_CELL_H_
#define RILL_CELLS_MULTI_RNN_CELL_H_

#include <memory>
#include <vector>

#include "cells/rnn_cell.h"

namespace rill {

class MultiRNNCell : public RNNCell {
 public:
  // InvalidArgument "Must specify at least one cell for MultiRNNCell." for an
  // empty list. The cells are shared (a deep copy shares them too).
  static absl::StatusOr<std::unique_ptr<MultiRNNCell>> Create(
      const Scope& scope, std::vector<std::shared_ptr<RNNCell>> cells,
      const std::string& name = "");

  std::vector<int64_t> state_size() const override;
  int64_t output_size() const override { return cells_.back()->output_size(); }
  std::string class_name() const override { return "MultiRNNCell"; }
  std::unique_ptr<Layer> DeepCopy() const override;
  // The sub-cells' weights, in cell order.
  std::vector<Variable*> trainable_weights() const override;
  std::vector<Variable*> non_trainable_weights() const override;

  // Each cell's zero state under "MultiRNNCellZeroState/<Cell>ZeroState".
  absl::StatusOr<std::vector<Output>> ZeroState(const Scope& scope, int64_t batch_size,
                                                DataType dtype) const override;

 protected:
  absl::StatusOr<CellOutput> CallCell(const Scope& scope, Output inputs,
                                      const std::vector<Output>& state) override;

 private:
  MultiRNNCell(const Scope& scope, std::vector<std::shared_ptr<RNNCell>> cells,
               const std::string& name);
  MultiRNNCell(const MultiRNNCell&) = default;

  std::vector<std::shared_ptr<RNNCell>> cells_;
};

}  // namespace rill

#endif  // RILL_CELLS_MULTI_RNN_CELL_H_
