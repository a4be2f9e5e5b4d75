#include "core/ids.h"

#include <fmt/format.h>

#include "core/crypto.h"
#include "core/encoding.h"

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

std::string NewUuid() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string h = Hex(b);
  return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20, 12));
}

std::string RandomHex(size_t n) { return Hex(RandomBytes((n + 1) / 2)).substr(0, n); }

std::string RandomUpperAlnum(size_t n) {
  return RandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n);  // 32 symbols: unbiased
}

std::string RandomSecret(size_t n) {
  return RandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", n);
}

}  // namespace nimbus
