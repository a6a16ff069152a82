#include "graph/tensor_shape.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rill {

void TensorShape::Assign(absl::Span<const int64_t> dims) {
  rank_ = static_cast<int>(dims.size());
  if (rank_ <= kInlineRank) {
    std::copy(dims.begin(), dims.end(), inline_dims_.begin());
  } else {
    heap_dims_.assign(dims.begin(), dims.end());
  }
}

void TensorShape::AddDim(int64_t size) {
  if (rank_ < kInlineRank) {
    inline_dims_[rank_++] = size;
    return;
  }
  if (rank_ == kInlineRank) heap_dims_.assign(inline_dims_.begin(), inline_dims_.end());
  heap_dims_.push_back(size);
  ++rank_;
}

TensorShape TensorShape::Unknown() {
  TensorShape s;
  s.unknown_rank_ = true;
  return s;
}

TensorShape TensorShape::UnknownOfRank(int rank) {
  return TensorShape(std::vector<int64_t>(rank, kUnknownDim));
}

absl::StatusOr<TensorShape> TensorShape::FromProto(const pb::TensorShapeProto& proto) {
  if (proto.unknown_rank()) {
    if (proto.dim_size() > 0) {
      return absl::InvalidArgumentError(
          "A shape with unknown_rank set must not list dimensions");
    }
    return Unknown();
  }
  if (proto.dim_size() > kMaxRank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Shape has rank ", proto.dim_size(), ", more than the maximum ", kMaxRank));
  }
  std::vector<int64_t> dims;
  dims.reserve(proto.dim_size());
  for (const auto& d : proto.dim()) {
    if (d.size() < -1) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shape has a negative dimension ", d.size()));
    }
    dims.push_back(d.size());
  }
  // Like TensorFlow, the product of the known dimensions must fit in int64,
  // even when some dimension is unknown: no such tensor can ever exist.
  std::vector<int64_t> known;
  for (int64_t d : dims) {
    if (d >= 0) known.push_back(d);
  }
  if (!CheckedNumElements(known).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Shape ", TensorShape(std::move(dims)).ToString(),
        " is too large: its element count does not fit in int64"));
  }
  return TensorShape(std::move(dims));
}

void TensorShape::ToProto(pb::TensorShapeProto* proto) const {
  proto->Clear();
  if (unknown_rank_) {
    proto->set_unknown_rank(true);
    return;
  }
  for (int64_t d : dims()) proto->add_dim()->set_size(d);
}

bool TensorShape::IsFullyDefined() const {
  if (unknown_rank_) return false;
  for (int64_t d : dims()) {
    if (d < 0) return false;
  }
  return true;
}

absl::StatusOr<int64_t> CheckedNumElements(absl::Span<const int64_t> dims) {
  bool has_zero = false;
  for (int64_t d : dims) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Expected a fully defined shape but got dimension ", d));
    }
    has_zero |= d == 0;
  }
  if (has_zero) return 0;  // Never an overflow, however large the other dims.
  int64_t n = 1;
  for (int64_t d : dims) {
    if (n > std::numeric_limits<int64_t>::max() / d) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Shape [", absl::StrJoin(dims, ","), "] has more elements than fit in int64"));
    }
    n *= d;
  }
  return n;
}

absl::StatusOr<int64_t> TensorShape::NumElements() const {
  if (unknown_rank_) {
    return absl::InvalidArgumentError("Shape <unknown> is not fully defined");
  }
  return CheckedNumElements(dims());
}

int64_t TensorShape::num_elements_or_unknown() const {
  // Called for every output the executor allocates: one pass, no StatusOr.
  if (unknown_rank_) return -1;
  int64_t n = 1;
  bool overflow = false;
  for (int64_t d : dims()) {
    if (d < 0) return -1;
    overflow |= __builtin_mul_overflow(n, d, &n);
  }
  if (!overflow) return n;
  // Wrapped: the true product is either too large or, with a zero dim, zero.
  absl::StatusOr<int64_t> checked = CheckedNumElements(dims());
  return checked.ok() ? *checked : -1;
}

bool TensorShape::IsCompatibleWith(const TensorShape& other) const {
  if (unknown_rank_ || other.unknown_rank_) return true;
  if (rank() != other.rank()) return false;
  for (int i = 0; i < rank(); ++i) {
    if (dim(i) >= 0 && other.dim(i) >= 0 && dim(i) != other.dim(i)) return false;
  }
  return true;
}

absl::StatusOr<TensorShape> TensorShape::Merge(const TensorShape& other) const {
  if (unknown_rank_) return other;
  if (other.unknown_rank_) return *this;
  if (rank() != other.rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shapes must be equal rank, but are ", rank(), " and ",
                     other.rank(), ". Shapes are ", ToString(), " and ",
                     other.ToString(), "."));
  }
  TensorShape out = *this;
  for (int i = 0; i < rank(); ++i) {
    int64_t a = dim(i), b = other.dim(i);
    if (a >= 0 && b >= 0 && a != b) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Dimension ", i, " in both shapes must be equal, but are ", a, " and ",
          b, ". Shapes are ", ToString(), " and ", other.ToString(), "."));
    }
    out.set_dim(i, a >= 0 ? a : b);
  }
  return out;
}

std::string TensorShape::ToString() const {
  if (unknown_rank_) return "<unknown>";
  return absl::StrCat(
      "[",
      absl::StrJoin(dims(), ",",
                    [](std::string* out, int64_t d) {
                      absl::StrAppend(out, d < 0 ? std::string("?") : absl::StrCat(d));
                    }),
      "]");
}

std::string TensorShape::ToPythonString() const {
  if (unknown_rank_) return "<unknown>";
  std::string body = absl::StrJoin(dims(), ", ", [](std::string* out, int64_t d) {
    absl::StrAppend(out, d < 0 ? std::string("?") : absl::StrCat(d));
  });
  if (rank_ == 1) body += ",";
  return absl::StrCat("(", body, ")");
}

}  // namespace rill
