#include "sandbox/uid_pool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <mutex>
#include <set>

#include "core/fs.h"

namespace nimbus::sandbox {
namespace {

// The uids this process holds; shared with leases so that they may outlive the pool.
struct State {
  UidPoolOptions options;
  std::mutex mu;
  std::set<uint32_t> held;
};

class Lease : public UidLease {
 public:
  Lease(std::shared_ptr<State> state, uint32_t uid, UniqueFd lock)
      : state_(std::move(state)), uid_(uid), lock_(std::move(lock)) {}
  ~Lease() override {
    lock_.Reset();  // releases the flock for other servers
    std::lock_guard lock(state_->mu);
    state_->held.erase(uid_);
  }
  uint32_t uid() const override { return uid_; }

 private:
  std::shared_ptr<State> state_;
  uint32_t uid_;
  UniqueFd lock_;
};

class Pool : public UidPool {
 public:
  explicit Pool(std::shared_ptr<State> state) : state_(std::move(state)) {}

  Result<std::unique_ptr<UidLease>> Acquire() override {
    std::lock_guard lock(state_->mu);
    const UidPoolOptions& o = state_->options;
    for (uint32_t i = 0; i < o.count; ++i) {
      uint32_t uid = o.base + i;
      if (state_->held.count(uid)) continue;
      std::string path = o.lock_dir + "/" + std::to_string(uid);
      UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
      if (!fd.valid()) return ErrnoStatus("sandbox uid lock " + path, errno);
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) continue;  // another server's instance
        return ErrnoStatus("flock " + path, errno);
      }
      state_->held.insert(uid);
      return std::unique_ptr<UidLease>(new Lease(state_, uid, std::move(fd)));
    }
    return Status(Code::kResourceExhausted,
                  "every sandbox uid from " + std::to_string(o.base) + " to " +
                      std::to_string(o.base + o.count - 1) + " is in use");
  }

  const UidPoolOptions& options() const override { return state_->options; }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace

Result<std::unique_ptr<UidPool>> UidPool::Create(const UidPoolOptions& options) {
  if (options.count == 0 || options.base == 0 ||
      static_cast<uint64_t>(options.base) + options.count > 0xFFFFFFFFULL) {
    return InvalidArgument("sandbox uid range must be non-empty, above 0 and below 2^32-1");
  }
  RETURN_IF_ERROR(MakeDirs(options.lock_dir, 0700));
  auto state = std::make_shared<State>();
  state->options = options;
  return std::unique_ptr<UidPool>(new Pool(std::move(state)));
}

}  // namespace nimbus::sandbox
