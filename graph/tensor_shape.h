// TensorShape: a possibly partial shape, as in TensorFlow's shape inference.
// A dimension is kUnknownDim (-1) when unknown; the whole rank may be unknown.
//
//   TensorShape s({-1, 3});      // [?,3]
//   s.IsFullyDefined();          // false
//   TensorShape::Unknown();      // <unknown>
//
// A value type: ranks up to 4 are stored inline, so copying such a shape
// (the executor does it for every output it allocates) never touches the heap.
#ifndef RILL_GRAPH_TENSOR_SHAPE_H_
#define RILL_GRAPH_TENSOR_SHAPE_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proto/tensor_shape.pb.h"

namespace rill {

constexpr int64_t kUnknownDim = -1;
// The largest rank rill accepts (TensorFlow's limit is 254; Eigen's is lower).
constexpr int kMaxRank = 32;

class TensorShape {
 public:
  // A scalar (rank 0, known).
  TensorShape() = default;
  explicit TensorShape(absl::Span<const int64_t> dims) { Assign(dims); }
  TensorShape(std::initializer_list<int64_t> dims) { Assign(dims); }
  // Copies touch the heap only above the inline rank.
  TensorShape(const TensorShape& o) : rank_(o.rank_), unknown_rank_(o.unknown_rank_) {
    inline_dims_ = o.inline_dims_;
    if (rank_ > kInlineRank) heap_dims_ = o.heap_dims_;
  }
  TensorShape& operator=(const TensorShape& o) {
    rank_ = o.rank_;
    unknown_rank_ = o.unknown_rank_;
    inline_dims_ = o.inline_dims_;
    if (rank_ > kInlineRank) heap_dims_ = o.heap_dims_;  // Else heap_dims_ is unused.
    return *this;
  }
  // A moved-from shape is a scalar.
  TensorShape(TensorShape&& o) noexcept
      : rank_(o.rank_), unknown_rank_(o.unknown_rank_), heap_dims_(std::move(o.heap_dims_)) {
    inline_dims_ = o.inline_dims_;
    o.rank_ = 0;
    o.unknown_rank_ = false;
  }
  TensorShape& operator=(TensorShape&& o) noexcept {
    if (this == &o) return *this;
    rank_ = o.rank_;
    unknown_rank_ = o.unknown_rank_;
    inline_dims_ = o.inline_dims_;
    if (rank_ > kInlineRank) heap_dims_ = std::move(o.heap_dims_);
    o.rank_ = 0;
    o.unknown_rank_ = false;
    return *this;
  }
  static TensorShape Unknown();
  // A shape of known rank whose every dimension is unknown.
  static TensorShape UnknownOfRank(int rank);

  // Validates a shape proto: dims must be >= -1, rank <= kMaxRank, and the
  // product of the known dims must fit in int64 (InvalidArgument "... is too
  // large").
  static absl::StatusOr<TensorShape> FromProto(const pb::TensorShapeProto& proto);
  void ToProto(pb::TensorShapeProto* proto) const;

  bool unknown_rank() const { return unknown_rank_; }
  // REQUIRES: !unknown_rank().
  int rank() const { return rank_; }
  // REQUIRES: !unknown_rank() and 0 <= i < rank().
  int64_t dim(int i) const { return data()[i]; }
  absl::Span<const int64_t> dims() const { return absl::Span<const int64_t>(data(), rank_); }
  void set_dim(int i, int64_t size) { mutable_data()[i] = size; }
  void AddDim(int64_t size);
  // Back to a scalar (rank 0, known).
  void Clear() {
    rank_ = 0;
    unknown_rank_ = false;
  }

  bool IsFullyDefined() const;
  // Element count of a fully defined shape; InvalidArgument on overflow past
  // int64 (or when not fully defined).
  absl::StatusOr<int64_t> NumElements() const;
  // Like NumElements without a Status (the executor calls it per output):
  // -1 when not fully defined or when the count overflows int64.
  int64_t num_elements_or_unknown() const;

  // True if some fully-defined shape matches both.
  bool IsCompatibleWith(const TensorShape& other) const;
  // The most specific shape compatible with both, or InvalidArgument.
  absl::StatusOr<TensorShape> Merge(const TensorShape& other) const;

  // "[?,3]", "[]", "<unknown>" (TensorFlow's DebugString style).
  std::string ToString() const;
  // Python's str(TensorShape): "(?, 3)", "()", "<unknown>", "(2,)".
  std::string ToPythonString() const;

  bool operator==(const TensorShape& o) const {
    return unknown_rank_ == o.unknown_rank_ && dims() == o.dims();
  }
  bool operator!=(const TensorShape& o) const { return !(*this == o); }

 private:
  static constexpr int kInlineRank = 4;
  const int64_t* data() const {
    return rank_ <= kInlineRank ? inline_dims_.data() : heap_dims_.data();
  }
  int64_t* mutable_data() {
    return rank_ <= kInlineRank ? inline_dims_.data() : heap_dims_.data();
  }
  void Assign(absl::Span<const int64_t> dims);

  int rank_ = 0;
  bool unknown_rank_ = false;
  std::array<int64_t, kInlineRank> inline_dims_ = {};
  std::vector<int64_t> heap_dims_;  // All the dims when rank_ > kInlineRank.
  // (Below it, heap_dims_ may hold stale dims, never read.)
};

// Multiplies dims checking for int64 overflow; InvalidArgument on overflow or
// a negative dim.
absl::StatusOr<int64_t> CheckedNumElements(absl::Span<const int64_t> dims);

}  // namespace rill

#endif  // RILL_GRAPH_TENSOR_SHAPE_H_
