#include "tables/table_service.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace nimbus::tables {
namespace {

Value S(std::string s) { return Value::S(std::move(s)); }
Value N(int64_t n) { return Value::N(Decimal::FromInt(n)); }

class TableServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_ = store::NewMemoryStore();
    service_ = std::make_unique<TableService>(*kv_);
    ASSERT_TRUE(service_->Open().ok());
    TableSchema t;
    t.name = "orders";
    t.key.hash = {"pk", ValueType::kS};
    t.key.range = KeyAttribute{"sk", ValueType::kN};
    t.attribute_definitions = {{"pk", ValueType::kS}, {"sk", ValueType::kN},
                               {"status", ValueType::kS}, {"at", ValueType::kN}};
    t.billing_mode = "PAY_PER_REQUEST";
    IndexSchema gsi;
    gsi.name = "byStatus";
    gsi.key.hash = {"status", ValueType::kS};
    gsi.key.range = KeyAttribute{"sk", ValueType::kN};
    t.indexes.push_back(gsi);
    IndexSchema lsi;
    lsi.name = "byTime";
    lsi.global = false;
    lsi.key.hash = {"pk", ValueType::kS};
    lsi.key.range = KeyAttribute{"at", ValueType::kN};
    lsi.projection = ProjectionType::kKeysOnly;
    t.indexes.push_back(lsi);
    StreamInfo stream;
    stream.view = StreamViewType::kNewAndOldImages;
    t.streams.push_back(stream);
    auto created = service_->CreateTable(t);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }

  Item Order(const std::string& pk, int64_t sk, const std::string& status = "", int64_t at = 0) {
    Item i{{"pk", S(pk)}, {"sk", N(sk)}};
    if (!status.empty()) i["status"] = S(status);
    if (at) i["at"] = N(at);
    return i;
  }

  Result<Condition> Cond(const std::string& text, ExpressionValues values = {}) {
    ExpressionContext ctx(nullptr, values.empty() ? nullptr : &values);
    return ParseCondition(text, ExpressionKind::kCondition, &ctx);
  }

  Result<KeyCondition> Key(const std::string& text, const KeySchema& schema,
                           ExpressionValues values) {
    ExpressionContext ctx(nullptr, &values);
    return ParseKeyCondition(text, schema, &ctx);
  }

  std::unique_ptr<store::KvStore> kv_;
  std::unique_ptr<TableService> service_;
};

TEST_F(TableServiceTest, CreateDescribeListDelete) {
  auto d = service_->DescribeTable("orders");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->indexes.size(), 2u);
  EXPECT_NE(d->ActiveStream(), nullptr);
  TableSchema dup = *d;
  EXPECT_EQ(service_->CreateTable(dup).status().code(), Code::kAlreadyExists);
  bool more = false;
  EXPECT_EQ(service_->ListTables("", 10, &more), std::vector<std::string>{"orders"});
  ASSERT_TRUE(service_->DeleteTable("orders").ok());
  EXPECT_EQ(service_->DescribeTable("orders").status().code(), Code::kNotFound);
}

