#include "ops/linalg_ops.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "ops/array_ops.h"
#include "ops/op_builder.h"

namespace rill {
namespace ops {
namespace {

Output Out(Node* n, int i = 0) { return n ? Output(n, i) : Output(); }

}  // namespace

QrOutputs Qr(const Scope& scope, Output input, bool full_matrices) {
  Node* n = BuildNode(scope, "Qr", {input}, {{"full_matrices", AttrBool(full_matrices)}});
  return {Out(n, 0), Out(n, 1)};
}

Output MatrixDiagPart(const Scope& scope, Output input) {
  return Out(BuildNode(scope, "MatrixDiagPart", {input}));
}

Output DiagPart(const Scope& scope, Output input) {
  return Out(BuildNode(scope, "DiagPart", {input}));
}

Output Sign(const Scope& scope, Output x) { return Out(BuildNode(scope, "Sign", {x})); }

Output Transpose(const Scope& scope, Output x, Output perm) {
  return Out(BuildNode(scope, "Transpose", {x, perm}));
}

Output Transpose(const Scope& scope, Output x, const std::vector<int>& perm) {
  if (!scope.ok()) return Output();
  const std::string name = scope.GetUniqueNameForOp("transpose");
  std::vector<int32_t> values(perm.begin(), perm.end());
  Output perm_t = ConstInt32(HelperScope(scope, name).WithOpName("perm"), values,
                             TensorShape({static_cast<int64_t>(values.size())}));
  return Out(BuildNodeNamed(scope, name, "Transpose", {x, perm_t}));
}

Output MatrixTranspose(const Scope& scope, Output x) {
  if (!scope.ok()) return Output();
  if (!x.valid()) {
    scope.UpdateStatus(absl::InvalidArgumentError("MatrixTranspose: invalid input"));
    return Output();
  }
  const TensorShape shape = x.shape();
  if (shape.unknown_rank()) {
    // TensorFlow computes the perm with Rank, Range and ConcatV2 here.
    scope.UpdateStatus(absl::UnimplementedError(
        "matrix_transpose of a tensor of unknown rank needs the Rank and Range ops, which "
        "rill lacks"));
    return Output();
  }
  if (shape.rank() < 2) {
    scope.UpdateStatus(absl::InvalidArgumentError(absl::StrCat(
        "Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: ",
        shape.ToPythonString())));
    return Output();
  }
  const int rank = shape.rank();
  std::vector<int> perm;
  for (int i = 0; i < rank - 2; ++i) perm.push_back(i);
  perm.push_back(rank - 1);
  perm.push_back(rank - 2);
  return Transpose(scope.NewSubScope("matrix_transpose"), x, perm);
}

}  // namespace ops
}  // namespace rill
