// ExecutionPlan::Run: executes a built plan, on the calling thread in plan
// order, or on the calling thread plus an inter-op pool.
//
// The parallel executor (TensorFlow's executor, smaller): every step has a
// count of unfinished predecessors; a finished step decrements its
// successors' counts and the ones reaching zero are ready. The finishing
// thread runs the cheap ready steps and then one expensive one itself (no
// hand-off on a chain) and queues the other expensive ones, scheduling a
// helper task on the pool for each (up to its size). A slot is released when
// its last reader finished (per-slot reader counts instead of the plan-order
// "last reader"). The caller works too and returns when no step is queued or
// running; after an error no new step starts (steps already running finish).
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <new>

#include "absl/strings/str_cat.h"
#include "runtime/buffer_pool.h"
#include "runtime/eigen_device.h"
#include "runtime/execution_plan.h"
#include "runtime/kernels/fused_gru_kernel.h"
#include "runtime/output_shapes.h"

namespace rill {
namespace {

// Appends TensorFlow's node annotation to a kernel error.
absl::Status Annotate(const absl::Status& s, const Node& node) {
  return absl::Status(s.code(), absl::StrCat(s.message(), "\n\t [[{{node ", node.name(), "}}]]"));
}

}  // namespace

// What a thread needs to execute steps of one run: shared run state plus its
// own scratch vectors.
struct ExecutionPlan::RunState {
  std::vector<Tensor>* frame = nullptr;
  const RunEnvironment* env = nullptr;
  BufferPool* pool = nullptr;
  RunBudget* budget = nullptr;
  std::vector<StepStats>* stats = nullptr;
  std::mutex* stats_mu = nullptr;  // Set when several threads append stats.

  std::vector<const Tensor*> inputs;
  std::vector<TensorShape> shapes;
  std::vector<Tensor> outputs;
  std::vector<int> cheap, queue;  // Parallel runs: ready steps.
};

// Shared by the threads of one parallel run; owned through shared_ptrs so a
// helper task that starts after the run ended finds it alive. Such a helper
// finds no queued step and returns without touching the plan, which may be
// gone by then.
struct ExecutionPlan::ParallelRun : std::enable_shared_from_this<ParallelRun> {
  ParallelRun(const ExecutionPlan& plan_in, std::vector<Tensor>& frame_in,
              const RunEnvironment& env_in, std::vector<StepStats>* stats_in)
      : plan(&plan_in),
        frame(std::move(frame_in)),
        env(env_in),
        stats(stats_in),
        pending(new std::atomic<int>[plan_in.steps_.size()]),
        readers(new std::atomic<int>[plan_in.slot_readers_.size()]),
        pool(/*thread_safe=*/true) {
    budget.max_bytes = env.max_run_bytes;
    for (size_t i = 0; i < plan_in.steps_.size(); ++i) {
      pending[i].store(plan_in.links_[i].num_predecessors, std::memory_order_relaxed);
    }
    for (size_t i = 0; i < plan_in.slot_readers_.size(); ++i) {
      readers[i].store(plan_in.slot_readers_[i], std::memory_order_relaxed);
    }
  }

  const ExecutionPlan* plan;  // Only dereferenced while a step is in flight.
  std::vector<Tensor> frame;
  const RunEnvironment env;
  std::vector<StepStats>* stats;
  std::unique_ptr<std::atomic<int>[]> pending;  // Per step: unfinished predecessors.
  std::unique_ptr<std::atomic<int>[]> readers;  // Per slot: readers yet to finish.
  std::atomic<int> in_flight{0};                // Steps queued or running.
  std::atomic<int> helpers{0};                  // Helper tasks scheduled, not returned.
  std::atomic<bool> failed{false};
  BufferPool pool;
  RunBudget budget;

