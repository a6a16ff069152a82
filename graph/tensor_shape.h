// TensorShape: a possibly partial shape, as in TensorFlow's shape inference.
// A dimension is kUnknownDim (-1) when unknown; the whole rank may be unknown.
//
//   TensorShape s({-1, 3});      // [?,3]
//   s.IsFullyDefined();          // false
//   TensorShape::Unknown();      // <unknown>
//
// A value type; cheap to copy for the small ranks used in practice.
#ifndef RILL_GRAPH_TENSOR_SHAPE_H_
#define RILL_GRAPH_TENSOR_SHAPE_H_

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
  explicit TensorShape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  TensorShape(std::initializer_list<int64_t> dims) : dims_(dims) {}
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
  int rank() const { return static_cast<int>(dims_.size()); }
  // REQUIRES: !unknown_rank() and 0 <= i < rank().
  int64_t dim(int i) const { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  void set_dim(int i, int64_t size) { dims_[i] = size; }
  void AddDim(int64_t size) { dims_.push_back(size); }

  bool IsFullyDefined() const;
  // Element count of a fully defined shape; InvalidArgument on overflow past
  // int64 (or when not fully defined).
  absl::StatusOr<int64_t> NumElements() const;
  // Like NumElements but for shapes known to be valid (overflow already
  // checked); -1 when not fully defined.
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
    return unknown_rank_ == o.unknown_rank_ && dims_ == o.dims_;
  }
  bool operator!=(const TensorShape& o) const { return !(*this == o); }

 private:
  std::vector<int64_t> dims_;
  bool unknown_rank_ = false;
};

// Multiplies dims checking for int64 overflow; InvalidArgument on overflow or
// a negative dim.
absl::StatusOr<int64_t> CheckedNumElements(absl::Span<const int64_t> dims);

}  // namespace rill

#endif  // RILL_GRAPH_TENSOR_SHAPE_H_
