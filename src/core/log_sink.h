// Where function output goes: every line a function instance writes, and the
// platform's START/END/REPORT lines about it. The invoker writes to a
// LogSink; the log store (observe::LogStore) implements it, and the server
// wires the two. Tests implement it with an in-memory fake.
#pragma once

#include <cstdint>
#include <string>

namespace nimbus {

// Receives lines in order per stream. Called from any thread — the I/O
// threads that read an instance's output, or the thread that started an
// invocation — and while the caller holds an instance's lock: Append must
// not block (no disk, no lock held across I/O) and must not call back into
// the invoker. The implementation is owned by the server and outlives every
// caller.
class LogSink {
 public:
  virtual ~LogSink() = default;
  // One line of log `group` (a function's "/aws/lambda/NAME"), stream
  // `stream` (one per instance), at `timestamp_ms` since the epoch.
  virtual void Append(const std::string& group, const std::string& stream, int64_t timestamp_ms,
                      std::string message) = 0;
};

}  // namespace nimbus
