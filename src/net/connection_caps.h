// Caps on how many connections an HTTP server holds: a budget shared by
// several servers (so that together they cannot take every descriptor of
// the process) and a count per remote address (so that one client cannot
// take a whole server). Each accepted connection takes one unit of each
// before it is served and gives it back when it closes.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace nimbus::net {

// A number of connections shared by every server given the same budget
// (HttpServerOptions::connection_budget). Thread-safe.
class ConnectionBudget {
 public:
  // At most `limit` connections at once; 0 means no limit.
  explicit ConnectionBudget(size_t limit) : limit_(limit) {}
  ConnectionBudget(const ConnectionBudget&) = delete;
  ConnectionBudget& operator=(const ConnectionBudget&) = delete;

  // Takes one connection; false (and nothing taken) when the budget is spent.
  bool TryAcquire();
  void Release();

  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> in_use_{0};
};

// A budget for every connection of the process: three quarters of the
// descriptor limit (RLIMIT_NOFILE's soft limit), leaving the rest for files,
// pipes and the function instances' own descriptors.
size_t DefaultConnectionBudget();

// A remote address as 16 bytes (IPv4 in its IPv4-mapped IPv6 form).
using PeerKey = std::array<uint8_t, 16>;

// Open connections per remote address. Not thread-safe: the server calls
// it under its own mutex.
class PeerCounts {
 public:
  // Counts one more connection from `peer` unless it already has `cap`
  // (0 means no cap); true if counted.
  bool TryAdd(const PeerKey& peer, size_t cap);
  // Forgets one connection from `peer`, counted before by TryAdd.
  void Remove(const PeerKey& peer);
  size_t count(const PeerKey& peer) const;

 private:
  struct Hash {
    size_t operator()(const PeerKey& k) const;
  };
  std::unordered_map<PeerKey, uint32_t, Hash> counts_;
};

}  // namespace nimbus::net
