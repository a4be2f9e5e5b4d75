// Which IAM actions on which resources a DynamoDB request performs, as
// DynamoDB authorises them: item and table operations on the table's ARN,
// Query and Scan of an index on the index's ARN, batches once per table, each
// element of a transaction as the single-item action it performs
// (ConditionCheck as dynamodb:ConditionCheckItem), and stream reads on the
// stream's ARN. The members are read leniently (a member of the wrong type
// names no resource); the operation refuses them once authorised.
#include <set>
#include <utility>
#include <vector>

#include "aws/dynamodb/dynamodb_frontend.h"
#include "aws/dynamodb/dynamodb_request.h"
#include "core/encoding.h"
#include "core/strings.h"

namespace nimbus::aws {

using dynamodb::Text;

namespace {

// A TableName member as an ARN (a table may be named by its ARN).
std::string TableArn(const Platform& platform, std::string_view name) {
  return name.starts_with("arn:") ? std::string(name) : platform.TableArn(name);
}

}  // namespace

std::string DynamoDbFrontend::TableResource(const Object& in, bool index) const {
  std::string resource = TableArn(platform_, Text(in, "TableName"));
  std::string_view index_name = index ? Text(in, "IndexName") : std::string_view();
  if (!index_name.empty()) resource.append("/index/").append(index_name);
  return resource;
}

std::vector<std::string> DynamoDbFrontend::BatchResources(const Object& in) const {
  std::vector<std::string> out;
  if (const auto* items = in.if_contains("RequestItems"); items && items->is_object()) {
    for (const auto& [table, _] : items->get_object()) out.push_back(TableArn(platform_, table));
  }
  return out;
}

std::string DynamoDbFrontend::IteratorStream(const Object& in) {
  // The stream ARN inside an opaque shard iterator ("v1|ARN|shard|pos|exp").
  auto raw = Base64Decode(Text(in, "ShardIterator"));
  if (!raw) return "*";
  auto parts = Split(*raw, '|');
  return parts.size() == 5 ? std::string(parts[1]) : std::string("*");
}

std::optional<AwsError> DynamoDbFrontend::AuthorizeTransaction(const Call& call) const {
  static const std::pair<const char*, const char*> kElements[] = {
      {"Put", "dynamodb:PutItem"},
      {"Update", "dynamodb:UpdateItem"},
      {"Delete", "dynamodb:DeleteItem"},
      {"ConditionCheck", "dynamodb:ConditionCheckItem"},
      {"Get", "dynamodb:GetItem"}};
  using Check = std::pair<std::string_view, std::string>;  // action, resource
  std::set<Check> seen;
  const auto* items = call.body.if_contains("TransactItems");
  if (!items || !items->is_array()) return std::nullopt;
  for (const auto& item : items->get_array()) {
    if (!item.is_object()) continue;
    for (const auto& [member, action] : kElements) {
      const auto* e = item.get_object().if_contains(member);
      if (!e || !e->is_object()) continue;
      Check check{action, TableArn(platform_, Text(e->get_object(), "TableName"))};
      if (!seen.insert(check).second) continue;
      if (auto denied = call.ctx.Authorize(check.first, check.second)) return denied;
    }
  }
  return std::nullopt;
}

}  // namespace nimbus::aws
