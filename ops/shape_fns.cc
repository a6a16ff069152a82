#include "ops/shape_fns.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/status_macros.h"

namespace rill {
namespace shape_fns {
namespace {

// Reads a scalar int input (axis, split_dim) if its value is known.
absl::StatusOr<std::optional<int64_t>> KnownScalar(InferenceContext& c, int input) {
  const Tensor* t = c.input_tensor(input);
  if (t == nullptr) return std::optional<int64_t>();
  if (t->rank() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Expected a scalar for input ", input, " but got shape ",
                     t->shape().ToString()));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> v, InferenceContext::TensorToInt64s(*t));
  return std::optional<int64_t>(v[0]);
}

// Normalizes a possibly negative axis into [0, rank).
absl::StatusOr<int> CanonicalAxis(int64_t axis, int rank, const char* what) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat("Expected ", what, " in the range [",
                                                   -rank, ", ", rank, "), but got ", axis));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace

absl::Status Unchanged(InferenceContext& c) {
  c.set_output(0, c.input(0));
  return absl::OkStatus();
}

absl::Status NoOutputs(InferenceContext&) { return absl::OkStatus(); }

absl::Status Scalar(InferenceContext& c) {
  c.set_output(0, TensorShape());
  return absl::OkStatus();
}

absl::Status Placeholder(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape shape, GetShapeAttr(c.attrs(), "shape"));
  if (c.graph_def_version() <= 21 && !shape.unknown_rank() && shape.rank() == 0) {
    shape = TensorShape::Unknown();
  }
  c.set_output(0, shape);
  return absl::OkStatus();
}

absl::Status PlaceholderWithDefault(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape shape, GetShapeAttr(c.attrs(), "shape"));
  if (!c.input(0).IsCompatibleWith(shape)) {
    return absl::InvalidArgumentError(
        absl::StrCat("PlaceholderWithDefault: input shape ", c.input(0).ToString(),
                     " is not compatible with the shape attr ", shape.ToString()));
  }
  c.set_output(0, shape);
  return absl::OkStatus();
}

absl::Status Const(InferenceContext& c) {
  auto it = c.attrs().find("value");
  if (it == c.attrs().end() || !it->second.has_tensor()) {
    return absl::InvalidArgumentError("Const has no tensor 'value' attr");
  }
  const pb::TensorProto& proto = it->second.tensor();
  ASSIGN_OR_RETURN(DataType dtype, GetTypeAttr(c.attrs(), "dtype"));
  if (proto.dtype() != dtype) {
    return absl::InvalidArgumentError(
        absl::StrCat("Type mismatch between value (", DataTypeString(proto.dtype()),
                     ") and dtype (", DataTypeString(dtype), ")"));
  }
  ASSIGN_OR_RETURN(TensorShape shape, TensorShape::FromProto(proto.tensor_shape()));
  c.set_output(0, shape);
  return absl::OkStatus();
}

absl::Status MatMul(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape a, c.WithRank(c.input(0), 2));
  ASSIGN_OR_RETURN(TensorShape b, c.WithRank(c.input(1), 2));
  ASSIGN_OR_RETURN(bool ta, GetBoolAttr(c.attrs(), "transpose_a"));
  ASSIGN_OR_RETURN(bool tb, GetBoolAttr(c.attrs(), "transpose_b"));
  const int64_t out_rows = ta ? a.dim(1) : a.dim(0);
  const int64_t out_cols = tb ? b.dim(0) : b.dim(1);
  RETURN_IF_ERROR(c.MergeDim(ta ? a.dim(0) : a.dim(1), tb ? b.dim(1) : b.dim(0)).status());
  c.set_output(0, TensorShape({out_rows, out_cols}));
  return absl::OkStatus();
}

absl::Status BiasAdd(InferenceContext& c) {
  ASSIGN_OR_RETURN(std::string format, GetStringAttr(c.attrs(), "data_format"));
  ASSIGN_OR_RETURN(TensorShape bias, c.WithRank(c.input(1), 1));
  const bool nchw = format == "NCHW";
  ASSIGN_OR_RETURN(TensorShape value, c.WithRankAtLeast(c.input(0), nchw ? 3 : 2));
  if (value.unknown_rank()) {
    c.set_output(0, value);
    return absl::OkStatus();
  }
  const int channel = nchw ? value.rank() - 3 : value.rank() - 1;
  ASSIGN_OR_RETURN(int64_t merged, c.MergeDim(value.dim(channel), bias.dim(0)));
  value.set_dim(channel, merged);
  c.set_output(0, value);
  return absl::OkStatus();
}

