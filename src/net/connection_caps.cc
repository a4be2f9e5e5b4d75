#include "net/connection_caps.h"

#include <sys/resource.h>

#include <cstring>

namespace nimbus::net {

bool ConnectionBudget::TryAcquire() {
  if (limit_ == 0) {
    in_use_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  size_t now = in_use_.load(std::memory_order_relaxed);
  while (now < limit_) {
    if (in_use_.compare_exchange_weak(now, now + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

void ConnectionBudget::Release() {
  in_use_.fetch_sub(1, std::memory_order_relaxed);
}

size_t DefaultConnectionBudget() {
  struct rlimit r;
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<size_t>(r.rlim_cur) / 4 * 3;
}

size_t PeerCounts::Hash::operator()(const PeerKey& k) const {
  uint64_t a, b;
  std::memcpy(&a, k.data(), 8);
  std::memcpy(&b, k.data() + 8, 8);
  return static_cast<size_t>((a * 0x9E3779B97F4A7C15ull) ^ b ^ (b >> 29));
}

bool PeerCounts::TryAdd(const PeerKey& peer, size_t cap) {
  auto [it, inserted] = counts_.try_emplace(peer, 0);
  if (cap != 0 && it->second >= cap) return false;
  ++it->second;
  return true;
}

void PeerCounts::Remove(const PeerKey& peer) {
  auto it = counts_.find(peer);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

size_t PeerCounts::count(const PeerKey& peer) const {
  auto it = counts_.find(peer);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace nimbus::net
