// TeamChunks: a thread takes its own range front to back, then the others'
// ranges back to front; every chunk goes to exactly one thread, also when
// threads race for them over many phases; Reset between phases.
#include "runtime/kernels/team_chunks.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace rill {
namespace {

std::vector<int64_t> Drain(TeamChunks* chunks, int me) {
  std::vector<int64_t> taken;
  for (int64_t c; (c = chunks->Next(me)) >= 0;) taken.push_back(c);
  return taken;
}

TEST(TeamChunksTest, OwnRangeFrontToBackThenOthersBackToFront) {
  TeamChunks chunks(3);
  chunks.Reset(0, 0, 3);
  chunks.Reset(1, 3, 5);
  chunks.Reset(2, 5, 8);
  EXPECT_EQ(chunks.Next(1), 3);
  EXPECT_EQ(chunks.Next(1), 4);
  // Thread 1's range is empty: it takes thread 2's last chunk, then thread
  // 2 goes on from its front.
  EXPECT_EQ(chunks.Next(1), 7);
  EXPECT_EQ(chunks.Next(2), 5);
  EXPECT_EQ(Drain(&chunks, 2), (std::vector<int64_t>{6, 2, 1, 0}));
  EXPECT_EQ(chunks.Next(0), -1);
  EXPECT_EQ(chunks.Next(1), -1);
}

TEST(TeamChunksTest, RangesNobodyResetAreEmptyAndResetRefills) {
  TeamChunks chunks(4);  // A team of two got four ranges.
  EXPECT_EQ(chunks.Next(0), -1);
  chunks.Reset(0, 0, 1);
  chunks.Reset(1, 1, 2);
  EXPECT_EQ(Drain(&chunks, 1), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(chunks.Next(0), -1);
  chunks.Reset(0, 0, 0);  // An empty range.
  chunks.Reset(1, 0, 2);
  EXPECT_EQ(Drain(&chunks, 0), (std::vector<int64_t>{1, 0}));
}

TEST(TeamChunksTest, RacingThreadsTakeEveryChunkOnce) {
  constexpr int kThreads = 4, kChunks = 64, kPhases = 2000;
  TeamChunks chunks(kThreads);
  std::vector<std::atomic<int>> taken(kChunks);
  std::atomic<int> arrived{0};
  std::atomic<int> bad_phase{-1};
  auto barrier = [&](int generation) {
    arrived.fetch_add(1);
    while (arrived.load() < kThreads * generation) std::this_thread::yield();
  };
  std::vector<std::thread> threads;
  std::vector<int> stolen(kThreads, 0);
  for (int me = 0; me < kThreads; ++me) {
    threads.emplace_back([&, me] {
      const int begin = kChunks * me / kThreads, end = kChunks * (me + 1) / kThreads;
      for (int phase = 0; phase < kPhases; ++phase) {
        chunks.Reset(me, begin, end);
        barrier(2 * phase + 1);
        // Thread 0 is slow on odd phases, so the others take its chunks.
        for (int64_t c; (c = chunks.Next(me)) >= 0;) {
          if (c >= kChunks) {
            bad_phase.store(phase);
            break;
          }
          taken[c].fetch_add(1);
          if (c < begin || c >= end) ++stolen[me];
          if (me == 0 && phase % 2 == 1) std::this_thread::yield();
        }
        barrier(2 * phase + 2);
        if (me == 0) {  // The others wait at the next phase's first barrier.
          for (int c = 0; c < kChunks; ++c) {
            if (taken[c].exchange(0) != 1) bad_phase.store(phase);
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad_phase.load(), -1) << "a chunk was taken twice or never in that phase";
  int others = 0;
  for (int me = 1; me < kThreads; ++me) others += stolen[me];
  EXPECT_GT(others, 0) << "nobody took over the slow thread's chunks";
}

}  // namespace
}  // namespace rill
