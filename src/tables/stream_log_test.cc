#include "tables/stream_log.h"
#include "tables/stream_subscription.h"

#include <gtest/gtest.h>

#include <thread>

#include "tables/table_service.h"

namespace nimbus::tables {
namespace {

Value S(std::string s) { return Value::S(std::move(s)); }
Value N(int64_t n) { return Value::N(Decimal::FromInt(n)); }

Item Row(int64_t id, const std::string& note = "") {
  Item i{{"id", N(id)}};
  if (!note.empty()) i["note"] = S(note);
  return i;
}

std::vector<int64_t> Ids(const std::vector<StreamRecord>& records) {
  std::vector<int64_t> out;
  for (const auto& r : records) out.push_back(std::stoll(r.keys.at("id").n().ToString()));
  return out;
}

class StreamSubscriptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_ = store::NewMemoryStore();
    service_ = std::make_unique<TableService>(*kv_);
    ASSERT_TRUE(service_->Open().ok());
    TableSchema t;
    t.name = "events";
    t.key.hash = {"id", ValueType::kN};
    t.attribute_definitions = {{"id", ValueType::kN}};
    t.billing_mode = "PAY_PER_REQUEST";
    t.streams.push_back(StreamInfo{});
    ASSERT_TRUE(service_->CreateTable(t).ok());
    arn_ = service_->ListStreams("events").at(0).arn;
  }

  void Put(int64_t id, const std::string& note = "") {
    ASSERT_TRUE(service_->PutItem("events", Row(id, note), nullptr).ok());
  }

  std::unique_ptr<StreamSubscription> Subscribe(uint64_t from, std::function<void()> hook = {}) {
    auto sub = service_->streams().Subscribe(arn_, from, std::move(hook));
    EXPECT_TRUE(sub.ok()) << sub.status().ToString();
    return sub.ok() ? std::move(*sub) : nullptr;
  }

  // Everything `sub` can read now, two records at a time.
  std::vector<int64_t> Drain(StreamSubscription& sub) {
    std::vector<int64_t> out;
    for (int guard = 0; guard < 100; ++guard) {
      auto records = sub.Read(2);
      EXPECT_TRUE(records.ok()) << records.status().ToString();
      if (!records.ok() || records->empty()) break;
      for (int64_t id : Ids(*records)) out.push_back(id);
    }
    return out;
  }

  std::unique_ptr<store::KvStore> kv_;
  std::unique_ptr<TableService> service_;
  std::string arn_;
};

