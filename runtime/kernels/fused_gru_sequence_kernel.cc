#include "runtime/kernels/fused_gru_sequence_kernel.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/gru_math.h"
#include "runtime/kernels/gru_weights.h"
#include "runtime/kernels/parallel_rows.h"
#include "runtime/kernels/team_chunks.h"

namespace rill {
namespace {

// Below this many multiply-adds per thread and step, a second thread's
// share of a step is shorter than the two barriers it costs.
constexpr int64_t kMinMacsPerThreadAndStep = int64_t{1} << 21;

// How the products run, by the rows B of the batch or of a slice of it
// (GruRowSlices), chosen by paired end-to-end runs of BM_GruSeq100 on this
// machine (bench/separate_measurements.md):
// - B < 8: the input projections of a chunk of many steps are hoisted into
//   one GEMM (at B = 1 a step's x · W_x is a GEMV; T of them are one GEMM
//   with T rows); each step multiplies only the state. Both products read
//   the packed weights (PackedGemm; the projections their first I rows), so
//   the weights are held once besides the graph's, and oneDNN is not used
//   (its JIT cost ~20 ms of a cold start): the projections on oneDNN's
//   sgemm from a padded copy were level in paired runs at 1x128x128 (0.98×,
//   8/12 rounds at 1 and at 2 threads). With several intra-op threads a
//   second thread projects blocks of steps while the first runs the steps
//   (Recurrence::PipelinedChunk): 1×128×128 T=100 on 2 threads 0.93× the
//   time of projecting on both threads first (12/12 paired rounds);
//   1×1024×1024, whose steps stream W_h from L3, level (0.89× in 4 pairs
//   of `runner bench`, 1.0× in 6 more).
// - 8 <= B < 64: each step multiplies [x_t, h] by the whole packed kernel
//   (B = 32: 0.91× the old hoisted path at 2 threads, level at 1).
// - B >= 64: hoisted again, over chunks of <= 1 MiB (two steps at
//   64×512×512) so that the projections are still in L2 when the step
//   accumulates into them, and the per-step products on oneDNN's sgemm
//   (its own threads, a team of one). Measured with the cycles of each
//   phase inside one run (bench/separate_measurements.md, "B = 64"): at
//   64×512×512 PackedGemm took 1.15-1.17× the cycles of the projections'
//   sgemm for the same FLOPs, sgemm 0.97×; end to end 0.85× (1 thread) and
//   0.91× (2 threads) the time of PackedGemm, 6/6 paired rounds each. At
//   B = 256 PackedGemm was 9 % slower as well.
constexpr int64_t kMinRowsForDirectSteps = 8;
constexpr int64_t kMinRowsForLibraryGemm = 64;

// Scratch for the hoisted projections of one chunk of steps: large chunks
// for small batches (at B = 1, H = 128 a chunk is ~1900 steps), small ones
// for large batches (at 64×512×512, 256 KiB to 4 MiB were within 4 % of
// each other in paired runs, 1 MiB a little ahead at both thread counts).
constexpr int64_t kLargeChunkBytes = int64_t{4} << 20;
constexpr int64_t kSmallChunkBytes = int64_t{1} << 20;

// Panels per chunk of work that a thread of a team takes at a time (direct
// steps): a whole group of the packed layout (packed_gemm.h), which the
// AVX-512 kernel multiplies with its widest tile. With chunks of two
// panels (half a group each, the previous tile width) 16×256×256 on 2
// threads took 1.067× as long (bench/separate_measurements.md, "Tenth
// session").
constexpr int64_t kPanelsPerChunk = PackedMatrix::kGroupPanels;

// Rows of hoisted projections per block when one thread projects while
// another runs the steps (Recurrence::PipelinedChunk).
constexpr int64_t kPipelinedBlockRows = 12;

// One iteration of a wait for another thread (`spins`: the wait's
// iterations so far): a pause, and after 4096 of them (tens of µs to
// ~0.2 ms, by the CPU's pause latency) a yield, so that a thread waiting
// for one that the OS has descheduled (more threads than cores) gives it
// the core.
inline void WaitForOtherThread(int* spins) {
  constexpr int kSpinsBeforeYield = 4096;
  if (++*spins > kSpinsBeforeYield) {
    std::this_thread::yield();
    return;
  }
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Panels of PackedMatrix::kPanelWidth columns that hold `units` columns.
int64_t Panels(int64_t units) {
  return (units + PackedMatrix::kPanelWidth - 1) / PackedMatrix::kPanelWidth;
}

// One run of the recurrence, split over a team: each thread computes the
// gates, candidate and new state of some units (whole 16-column panels of
// the packed weights) at every step with PackedGemm against their panels —
// with hoisted projections a fixed slice for the whole sequence, with
// direct steps its own slice first and then panels left in another's
// (TeamChunks). Two barriers per step: r ⊙ h and the new state are read
// whole by every thread. A team of one is the plain sequential loop, or,
// with hoisted projections on several intra-op threads, that loop fed by
// a second thread's projections (PipelinedChunk).
//
// Scratch rows are at padded strides (gru_weights.h): a state tensor's rows
// are H floats apart, for a power-of-two H a multiple of 4 KiB, and the rows
// a tile reads at once would fall into the same L1 cache sets.
struct Recurrence {
  int steps;
  int64_t batch, in, units;
  std::vector<const float*> xs;  // x_t [B, I]
  const float* h0;
  std::vector<float*> h_out;  // h_{t+1} [B, H], null if unused.
  GruPackedWeights packed;
  const float* b_ru;
  const float* b_c;
  int64_t ld_ru, ld_c;
  float* gates;  // [B, 2H] per step, or P_ru [C*B, 2H] when hoisted
  float* cand;   // [B, H] per step, or P_c [C*B, H] when hoisted

  // Direct steps: [x_t, h_t] and [x_t, r ⊙ h_t], two of each (this step's and
  // the next one's, whose x is copied in during this step).
  int64_t ld_xh;
  float* xh[2];
  float* xrh[2];

  // Padded weights for oneDNN's sgemm, with library_gemm: the hoisted
  // projections and the recurrent products.
  GruWeightsView w;
  bool library_gemm = false;

  // Hoisted projections: X [C*B, I] for chunks of C steps, r ⊙ h and the
  // state.
  bool hoisted = false;
  int chunk = 1;
  int64_t ld_x;
  float* x_all;
  float* rh;
  float* state[2];
  // PipelinedChunk's "block projected" flags, one per block of a chunk
  // (allocated by RunRows: nothing may throw inside a parallel region).
  std::atomic<bool>* pipeline_flags = nullptr;

  // Copies rows [row_begin, row_end) of [x_first; x_{first+1}; ...] (row
  // t*B + b is x_{first+t}[b]) to the same rows of `dst`, rows `ld` apart.
  void CopyInputs(int first, int64_t row_begin, int64_t row_end, float* dst, int64_t ld) const {
    if (in == 0) return;
    for (int64_t row = row_begin; row < row_end; ++row) {
      std::memcpy(dst + row * ld, xs[first + row / batch] + (row % batch) * in,
                  in * sizeof(float));
    }
  }

  void CopyColumns(const float* src, int64_t src_ld, float* dst, int64_t dst_ld, int64_t c0,
                   int64_t c1) const {
    if (c1 <= c0) return;  // No columns (H = 0: the tensors may have no buffer).
    for (int64_t b = 0; b < batch; ++b) {
      std::memcpy(dst + b * dst_ld + c0, src + b * src_ld + c0, (c1 - c0) * sizeof(float));
    }
  }

  // The chunk's projections out[:, col0:col0+n] = X · b[:I, col0:col0+n].
  absl::Status Project(int64_t rows, const GemmOperand& b, int64_t col0, int64_t n, float* out,
                       int64_t ldc, int threads) const {
    return LibraryProduct(rows, in, x_all, ld_x, b, 0, col0, n, /*accumulate=*/false, out, ldc,
                          threads);
  }

  // The projections of the chunk's rows [r0, r1) against the packed
  // weights' first I rows, for the panels [q0, q1): the same panels the
  // steps multiply h by, so no padded copy of the weights is needed. Rows
  // are split over `threads`.
  void ProjectPacked(int64_t r0, int64_t r1, int64_t q0, int64_t q1, int threads) const {
    // ParallelRows sizes its team for element-wise work (~1 element per
    // ns); a multiply-add runs ~30 times faster than that.
    const int64_t row_cost = std::max<int64_t>(1, in * 3 * (q1 - q0) * 16 / 32);
    ParallelRows(r1 - r0, row_cost, threads, [&](int64_t begin, int64_t end) {
      const int64_t rows = end - begin;
      const float* x = x_all + (r0 + begin) * ld_x;
      float* g = gates + (r0 + begin) * ld_ru;
      PackedGemm(rows, x, ld_x, packed.r, 0, in, q0, q1, /*accumulate=*/false, g, ld_ru);
      PackedGemm(rows, x, ld_x, packed.u, 0, in, q0, q1, /*accumulate=*/false, g + units,
                 ld_ru);
      PackedGemm(rows, x, ld_x, packed.c, 0, in, q0, q1, /*accumulate=*/false,
                 cand + (r0 + begin) * ld_c, ld_c);
    });
  }

  // Runs the element-wise `block_fn` over the block's rows: on the intra-op
  // threads when the team is one thread.
  template <typename BlockFn>
  void ElementWise(const gru_math::Block& block, int team, int threads,
                   const BlockFn& block_fn) const {
    if (team > 1 || threads == 1) return block_fn(block);
    ParallelRows(batch, 3 * units, threads, [&](int64_t begin, int64_t end) {
      block_fn(gru_math::Block{begin, end, block.col_begin, block.col_end});
    });
  }

  // Team member `me` of `team`, direct steps. Each phase's units are shared
  // out in chunks of whole panels (`gate_chunks` for r and u, `cand_chunks`
  // for the candidate and the new state): each thread starts on its own
  // slice and takes over another's chunks when it runs out first.
  void DirectSteps(int me, int team, int threads, TeamChunks* gate_chunks,
                   TeamChunks* cand_chunks) const {
    const int64_t panels = Panels(units);
    // A team of one takes all panels at once (its element-wise work then
    // splits over the intra-op threads); at least one for H = 0.
    const int64_t chunk_panels = team > 1 ? kPanelsPerChunk : std::max<int64_t>(1, panels);
    const int64_t chunks = (panels + chunk_panels - 1) / chunk_panels;
    const int64_t own_begin = chunks * me / team, own_end = chunks * (me + 1) / team;
    // Chunk `chunk`: its panels [q0, q1) and all rows of their units.
    struct Chunk {
      int64_t q0, q1;
      gru_math::Block block;
    };
    auto chunk_at = [&](int64_t chunk) {
      const int64_t q0 = chunk * chunk_panels, q1 = std::min(panels, q0 + chunk_panels);
      return Chunk{q0, q1,
                   gru_math::Block{0, batch, std::min(units, q0 * 16), std::min(units, q1 * 16)}};
    };
    const int64_t r0 = batch * me / team, r1 = batch * (me + 1) / team;
    CopyInputs(0, r0, r1, xh[0], ld_xh);
    CopyInputs(0, r0, r1, xrh[0], ld_xh);
    if (own_begin < own_end) {
      CopyColumns(h0, units, xh[0] + in, ld_xh, chunk_at(own_begin).block.col_begin,
                  chunk_at(own_end - 1).block.col_end);
    }
    gate_chunks->Reset(me, own_begin, own_end);
    TeamBarrier();  // [x_0, h_0] complete.
    for (int t = 0; t < steps; ++t) {
      const float* now = xh[t % 2];
      float* next = xh[(t + 1) % 2];
      float* reset = xrh[t % 2];
      cand_chunks->Reset(me, own_begin, own_end);  // Taken from after the barrier.
      for (int64_t index; (index = gate_chunks->Next(me)) >= 0;) {
        const Chunk chunk = chunk_at(index);
        PackedGemm(batch, now, ld_xh, packed.r, 0, packed.r.rows(), chunk.q0, chunk.q1,
                   /*accumulate=*/false, gates, ld_ru);
        PackedGemm(batch, now, ld_xh, packed.u, 0, packed.u.rows(), chunk.q0, chunk.q1,
                   /*accumulate=*/false, gates + units, ld_ru);
        ElementWise(chunk.block, team, threads, [&](const gru_math::Block& rows) {
          gru_math::GatesAndResetStateBlock(gates, ld_ru, b_ru, now + in, ld_xh, reset + in,
                                            ld_xh, units, rows);
        });
      }
      if (t + 1 < steps) {  // Nobody reads the next buffers during this step.
        CopyInputs(t + 1, r0, r1, next, ld_xh);
        CopyInputs(t + 1, r0, r1, xrh[(t + 1) % 2], ld_xh);
      }
      TeamBarrier();  // [x_t, r ⊙ h_t] complete.
      gate_chunks->Reset(me, own_begin, own_end);  // For the next step.
      for (int64_t index; (index = cand_chunks->Next(me)) >= 0;) {
        const Chunk chunk = chunk_at(index);
        PackedGemm(batch, reset, ld_xh, packed.c, 0, packed.c.rows(), chunk.q0, chunk.q1,
                   /*accumulate=*/false, cand, ld_c);
        ElementWise(chunk.block, team, threads, [&](const gru_math::Block& rows) {
          gru_math::NewStateBlock(gates, ld_ru, cand, ld_c, b_c, now + in, ld_xh, next + in,
                                  ld_xh, units, rows);
        });
        if (h_out[t] != nullptr) {
          CopyColumns(next + in, ld_xh, h_out[t], units, chunk.block.col_begin,
                      chunk.block.col_end);
        }
      }
      TeamBarrier();  // h_{t+1} complete; this step's buffers free again.
    }
  }

  // Team member `me` of `team`, hoisted projections. After an error the
  // thread keeps meeting the barriers (skipping its oneDNN products) so
  // that the others do not wait forever.
  absl::Status HoistedSteps(int me, int team, int threads) const {
    absl::Status failed;
    const int64_t panels = Panels(units);
    const int64_t q0 = panels * me / team, q1 = panels * (me + 1) / team;
    const int64_t c0 = std::min(units, q0 * 16), c1 = std::min(units, q1 * 16);
    const int projection_threads = team == 1 ? threads : 1;
    const gru_math::Block block{0, batch, c0, c1};
    CopyColumns(h0, units, state[0], ld_c, c0, c1);
    for (int first = 0; first < steps; first += chunk) {
      const int count = std::min(chunk, steps - first);
      const int64_t rows = batch * count;
      if (!library_gemm && team == 1 && threads > 1 && in <= 2 * units &&
          count >= 2 * PipelinedStepsPerBlock()) {
        PipelinedChunk(first, count, q0, q1, block);
        continue;
      }
      CopyInputs(first, rows * me / team, rows * (me + 1) / team, x_all, ld_x);
      TeamBarrier();  // X (and the first state) complete.
      if (!library_gemm) {
        ProjectPacked(0, rows, q0, q1, projection_threads);
      } else if (failed.ok() && c0 < c1) {
        if (team == 1) {  // r and u in one product.
          failed.Update(Project(rows, w.ru, 0, 2 * units, gates, ld_ru, projection_threads));
        } else {
          failed.Update(Project(rows, w.ru, c0, c1 - c0, gates, ld_ru, projection_threads));
          failed.Update(
              Project(rows, w.ru, units + c0, c1 - c0, gates, ld_ru, projection_threads));
        }
        failed.Update(Project(rows, w.c, c0, c1 - c0, cand, ld_c, projection_threads));
      }
      for (int t = 0; t < count; ++t) {
        HoistedStep(first + t, t, q0, q1, block, team, threads, &failed);
      }
    }
    return failed;
  }

  // Step `step` (the chunk's t-th) of the units of panels [q0, q1) (the
  // columns of `block`), whose hoisted projections are in the chunk's gates
  // and cand rows; a `team` of more than one meets the team's barriers.
  void HoistedStep(int step, int t, int64_t q0, int64_t q1, const gru_math::Block& block,
                   int team, int threads, absl::Status* failed) const {
    const float* h = state[step % 2];
    float* next = state[(step + 1) % 2];
    float* g = gates + t * batch * ld_ru;
    float* c = cand + t * batch * ld_c;
    // [r, u] += h · W_ru[I:]; with library_gemm (a team of one) as one
    // product.
    if (!library_gemm) {
      PackedGemm(batch, h, ld_c, packed.r, in, packed.r.rows(), q0, q1, /*accumulate=*/true, g,
                 ld_ru);
      PackedGemm(batch, h, ld_c, packed.u, in, packed.u.rows(), q0, q1, /*accumulate=*/true,
                 g + units, ld_ru);
    } else if (failed->ok()) {
      failed->Update(LibraryProduct(batch, units, h, ld_c, w.ru, in, 0, 2 * units,
                                    /*accumulate=*/true, g, ld_ru, threads));
    }
    ElementWise(block, team, threads, [&](const gru_math::Block& rows) {
      gru_math::GatesAndResetStateBlock(g, ld_ru, b_ru, h, ld_c, rh, ld_c, units, rows);
    });
    if (team > 1) TeamBarrier();  // r ⊙ h complete.
    // cand += (r ⊙ h) · W_c[I:]
    if (!library_gemm) {
      PackedGemm(batch, rh, ld_c, packed.c, in, packed.c.rows(), q0, q1, /*accumulate=*/true, c,
                 ld_c);
    } else if (failed->ok()) {
      failed->Update(LibraryProduct(batch, units, rh, ld_c, w.c, in, 0, units,
                                    /*accumulate=*/true, c, ld_c, threads));
    }
    ElementWise(block, team, threads, [&](const gru_math::Block& rows) {
      gru_math::NewStateBlock(g, ld_ru, c, ld_c, b_c, h, ld_c, next, ld_c, units, rows);
    });
    if (h_out[step] != nullptr) {
      CopyColumns(next, ld_c, h_out[step], units, block.col_begin, block.col_end);
    }
    if (team > 1) TeamBarrier();  // The new state complete; r ⊙ h free again.
  }

  // Steps per block of a pipelined chunk: about kPipelinedBlockRows rows
  // of projections (two of PackedGemm's 6-row tiles at B = 1).
  int PipelinedStepsPerBlock() const {
    return static_cast<int>(std::max<int64_t>(1, kPipelinedBlockRows / batch));
  }

  // A chunk of a team of one (all units) with more than one intra-op
  // thread: instead of projecting all of the chunk's steps first and then
  // running the recurrence (whose products, at B < 8, are GEMVs no second
  // thread speeds up: sharing them cost two barriers per step), one thread
  // runs the steps while another projects the steps after them, in blocks
  // of a few steps. The stepping thread projects a block itself when the
  // other has not taken it yet (a team of one from the OpenMP runtime, or a
  // second thread that started late), and waits only for a block the other
  // is projecting. Only while I <= 2H: a step's projections are then at
  // most twice the recurrence's multiply-adds and run at about twice its
  // rate (a GEMM against GEMVs), so one thread keeps ahead of the steps;
  // with much wider inputs both threads projecting the whole chunk first
  // is faster.
  void PipelinedChunk(int first, int count, int64_t q0, int64_t q1,
                      const gru_math::Block& block) const {
    const int per_block = PipelinedStepsPerBlock();
    const int blocks = (count + per_block - 1) / per_block;
    std::atomic<int> next_block{0};
    std::atomic<bool>* projected = pipeline_flags;  // At least `blocks`.
    for (int b = 0; b < blocks; ++b) projected[b].store(false, std::memory_order_relaxed);
    auto project = [&](int b) {
      const int64_t r0 = int64_t{b} * per_block * batch;
      const int64_t r1 = std::min<int64_t>(count, int64_t{b + 1} * per_block) * batch;
      CopyInputs(first, r0, r1, x_all, ld_x);
      ProjectPacked(r0, r1, q0, q1, /*threads=*/1);
      projected[b].store(true, std::memory_order_release);
    };
    ParallelTeam(2, [&](int me, int) {
      if (me != 0) {
        for (int b; (b = next_block.fetch_add(1)) < blocks;) project(b);
        return;
      }
      absl::Status unused;  // PackedGemm cannot fail.
      for (int t = 0; t < count; ++t) {
        const int b = t / per_block;
        for (int spins = 0; !projected[b].load(std::memory_order_acquire);) {
          int unclaimed = next_block.load();
          if (unclaimed <= b && next_block.compare_exchange_weak(unclaimed, unclaimed + 1)) {
            project(unclaimed);
          } else {
            WaitForOtherThread(&spins);
          }
        }
        HoistedStep(first + t, t, q0, q1, block, /*team=*/1, /*threads=*/1, &unused);
      }
    });
  }

  // Runs the recurrence of batch rows [r0, r1) alone on `threads` intra-op
  // threads, with oneDNN's products (`library`, reading `w`) or PackedGemm
  // (reading `packed`): picks direct or hoisted steps for that many rows,
  // takes this thread's scratch and shares the units out to a team when
  // that pays. The rows of every input and output are contiguous, so a
  // slice of rows is a pointer offset.
  absl::Status RunRows(int64_t r0, int64_t r1, bool library, int threads) const {
    Recurrence r = *this;
    std::unique_ptr<std::atomic<bool>[]> flags;  // Outlives r.Run.
    r.batch = r1 - r0;
    for (const float*& x : r.xs) x += r0 * in;
    r.h0 = h0 + r0 * units;
    for (float*& h : r.h_out) {
      if (h != nullptr) h += r0 * units;
    }
    r.library_gemm = library;
    r.hoisted = r.batch < kMinRowsForDirectSteps || library;
    int64_t step_macs = r.batch * 3 * units * (in + units);
    if (r.hoisted) {
      r.ld_x = PaddedLeadingDim(in);
      const int64_t chunk_bytes =
          r.batch < kMinRowsForDirectSteps ? kLargeChunkBytes : kSmallChunkBytes;
      const int64_t per_step =
          r.batch * (r.ld_x + ld_ru + ld_c) * static_cast<int64_t>(sizeof(float));
      r.chunk = static_cast<int>(
          std::max<int64_t>(1, std::min<int64_t>(steps, chunk_bytes / per_step)));
      const int64_t chunk_rows = r.batch * r.chunk;
      ASSIGN_OR_RETURN(r.x_all,
                       GruScratch(chunk_rows * (r.ld_x + ld_ru + ld_c) + 3 * r.batch * ld_c));
      r.gates = r.x_all + chunk_rows * r.ld_x;
      r.cand = r.gates + chunk_rows * ld_ru;
      r.rh = r.cand + chunk_rows * ld_c;
      r.state[0] = r.rh + r.batch * ld_c;
      r.state[1] = r.state[0] + r.batch * ld_c;
      step_macs = r.batch * 3 * units * units;  // Per step: the recurrent part.
      if (!library) {
        const int per_block = r.PipelinedStepsPerBlock();
        flags = std::make_unique<std::atomic<bool>[]>((r.chunk + per_block - 1) / per_block);
        r.pipeline_flags = flags.get();
      }
    } else {
      r.ld_xh = PaddedLeadingDim(in + units);
      ASSIGN_OR_RETURN(float* scratch, GruScratch(r.batch * (ld_ru + ld_c + 4 * r.ld_xh)));
      r.gates = scratch;
      r.cand = r.gates + r.batch * ld_ru;
      for (int i = 0; i < 2; ++i) {
        r.xh[i] = r.cand + r.batch * ld_c + i * r.batch * r.ld_xh;
        r.xrh[i] = r.xh[i] + 2 * r.batch * r.ld_xh;
      }
    }
    // No more team members than pieces to share: panels, or chunks of them
    // with direct steps.
    const int64_t team_chunks =
        r.hoisted ? Panels(units) : (Panels(units) + kPanelsPerChunk - 1) / kPanelsPerChunk;
    const int team = library ? 1
                             : static_cast<int>(std::max<int64_t>(
                                   1, std::min<int64_t>({threads,
                                                         step_macs / kMinMacsPerThreadAndStep,
                                                         team_chunks})));
    return r.Run(team, threads);
  }

  absl::Status Run(int team_threads, int threads) const {
    std::vector<absl::Status> status(team_threads);
    // One range per thread asked for; when the OpenMP runtime gives a
    // smaller team, the ranges nobody resets stay empty.
    TeamChunks gate_chunks(team_threads), cand_chunks(team_threads);
    ParallelTeam(team_threads, [&](int me, int team) {
      if (hoisted) {
        status[me] = HoistedSteps(me, team, threads);
      } else {
        DirectSteps(me, team, threads, &gate_chunks, &cand_chunks);
      }
    });
    for (absl::Status& s : status) RETURN_IF_ERROR(s);
    return absl::OkStatus();
  }
};

}  // namespace

absl::Status FusedGruSequenceKernel::OutputShapes(absl::Span<const Tensor* const> inputs,
                                                  std::vector<TensorShape>* shapes) const {
  const GruWeightInputs w = weights_.Inputs(inputs.subspan(steps_ + 1));
  RETURN_IF_ERROR(CheckGruInputShapes(inputs.subspan(0, steps_), *inputs[steps_],
                                      weights_.Shapes(w), input_size_, units_));
  shapes->assign(steps_, TensorShape({inputs[steps_]->dim(0), units_}));
  return absl::OkStatus();
}

absl::Status FusedGruSequenceKernel::Compute(KernelContext& ctx) const {
  std::vector<const Tensor*> inputs(steps_ + 1 + weights_.num_inputs());
  for (size_t i = 0; i < inputs.size(); ++i) inputs[i] = &ctx.input(static_cast<int>(i));
  const absl::Span<const Tensor* const> all(inputs);
  const GruWeightInputs weights = weights_.Inputs(all.subspan(steps_ + 1));
  RETURN_IF_ERROR(CheckGruInputShapes(all.subspan(0, steps_), *inputs[steps_],
                                      weights_.Shapes(weights), input_size_, units_));
  Recurrence r{};  // Every member zero until set: RunRows copies them all.
  r.steps = steps_;
  r.batch = ctx.input(steps_).dim(0);
  r.in = input_size_;
  r.units = units_;
  r.h_out.assign(steps_, nullptr);
  for (int t = 0; t < steps_; ++t) {
    if (t < static_cast<int>(unused_.size()) && unused_[t]) continue;
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(t));
    r.h_out[t] = out->data<float>();
  }
  if (r.batch == 0) return absl::OkStatus();
  const int threads = ctx.device().numThreads();
  r.b_ru = weights.b_ru->data<float>();
  r.b_c = weights.b_c->data<float>();
  r.h0 = ctx.input(steps_).data<float>();
  for (int t = 0; t < steps_; ++t) r.xs.push_back(ctx.input(t).data<float>());
  r.ld_ru = PaddedLeadingDim(2 * r.units);
  r.ld_c = PaddedLeadingDim(r.units);
  const int slices = GruRowSlices(r.batch, r.in, r.units, r.steps, threads);
  // Every slice runs as the largest would (at most one row more than the
  // others), so only one form of the weights is needed.
  const bool library = (r.batch + slices - 1) / slices >= kMinRowsForLibraryGemm;
  if (library) {
    // The weights are read T times: worth a padded copy even when they are
    // fed or computed.
    ASSIGN_OR_RETURN(r.w, weights_.Get(weights, GruWeightCache::CopyForCall::kAlways));
  } else {
    ASSIGN_OR_RETURN(std::optional<GruPackedWeights> packed,
                     weights_.GetPacked(weights, /*pack_if_not_kept=*/true));
    r.packed = *std::move(packed);
  }
  if (slices == 1) return r.RunRows(0, r.batch, library, threads);
  return ParallelSlices(slices, [&](int me, int team) {
    return r.RunRows(r.batch * me / team, r.batch * (me + 1) / team, library, 1);
  });
}

}  // namespace rill
