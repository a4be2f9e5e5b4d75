#include "core/ids.h"

#include <cstdint>
#include <cstring>

#include "core/crypto.h"

namespace nimbus {
namespace {

std::string RandomFrom(std::string_view alphabet, size_t n) {
  std::string bytes = RandomBytes(n);
  std::string out;
  out.reserve(n);
  for (unsigned char b : bytes) out.push_back(alphabet[b % alphabet.size()]);
  return out;
}

}  // namespace

namespace {

// xoshiro256**: a fast generator for identifiers that must be unique, not
// secret. Each thread seeds its own from the system's secure source.
class FastRandom {
 public:
  FastRandom() {
    std::string seed = RandomBytes(sizeof state_);
    std::memcpy(state_, seed.data(), sizeof state_);
  }
  uint64_t Next() {
    uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

FastRandom& ThreadRandom() {
  thread_local FastRandom rng;
  return rng;
}

}  // namespace

std::string NewUuid() {
  FastRandom& rng = ThreadRandom();
  uint64_t hi = rng.Next(), lo = rng.Next();
  hi = (hi & ~0xf000ull) | 0x4000ull;                    // version 4
  lo = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // variant 1
  static const char kDigits[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) ++pos;
    uint64_t word = i < 16 ? hi : lo;
    out[static_cast<size_t>(pos++)] = kDigits[(word >> (60 - 4 * (i % 16))) & 0xf];
  }
  return out;
}

std::string RandomHex(size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  FastRandom& rng = ThreadRandom();
  std::string out(n, '0');
  uint64_t word = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i % 16 == 0) word = rng.Next();
    out[i] = kDigits[(word >> (4 * (i % 16))) & 0xf];
  }
  return out;
}

std::string RandomUpperAlnum(size_t n) {
  return RandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n);  // 32 symbols: unbiased
}

std::string RandomSecret(size_t n) {
  return RandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", n);
}

}  // namespace nimbus
