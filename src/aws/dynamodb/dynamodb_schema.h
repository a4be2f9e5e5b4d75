// Table definitions in DynamoDB's JSON, as CreateTable and UpdateTable take
// them: key schemas, index projections and provisioned throughput, checked
// with DynamoDB's model constraints and messages. Stateless; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "tables/table_schema.h"
#include "tables/value.h"

namespace nimbus::aws::dynamodb {

// Collects model-constraint violations into DynamoDB's combined message
// ("2 validation errors detected: ...; ...").
class Constraints {
 public:
  void Add(std::string violation) { errors_.push_back(std::move(violation)); }
  void NotNull(const boost::json::object& o, const char* key, const char* path);
  void TableName(std::string_view name, const char* path);
  // Ok, or the ValidationException listing every violation.
  Status Check() const;

 private:
  std::vector<std::string> errors_;
};

// KeySchema [{AttributeName, KeyType}] at `path`, with types taken from `defs`.
Result<tables::KeySchema> ParseKeySchema(const boost::json::value* v,
                                         const std::map<std::string, tables::ValueType>& defs,
                                         const std::string& path);
// An index's Projection {ProjectionType, NonKeyAttributes}.
Status ParseProjection(const boost::json::value* v, tables::IndexSchema* index);
// ProvisionedThroughput {ReadCapacityUnits, WriteCapacityUnits} of `o`
// (a table or an index); nullopt when absent.
Result<std::optional<std::pair<int64_t, int64_t>>> Throughput(const boost::json::object& o);
// The members' Tags [{Key, Value}].
Result<std::map<std::string, std::string>> Tags(const boost::json::object& in);

}  // namespace nimbus::aws::dynamodb
