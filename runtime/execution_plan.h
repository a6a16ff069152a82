// ExecutionPlan: the immutable, prepared form of one (feeds, fetches,
// targets) signature of a graph — the pruned node set in dependency order,
// one kernel per step created once, every tensor a slot index, each
// output's static shape where known — plus Run, which executes it with a
// per-call frame of tensors.
//
// Rewrites (PlanOptions): GRU steps (runtime/gru_fusion.h) become one fused
// kernel each, and a chain of them sharing weights (an unrolled static_rnn)
// one sequence kernel with the input projections hoisted out of the
// recurrence; other dense layers (runtime/matmul_fusion.h) one kernel each;
// constant subgraphs are evaluated once (runtime/constant_folding.h); steps
// whose results nothing needs any more are dropped. A rewrite never
// touches a fetched or fed tensor, so results are the same.
//
// Kernels learn at build time which inputs are constant (a Const's value or
// a folded one) or variables' values, not fed (OpKernel::SetInputSources),
// so they can keep what they derive from them, and fused kernels which outputs nothing reads
// (FusedKernel::SetUnusedOutputs), so they need not allocate them.
//
// Memory: each intermediate tensor is released as soon as its last reader
// ran and its buffer goes back to the run's BufferPool for the next output
// of the same size.
//
// Execution: on one thread in plan order, or — with an inter-op pool in the
// RunEnvironment and a plan with independent expensive steps — on the
// calling thread plus the pool's threads, each step starting when its
// producers, control inputs and (for stateful steps) the previous stateful
// step have finished (runtime/plan_executor.cc).
//
// Thread-safety: Run is const and may be called concurrently.
#ifndef RILL_RUNTIME_EXECUTION_PLAN_H_
#define RILL_RUNTIME_EXECUTION_PLAN_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "runtime/constant_folding.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"

namespace Eigen {
class ThreadPoolInterface;
}  // namespace Eigen

namespace rill {

class VariableStorage;
class FusedKernel;

struct RunEnvironment {
  const Eigen::ThreadPoolDevice* device = nullptr;  // Not owned; never null.
  VariableStorage* variables = nullptr;             // Not owned.
  // Not owned. When set, independent steps run in parallel on the calling
  // thread and this pool's threads; null: one step after another.
  Eigen::ThreadPoolInterface* inter_op_pool = nullptr;
  int64_t max_tensor_bytes = kDefaultMaxTensorBytes;
  int64_t max_run_bytes = INT64_MAX;
};

// Per-step timings of one run (Session::Run's RunMetadata).
struct StepStats {
  std::string node;  // The node's name (a fused step: its final node).
  std::string op;    // The op type, or the fused kernel's name.
  double micros = 0;
};

struct PlanOptions {
  // Replace GRU subgraphs by the fused GRU kernel.
  bool fuse_gru = true;
  // Replace MatMul+BiasAdd(+Relu|Sigmoid|Tanh) by FusedMatMulKernel.
  bool fuse_dense = true;
  // Evaluate constant subgraphs once (runtime/constant_folding.h), for
  // outputs up to max_folded_bytes, and up to max_total_folded_bytes of
  // folded values in all.
  bool fold_constants = true;
  int64_t max_folded_bytes = kMaxFoldedBytes;
  int64_t max_total_folded_bytes = kMaxTotalFoldedBytes;
  // Where kernels share what they derive from weights with other plans (a
  // Session's store; must outlive the plan). Null: each plan its own.
  DerivedWeightStore* weight_store = nullptr;
  // Where plans share their folded values (a Session's; must outlive the
  // plan build). Null: each plan folds its own.
  FoldedValueCache* folded_values = nullptr;
};

class ExecutionPlan {
 public:
  // Prunes `graph` to what `fetches` and `targets` need, cutting at `feeds`,
  // applies the rewrites and creates the kernels. Errors: Unimplemented when
  // a needed node has no kernel; InvalidArgument for duplicate feeds.
  static absl::StatusOr<std::unique_ptr<ExecutionPlan>> Build(
      const Graph& graph, const KernelRegistry& kernels, const std::vector<Output>& feeds,
      const std::vector<Output>& fetches, const std::vector<Node*>& targets,
      const PlanOptions& options = {});