  // std::mutex rather than absl::Mutex: ThreadSanitizer understands it
  // (Debian's Abseil is not built with TSan annotations), so
  // `bazel test --config=tsan //runtime:plan_executor_test` checks this code.
  std::mutex mu;
  std::condition_variable caller_wakeup;  // Work queued, or the run is done.
  // Queued steps are ready[next_ready:]. Each step is queued at most once
  // and the capacity is reserved up front, so queueing never allocates.
  std::vector<int> ready;  // Guarded by mu, as are the next three.
  size_t next_ready = 0;
  bool done = false;
  absl::Status status;
  std::mutex stats_mu;
};

absl::StatusOr<std::vector<Tensor>> ExecutionPlan::Run(const std::vector<Tensor>& feed_values,
                                                       const RunEnvironment& env,
                                                       std::vector<StepStats>* stats) const {
  std::vector<Tensor> frame(num_slots_);
  for (size_t i = 0; i < feed_slots_.size(); ++i) frame[feed_slots_[i]] = feed_values[i];
  if (env.inter_op_pool != nullptr && has_parallel_steps_) {
    absl::Status s = RunParallel(frame, env, stats);
    if (!s.ok()) return s;
    return CollectFetches(frame);
  }
  BufferPool pool;
  RunBudget budget;
  budget.max_bytes = env.max_run_bytes;
  RunState run;
  run.frame = &frame;
  run.env = &env;
  run.pool = &pool;
  run.budget = &budget;
  run.stats = stats;
  absl::Status s = RunSequential(run);
  if (!s.ok()) return s;
  return CollectFetches(frame);
}

absl::Status ExecutionPlan::ExecuteStepCatching(const Step& step, RunState& run) const {
  // An exception must not cross the executor: on a pool thread it would
  // terminate the process, on the caller leave helpers waiting.
  try {
    return ExecuteStep(step, run);
  } catch (const std::bad_alloc&) {
    return Annotate(absl::ResourceExhaustedError("Out of memory"), *step.node);
  } catch (const std::exception& e) {
    return Annotate(absl::InternalError(absl::StrCat("Kernel threw: ", e.what())), *step.node);
  } catch (...) {
    return Annotate(absl::InternalError("Kernel threw a non-standard exception"), *step.node);
  }
}

absl::Status ExecutionPlan::ExecuteStep(const Step& step, RunState& run) const {
  const Node& node = *step.node;
  std::vector<Tensor>& frame = *run.frame;
  run.inputs.clear();
  if (run.inputs.capacity() < step.input_slots.size()) {  // Grow once, not by doubling.
    run.inputs.reserve(step.input_slots.size());
  }
  for (size_t i = 0; i < step.input_slots.size(); ++i) {
    const Tensor& t = frame[step.input_slots[i]];
    // Only a variable's ref can be unset: an uninitialized variable.
    if (!t.initialized() && !node.op_def().allows_uninitialized_input) {
      return Annotate(absl::FailedPreconditionError(
                          absl::StrCat("Attempting to use uninitialized value ",
                                       node.input(static_cast<int>(i)).node->name())),
                      node);
    }
    run.inputs.push_back(&t);
  }
  const std::vector<TensorShape>* out_shapes = &step.static_shapes;
  if (step.dynamic_shapes) {
    absl::Status s =
        step.fused ? step.fused->OutputShapes(run.inputs, &run.shapes)
                   : ComputeOutputShapes(node, run.inputs, graph_def_version_, &run.shapes);
    if (!s.ok()) return step.fused ? Annotate(s, node) : s;
    out_shapes = &run.shapes;
  }
  const int num_outputs = static_cast<int>(step.output_slots.size());
  // Uninitialized placeholders: the previous step's outputs were moved out
  // (which leaves them uninitialized) unless they were dropped.
  if (run.outputs.size() != static_cast<size_t>(num_outputs)) run.outputs.resize(num_outputs);
  for (Tensor& t : run.outputs) {
    if (t.initialized()) t = Tensor();
  }
  KernelContext ctx(&node, run.inputs, out_shapes, &run.outputs, run.env->max_tensor_bytes,
                    run.env->device, run.env->variables, run.pool, run.budget,
                    step.output_types);
  const auto start =
      run.stats ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
  absl::Status s = step.kernel->Compute(ctx);
  if (!s.ok()) return Annotate(s, node);
  if (run.stats) {
    StepStats stat{
        node.name(),
        step.fused ? step.fused->name() : step.folded ? std::string("FoldedConstant") : node.op(),
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count()};
    if (run.stats_mu != nullptr) {
      std::lock_guard<std::mutex> lock(*run.stats_mu);
      run.stats->push_back(std::move(stat));
    } else {
      run.stats->push_back(std::move(stat));
    }
  }
  for (int i = 0; i < num_outputs; ++i) {
    const int slot = step.output_slots[i];
    if (slot < 0) continue;
    if (!run.outputs[i].initialized() &&
        !(step.fused == nullptr && IsRefType(node.output_type(i)))) {
      return absl::InternalError(absl::StrCat("Kernel for node '", node.name(), "' (op '",
                                              node.op(), "') did not set output ", i));
    }
    frame[slot] = std::move(run.outputs[i]);
  }
  return absl::OkStatus();
}

void ExecutionPlan::Release(Tensor& t, BufferPool& pool) const {
  // Recycle the buffer unless someone else (a fetch, a variable, a forwarded
  // alias) still holds it. The acquire fence orders the other holders' reads
  // of the buffer (done before they dropped it) before its next writer.
  if (t.buffer() != nullptr && t.buffer().use_count() == 1) {
    std::atomic_thread_fence(std::memory_order_acquire);
    const size_t bytes = Tensor::AllocationBytes(t.TotalBytes());
    pool.Give(t.ReleaseBuffer(), bytes);
    return;
  }
  t = Tensor();
}

absl::Status ExecutionPlan::RunSequential(RunState& run) const {
  for (const Step& step : steps_) {
    absl::Status s = ExecuteStepCatching(step, run);
    if (!s.ok()) return s;
    for (int slot : step.release_slots) Release((*run.frame)[slot], *run.pool);
  }
  return absl::OkStatus();
}

absl::Status ExecutionPlan::RunParallel(std::vector<Tensor>& frame, const RunEnvironment& env,
                                        std::vector<StepStats>* stats) const {
  auto run = std::make_shared<ParallelRun>(*this, frame, env, stats);
  std::vector<int> sources;
  for (int i = 0; i < static_cast<int>(steps_.size()); ++i) {
    if (links_[i].num_predecessors == 0) sources.push_back(i);
  }
  {
    std::lock_guard<std::mutex> lock(run->mu);
    run->ready.reserve(steps_.size());
    run->in_flight.store(static_cast<int>(sources.size()), std::memory_order_relaxed);
    run->done = sources.empty();
  }
  Enqueue(*run, sources);
  Work(*run, /*is_caller=*/true);
  std::lock_guard<std::mutex> lock(run->mu);
  frame = std::move(run->frame);
  // Moved out, not copied: a helper may destroy the run later, and a copy
  // would share the status's refcounted message with that thread.
  return std::move(run->status);
}

void ExecutionPlan::Enqueue(ParallelRun& run, const std::vector<int>& steps) {
  if (steps.empty()) return;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    run.ready.insert(run.ready.end(), steps.begin(), steps.end());
  }
  run.caller_wakeup.notify_one();
  // One helper per queued step, up to the pool's size; a helper returns as
  // soon as the queue is empty, so idle runs hold no pool thread.
  Eigen::ThreadPoolInterface* pool = run.env.inter_op_pool;
  for (size_t i = 0; i < steps.size(); ++i) {
    int h = run.helpers.load(std::memory_order_relaxed);
    do {
      if (h >= pool->NumThreads()) return;
    } while (!run.helpers.compare_exchange_weak(h, h + 1, std::memory_order_relaxed));
    try {
      pool->Schedule([r = run.shared_from_this()] { Work(*r, /*is_caller=*/false); });
    } catch (...) {  // No memory for the task: the caller takes the step.
      run.helpers.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
  }
}

void ExecutionPlan::Work(ParallelRun& run, bool is_caller) {
  RunState local;
  local.frame = &run.frame;
  local.env = &run.env;
  local.pool = &run.pool;
  local.budget = &run.budget;
  local.stats = run.stats;
  local.stats_mu = &run.stats_mu;
  auto caller_has_work = [&run] { return run.done || run.next_ready < run.ready.size(); };
  for (;;) {
    int step;
    {
      std::unique_lock<std::mutex> lock(run.mu);
      // The caller stays until the run is done; a helper leaves when the
      // queue is empty.
      if (is_caller) run.caller_wakeup.wait(lock, caller_has_work);
      if (run.next_ready == run.ready.size()) break;
      step = run.ready[run.next_ready++];
    }
    ProcessReady(step, run, local);
  }
  if (!is_caller) run.helpers.fetch_sub(1, std::memory_order_relaxed);
}

// Runs `first`, then on this thread the cheap steps it makes ready and after
// them one expensive one (as TensorFlow's executor keeps one expensive node
// for itself), queueing the other expensive ones for other threads.
void ExecutionPlan::ProcessReady(int first, ParallelRun& run, RunState& local) {
  const ExecutionPlan& plan = *run.plan;
  std::vector<int>& cheap = local.cheap;
  std::vector<int>& queue = local.queue;
  cheap.clear();
  int kept = -1;
  for (int current = first; current >= 0;) {
    const Step& step = plan.steps_[current];
    if (!run.failed.load(std::memory_order_acquire)) {
      absl::Status s = plan.ExecuteStepCatching(step, local);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(run.mu);
        if (run.status.ok()) run.status = s;
        run.failed.store(true, std::memory_order_release);
      } else {
        const StepLinks& links = plan.links_[current];
        for (int slot : links.unread_slots) plan.Release(run.frame[slot], run.pool);
        for (int slot : links.read_slots) {
          if (run.readers[slot].fetch_sub(1, std::memory_order_acq_rel) == 1) {
            plan.Release(run.frame[slot], run.pool);
          }
        }
        queue.clear();
        for (int next : links.successors) {
          if (run.pending[next].fetch_sub(1, std::memory_order_acq_rel) != 1) continue;
          // Counted before anyone can run it, so in_flight never reads 0
          // while work remains.
          run.in_flight.fetch_add(1, std::memory_order_relaxed);
          if (!plan.links_[next].expensive) {
            cheap.push_back(next);
          } else if (kept < 0) {
            kept = next;
          } else {
            queue.push_back(next);
          }
        }
        Enqueue(run, queue);
      }
    }
    if (run.in_flight.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      {
        std::lock_guard<std::mutex> lock(run.mu);
        run.done = true;
      }
      run.caller_wakeup.notify_one();
    }
    if (!cheap.empty()) {
      current = cheap.back();
      cheap.pop_back();
    } else {
      current = kept;
      kept = -1;
    }
  }
}

absl::StatusOr<std::vector<Tensor>> ExecutionPlan::CollectFetches(
    const std::vector<Tensor>& frame) const {
  std::vector<Tensor> result;
  result.reserve(fetch_slots_.size());
  for (size_t i = 0; i < fetch_slots_.size(); ++i) {
    const Tensor& t = frame[fetch_slots_[i]];
    // Only a fetched variable ref can be unset: the variable is uninitialized.
    if (!t.initialized()) {
      return absl::FailedPreconditionError(
          absl::StrCat("Attempting to use uninitialized value ", fetch_nodes_[i]));
    }
    result.push_back(t);
  }
  return result;
}

}  // namespace rill
