#include "runtime/session.h"

#include <atomic>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "graph/graph_def.h"
#include "graph/status_macros.h"
#include "ops/op_registry.h"
#include "runtime/eigen_device.h"
#include "runtime/execution_plan.h"
#include "runtime/kernels/derived_weight_store.h"
#include "runtime/kernels/standard_kernels.h"
#include "runtime/variable_storage.h"

namespace rill {

class Session::Impl {
 public:
  Impl(const Graph* graph, SessionOptions options)
      : graph_(graph), options_(options), device_(options.intra_op_threads) {
    if (options.inter_op_threads > 1) {
      // No spinning: an idle helper sleeps instead of burning a core that
      // the caller's GEMM threads may want (no difference measured in
      // BM_IndependentBranches on this 2-vCPU machine).
      inter_op_pool_ = std::make_unique<Eigen::ThreadPool>(options.inter_op_threads - 1,
                                                           /*allow_spinning=*/false);
    }
  }

  absl::StatusOr<std::vector<Tensor>> Run(const Feeds& feeds,
                                          const std::vector<std::string>& fetch_names,
                                          const std::vector<std::string>& target_names,
                                          VariableStorage* variables,
                                          std::vector<StepStats>* stats) const {
    ASSIGN_OR_RETURN(const PreparedRun* prepared, Prepare(feeds, fetch_names, target_names));
    std::vector<Tensor> feed_values;
    feed_values.reserve(feeds.size());
    for (size_t i = 0; i < feeds.size(); ++i) {
      RETURN_IF_ERROR(CheckFeed(prepared->feeds[i], feeds[i].second));
      feed_values.push_back(feeds[i].second);
    }
    const ExecutionPlan* plan = prepared->plan;
    RunEnvironment env;
    env.device = &device_.device();
    env.variables = variables;
    env.inter_op_pool = inter_op_pool_.get();
    env.max_tensor_bytes = options_.max_tensor_bytes;
    env.max_run_bytes = options_.max_run_bytes;
    return plan->Run(feed_values, env, stats);
  }

  DerivedWeightStore& weight_store() const { return weight_store_; }