  ExecutionPlan(const ExecutionPlan&) = delete;
  ExecutionPlan& operator=(const ExecutionPlan&) = delete;
  ~ExecutionPlan();

  // Runs with `feed_values` (same order as the feeds given to Build; dtypes
  // and shapes already checked by the caller) and returns the fetches.
  // With `stats`, appends one entry per executed step.
  absl::StatusOr<std::vector<Tensor>> Run(const std::vector<Tensor>& feed_values,
                                          const RunEnvironment& env,
                                          std::vector<StepStats>* stats = nullptr) const;

  int num_steps() const { return static_cast<int>(steps_.size()); }
  int num_fused_steps() const;
  // Steps that output values folded at build time.
  int num_folded_steps() const;
  // Whether two expensive steps are independent, i.e. whether an inter-op
  // pool can shorten a run (a chain, or a graph of small steps, runs on the
  // calling thread only). A step is expensive unless its kernel says it is
  // cheap or its static input and output shapes total < 8192 elements.
  bool has_parallel_steps() const { return has_parallel_steps_; }

 private:
  struct RunState;
  struct ParallelRun;

  struct Step {
    const Node* node = nullptr;  // For a fused step: the node it stands for.
    std::unique_ptr<OpKernel> kernel;
    const FusedKernel* fused = nullptr;  // == kernel for fused steps.
    bool folded = false;                 // Outputs constants folded at build time.
    std::vector<int> input_slots;
    // Output slot of each node output; -1 when the output is fed (the kernel
    // result is dropped) or unused.
    std::vector<int> output_slots;
    // Slots whose last reader in plan order is this step, and outputs nobody
    // reads: released after it runs (sequential execution).
    std::vector<int> release_slots;
    // Output shapes fixed at build time (when !dynamic_shapes).
    std::vector<TensorShape> static_shapes;
    bool dynamic_shapes = true;
    // The step's outputs: the node's, or a fused group's (one per output).
    std::vector<DataType> output_types;
  };

  // What parallel execution needs per step, kept apart from Step so the
  // sequential loop walks less memory.
  struct StepLinks {
    // The slots this step reads that are released when their last reader
    // finished (each once), and its outputs nobody reads.
    std::vector<int> read_slots;
    std::vector<int> unread_slots;
    // Steps that wait for this one, and how many this one waits for.
    std::vector<int> successors;
    int num_predecessors = 0;
    // OpKernel::IsExpensive and not known to touch few elements: worth
    // handing to another thread.
    bool expensive = true;
  };

  ExecutionPlan() = default;

  // Computes the dependencies for parallel execution (Build's last step).
  // `step_of_node` maps a node id to the step computing it (-1: none).
  void LinkSteps(const std::vector<int>& step_of_node);

  // runtime/plan_executor.cc
  absl::Status ExecuteStep(const Step& step, RunState& run) const;
  absl::Status ExecuteStepCatching(const Step& step, RunState& run) const;
  void Release(Tensor& t, BufferPool& pool) const;
  absl::Status RunSequential(RunState& run) const;
  absl::Status RunParallel(std::vector<Tensor>& frame, const RunEnvironment& env,
                           std::vector<StepStats>* stats) const;
  // Static: a helper task may outlive the plan (it then touches only `run`).
  static void Enqueue(ParallelRun& run, const std::vector<int>& steps);
  static void Work(ParallelRun& run, bool is_caller);
  static void ProcessReady(int first, ParallelRun& run, RunState& local);
  absl::StatusOr<std::vector<Tensor>> CollectFetches(const std::vector<Tensor>& frame) const;

  int graph_def_version_ = 0;
  int num_slots_ = 0;
  std::vector<Step> steps_;
  std::vector<StepLinks> links_;  // Parallel to steps_.
  std::vector<int> feed_slots_;
  std::vector<int> fetch_slots_;
  std::vector<std::string> fetch_nodes_;  // For errors on unset fetches.
  // Per slot: how many steps read it (0 for fed and fetched slots, which
  // are never released).
  std::vector<int> slot_readers_;
  bool has_parallel_steps_ = false;
};

}  // namespace rill

#endif  // RILL_RUNTIME_EXECUTION_PLAN_H_
