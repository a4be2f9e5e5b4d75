#include "observe/log_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "store/keyspace.h"

namespace nimbus::observe {
namespace {

// Key layout (all under store::keyspace::kLogs, "log/"):
//   log/g/<group>                      group metadata (JSON)
//   log/s/<group>\0<stream>            stream metadata (JSON)
//   log/e/<group>\0<ts:8><seq:8>       event: <stream>\0<ingestion:8><message>
// Events of a group are ordered by time, which is what FilterLogEvents reads.
constexpr std::string_view kGroup = store::keyspace::kLogGroups;
constexpr std::string_view kStream = store::keyspace::kLogStreams;
constexpr std::string_view kEvent = store::keyspace::kLogEvents;

void PutBe64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}
uint64_t GetBe64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}
// Timestamps are signed; flip the sign bit so that byte order is numeric order.
uint64_t OrderedTs(int64_t ts) {
  return static_cast<uint64_t>(ts) ^ (1ull << 63);
}
int64_t FromOrderedTs(uint64_t v) {
  return static_cast<int64_t>(v ^ (1ull << 63));
}

std::string EventPrefix(const std::string& group) {
  std::string k(kEvent);
  k += group;
  k.push_back('\0');
  return k;
}

std::string EventKey(const std::string& group, int64_t ts, uint64_t seq) {
  std::string k = EventPrefix(group);
  PutBe64(k, OrderedTs(ts));
  PutBe64(k, seq);
  return k;
}

bool DecodeEvent(std::string_view key_suffix, std::string_view value, LogEvent* ev) {
  if (key_suffix.size() != 16) return false;
  size_t nul = value.find('\0');
  if (nul == std::string_view::npos || value.size() < nul + 9) return false;
  ev->timestamp_ms = FromOrderedTs(GetBe64(key_suffix));
  ev->event_id = Hex(key_suffix);
  ev->stream = std::string(value.substr(0, nul));
  ev->ingestion_ms = static_cast<int64_t>(GetBe64(value.substr(nul + 1, 8)));
  ev->message = std::string(value.substr(nul + 9));
  return true;
}

std::string StreamJson(const LogStreamInfo& s) {
  json::object o;
  o["created"] = s.created_ms;
  o["first"] = s.first_event_ms;
  o["last"] = s.last_event_ms;
  o["ingest"] = s.last_ingestion_ms;
  o["bytes"] = s.stored_bytes;
  return json::serialize(o);
}

int64_t JsonInt(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

// Splits a filter pattern into terms; "quoted phrases" stay whole. Terms
// starting with '?' are alternatives (any of them); others are all required.
struct Terms {
  std::vector<std::string> all, any;
};
Terms ParsePattern(const std::string& pattern) {
  Terms t;
  size_t i = 0;
  while (i < pattern.size()) {
    while (i < pattern.size() && pattern[i] == ' ') ++i;
    if (i >= pattern.size()) break;
    bool optional = pattern[i] == '?';
    if (optional) ++i;
    std::string term;
    if (i < pattern.size() && pattern[i] == '"') {
      size_t end = pattern.find('"', i + 1);
      if (end == std::string::npos) end = pattern.size();
      term = pattern.substr(i + 1, end - i - 1);
      i = end + 1;
    } else {
      size_t end = pattern.find(' ', i);
      if (end == std::string::npos) end = pattern.size();
      term = pattern.substr(i, end - i);
      i = end;
    }
    if (term.empty()) continue;
    (optional ? t.any : t.all).push_back(term);
  }
  return t;
}

}  // namespace

bool LogStore::Matches(const std::string& pattern, const std::string& message) {
  if (Trim(pattern).empty()) return true;
  Terms t = ParsePattern(pattern);
  for (const auto& term : t.all) {
    if (message.find(term) == std::string::npos) return false;
  }
  if (t.any.empty()) return true;
  for (const auto& term : t.any) {
    if (message.find(term) != std::string::npos) return true;
  }
  return false;
}

