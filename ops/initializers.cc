#include "ops/initializers.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "graph/scope.h"
#include "ops/array_ops.h"
#include "ops/linalg_ops.h"
#include "ops/math_ops.h"
#include "ops/op_builder.h"

namespace rill {
namespace {

constexpr int64_t kDefaultGraphSeed = 87654321;
constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

// TF's _truncate_seed: Python's `seed % (2**31 - 1)` (never negative).
int64_t TruncateSeed(int64_t seed) { return (seed % kMaxInt32 + kMaxInt32) % kMaxInt32; }

Output ShapeConst(const Scope& scope, const TensorShape& shape) {
  std::vector<int32_t> dims;
  for (int64_t d : shape.dims()) {
    if (d > std::numeric_limits<int32_t>::max()) {
      scope.UpdateStatus(absl::InvalidArgumentError(
          absl::StrCat("Dimension ", d, " of an initializer shape does not fit in int32")));
      return Output();
    }
    dims.push_back(static_cast<int32_t>(d));
  }
  return ops::ConstInt32(scope.WithOpName("shape"), dims, TensorShape({shape.rank()}));
}

// rnd * scale + offset, with TensorFlow's node names: "<name>/<draw op>",
// "<name>/mul" and the Add named "<name>" itself. For random_uniform the
// scale is (max - min) as a "sub" node, as TF writes it.
Output RandomInit(const Scope& init_scope, const char* name, const char* draw_op,
                  const TensorShape& shape, DataType dtype, double a, double b,
                  const char* a_name, const char* b_name, bool uniform,
                  std::optional<int64_t> op_seed) {
  if (!IsFloatingType(dtype)) {
    init_scope.UpdateStatus(absl::InvalidArgumentError(absl::StrCat(
        "Random initializers need a floating dtype, got ", DataTypeString(dtype))));
    return Output();
  }
  Scope s = init_scope.NewSubScope(name);
  Output shape_t = ShapeConst(s, shape);
  Output a_t = ops::ConstFilled(s.WithOpName(a_name), TensorShape(), dtype, a);
  Output b_t = ops::ConstFilled(s.WithOpName(b_name), TensorShape(), dtype, b);
  auto [seed, seed2] = GetSeeds(*s.graph(), op_seed);
  Node* draw = BuildNode(s.WithOpName(draw_op), draw_op, {shape_t},
                         {{"dtype", AttrType(dtype)}, {"seed", AttrInt(seed)},
                          {"seed2", AttrInt(seed2)}});
  if (draw == nullptr) return Output();
  Output scaled;
  Output offset;
  if (uniform) {  // rnd * (max - min) + min
    scaled = ops::Mul(s, Output(draw, 0), ops::Sub(s, b_t, a_t));
    offset = a_t;
  } else {  // rnd * stddev + mean
    scaled = ops::Mul(s, Output(draw, 0), b_t);
    offset = a_t;
  }
  Node* add = BuildNodeNamed(s, s.name_scope(), "Add", {scaled, offset});
  return add ? Output(add, 0) : Output();
}

// array_ops.reshape(x, shape) with a Python list: Const "Reshape/shape" then
// Reshape "Reshape".
Output ReshapeToConst(const Scope& scope, Output x, const TensorShape& shape) {
  if (!scope.ok()) return Output();
  const std::string name = scope.GetUniqueNameForOp("Reshape");
  Output shape_t = ShapeConst(HelperScope(scope, name), shape);
  Node* n = BuildNodeNamed(scope, name, "Reshape", {x, shape_t});
  return n ? Output(n, 0) : Output();
}

// Python's `scalar * x`: Const "<name>/x" then Mul "<name>" (default name
// "mul"), inputs in that order.
Output ScalarTimes(const Scope& scope, double value, Output x, DataType dtype) {
  if (!scope.ok()) return Output();
  const std::string name = scope.GetUniqueNameForOp("mul");
  Output xt = ops::ConstFilled(HelperScope(scope, name).WithOpName("x"), TensorShape(), dtype,
                               value);
  Node* n = BuildNodeNamed(scope, name, "Mul", {xt, x});
  return n ? Output(n, 0) : Output();
}

Output Orthogonal(const Scope& scope, const TensorShape& shape, DataType dtype, double gain,
                  std::optional<int64_t> seed) {
  if (shape.unknown_rank() || shape.rank() < 2) {
    scope.UpdateStatus(
        absl::InvalidArgumentError("The tensor to initialize must be at least two-dimensional"));
    return Output();
  }
  // Flatten all but the last dimension (so conv kernels work too).
  std::vector<int64_t> leading(shape.dims().begin(), shape.dims().end() - 1);
  absl::StatusOr<int64_t> rows = CheckedNumElements(leading);
  if (!rows.ok()) {
    scope.UpdateStatus(rows.status());
    return Output();
  }
  const int64_t num_rows = *rows;
  const int64_t num_cols = shape.dim(shape.rank() - 1);
  const bool wide = num_rows < num_cols;
  const TensorShape flat_shape =
      wide ? TensorShape({num_cols, num_rows}) : TensorShape({num_rows, num_cols});

  Output a = RandomInit(scope, "random_normal", "RandomStandardNormal", flat_shape, dtype, 0.0,
                        1.0, "mean", "stddev", /*uniform=*/false, seed);
  ops::QrOutputs qr = ops::Qr(scope, a, /*full_matrices=*/false);
  Output d = ops::DiagPart(scope, qr.r);
  // Make Q uniform: flip each column so that R has a positive diagonal.
  Output q = ops::Mul(scope, qr.q, ops::Sign(scope, d));
  if (wide) q = ops::MatrixTranspose(scope, q);
  return ScalarTimes(scope, gain, ReshapeToConst(scope, q, shape), dtype);
}

Initializer Filled(const char* name, double value) {
  return [name, value](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return ops::ConstFilled(scope.WithOpName(name), shape, dtype, value);
  };
}

}  // namespace

std::pair<int64_t, int64_t> GetSeeds(const Graph& graph, std::optional<int64_t> op_seed) {
  int64_t seed = 0, seed2 = 0;
  if (graph.seed()) {
    seed = TruncateSeed(*graph.seed());
    seed2 = TruncateSeed(op_seed ? *op_seed : graph.num_nodes());
  } else if (op_seed) {
    seed = kDefaultGraphSeed;
    seed2 = TruncateSeed(*op_seed);
  } else {
    return {0, 0};
  }
  // (0, 0) means "nondeterministic" to the kernels; TF avoids it the same way.
  if (seed == 0 && seed2 == 0) seed2 = kMaxInt32;
  return {seed, seed2};
}

std::pair<double, double> ComputeFans(const TensorShape& shape) {
  if (shape.unknown_rank() || shape.rank() < 1) return {1, 1};
  if (shape.rank() == 1) return {double(shape.dim(0)), double(shape.dim(0))};
  if (shape.rank() == 2) return {double(shape.dim(0)), double(shape.dim(1))};
  double receptive = 1;
  for (int i = 0; i < shape.rank() - 2; ++i) receptive *= double(shape.dim(i));
  return {double(shape.dim(shape.rank() - 2)) * receptive,
          double(shape.dim(shape.rank() - 1)) * receptive};
}

Initializer ConstantInitializer(double value) { return Filled("Const", value); }
Initializer ZerosInitializer() { return Filled("zeros", 0.0); }
Initializer OnesInitializer() { return Filled("ones", 1.0); }

Initializer RandomUniformInitializer(double minval, double maxval, std::optional<int64_t> seed) {
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return RandomInit(scope, "random_uniform", "RandomUniform", shape, dtype, minval, maxval,
                      "min", "max", /*uniform=*/true, seed);
  };
}

