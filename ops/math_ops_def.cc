// Math op definitions: MatMul, Add, AddV2, Sub, Mul, RealDiv, Sigmoid, Tanh
// (TF 1.x math_ops.cc).
#include "graph/status_macros.h"
#include "ops/op_families.h"
#include "ops/op_registry.h"
#include "ops/shape_fns.h"

namespace rill {

absl::Status RegisterMathOps(OpRegistry& r) {
  RETURN_IF_ERROR(r.Register(
      OpDefBuilder("MatMul")
          .Input("a: T")
          .Input("b: T")
          .Output("product: T")
          .Attr("transpose_a: bool = false")
          .Attr("transpose_b: bool = false")
          .Attr("T: {bfloat16, half, float, double, int32, int64, complex64, complex128}")
          .SetShapeFn(shape_fns::MatMul)));
  const char* kBinaryTypes =
      "T: {bfloat16, half, float, double, uint8, int8, uint16, int16, int32, int64, "
      "complex64, complex128}";
  for (const char* op : {"AddV2", "Sub", "Mul", "RealDiv"}) {
    RETURN_IF_ERROR(r.Register(OpDefBuilder(op)
                                   .Input("x: T")
                                   .Input("y: T")
                                   .Output("z: T")
                                   .Attr(kBinaryTypes)
                                   .SetShapeFn(shape_fns::BroadcastBinary)));
  }
  // Add also accepts strings in TensorFlow (rill rejects string tensors later,
  // with a clear message).
  RETURN_IF_ERROR(r.Register(
      OpDefBuilder("Add")
          .Input("x: T")
          .Input("y: T")
          .Output("z: T")
          .Attr("T: {bfloat16, half, float, double, uint8, int8, int16, int32, int64, "
                "complex64, complex128, string}")
          .SetShapeFn(shape_fns::BroadcastBinary)));
  for (const char* op : {"Sigmoid", "Tanh"}) {
    RETURN_IF_ERROR(r.Register(
        OpDefBuilder(op)
            .Input("x: T")
            .Output("y: T")
            .Attr("T: {bfloat16, half, float, double, complex64, complex128}")
            .SetShapeFn(shape_fns::Unchanged)));
  }
  return absl::OkStatus();
}

}  // namespace rill