TEST_F(StreamSubscriptionTest, ReadersAtTheirOwnPositionsEachSeeEveryRecordInOrder) {
  Put(1);
  Put(2);
  auto from_start = Subscribe(0);
  auto from_now = Subscribe(service_->DescribeStream(arn_)->next_sequence);
  Put(3);
  EXPECT_EQ(Drain(*from_start), (std::vector<int64_t>{1, 2, 3}));
  Put(4);
  Put(5);
  EXPECT_EQ(Drain(*from_now), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(Drain(*from_start), (std::vector<int64_t>{4, 5}));
  // One reader's reads move only its own position; Seek goes back.
  from_now->Seek(0);
  EXPECT_EQ(Drain(*from_now), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(Drain(*from_start).empty());
  EXPECT_EQ(from_start->position(), service_->DescribeStream(arn_)->next_sequence);
}

TEST_F(StreamSubscriptionTest, SubscribersAreToldOfAppendsAfterTheWrite) {
  std::vector<int64_t> seen_in_hook;
  std::thread::id hook_thread;
  std::unique_ptr<StreamSubscription> sub;
  int calls = 0;
  sub = Subscribe(0, [&] {
    ++calls;
    hook_thread = std::this_thread::get_id();
    // The write is done and its locks released: the record is readable and
    // the item may be written again.
    auto records = sub->Read(10);
    ASSERT_TRUE(records.ok());
    for (int64_t id : Ids(*records)) seen_in_hook.push_back(id);
    if (calls == 1) Put(1, "again");
  });
  Put(1);
  EXPECT_EQ(calls, 2);  // the write, then the hook's own
  EXPECT_EQ(hook_thread, std::this_thread::get_id());
  EXPECT_EQ(seen_in_hook, (std::vector<int64_t>{1, 1}));

  // No record, no call: an identical item, a failed condition.
  Put(1, "again");
  ExpressionContext ctx(nullptr, nullptr);
  auto absent = ParseCondition("attribute_not_exists(id)", ExpressionKind::kCondition, &ctx);
  ASSERT_TRUE(absent.ok());
  ASSERT_TRUE(service_->PutItem("events", Row(1, "other"), &*absent)->condition_failed);
  EXPECT_EQ(calls, 2);

  // A transaction of several items: one call, every record readable.
  std::vector<TransactAction> actions(3);
  for (int i = 0; i < 3; ++i) {
    actions[i].table = "events";
    actions[i].item = Row(10 + i);
  }
  ASSERT_FALSE(service_->TransactWrite(actions, "")->cancelled);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(seen_in_hook, (std::vector<int64_t>{1, 1, 10, 11, 12}));
}

TEST_F(StreamSubscriptionTest, AnUnsubscribedReaderSeesNothingMore) {
  int kept_calls = 0, gone_calls = 0;
  auto kept = Subscribe(0, [&] { ++kept_calls; });
  auto gone = Subscribe(0, [&] { ++gone_calls; });
  Put(1);
  EXPECT_EQ(gone_calls, 1);
  gone->Unsubscribe();
  Put(2);
  EXPECT_EQ(gone_calls, 1);
  EXPECT_EQ(gone->Read(10).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(kept_calls, 2);
  EXPECT_EQ(Drain(*kept), (std::vector<int64_t>{1, 2}));
  // A hook may end its own subscription; destroying one unsubscribes too.
  std::unique_ptr<StreamSubscription> once;
  int once_calls = 0;
  once = Subscribe(0, [&] {
    ++once_calls;
    once->Unsubscribe();
  });
  Put(3);
  Put(4);
  EXPECT_EQ(once_calls, 1);
  kept.reset();
  Put(5);
  EXPECT_EQ(kept_calls, 4);
}

TEST_F(StreamSubscriptionTest, AClosedStreamEndsAndANewOneStartsAfterIt) {
  auto sub = Subscribe(0);
  Put(1);
  TableService::TableUpdate off;
  off.stream_enabled = false;
  ASSERT_TRUE(service_->UpdateTable("events", off).ok());
  Put(2);  // not recorded
  // A stream's label is its creation time in milliseconds: let the next one differ.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  TableService::TableUpdate on;
  on.stream_enabled = true;
  ASSERT_TRUE(service_->UpdateTable("events", on).ok());
  Put(3);
  EXPECT_EQ(Drain(*sub), (std::vector<int64_t>{1}));
  auto streams = service_->ListStreams("events");
  ASSERT_EQ(streams.size(), 2u);
  auto next = service_->streams().Subscribe(streams[1].arn, 0, {});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Drain(**next), (std::vector<int64_t>{3}));
}

// The log on its own: a record waits for every lower sequence number of its
// table to be written or abandoned before readers see it.
TEST(StreamLogTest, ARecordStillBeingWrittenHoldsBackLaterOnes) {
  auto kv = store::NewMemoryStore();
  StreamLog log(*kv, Platform{}, std::chrono::hours(24));
  ASSERT_TRUE(log.Open().ok());
  TableSchema schema;
  schema.id = "t1";
  schema.name = "orders";
  schema.key.hash = {"id", ValueType::kN};
  StreamInfo info;
  info.label = "2024-01-01T00:00:00.000";
  info.first_sequence = 1;
  schema.streams.push_back(info);
  auto source = log.Track(std::make_shared<const TableSchema>(schema));
  std::string arn = log.Arn("orders", info.label);
  EXPECT_EQ(arn, "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/" + info.label);

  auto record = [](int64_t id) {
    StreamRecord r;
    r.event_name = "INSERT";
    r.keys = Row(id);
    r.new_image = Row(id);
    return r;
  };
  store::WriteBatch first_batch, second_batch;
  StreamLog::Appends first, second;
  log.Append(source, info, record(1), first_batch, first);
  log.Append(source, info, record(2), second_batch, second);
  // The second write finishes first.
  ASSERT_TRUE(kv->Write(second_batch).ok());
  log.Publish(second);
  EXPECT_TRUE(log.Read(arn, 0, 10)->empty());
  ASSERT_TRUE(kv->Write(first_batch).ok());
  log.Publish(first);
  EXPECT_EQ(Ids(*log.Read(arn, 0, 10)), (std::vector<int64_t>{1, 2}));

  // A batch that was never written leaves a gap, not a wall.
  {
    store::WriteBatch lost_batch;
    StreamLog::Appends lost;
    log.Append(source, info, record(3), lost_batch, lost);
  }
  store::WriteBatch batch;
  StreamLog::Appends appends;
  log.Append(source, info, record(4), batch, appends);
  ASSERT_TRUE(kv->Write(batch).ok());
  log.Publish(appends);
  EXPECT_EQ(Ids(*log.Read(arn, 3, 10)), (std::vector<int64_t>{4}));
  EXPECT_EQ(log.NextSequence(*source), 5u);
}

}  // namespace
}  // namespace nimbus::tables
