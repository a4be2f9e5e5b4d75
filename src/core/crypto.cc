#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "core/encoding.h"

namespace nimbus {
namespace {

// OpenSSL 3 looks an algorithm up on every call that names it by an
// EVP_sha256()-style handle; fetching once, and reusing one digest context
// per thread, keeps a digest of a short string to the hashing itself (SigV4
// verification does several per request).
const EVP_MD* Fetched(const char* name) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) std::abort();  // a broken OpenSSL installation
  return md;
}
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = Fetched("SHA256");
  return md;
}
const EVP_MD* Sha1Md() {
  static const EVP_MD* md = Fetched("SHA1");
  return md;
}
const EVP_MD* Md5Md() {
  static const EVP_MD* md = Fetched("MD5");
  return md;
}

EVP_MD_CTX* ThreadContext() {
  struct Holder {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Holder() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Holder holder;
  return holder.ctx;
}

// Digest of the concatenation of `parts`.
size_t DigestInto(const EVP_MD* md, std::initializer_list<std::string_view> parts,
                  unsigned char* out) {
  EVP_MD_CTX* ctx = ThreadContext();
  EVP_DigestInit_ex2(ctx, md, nullptr);
  for (auto p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out, &len);
  return len;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = DigestInto(md, {data}, out);
  return std::string(reinterpret_cast<char*>(out), len);
}

// HMAC (RFC 2104) over a fetched digest: H((K ^ opad) || H((K ^ ipad) || data)).
std::string Hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  const size_t block = static_cast<size_t>(EVP_MD_get_block_size(md));
  unsigned char k[EVP_MAX_MD_SIZE > 128 ? EVP_MAX_MD_SIZE : 128] = {};
  if (key.size() > block) {
    DigestInto(md, {key}, k);
  } else {
    std::memcpy(k, key.data(), key.size());
  }
  unsigned char ipad[128], opad[128];
  for (size_t i = 0; i < block; ++i) {
    ipad[i] = k[i] ^ 0x36;
    opad[i] = k[i] ^ 0x5c;
  }
  unsigned char inner[EVP_MAX_MD_SIZE];
  size_t inner_len = DigestInto(md, {{reinterpret_cast<char*>(ipad), block}, data}, inner);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = DigestInto(
      md, {{reinterpret_cast<char*>(opad), block}, {reinterpret_cast<char*>(inner), inner_len}},
      out);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string Sha256(std::string_view data) { return Digest(Sha256Md(), data); }
std::string Sha256Hex(std::string_view data) { return Hex(Sha256(data)); }
std::string Md5(std::string_view data) { return Digest(Md5Md(), data); }
std::string HmacSha256(std::string_view key, std::string_view data) {
  return Hmac(Sha256Md(), key, data);
}
std::string HmacSha1(std::string_view key, std::string_view data) {
  return Hmac(Sha1Md(), key, data);
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), Sha256Md(), nullptr);
}
Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256Hasher::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}
std::string Sha256Hasher::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();  // no entropy: nothing secure can be done
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace nimbus
