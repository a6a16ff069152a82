// Qr (float, double) on Eigen's HouseholderQR, MatrixDiagPart and DiagPart
// (every dtype, by element size), Sign (float, double, int32, int64) and
// Transpose (every dtype, by element size).
//
// Output shapes come from the shape functions, which also validate Transpose's
// perm at run time; the kernels only guard those invariants before indexing.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include "Eigen/QR"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "graph/shape_inference.h"
#include "graph/status_macros.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/eigen_views.h"
#include "runtime/kernels/kernel_families.h"

namespace rill {
namespace {

// ---------------------------------------------------------------- Qr

template <typename T>
class QrKernel : public OpKernel {
 public:
  explicit QrKernel(bool full_matrices) : full_matrices_(full_matrices) {}

  static absl::StatusOr<std::unique_ptr<OpKernel>> Create(const Node& node) {
    ASSIGN_OR_RETURN(bool full, GetBoolAttr(node.attrs(), "full_matrices"));
    return std::unique_ptr<OpKernel>(new QrKernel<T>(full));
  }

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(Tensor * q, ctx.allocate_output(0));
    ASSIGN_OR_RETURN(Tensor * r, ctx.allocate_output(1));
    // An empty q implies an empty r (P = 0 or M = 0): nothing to compute,
    // however many batch entries the leading dims count.
    if (q->num_elements() == 0) return absl::OkStatus();
    // Exceptions never leave a kernel: Eigen throws std::bad_alloc when its
    // workspace cannot be allocated.
    try {
      Decompose(in, q, r);
    } catch (const std::bad_alloc&) {
      return absl::ResourceExhaustedError(
          absl::StrCat("Out of memory in Qr of ", in.shape().ToString()));
    }
    return absl::OkStatus();
  }

 private:
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

  void Decompose(const Tensor& in, Tensor* q, Tensor* r) const {
    const int rank = in.rank();
    const int64_t m = in.dim(rank - 2);
    const int64_t n = in.dim(rank - 1);
    const int64_t p = std::min(m, n);
    const int64_t q_cols = full_matrices_ ? m : p;
    const int64_t r_rows = full_matrices_ ? m : p;
    // q is non-empty, so m > 0 and q_cols > 0 and this is exact.
    const int64_t batch = q->num_elements() / (m * q_cols);
    const T* a_data = in.data<T>();
    T* q_data = q->data<T>();
    T* r_data = r->data<T>();
    Eigen::HouseholderQR<Matrix> qr(m, n);
    Matrix thin;
    for (int64_t b = 0; b < batch; ++b) {
      Eigen::Map<RowMajorMatrix<T>> q_map(q_data + b * m * q_cols, m, q_cols);
      Eigen::Map<RowMajorMatrix<T>> r_map(r_data + b * r_rows * n, r_rows, n);
      if (n == 0) {  // Only reachable with full_matrices: Q = I, R is [m, 0].
        q_map.setIdentity();
        continue;
      }
      qr.compute(Eigen::Map<const RowMajorMatrix<T>>(a_data + b * m * n, m, n));
      if (full_matrices_) {
        q_map = qr.householderQ();
        r_map = qr.matrixQR().template triangularView<Eigen::Upper>();
      } else {
        // The first P columns of Q: Q applied to the leading columns of I.
        thin.setIdentity(m, p);
        thin.applyOnTheLeft(qr.householderQ());
        q_map = thin;
        r_map = qr.matrixQR().topRows(p).template triangularView<Eigen::Upper>();
      }
    }
  }

  const bool full_matrices_;
};

// ------------------------------------------------- DiagPart, MatrixDiagPart

// Copies element `src_index` of `src` to element `dst_index` of `dst`, both
// of `elem` bytes.
inline void CopyElement(const char* src, int64_t src_index, char* dst, int64_t dst_index,
                        size_t elem) {
  std::memcpy(dst + dst_index * elem, src + src_index * elem, elem);
}

// [D1..Dk, D1..Dk] -> [D1..Dk]: output element i is input element i*(K+1)
// for K output elements (the flat index of (i, i) in a K x K matrix).
class DiagPartKernel : public OpKernel {
 public:
  explicit DiagPartKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    const int64_t k = out->num_elements();
    if (k == 0) return absl::OkStatus();
    if (in.num_elements() / k != k) {
      return absl::InternalError(absl::StrCat("DiagPart of ", in.shape().ToString(),
                                              " gave ", out->shape().ToString(),
                                              " after shape inference"));
    }
    const size_t elem = DataTypeSize(in.dtype());
    for (int64_t i = 0; i < k; ++i) CopyElement(in.raw(), i * (k + 1), out->raw(), i, elem);
    return absl::OkStatus();
  }
};

// [..., M, N] -> [..., min(M, N)].
class MatrixDiagPartKernel : public OpKernel {
 public:
  explicit MatrixDiagPartKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    if (out->num_elements() == 0) return absl::OkStatus();
    const int rank = in.rank();
    const int64_t m = in.dim(rank - 2), n = in.dim(rank - 1);
    const int64_t p = std::min(m, n);
    const int64_t batch = out->num_elements() / p;
    const size_t elem = DataTypeSize(in.dtype());
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t i = 0; i < p; ++i) {
        CopyElement(in.raw(), b * m * n + i * n + i, out->raw(), b * p + i, elem);
      }
    }
    return absl::OkStatus();
  }
};

// ---------------------------------------------------------------- Sign

