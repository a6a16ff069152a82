// Op definitions for the orthogonal initializer's graph: Qr (TF 1.x
// linalg_ops.cc), MatrixDiagPart, DiagPart and Transpose (array_ops.cc) and
// Sign (math_ops.cc).
#include "graph/status_macros.h"
#include "ops/op_families.h"
#include "ops/op_registry.h"
#include "ops/shape_fns.h"

namespace rill {

absl::Status RegisterLinalgOps(OpRegistry& r) {
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Qr")
                                 .Input("input: T")
                                 .Output("q: T")
                                 .Output("r: T")
                                 .Attr("full_matrices: bool = false")
                                 .Attr("T: {double, float, complex64, complex128}")
                                 .SetShapeFn(shape_fns::Qr)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("MatrixDiagPart")
                                 .Input("input: T")
                                 .Output("diagonal: T")
                                 .Attr("T: type")
                                 .SetShapeFn(shape_fns::MatrixDiagPart)));
  RETURN_IF_ERROR(r.Register(
      OpDefBuilder("DiagPart")
          .Input("input: T")
          .Output("diagonal: T")
          .Attr("T: {bfloat16, half, float, double, int32, int64, complex64, complex128}")
          .SetShapeFn(shape_fns::DiagPart)));
  RETURN_IF_ERROR(r.Register(
      OpDefBuilder("Sign")
          .Input("x: T")
          .Output("y: T")
          .Attr("T: {bfloat16, half, float, double, int32, int64, complex64, complex128}")
          .SetShapeFn(shape_fns::Unchanged)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Transpose")
                                 .Input("x: T")
                                 .Input("perm: Tperm")
                                 .Output("y: T")
                                 .Attr("T: type")
                                 .Attr("Tperm: {int32, int64} = DT_INT32")
                                 .SetShapeFn(shape_fns::Transpose)));
  return absl::OkStatus();
}

}  // namespace rill