TEST_F(TableServiceTest, PutGetUpdateDeleteWithConditions) {
  ASSERT_TRUE(service_->PutItem("orders", Order("a", 1, "new"), nullptr).ok());
  auto got = service_->GetItem("orders", {{"pk", S("a")}, {"sk", N(1)}});
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((**got).at("status"), S("new"));

  auto not_exists = Cond("attribute_not_exists(pk)");
  ASSERT_TRUE(not_exists.ok());
  auto again = service_->PutItem("orders", Order("a", 1, "other"), &*not_exists);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->condition_failed);
  EXPECT_EQ(again->old_item->at("status"), S("new"));

  ExpressionValues v{{":s", S("paid")}, {":one", N(1)}};
  ExpressionContext ctx(nullptr, &v);
  auto plan = ParseUpdate("SET #s = :s ADD n :one", &ctx);
  ASSERT_FALSE(plan.ok());  // #s is not defined
  ExpressionNames names{{"#s", "status"}};
  ExpressionContext ctx2(&names, &v);
  plan = ParseUpdate("SET #s = :s ADD n :one", &ctx2);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto updated = service_->UpdateItem("orders", {{"pk", S("a")}, {"sk", N(1)}}, &*plan, nullptr);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->new_item->at("status"), S("paid"));
  EXPECT_EQ(updated->new_item->at("n"), N(1));

  EXPECT_EQ(service_->GetItem("orders", {{"pk", S("a")}}).status().message(),
            "The provided key element does not match the schema");
  auto bad_type = service_->PutItem("orders", Item{{"pk", N(1)}, {"sk", N(1)}}, nullptr);
  EXPECT_EQ(bad_type.status().message(),
            "One or more parameter values were invalid: Type mismatch for key pk expected: S "
            "actual: N");
  auto gsi_type = service_->PutItem("orders", Item{{"pk", S("x")}, {"sk", N(1)}, {"status", N(3)}}, nullptr);
  EXPECT_NE(gsi_type.status().message().find("Type mismatch for Index Key status"), std::string::npos);

  auto del = service_->DeleteItem("orders", {{"pk", S("a")}, {"sk", N(1)}}, nullptr);
  ASSERT_TRUE(del.ok());
  EXPECT_TRUE(del->old_item.has_value());
  EXPECT_FALSE(service_->GetItem("orders", {{"pk", S("a")}, {"sk", N(1)}})->has_value());
  EXPECT_EQ(service_->Stats("orders").item_count, 0);
}

TEST_F(TableServiceTest, QueryRangesDirectionsAndPages) {
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(service_->PutItem("orders", Order("p", i, i % 2 ? "odd" : "even", 100 - i), nullptr).ok());
  }
  ASSERT_TRUE(service_->PutItem("orders", Order("q", 5), nullptr).ok());
  KeySchema key = service_->DescribeTable("orders")->key;
  QueryRequest q;
  q.table = "orders";
  auto kc = Key("pk = :p AND sk BETWEEN :a AND :b", key, {{":p", S("p")}, {":a", N(3)}, {":b", N(6)}});
  ASSERT_TRUE(kc.ok()) << kc.status().ToString();
  q.key_condition = *kc;
  auto page = service_->Query(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 4u);
  EXPECT_EQ(page->items.front().at("sk"), N(3));
  q.forward = false;
  page = service_->Query(q);
  EXPECT_EQ(page->items.front().at("sk"), N(6));

  // Pages of 3 over the whole partition, newest first.
  q.key_condition = *Key("pk = :p", key, {{":p", S("p")}});
  q.limit = 3;
  std::vector<int64_t> seen;
  for (int guard = 0; guard < 10; ++guard) {
    auto p = service_->Query(q);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (auto& item : p->items) seen.push_back(std::stoll(item.at("sk").n().ToString()));
    if (!p->last_evaluated_key) break;
    q.exclusive_start_key = p->last_evaluated_key;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}));

  // The global index, sparse: items without status are absent.
  QueryRequest gq;
  gq.table = "orders";
  gq.index = "byStatus";
  KeySchema gkey = service_->DescribeTable("orders")->FindIndex("byStatus")->key;
  ExpressionNames n{{"#st", "status"}};
  ExpressionValues vals{{":s", S("odd")}, {":x", N(4)}};
  ExpressionContext c(&n, &vals);
  gq.key_condition = *ParseKeyCondition("#st = :s AND sk > :x", gkey, &c);
  auto g = service_->Query(gq);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ(g->items.size(), 3u);  // 5, 7, 9
  EXPECT_EQ(g->items[0].at("sk"), N(5));

  // The local index orders by `at` and projects keys only.
  QueryRequest lq;
  lq.table = "orders";
  lq.index = "byTime";
  KeySchema lkey = service_->DescribeTable("orders")->FindIndex("byTime")->key;
  ExpressionNames an{{"#a", "at"}};
  ExpressionValues av{{":p", S("p")}, {":t", N(93)}};
  ExpressionContext ac(&an, &av);
  lq.key_condition = *ParseKeyCondition("pk = :p AND #a < :t", lkey, &ac);
  auto l = service_->Query(lq);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->items.size(), 3u);  // at 90, 91, 92
  EXPECT_EQ(l->items[0].at("at"), N(90));
  EXPECT_EQ(l->items[0].count("status"), 0u);
  lq.fetch_table_items = true;
  EXPECT_EQ(service_->Query(lq)->items[0].count("status"), 1u);
}

