// GRUCell: TensorFlow 1.x's tf.nn.rnn_cell.GRUCell (SPEC §1).
//
//   [r, u] = sigmoid([x, h] · W_g + b_g)       r first
//   c      = act([x, r ⊙ h] · W_c + b_c)       act = tanh by default
//   h'     = u ⊙ h + (1 − u) ⊙ c               output == new state
//
// Variables (created on the first call, shared by later calls), in the cell's
// variable scope ("rnn/gru_cell/..."):
//   gates/kernel     [input_depth + num_units, 2 * num_units]  kernel_initializer,
//                    else the scope's initializer, else glorot_uniform
//   gates/bias       [2 * num_units]  bias_initializer, else 1.0
//   candidate/kernel [input_depth + num_units, num_units]
//   candidate/bias   [num_units]      bias_initializer, else 0.0
// Each call emits ConcatV2, MatMul, BiasAdd, Sigmoid, Split, Mul, ConcatV2,
// MatMul, BiasAdd, Tanh, Mul, Sub, Mul, AddV2 named as TensorFlow names them
// ("concat", "MatMul", ..., "mul_2", "add"; "_1" suffixes on later calls).
#ifndef RILL_CELLS_GRU_CELL_H_
#define RILL_CELLS_GRU_CELL_H_

#include <memory>

#include "cells/rnn_cell.h"

namespace rill {

struct GRUCellOptions {
  Activation activation;  // Default: tanh.
  Reuse reuse = Reuse::kNone;
  Initializer kernel_initializer;
  Initializer bias_initializer;
  std::string name;
  std::optional<DataType> dtype;
};

class GRUCell : public RNNCell {
 public:
  // InvalidArgument for num_units < 1 or a non-float dtype.
  static absl::StatusOr<std::unique_ptr<GRUCell>> Create(const Scope& scope, int64_t num_units,
                                                         GRUCellOptions options = {});

  std::vector<int64_t> state_size() const override { return {num_units_}; }
  int64_t output_size() const override { return num_units_; }
  std::string class_name() const override { return "GRUCell"; }
  std::unique_ptr<Layer> DeepCopy() const override;

 protected:
  // build(inputs_shape): InvalidArgument "Expected inputs.shape[-1] to be
  // known, saw shape: (?, ?)" when the input depth is unknown.
  absl::Status Build(const std::vector<TensorShape>& input_shapes) override;
  absl::StatusOr<CellOutput> CallCell(const Scope& scope, Output inputs,
                                      const std::vector<Output>& state) override;

 private:
  GRUCell(const Scope& scope, int64_t num_units, GRUCellOptions options);
  GRUCell(const GRUCell&) = default;

  int64_t num_units_;
  Activation activation_;
  Initializer kernel_initializer_, bias_initializer_;
  Variable* gate_kernel_ = nullptr;
  Variable* gate_bias_ = nullptr;
  Variable* candidate_kernel_ = nullptr;
  Variable* candidate_bias_ = nullptr;
};

// The activation functions cells accept by name ("tanh", "sigmoid", "relu").
absl::StatusOr<Activation> GetActivation(const std::string& name);

}  // namespace rill

#endif  // RILL_CELLS_GRU_CELL_H_
