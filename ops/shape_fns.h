// Shape functions shared by ops (TensorFlow's common_shape_fns). Each runs at
// graph-build time on partial shapes and at run time on concrete ones, and is
// the only place an op's output shape is computed.
#ifndef RILL_OPS_SHAPE_FNS_H_
#define RILL_OPS_SHAPE_FNS_H_

#include "absl/status/status.h"
#include "graph/shape_inference.h"

namespace rill {
namespace shape_fns {

// Output 0 has input 0's shape (Identity, Sigmoid, Tanh, Relu).
absl::Status Unchanged(InferenceContext& c);
// No outputs (NoOp).
absl::Status NoOutputs(InferenceContext& c);
// Output 0 is a scalar.
absl::Status Scalar(InferenceContext& c);
// Placeholder: the "shape" attr; a rank-0 shape means unknown in GraphDefs
// with producer <= 21 (TensorFlow's legacy rule).
absl::Status Placeholder(InferenceContext& c);
// PlaceholderWithDefault: the "shape" attr, which input 0 must be compatible
// with.
absl::Status PlaceholderWithDefault(InferenceContext& c);
// Const: the shape of the "value" attr, whose dtype must equal "dtype".
absl::Status Const(InferenceContext& c);
// MatMul with transpose_a / transpose_b.
absl::Status MatMul(InferenceContext& c);
// BiasAdd with data_format NHWC / NCHW.
absl::Status BiasAdd(InferenceContext& c);
// NumPy broadcasting of inputs 0 and 1 (Add, Sub, Mul, RealDiv, AddV2).
absl::Status BroadcastBinary(InferenceContext& c);
// ConcatV2: N values then the axis.
absl::Status ConcatV2(InferenceContext& c);
// Split: split_dim then value; num_split outputs.
absl::Status Split(InferenceContext& c);
// Fill: dims (1-D) and a scalar value.
absl::Status Fill(InferenceContext& c);
// Output 0 has the shape held by input 0 (a 1-D int tensor), as for
// RandomUniform.
absl::Status ShapeFromTensor(InferenceContext& c);
// Reshape: tensor and a 1-D shape with at most one -1.
absl::Status Reshape(InferenceContext& c);
// Shape: a 1-D vector of the input's rank.
absl::Status Shape(InferenceContext& c);

// The broadcast shape of two shapes, or InvalidArgument "Incompatible shapes".
absl::StatusOr<TensorShape> BroadcastShapes(const TensorShape& x, const TensorShape& y);

// Qr: input [..., M, N] (rank >= 2) gives q [..., M, P] and r [..., P, N]
// with P = min(M, N), or q [..., M, M] and r [..., M, N] with full_matrices.
absl::Status Qr(InferenceContext& c);
// MatrixDiagPart: [..., M, N] (rank >= 2) gives [..., min(M, N)].
absl::Status MatrixDiagPart(InferenceContext& c);
// DiagPart: [D1, ..., Dk, D1, ..., Dk] (even rank 2k > 0) gives [D1, ..., Dk];
// InvalidArgument for an odd or zero rank or mismatched halves.
absl::Status DiagPart(InferenceContext& c);
// Transpose: x and a 1-D perm. With a known perm the output dims are x's
// permuted, and perm must be a permutation of 0..rank-1 (InvalidArgument
// otherwise); with an unknown perm, unknown dims of x's rank.
absl::Status Transpose(InferenceContext& c);

}  // namespace shape_fns
}  // namespace rill

#endif  // RILL_OPS_SHAPE_FNS_H_