 private:
  // TensorFlow's feed checks (Python session.py texts).
  static absl::Status CheckFeed(const Output& o, const Tensor& value) {
    if (!value.initialized()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Feed for Tensor '", o.name(), "' is an empty (invalid) Tensor"));
    }
    const DataType want = BaseType(o.dtype());
    if (value.dtype() != want) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot feed value of dtype ", DataTypeString(value.dtype()), " for Tensor '",
          o.name(), "', which has dtype ", DataTypeString(want)));
    }
    if (!value.shape().IsCompatibleWith(o.shape())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot feed value of shape ", value.shape().ToPythonString(), " for Tensor '",
          o.name(), "', which has shape '", o.shape().ToPythonString(), "'"));
    }
    return absl::OkStatus();
  }

  // What a Run with given feed, fetch and target names needs once the names
  // are resolved: the plan and the fed tensors (for CheckFeed).
  struct PreparedRun {
    std::vector<std::string> feed_names, fetch_names, target_names;
    const ExecutionPlan* plan = nullptr;
    std::vector<Output> feeds;

    bool Matches(const Feeds& feed_list, const std::vector<std::string>& fetches,
                 const std::vector<std::string>& targets) const {
      if (feed_list.size() != feed_names.size() || fetches != fetch_names ||
          targets != target_names) {
        return false;
      }
      for (size_t i = 0; i < feed_names.size(); ++i) {
        if (feed_list[i].first != feed_names[i]) return false;
      }
      return true;
    }
  };

  static size_t NamesHash(const Feeds& feeds, const std::vector<std::string>& fetches,
                          const std::vector<std::string>& targets) {
    size_t h = absl::HashOf(feeds.size(), fetches.size(), targets.size());
    for (const auto& [name, value] : feeds) h = absl::HashOf(h, name);
    for (const std::string& name : fetches) h = absl::HashOf(h, name);
    for (const std::string& name : targets) h = absl::HashOf(h, name);
    return h;
  }

  // Resolves the names and finds or builds the plan; remembered by the
  // names as given, so that a repeated Run does no name lookups and builds
  // no strings. Errors (unknown names, planning failures) are not
  // remembered.
  absl::StatusOr<const PreparedRun*> Prepare(const Feeds& feeds,
                                             const std::vector<std::string>& fetch_names,
                                             const std::vector<std::string>& target_names) const {
    // A loop running the same names again (the usual case) compares them
    // with the last prepared run: no hashing and no lock.
    const PreparedRun* last = last_prepared_.load(std::memory_order_acquire);
    if (last != nullptr && last->Matches(feeds, fetch_names, target_names)) return last;
    const size_t hash = NamesHash(feeds, fetch_names, target_names);
    {
      absl::MutexLock lock(&mu_);
      if (const PreparedRun* p = FindPreparedLocked(hash, feeds, fetch_names, target_names)) {
        return p;
      }
    }
    auto prepared = std::make_unique<PreparedRun>();
    prepared->fetch_names = fetch_names;
    prepared->target_names = target_names;
    for (const auto& [name, value] : feeds) {
      prepared->feed_names.push_back(name);
      ASSIGN_OR_RETURN(Output o, graph_->FindOutput(name));
      prepared->feeds.push_back(o);
    }
    std::vector<Output> fetches;
    for (const std::string& name : fetch_names) {
      absl::StatusOr<Output> o = graph_->FindOutput(name);
      if (!o.ok()) {
        return absl::Status(o.status().code(),
                            absl::StrCat("Fetch argument '", name,
                                         "' cannot be interpreted as a Tensor. (",
                                         o.status().message(), ")"));
      }
      fetches.push_back(*o);
    }
    std::vector<Node*> targets;
    for (const std::string& name : target_names) {
      Node* n = graph_->FindNode(name);
      if (n == nullptr) {
        return absl::NotFoundError(absl::StrCat("Target node '", name,
                                                "' does not exist in the graph."));
      }
      targets.push_back(n);
    }
    ASSIGN_OR_RETURN(prepared->plan, GetPlan(prepared->feeds, fetches, targets));
    absl::MutexLock lock(&mu_);
    // Another thread may have prepared the same names meanwhile: keep the first.
    if (const PreparedRun* p = FindPreparedLocked(hash, feeds, fetch_names, target_names)) {
      return p;
    }
    std::vector<std::unique_ptr<PreparedRun>>& bucket = prepared_[hash];
    bucket.push_back(std::move(prepared));
    last_prepared_.store(bucket.back().get(), std::memory_order_release);
    return bucket.back().get();
  }

  // The remembered run for these names (and makes it the last one), or null.
  const PreparedRun* FindPreparedLocked(size_t hash, const Feeds& feeds,
                                        const std::vector<std::string>& fetch_names,
                                        const std::vector<std::string>& target_names) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = prepared_.find(hash);
    if (it == prepared_.end()) return nullptr;
    for (const std::unique_ptr<PreparedRun>& p : it->second) {
      if (p->Matches(feeds, fetch_names, target_names)) {
        last_prepared_.store(p.get(), std::memory_order_release);
        return p.get();
      }
    }
    return nullptr;
  }

  absl::StatusOr<const ExecutionPlan*> GetPlan(const std::vector<Output>& feeds,
                                               const std::vector<Output>& fetches,
                                               const std::vector<Node*>& targets) const {
    std::string key;
    for (const Output& o : feeds) absl::StrAppend(&key, o.name(), ",");
    absl::StrAppend(&key, "|");
    for (const Output& o : fetches) absl::StrAppend(&key, o.name(), ",");
    absl::StrAppend(&key, "|");
    for (const Node* n : targets) absl::StrAppend(&key, n->name(), ",");
    {
      absl::MutexLock lock(&mu_);
      auto it = plans_.find(key);
      if (it != plans_.end()) return it->second.get();
    }
    PlanOptions plan_options;
    plan_options.fuse_gru = options_.enable_rewrites;
    plan_options.fuse_dense = options_.enable_rewrites;
    plan_options.fold_constants = options_.enable_rewrites;
    plan_options.max_folded_bytes = options_.max_tensor_bytes;
    plan_options.weight_store = &weight_store_;
    plan_options.folded_values = &folded_values_;
    ASSIGN_OR_RETURN(std::unique_ptr<ExecutionPlan> plan,
                     ExecutionPlan::Build(*graph_, GlobalKernelRegistry(), feeds, fetches,
                                          targets, plan_options));
    absl::MutexLock lock(&mu_);
    // Another thread may have built the same plan meanwhile; keep the first.
    auto [it, inserted] = plans_.emplace(key, std::move(plan));
    return it->second.get();
  }

  const Graph* graph_;
  SessionOptions options_;
  EigenDevice device_;
  // What the plans' kernels derive from weights, shared by all plans.
  // Declared before the plans, which use it until they are destroyed.
  mutable DerivedWeightStore weight_store_;
  // The values folded by the plans, shared by all of them.
  mutable FoldedValueCache folded_values_;
  mutable absl::Mutex mu_;
  // By the resolved tensors' names ("x:0"): "x" and "x:0" share a plan.
  mutable std::map<std::string, std::unique_ptr<ExecutionPlan>> plans_ ABSL_GUARDED_BY(mu_);
  // By NamesHash of the names as given to Run; entries are never removed
  // (pointers to them stay valid).
  mutable absl::flat_hash_map<size_t, std::vector<std::unique_ptr<PreparedRun>>> prepared_
      ABSL_GUARDED_BY(mu_);
  // The entry of prepared_ found or made last (read without mu_: entries are
  // immutable once stored and never freed before the Session).
  mutable std::atomic<const PreparedRun*> last_prepared_{nullptr};
  // The calling thread is the first inter-op thread; null when there is
  // only that one. Declared last, so destroyed first: its remaining helper
  // tasks finish before the plans go.
  std::unique_ptr<Eigen::ThreadPool> inter_op_pool_;
};

