// RandomUniform, RandomStandardNormal, TruncatedNormal on Philox4x32-10.
// With seed == seed2 == 0 the generator is seeded from std::random_device;
// otherwise it is deterministic. Like TensorFlow's, each kernel keeps its
// generator across runs, so a second run draws new numbers.
#include <random>

#include "absl/synchronization/mutex.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/kernel_families.h"
#include "runtime/kernels/philox_random.h"

namespace rill {
namespace {

enum class Distribution { kUniform, kNormal, kTruncatedNormal };

uint64_t SeedFromAttr(const Node& node, const char* name) {
  return static_cast<uint64_t>(node.attrs().at(name).i());
}

template <typename T, Distribution D>
class RandomKernel : public OpKernel {
 public:
  explicit RandomKernel(const Node& node)
      : generator_(Seeded(SeedFromAttr(node, "seed"), SeedFromAttr(node, "seed2"))) {}

  absl::Status Compute(KernelContext& ctx) const override {
    absl::StatusOr<Tensor*> out = ctx.allocate_output(0);
    if (!out.ok()) return out.status();
    T* data = (*out)->template data<T>();
    const int64_t n = (*out)->num_elements();
    absl::MutexLock lock(&mu_);
    int64_t i = 0;
    while (i < n) {
      const PhiloxRandom::Result r = generator_.Next();
      if constexpr (D == Distribution::kUniform) {
        if constexpr (std::is_same_v<T, float>) {
          for (int j = 0; j < 4 && i < n; ++j) data[i++] = Uint32ToFloat(r[j]);
        } else {
          for (int j = 0; j < 4 && i < n; j += 2) data[i++] = Uint64ToDouble(r[j], r[j + 1]);
        }
      } else {
        double normals[4];
        BoxMuller(r[0], r[1], &normals[0], &normals[1]);
        BoxMuller(r[2], r[3], &normals[2], &normals[3]);
        for (int j = 0; j < 4 && i < n; ++j) {
          // Truncation redraws anything beyond two standard deviations.
          if (D == Distribution::kTruncatedNormal && std::abs(normals[j]) >= 2.0) continue;
          data[i++] = static_cast<T>(normals[j]);
        }
      }
    }
    return absl::OkStatus();
  }

 private:
  static PhiloxRandom Seeded(uint64_t seed, uint64_t seed2) {
    if (seed == 0 && seed2 == 0) {
      std::random_device rd;
      seed = (uint64_t{rd()} << 32) | rd();
      seed2 = (uint64_t{rd()} << 32) | rd();
    }
    return PhiloxRandom(seed, seed2);
  }

  mutable absl::Mutex mu_;
  mutable PhiloxRandom generator_ ABSL_GUARDED_BY(mu_);
};

template <Distribution D>
absl::Status RegisterDistribution(KernelRegistry& registry, const std::string& op) {
  absl::Status s = registry.Register(op, DT_FLOAT, [](const Node& n) {
    return absl::StatusOr<std::unique_ptr<OpKernel>>(
        std::make_unique<RandomKernel<float, D>>(n));
  });
  s.Update(registry.Register(op, DT_DOUBLE, [](const Node& n) {
    return absl::StatusOr<std::unique_ptr<OpKernel>>(
        std::make_unique<RandomKernel<double, D>>(n));
  }));
  return s;
}

}  // namespace

absl::Status RegisterRandomKernels(KernelRegistry& registry) {
  absl::Status s = RegisterDistribution<Distribution::kUniform>(registry, "RandomUniform");
  s.Update(RegisterDistribution<Distribution::kNormal>(registry, "RandomStandardNormal"));
  s.Update(RegisterDistribution<Distribution::kTruncatedNormal>(registry, "TruncatedNormal"));
  return s;
}

}  // namespace rill
