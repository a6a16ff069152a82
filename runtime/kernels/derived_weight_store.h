// DerivedWeightStore: the values kernels derive from weights (padded
// copies, packed panels), shared by every plan of a Session. A Session
// builds one plan per feed/fetch/target signature and each plan has its own
// kernels; without the store each of them would hold its own copy of the
// weights, so memory would grow with every new signature.
//
// Entries are keyed by the kind of derivation and the source tensors
// (buffer and shape), or the Const nodes a plan bound to the kernel (which
// live as long as the Session; their values may be released, see
// DeriveFromConst below). The store keeps only a weak reference: an entry
// lives while a kernel holds it, and holds its source tensors, so their
// buffers (and so the key) cannot be reused by other tensors meanwhile.
// Deriving happens under the store's mutex: concurrent first runs derive
// once. Thread-safe.
#ifndef RILL_RUNTIME_KERNELS_DERIVED_WEIGHT_STORE_H_
#define RILL_RUNTIME_KERNELS_DERIVED_WEIGHT_STORE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "graph/node.h"
#include "graph/status_macros.h"
#include "graph/tensor.h"

namespace rill {

// What a value is derived as; one tag per derivation function.
enum class DerivedKind : int {
  kPaddedCopy,  // gemm.h PaddedCopy of one matrix.
  kGruPacked,   // The GRU kernels' packed W_ru and W_c (gru_weights.h).
};

class DerivedWeightStore {
 public:
  // The value `derive()` (returning absl::StatusOr<Value>) makes from
  // `sources`, shared with every caller asking for the same kind and
  // sources while one of them holds it. Errors are returned and not
  // remembered.
  //
  // `bound_nodes` instead of (or besides) tensors: the Const nodes whose
  // values the plan bound to the kernel (GruWeightCache's bound weights); a
  // value is then known by those nodes, which live as long as the Session.
  template <typename Value, size_t kSources, typename Derive>
  absl::StatusOr<std::shared_ptr<const Value>> GetOrDerive(
      DerivedKind kind, const std::array<const Tensor*, kSources>& sources, Derive derive,
      absl::Span<const Node* const> bound_nodes = {}) {
    // The value's type is part of the key, so the cast below always holds.
    std::string key = absl::StrCat(static_cast<int>(kind), "|", typeid(Value).name());
    for (const Tensor* t : sources) {
      absl::StrAppend(&key, "|", reinterpret_cast<uintptr_t>(t->buffer().get()), ":",
                      t->shape().ToString());
    }
    for (const Node* n : bound_nodes) {
      absl::StrAppend(&key, "|node:", reinterpret_cast<uintptr_t>(n));
    }
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (std::shared_ptr<const void> alive = it->second.lock()) {
        return std::shared_ptr<const Value>(alive, &static_cast<const Held<Value, kSources>*>(
                                                       alive.get())->value);
      }
    }
    ASSIGN_OR_RETURN(Value value, derive());
    auto held = std::make_shared<Held<Value, kSources>>();
    for (size_t i = 0; i < kSources; ++i) held->sources[i] = *sources[i];
    held->value = std::move(value);
    ++derivations_;
    // Entries nobody holds any more go now (their sources are released).
    absl::erase_if(entries_, [](const auto& entry) { return entry.second.expired(); });
    entries_[key] = held;
    return std::shared_ptr<const Value>(held, &held->value);
  }

  // Deriving from a Const node's value: `derive(value, consume)` makes the
  // form and returns a restorer of the value (ConstDeriver, graph/node.h).
  // Set by a Session that owns its graph, before any plan runs:
  // Graph::DeriveAndReleaseConstValue on that graph, so the value is
  // released as its form is made and the process holds those weights once.
  using ConstDeriveHook = std::function<absl::Status(const Node*, const ConstDeriver&)>;
  void SetConstDeriveHook(ConstDeriveHook hook) { hook_ = std::move(hook); }

  const ConstDeriveHook& const_derive_hook() const { return hook_; }

  // How many values were derived, and how many are held now (for tests).
  int64_t derivations() const {
    absl::MutexLock lock(&mu_);
    return derivations_;
  }
  int64_t live_entries() const {
    absl::MutexLock lock(&mu_);
    int64_t n = 0;
    for (const auto& [key, entry] : entries_) n += !entry.expired();
    return n;
  }

 private:
  template <typename Value, size_t kSources>
  struct Held {
    std::array<Tensor, kSources> sources;
    Value value;
  };

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<const void>> entries_ ABSL_GUARDED_BY(mu_);
  int64_t derivations_ ABSL_GUARDED_BY(mu_) = 0;
  ConstDeriveHook hook_;  // Set before any plan runs; read only afterwards.
};

// `derive()`'s value for `sources`: from `store` (shared with the Session's
// other plans) when there is one, else made for the caller alone.
template <typename Value, size_t kSources, typename Derive>
absl::StatusOr<std::shared_ptr<const Value>> DeriveShared(
    DerivedWeightStore* store, DerivedKind kind, const std::array<const Tensor*, kSources>& sources,
    Derive derive, absl::Span<const Node* const> bound_nodes = {}) {
  if (store != nullptr) {
    return store->GetOrDerive<Value>(kind, sources, std::move(derive), bound_nodes);
  }
  ASSIGN_OR_RETURN(Value value, derive());
  return std::make_shared<const Value>(std::move(value));
}

// Runs `derive` on `node`'s value: through `store`'s hook when there is one
// (the value may be consumed and released), else on a shared reference to
// the value, which stays (consume = false).
inline absl::Status DeriveFromConst(const DerivedWeightStore* store, const Node* node,
                                    const ConstDeriver& derive) {
  if (store != nullptr && store->const_derive_hook() != nullptr) {
    return store->const_derive_hook()(node, derive);
  }
  ASSIGN_OR_RETURN(Tensor value, node->SharedConstValue());
  return derive(value, /*consume=*/false).status();
}

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_DERIVED_WEIGHT_STORE_H_
