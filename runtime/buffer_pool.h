// BufferPool: recycles the buffers of a run's intermediate tensors. When a
// tensor's last consumer has run and nothing else holds its buffer, the
// executor gives the buffer back; the next output of the same allocation
// size takes it instead of calling the allocator. An unrolled T=100 GRU thus
// allocates a few buffers per run, not a few per step.
//
// One pool per run. Thread-safe only when constructed with thread_safe (a
// run whose steps execute on several inter-op threads); the sequential
// executor skips the lock.
#ifndef RILL_RUNTIME_BUFFER_POOL_H_
#define RILL_RUNTIME_BUFFER_POOL_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/container/node_hash_map.h"

namespace rill {

class BufferPool {
 public:
  explicit BufferPool(bool thread_safe = false) : thread_safe_(thread_safe) {}

  // A free buffer of exactly `allocation_bytes`, or null.
  std::shared_ptr<char> Take(size_t allocation_bytes) {
    if (thread_safe_) {
      std::lock_guard<std::mutex> lock(mu_);
      return TakeLocked(allocation_bytes);
    }
    return TakeLocked(allocation_bytes);
  }
  // REQUIRES: `buffer` is referenced by nothing else. Never throws: when
  // the pool cannot grow, the buffer is simply freed.
  void Give(std::shared_ptr<char> buffer, size_t allocation_bytes) noexcept {
    if (thread_safe_) {
      std::lock_guard<std::mutex> lock(mu_);
      GiveLocked(std::move(buffer), allocation_bytes);
      return;
    }
    GiveLocked(std::move(buffer), allocation_bytes);
  }

 private:
  using FreeList = std::vector<std::shared_ptr<char>>;

  // The free list of `allocation_bytes`, created when `create`. Remembers
  // the last size asked for: a run's outputs mostly come in few sizes, and
  // consecutive steps often share one (no hashing then).
  FreeList* ListFor(size_t allocation_bytes, bool create) {
    if (last_list_ != nullptr && last_bytes_ == allocation_bytes) return last_list_;
    FreeList* list;
    if (create) {
      list = &free_[allocation_bytes];  // node_hash_map: the address stays valid.
    } else {
      auto it = free_.find(allocation_bytes);
      if (it == free_.end()) return nullptr;
      list = &it->second;
    }
    last_bytes_ = allocation_bytes;
    last_list_ = list;
    return list;
  }

  std::shared_ptr<char> TakeLocked(size_t allocation_bytes) {
    FreeList* list = ListFor(allocation_bytes, /*create=*/false);
    if (list == nullptr || list->empty()) return nullptr;
    std::shared_ptr<char> b = std::move(list->back());
    list->pop_back();
    return b;
  }

  void GiveLocked(std::shared_ptr<char> buffer, size_t allocation_bytes) noexcept {
    try {
      ListFor(allocation_bytes, /*create=*/true)->push_back(std::move(buffer));
    } catch (...) {  // Out of memory for the list: drop the buffer instead.
    }
  }

  const bool thread_safe_;
  std::mutex mu_;  // Not absl::Mutex: ThreadSanitizer understands std::mutex.
  absl::node_hash_map<size_t, FreeList> free_;
  size_t last_bytes_ = 0;
  FreeList* last_list_ = nullptr;
};

}  // namespace rill

#endif  // RILL_RUNTIME_BUFFER_POOL_H_
