#include "runtime/kernels/fused_gru_kernel.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/gru_math.h"
#include "runtime/kernels/gru_weights.h"
#include "runtime/kernels/parallel_rows.h"

namespace rill {
namespace {

// Below this many rows, a step whose weights' copies are kept (Const or
// variable weights) multiplies by the weights packed once (PackedGemm)
// instead of calling oneDNN's sgemm: at B = 1 the products are GEMVs bound
// by reading the weights from L2, where the packed panels' one contiguous
// stream per pair of panels beats sgemm's per-call setup and strided reads
// (bench/separate_measurements.md).
constexpr int64_t kMaxRowsForPackedStep = 8;

// Whether `shape` is the matrix [rows, cols] (cols < 0: the vector [rows]),
// compared dimension by dimension: this runs on every step, and building
// the expected TensorShapes cost more than the comparisons.
bool HasShape(const TensorShape& shape, int64_t rows, int64_t cols = -1) {
  if (cols < 0) return shape.rank() == 1 && shape.dim(0) == rows;
  return shape.rank() == 2 && shape.dim(0) == rows && shape.dim(1) == cols;
}

// GruRowSlices: rows per slice, measured with paired runs of BM_GruSeq100
// on 2 threads (bench/separate_measurements.md, "Tenth session"): 32×256×256
// took 0.76× the time of the team sharing the units, 64×512×512 0.94×,
// 256×1024×1024 0.93× (two oneDNN products of one thread each instead of
// one of two threads); 16×256×256 as two slices of 8 rows 1.04×.
constexpr int64_t kMinRowsPerSlice = 16;
// And the work below which waking a thread costs more than it saves (as
// for a GEMM, gemm.cc).
constexpr int64_t kMinMacsPerSlice = int64_t{1} << 21;

// Rows [0, batch) of one step: x [B, I] and h [B, H] in, h' [B, H] out,
// rows `in`, `units` and `units` floats apart; products against `packed`
// when set, else `w`, on `threads` threads.
absl::Status StepRows(int64_t batch, int64_t in, int64_t units, const float* xp,
                      const float* hp, const float* b_ru, const float* b_c,
                      const GruPackedWeights* packed, const GruWeightsView& w, float* out,
                      int threads) {
  const int64_t rows = in + units;
  // xh = [x, h] (later [x, r ⊙ h]), gates = [r, u], cand: scratch rows at
  // padded strides (see gru_weights.h).
  const int64_t ld_xh = PaddedLeadingDim(rows), ld_gates = PaddedLeadingDim(2 * units),
                ld_cand = PaddedLeadingDim(units);
  ASSIGN_OR_RETURN(float* xh, GruScratch(batch * (ld_xh + ld_gates + ld_cand)));
  float* gates = xh + batch * ld_xh;
  float* cand = gates + batch * ld_gates;
  for (int64_t b = 0; b < batch; ++b) {
    // An empty x or h may have no buffer: memcpy from null is undefined.
    if (in > 0) std::memcpy(xh + b * ld_xh, xp + b * in, in * sizeof(float));
    if (units > 0) std::memcpy(xh + b * ld_xh + in, hp + b * units, units * sizeof(float));
  }
  if (packed != nullptr) {
    const int64_t panels = packed->c.panels();
    PackedGemm(batch, xh, ld_xh, packed->r, 0, rows, 0, panels, /*accumulate=*/false, gates,
               ld_gates);
    PackedGemm(batch, xh, ld_xh, packed->u, 0, rows, 0, panels, /*accumulate=*/false,
               gates + units, ld_gates);
  } else {
    RETURN_IF_ERROR(LibraryProduct(batch, rows, xh, ld_xh, w.ru, 0, 0, 2 * units,
                                   /*accumulate=*/false, gates, ld_gates, threads));
  }
  // [x, h] becomes [x, r ⊙ h] in place.
  gru_math::GatesAndResetState(gates, ld_gates, b_ru, hp, xh + in, ld_xh, batch, units,
                               threads);
  if (packed != nullptr) {
    PackedGemm(batch, xh, ld_xh, packed->c, 0, rows, 0, packed->c.panels(),
               /*accumulate=*/false, cand, ld_cand);
  } else {
    RETURN_IF_ERROR(LibraryProduct(batch, rows, xh, ld_xh, w.c, 0, 0, units,
                                   /*accumulate=*/false, cand, ld_cand, threads));
  }
  gru_math::NewState(gates, ld_gates, cand, ld_cand, b_c, hp, out, batch, units, threads);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckGruInputShapes(absl::Span<const Tensor* const> xs, const Tensor& h,
                                 absl::Span<const TensorShape* const> weights,
                                 int64_t input_size, int64_t units) {
  const int64_t batch = h.rank() == 2 ? h.dim(0) : -1;
  if (!HasShape(h.shape(), batch, units)) {  // Also when h is not a matrix.
    return absl::InvalidArgumentError(absl::StrCat("GRU cell: the state has shape ",
                                                   h.shape().ToString(), ", expected [B,",
                                                   units, "]"));
  }
  for (size_t t = 0; t < xs.size(); ++t) {
    if (!HasShape(xs[t]->shape(), batch, input_size)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "GRU cell: input ", t, " has shape ", xs[t]->shape().ToString(), ", expected [",
          batch, ",", input_size, "] (the state has batch ", batch, ")"));
    }
  }
  const int64_t rows = input_size + units;
  const int64_t want_rows[] = {rows, 2 * units, rows, units};
  const int64_t want_cols[] = {2 * units, -1, units, -1};
  const char* names[] = {"gates kernel", "gates bias", "candidate kernel", "candidate bias"};
  for (int i = 0; i < 4; ++i) {
    if (!HasShape(*weights[i], want_rows[i], want_cols[i])) {
      const TensorShape want = want_cols[i] < 0 ? TensorShape({want_rows[i]})
                                                : TensorShape({want_rows[i], want_cols[i]});
      return absl::InvalidArgumentError(absl::StrCat("GRU cell: the ", names[i], " has shape ",
                                                     weights[i]->ToString(),
                                                     ", expected ", want.ToString()));
    }
  }
  return absl::OkStatus();
}

int GruRowSlices(int64_t batch, int64_t input_size, int64_t units, int steps, int threads) {
  const int64_t slices = std::min<int64_t>(threads, batch / kMinRowsPerSlice);
  if (slices < 2) return 1;
  // Compared per step: the product with `steps` could overflow.
  const int64_t slice_step_macs = batch / slices * 3 * units * (input_size + units);
  const int64_t run_steps = std::max(1, steps);
  if (slice_step_macs < (kMinMacsPerSlice + run_steps - 1) / run_steps) return 1;
  return static_cast<int>(slices);
}

absl::Status FusedGruKernel::OutputShapes(absl::Span<const Tensor* const> inputs,
                                          std::vector<TensorShape>* shapes) const {
  const GruWeightInputs w = weights_.Inputs(inputs.subspan(2));
  RETURN_IF_ERROR(CheckGruInputShapes(inputs.subspan(0, 1), *inputs[1], weights_.Shapes(w),
                                      input_size_, units_));
  shapes->assign(1, TensorShape({inputs[0]->dim(0), units_}));
  return absl::OkStatus();
}

absl::Status FusedGruKernel::Compute(KernelContext& ctx) const {
  const Tensor* inputs[6];
  for (int i = 0; i < 2 + weights_.num_inputs(); ++i) inputs[i] = &ctx.input(i);
  const GruWeightInputs weights =
      weights_.Inputs(absl::MakeConstSpan(inputs + 2, weights_.num_inputs()));
  RETURN_IF_ERROR(CheckGruInputShapes(absl::MakeConstSpan(inputs, 1), *inputs[1],
                                      weights_.Shapes(weights), input_size_, units_));
  const Tensor& x = ctx.input(0);
  const Tensor& h = ctx.input(1);
  const float* b_ru = weights.b_ru->data<float>();
  const float* b_c = weights.b_c->data<float>();
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
  const int64_t batch = x.dim(0), in = input_size_, units = units_;
  if (batch == 0) return absl::OkStatus();
  const int threads = ctx.device().numThreads();
  const int slices = GruRowSlices(batch, in, units, /*steps=*/1, threads);

  std::optional<GruPackedWeights> packed_w;
  if (weights_.keeps_copies() && batch < kMaxRowsForPackedStep) {
    ASSIGN_OR_RETURN(packed_w, weights_.GetPacked(weights, /*pack_if_not_kept=*/false));
  }
  GruWeightsView w;
  if (!packed_w.has_value()) {
    // Kept padded copies, else (fed or computed weights, a variable's new
    // value) copies of those at a slow stride for this step when enough
    // rows pay for a copy (gemm.h CopyPaysForOneCall), else the weights in
    // place.
    ASSIGN_OR_RETURN(w, weights_.Get(weights, CopyPaysForOneCall(batch, threads)
                                         ? GruWeightCache::CopyForCall::kIfSlowStride
                                         : GruWeightCache::CopyForCall::kNever));
  }
  const GruPackedWeights* packed = packed_w.has_value() ? &*packed_w : nullptr;
  const float* xp = x.data<float>();
  const float* hp = h.data<float>();
  float* hn = out->data<float>();
  if (slices == 1) return StepRows(batch, in, units, xp, hp, b_ru, b_c, packed, w, hn, threads);
  return ParallelSlices(slices, [&](int me, int team) {
    const int64_t r0 = batch * me / team, r1 = batch * (me + 1) / team;
    return StepRows(r1 - r0, in, units, xp + r0 * in, hp + r0 * units, b_ru, b_c, packed, w,
                    hn + r0 * units, /*threads=*/1);
  });
}

}  // namespace rill