// -1, 0 or 1; NaN stays NaN (as NumPy and current TensorFlow).
template <typename T>
class SignKernel : public OpKernel {
 public:
  explicit SignKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    const T* x = ctx.input(0).data<T>();
    T* y = out->data<T>();
    const int64_t n = out->num_elements();
    for (int64_t i = 0; i < n; ++i) {
      const T v = x[i];
      y[i] = v > T(0) ? T(1) : v < T(0) ? T(-1) : v == T(0) ? T(0) : v;
    }
    return absl::OkStatus();
  }
};

// ---------------------------------------------------------------- Transpose

// Moves elements of `Word` size: out[o] = in[offset(o)], where walking the
// output in row-major order advances the input by in_strides[perm[i]] per
// step of output dim i.
template <typename Word>
void PermuteElements(const Word* in, const std::vector<int64_t>& out_dims,
                     const std::vector<int64_t>& src_strides, Word* out) {
  const int rank = static_cast<int>(out_dims.size());
  const int64_t inner = out_dims[rank - 1];
  const int64_t inner_stride = src_strides[rank - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t src = 0;
  Word* dst = out;
  while (true) {
    for (int64_t j = 0; j < inner; ++j) *dst++ = in[src + j * inner_stride];
    // Odometer over the outer output dims, keeping `src` in step.
    int d = rank - 2;
    for (; d >= 0; --d) {
      src += src_strides[d];
      if (++index[d] < out_dims[d]) break;
      src -= src_strides[d] * out_dims[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

template <typename Word>
void TransposeWords(const Tensor& in, const std::vector<int>& perm, Tensor* out) {
  const int rank = in.rank();
  const Word* src = DataAs<Word>(in);
  Word* dst = DataAs<Word>(out);
  if constexpr (std::is_arithmetic_v<Word>) {
    if (rank == 2) {
      MutableMatrix<Word>(out, in.dim(1), in.dim(0)) =
          ConstMatrix<Word>(in, in.dim(0), in.dim(1)).transpose();
      return;
    }
  }
  std::vector<int64_t> in_strides(rank, 1);
  for (int i = rank - 2; i >= 0; --i) in_strides[i] = in_strides[i + 1] * in.dim(i + 1);
  std::vector<int64_t> out_dims(rank), src_strides(rank);
  for (int i = 0; i < rank; ++i) {
    out_dims[i] = in.dim(perm[i]);
    src_strides[i] = in_strides[perm[i]];
  }
  PermuteElements<Word>(src, out_dims, src_strides, dst);
}

// Elements of 16 bytes (complex128), should rill ever hold them.
struct Word128 {
  uint64_t lo, hi;
};

class TransposeKernel : public OpKernel {
 public:
  explicit TransposeKernel(const Node&) {}

  absl::Status Compute(KernelContext& ctx) const override {
    const Tensor& in = ctx.input(0);
    ASSIGN_OR_RETURN(std::vector<int64_t> p, InferenceContext::TensorToInt64s(ctx.input(1)));
    const int rank = in.rank();
    // The run-time shape function accepted this perm; guard the invariant.
    std::vector<int> perm(p.size());
    std::vector<bool> seen(rank, false);
    bool identity = true;
    bool valid = static_cast<int>(p.size()) == rank && ctx.output_shape(0).rank() == rank;
    for (int i = 0; valid && i < rank; ++i) {
      valid = p[i] >= 0 && p[i] < rank && !seen[p[i]] &&
              ctx.output_shape(0).dim(i) == in.dim(static_cast<int>(p[i]));
      if (!valid) break;
      seen[p[i]] = true;
      perm[i] = static_cast<int>(p[i]);
      identity = identity && perm[i] == i;
    }
    if (!valid) {
      return absl::InternalError(absl::StrCat("Transpose of ", in.shape().ToString(),
                                              " by perm {", absl::StrJoin(p, ","),
                                              "} is invalid after shape inference"));
    }
    if (identity || in.num_elements() <= 1) {
      ASSIGN_OR_RETURN(Tensor same, in.Reshaped(ctx.output_shape(0)));
      ctx.set_output(0, std::move(same));
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0));
    switch (DataTypeSize(in.dtype())) {
      case 1: TransposeWords<uint8_t>(in, perm, out); break;
      case 2: TransposeWords<uint16_t>(in, perm, out); break;
      case 4: TransposeWords<uint32_t>(in, perm, out); break;
      case 8: TransposeWords<uint64_t>(in, perm, out); break;
      case 16: TransposeWords<Word128>(in, perm, out); break;
      default:
        return absl::UnimplementedError(
            absl::StrCat("Transpose does not support dtype ", DataTypeString(in.dtype())));
    }
    return absl::OkStatus();
  }
};

}  // namespace

absl::Status RegisterLinalgKernels(KernelRegistry& registry) {
  RETURN_IF_ERROR(registry.Register("Qr", DT_FLOAT, QrKernel<float>::Create));
  RETURN_IF_ERROR(registry.Register("Qr", DT_DOUBLE, QrKernel<double>::Create));
  RETURN_IF_ERROR(RegisterAnyType<DiagPartKernel>(registry, "DiagPart"));
  RETURN_IF_ERROR(RegisterAnyType<MatrixDiagPartKernel>(registry, "MatrixDiagPart"));
  RETURN_IF_ERROR(
      (RegisterForTypes<SignKernel, float, double, int32_t, int64_t>(registry, "Sign")));
  RETURN_IF_ERROR(RegisterAnyType<TransposeKernel>(registry, "Transpose"));
  return absl::OkStatus();
}

}  // namespace rill
