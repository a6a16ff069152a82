// Variable initializers (tf.*_initializer). Each returns an Initializer
// (graph/variable_scope.h) that emits its nodes under the variable's
// "<var>/Initializer" name scope with TensorFlow's names, e.g.
// "<var>/Initializer/random_uniform/RandomUniform" for glorot_uniform.
//
// Random initializers are deterministic given the graph seed
// (Graph::set_seed) and/or an op seed, with TensorFlow's seed rules
// (GetSeeds); with neither, each Session run draws fresh values.
#ifndef RILL_OPS_INITIALIZERS_H_
#define RILL_OPS_INITIALIZERS_H_

#include <cstdint>
#include <optional>
#include <utility>

#include "graph/graph.h"
#include "graph/variable_scope.h"

namespace rill {

// TF's random_seed.get_seed: (graph seed, op seed or the graph's node count)
// with a graph seed; (87654321, op seed) with only an op seed; (0, 0) when
// neither is set (nondeterministic). Set seeds are truncated to int32 as TF
// does (seed % (2^31 - 1)); never returns (0, 0) for a set seed.
std::pair<int64_t, int64_t> GetSeeds(const Graph& graph, std::optional<int64_t> op_seed);

Initializer ConstantInitializer(double value);
Initializer ZerosInitializer();
Initializer OnesInitializer();
Initializer RandomUniformInitializer(double minval = 0.0, double maxval = 1.0,
                                     std::optional<int64_t> seed = std::nullopt);
Initializer RandomNormalInitializer(double mean = 0.0, double stddev = 1.0,
                                    std::optional<int64_t> seed = std::nullopt);
// Values beyond two standard deviations are redrawn.
Initializer TruncatedNormalInitializer(double mean = 0.0, double stddev = 1.0,
                                       std::optional<int64_t> seed = std::nullopt);
// glorot_uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)); for a
// [a, b] kernel fan_in = a and fan_out = b.
Initializer GlorotUniformInitializer(std::optional<int64_t> seed = std::nullopt);
// tf.orthogonal_initializer (TF 1.x init_ops.Orthogonal): a random orthogonal
// matrix times `gain`. The shape is flattened to (rows = prod(shape[:-1]),
// cols = shape[-1]); the result has orthonormal columns when rows >= cols,
// else orthonormal rows. Emits TensorFlow's graph under "<var>/Initializer":
// random_normal/{shape,mean,stddev,RandomStandardNormal,mul} and
// random_normal over the (max, min) flat shape, Qr, DiagPart, Sign, mul
// (q * sign(diag(r))), matrix_transpose/transpose{,/perm} when rows < cols,
// Reshape{,/shape}, then mul_1 = mul_1/x (the gain) * Reshape. Seeds follow
// GetSeeds. The initializer sets InvalidArgument "The tensor to initialize
// must be at least two-dimensional" on the scope for a rank below 2.
Initializer OrthogonalInitializer(double gain = 1.0, std::optional<int64_t> seed = std::nullopt);

// fan_in and fan_out of a kernel shape, as TF's _compute_fans.
std::pair<double, double> ComputeFans(const TensorShape& shape);

}  // namespace rill

#endif  // RILL_OPS_INITIALIZERS_H_