LogStore::LogStore(store::KvStore& store) : store_(store) {}

LogStore::~LogStore() {
  Flush();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

Status LogStore::Open() {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(store_.Scan(kGroup, "", [&](std::string_view key, std::string_view value) {
    std::string name(key.substr(kGroup.size()));
    auto v = ParseJson(value);
    GroupState& g = groups_[name];
    g.info.name = name;
    if (v.ok() && v->is_object()) {
      g.info.created_ms = JsonInt(v->get_object(), "created");
      g.info.retention_days = static_cast<int>(JsonInt(v->get_object(), "retention"));
    }
    return true;
  }));
  RETURN_IF_ERROR(store_.Scan(kStream, "", [&](std::string_view key, std::string_view value) {
    std::string_view rest = key.substr(kStream.size());
    size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) return true;
    std::string group(rest.substr(0, nul)), stream(rest.substr(nul + 1));
    auto v = ParseJson(value);
    LogStreamInfo s;
    s.name = stream;
    if (v.ok() && v->is_object()) {
      const auto& o = v->get_object();
      s.created_ms = JsonInt(o, "created");
      s.first_event_ms = JsonInt(o, "first");
      s.last_event_ms = JsonInt(o, "last");
      s.last_ingestion_ms = JsonInt(o, "ingest");
      s.stored_bytes = static_cast<uint64_t>(JsonInt(o, "bytes"));
    }
    GroupState& g = groups_[group];
    g.info.name = group;
    g.info.stored_bytes += s.stored_bytes;
    g.streams[stream] = s;
    return true;
  }));
  writer_ = std::thread([this] { WriterLoop(); });
  return Status::Ok();
}

void LogStore::Append(const std::string& group, const std::string& stream, int64_t timestamp_ms,
                      std::string message) {
  if (has_tap_.load(std::memory_order_acquire)) {
    std::lock_guard lock(tap_mu_);
    if (tap_) tap_(group, stream, timestamp_ms, message);
  }
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    was_empty = queue_.empty();
    queue_.push_back({group, stream, std::move(message), timestamp_ms, NowEpochMillis()});
    ++enqueued_;
  }
  if (was_empty) cv_.notify_one();  // the writer is asleep only when the queue is empty
}

void LogStore::SetTap(Tap tap) {
  std::lock_guard lock(tap_mu_);
  tap_ = std::move(tap);
  has_tap_.store(static_cast<bool>(tap_), std::memory_order_release);
}

void LogStore::Flush() {
  std::unique_lock lock(mu_);
  uint64_t target = enqueued_;
  cv_.notify_one();
  flushed_cv_.wait(lock, [&] { return written_ >= target || !writer_.joinable(); });
}

void LogStore::WriterLoop() {
  // Expired events (groups with a retention period) go every ten minutes,
  // on this thread, so that neither appends nor requests wait for it.
  constexpr auto kExpiryInterval = std::chrono::minutes(10);
  auto next_expiry = std::chrono::steady_clock::now() + kExpiryInterval;
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_until(lock, next_expiry, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    if (std::chrono::steady_clock::now() >= next_expiry) {
      lock.unlock();
      auto expired = ExpireNow(NowEpochMillis());
      if (!expired.ok()) spdlog::warn("logs: expiring old events: {}", expired.status().ToString());
      lock.lock();
      next_expiry = std::chrono::steady_clock::now() + kExpiryInterval;
    }
    if (queue_.empty()) continue;
    // Let a burst accumulate briefly so that it lands in one write.
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lock.lock();
    std::vector<Pending> batch;
    batch.swap(queue_);
    lock.unlock();
    WriteBatch(batch);
    lock.lock();
    written_ += batch.size();
    flushed_cv_.notify_all();
  }
}

