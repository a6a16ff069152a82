// An independent scalar GRU step (SPEC A.4) in double precision, for tests
// that check rill's GRUCell, StaticRnn and MultiRNNCell numbers against a
// formula written without any of rill's code.
#ifndef RILL_CELLS_GRU_REFERENCE_H_
#define RILL_CELLS_GRU_REFERENCE_H_

#include <cmath>
#include <vector>

namespace rill {
namespace testing {

// h' for x [batch, depth] and h [batch, units] (row-major), with the
// gates' kernel wg [depth + units, 2·units] (r then u) and bias bg, and
// the candidate's kernel wc [depth + units, units] and bias bc.
inline std::vector<double> ReferenceGru(const std::vector<double>& x,
                                        const std::vector<double>& h,
                                        const std::vector<double>& wg,
                                        const std::vector<double>& bg,
                                        const std::vector<double>& wc,
                                        const std::vector<double>& bc, int batch, int depth,
                                        int units) {
  auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  const int rows = depth + units;
  std::vector<double> out(batch * units);
  for (int b = 0; b < batch; ++b) {
    std::vector<double> xh(rows);
    for (int i = 0; i < depth; ++i) xh[i] = x[b * depth + i];
    for (int i = 0; i < units; ++i) xh[depth + i] = h[b * units + i];
    std::vector<double> gate(2 * units);
    for (int j = 0; j < 2 * units; ++j) {
      double acc = bg[j];
      for (int i = 0; i < rows; ++i) acc += xh[i] * wg[i * 2 * units + j];
      gate[j] = sigmoid(acc);
    }
    std::vector<double> xrh = xh;
    for (int i = 0; i < units; ++i) xrh[depth + i] = gate[i] * h[b * units + i];
    for (int j = 0; j < units; ++j) {
      double acc = bc[j];
      for (int i = 0; i < rows; ++i) acc += xrh[i] * wc[i * units + j];
      const double c = std::tanh(acc), u = gate[units + j];
      out[b * units + j] = u * h[b * units + j] + (1 - u) * c;
    }
  }
  return out;
}

}  // namespace testing
}  // namespace rill

#endif  // RILL_CELLS_GRU_REFERENCE_H_
