// TeamChunks: shares one phase's chunks of work among the threads of a team
// (ParallelTeam) that meet at a barrier after every phase.
//
// Each thread owns a contiguous range of chunk indices and takes chunks from
// its front; a thread whose range is empty takes from the back of the
// others'. With equal work per chunk the ranges usually run out together
// and every thread keeps its own chunks (its weights stay in its cache);
// when one thread runs slower in a phase — on these VMs a vCPU's speed
// drifts by several percent from one phase to the next — the other takes
// over the chunks it has not reached instead of waiting at the barrier.
//
//   TeamChunks chunks(team);            // Shared by the team.
//   // In thread `me`, before the barrier that starts the phase:
//   chunks.Reset(me, own_begin, own_end);
//   TeamBarrier();
//   for (int64_t c; (c = chunks.Next(me)) >= 0;) Work(c);
//   TeamBarrier();                      // Every chunk done.
//
// Thread safety: Next may run on all threads at once (lock-free, one CAS
// per chunk); Reset(me, ...) only as described at Reset.
#ifndef RILL_RUNTIME_KERNELS_TEAM_CHUNKS_H_
#define RILL_RUNTIME_KERNELS_TEAM_CHUNKS_H_

#include <atomic>
#include <cstdint>
#include <vector>

namespace rill {

class TeamChunks {
 public:
  explicit TeamChunks(int team) : ranges_(team) {
    for (Range& r : ranges_) r.word.store(0, std::memory_order_relaxed);
  }

  TeamChunks(const TeamChunks&) = delete;
  TeamChunks& operator=(const TeamChunks&) = delete;

  int team() const { return static_cast<int>(ranges_.size()); }

  // Gives thread `me` (0 <= me < team()) the chunks [begin, end)
  // (0 <= begin <= end < 2^31) for the next phase. Call it only after a
  // barrier that follows the previous phase's last Next on this object and
  // before the barrier that starts the next one (for example while the team
  // works on another object's chunks).
  void Reset(int me, int64_t begin, int64_t end) {
    ranges_[me].word.store(Pack(begin, end), std::memory_order_relaxed);
  }

  // The next chunk for thread `me` (0 <= me < team()): the front of its
  // own range, else the back of another thread's; -1 when every range is
  // empty. Each chunk is returned to exactly one caller.
  int64_t Next(int me) {
    int64_t chunk = Take(me, /*front=*/true);
    for (int i = 1; chunk < 0 && i < team(); ++i) {
      chunk = Take((me + i) % team(), /*front=*/false);
    }
    return chunk;
  }

 private:
  // One range per cache line, so that a thread taking its own chunks does
  // not invalidate the line another thread's range is on.
  struct alignas(64) Range {
    std::atomic<uint64_t> word;  // begin << 32 | end
  };

  static uint64_t Pack(int64_t begin, int64_t end) {
    return static_cast<uint64_t>(begin) << 32 | static_cast<uint64_t>(end);
  }

  int64_t Take(int owner, bool front) {
    std::atomic<uint64_t>& word = ranges_[owner].word;
    uint64_t old = word.load(std::memory_order_relaxed);
    while (true) {
      const int64_t begin = static_cast<int64_t>(old >> 32);
      const int64_t end = static_cast<int64_t>(old & 0xFFFFFFFFu);
      if (begin >= end) return -1;
      const uint64_t taken = front ? Pack(begin + 1, end) : Pack(begin, end - 1);
      // Relaxed is enough: a chunk's inputs were published by the barrier
      // before the phase, its outputs are read after the barrier after it.
      if (word.compare_exchange_weak(old, taken, std::memory_order_relaxed)) {
        return front ? begin : end - 1;
      }
    }
  }

  std::vector<Range> ranges_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_TEAM_CHUNKS_H_
