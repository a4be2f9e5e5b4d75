// Logs: groups, streams and events, as CloudWatch Logs models them, kept in
// the key-value store. Function instances append through the LogSink
// interface (core/log_sink.h); appends are buffered in memory and written in
// batches by a background thread, so the invoke path does not wait on
// storage (but see the lock below).
//
// Ownership: the server owns it and borrows it to the invoker (as LogSink)
// and the CloudWatch Logs frontend, which are destroyed first; it borrows the
// store, which must outlive it. The destructor writes what is still queued
// and stops the writer thread.
//
// Threads: Open runs once, on the starting thread, before any Append. Every
// other method may be called from any thread: Append from the invoker's
// threads (under an instance's lock), the rest from the AWS endpoint's.
// One mutex guards the queue and the groups' and streams' metadata. Append
// holds it only to queue the line, but CreateGroup, CreateStream,
// SetRetention and DeleteGroup hold it across their store I/O, so an Append
// arriving meanwhile waits for that. Readers (Groups, Streams,
// HasStream) read memory; Filter and StreamEvents read the store outside the
// lock and see an appended event once the writer has stored it (Flush waits
// for that). Expired events are deleted on the writer thread, every ten
// minutes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/log_sink.h"
#include "store/kv_store.h"

namespace nimbus::observe {

struct LogEvent {
  std::string stream;
  int64_t timestamp_ms = 0;
  int64_t ingestion_ms = 0;
  std::string message;
  std::string event_id;
};

struct LogStreamInfo {
  std::string name;
  int64_t created_ms = 0;
  int64_t first_event_ms = 0;
  int64_t last_event_ms = 0;
  int64_t last_ingestion_ms = 0;
  uint64_t stored_bytes = 0;
};

struct LogGroupInfo {
  std::string name;
  int64_t created_ms = 0;
  uint64_t stored_bytes = 0;
  int retention_days = 0;  // 0: events never expire
};

struct FilterQuery {
  std::string group;
  std::vector<std::string> streams;  // empty: every stream
  std::string stream_prefix;
  std::optional<int64_t> start_ms;  // inclusive
  std::optional<int64_t> end_ms;    // inclusive
  std::string pattern;              // CloudWatch filter pattern (terms, "phrases", ?any)
  int limit = 10000;
  std::string next_token;
};

struct EventPage {
  std::vector<LogEvent> events;
  std::string next_token;  // empty when there is nothing more
};

class LogStore : public LogSink {
 public:
  explicit LogStore(store::KvStore& store);
  ~LogStore() override;

  // Loads group and stream metadata and starts the writer thread.
  Status Open();

  // LogSink
  void Append(const std::string& group, const std::string& stream, int64_t timestamp_ms,
              std::string message) override;
  // Writes everything appended so far.
  void Flush();

  // Sees every line as it is appended, before it is stored (`nimbus dev`
  // prints them). Called on the appending thread; keep it quick.
  using Tap = std::function<void(const std::string& group, const std::string& stream,
                                 int64_t timestamp_ms, const std::string& message)>;
  void SetTap(Tap tap);

  Status CreateGroup(const std::string& group);
  // A stream with no events yet (the group must exist).
  Status CreateStream(const std::string& group, const std::string& stream);
  bool HasStream(const std::string& group, const std::string& stream) const;
  Status DeleteGroup(const std::string& group);
  // How long the group's events are kept (PutRetentionPolicy); 0 keeps them
  // for ever (DeleteRetentionPolicy).
  Status SetRetention(const std::string& group, int days);
  // Deletes the events of every group with a retention period that are
  // older than it at `now_ms`, and returns how many went. The server calls
  // it now and then; until then expired events can still be read, as on
  // CloudWatch.
  Result<size_t> ExpireEvents(int64_t now_ms);
  std::vector<LogGroupInfo> Groups(const std::string& prefix) const;
  Result<std::vector<LogStreamInfo>> Streams(const std::string& group,
                                             const std::string& prefix) const;
  Result<EventPage> Filter(const FilterQuery& query) const;
  // One stream's events in time order, as GetLogEvents reads them: without a
  // position, the first `limit` events (from_head) or the last `limit`; with
  // `after_id`, the `limit` events after that event; with `before_id`, the
  // `limit` events just before it. Events come back oldest first.
  struct StreamRead {
    std::optional<int64_t> start_ms, end_ms;
    bool from_head = false;
    int limit = 10000;
    std::string after_id, before_id;
  };
  Result<std::vector<LogEvent>> StreamEvents(const std::string& group, const std::string& stream,
                                             const StreamRead& read) const;

  // Whether `message` matches a CloudWatch filter pattern (exposed for tests).
  static bool Matches(const std::string& pattern, const std::string& message);

 private:
  struct Pending {
    std::string group, stream, message;
    int64_t timestamp_ms, ingestion_ms;
  };
  struct GroupState {
    LogGroupInfo info;
    std::map<std::string, LogStreamInfo> streams;
  };

  void WriterLoop();
  void WriteBatch(std::vector<Pending>& batch);
  // ExpireEvents without the Flush (the writer thread calls it).
  Result<size_t> ExpireNow(int64_t now_ms);
  // The group's metadata record (under mu_).
  static std::string GroupJson(const LogGroupInfo& info);

  store::KvStore& store_;
  std::atomic<bool> has_tap_{false};  // lets Append skip the lock when there is no tap
  std::mutex tap_mu_;
  Tap tap_;
  mutable std::mutex mu_;  // guards groups_ and the queue
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::map<std::string, GroupState> groups_;
  std::vector<Pending> queue_;
  uint64_t enqueued_ = 0, written_ = 0;
  uint64_t seq_ = 0;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace nimbus::observe
