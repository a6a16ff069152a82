#include "runtime/kernels/fused_gru_sequence_kernel.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/gru_math.h"
#include "runtime/kernels/gru_weights.h"

namespace rill {
absl::Status FusedGruSequenceKernel::OutputShapes(absl::Span<const Tensor* const> inputs,
                                                  std::vector<TensorShape>* shapes) const {
  RETURN_IF_ERROR(CheckGruInputShapes(inputs.subspan(0, steps_), *inputs[steps_],
                                      inputs.subspan(steps_ + 1, 4), input_size_, units_));
  shapes->assign(steps_, TensorShape({inputs[steps_]->dim(0), units_}));
  return absl::OkStatus();
}

absl::Status FusedGruSequenceKernel::Compute(KernelContext& ctx) const {
  std::vector<const Tensor*> inputs(steps_ + 5);
  for (int i = 0; i < steps_ + 5; ++i) inputs[i] = &ctx.input(i);
  const absl::Span<const Tensor* const> all(inputs);
  RETURN_IF_ERROR(CheckGruInputShapes(all.subspan(0, steps_), *inputs[steps_],
                                      all.subspan(steps_ + 1, 4), input_size_, units_));
  const int64_t batch = ctx.input(steps_).dim(0), in = input_size_, units = units_;
  const float* b_ru = ctx.input(steps_ + 2).data<float>();
  const float* b_c = ctx.input(steps_ + 4).data<float>();
  std::vector<float*> h_out(steps_, nullptr);
  for (int t = 0; t < steps_; ++t) {
    if (t < static_cast<int>(unused_.size()) && unused_[t]) continue;
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(t));
    h_out[t] = out->data<float>();
  }
  if (batch == 0) return absl::OkStatus();
  const int threads = ctx.device().numThreads();
  // The weights are read T times: worth a padded copy even when they are
  // variables.
  ASSIGN_OR_RETURN(const GruWeightsView w,
                   weights_.Get(ctx.input(steps_ + 1), ctx.input(steps_ + 3), /*copy=*/true));

  // Scratch rows at padded strides (see gru_weights.h): X [C*B, I],
  // P_ru [C*B, 2H], P_c [C*B, H], r⊙h [B, H]. The projections of a chunk of
  // C steps at a time bound the scratch (kChunkBytes) while keeping the
  // hoisted GEMMs large.
  const int64_t ld_x = PaddedLeadingDim(in), ld_ru = PaddedLeadingDim(2 * units),
                ld_c = PaddedLeadingDim(units);
  constexpr int64_t kChunkBytes = int64_t{16} << 20;
  const int64_t per_step = batch * (ld_x + ld_ru + ld_c) * static_cast<int64_t>(sizeof(float));
  const int chunk = static_cast<int>(
      std::max<int64_t>(1, std::min<int64_t>(steps_, kChunkBytes / per_step)));
  const int64_t chunk_rows = batch * chunk;
  float* x_all = GruScratch(chunk_rows * (ld_x + ld_ru + ld_c) + batch * (ld_c + 2 * units));
  float* p_ru = x_all + chunk_rows * ld_x;
  float* p_c = p_ru + chunk_rows * ld_ru;
  float* rh = p_c + chunk_rows * ld_c;
  // Unused states alternate between two scratch buffers.
  float* spare[2] = {rh + batch * ld_c, rh + batch * ld_c + batch * units};
  for (int t = 0; t < steps_; ++t) {
    if (h_out[t] == nullptr) h_out[t] = spare[t % 2];
  }

  const float* w_ru_h = w.ru.data + in * w.ru.ld;
  const float* w_c_h = w.c.data + in * w.c.ld;
  const float* h = ctx.input(steps_).data<float>();
  SgemmArgs g;
  g.max_threads = threads;
  for (int first = 0; first < steps_; first += chunk) {
    const int count = std::min(chunk, steps_ - first);
    for (int t = 0; t < count; ++t) {
      const float* x = ctx.input(first + t).data<float>();
      for (int64_t b = 0; b < batch; ++b) {
        std::memcpy(x_all + (t * batch + b) * ld_x, x + b * in, in * sizeof(float));
      }
    }
    // P_ru = X · W_ru[:I], P_c = X · W_c[:I] (the first I rows of each kernel).
    g.m = batch * count;
    g.k = in;
    g.a = x_all;
    g.lda = ld_x;
    g.beta = 0.0f;
    g.n = 2 * units;
    g.b = w.ru.data;
    g.ldb = w.ru.ld;
    g.c = p_ru;
    g.ldc = ld_ru;
    RETURN_IF_ERROR(Sgemm(g));
    g.n = units;
    g.b = w.c.data;
    g.ldb = w.c.ld;
    g.c = p_c;
    g.ldc = ld_c;
    RETURN_IF_ERROR(Sgemm(g));

    for (int t = 0; t < count; ++t) {
      float* gates = p_ru + t * batch * ld_ru;
      float* cand = p_c + t * batch * ld_c;
      // gates += h · W_ru[I:]
      g.m = batch;
      g.k = units;
      g.a = h;
      g.lda = units;
      g.n = 2 * units;
      g.b = w_ru_h;
      g.ldb = w.ru.ld;
      g.beta = 1.0f;
      g.c = gates;
      g.ldc = ld_ru;
      RETURN_IF_ERROR(Sgemm(g));
      gru_math::GatesAndResetState(gates, ld_ru, b_ru, h, rh, ld_c, batch, units, threads);
      // cand += (r ⊙ h) · W_c[I:]
      g.a = rh;
      g.lda = ld_c;
      g.n = units;
      g.b = w_c_h;
      g.ldb = w.c.ld;
      g.c = cand;
      g.ldc = ld_c;
      RETURN_IF_ERROR(Sgemm(g));
      float* next = h_out[first + t];
      gru_math::NewState(gates, ld_ru, cand, ld_c, b_c, h, next, batch, units, threads);
      h = next;
    }
  }
  return absl::OkStatus();
}

}  // namespace rill
