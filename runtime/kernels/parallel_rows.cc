#include "runtime/kernels/parallel_rows.h"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <new>
#include <vector>

#include "absl/strings/str_cat.h"

// libgomp's entry point for `#pragma omp parallel` (GCC's OpenMP ABI, stable
// since GCC 4.9): runs fn(data) on a team of num_threads threads, the caller
// being thread 0. Called directly so this file needs no -fopenmp (which
// clang, used by the sanitizer and fuzzing builds, would pair with libomp
// instead of the libgomp that oneDNN uses).
extern "C" void GOMP_parallel(void (*fn)(void*), void* data, unsigned num_threads,
                              unsigned flags);
extern "C" void GOMP_barrier();

namespace rill {
namespace {

struct Region {
  int64_t rows;
  absl::FunctionRef<void(int64_t, int64_t)>* fn;
};

void RunShare(void* data) {
  const Region& region = *static_cast<const Region*>(data);
  const int64_t team = omp_get_num_threads(), me = omp_get_thread_num();
  const int64_t begin = region.rows * me / team, end = region.rows * (me + 1) / team;
  if (begin < end) (*region.fn)(begin, end);
}

// Whether this thread runs a ParallelTeam of more than one thread: only then
// does TeamBarrier call GOMP_barrier (a team of one runs on the caller,
// which may itself be inside someone else's OpenMP region).
thread_local bool in_team = false;

void RunTeamMember(void* data) {
  // Restored afterwards: this may be a team nested in another team's member
  // (libgomp then runs it on that member alone, and GOMP_barrier waits for
  // the innermost team), whose own barriers must keep working after it.
  const bool outer = in_team;
  in_team = true;
  (*static_cast<absl::FunctionRef<void(int, int)>*>(data))(omp_get_thread_num(),
                                                          omp_get_num_threads());
  in_team = outer;
}

}  // namespace

void ParallelTeam(int threads, absl::FunctionRef<void(int, int)> fn) {
  if (threads <= 1) {
    // A team of one inside another team's member: its barriers must not
    // wait for the outer team (whose other members run their own teams).
    const bool outer = in_team;
    in_team = false;
    fn(0, 1);
    in_team = outer;
    return;
  }
  GOMP_parallel(&RunTeamMember, &fn, static_cast<unsigned>(threads), 0);
}

void TeamBarrier() {
  if (in_team) GOMP_barrier();
}

absl::Status ParallelSlices(int threads, absl::FunctionRef<absl::Status(int, int)> fn) {
  std::vector<absl::Status> status(std::max(1, threads));
  ParallelTeam(threads, [&](int me, int team) {
    try {
      status[me] = fn(me, team);
    } catch (const std::bad_alloc&) {
      status[me] = absl::ResourceExhaustedError("Out of memory in a parallel slice");
    } catch (const std::exception& e) {
      status[me] = absl::InternalError(absl::StrCat("A parallel slice threw: ", e.what()));
    } catch (...) {
      status[me] = absl::InternalError("A parallel slice threw a non-standard exception");
    }
  });
  for (absl::Status& s : status) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

void ParallelRows(int64_t rows, int64_t row_elements, int max_threads,
                  absl::FunctionRef<void(int64_t, int64_t)> fn) {
  const int64_t by_size = rows * row_elements / kMinElementsPerThread;
  const int64_t threads = std::min<int64_t>({max_threads, rows, by_size});
  if (threads <= 1) {
    fn(0, rows);
    return;
  }
  Region region{rows, &fn};
  GOMP_parallel(&RunShare, &region, static_cast<unsigned>(threads), 0);
}

}  // namespace rill