absl::StatusOr<TensorShape> BroadcastShapes(const TensorShape& x, const TensorShape& y) {
  if (x.unknown_rank() || y.unknown_rank()) return TensorShape::Unknown();
  const int rank = std::max(x.rank(), y.rank());
  std::vector<int64_t> out(rank);
  for (int i = 0; i < rank; ++i) {
    const int ix = x.rank() - rank + i, iy = y.rank() - rank + i;
    const int64_t dx = ix >= 0 ? x.dim(ix) : 1;
    const int64_t dy = iy >= 0 ? y.dim(iy) : 1;
    if (dx >= 0 && dy >= 0) {
      if (dx != dy && dx != 1 && dy != 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Dimensions must be equal, but are ", dx, " and ", dy));
      }
      out[i] = dx == 1 ? dy : dx;
    } else if (dx >= 0) {
      out[i] = dx == 1 ? kUnknownDim : dx;
    } else if (dy >= 0) {
      out[i] = dy == 1 ? kUnknownDim : dy;
    } else {
      out[i] = kUnknownDim;
    }
  }
  return TensorShape(std::move(out));
}

absl::Status BroadcastBinary(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape out, BroadcastShapes(c.input(0), c.input(1)));
  c.set_output(0, std::move(out));
  return absl::OkStatus();
}

absl::Status ConcatV2(InferenceContext& c) {
  const int n = c.num_inputs() - 1;
  ASSIGN_OR_RETURN(TensorShape axis_shape, c.WithRank(c.input(n), 0));
  (void)axis_shape;
  // All values must share one rank.
  TensorShape merged = TensorShape::Unknown();
  for (int i = 0; i < n; ++i) {
    if (c.input(i).unknown_rank()) continue;
    if (merged.unknown_rank()) {
      merged = TensorShape::UnknownOfRank(c.input(i).rank());
    } else if (merged.rank() != c.input(i).rank()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Shape must be rank ", merged.rank(), " but is rank ", c.input(i).rank()));
    }
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> axis, KnownScalar(c, n));
  if (merged.unknown_rank()) {
    c.set_output(0, merged);
    return absl::OkStatus();
  }
  if (merged.rank() == 0) {
    return absl::InvalidArgumentError("Can't concatenate scalars (use tf.stack instead)");
  }
  if (!axis) {
    c.set_output(0, merged);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(int ax, CanonicalAxis(*axis, merged.rank(), "concatenating dimensions"));
  int64_t total = 0;
  for (int i = 0; i < n; ++i) {
    TensorShape s = c.input(i).unknown_rank() ? merged : c.input(i);
    const int64_t d = s.dim(ax);
    if (total >= 0 && d >= 0 && d > std::numeric_limits<int64_t>::max() - total) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Concatenated dimension ", ax, " is too large: its size does not fit in int64"));
    }
    total = (total < 0 || d < 0) ? kUnknownDim : total + d;
    s.set_dim(ax, kUnknownDim);
    ASSIGN_OR_RETURN(merged, merged.Merge(s));
  }
  merged.set_dim(ax, total);
  c.set_output(0, merged);
  return absl::OkStatus();
}

absl::Status Split(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape dim_shape, c.WithRank(c.input(0), 0));
  (void)dim_shape;
  ASSIGN_OR_RETURN(int64_t num_split, GetIntAttr(c.attrs(), "num_split"));
  const TensorShape& value = c.input(1);
  ASSIGN_OR_RETURN(std::optional<int64_t> split_dim, KnownScalar(c, 0));
  TensorShape out = value;
  if (!split_dim || value.unknown_rank()) {
    out = value.unknown_rank() ? value : TensorShape::UnknownOfRank(value.rank());
  } else {
    ASSIGN_OR_RETURN(int ax, CanonicalAxis(*split_dim, value.rank(), "split dimension"));
    const int64_t d = value.dim(ax);
    if (d >= 0 && d % num_split != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Number of ways to split should evenly divide the split dimension, but got "
          "split_dim ", ax, " (size = ", d, ") and num_split ", num_split));
    }
    out.set_dim(ax, d >= 0 ? d / num_split : kUnknownDim);
  }
  for (int i = 0; i < c.num_outputs(); ++i) c.set_output(i, out);
  return absl::OkStatus();
}

