// Fuzzes the DynamoDB frontend's request decoding end to end: the first byte
// picks an operation, the rest is the JSON body. Every request must get an
// answer in DynamoDB's shape (a JSON object; errors with a __type) and never
// crash or corrupt the table service, which runs on the in-memory store with
// a table holding a global and a local secondary index and a stream.
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "aws/dynamodb/dynamodb_frontend.h"
#include "store/kv_store.h"
#include "tables/table_service.h"

namespace {

using namespace nimbus;

const char* kOperations[] = {
    "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
    "BatchWriteItem", "TransactWriteItems", "TransactGetItems", "CreateTable", "DescribeTable",
    "UpdateTable", "ListTables", "UpdateTimeToLive", "DescribeTimeToLive", "GetShardIterator",
    "GetRecords", "DescribeStream", "ListStreams"};

struct World {
  std::unique_ptr<store::KvStore> kv = store::NewMemoryStore();
  std::unique_ptr<tables::TableService> tables;
  std::unique_ptr<aws::DynamoDbFrontend> frontend;

  World() {
    tables = std::make_unique<tables::TableService>(*kv);
    if (!tables->Open().ok()) std::abort();
    tables::TableSchema t;
    t.name = "things";
    t.key.hash = {"pk", tables::ValueType::kS};
    t.key.range = tables::KeyAttribute{"sk", tables::ValueType::kN};
    t.attribute_definitions = {{"pk", tables::ValueType::kS},
                               {"sk", tables::ValueType::kN},
                               {"g", tables::ValueType::kS},
                               {"l", tables::ValueType::kB}};
    t.billing_mode = "PAY_PER_REQUEST";
    tables::IndexSchema gsi;
    gsi.name = "gsi";
    gsi.key.hash = {"g", tables::ValueType::kS};
    t.indexes.push_back(gsi);
    tables::IndexSchema lsi;
    lsi.name = "lsi";
    lsi.global = false;
    lsi.key.hash = {"pk", tables::ValueType::kS};
    lsi.key.range = tables::KeyAttribute{"l", tables::ValueType::kB};
    lsi.projection = tables::ProjectionType::kKeysOnly;
    t.indexes.push_back(lsi);
    t.streams.push_back(tables::StreamInfo{});
    auto created = tables->CreateTable(t);
    if (!created.ok()) {
      std::fprintf(stderr, "cannot create the fuzzing table: %s\n", created.status().ToString().c_str());
      std::abort();
    }
    frontend = std::make_unique<aws::DynamoDbFrontend>(*tables, Platform{});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<World> world;
  static int runs = 0;
  if (!world || ++runs % 5000 == 0) world = std::make_unique<World>();  // bound the state
  if (size < 1) return 0;
  net::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.SplitTarget();
  req.headers.push_back({"X-Amz-Target", std::string("DynamoDB_20120810.") +
                                             kOperations[data[0] % std::size(kOperations)]});
  req.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  aws::RequestContext ctx;
  ctx.region = "us-east-1";
  ctx.request_id = "fuzz";
  std::optional<net::HttpResponse> answer;
  world->frontend->Handle(std::move(req), ctx, [&](net::HttpResponse r) { answer = std::move(r); });
  if (!answer) std::abort();
  boost::system::error_code ec;
  auto parsed = boost::json::parse(answer->body, ec);
  if (ec || !parsed.is_object()) std::abort();
  if (answer->status != 200 && !parsed.get_object().contains("__type")) std::abort();
  return 0;
}