Initializer RandomNormalInitializer(double mean, double stddev, std::optional<int64_t> seed) {
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return RandomInit(scope, "random_normal", "RandomStandardNormal", shape, dtype, mean, stddev,
                      "mean", "stddev", /*uniform=*/false, seed);
  };
}

Initializer TruncatedNormalInitializer(double mean, double stddev, std::optional<int64_t> seed) {
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return RandomInit(scope, "truncated_normal", "TruncatedNormal", shape, dtype, mean, stddev,
                      "mean", "stddev", /*uniform=*/false, seed);
  };
}

Initializer GlorotUniformInitializer(std::optional<int64_t> seed) {
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    auto [fan_in, fan_out] = ComputeFans(shape);
    // VarianceScaling(scale=1, mode="fan_avg", distribution="uniform").
    const double limit = std::sqrt(3.0 / std::max(1.0, (fan_in + fan_out) / 2.0));
    return RandomInit(scope, "random_uniform", "RandomUniform", shape, dtype, -limit, limit,
                      "min", "max", /*uniform=*/true, seed);
  };
}

Initializer OrthogonalInitializer(double gain, std::optional<int64_t> seed) {
  return [=](const Scope& scope, const TensorShape& shape, DataType dtype) {
    return Orthogonal(scope, shape, dtype, gain, seed);
  };
}

}  // namespace rill
