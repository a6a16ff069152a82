// Constant folding (Grappler's ConstantFolding, smaller): at plan time,
// evaluates once the nodes whose value is the same on every run of the plan
// — every data input is a Const without control inputs or such a node, the
// node is stateless, has no control inputs and none of its outputs is fed
// (a PlaceholderWithDefault not fed in this plan folds to its default) — so
// the plan runs them as
// precomputed constants (a transposed weight, a zero state built by Fill, a
// Reshape of a Const) instead of on every run.
//
// A node is not folded when an output is above kMaxFoldedBytes, when its
// outputs would take the folded values held past kMaxTotalFoldedBytes (a
// graph of many large foldable nodes must not exhaust memory while its plan
// is built: every folded value is held until the plan is done), its static
// shape is not fully known, its kernel is missing, or evaluating it fails:
// then it runs as usual and a failure is reported by the run that hits it,
// with the usual text (as TensorFlow does: folding never turns a run-time
// error into a plan-time one).
#ifndef RILL_RUNTIME_CONSTANT_FOLDING_H_
#define RILL_RUNTIME_CONSTANT_FOLDING_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "graph/graph.h"
#include "graph/tensor.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"

namespace rill {

// Outputs bigger than this stay computed per run (16 MiB: folded values are
// held next to the graph's Consts).
inline constexpr int64_t kMaxFoldedBytes = int64_t{16} << 20;
// All the folded values one plan build holds (64 MiB: four of the largest).
inline constexpr int64_t kMaxTotalFoldedBytes = int64_t{64} << 20;

// Folded values shared by the plans of one Session: a node's folded outputs
// are the same in every plan that folds it (they depend on the graph only:
// its inputs are Consts or folded nodes, it is stateless, and an unfed
// PlaceholderWithDefault folds to its default), so each is computed and
// held once. ExecutionPlan::Build inserts the values its plan keeps as
// steps (not the intermediates it drops), so the cache holds no more than
// the plans do. Thread-safe.
class FoldedValueCache {
 public:
  // The outputs folded for node `id` by an earlier plan (sharing buffers),
  // or nullopt.
  std::optional<std::vector<Tensor>> Find(int id) const;
  void Insert(int id, const std::vector<Tensor>& values);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<int, std::vector<Tensor>> values_ ABSL_GUARDED_BY(mu_);
};

struct FoldedConstants {
  // Per node id: every output is the same tensor on every run (a Const not
  // fed, or a folded node).
  std::vector<char> constant;
  // The outputs of each folded node, by node id (Consts are not listed).
  absl::flat_hash_map<int, std::vector<Tensor>> values;
};

// Folds the nodes with needed[id] set. `fed[id]`: some output of the node is
// fed in this plan. Outputs above `max_bytes` (at most kMaxFoldedBytes; the
// Session passes its max_tensor_bytes) are not folded, so they still fail a
// run with ResourceExhausted. Nodes whose outputs would bring the folded
// values past `max_total_bytes` are not folded either. With `shared`, a
// node another plan kept folded takes its values from there (no
// evaluation, no second copy).
FoldedConstants FoldConstants(const Graph& graph, const KernelRegistry& kernels,
                              const std::vector<char>& needed, const std::vector<char>& fed,
                              int64_t max_bytes = kMaxFoldedBytes,
                              int64_t max_total_bytes = kMaxTotalFoldedBytes,
                              FoldedValueCache* shared = nullptr);

// A kernel that outputs `values` (shared buffers, no copy): a folded node's
// step.
std::unique_ptr<OpKernel> MakeFoldedConstantKernel(std::vector<Tensor> values);

}  // namespace rill

#endif  // RILL_RUNTIME_CONSTANT_FOLDING_H_