TEST_F(TableServiceTest, ScanSegmentsCoverEverythingOnce) {
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(service_->PutItem("orders", Order("k" + std::to_string(i), i), nullptr).ok());
  size_t total = 0;
  for (int s = 0; s < 4; ++s) {
    ScanRequest q;
    q.table = "orders";
    q.segment = s;
    q.total_segments = 4;
    total += service_->Scan(q)->items.size();
  }
  EXPECT_EQ(total, 40u);
  ScanRequest limited;
  limited.table = "orders";
  limited.limit = 7;
  auto page = service_->Scan(limited);
  EXPECT_EQ(page->items.size(), 7u);
  EXPECT_TRUE(page->last_evaluated_key.has_value());
}

TEST_F(TableServiceTest, QueryAndScanPageAlike) {
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(service_->PutItem("orders", Order("g", i, "open"), nullptr).ok());
  }
  KeySchema key = service_->DescribeTable("orders")->key;
  auto none = Cond("attribute_exists(nothere)");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  // Limit counts the items read, before the filter; the page ends at the last one read.
  QueryRequest q;
  q.table = "orders";
  q.key_condition = *Key("pk = :p", key, {{":p", S("g")}});
  q.filter = &*none;
  q.limit = 3;
  ScanRequest sc;
  sc.table = "orders";
  sc.filter = &*none;
  sc.limit = 3;
  for (auto page : {service_->Query(q), service_->Scan(sc)}) {
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_TRUE(page->items.empty());
    EXPECT_EQ(page->scanned, 3);
    ASSERT_TRUE(page->last_evaluated_key.has_value());
    EXPECT_EQ(page->last_evaluated_key->at("sk"), N(3));
  }
  // A starting key holds the key attributes and nothing else, for both.
  Item extra = {{"pk", S("g")}, {"sk", N(1)}, {"status", S("open")}};
  q.exclusive_start_key = extra;
  sc.exclusive_start_key = extra;
  for (auto page : {service_->Query(q), service_->Scan(sc)}) {
    EXPECT_EQ(page.status().message(),
              "The provided starting key is invalid: The provided key element does not match "
              "the schema");
  }
  // An index page's last key is the table's key and the index's.
  ScanRequest by_status;
  by_status.table = "orders";
  by_status.index = "byStatus";
  by_status.limit = 4;
  auto page = service_->Scan(by_status);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 4u);
  EXPECT_EQ(page->last_evaluated_key->size(), 3u);  // pk, sk, status
  by_status.exclusive_start_key = page->last_evaluated_key;
  by_status.limit = 0;
  EXPECT_EQ(service_->Scan(by_status)->items.size(), 6u);
}

TEST_F(TableServiceTest, StreamsRecordEveryChangeInOrder) {
  ASSERT_TRUE(service_->PutItem("orders", Order("s", 1, "a"), nullptr).ok());
  ASSERT_TRUE(service_->PutItem("orders", Order("s", 1, "a"), nullptr).ok());  // identical: no record
  ASSERT_TRUE(service_->PutItem("orders", Order("s", 1, "b"), nullptr).ok());
  ASSERT_TRUE(service_->DeleteItem("orders", {{"pk", S("s")}, {"sk", N(1)}}, nullptr).ok());
  ASSERT_TRUE(service_->DeleteItem("orders", {{"pk", S("s")}, {"sk", N(1)}}, nullptr).ok());  // none
  auto streams = service_->ListStreams("orders");
  ASSERT_EQ(streams.size(), 1u);
  auto records = service_->ReadStream(streams[0].arn, 0, 100);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].event_name, "INSERT");
  EXPECT_EQ((*records)[1].event_name, "MODIFY");
  EXPECT_EQ((*records)[1].old_image->at("status"), S("a"));
  EXPECT_EQ((*records)[1].new_image->at("status"), S("b"));
  EXPECT_EQ((*records)[2].event_name, "REMOVE");
  EXPECT_LT((*records)[0].sequence, (*records)[2].sequence);
  auto after = service_->ReadStream(streams[0].arn, (*records)[1].sequence + 1, 100);
  EXPECT_EQ(after->size(), 1u);
}

