#include "tables/stream_subscription.h"

#include <algorithm>

#include "tables/table_internal.h"

namespace nimbus::tables {

Result<std::unique_ptr<StreamSubscription>> StreamLog::Subscribe(const std::string& arn,
                                                                 uint64_t from,
                                                                 std::function<void()> on_append) {
  ASSIGN_OR_RETURN(auto found, Find(arn));
  auto hook = std::make_shared<StreamHook>();
  hook->on_append = std::move(on_append);
  const std::shared_ptr<TableStream>& source = found.first.source;
  if (hook->on_append) {
    std::lock_guard lock(source->mu);
    source->hooks.push_back(hook);
  }
  return std::unique_ptr<StreamSubscription>(new StreamSubscription(
      *this, source, arn, found.first.schema->streams[found.second].label, from, std::move(hook)));
}

StreamSubscription::StreamSubscription(StreamLog& log, std::shared_ptr<TableStream> source,
                                       std::string arn, std::string label, uint64_t from,
                                       std::shared_ptr<StreamHook> hook)
    : log_(log),
      source_(std::move(source)),
      arn_(std::move(arn)),
      label_(std::move(label)),
      position_(from),
      hook_(std::move(hook)) {}

StreamSubscription::~StreamSubscription() { Unsubscribe(); }

Result<std::vector<StreamRecord>> StreamSubscription::Read(int limit) {
  if (!subscribed_) return FailedPrecondition("The subscription to " + arn_ + " has ended");
  // The table's current streams (a stream enabled later changes the end of this one).
  StreamSnapshot snap = StreamSnapshot::Of(source_);
  const auto& streams = snap.schema->streams;
  auto it = std::find_if(streams.begin(), streams.end(),
                         [&](const StreamInfo& st) { return st.label == label_; });
  if (it == streams.end()) return NotFound("Requested resource not found: Stream: " + arn_);
  ASSIGN_OR_RETURN(auto records, log_.ReadFrom(snap, it - streams.begin(), position_, limit));
  if (!records.empty()) position_ = records.back().sequence + 1;
  return records;
}

void StreamSubscription::Unsubscribe() {
  if (!subscribed_.exchange(false)) return;
  {
    std::lock_guard lock(source_->mu);
    std::erase(source_->hooks, hook_);
  }
  std::lock_guard call(hook_->call_mu);  // waits for a hook running on another thread
  hook_->active = false;
}

}  // namespace nimbus::tables
