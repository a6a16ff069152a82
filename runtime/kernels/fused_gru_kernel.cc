#include "runtime/kernels/fused_gru_kernel.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/gru_math.h"
#include "runtime/kernels/gru_weights.h"

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

}  // namespace

absl::Status CheckGruInputShapes(absl::Span<const Tensor* const> xs, const Tensor& h,
                                 absl::Span<const Tensor* const> weights, int64_t input_size,
                                 int64_t units) {
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
    if (!HasShape(weights[i]->shape(), want_rows[i], want_cols[i])) {
      const TensorShape want = want_cols[i] < 0 ? TensorShape({want_rows[i]})
                                                : TensorShape({want_rows[i], want_cols[i]});
      return absl::InvalidArgumentError(absl::StrCat("GRU cell: the ", names[i], " has shape ",
                                                     weights[i]->shape().ToString(),
                                                     ", expected ", want.ToString()));
    }
  }
  return absl::OkStatus();
}

absl::Status FusedGruKernel::OutputShapes(absl::Span<const Tensor* const> inputs,
                                          std::vector<TensorShape>* shapes) const {
  RETURN_IF_ERROR(
      CheckGruInputShapes(inputs.subspan(0, 1), *inputs[1], inputs.subspan(2, 4), input_size_,
                          units_));
  shapes->assign(1, TensorShape({inputs[0]->dim(0), units_}));
  return absl::OkStatus();
}

absl::Status FusedGruKernel::Compute(KernelContext& ctx) const {
  const Tensor* const inputs[] = {&ctx.input(0), &ctx.input(1), &ctx.input(2),
                                  &ctx.input(3), &ctx.input(4), &ctx.input(5)};
  RETURN_IF_ERROR(CheckGruInputShapes(absl::MakeConstSpan(inputs, 1), *inputs[1],
                                      absl::MakeConstSpan(inputs + 2, 4), input_size_, units_));
  const Tensor& x = ctx.input(0);
  const Tensor& h = ctx.input(1);
  const float* b_ru = ctx.input(3).data<float>();
  const float* b_c = ctx.input(5).data<float>();
  ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
  const int64_t batch = x.dim(0), in = input_size_, units = units_, rows = in + units;
  if (batch == 0) return absl::OkStatus();
  const int threads = ctx.device().numThreads();

  // xh = [x, h] (later [x, r ⊙ h]), gates = [r, u], cand: scratch rows at
  // padded strides (see gru_weights.h).
  const int64_t ld_xh = PaddedLeadingDim(rows), ld_gates = PaddedLeadingDim(2 * units),
                ld_cand = PaddedLeadingDim(units);
  ASSIGN_OR_RETURN(float* xh, GruScratch(batch * (ld_xh + ld_gates + ld_cand)));
  float* gates = xh + batch * ld_xh;
  float* cand = gates + batch * ld_gates;
  const float* xp = x.data<float>();
  const float* hp = h.data<float>();
  for (int64_t b = 0; b < batch; ++b) {
    std::memcpy(xh + b * ld_xh, xp + b * in, in * sizeof(float));
    std::memcpy(xh + b * ld_xh + in, hp + b * units, units * sizeof(float));
  }

  std::optional<GruPackedWeights> packed_w;
  if (weights_.keeps_copies() && batch < kMaxRowsForPackedStep) {
    ASSIGN_OR_RETURN(packed_w,
                     weights_.GetPacked(ctx.input(2), ctx.input(4), /*pack_if_not_kept=*/false));
  }
  const bool packed = packed_w.has_value();
  GruWeightsView w;
  if (!packed) {
    // Kept padded copies, else (fed or computed weights, a variable's new
    // value) copies of those at a slow stride for this step when enough
    // rows pay for a copy (gemm.h CopyPaysForOneCall), else the weights in
    // place.
    ASSIGN_OR_RETURN(w, weights_.Get(ctx.input(2), ctx.input(4),
                                     CopyPaysForOneCall(batch, threads)
                                         ? GruWeightCache::CopyForCall::kIfSlowStride
                                         : GruWeightCache::CopyForCall::kNever));
  }

  if (packed) {
    const int64_t panels = packed_w->c.panels();
    PackedGemm(batch, xh, ld_xh, packed_w->r, 0, rows, 0, panels, /*accumulate=*/false, gates,
               ld_gates);
    PackedGemm(batch, xh, ld_xh, packed_w->u, 0, rows, 0, panels, /*accumulate=*/false,
               gates + units, ld_gates);
  } else {
    RETURN_IF_ERROR(LibraryProduct(batch, rows, xh, ld_xh, w.ru, 0, 0, 2 * units,
                                   /*accumulate=*/false, gates, ld_gates, threads));
  }

  // [x, h] becomes [x, r ⊙ h] in place.
  gru_math::GatesAndResetState(gates, ld_gates, b_ru, hp, xh + in, ld_xh, batch, units,
                               threads);

  if (packed) {
    PackedGemm(batch, xh, ld_xh, packed_w->c, 0, rows, 0, packed_w->c.panels(),
               /*accumulate=*/false, cand, ld_cand);
  } else {
    RETURN_IF_ERROR(LibraryProduct(batch, rows, xh, ld_xh, w.c, 0, 0, units,
                                   /*accumulate=*/false, cand, ld_cand, threads));
  }

  gru_math::NewState(gates, ld_gates, cand, ld_cand, b_c, hp, out->data<float>(), batch, units,
                     threads);
  return absl::OkStatus();
}

}  // namespace rill
