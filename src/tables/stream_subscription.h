// A reader that follows one table stream from its own position (event
// sources: each of a stream's event source mappings has one).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "tables/stream_log.h"

namespace nimbus::tables {

struct StreamHook;  // table_internal.h

// One reader of one stream, with its own position: it reads the stream in
// order and is told, through its hook, when records are appended to it.
//
// Lifetime: made by StreamLog::Subscribe; must be destroyed before the
// StreamLog (the TableService). Destroying it unsubscribes.
// Threads: Read, Seek and position() are called by the subscriber, one
// thread at a time; Unsubscribe from any thread, including from the hook.
// The hook runs on the thread that wrote the records (the caller of PutItem,
// UpdateItem, DeleteItem, BatchWrite or TransactWrite, or the TTL sweeper's
// thread) after that write's locks are released; calls to one subscription's
// hook never overlap. It should only note the news and return (signal a
// condition variable, post to an event loop): the writer waits for it. It
// may be called when nothing new is readable (a record that was abandoned,
// or one of a later stream of the same table).
class StreamSubscription {
 public:
  ~StreamSubscription();
  StreamSubscription(const StreamSubscription&) = delete;
  StreamSubscription& operator=(const StreamSubscription&) = delete;

  const std::string& arn() const { return arn_; }
  // The next sequence number Read starts from.
  uint64_t position() const { return position_.load(); }
  // Reads from `sequence` on next (to read records again, or skip ahead).
  void Seek(uint64_t sequence) { position_ = sequence; }
  // The stream's next records from the position on, at most `limit`, in
  // order; the position moves past them. FailedPrecondition once unsubscribed.
  Result<std::vector<StreamRecord>> Read(int limit);
  // Stops the hook and the reads. When it returns, the hook is not running
  // (unless on this very thread) and will not be called again.
  void Unsubscribe();

 private:
  friend class StreamLog;
  StreamSubscription(StreamLog& log, std::shared_ptr<TableStream> source, std::string arn,
                     std::string label, uint64_t from, std::shared_ptr<StreamHook> hook);

  StreamLog& log_;
  std::shared_ptr<TableStream> source_;
  const std::string arn_;
  const std::string label_;
  std::atomic<uint64_t> position_;
  std::shared_ptr<StreamHook> hook_;
  std::atomic<bool> subscribed_{true};
};

}  // namespace nimbus::tables
