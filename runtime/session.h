// Session: runs a Graph. The overview (see graph/graph.h for building):
//
//   Scope root = Scope::NewRootScope(&GlobalOpRegistry());
//   Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, {-1, 2});
//   Output y = ops::Tanh(root, x);
//   ASSIGN_OR_RETURN(auto session, Session::Create(*root.graph()));
//   ASSIGN_OR_RETURN(std::vector<Tensor> out,
//                    session->Run({{"x", x_value}}, {y.name()}));
//
// Run executes only the nodes the fetches and targets need, in dependency
// order; a fed tensor cuts the dependency on its producer. The first Run of a
// (feeds, fetches, targets) signature prunes the graph, orders it and creates
// every kernel once (an ExecutionPlan); later runs reuse that plan.
//
// Thread-safety: Run may be called from several threads at once. Variable
// values live in the Session and persist across runs.
// Lifetime: a Session created from a Graph borrows it (the Graph must outlive
// the Session); one created from a GraphDef owns its Graph.
#ifndef RILL_RUNTIME_SESSION_H_
#define RILL_RUNTIME_SESSION_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/graph.h"
#include "graph/tensor.h"
#include "proto/graph.pb.h"
#include "runtime/execution_plan.h"

namespace rill {

struct SessionOptions {
  // Threads inside one kernel (GEMMs, Eigen contractions).
  int intra_op_threads = 1;
  // Threads running independent steps of one run at once (the calling
  // thread plus inter_op_threads - 1 pool threads). 1: steps run one after
  // another on the calling thread. Only plans with independent expensive
  // steps use the pool (ExecutionPlan::has_parallel_steps). Stateful steps
  // (variables, Assign, random ops) keep the graph's order, so successful
  // runs give the same results as with 1. Differences: when a step fails,
  // independent steps may already have run (with 1, later steps never do);
  // more tensors can be live at once (max_run_bytes); each inter-op thread
  // may use intra_op_threads GEMM threads.
  int inter_op_threads = 1;
  // Cap on any single tensor a run allocates (ResourceExhausted above it).
  int64_t max_tensor_bytes = kDefaultMaxTensorBytes;
  // Cap on the bytes one Run takes from the allocator (buffers recycled
  // within the run count once). ResourceExhausted above it.
  int64_t max_run_bytes = int64_t{64} << 30;
  // Graph rewrites at plan time (runtime/execution_plan.h): GRU and dense-
  // layer fusion, constant folding, dead-step removal. They never change
  // results beyond float rounding.
  bool enable_rewrites = true;
};

class VariableStorage;

class Session {
 public:
  using Feeds = std::vector<std::pair<std::string, Tensor>>;

  // `graph` is borrowed and must outlive the Session.
  static absl::StatusOr<std::unique_ptr<Session>> Create(const Graph& graph,
                                                         SessionOptions options = {});
  // Imports `def` (validating it) into a Graph the Session owns.
  static absl::StatusOr<std::unique_ptr<Session>> Create(const pb::GraphDef& def,
                                                         SessionOptions options = {});
  // The same, moving attr values (a large Const's bytes) out of `def`
  // instead of copying them.
  static absl::StatusOr<std::unique_ptr<Session>> Create(pb::GraphDef&& def,
                                                         SessionOptions options = {});

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // Feeds tensors by name ("x", "x:0", "layer/out:1"), fetches tensors by
  // name and runs target nodes by name; returns the fetched tensors in order.
  // Errors (TensorFlow's texts):
  //  - NotFound: a fetch/feed/target naming a missing tensor or node;
  //  - InvalidArgument: an unfed Placeholder ("You must feed a value for
  //    placeholder tensor 'x' with dtype float and shape [?,3]"), a feed of the
  //    wrong dtype or shape (Python's text: "Cannot feed value of shape (2, 4)
  //    for Tensor 'x:0', which has shape '(?, 3)'"), a run-time shape
  //    mismatch;
  //  - FailedPrecondition: reading an uninitialized variable;
  //  - ResourceExhausted: a tensor above SessionOptions::max_tensor_bytes;
  //  - Unimplemented: no kernel for an op/dtype.
  // A failed run leaves the Session usable. A fetched tensor may share its
  // buffer with a Const's value or a variable's stored value, as in
  // TensorFlow: treat fetched tensors as read-only (Clone() one to change
  // it). Kernels keep copies derived from weights (padded, packed) and would
  // not see a change made in place.
  absl::StatusOr<std::vector<Tensor>> Run(const Feeds& feeds,
                                          const std::vector<std::string>& fetches,
                                          const std::vector<std::string>& targets = {}) const;
  // The same, appending each executed step's timing to `step_stats` (fused
  // steps report their fused kernel's name as the op).
  absl::StatusOr<std::vector<Tensor>> Run(const Feeds& feeds,
                                          const std::vector<std::string>& fetches,
                                          const std::vector<std::string>& targets,
                                          std::vector<StepStats>* step_stats) const;

  // The graph. In a Session that owns it (created from a GraphDef), the
  // values of Const weights that fused kernels keep in a form of their own
  // (padded, packed) are released as soon as that form is made, so the
  // process holds those weights once; reading such a node's value
  // (Node::const_value(), ToGraphDef, FreezeGraph, a plan that reads the
  // Const) restores it, exactly, from that form.
  const Graph& graph() const { return *graph_; }
  // Variable values owned by this Session (see runtime/variable_storage.h).
  VariableStorage& variables() const { return *variables_; }

 private:
  class Impl;
  static absl::StatusOr<std::unique_ptr<Session>> CreateOwning(std::unique_ptr<Graph> graph,
                                                               SessionOptions options);
  Session(const Graph* graph, std::unique_ptr<Graph> owned, SessionOptions options);

  std::unique_ptr<Graph> owned_graph_;
  const Graph* graph_;
  std::unique_ptr<VariableStorage> variables_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_SESSION_H_