void LogStore::WriteBatch(std::vector<Pending>& batch) {
  store::WriteBatch wb;
  {
    std::lock_guard lock(mu_);
    // Streams whose record changes, each once; a batch is mostly runs of
    // lines from the same stream, so the last one looked up is kept at hand.
    std::vector<std::pair<const std::string*, LogStreamInfo*>> touched;
    GroupState* g = nullptr;
    LogStreamInfo* s = nullptr;
    for (Pending& p : batch) {
      if (g == nullptr || g->info.name != p.group || s->name != p.stream) {
        auto [git, new_group] = groups_.try_emplace(p.group);
        g = &git->second;
        if (new_group) {
          g->info.name = p.group;
          g->info.created_ms = p.ingestion_ms;
          wb.Put(std::string(kGroup) + p.group, GroupJson(g->info));
        }
        auto [sit, new_stream] = g->streams.try_emplace(p.stream);
        s = &sit->second;
        if (new_stream) {
          s->name = p.stream;
          s->created_ms = p.ingestion_ms;
        }
        touched.emplace_back(&git->first, s);
      }
      // 0 until the stream's first event (CreateStream makes empty streams).
      if (s->first_event_ms == 0 || p.timestamp_ms < s->first_event_ms) {
        s->first_event_ms = p.timestamp_ms;
      }
      s->last_event_ms = std::max(s->last_event_ms, p.timestamp_ms);
      s->last_ingestion_ms = p.ingestion_ms;
      s->stored_bytes += p.message.size();
      g->info.stored_bytes += p.message.size();
      std::string value;
      value.reserve(p.stream.size() + 9 + p.message.size());
      value += p.stream;
      value.push_back('\0');
      PutBe64(value, static_cast<uint64_t>(p.ingestion_ms));
      value += p.message;
      wb.PutOwned(EventKey(p.group, p.timestamp_ms, ++seq_), std::move(value));
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (const auto& [group, stream] : touched) {
      std::string key(kStream);
      key += *group;
      key.push_back('\0');
      key += stream->name;
      wb.Put(key, StreamJson(*stream));
    }
  }
  store_.Write(wb).IgnoreError();  // logs are best effort; the server keeps running
}

Status LogStore::CreateGroup(const std::string& group) {
  std::lock_guard lock(mu_);
  if (groups_.count(group)) return AlreadyExists("The specified log group already exists");
  GroupState& g = groups_[group];
  g.info.name = group;
  g.info.created_ms = NowEpochMillis();
  return store_.Put(std::string(kGroup) + group, GroupJson(g.info));
}

std::string LogStore::GroupJson(const LogGroupInfo& info) {
  json::object o;
  o["created"] = info.created_ms;
  if (info.retention_days > 0) o["retention"] = info.retention_days;
  return json::serialize(o);
}

Status LogStore::SetRetention(const std::string& group, int days) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return NotFound("The specified log group does not exist.");
  LogGroupInfo changed = it->second.info;
  changed.retention_days = days;
  RETURN_IF_ERROR(store_.Put(std::string(kGroup) + group, GroupJson(changed)));
  it->second.info.retention_days = days;
  return Status::Ok();
}

Result<size_t> LogStore::ExpireEvents(int64_t now_ms) {
  Flush();  // appended events are in the store, so their sizes are counted once
  return ExpireNow(now_ms);
}

