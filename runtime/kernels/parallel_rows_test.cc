#include "runtime/kernels/parallel_rows.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <new>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace rill {
namespace {

// Every range fn was called with, and the threads that ran them.
struct Calls {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::set<std::thread::id> threads;
};

Calls RunRanges(int64_t rows, int64_t row_elements, int max_threads) {
  Calls calls;
  std::mutex mu;
  ParallelRows(rows, row_elements, max_threads, [&](int64_t begin, int64_t end) {
    std::lock_guard<std::mutex> lock(mu);
    calls.ranges.emplace_back(begin, end);
    calls.threads.insert(std::this_thread::get_id());
  });
  return calls;
}

// Every row in exactly one range.
void ExpectCovers(const Calls& calls, int64_t rows) {
  std::vector<int> seen(rows, 0);
  for (const auto& [begin, end] : calls.ranges) {
    ASSERT_LT(begin, end);
    for (int64_t r = begin; r < end; ++r) ++seen[r];
  }
  for (int64_t r = 0; r < rows; ++r) EXPECT_EQ(seen[r], 1) << "row " << r;
}

TEST(ParallelRowsTest, SmallWorkRunsOnTheCallerInOneRange) {
  // 10 rows x 100 elements is below kMinElementsPerThread x 2.
  Calls calls = RunRanges(10, 100, 4);
  ASSERT_EQ(calls.ranges.size(), 1u);
  EXPECT_EQ(calls.ranges[0], std::make_pair(int64_t{0}, int64_t{10}));
  EXPECT_EQ(*calls.threads.begin(), std::this_thread::get_id());
  // One thread allowed: one range, whatever the size.
  calls = RunRanges(1000, 100000, 1);
  ASSERT_EQ(calls.ranges.size(), 1u);
}

TEST(ParallelRowsTest, BigWorkIsSplitAcrossThreads) {
  for (const auto& [rows, threads] : {std::pair{64, 2}, std::pair{7, 3}, std::pair{1000, 4}}) {
    Calls calls = RunRanges(rows, 3 * kMinElementsPerThread, threads);
    EXPECT_EQ(static_cast<int>(calls.ranges.size()), std::min(rows, threads));
    EXPECT_EQ(static_cast<int>(calls.threads.size()), std::min(rows, threads));
    ExpectCovers(calls, rows);
  }
}

TEST(ParallelRowsTest, ThreadsFollowTheAmountOfWork) {
  // 3 threads' worth of elements with 8 allowed: 3 ranges.
  Calls calls = RunRanges(32, kMinElementsPerThread * 3 / 32, 8);
  EXPECT_EQ(calls.ranges.size(), 3u);
  ExpectCovers(calls, 32);
}

TEST(ParallelTeamTest, MembersAreDistinctAndBarriersSeparatePhases) {
  // Each member writes its slot, meets the others, then checks every slot
  // holds this round's value: a barrier that let a member through early
  // would show a previous round's value.
  constexpr int kRounds = 2000;
  std::vector<int> slots(2, -1);
  std::atomic<int> errors{0}, team_seen{0};
  std::set<std::thread::id> threads;
  std::mutex mu;
  ParallelTeam(2, [&](int me, int team) {
    team_seen = team;
    {
      std::lock_guard<std::mutex> lock(mu);
      threads.insert(std::this_thread::get_id());
    }
    for (int round = 0; round < kRounds; ++round) {
      slots[me] = round;
      TeamBarrier();
      for (int i = 0; i < team; ++i) {
        if (slots[i] != round) ++errors;
      }
      TeamBarrier();  // Nobody writes the next round before all checked.
    }
  });
  EXPECT_EQ(errors.load(), 0);
  ASSERT_EQ(team_seen.load(), 2);  // libgomp gives the team asked for.
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(slots[0], kRounds - 1);
  EXPECT_EQ(slots[1], kRounds - 1);
}

TEST(ParallelTeamTest, OneThreadRunsOnTheCallerAndBarriersReturn) {
  int calls = 0;
  ParallelTeam(1, [&](int me, int team) {
    EXPECT_EQ(me, 0);
    EXPECT_EQ(team, 1);
    TeamBarrier();  // Outside a parallel region: returns at once.
    ++calls;
  });
  EXPECT_EQ(calls, 1);
}

// A member of a team may run a team of one of its own (a GRU sequence split
// into independent row slices): that team's barriers are its own, so one
// member passing several of them does not release the other member from
// the outer barrier.
TEST(ParallelTeamTest, NestedTeamOfOneHasItsOwnBarriers) {
  std::atomic<int> written{0};
  int seen_by_other = -1;
  ParallelTeam(2, [&](int me, int team) {
    EXPECT_EQ(team, 2);
    ParallelTeam(1, [&](int, int inner) {
      EXPECT_EQ(inner, 1);
      if (me == 0) {
        TeamBarrier();
        TeamBarrier();
        written.store(7, std::memory_order_relaxed);
      }
    });
    TeamBarrier();  // The outer team's: member 0 has written.
    if (me == 1) seen_by_other = written.load(std::memory_order_relaxed);
  });
  EXPECT_EQ(seen_by_other, 7);
}

// A team asked for inside a member (libgomp runs it on that member alone
// unless nesting is enabled) leaves the member's outer barriers working:
// member 0 must still wait at the outer barrier for member 1's write.
TEST(ParallelTeamTest, NestedTeamKeepsTheOuterBarriers) {
  std::atomic<int> written{0};
  int seen_by_first = -1;
  ParallelTeam(2, [&](int me, int team) {
    EXPECT_EQ(team, 2);
    if (me == 0) {
      ParallelTeam(2, [&](int, int) { TeamBarrier(); });
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      written.store(7, std::memory_order_relaxed);
    }
    TeamBarrier();  // The outer team's.
    if (me == 0) seen_by_first = written.load(std::memory_order_relaxed);
  });
  EXPECT_EQ(seen_by_first, 7);
}

// ParallelSlices returns the first failing member's status in member order,
// and turns an exception inside a member into that member's status instead
// of terminating the process on an OpenMP thread.
TEST(ParallelSlicesTest, ReturnsTheFirstErrorAndCatchesExceptions) {
  std::atomic<int> ran{0};
  EXPECT_TRUE(ParallelSlices(2, [&](int, int) {
                ++ran;
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(ran.load(), 2);
  const absl::Status second = ParallelSlices(2, [](int me, int) {
    return me == 1 ? absl::InvalidArgumentError("slice 1") : absl::OkStatus();
  });
  EXPECT_EQ(second, absl::InvalidArgumentError("slice 1"));
  const absl::Status both = ParallelSlices(2, [](int me, int) {
    return absl::InternalError(me == 0 ? "slice 0" : "slice 1");
  });
  EXPECT_EQ(both, absl::InternalError("slice 0"));
  const absl::Status no_memory = ParallelSlices(2, [](int me, int) -> absl::Status {
    if (me == 1) throw std::bad_alloc();
    return absl::OkStatus();
  });
  EXPECT_EQ(no_memory.code(), absl::StatusCode::kResourceExhausted) << no_memory;
  const absl::Status thrown = ParallelSlices(1, [](int, int) -> absl::Status {
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(thrown, absl::InternalError("A parallel slice threw: boom"));
}

}  // namespace
}  // namespace rill
