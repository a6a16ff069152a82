// Typed builders for Qr, MatrixDiagPart, DiagPart, Sign and Transpose (see
// array_ops.h for the conventions: on error the scope's status is set and
// invalid Outputs are returned).
#ifndef RILL_OPS_LINALG_OPS_H_
#define RILL_OPS_LINALG_OPS_H_

#include <vector>

#include "graph/scope.h"

namespace rill {
namespace ops {

// The two outputs of Qr.
struct QrOutputs {
  Output q;
  Output r;
};

// tf.linalg.qr: node "Qr". For input [..., M, N] and P = min(M, N), q is
// [..., M, P] and r [..., P, N]; with full_matrices, [..., M, M] and
// [..., M, N].
QrOutputs Qr(const Scope& scope, Output input, bool full_matrices = false);
// tf.linalg.diag_part: node "MatrixDiagPart", [..., M, N] -> [..., min(M, N)].
Output MatrixDiagPart(const Scope& scope, Output input);
// tf.diag_part (array_ops.diag_part): node "DiagPart", [k, k] -> [k] (any
// even rank 2j: the first j dims).
Output DiagPart(const Scope& scope, Output input);
// tf.sign: node "Sign".
Output Sign(const Scope& scope, Output x);
// tf.transpose(x, perm): Const "<name>/perm" (int32) then Transpose "<name>"
// (default name "transpose").
Output Transpose(const Scope& scope, Output x, const std::vector<int>& perm);
// Transpose with a perm tensor: node "Transpose".
Output Transpose(const Scope& scope, Output x, Output perm);
// tf.linalg.matrix_transpose: swaps the last two dims under name scope
// "matrix_transpose" ("matrix_transpose/transpose/perm",
// "matrix_transpose/transpose"). InvalidArgument when x's rank is below 2;
// Unimplemented when it is unknown (TensorFlow then builds Rank and Range
// ops, which rill lacks).
Output MatrixTranspose(const Scope& scope, Output x);

}  // namespace ops
}  // namespace rill

#endif  // RILL_OPS_LINALG_OPS_H_
