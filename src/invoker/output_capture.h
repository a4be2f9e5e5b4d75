// One instance's log stream: what its processes write to stdout and stderr
// (one pipe, read without blocking as it becomes readable), split into
// lines, and the platform's START/END/REPORT lines around each invocation,
// all handed to the LogSink in the order they happen. Each invocation keeps
// the lines that belong to it, for its result's log tail: the lines about
// it (START, END, REPORT), every line while it is the only invocation open,
// and, while several are, the lines that name its request id (runtimes
// prefix every line with it).
//
// Lifetime: a member of its Instance. Watch() starts reading the pipe; the
// owner's callback then calls Drain() on the loop; Stop() (or the end of
// the pipe) stops it.
//
// Threads: every method may be called from any thread; state is guarded by
// one mutex, taken after the owning Instance's when both are held. The
// LogSink is called under it (LogSink::Append never blocks).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "core/fs.h"
#include "invoker/interfaces.h"
#include "invoker/report.h"
#include "net/event_loop.h"

namespace nimbus::invoker {

class OutputCapture {
 public:
  using Clock = std::chrono::steady_clock;

  // How much of its log an invocation's result carries (Lambda's 4 KB).
  static constexpr size_t kTailBytes = 4096;
  // Lambda cuts longer lines; so does the capture.
  static constexpr size_t kMaxLineBytes = 256 * 1024;

  OutputCapture(LogSink& sink, std::string group, std::string stream);
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

  const std::string& group() const { return group_; }
  const std::string& stream() const { return stream_; }

  // Reads `read_end` (non-blocking) from now on: `on_readable` runs on
  // `loop` each time it has data, and should call Drain(). The owner makes
  // sure this object outlives the callback's calls into it.
  void Watch(net::EventLoop& loop, UniqueFd read_end, std::function<void()> on_readable);
  // Stops reading and closes the pipe; lines not yet read are lost.
  void Stop();

  // Reads everything in the pipe now, logging each whole line (and a
  // partial one once every writer is gone or it is too long).
  void Drain();
  // Drains unless a drain began after `result_read` (a result the runtime
  // posted after writing its last lines for it): those lines were in the
  // pipe by then. Results read together need one read of the pipe, not one
  // each. An unset time always drains.
  void DrainFor(Clock::time_point result_read);

  // An invocation the instance took: lines may belong to it from now on.
  void Open(const std::string& request_id);
  // Logs its START line.
  void Start(const std::string& request_id, const std::string& version);
  // Logs its END and REPORT lines and forgets it; returns its log tail (the
  // last kTailBytes of its lines).
  std::string Close(const ReportFields& report);
  // Logs a line the platform writes about the instance or its invocations
  // (an init error, how the runtime exited); it belongs to invocations as
  // the function's own lines do.
  void Emit(std::string line);

 private:
  // Logs `line`; `owner` is the invocation it is about, or null.
  void EmitLocked(std::string line, std::string* owner);
  void DrainLocked();

  LogSink& sink_;
  const std::string group_;
  const std::string stream_;

  std::mutex mu_;
  UniqueFd output_;
  net::FdWatcherPtr watcher_;
  std::string partial_line_;
  Clock::time_point last_drain_;  // when the last full drain began
  // The open invocations' lines, by request id (trimmed to a few KB).
  std::map<std::string, std::string, std::less<>> tails_;
};

}  // namespace nimbus::invoker
