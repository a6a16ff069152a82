// ParallelRows: splits an element-wise loop over rows across the OpenMP
// threads that oneDNN's sgemm runs on. When the GEMM before it used several
// threads they are still awake (libgomp spins before sleeping) and a
// parallel region costs about a microsecond; waking another pool's threads
// instead would compete with those spinning threads for the same cores.
#ifndef RILL_RUNTIME_KERNELS_PARALLEL_ROWS_H_
#define RILL_RUNTIME_KERNELS_PARALLEL_ROWS_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace rill {

// Below this many elements per thread a parallel region costs more than it
// saves (measured on the GRU gate math: ~1 us per region).
inline constexpr int64_t kMinElementsPerThread = 4096;

// Calls fn(begin, end) on disjoint row ranges covering [0, rows), on up to
// `max_threads` threads, fewer when rows × row_elements is small. fn must
// not throw. Returns when every range is done.
void ParallelRows(int64_t rows, int64_t row_elements, int max_threads,
                  absl::FunctionRef<void(int64_t, int64_t)> fn);

// Runs fn(thread, team_size) once on each thread of a team of up to
// `threads` threads (the caller is thread 0; team_size may be smaller than
// asked when the OpenMP runtime limits it). Inside fn, TeamBarrier() waits
// until every thread of the team reached it; every thread must call it the
// same number of times. fn must not throw. For work split into phases that
// depend on each other (a recurrence), one team for all phases instead of a
// parallel region per phase.
void ParallelTeam(int threads, absl::FunctionRef<void(int, int)> fn);
void TeamBarrier();

// ParallelTeam for members that return a status and never meet at a
// barrier (independent slices of work): returns the first member's error in
// member order. An exception leaving fn becomes that member's error
// (std::bad_alloc: ResourceExhausted; others: Internal) instead of
// terminating the process on an OpenMP thread.
absl::Status ParallelSlices(int threads, absl::FunctionRef<absl::Status(int, int)> fn);

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_PARALLEL_ROWS_H_
