// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3"), the counter-based generator TensorFlow's random ops use, with TF's
// conversions from 32-bit words to floats.
#ifndef RILL_RUNTIME_KERNELS_PHILOX_RANDOM_H_
#define RILL_RUNTIME_KERNELS_PHILOX_RANDOM_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace rill {

class PhiloxRandom {
 public:
  using Result = std::array<uint32_t, 4>;

  // TF's PhiloxRandom(seed, seed2): key from seed, upper counter from seed2.
  PhiloxRandom(uint64_t seed, uint64_t seed2) {
    key_ = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
    counter_ = {0, 0, static_cast<uint32_t>(seed2), static_cast<uint32_t>(seed2 >> 32)};
  }

  // Advances the 128-bit counter by `count` blocks.
  void Skip(uint64_t count) {
    const uint32_t lo = static_cast<uint32_t>(count);
    uint32_t hi = static_cast<uint32_t>(count >> 32);
    counter_[0] += lo;
    if (counter_[0] < lo) ++hi;
    counter_[1] += hi;
    if (counter_[1] < hi && ++counter_[2] == 0) ++counter_[3];
  }

  // The next block of four 32-bit words.
  Result Next() {
    Result c = counter_;
    std::array<uint32_t, 2> k = key_;
    for (int round = 0; round < 10; ++round) {
      c = Round(c, k);
      k[0] += kW32A;
      k[1] += kW32B;
    }
    Skip(1);
    return c;
  }

 private:
  static constexpr uint32_t kW32A = 0x9E3779B9;
  static constexpr uint32_t kW32B = 0xBB67AE85;
  static constexpr uint32_t kM4x32A = 0xD2511F53;
  static constexpr uint32_t kM4x32B = 0xCD9E8D57;

  static Result Round(const Result& c, const std::array<uint32_t, 2>& k) {
    const uint64_t p0 = uint64_t{kM4x32A} * c[0];
    const uint64_t p1 = uint64_t{kM4x32B} * c[2];
    return {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
            static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
  }

  Result counter_;
  std::array<uint32_t, 2> key_;
};

// A float in [0, 1) from 23 random mantissa bits (TF's Uint32ToFloat).
inline float Uint32ToFloat(uint32_t x) {
  const uint32_t bits = (127u << 23) | (x & 0x7fffffu);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f - 1.0f;
}

// A double in [0, 1) from 52 random mantissa bits (TF's Uint64ToDouble).
inline double Uint64ToDouble(uint32_t x0, uint32_t x1) {
  const uint64_t mantissa = ((uint64_t{x0} << 32) | x1) & ((uint64_t{1} << 52) - 1);
  const uint64_t bits = (uint64_t{1023} << 52) | mantissa;
  double d;
  std::memcpy(&d, &bits, sizeof(d));
  return d - 1.0;
}

// Two standard normals from two uniform words (Box-Muller, as TF).
inline void BoxMuller(uint32_t x0, uint32_t x1, double* n0, double* n1) {
  constexpr double kEpsilon = 1.0e-7;
  double u1 = Uint32ToFloat(x0);
  if (u1 < kEpsilon) u1 = kEpsilon;
  const double v1 = 2.0 * M_PI * Uint32ToFloat(x1);
  const double u2 = std::sqrt(-2.0 * std::log(u1));
  *n0 = std::sin(v1) * u2;
  *n1 = std::cos(v1) * u2;
}

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_PHILOX_RANDOM_H_
