#include "runtime/kernels/gru_weights.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "graph/consumed_memory.h"
#include "graph/status_macros.h"

namespace rill {

absl::StatusOr<float*> GruScratch(int64_t floats) {
  // A tensor buffer: 64-byte aligned (the kernels pad their rows to whole
  // cache lines, which only helps if row 0 starts on one).
  thread_local Tensor buffer;
  if (buffer.num_elements() < floats) {
    buffer = Tensor();  // Release first: the peak is one buffer, not two.
    ASSIGN_OR_RETURN(buffer, Tensor::Allocate(DT_FLOAT, TensorShape({floats})));
  }
  return buffer.data<float>();
}

namespace {

absl::StatusOr<GruPackedWeights> PackWeights(const Tensor& w_ru, const Tensor& w_c) {
  const int64_t rows = w_c.dim(0), units = w_c.dim(1);
  const float* ru = w_ru.data<float>();
  GruPackedWeights packed;
  ASSIGN_OR_RETURN(packed.r, PackedMatrix::Pack(ru, 2 * units, rows, units));
  ASSIGN_OR_RETURN(packed.u, PackedMatrix::Pack(ru + units, 2 * units, rows, units));
  ASSIGN_OR_RETURN(packed.c, PackedMatrix::Pack(w_c.data<float>(), units, rows, units));
  return packed;
}

// Restorers for released Const weights (Graph::DeriveAndReleaseConstValue):
// the dense matrix again from a form a kernel keeps. Each holds that form.
// They are made before the derivation consumes anything: making one
// allocates, and an exception after the value's memory is gone would leave
// a zeroed value behind.
ConstRestorer FromPaddedCopy(std::shared_ptr<const GemmOperand> copy,
                                            TensorShape shape) {
  return [copy = std::move(copy), shape = std::move(shape)]() -> absl::StatusOr<Tensor> {
    ASSIGN_OR_RETURN(Tensor dense, Tensor::Allocate(DT_FLOAT, shape));
    const int64_t rows = shape.dim(0), cols = shape.dim(1);
    float* out = dense.data<float>();
    for (int64_t i = 0; cols > 0 && i < rows; ++i) {
      std::memcpy(out + i * cols, copy->data + i * copy->ld, cols * sizeof(float));
    }
    return dense;
  };
}

// The matrix whose columns are `parts`' side by side (W_ru = [r | u]),
// from panels that share their storage with the kernel's.
ConstRestorer FromPanels(std::vector<PackedMatrix> parts, TensorShape shape) {
  return [parts = std::move(parts), shape = std::move(shape)]() -> absl::StatusOr<Tensor> {
    ASSIGN_OR_RETURN(Tensor dense, Tensor::Allocate(DT_FLOAT, shape));
    const int64_t cols = shape.dim(1);
    int64_t first = 0;
    for (const PackedMatrix& part : parts) {
      part.Unpack(dense.data<float>() + first, cols);
      first += part.cols();
    }
    return dense;
  };
}

// Packs the columns of `w` cut into parts.size() equal parts (W_ru into r
// and u, W_c whole) into `parts`, every part from each block of rows before
// the block is consumed (with `consume`, graph/consumed_memory.h). The
// panels and the restorer (which shares them) are made first: on error
// nothing is consumed.
absl::StatusOr<ConstRestorer> PackColumnParts(
    const Tensor& w, bool consume, const std::vector<PackedMatrix*>& parts) {
  const int64_t rows = w.dim(0), cols = w.dim(1);
  const int64_t part_cols = cols / static_cast<int64_t>(parts.size());
  std::vector<PackedMatrix> shared;
  for (PackedMatrix* part : parts) {
    ASSIGN_OR_RETURN(*part, PackedMatrix::Allocate(rows, part_cols));
    shared.push_back(*part);
  }
  ConstRestorer restore = FromPanels(std::move(shared), w.shape());
  const float* src = w.data<float>();
  const int64_t row_bytes = cols * sizeof(float);
  ConsumedMemory consumed(src, w.TotalBytes(), consume);
  const int64_t block = ConsumeBlockRows(row_bytes);
  for (int64_t r0 = 0; r0 < rows; r0 += block) {
    const int64_t r1 = std::min(rows, r0 + block);
    for (size_t i = 0; i < parts.size(); ++i) {
      parts[i]->PackRows(src + i * part_cols, cols, r0, r1);
    }
    consumed.Read(r1 * row_bytes);
  }
  return restore;
}

}  // namespace

GruWeightInputs GruWeightCache::Inputs(absl::Span<const Tensor* const> inputs) const {
  if (bound()) return {nullptr, inputs[0], nullptr, inputs[1]};
  return {inputs[0], inputs[1], inputs[2], inputs[3]};
}

std::array<const TensorShape*, 4> GruWeightCache::Shapes(const GruWeightInputs& w) const {
  if (bound()) {
    return {&bound_ru_->output_shape(0), &w.b_ru->shape(), &bound_c_->output_shape(0),
            &w.b_c->shape()};
  }
  return {&w.w_ru->shape(), &w.b_ru->shape(), &w.w_c->shape(), &w.b_c->shape()};
}

absl::StatusOr<std::shared_ptr<const GruWeightCache::BoundPadded>>
GruWeightCache::DeriveBoundPadded() const {
  // Each copy consumes its matrix's value as it goes when the Session may
  // release it (DeriveFromConst in derived_weight_store.h).
  auto padded = [this](const Node* node) {
    return DeriveShared<GemmOperand>(
        store_, DerivedKind::kPaddedCopy, std::array<const Tensor*, 0>{},
        [this, node]() -> absl::StatusOr<GemmOperand> {
          auto copy = std::make_shared<GemmOperand>();
          auto derive = [&](const Tensor& dense,
                            bool consume) -> absl::StatusOr<ConstRestorer> {
            ConstRestorer restore = FromPaddedCopy(copy, dense.shape());
            // Fails only while allocating, before anything is consumed.
            ASSIGN_OR_RETURN(*copy, PaddedCopy(dense, consume));
            return restore;
          };
          RETURN_IF_ERROR(DeriveFromConst(store_, node, derive));
          return *copy;
        },
        {&node, 1});
  };
  auto made = std::make_shared<BoundPadded>();
  ASSIGN_OR_RETURN(made->ru, padded(bound_ru_));
  ASSIGN_OR_RETURN(made->c, padded(bound_c_));
  return std::shared_ptr<const BoundPadded>(std::move(made));
}

absl::StatusOr<std::shared_ptr<const GruPackedWeights>> GruWeightCache::DeriveBoundPacked()
    const {
  const Node* const nodes[] = {bound_ru_, bound_c_};
  return DeriveShared<GruPackedWeights>(
      store_, DerivedKind::kGruPacked, std::array<const Tensor*, 0>{},
      [this]() -> absl::StatusOr<GruPackedWeights> {
        GruPackedWeights packed;
        auto derive_ru = [&](const Tensor& w_ru, bool consume) {
          return PackColumnParts(w_ru, consume, {&packed.r, &packed.u});
        };
        auto derive_c = [&](const Tensor& w_c, bool consume) {
          return PackColumnParts(w_c, consume, {&packed.c});
        };
        RETURN_IF_ERROR(DeriveFromConst(store_, bound_ru_, derive_ru));
        RETURN_IF_ERROR(DeriveFromConst(store_, bound_c_, derive_c));
        return packed;
      },
      nodes);
}

absl::StatusOr<GruWeightsView> GruWeightCache::Get(const GruWeightInputs& w,
                                                   CopyForCall copy) const {
  GruWeightsView view;
  if (bound()) {
    ASSIGN_OR_RETURN(const BoundPadded* padded,
                     bound_padded_.Get({}, [this] { return DeriveBoundPadded(); }));
    view.ru.data = padded->ru->data;  // No reference counting on the hot path.
    view.ru.ld = padded->ru->ld;
    view.c.data = padded->c->data;
    view.c.ld = padded->c->ld;
    return view;
  }
  auto copy_matrix = [copy](const Tensor& m) {
    return copy == CopyForCall::kAlways ||
           (copy == CopyForCall::kIfSlowStride && IsSlowStride(m.dim(1)));
  };
  ASSIGN_OR_RETURN(view.ru, ru_.Get(*w.w_ru, copy_matrix(*w.w_ru)));
  ASSIGN_OR_RETURN(view.c, c_.Get(*w.w_c, copy_matrix(*w.w_c)));
  return view;
}

absl::StatusOr<std::optional<GruPackedWeights>> GruWeightCache::GetPacked(
    const GruWeightInputs& w, bool pack_if_not_kept) const {
  if (bound()) {
    ASSIGN_OR_RETURN(const GruPackedWeights* packed,
                     bound_packed_.Get({}, [this] { return DeriveBoundPacked(); }));
    return GruPackedWeights{packed->r.View(), packed->u.View(), packed->c.View()};
  }
  const Tensor& w_ru = *w.w_ru;
  const Tensor& w_c = *w.w_c;
  const std::array<const Tensor*, 2> sources = {&w_ru, &w_c};
  auto shared_pack = [&] {
    return DeriveShared<GruPackedWeights>(store_, DerivedKind::kGruPacked, sources,
                                          [&] { return PackWeights(w_ru, w_c); });
  };
  if (source_ == InputSource::kConstant) {
    ASSIGN_OR_RETURN(const GruPackedWeights* cached, packed_.Get(sources, shared_pack));
    if (cached == nullptr) return PackWeights(w_ru, w_c);
    return GruPackedWeights{cached->r.View(), cached->u.View(), cached->c.View()};
  }
  if (source_ == InputSource::kVariable) {
    ASSIGN_OR_RETURN(std::optional<GruPackedWeights> kept,
                     variable_packed_.Get(sources, shared_pack));
    if (kept.has_value()) return kept;
  }
  if (!pack_if_not_kept) return std::nullopt;
  return PackWeights(w_ru, w_c);
}

}  // namespace rill
