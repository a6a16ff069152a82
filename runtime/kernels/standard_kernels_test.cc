#include "runtime/kernels/standard_kernels.h"

#include <string>

#include "gtest/gtest.h"
#include "ops/op_registry.h"
#include "runtime/kernel_registry.h"

namespace rill {
namespace {

TEST(StandardKernelsTest, EveryRegisteredOpHasAKernel) {
  const KernelRegistry& kernels = GlobalKernelRegistry();
  for (const std::string& op : GlobalOpRegistry().ListOps()) {
    // A dtype-agnostic kernel or a float one.
    EXPECT_TRUE(kernels.HasKernel(op, DT_FLOAT)) << op;
  }
}

TEST(StandardKernelsTest, ArrayMathAndNnOpsHaveKernels) {
  const KernelRegistry& kernels = GlobalKernelRegistry();
  for (const char* op :
       {"Placeholder", "PlaceholderWithDefault", "Const", "Identity", "NoOp", "ConcatV2",
        "Split", "Fill", "Reshape", "Shape", "MatMul", "BiasAdd", "Add", "AddV2", "Sub", "Mul",
        "RealDiv", "Sigmoid", "Tanh", "Relu"}) {
    EXPECT_TRUE(GlobalOpRegistry().LookUp(op).ok()) << op;
    // Each op has a dtype-agnostic kernel or a float one.
    EXPECT_TRUE(kernels.HasKernel(op, DT_FLOAT)) << op;
  }
  // Dtype-agnostic kernels serve bool too.
  for (const char* op : {"Placeholder", "Const", "Identity", "ConcatV2", "Split", "Fill",
                         "Reshape", "Shape"}) {
    EXPECT_TRUE(kernels.HasKernel(op, DT_BOOL)) << op;
  }
}

TEST(StandardKernelsTest, NumericKernelsCoverTheirDtypes) {
  const KernelRegistry& kernels = GlobalKernelRegistry();
  for (const char* op : {"MatMul", "BiasAdd", "Add", "AddV2", "Sub", "Mul", "RealDiv", "Relu"}) {
    for (DataType dt : {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64}) {
      EXPECT_TRUE(kernels.HasKernel(op, dt)) << op << " " << DataTypeString(dt);
    }
    EXPECT_FALSE(kernels.HasKernel(op, DT_BOOL)) << op;
  }
  for (const char* op : {"Sigmoid", "Tanh"}) {
    EXPECT_TRUE(kernels.HasKernel(op, DT_DOUBLE)) << op;
    EXPECT_FALSE(kernels.HasKernel(op, DT_INT32)) << op;
  }
}

TEST(StandardKernelsTest, LinalgKernelsCoverTheirDtypes) {
  const KernelRegistry& kernels = GlobalKernelRegistry();
  EXPECT_TRUE(kernels.HasKernel("Qr", DT_FLOAT));
  EXPECT_TRUE(kernels.HasKernel("Qr", DT_DOUBLE));
  EXPECT_FALSE(kernels.HasKernel("Qr", DT_INT32));
  for (DataType dt : {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64}) {
    EXPECT_TRUE(kernels.HasKernel("Sign", dt)) << DataTypeString(dt);
  }
  EXPECT_FALSE(kernels.HasKernel("Sign", DT_BOOL));
  // Data movement only: one kernel for every dtype.
  for (const char* op : {"DiagPart", "MatrixDiagPart", "Transpose"}) {
    EXPECT_TRUE(kernels.HasKernel(op, DT_BOOL)) << op;
    EXPECT_TRUE(kernels.HasKernel(op, DT_INT64)) << op;
  }
}

TEST(StandardKernelsTest, RegisteringTwiceIsAlreadyExists) {
  KernelRegistry registry;
  ASSERT_TRUE(RegisterStandardKernels(registry).ok());
  EXPECT_EQ(RegisterStandardKernels(registry).code(), absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace rill