TEST_F(TableServiceTest, TtlHidesAndSweepsExpiredItems) {
  ASSERT_TRUE(service_->UpdateTimeToLive("orders", true, "expires").ok());
  Item old = Order("t", 1);
  old["expires"] = N(NowEpochMillis() / 1000 - 10);
  Item fresh = Order("t", 2);
  fresh["expires"] = N(NowEpochMillis() / 1000 + 3600);
  ASSERT_TRUE(service_->PutItem("orders", old, nullptr).ok());
  ASSERT_TRUE(service_->PutItem("orders", fresh, nullptr).ok());
  EXPECT_FALSE(service_->GetItem("orders", {{"pk", S("t")}, {"sk", N(1)}})->has_value());
  EXPECT_TRUE(service_->GetItem("orders", {{"pk", S("t")}, {"sk", N(2)}})->has_value());
  EXPECT_EQ(service_->SweepExpired(), 1);
  EXPECT_EQ(service_->Stats("orders").item_count, 1);
  auto records = service_->ReadStream(service_->ListStreams("orders")[0].arn, 0, 100);
  EXPECT_TRUE(records->back().by_ttl);
  EXPECT_EQ(service_->UpdateTimeToLive("orders", true, "expires").status().message(),
            "TimeToLive is already enabled");
}

TEST_F(TableServiceTest, TransactionsAreAllOrNothing) {
  ASSERT_TRUE(service_->PutItem("orders", Order("x", 1, "open"), nullptr).ok());
  std::vector<TransactAction> actions(2);
  actions[0].kind = TransactAction::Kind::kPut;
  actions[0].table = "orders";
  actions[0].item = Order("x", 2, "new");
  actions[1].kind = TransactAction::Kind::kConditionCheck;
  actions[1].table = "orders";
  actions[1].item = {{"pk", S("x")}, {"sk", N(1)}};
  actions[1].condition = *Cond("attribute_not_exists(pk)");
  auto out = service_->TransactWrite(actions, "");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->cancelled);
  EXPECT_EQ(out->reasons, (std::vector<std::string>{"None", "ConditionalCheckFailed"}));
  EXPECT_FALSE(service_->GetItem("orders", {{"pk", S("x")}, {"sk", N(2)}})->has_value());
  actions[1].condition = *Cond("attribute_exists(pk)");
  out = service_->TransactWrite(actions, "token-1");
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->cancelled);
  EXPECT_TRUE(service_->GetItem("orders", {{"pk", S("x")}, {"sk", N(2)}})->has_value());
  // The same token again is a no-op; with other parameters it is refused.
  EXPECT_TRUE(service_->TransactWrite(actions, "token-1").ok());
  actions[0].item = Order("x", 3);
  EXPECT_EQ(service_->TransactWrite(actions, "token-1").status().reason(),
            "IdempotentParameterMismatchException");
  actions[1] = actions[0];
  EXPECT_EQ(service_->TransactWrite(actions, "").status().message(),
            "Transaction request cannot include multiple operations on one item");
}

TEST_F(TableServiceTest, AddingAnIndexBackfillsIt) {
  for (int i = 0; i < 5; ++i) {
    Item it = Order("b", i);
    it["color"] = S(i % 2 ? "red" : "blue");
    ASSERT_TRUE(service_->PutItem("orders", it, nullptr).ok());
  }
  TableService::TableUpdate u;
  u.attribute_definitions["color"] = ValueType::kS;
  IndexSchema idx;
  idx.name = "byColor";
  idx.key.hash = {"color", ValueType::kS};
  u.create_index = idx;
  auto t = service_->UpdateTable("orders", u);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  QueryRequest q;
  q.table = "orders";
  q.index = "byColor";
  q.key_condition = *Key("color = :c", t->FindIndex("byColor")->key, {{":c", S("red")}});
  EXPECT_EQ(service_->Query(q)->items.size(), 2u);
}