namespace {

// The shape of unknown dims whose rank is the length of a 1-D shape vector
// (`vector_shape`, rank 1); the rank must not exceed kMaxRank.
absl::StatusOr<TensorShape> UnknownOfVectorLength(const TensorShape& vector_shape) {
  const int64_t rank = vector_shape.dim(0);
  if (rank < 0) return TensorShape::Unknown();
  if (rank > kMaxRank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "A shape vector of length ", rank, " gives a rank above the maximum ", kMaxRank));
  }
  return TensorShape::UnknownOfRank(static_cast<int>(rank));
}

// Output 0 takes the shape held by the 1-D int input 0; `what` names the
// dimensions in errors ("Fill dimensions must be >= 0, got -3").
absl::Status OutputShapeFromInput0(InferenceContext& c, const char* what) {
  ASSIGN_OR_RETURN(TensorShape dims_shape, c.WithRank(c.input(0), 1));
  const Tensor* dims = c.input_tensor(0);
  if (dims == nullptr) {
    ASSIGN_OR_RETURN(TensorShape out, UnknownOfVectorLength(dims_shape));
    c.set_output(0, std::move(out));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> values, InferenceContext::TensorToInt64s(*dims));
  if (static_cast<int>(values.size()) > kMaxRank) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape of rank ", values.size(), " exceeds the maximum ", kMaxRank));
  }
  for (int64_t v : values) {
    if (v < 0) {
      return absl::InvalidArgumentError(absl::StrCat(what, " must be >= 0, got ", v));
    }
  }
  RETURN_IF_ERROR(CheckedNumElements(values).status());
  c.set_output(0, TensorShape(std::move(values)));
  return absl::OkStatus();
}

}  // namespace

absl::Status ShapeFromTensor(InferenceContext& c) {
  return OutputShapeFromInput0(c, "Dimensions");
}

absl::Status Fill(InferenceContext& c) {
  RETURN_IF_ERROR(c.WithRank(c.input(1), 0).status());
  return OutputShapeFromInput0(c, "Fill dimensions");
}

absl::Status Reshape(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape shape_shape, c.WithRank(c.input(1), 1));
  const Tensor* shape_t = c.input_tensor(1);
  if (shape_t == nullptr) {
    ASSIGN_OR_RETURN(TensorShape out, UnknownOfVectorLength(shape_shape));
    c.set_output(0, std::move(out));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> dims, InferenceContext::TensorToInt64s(*shape_t));
  if (static_cast<int>(dims.size()) > kMaxRank) {
    return absl::InvalidArgumentError(
        absl::StrCat("Reshape rank ", dims.size(), " exceeds the maximum ", kMaxRank));
  }
  int unknown_index = -1;
  int64_t known_product = 1;
  for (int i = 0; i < static_cast<int>(dims.size()); ++i) {
    if (dims[i] == -1) {
      if (unknown_index >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Only one input size may be -1, not both ", unknown_index, " and ", i));
      }
      unknown_index = i;
    } else if (dims[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Size ", i, " must be non-negative, not ", dims[i]));
    } else {
      std::vector<int64_t> pair = {known_product, dims[i]};
      ASSIGN_OR_RETURN(known_product, CheckedNumElements(pair));
    }
  }
  const TensorShape& in = c.input(0);
  const int64_t in_elems = in.num_elements_or_unknown();
  if (in_elems >= 0) {
    if (unknown_index >= 0) {
      if (known_product == 0 || in_elems % known_product != 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Input to reshape is a tensor with ", in_elems,
            " values, but the requested shape requires a multiple of ", known_product));
      }
      dims[unknown_index] = in_elems / known_product;
    } else if (known_product != in_elems) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot reshape a tensor with ", in_elems, " elements to shape [",
          absl::StrJoin(dims, ","), "] (", known_product, " elements)"));
    }
  }
  c.set_output(0, TensorShape(std::move(dims)));
  return absl::OkStatus();
}

absl::Status Shape(InferenceContext& c) {
  const TensorShape& in = c.input(0);
  c.set_output(0, TensorShape({in.unknown_rank() ? kUnknownDim : in.rank()}));
  return absl::OkStatus();
}

namespace {

// TensorFlow's InferenceContext::Min: 0 if either dim is 0, else unknown if
// either is unknown, else the smaller.
int64_t MinDim(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  if (a < 0 || b < 0) return kUnknownDim;
  return a < b ? a : b;
}

// The leading dims of `s` (known rank >= 2) followed by `rows` and `cols`.
TensorShape BatchMatrix(const TensorShape& s, int64_t rows, int64_t cols) {
  std::vector<int64_t> dims(s.dims().begin(), s.dims().end() - 2);
  dims.push_back(rows);
  dims.push_back(cols);
  return TensorShape(std::move(dims));
}

}  // namespace

