// Hashes, MACs and randomness, on OpenSSL 3. Digests are raw bytes in a
// std::string; use Hex()/Base64Encode() from encoding.h to print them.
#pragma once

#include <string>
#include <string_view>

namespace nimbus {

std::string Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HmacSha1(std::string_view key, std::string_view data);
std::string Md5(std::string_view data);

// Incremental SHA-256 for data that arrives in pieces (files, streams).
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  std::string Finish();  // raw 32 bytes

 private:
  void* ctx_;
};

// Cryptographically strong random bytes.
std::string RandomBytes(size_t n);

// Compares in time independent of where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace nimbus