TEST_F(TableServiceTest, DeletedTablesKeepTheirStreamsForTheRetention) {
  ASSERT_TRUE(service_->PutItem("orders", Order("d", 1), nullptr).ok());
  std::string arn = service_->ListStreams("orders")[0].arn;
  ASSERT_TRUE(service_->DeleteTable("orders").ok());
  auto d = service_->DescribeStream(arn);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->open);
  EXPECT_EQ(service_->ReadStream(arn, 0, 10)->size(), 1u);
  // After a restart too.
  service_.reset();
  service_ = std::make_unique<TableService>(*kv_);
  ASSERT_TRUE(service_->Open().ok());
  EXPECT_EQ(service_->ReadStream(arn, 0, 10)->size(), 1u);
}

TEST_F(TableServiceTest, ARejectedBatchWritesNothing) {
  std::vector<std::pair<std::string, std::pair<bool, Item>>> writes = {
      {"orders", {true, Order("bw", 1)}},
      {"orders", {true, Item{{"pk", S("bw")}}}},  // no sort key
  };
  EXPECT_FALSE(service_->BatchWrite(writes).ok());
  EXPECT_FALSE(service_->GetItem("orders", {{"pk", S("bw")}, {"sk", N(1)}})->has_value());
}

TEST_F(TableServiceTest, StateSurvivesReopening) {
  ASSERT_TRUE(service_->PutItem("orders", Order("r", 1), nullptr).ok());
  service_.reset();
  service_ = std::make_unique<TableService>(*kv_);
  ASSERT_TRUE(service_->Open().ok());
  EXPECT_TRUE(service_->GetItem("orders", {{"pk", S("r")}, {"sk", N(1)}})->has_value());
  EXPECT_EQ(service_->Stats("orders").item_count, 1);
  ASSERT_TRUE(service_->PutItem("orders", Order("r", 2), nullptr).ok());
  auto records = service_->ReadStream(service_->ListStreams("orders")[0].arn, 0, 100);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_LT((*records)[0].sequence, (*records)[1].sequence);
}

// Counts the keys under `prefix` in the raw store.
int CountKeys(store::KvStore& kv, std::string_view prefix) {
  int n = 0;
  EXPECT_TRUE(kv.Scan(prefix, "", [&](std::string_view, std::string_view) {
                  ++n;
                  return true;
                }).ok());
  return n;
}

TEST_F(TableServiceTest, DeletedTableDataIsCollectedEvenAfterARestart) {
  for (int i = 0; i < 2500; ++i) {
    ASSERT_TRUE(service_->PutItem("orders", Order("p", i, "new", i + 1), nullptr).ok());
  }
  ASSERT_GT(CountKeys(*kv_, "t/i/"), 0);
  ASSERT_TRUE(service_->DeleteTable("orders").ok());
  // The service closes before its sweeper gets to the data; the next one
  // finds the garbage records and finishes the job.
  service_.reset();
  service_ = std::make_unique<TableService>(*kv_);
  ASSERT_TRUE(service_->Open().ok());
  service_->CollectGarbage();
  EXPECT_EQ(CountKeys(*kv_, "t/i/"), 0);
  EXPECT_EQ(CountKeys(*kv_, "t/x/"), 0);
  EXPECT_EQ(CountKeys(*kv_, "t/g/"), 0);
  EXPECT_GT(CountKeys(*kv_, "t/s/"), 0);  // the stream stays readable for its retention
}

TEST_F(TableServiceTest, DroppedIndexDataIsCollected) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(service_->PutItem("orders", Order("p", i, "new"), nullptr).ok());
  }
  int before = CountKeys(*kv_, "t/x/");
  TableService::TableUpdate drop;
  drop.delete_index = "byStatus";
  ASSERT_TRUE(service_->UpdateTable("orders", drop).ok());
  service_->CollectGarbage();
  EXPECT_EQ(CountKeys(*kv_, "t/x/"), before - 10);
  EXPECT_EQ(CountKeys(*kv_, "t/g/"), 0);
}

}  // namespace
}  // namespace nimbus::tables
