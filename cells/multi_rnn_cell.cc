#include "cells/multi_rnn_cell.h"

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"

namespace rill {

MultiRNNCell::MultiRNNCell(const Scope& scope, std::vector<std::shared_ptr<RNNCell>> cells,
                           const std::string& name)
    : RNNCell(scope, "MultiRNNCell", LayerOptions{true, name, std::nullopt, nullptr, Reuse::kNone}),
      cells_(std::move(cells)) {}

absl::StatusOr<std::unique_ptr<MultiRNNCell>> MultiRNNCell::Create(
    const Scope& scope, std::vector<std::shared_ptr<RNNCell>> cells, const std::string& name) {
  RETURN_IF_ERROR(scope.status());
  if (cells.empty()) {
    return absl::InvalidArgumentError("Must specify at least one cell for MultiRNNCell.");
  }
  for (const auto& c : cells) {
    if (c == nullptr) return absl::InvalidArgumentError("MultiRNNCell: a cell is null");
  }
  return std::unique_ptr<MultiRNNCell>(new MultiRNNCell(scope, std::move(cells), name));
}

std::unique_ptr<Layer> MultiRNNCell::DeepCopy() const {
  return std::unique_ptr<Layer>(new MultiRNNCell(*this));
}

std::vector<int64_t> MultiRNNCell::state_size() const {
  std::vector<int64_t> sizes;
  for (const auto& c : cells_) {
    std::vector<int64_t> s = c->state_size();
    sizes.insert(sizes.end(), s.begin(), s.end());
  }
  return sizes;
}

std::vector<Variable*> MultiRNNCell::trainable_weights() const {
  std::vector<Variable*> all;
  if (!trainable()) return all;
  for (const auto& c : cells_) {
    std::vector<Variable*> w = c->trainable_weights();
    all.insert(all.end(), w.begin(), w.end());
  }
  return all;
}

std::vector<Variable*> MultiRNNCell::non_trainable_weights() const {
  std::vector<Variable*> all;
  for (const auto& c : cells_) {
    std::vector<Variable*> w = trainable() ? c->non_trainable_weights() : c->weights();
    all.insert(all.end(), w.begin(), w.end());
  }
  return all;
}

absl::StatusOr<std::vector<Output>> MultiRNNCell::ZeroState(const Scope& scope,
                                                            int64_t batch_size,
                                                            DataType dtype) const {
  RETURN_IF_ERROR(scope.status());
  Scope s = scope.NewSubScope("MultiRNNCellZeroState");
  std::vector<Output> all;
  for (const auto& c : cells_) {
    ASSIGN_OR_RETURN(std::vector<Output> z, c->ZeroState(s, batch_size, dtype));
    all.insert(all.end(), z.begin(), z.end());
  }
  return all;
}

absl::StatusOr<CellOutput> MultiRNNCell::CallCell(const Scope& scope, Output inputs,
                                                  const std::vector<Output>& state) {
  Output current = inputs;
  std::vector<Output> new_state;
  size_t offset = 0;
  for (size_t i = 0; i < cells_.size(); ++i) {
    const size_t n = cells_[i]->state_size().size();
    std::vector<Output> cell_state(state.begin() + offset, state.begin() + offset + n);
    offset += n;
    Scope cell_scope = scope.WithVariableScope(absl::StrCat("cell_", i));
    ASSIGN_OR_RETURN(CellOutput out, (*cells_[i])(cell_scope, current, cell_state));
    current = out.output;
    new_state.insert(new_state.end(), out.state.begin(), out.state.end());
  }
  return CellOutput{current, new_state};
}

}  // namespace rill