Session::Session(const Graph* graph, std::unique_ptr<Graph> owned, SessionOptions options)
    : owned_graph_(std::move(owned)),
      graph_(graph),
      variables_(std::make_unique<VariableStorage>()),
      impl_(std::make_unique<Impl>(graph, options)) {}

Session::~Session() = default;

absl::StatusOr<std::unique_ptr<Session>> Session::Create(const Graph& graph,
                                                         SessionOptions options) {
  if (options.intra_op_threads < 1 || options.intra_op_threads > 1024) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SessionOptions.intra_op_threads must be in [1, 1024], got ", options.intra_op_threads));
  }
  if (options.inter_op_threads < 1 || options.inter_op_threads > 1024) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SessionOptions.inter_op_threads must be in [1, 1024], got ", options.inter_op_threads));
  }
  return std::unique_ptr<Session>(new Session(&graph, nullptr, options));
}

absl::StatusOr<std::unique_ptr<Session>> Session::Create(const pb::GraphDef& def,
                                                         SessionOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Graph> graph,
                   GraphFromGraphDef(def, &GlobalOpRegistry(), options.max_tensor_bytes));
  return CreateOwning(std::move(graph), options);
}

absl::StatusOr<std::unique_ptr<Session>> Session::Create(pb::GraphDef&& def,
                                                         SessionOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Graph> graph, GraphFromGraphDef(std::move(def),
                                                                   &GlobalOpRegistry(),
                                                                   options.max_tensor_bytes));
  return CreateOwning(std::move(graph), options);
}

absl::StatusOr<std::unique_ptr<Session>> Session::CreateOwning(std::unique_ptr<Graph> graph,
                                                               SessionOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Create(*graph, options));
  // Nothing else sees this graph: the values of Const weights that kernels
  // keep in a form of their own can go (graph() says how they come back).
  // A value is released only while nothing else holds its buffer: a plan's
  // Const step, a fetched tensor, a pointer from Node::const_value().
  Graph* owned = graph.get();
  session->impl_->weight_store().SetConstDeriveHook(
      [owned](const Node* node, const ConstDeriver& derive) {
        return owned->DeriveAndReleaseConstValue(const_cast<Node*>(node), derive);
      });
  session->owned_graph_ = std::move(graph);
  return session;
}

absl::StatusOr<std::vector<Tensor>> Session::Run(const Feeds& feeds,
                                                 const std::vector<std::string>& fetches,
                                                 const std::vector<std::string>& targets) const {
  return impl_->Run(feeds, fetches, targets, variables_.get(), nullptr);
}

absl::StatusOr<std::vector<Tensor>> Session::Run(const Feeds& feeds,
                                                 const std::vector<std::string>& fetches,
                                                 const std::vector<std::string>& targets,
                                                 std::vector<StepStats>* step_stats) const {
  return impl_->Run(feeds, fetches, targets, variables_.get(), step_stats);
}

}  // namespace rill
