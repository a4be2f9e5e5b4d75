#include "net/session.h"

namespace nimbus::net {
namespace {

void ArmTimer(const std::shared_ptr<Session>& s, Clock::time_point at);

void OnTimer(const std::weak_ptr<Session>& weak, uint32_t generation) {
  auto s = weak.lock();
  if (!s || generation != s->timer_generation) return;
  s->armed_for = kNever;
  if (s->deadline == kNever) return;  // waiting on the handler: the next read arms again
  if (Clock::now() < s->deadline) return ArmTimer(s, s->deadline);
  s->timed_out = true;
  boost::system::error_code ignored;
  s->socket.cancel(ignored);  // the read or write under way ends with operation_aborted
}

void ArmTimer(const std::shared_ptr<Session>& s, Clock::time_point at) {
  s->armed_for = at;
  uint32_t generation = ++s->timer_generation;
  s->timer.expires_at(at);
  s->timer.async_wait([weak = std::weak_ptr<Session>(s), generation](boost::system::error_code ec) {
    if (!ec) OnTimer(weak, generation);
  });
}

}  // namespace

void SetDeadline(const std::shared_ptr<Session>& s, Clock::time_point deadline) {
  s->deadline = deadline;
  if (deadline < s->armed_for) ArmTimer(s, deadline);
}

}  // namespace nimbus::net