Result<size_t> LogStore::ExpireNow(int64_t now_ms) {
  std::vector<std::pair<std::string, int64_t>> due;  // group, cutoff
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, g] : groups_) {
      if (g.info.retention_days > 0) {
        due.emplace_back(name, now_ms - int64_t{g.info.retention_days} * 86'400'000);
      }
    }
  }
  size_t expired = 0;
  for (const auto& [group, cutoff] : due) {
    // Events are ordered by time within the group: the expired ones are a
    // run at its start. Deleted a bounded batch at a time.
    std::string prefix = EventPrefix(group);
    std::string end = prefix;
    PutBe64(end, OrderedTs(cutoff));
    std::string resume;  // where the next batch starts (past the deleted ones)
    bool more = true;
    while (more) {
      store::WriteBatch wb;
      std::map<std::string, uint64_t> freed;  // stream -> bytes
      size_t deleted = 0;
      more = false;
      RETURN_IF_ERROR(
          store_.Scan(prefix, resume, [&](std::string_view key, std::string_view value) {
            if (key >= std::string_view(end)) return false;
            if (deleted == 10'000) {
              more = true;
              resume = key;
              return false;
            }
            ++deleted;
            size_t nul = value.find('\0');
            if (nul != std::string_view::npos && value.size() >= nul + 9) {
              freed[std::string(value.substr(0, nul))] += value.size() - nul - 9;
            }
            wb.Delete(key);
            return true;
          }));
      if (deleted == 0) break;
      std::unique_lock lock(mu_);
      auto git = groups_.find(group);
      if (git == groups_.end()) break;  // deleted meanwhile
      for (const auto& [stream, bytes] : freed) {
        auto sit = git->second.streams.find(stream);
        if (sit == git->second.streams.end()) continue;
        LogStreamInfo& info = sit->second;
        info.stored_bytes -= std::min(info.stored_bytes, bytes);
        git->second.info.stored_bytes -= std::min(git->second.info.stored_bytes, bytes);
        std::string key(kStream);
        key += group;
        key.push_back('\0');
        key += stream;
        wb.Put(key, StreamJson(info));
      }
      lock.unlock();
      RETURN_IF_ERROR(store_.Write(wb));
      expired += deleted;
    }
  }
  return expired;
}

