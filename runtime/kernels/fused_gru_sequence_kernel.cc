#include "runtime/kernels/fused_gru_sequence_kernel.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/gru_math.h"

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
  const float* w_ru = ctx.input(steps_ + 1).data<float>();
  const float* b_ru = ctx.input(steps_ + 2).data<float>();
  const float* w_c = ctx.input(steps_ + 3).data<float>();
  const float* b_c = ctx.input(steps_ + 4).data<float>();
  std::vector<float*> h_out(steps_);
  for (int t = 0; t < steps_; ++t) {
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(t));
    h_out[t] = out->data<float>();
  }
  if (batch == 0) return absl::OkStatus();
  const int threads = ctx.device().numThreads();

  // The projections of a chunk of steps at a time bound the scratch memory
  // (kChunkBytes) while keeping the hoisted GEMMs large.
  constexpr int64_t kChunkBytes = int64_t{16} << 20;
  const int64_t per_step = batch * (in + 3 * units) * static_cast<int64_t>(sizeof(float));
  const int chunk = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(steps_, kChunkBytes / per_step)));
  // Scratch: X [C*B, I], P_ru [C*B, 2H], P_c [C*B, H], r⊙h [B, H].
  const int64_t chunk_rows = batch * chunk;
  std::vector<float> scratch(chunk_rows * (in + 3 * units) + batch * units);
  float* x_all = scratch.data();
  float* p_ru = x_all + chunk_rows * in;
  float* p_c = p_ru + chunk_rows * 2 * units;
  float* rh = p_c + chunk_rows * units;

  const float* w_ru_h = w_ru + in * 2 * units;
  const float* w_c_h = w_c + in * units;
  const float* h = ctx.input(steps_).data<float>();
  SgemmArgs g;
  g.max_threads = threads;
  for (int first = 0; first < steps_; first += chunk) {
    const int count = std::min(chunk, steps_ - first);
    for (int t = 0; t < count; ++t) {
      std::memcpy(x_all + t * batch * in, ctx.input(first + t).data<float>(),
                  batch * in * sizeof(float));
    }
    // P_ru = X · W_ru[:I], P_c = X · W_c[:I] (the first I rows of each kernel).
    g.m = batch * count;
    g.k = in;
    g.a = x_all;
    g.lda = in;
    g.beta = 0.0f;
    g.n = 2 * units;
    g.b = w_ru;
    g.ldb = 2 * units;
    g.c = p_ru;
    g.ldc = 2 * units;
    RETURN_IF_ERROR(Sgemm(g));
    g.n = units;
    g.b = w_c;
    g.ldb = units;
    g.c = p_c;
    g.ldc = units;
    RETURN_IF_ERROR(Sgemm(g));

    for (int t = 0; t < count; ++t) {
      float* gates = p_ru + t * batch * 2 * units;
      float* cand = p_c + t * batch * units;
      // gates += h · W_ru[I:]
      g.m = batch;
      g.k = units;
      g.a = h;
      g.lda = units;
      g.n = 2 * units;
      g.b = w_ru_h;
      g.ldb = 2 * units;
      g.beta = 1.0f;
      g.c = gates;
      g.ldc = 2 * units;
      RETURN_IF_ERROR(Sgemm(g));
      gru_math::GatesAndResetState(gates, b_ru, h, rh, units, batch, units);
      // cand += (r ⊙ h) · W_c[I:]
      g.a = rh;
      g.n = units;
      g.b = w_c_h;
      g.ldb = units;
      g.c = cand;
      g.ldc = units;
      RETURN_IF_ERROR(Sgemm(g));
      float* next = h_out[first + t];
      gru_math::NewState(gates, cand, b_c, h, next, batch, units);
      h = next;
    }
  }
  return absl::OkStatus();
}

}  // namespace rill