absl::Status Qr(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape in, c.WithRankAtLeast(c.input(0), 2));
  ASSIGN_OR_RETURN(bool full_matrices, GetBoolAttr(c.attrs(), "full_matrices"));
  if (in.unknown_rank()) {
    c.set_output(0, TensorShape::Unknown());
    c.set_output(1, TensorShape::Unknown());
    return absl::OkStatus();
  }
  const int64_t m = in.dim(in.rank() - 2);
  const int64_t n = in.dim(in.rank() - 1);
  const int64_t p = MinDim(m, n);
  c.set_output(0, BatchMatrix(in, m, full_matrices ? m : p));
  c.set_output(1, BatchMatrix(in, full_matrices ? m : p, n));
  return absl::OkStatus();
}

absl::Status MatrixDiagPart(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape in, c.WithRankAtLeast(c.input(0), 2));
  if (in.unknown_rank()) {
    c.set_output(0, TensorShape::Unknown());
    return absl::OkStatus();
  }
  std::vector<int64_t> dims(in.dims().begin(), in.dims().end() - 2);
  dims.push_back(MinDim(in.dim(in.rank() - 2), in.dim(in.rank() - 1)));
  c.set_output(0, TensorShape(std::move(dims)));
  return absl::OkStatus();
}

absl::Status DiagPart(InferenceContext& c) {
  const TensorShape& in = c.input(0);
  if (in.unknown_rank()) {
    c.set_output(0, TensorShape::Unknown());
    return absl::OkStatus();
  }
  const int rank = in.rank();
  if (rank % 2 != 0 || rank == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Input must have even and non-zero rank, input rank is ", rank));
  }
  const int mid = rank / 2;
  std::vector<int64_t> dims(mid);
  for (int i = 0; i < mid; ++i) {
    ASSIGN_OR_RETURN(dims[i], c.MergeDim(in.dim(i), in.dim(i + mid)));
  }
  c.set_output(0, TensorShape(std::move(dims)));
  return absl::OkStatus();
}

absl::Status Transpose(InferenceContext& c) {
  const TensorShape& in = c.input(0);
  const Tensor* perm = c.input_tensor(1);
  ASSIGN_OR_RETURN(TensorShape perm_shape, c.WithRank(c.input(1), 1));
  // The rank: x's, else perm's length, else unknown.
  int64_t rank = kUnknownDim;
  if (!in.unknown_rank()) {
    rank = in.rank();
  } else if (perm_shape.dim(0) >= 0) {
    rank = perm_shape.dim(0);
  } else if (perm != nullptr) {
    rank = perm->num_elements();
  }
  if (rank < 0) {
    c.set_output(0, TensorShape::Unknown());
    return absl::OkStatus();
  }
  if (rank > kMaxRank) {
    return absl::InvalidArgumentError(
        absl::StrCat("Transpose of rank ", rank, " exceeds the maximum ", kMaxRank));
  }
  const int64_t perm_size = perm != nullptr ? perm->num_elements() : perm_shape.dim(0);
  if (perm_size >= 0 && perm_size != rank) {
    return absl::InvalidArgumentError(absl::StrCat("transpose expects a vector of size ", rank,
                                                   ". But input(1) is a vector of size ",
                                                   perm_size));
  }
  if (perm == nullptr) {
    c.set_output(0, TensorShape::UnknownOfRank(static_cast<int>(rank)));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> p, InferenceContext::TensorToInt64s(*perm));
  std::vector<bool> seen(rank, false);
  for (int64_t d : p) {
    if (d < 0 || d >= rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("perm dim ", d, " is out of range of input rank ", rank));
    }
    seen[d] = true;
  }
  for (int64_t i = 0; i < rank; ++i) {
    if (!seen[i]) {
      return absl::InvalidArgumentError(
          absl::StrCat(i, " is missing from {", absl::StrJoin(p, ","), "}."));
    }
  }
  // A 0- or 1-element perm on an unknown-rank x cannot tell a scalar from a
  // vector: x's shape passes through, as in TensorFlow.
  if (in.unknown_rank() && rank < 2) {
    c.set_output(0, in);
    return absl::OkStatus();
  }
  std::vector<int64_t> dims(rank);
  for (int64_t i = 0; i < rank; ++i) {
    dims[i] = in.unknown_rank() ? kUnknownDim : in.dim(static_cast<int>(p[i]));
  }
  c.set_output(0, TensorShape(std::move(dims)));
  return absl::OkStatus();
}

}  // namespace shape_fns
}  // namespace rill