Status LogStore::DeleteGroup(const std::string& group) {
  Flush();
  std::lock_guard lock(mu_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return NotFound("The specified log group does not exist.");
  store::WriteBatch wb;
  wb.Delete(std::string(kGroup) + group);
  for (const auto& [name, s] : it->second.streams) {
    std::string key(kStream);
    key += group;
    key.push_back('\0');
    key += name;
    wb.Delete(key);
  }
  RETURN_IF_ERROR(store_.Scan(EventPrefix(group), "", [&](std::string_view k, std::string_view) {
    wb.Delete(k);
    return true;
  }));
  RETURN_IF_ERROR(store_.Write(wb));
  groups_.erase(it);
  return Status::Ok();
}

std::vector<LogGroupInfo> LogStore::Groups(const std::string& prefix) const {
  std::lock_guard lock(mu_);
  std::vector<LogGroupInfo> out;
  for (auto it = groups_.lower_bound(prefix); it != groups_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    out.push_back(it->second.info);
  }
  return out;
}

Result<std::vector<LogStreamInfo>> LogStore::Streams(const std::string& group,
                                                     const std::string& prefix) const {
  std::lock_guard lock(mu_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return NotFound("The specified log group does not exist.");
  std::vector<LogStreamInfo> out;
  for (const auto& [name, s] : it->second.streams) {
    if (name.starts_with(prefix)) out.push_back(s);
  }
  return out;
}

Result<EventPage> LogStore::Filter(const FilterQuery& q) const {
  {
    std::lock_guard lock(mu_);
    if (!groups_.count(q.group)) return NotFound("The specified log group does not exist.");
  }
  std::string prefix = EventPrefix(q.group);
  std::string start = prefix;
  if (!q.next_token.empty()) {
    auto raw = Unhex(q.next_token);
    if (!raw || raw->size() != 16) return InvalidArgument("The specified nextToken is invalid.");
    start += *raw;
    start.push_back('\0');  // strictly after the last event returned
  } else if (q.start_ms) {
    PutBe64(start, OrderedTs(*q.start_ms));
  }
  int limit = q.limit <= 0 || q.limit > 10000 ? 10000 : q.limit;
  EventPage page;
  std::string last_suffix;
  size_t scanned = 0;
  bool more = false;
  Status s = store_.Scan(prefix, start, [&](std::string_view key, std::string_view value) {
    LogEvent ev;
    if (!DecodeEvent(key.substr(prefix.size()), value, &ev)) return true;
    if (q.end_ms && ev.timestamp_ms > *q.end_ms) return false;
    if (static_cast<int>(page.events.size()) >= limit || ++scanned > 100000) {
      more = true;
      return false;
    }
    last_suffix = std::string(key.substr(prefix.size()));
    bool stream_ok = q.streams.empty() ||
                     std::find(q.streams.begin(), q.streams.end(), ev.stream) != q.streams.end();
    if (stream_ok && ev.stream.starts_with(q.stream_prefix) && Matches(q.pattern, ev.message)) {
      page.events.push_back(std::move(ev));
    }
    return true;
  });
  RETURN_IF_ERROR(s);
  if (more && !last_suffix.empty()) page.next_token = Hex(last_suffix);
  return page;
}

Result<std::vector<LogEvent>> LogStore::StreamEvents(const std::string& group,
                                                     const std::string& stream,
                                                     const StreamRead& r) const {
  if (!HasStream(group, stream)) {
    std::lock_guard lock(mu_);
    if (!groups_.count(group)) return NotFound("The specified log group does not exist.");
    return NotFound("The specified log stream does not exist.");
  }
  int limit = r.limit <= 0 || r.limit > 10000 ? 10000 : r.limit;
  std::string prefix = EventPrefix(group);
  auto in_range = [&](const LogEvent& e) {
    return e.stream == stream && (!r.start_ms || e.timestamp_ms >= *r.start_ms) &&
           (!r.end_ms || e.timestamp_ms <= *r.end_ms);
  };
  std::vector<LogEvent> out;
  auto it = store_.NewIterator();
  bool backward = !r.before_id.empty() || (r.after_id.empty() && !r.from_head);
  if (backward) {
    // Newest first from the position, then reversed.
    std::string from = store::PrefixEnd(prefix);
    if (!r.before_id.empty()) {
      auto raw = Unhex(r.before_id);
      if (!raw || raw->size() != 16) return InvalidArgument("The specified nextToken is invalid.");
      from = prefix + *raw;
    }
    it->SeekForPrev(from);
    if (it->Valid() && it->key() == from) it->Prev();
    for (; it->Valid() && it->key().starts_with(prefix) && static_cast<int>(out.size()) < limit;
         it->Prev()) {
      LogEvent ev;
      if (DecodeEvent(it->key().substr(prefix.size()), it->value(), &ev) && in_range(ev)) {
        out.push_back(std::move(ev));
      }
    }
    std::reverse(out.begin(), out.end());
  } else {
    std::string from = prefix;
    if (!r.after_id.empty()) {
      auto raw = Unhex(r.after_id);
      if (!raw || raw->size() != 16) return InvalidArgument("The specified nextToken is invalid.");
      from = prefix + *raw;
      from.push_back('\0');
    }
    it->Seek(from);
    for (; it->Valid() && it->key().starts_with(prefix) && static_cast<int>(out.size()) < limit;
         it->Next()) {
      LogEvent ev;
      if (DecodeEvent(it->key().substr(prefix.size()), it->value(), &ev) && in_range(ev)) {
        out.push_back(std::move(ev));
      }
    }
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

Status LogStore::CreateStream(const std::string& group, const std::string& stream) {
  std::lock_guard lock(mu_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return NotFound("The specified log group does not exist.");
  if (g->second.streams.count(stream))
    return AlreadyExists("The specified log stream already exists");
  LogStreamInfo& s = g->second.streams[stream];
  s.name = stream;
  s.created_ms = NowEpochMillis();
  std::string key(kStream);
  key += group;
  key.push_back('\0');
  key += stream;
  return store_.Put(key, StreamJson(s));
}

bool LogStore::HasStream(const std::string& group, const std::string& stream) const {
  std::lock_guard lock(mu_);
  auto g = groups_.find(group);
  return g != groups_.end() && g->second.streams.count(stream) > 0;
}

}  // namespace nimbus::observe
