// Which IAM actions on which resources a DynamoDB request performs, as
// DynamoDB authorises them: item and table operations on the table's ARN,
// Query and Scan of an index on the index's ARN, batches once per table, each
// element of a transaction as the single-item action it performs
// (ConditionCheck as dynamodb:ConditionCheckItem), and stream reads on the
// stream's ARN.
#include <set>
#include <utility>
#include <vector>

#include "aws/dynamodb_frontend.h"
#include "core/encoding.h"
#include "core/strings.h"

namespace nimbus::aws {
namespace {

using Object = boost::json::object;
using Check = std::pair<std::string, std::string>;  // action, resource

std::string Str(const Object& o, const char* key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The stream ARN inside an opaque shard iterator ("v1|ARN|shard|pos|exp").
std::string IteratorStream(const std::string& token) {
  auto raw = Base64Decode(token);
  if (!raw) return "*";
  auto parts = Split(*raw, '|');
  return parts.size() == 5 ? std::string(parts[1]) : std::string("*");
}

}  // namespace

std::optional<DynamoDbFrontend::Reply> DynamoDbFrontend::Authorize(const std::string& op,
                                                                   const Object& in,
                                                                   const RequestContext& ctx) {
  if (!ctx.is_instance()) return std::nullopt;
  auto table_arn = [&](const std::string& name) {
    return name.starts_with("arn:") ? name : tables_.TableArn(name);
  };
  std::vector<Check> checks;
  std::string action = "dynamodb:" + op;
  if (op == "ListTables" || op == "DescribeLimits" || op == "ListStreams") {
    checks.emplace_back(action, "*");
  } else if (op == "TagResource" || op == "UntagResource" || op == "ListTagsOfResource") {
    checks.emplace_back(action, Str(in, "ResourceArn"));
  } else if (op == "DescribeStream" || op == "GetShardIterator") {
    checks.emplace_back(action, Str(in, "StreamArn"));
  } else if (op == "GetRecords") {
    checks.emplace_back(action, IteratorStream(Str(in, "ShardIterator")));
  } else if (op == "BatchGetItem" || op == "BatchWriteItem") {
    if (const auto* items = in.if_contains("RequestItems"); items && items->is_object()) {
      for (const auto& [table, _] : items->get_object()) {
        checks.emplace_back(action, table_arn(std::string(table)));
      }
    }
  } else if (op == "TransactWriteItems" || op == "TransactGetItems") {
    static const std::pair<const char*, const char*> kElements[] = {
        {"Put", "dynamodb:PutItem"},
        {"Update", "dynamodb:UpdateItem"},
        {"Delete", "dynamodb:DeleteItem"},
        {"ConditionCheck", "dynamodb:ConditionCheckItem"},
        {"Get", "dynamodb:GetItem"}};
    if (const auto* items = in.if_contains("TransactItems"); items && items->is_array()) {
      for (const auto& item : items->get_array()) {
        if (!item.is_object()) continue;
        for (const auto& [member, item_action] : kElements) {
          const auto* e = item.get_object().if_contains(member);
          if (e && e->is_object()) {
            checks.emplace_back(item_action, table_arn(Str(e->get_object(), "TableName")));
          }
        }
      }
    }
  } else {
    std::string resource = table_arn(Str(in, "TableName"));
    std::string index = Str(in, "IndexName");
    if ((op == "Query" || op == "Scan") && !index.empty()) resource += "/index/" + index;
    checks.emplace_back(action, std::move(resource));
  }
  std::set<Check> seen;
  for (const auto& c : checks) {
    if (!seen.insert(c).second) continue;
    if (auto denied = ctx.Authorize(c.first, c.second)) {
      return dynamodb::Error("AccessDeniedException", denied->message);
    }
  }
  return std::nullopt;
}

}  // namespace nimbus::aws
