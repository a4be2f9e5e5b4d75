#include "invoker/output_capture.h"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include "core/time.h"

namespace nimbus::invoker {

OutputCapture::OutputCapture(LogSink& sink, std::string group, std::string stream)
    : sink_(sink), group_(std::move(group)), stream_(std::move(stream)) {}

OutputCapture::~OutputCapture() {
  Stop();
}

void OutputCapture::Watch(net::EventLoop& loop, UniqueFd read_end,
                          std::function<void()> on_readable) {
  std::lock_guard lock(mu_);
  output_ = std::move(read_end);
  watcher_ = loop.WatchReadable(output_.get(), std::move(on_readable));
}

void OutputCapture::Stop() {
  std::lock_guard lock(mu_);
  if (watcher_) watcher_->Stop();
  output_.Reset();
}

void OutputCapture::Drain() {
  std::lock_guard lock(mu_);
  DrainLocked();
}

void OutputCapture::DrainFor(Clock::time_point result_read) {
  std::lock_guard lock(mu_);
  if (result_read != Clock::time_point{} && last_drain_ >= result_read) return;
  DrainLocked();
}

void OutputCapture::DrainLocked() {
  if (!output_.valid()) return;
  last_drain_ = Clock::now();  // before the first read: what was written by now is read
  char buf[65536];
  while (true) {
    ssize_t n = ::read(output_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) {  // every writer is gone
        if (watcher_) watcher_->Stop();
        output_.Reset();
        if (!partial_line_.empty()) EmitLocked(std::exchange(partial_line_, {}), nullptr);
      }
      return;
    }
    partial_line_.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    while (true) {
      size_t nl = partial_line_.find('\n', start);
      if (nl == std::string::npos) break;
      EmitLocked(partial_line_.substr(start, nl - start), nullptr);
      start = nl + 1;
    }
    partial_line_.erase(0, start);
    if (partial_line_.size() > kMaxLineBytes) {
      EmitLocked(std::exchange(partial_line_, {}), nullptr);
    }
  }
}

void OutputCapture::Open(const std::string& request_id) {
  std::lock_guard lock(mu_);
  tails_.try_emplace(request_id);
}

void OutputCapture::Start(const std::string& request_id, const std::string& version) {
  std::lock_guard lock(mu_);
  auto it = tails_.find(request_id);
  EmitLocked(StartLine(request_id, version), it != tails_.end() ? &it->second : nullptr);
}

std::string OutputCapture::Close(const ReportFields& report) {
  std::lock_guard lock(mu_);
  auto it = tails_.find(report.request_id);
  std::string* owner = it != tails_.end() ? &it->second : nullptr;
  EmitLocked(EndLine(report.request_id), owner);
  EmitLocked(ReportLine(report), owner);
  if (owner == nullptr) return {};
  std::string tail = std::move(it->second);
  tails_.erase(it);
  if (tail.size() > kTailBytes) tail.erase(0, tail.size() - kTailBytes);
  return tail;
}

void OutputCapture::Emit(std::string line) {
  std::lock_guard lock(mu_);
  EmitLocked(std::move(line), nullptr);
}

void OutputCapture::EmitLocked(std::string line, std::string* owner) {
  auto attach = [&](std::string& log) {
    log += line;
    log += '\n';
    if (log.size() > 4 * kTailBytes) log.erase(0, log.size() - 2 * kTailBytes);
  };
  if (owner != nullptr) {
    attach(*owner);
  } else if (tails_.size() == 1) {
    attach(tails_.begin()->second);
  } else {
    for (auto& [id, log] : tails_) {
      if (line.find(id) != std::string::npos) attach(log);
    }
  }
  sink_.Append(group_, stream_, NowEpochMillis(), std::move(line));
}

}  // namespace nimbus::invoker
