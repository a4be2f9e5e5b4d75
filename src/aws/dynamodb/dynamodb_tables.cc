// DynamoDB's control plane: creating, describing, listing, updating and
// deleting tables, their time to live and their tags.
#include <boost/json.hpp>

#include "aws/codecs.h"
#include "aws/dynamodb/dynamodb_frontend.h"
#include "aws/dynamodb/dynamodb_request.h"
#include "aws/dynamodb/dynamodb_schema.h"

namespace nimbus::aws {

using namespace dynamodb;  // NOLINT(google-build-using-namespace): the frontend's own helpers
using tables::TableSchema;
using tables::ValueType;

namespace {

double EpochSeconds(int64_t ms) {
  return static_cast<double>(ms) / 1000.0;
}

constexpr char kStreamViewTypes[] =
    "Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]";

// The table a TagResource, UntagResource or ListTagsOfResource names by its ARN.
Result<std::string> TableOfArn(const json::object& in) {
  ASSIGN_OR_RETURN(std::string arn, String(in, "ResourceArn"));
  size_t at = arn.find(":table/");
  if (at == std::string::npos) return Validation("Invalid TableArn: " + arn);
  return arn.substr(at + 7);
}

// The TableName every table operation requires, with its model constraints.
Result<std::string> RequiredTableName(const json::object& in) {
  ASSIGN_OR_RETURN(std::string name, String(in, "TableName"));
  Constraints c;
  c.NotNull(in, "TableName", "tableName");
  c.TableName(name, "tableName");
  RETURN_IF_ERROR(c.Check());
  return name;
}

}  // namespace

json::object DynamoDbFrontend::TableDescription(const TableSchema& t, const char* status) {
  tables::TableStats stats = tables_.Stats(t.name);
  std::string arn = platform_.TableArn(t.name);
  json::array defs;
  for (const auto& [name, type] : t.attribute_definitions) {
    defs.push_back({{"AttributeName", name}, {"AttributeType", tables::TypeName(type)}});
  }
  json::object o{
      {"TableName", t.name},
      {"TableStatus", status},
      {"CreationDateTime", EpochSeconds(t.created_ms)},
      {"AttributeDefinitions", std::move(defs)},
      {"KeySchema", KeySchemaJson(t.key)},
      {"ProvisionedThroughput",
       {{"NumberOfDecreasesToday", 0},
        {"ReadCapacityUnits", t.read_capacity},
        {"WriteCapacityUnits", t.write_capacity}}},
      {"TableSizeBytes", stats.size_bytes},
      {"ItemCount", stats.item_count},
      {"TableArn", arn},
      {"TableId", t.id.substr(0, 8) + "-" + t.id.substr(8, 4) + "-4000-8000-000000000000"},
      {"DeletionProtectionEnabled", false}};
  if (t.billing_mode == "PAY_PER_REQUEST") {
    o["BillingModeSummary"] = {{"BillingMode", "PAY_PER_REQUEST"},
                               {"LastUpdateToPayPerRequestDateTime", EpochSeconds(t.created_ms)}};
  }
  json::array gsis, lsis;
  for (const auto& i : t.indexes) {
    json::object proj{{"ProjectionType", tables::ProjectionTypeName(i.projection)}};
    if (!i.non_key_attributes.empty()) {
      json::array nka;
      for (const auto& a : i.non_key_attributes) nka.push_back(json::value(a));
      proj["NonKeyAttributes"] = std::move(nka);
    }
    json::object d{{"IndexName", i.name},           {"KeySchema", KeySchemaJson(i.key)},
                   {"Projection", std::move(proj)}, {"IndexSizeBytes", stats.size_bytes},
                   {"ItemCount", stats.item_count}, {"IndexArn", arn + "/index/" + i.name}};
    if (i.global) {
      d["IndexStatus"] = "ACTIVE";
      d["ProvisionedThroughput"] = {{"NumberOfDecreasesToday", 0},
                                    {"ReadCapacityUnits", i.read_capacity},
                                    {"WriteCapacityUnits", i.write_capacity}};
      gsis.push_back(std::move(d));
    } else {
      lsis.push_back(std::move(d));
    }
  }
  if (!gsis.empty()) o["GlobalSecondaryIndexes"] = std::move(gsis);
  if (!lsis.empty()) o["LocalSecondaryIndexes"] = std::move(lsis);
  if (const tables::StreamInfo* st = t.ActiveStream()) {
    o["StreamSpecification"] = {{"StreamEnabled", true},
                                {"StreamViewType", tables::StreamViewTypeName(st->view)}};
  }
  if (!t.streams.empty()) {
    o["LatestStreamLabel"] = t.streams.back().label;
    o["LatestStreamArn"] = tables_.StreamArn(t.name, t.streams.back().label);
  }
  if (t.table_class != "STANDARD" && !t.table_class.empty()) {
    o["TableClassSummary"] = {{"TableClass", t.table_class}};
  }
  return o;
}

DynamoDbFrontend::Answer DynamoDbFrontend::CreateTable(const Object& in) {
  JsonMembers m(in);
  ASSIGN_OR_RETURN(std::string name, String(in, "TableName"));
  ASSIGN_OR_RETURN(std::string billing, String(in, "BillingMode"));
  ASSIGN_OR_RETURN(const json::array* defs, m.Array("AttributeDefinitions"));
  ASSIGN_OR_RETURN(const json::object* stream, m.Object("StreamSpecification"));
  // Model constraints first, all of them reported together as DynamoDB does.
  Constraints c;
  c.NotNull(in, "AttributeDefinitions", "attributeDefinitions");
  c.NotNull(in, "TableName", "tableName");
  c.NotNull(in, "KeySchema", "keySchema");
  c.TableName(name, "tableName");
  if (!billing.empty() && billing != "PROVISIONED" && billing != "PAY_PER_REQUEST") {
    c.Add("Value '" + billing +
          "' at 'billingMode' failed to satisfy constraint: Member must "
          "satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  if (defs != nullptr) {
    size_t i = 0;
    for (const auto& d : *defs) {
      ++i;
      if (!d.is_object()) return Serialization("AttributeDefinitions must hold objects");
      ASSIGN_OR_RETURN(std::string type, String(d.get_object(), "AttributeType"));
      if (type != "S" && type != "N" && type != "B") {
        c.Add("Value '" + type + "' at 'attributeDefinitions." + std::to_string(i) +
              ".member.attributeType' failed to satisfy constraint: Member must satisfy enum "
              "value set: [B, N, S]");
      }
    }
  }
  if (const json::value* ks = in.if_contains("KeySchema"); ks && ks->is_array()) {
    size_t i = 0;
    for (const auto& k : ks->get_array()) {
      ++i;
      if (!k.is_object()) return Serialization("KeySchema elements must be objects");
      ASSIGN_OR_RETURN(std::string type, String(k.get_object(), "KeyType"));
      if (type != "HASH" && type != "RANGE") {
        c.Add("Value '" + type + "' at 'keySchema." + std::to_string(i) +
              ".member.keyType' failed to satisfy constraint: Member must satisfy enum value "
              "set: [HASH, RANGE]");
      }
    }
  }
  std::string view;
  if (stream != nullptr) {
    ASSIGN_OR_RETURN(view, String(*stream, "StreamViewType"));
    if (!view.empty() && !tables::StreamViewTypeFromName(view)) {
      c.Add("Value '" + view +
            "' at 'streamSpecification.streamViewType' failed to satisfy "
            "constraint: " +
            kStreamViewTypes);
    }
  }
  RETURN_IF_ERROR(c.Check());
  TableSchema t;
  t.name = std::move(name);
  for (const auto& d : *defs) {
    ASSIGN_OR_RETURN(std::string attr, String(d.get_object(), "AttributeName"));
    if (t.attribute_definitions.count(attr)) {
      return Validation("Cannot have two attributes with the same name");
    }
    t.attribute_definitions[attr] = *tables::TypeFromName(Text(d.get_object(), "AttributeType"));
  }
  ASSIGN_OR_RETURN(
      t.key, ParseKeySchema(in.if_contains("KeySchema"), t.attribute_definitions, "keySchema"));
  t.billing_mode = billing.empty() ? "PROVISIONED" : billing;
  ASSIGN_OR_RETURN(auto throughput, Throughput(in));
  if (t.billing_mode == "PROVISIONED" && !throughput) {
    return Validation(
        "One or more parameter values were invalid: ReadCapacityUnits and "
        "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  }
  if (t.billing_mode == "PAY_PER_REQUEST" && throughput) {
    return Validation(
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
        "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  if (throughput) {
    if (throughput->first < 1 || throughput->second < 1) {
      return Validation(
          "1 validation error detected: Value '0' at "
          "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1");
    }
    t.read_capacity = throughput->first;
    t.write_capacity = throughput->second;
  }
  for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    ASSIGN_OR_RETURN(const json::array* list, m.Array(kind));
    if (list == nullptr) continue;
    if (list->empty()) {
      return Validation(std::string("One or more parameter values were invalid: List of ") + kind +
                        " is empty");
    }
    bool global = std::string_view(kind) == "GlobalSecondaryIndexes";
    for (const auto& iv : *list) {
      if (!iv.is_object()) return Serialization("index definitions must be objects");
      const json::object& io = iv.get_object();
      tables::IndexSchema index;
      ASSIGN_OR_RETURN(index.name, String(io, "IndexName"));
      index.global = global;
      ASSIGN_OR_RETURN(index.key,
                       ParseKeySchema(io.if_contains("KeySchema"), t.attribute_definitions,
                                      global ? "globalSecondaryIndexes.member.keySchema"
                                             : "localSecondaryIndexes.member.keySchema"));
      RETURN_IF_ERROR(ParseProjection(io.if_contains("Projection"), &index));
      ASSIGN_OR_RETURN(auto it, Throughput(io));
      if (global && t.billing_mode == "PROVISIONED" && !it) {
        return Validation(
            "One or more parameter values were invalid: ProvisionedThroughput must "
            "be specified for index: " +
            index.name);
      }
      if (global && t.billing_mode == "PAY_PER_REQUEST" && it) {
        return Validation(
            "One or more parameter values were invalid: ProvisionedThroughput "
            "should not be specified for index: " +
            index.name + " when BillingMode is PAY_PER_REQUEST");
      }
      if (it) {
        index.read_capacity = it->first;
        index.write_capacity = it->second;
      }
      t.indexes.push_back(std::move(index));
    }
  }
  if (stream != nullptr) {
    ASSIGN_OR_RETURN(bool enabled, Bool(*stream, "StreamEnabled"));
    if (enabled) {
      auto type = tables::StreamViewTypeFromName(view);
      if (!type) {
        return Validation(
            "One or more parameter values were invalid: StreamSpecification: "
            "StreamViewType must be specified when StreamEnabled is true");
      }
      tables::StreamInfo st;
      st.view = *type;
      t.streams.push_back(st);
    }
  }
  ASSIGN_OR_RETURN(t.tags, Tags(in));
  ASSIGN_OR_RETURN(std::string table_class, String(in, "TableClass"));
  if (!table_class.empty()) t.table_class = std::move(table_class);
  ASSIGN_OR_RETURN(TableSchema created, tables_.CreateTable(std::move(t)));
  return json::object{{"TableDescription", TableDescription(created, "ACTIVE")}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::DescribeTable(const Object& in) {
  ASSIGN_OR_RETURN(std::string name, RequiredTableName(in));
  ASSIGN_OR_RETURN(TableSchema t, tables_.DescribeTable(name));
  return json::object{{"Table", TableDescription(t, "ACTIVE")}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::ListTables(const Object& in) {
  JsonMembers m(in);
  ASSIGN_OR_RETURN(int64_t limit, m.Int("Limit", 100));
  if (limit < 1 || limit > 100) {
    return Validation("1 validation error detected: Value '" + std::to_string(limit) +
                      "' at 'limit' failed to satisfy constraint: Member must have value " +
                      (limit < 1 ? "greater than or equal to 1" : "less than or equal to 100"));
  }
  ASSIGN_OR_RETURN(std::string start, String(in, "ExclusiveStartTableName"));
  bool more = false;
  auto names = tables_.ListTables(start, static_cast<int>(limit), &more);
  json::array arr;
  arr.reserve(names.size());
  for (const auto& n : names) arr.push_back(json::value(n));
  json::object out{{"TableNames", std::move(arr)}};
  if (more && !names.empty()) out["LastEvaluatedTableName"] = names.back();
  return out;
}

DynamoDbFrontend::Answer DynamoDbFrontend::DeleteTable(const Object& in) {
  ASSIGN_OR_RETURN(std::string name, RequiredTableName(in));
  ASSIGN_OR_RETURN(TableSchema before, tables_.DescribeTable(name));
  json::object desc = TableDescription(before, "DELETING");
  RETURN_IF_ERROR(tables_.DeleteTable(name).status());
  return json::object{{"TableDescription", std::move(desc)}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::UpdateTable(const Object& in) {
  ASSIGN_OR_RETURN(std::string name, RequiredTableName(in));
  JsonMembers m(in);
  ASSIGN_OR_RETURN(const json::array* attribute_defs, m.Array("AttributeDefinitions"));
  ASSIGN_OR_RETURN(const json::array* index_updates, m.Array("GlobalSecondaryIndexUpdates"));
  ASSIGN_OR_RETURN(const json::object* stream, m.Object("StreamSpecification"));
  ASSIGN_OR_RETURN(std::string billing, String(in, "BillingMode"));
  ASSIGN_OR_RETURN(TableSchema current, tables_.DescribeTable(name));
  tables::TableService::TableUpdate u;
  std::map<std::string, ValueType> defs = current.attribute_definitions;
  if (attribute_defs != nullptr) {
    for (const auto& dv : *attribute_defs) {
      if (!dv.is_object()) return Serialization("AttributeDefinitions must hold objects");
      ASSIGN_OR_RETURN(std::string attr, String(dv.get_object(), "AttributeName"));
      ASSIGN_OR_RETURN(std::string type_name, String(dv.get_object(), "AttributeType"));
      auto type = tables::TypeFromName(type_name);
      if (!type) return Validation("Member must satisfy enum value set: [B, N, S]");
      defs[attr] = *type;
      u.attribute_definitions[attr] = *type;
    }
  }
  if (!billing.empty()) u.billing_mode = billing;
  ASSIGN_OR_RETURN(u.throughput, Throughput(in));
  if (index_updates != nullptr) {
    if (index_updates->size() > 1) {
      return Validation(
          "One or more parameter values were invalid: Only one global secondary "
          "index update per request is allowed");
    }
    for (const auto& uv : *index_updates) {
      if (!uv.is_object()) return Serialization("GlobalSecondaryIndexUpdates must hold maps");
      JsonMembers um(uv.get_object(), "GlobalSecondaryIndexUpdates");
      ASSIGN_OR_RETURN(const json::object* create, um.Object("Create"));
      ASSIGN_OR_RETURN(const json::object* del, um.Object("Delete"));
      ASSIGN_OR_RETURN(const json::object* update, um.Object("Update"));
      if (create != nullptr) {
        tables::IndexSchema index;
        ASSIGN_OR_RETURN(index.name, String(*create, "IndexName"));
        ASSIGN_OR_RETURN(index.key,
                         ParseKeySchema(create->if_contains("KeySchema"), defs,
                                        "globalSecondaryIndexUpdates.member.create.keySchema"));
        RETURN_IF_ERROR(ParseProjection(create->if_contains("Projection"), &index));
        ASSIGN_OR_RETURN(auto it, Throughput(*create));
        if (it) {
          index.read_capacity = it->first;
          index.write_capacity = it->second;
        }
        u.create_index = std::move(index);
      } else if (del != nullptr) {
        ASSIGN_OR_RETURN(u.delete_index, String(*del, "IndexName"));
      } else if (update != nullptr) {
        ASSIGN_OR_RETURN(std::string index, String(*update, "IndexName"));
        ASSIGN_OR_RETURN(auto it, Throughput(*update));
        u.update_index = {std::move(index), it.value_or(std::make_pair(0L, 0L))};
      }
    }
  }
  if (stream != nullptr) {
    ASSIGN_OR_RETURN(std::string view, String(*stream, "StreamViewType"));
    if (!view.empty() && !tables::StreamViewTypeFromName(view)) {
      return Validation("1 validation error detected: Value '" + view +
                        "' at 'streamSpecification.streamViewType' failed to satisfy "
                        "constraint: " +
                        kStreamViewTypes);
    }
    ASSIGN_OR_RETURN(std::optional<bool> enabled, JsonMembers(*stream).Bool("StreamEnabled"));
    if (enabled) {
      u.stream_enabled = *enabled;
      if (*enabled) {
        auto type = tables::StreamViewTypeFromName(view);
        if (!type) {
          return Validation(
              "One or more parameter values were invalid: StreamSpecification: "
              "StreamViewType must be specified when StreamEnabled is true");
        }
        u.stream_view = type;
      }
    }
  }
  ASSIGN_OR_RETURN(TableSchema t, tables_.UpdateTable(name, u));
  return json::object{{"TableDescription", TableDescription(t, "ACTIVE")}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::UpdateTimeToLive(const Object& in) {
  ASSIGN_OR_RETURN(std::string name, String(in, "TableName"));
  Constraints c;
  c.NotNull(in, "TableName", "tableName");
  c.NotNull(in, "TimeToLiveSpecification", "timeToLiveSpecification");
  RETURN_IF_ERROR(c.Check());
  ASSIGN_OR_RETURN(const json::object* spec, JsonMembers(in).Object("TimeToLiveSpecification"));
  JsonMembers sm(*spec, "TimeToLiveSpecification");
  ASSIGN_OR_RETURN(std::optional<bool> enabled, sm.Bool("Enabled"));
  ASSIGN_OR_RETURN(std::string attr, sm.String("AttributeName", ""));
  if (!enabled || attr.empty()) return NotNull("timeToLiveSpecification.attributeName");
  RETURN_IF_ERROR(tables_.UpdateTimeToLive(name, *enabled, attr).status());
  return json::object{
      {"TimeToLiveSpecification", {{"Enabled", *enabled}, {"AttributeName", attr}}}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::DescribeTimeToLive(const Object& in) {
  ASSIGN_OR_RETURN(std::string name, String(in, "TableName"));
  ASSIGN_OR_RETURN(TableSchema t, tables_.DescribeTable(name));
  json::object d{{"TimeToLiveStatus", t.ttl_enabled ? "ENABLED" : "DISABLED"}};
  if (t.ttl_enabled) d["AttributeName"] = t.ttl_attribute;
  return json::object{{"TimeToLiveDescription", std::move(d)}};
}

DynamoDbFrontend::Answer DynamoDbFrontend::TagResource(const Object& in, bool untag) {
  ASSIGN_OR_RETURN(std::string name, TableOfArn(in));
  std::map<std::string, std::string> add;
  std::vector<std::string> remove;
  if (untag) {
    ASSIGN_OR_RETURN(remove, JsonMembers(in).Strings("TagKeys"));
  } else {
    ASSIGN_OR_RETURN(add, Tags(in));
  }
  RETURN_IF_ERROR(tables_.UpdateTags(name, add, remove).status());
  return json::object{};
}

DynamoDbFrontend::Answer DynamoDbFrontend::ListTagsOfResource(const Object& in) {
  ASSIGN_OR_RETURN(std::string name, TableOfArn(in));
  ASSIGN_OR_RETURN(TableSchema t, tables_.DescribeTable(name));
  json::array tags;
  for (const auto& [k, v] : t.tags) tags.push_back({{"Key", k}, {"Value", v}});
  return json::object{{"Tags", std::move(tags)}};
}

}  // namespace nimbus::aws
