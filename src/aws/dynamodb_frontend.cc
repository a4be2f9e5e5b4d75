#include "aws/dynamodb_frontend.h"

#include <boost/json.hpp>

#include "aws/dynamodb_values.h"
#include "core/json.h"
#include "core/strings.h"

namespace nimbus::aws {
namespace dynamodb {

DynamoDbFrontend::Reply Error(const std::string& type, const std::string& message) {
  std::string prefix = type == "ValidationException"        ? "com.amazon.coral.validate#"
                       : type == "SerializationException" ||
                               type == "UnknownOperationException" ||
                               type == "AccessDeniedException"
                           ? "com.amazon.coral.service#"
                           : "com.amazonaws.dynamodb.v20120810#";
  json::object o{{"__type", prefix + type}, {"message", message}};
  return {type == "InternalServerError" ? 500 : 400, json::serialize(o)};
}

DynamoDbFrontend::Reply Validation(const std::string& message) {
  return Error("ValidationException", message);
}

DynamoDbFrontend::Reply FromStatus(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidArgument:
      return Error(s.reason() == kSerializationErrorReason ? "SerializationException"
                                                           : "ValidationException",
                   s.message());
    case Code::kNotFound: return Error("ResourceNotFoundException", s.message());
    case Code::kAlreadyExists: return Error("ResourceInUseException", s.message());
    case Code::kConflict:
      return Error(s.reason().empty() ? "ResourceInUseException" : s.reason(), s.message());
    case Code::kResourceExhausted:
      return Error(s.reason().empty() ? "LimitExceededException" : s.reason(), s.message());
    default: return Error("InternalServerError", s.message());
  }
}

DynamoDbFrontend::Reply Ok(const json::value& body) { return {200, json::serialize(body)}; }

}  // namespace dynamodb

using namespace dynamodb;  // NOLINT(google-build-using-namespace): this file's own helpers
using tables::TableSchema;
using tables::ValueType;

namespace {

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

double EpochSeconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

json::array KeySchemaJson(const tables::KeySchema& k) {
  json::array a{{{"AttributeName", k.hash.name}, {"KeyType", "HASH"}}};
  if (k.range) a.push_back({{"AttributeName", k.range->name}, {"KeyType", "RANGE"}});
  return a;
}

// Collects model-constraint violations into DynamoDB's combined message.
class Constraints {
 public:
  void Add(std::string v) { errors_.push_back(std::move(v)); }
  void NotNull(const json::object& o, const char* key, const char* path) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) {
      Add(std::string("Value null at '") + path + "' failed to satisfy constraint: Member must not be null");
    }
  }
  void TableName(const std::string& name, const char* path) {
    if (name.empty()) return;
    if (name.size() < 3) {
      Add("Value '" + name + "' at '" + path + "' failed to satisfy constraint: Member must have length greater than or equal to 3");
    } else if (name.size() > 255) {
      Add("Value '" + name + "' at '" + path + "' failed to satisfy constraint: Member must have length less than or equal to 255");
    }
    for (char c : name) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      if (!ok) {
        Add("Value '" + name + "' at '" + path + "' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        break;
      }
    }
  }
  std::optional<DynamoDbFrontend::Reply> Result() const {
    if (errors_.empty()) return std::nullopt;
    std::string msg = std::to_string(errors_.size()) + " validation error" +
                      (errors_.size() > 1 ? "s" : "") + " detected: ";
    for (size_t i = 0; i < errors_.size(); ++i) msg += (i ? "; " : "") + errors_[i];
    return Validation(msg);
  }

 private:
  std::vector<std::string> errors_;
};

struct KeySchemaResult {
  tables::KeySchema key;
  std::optional<DynamoDbFrontend::Reply> error;
};

// KeySchema [{AttributeName, KeyType}] with types taken from `defs`.
KeySchemaResult ParseKeySchema(const json::value* v, const std::map<std::string, ValueType>& defs,
                               const std::string& path) {
  KeySchemaResult r;
  if (!v || !v->is_array() || v->get_array().empty() || v->get_array().size() > 2) {
    r.error = Validation("1 validation error detected: Value '" +
                         (v && v->is_array() ? json::serialize(*v) : std::string("null")) +
                         "' at '" + path + "' failed to satisfy constraint: Member must have length "
                         "less than or equal to 2 and greater than or equal to 1");
    return r;
  }
  const json::array& a = v->get_array();
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_object()) {
      r.error = Error("SerializationException", "KeySchema elements must be objects");
      return r;
    }
    std::string name = Str(a[i].get_object(), "AttributeName");
    std::string type = Str(a[i].get_object(), "KeyType");
    if (type != "HASH" && type != "RANGE") {
      r.error = Validation("1 validation error detected: Value '" + type + "' at '" + path + "." +
                           std::to_string(i + 1) + ".member.keyType' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [HASH, RANGE]");
      return r;
    }
    if ((i == 0) != (type == "HASH")) {
      r.error = Validation(i == 0 ? "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                                  : "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key");
      return r;
    }
    auto def = defs.find(name);
    tables::KeyAttribute attr{name, def == defs.end() ? ValueType::kS : def->second};
    if (def == defs.end()) {
      r.error = Validation("One or more parameter values were invalid: Some index key attributes "
                           "are not defined in AttributeDefinitions. Keys: [" + name + "]");
      return r;
    }
    if (i == 0) {
      r.key.hash = attr;
    } else {
      r.key.range = attr;
    }
  }
  return r;
}

std::optional<DynamoDbFrontend::Reply> ParseProjection(const json::value* v, tables::IndexSchema* index) {
  if (!v || !v->is_object()) {
    return Validation("1 validation error detected: Value null at 'projection' failed to satisfy "
                      "constraint: Member must not be null");
  }
  const json::object& p = v->get_object();
  std::string type = Str(p, "ProjectionType");
  if (type == "ALL" || type.empty()) {
    index->projection = tables::ProjectionType::kAll;
  } else if (type == "KEYS_ONLY") {
    index->projection = tables::ProjectionType::kKeysOnly;
  } else if (type == "INCLUDE") {
    index->projection = tables::ProjectionType::kInclude;
  } else {
    return Validation("1 validation error detected: Value '" + type + "' at 'projection.projectionType' "
                      "failed to satisfy constraint: Member must satisfy enum value set: [INCLUDE, KEYS_ONLY, ALL]");
  }
  if (const json::value* nka = p.if_contains("NonKeyAttributes"); nka && nka->is_array()) {
    for (const auto& a : nka->get_array()) {
      if (a.is_string()) index->non_key_attributes.emplace_back(a.get_string());
    }
  }
  return std::nullopt;
}

std::optional<std::pair<int64_t, int64_t>> Throughput(const json::object& o) {
  const json::value* pt = o.if_contains("ProvisionedThroughput");
  if (!pt || !pt->is_object()) return std::nullopt;
  auto num = [&](const char* k) -> int64_t {
    const json::value* v = pt->get_object().if_contains(k);
    return v && v->is_int64() ? v->get_int64() : 0;
  };
  return std::make_pair(num("ReadCapacityUnits"), num("WriteCapacityUnits"));
}

}  // namespace

DynamoDbFrontend::DynamoDbFrontend(tables::TableService& tables) : tables_(tables) {}

void DynamoDbFrontend::Handle(net::HttpRequest&& req, const RequestContext& ctx,
                              net::Responder respond) {
  std::string target = req.HeaderOr("X-Amz-Target");
  std::string op;
  for (std::string_view prefix : {"DynamoDB_20120810.", "DynamoDBStreams_20120810."}) {
    if (std::string_view(target).starts_with(prefix)) op = target.substr(prefix.size());
  }
  Reply reply;
  if (op.empty()) {
    reply = Error("UnknownOperationException", "");
  } else if (req.body_too_large) {
    reply = Validation("Request size exceeded the maximum allowed size");
  } else {
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object()) {
      reply = Error("SerializationException", body.ok() ? "Start of structure or map found where "
                                                           "not expected."
                                                         : body.status().message());
    } else {
      auto denied = Authorize(op, body->get_object(), ctx);
      reply = denied ? std::move(*denied) : Dispatch(op, body->get_object(), ctx);
    }
  }
  net::HttpResponse r;
  r.status = reply.status;
  r.headers.reserve(2);
  r.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
  r.headers.push_back({"x-amzn-RequestId", ctx.request_id});
  r.body = std::move(reply.body);
  respond(std::move(r));
}

DynamoDbFrontend::Reply DynamoDbFrontend::Dispatch(const std::string& op, const Object& in,
                                                   const RequestContext& ctx) {
  if (op == "GetItem") return GetItem(in);
  if (op == "PutItem") return PutItem(in);
  if (op == "UpdateItem") return UpdateItem(in);
  if (op == "DeleteItem") return DeleteItem(in);
  if (op == "Query") return Query(in);
  if (op == "Scan") return Scan(in);
  if (op == "BatchGetItem") return BatchGetItem(in);
  if (op == "BatchWriteItem") return BatchWriteItem(in);
  if (op == "TransactWriteItems") return TransactWriteItems(in);
  if (op == "TransactGetItems") return TransactGetItems(in);
  if (op == "CreateTable") return CreateTable(in);
  if (op == "DescribeTable") return DescribeTable(in);
  if (op == "ListTables") return ListTables(in);
  if (op == "DeleteTable") return DeleteTable(in);
  if (op == "UpdateTable") return UpdateTable(in);
  if (op == "UpdateTimeToLive") return UpdateTimeToLive(in);
  if (op == "DescribeTimeToLive") return DescribeTimeToLive(in);
  if (op == "TagResource") return TagResource(in, false);
  if (op == "UntagResource") return TagResource(in, true);
  if (op == "ListTagsOfResource") return ListTagsOfResource(in);
  if (op == "ListStreams") return ListStreams(in);
  if (op == "DescribeStream") return DescribeStream(in);
  if (op == "GetShardIterator") return GetShardIterator(in);
  if (op == "GetRecords") return GetRecords(in);
  if (op == "DescribeLimits") {
    return Ok(json::object{{"AccountMaxReadCapacityUnits", 80000},
                           {"AccountMaxWriteCapacityUnits", 80000},
                           {"TableMaxReadCapacityUnits", 40000},
                           {"TableMaxWriteCapacityUnits", 40000}});
  }
  if (op == "DescribeEndpoints") {
    return Ok(json::object{{"Endpoints", json::array{{{"Address", ctx.host},
                                                      {"CachePeriodInMinutes", 1440}}}}});
  }
  return Error("UnknownOperationException", "Nimbus does not implement DynamoDB " + op + " yet");
}

json::object DynamoDbFrontend::TableDescription(const TableSchema& t, const char* status) {
  tables::TableStats stats = tables_.Stats(t.name);
  json::array defs;
  for (const auto& [name, type] : t.attribute_definitions) {
    defs.push_back({{"AttributeName", name}, {"AttributeType", tables::TypeName(type)}});
  }
  json::object o{{"TableName", t.name},
                 {"TableStatus", status},
                 {"CreationDateTime", EpochSeconds(t.created_ms)},
                 {"AttributeDefinitions", defs},
                 {"KeySchema", KeySchemaJson(t.key)},
                 {"ProvisionedThroughput", {{"NumberOfDecreasesToday", 0},
                                            {"ReadCapacityUnits", t.read_capacity},
                                            {"WriteCapacityUnits", t.write_capacity}}},
                 {"TableSizeBytes", stats.size_bytes},
                 {"ItemCount", stats.item_count},
                 {"TableArn", tables_.TableArn(t.name)},
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
      proj["NonKeyAttributes"] = nka;
    }
    json::object d{{"IndexName", i.name},
                   {"KeySchema", KeySchemaJson(i.key)},
                   {"Projection", proj},
                   {"IndexSizeBytes", stats.size_bytes},
                   {"ItemCount", stats.item_count},
                   {"IndexArn", tables_.TableArn(t.name) + "/index/" + i.name}};
    if (i.global) {
      d["IndexStatus"] = "ACTIVE";
      d["ProvisionedThroughput"] = {{"NumberOfDecreasesToday", 0},
                                    {"ReadCapacityUnits", i.read_capacity},
                                    {"WriteCapacityUnits", i.write_capacity}};
      gsis.push_back(d);
    } else {
      lsis.push_back(d);
    }
  }
  if (!gsis.empty()) o["GlobalSecondaryIndexes"] = gsis;
  if (!lsis.empty()) o["LocalSecondaryIndexes"] = lsis;
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

DynamoDbFrontend::Reply DynamoDbFrontend::CreateTable(const Object& in) {
  // Model constraints first, all of them reported together as DynamoDB does.
  Constraints c;
  c.NotNull(in, "AttributeDefinitions", "attributeDefinitions");
  c.NotNull(in, "TableName", "tableName");
  c.NotNull(in, "KeySchema", "keySchema");
  c.TableName(Str(in, "TableName"), "tableName");
  if (std::string b = Str(in, "BillingMode"); !b.empty() && b != "PROVISIONED" && b != "PAY_PER_REQUEST") {
    c.Add("Value '" + b + "' at 'billingMode' failed to satisfy constraint: Member must satisfy "
          "enum value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  const json::value* defs = in.if_contains("AttributeDefinitions");
  if (defs && defs->is_array()) {
    size_t i = 0;
    for (const auto& d : defs->get_array()) {
      ++i;
      std::string type = d.is_object() ? Str(d.get_object(), "AttributeType") : "";
      if (type != "S" && type != "N" && type != "B") {
        c.Add("Value '" + type + "' at 'attributeDefinitions." + std::to_string(i) +
              ".member.attributeType' failed to satisfy constraint: Member must satisfy enum value "
              "set: [B, N, S]");
      }
    }
  }
  if (const json::value* ks = in.if_contains("KeySchema"); ks && ks->is_array()) {
    size_t i = 0;
    for (const auto& k : ks->get_array()) {
      ++i;
      std::string type = k.is_object() ? Str(k.get_object(), "KeyType") : "";
      if (type != "HASH" && type != "RANGE") {
        c.Add("Value '" + type + "' at 'keySchema." + std::to_string(i) +
              ".member.keyType' failed to satisfy constraint: Member must satisfy enum value set: "
              "[HASH, RANGE]");
      }
    }
  }
  if (const json::value* ss = in.if_contains("StreamSpecification"); ss && ss->is_object()) {
    std::string view = Str(ss->get_object(), "StreamViewType");
    if (!view.empty() && !tables::StreamViewTypeFromName(view)) {
      c.Add("Value '" + view + "' at 'streamSpecification.streamViewType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, "
            "NEW_AND_OLD_IMAGES, KEYS_ONLY]");
    }
  }
  if (auto e = c.Result()) return *e;
  TableSchema t;
  t.name = Str(in, "TableName");
  if (!defs->is_array()) return Error("SerializationException", "AttributeDefinitions must be a list");
  for (const auto& d : defs->get_array()) {
    if (!d.is_object()) return Error("SerializationException", "AttributeDefinitions must hold objects");
    std::string name = Str(d.get_object(), "AttributeName");
    std::string type = Str(d.get_object(), "AttributeType");
    if (t.attribute_definitions.count(name)) {
      return Validation("Cannot have two attributes with the same name");
    }
    t.attribute_definitions[name] = *tables::TypeFromName(type);
  }
  auto key = ParseKeySchema(in.if_contains("KeySchema"), t.attribute_definitions, "keySchema");
  if (key.error) return *key.error;
  t.key = key.key;
  std::string billing = Str(in, "BillingMode");
  t.billing_mode = billing.empty() ? "PROVISIONED" : billing;
  auto throughput = Throughput(in);
  if (t.billing_mode == "PROVISIONED" && !throughput) {
    return Validation("One or more parameter values were invalid: ReadCapacityUnits and "
                      "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  }
  if (t.billing_mode == "PAY_PER_REQUEST" && throughput) {
    return Validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                      "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  if (throughput) {
    if (throughput->first < 1 || throughput->second < 1) {
      return Validation("1 validation error detected: Value '0' at "
                        "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: "
                        "Member must have value greater than or equal to 1");
    }
    t.read_capacity = throughput->first;
    t.write_capacity = throughput->second;
  }
  for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
    const json::value* list = in.if_contains(kind);
    if (!list || list->is_null()) continue;
    if (!list->is_array()) return Error("SerializationException", std::string(kind) + " must be a list");
    if (list->get_array().empty()) {
      return Validation(std::string("One or more parameter values were invalid: List of ") + kind +
                        " is empty");
    }
    for (const auto& iv : list->get_array()) {
      if (!iv.is_object()) return Error("SerializationException", "index definitions must be objects");
      const json::object& io = iv.get_object();
      tables::IndexSchema index;
      index.name = Str(io, "IndexName");
      index.global = std::string(kind) == "GlobalSecondaryIndexes";
      auto ik = ParseKeySchema(io.if_contains("KeySchema"), t.attribute_definitions,
                               index.global ? "globalSecondaryIndexes.member.keySchema"
                                            : "localSecondaryIndexes.member.keySchema");
      if (ik.error) return *ik.error;
      index.key = ik.key;
      if (auto e = ParseProjection(io.if_contains("Projection"), &index)) return *e;
      auto it = Throughput(io);
      if (index.global && t.billing_mode == "PROVISIONED" && !it) {
        return Validation("One or more parameter values were invalid: ProvisionedThroughput must be "
                          "specified for index: " + index.name);
      }
      if (index.global && t.billing_mode == "PAY_PER_REQUEST" && it) {
        return Validation("One or more parameter values were invalid: ProvisionedThroughput should "
                          "not be specified for index: " + index.name +
                          " when BillingMode is PAY_PER_REQUEST");
      }
      if (it) {
        index.read_capacity = it->first;
        index.write_capacity = it->second;
      }
      t.indexes.push_back(std::move(index));
    }
  }
  if (const json::value* ss = in.if_contains("StreamSpecification"); ss && ss->is_object()) {
    const json::value* enabled = ss->get_object().if_contains("StreamEnabled");
    if (enabled && enabled->is_bool() && enabled->get_bool()) {
      auto view = tables::StreamViewTypeFromName(Str(ss->get_object(), "StreamViewType"));
      if (!view) {
        return Validation("One or more parameter values were invalid: StreamSpecification: "
                          "StreamViewType must be specified when StreamEnabled is true");
      }
      tables::StreamInfo st;
      st.view = *view;
      t.streams.push_back(st);
    }
  }
  if (const json::value* tags = in.if_contains("Tags"); tags && tags->is_array()) {
    for (const auto& tv : tags->get_array()) {
      if (tv.is_object()) t.tags[Str(tv.get_object(), "Key")] = Str(tv.get_object(), "Value");
    }
  }
  if (std::string cls = Str(in, "TableClass"); !cls.empty()) t.table_class = cls;
  auto created = tables_.CreateTable(std::move(t));
  if (!created.ok()) return FromStatus(created.status());
  return Ok(json::object{{"TableDescription", TableDescription(*created, "ACTIVE")}});
}

DynamoDbFrontend::Reply DynamoDbFrontend::DescribeTable(const Object& in) {
  Constraints c;
  c.NotNull(in, "TableName", "tableName");
  c.TableName(Str(in, "TableName"), "tableName");
  if (auto e = c.Result()) return *e;
  auto t = tables_.DescribeTable(Str(in, "TableName"));
  if (!t.ok()) return FromStatus(t.status());
  return Ok(json::object{{"Table", TableDescription(*t, "ACTIVE")}});
}

DynamoDbFrontend::Reply DynamoDbFrontend::ListTables(const Object& in) {
  int64_t limit = 100;
  if (const json::value* l = in.if_contains("Limit"); l && l->is_int64()) limit = l->get_int64();
  if (limit < 1 || limit > 100) {
    return Validation("1 validation error detected: Value '" + std::to_string(limit) +
                      "' at 'limit' failed to satisfy constraint: Member must have value " +
                      (limit < 1 ? "greater than or equal to 1" : "less than or equal to 100"));
  }
  bool more = false;
  auto names = tables_.ListTables(Str(in, "ExclusiveStartTableName"), static_cast<int>(limit), &more);
  json::array arr;
  for (const auto& n : names) arr.push_back(json::value(n));
  json::object out{{"TableNames", arr}};
  if (more && !names.empty()) out["LastEvaluatedTableName"] = names.back();
  return Ok(out);
}

DynamoDbFrontend::Reply DynamoDbFrontend::DeleteTable(const Object& in) {
  Constraints c;
  c.NotNull(in, "TableName", "tableName");
  c.TableName(Str(in, "TableName"), "tableName");
  if (auto e = c.Result()) return *e;
  auto before = tables_.DescribeTable(Str(in, "TableName"));
  if (!before.ok()) return FromStatus(before.status());
  json::object desc = TableDescription(*before, "DELETING");
  auto t = tables_.DeleteTable(Str(in, "TableName"));
  if (!t.ok()) return FromStatus(t.status());
  return Ok(json::object{{"TableDescription", desc}});
}

DynamoDbFrontend::Reply DynamoDbFrontend::UpdateTable(const Object& in) {
  Constraints c;
  c.NotNull(in, "TableName", "tableName");
  c.TableName(Str(in, "TableName"), "tableName");
  if (auto e = c.Result()) return *e;
  std::string name = Str(in, "TableName");
  auto current = tables_.DescribeTable(name);
  if (!current.ok()) return FromStatus(current.status());
  tables::TableService::TableUpdate u;
  std::map<std::string, ValueType> defs = current->attribute_definitions;
  if (const json::value* d = in.if_contains("AttributeDefinitions"); d && d->is_array()) {
    for (const auto& dv : d->get_array()) {
      if (!dv.is_object()) continue;
      auto type = tables::TypeFromName(Str(dv.get_object(), "AttributeType"));
      if (!type) return Validation("Member must satisfy enum value set: [B, N, S]");
      defs[Str(dv.get_object(), "AttributeName")] = *type;
      u.attribute_definitions[Str(dv.get_object(), "AttributeName")] = *type;
    }
  }
  if (std::string b = Str(in, "BillingMode"); !b.empty()) u.billing_mode = b;
  if (auto tp = Throughput(in)) u.throughput = tp;
  if (const json::value* g = in.if_contains("GlobalSecondaryIndexUpdates"); g && g->is_array()) {
    if (g->get_array().size() > 1) {
      return Validation("One or more parameter values were invalid: Only one global secondary index "
                        "update per request is allowed");
    }
    for (const auto& uv : g->get_array()) {
      if (!uv.is_object()) continue;
      const json::object& uo = uv.get_object();
      if (const json::value* cr = uo.if_contains("Create"); cr && cr->is_object()) {
        tables::IndexSchema index;
        index.name = Str(cr->get_object(), "IndexName");
        auto ik = ParseKeySchema(cr->get_object().if_contains("KeySchema"), defs,
                                 "globalSecondaryIndexUpdates.member.create.keySchema");
        if (ik.error) return *ik.error;
        index.key = ik.key;
        if (auto e = ParseProjection(cr->get_object().if_contains("Projection"), &index)) return *e;
        if (auto it = Throughput(cr->get_object())) {
          index.read_capacity = it->first;
          index.write_capacity = it->second;
        }
        u.create_index = index;
      } else if (const json::value* del = uo.if_contains("Delete"); del && del->is_object()) {
        u.delete_index = Str(del->get_object(), "IndexName");
      } else if (const json::value* up = uo.if_contains("Update"); up && up->is_object()) {
        auto it = Throughput(up->get_object());
        u.update_index = {Str(up->get_object(), "IndexName"), it.value_or(std::make_pair(0L, 0L))};
      }
    }
  }
  if (const json::value* ss = in.if_contains("StreamSpecification"); ss && ss->is_object()) {
    std::string view = Str(ss->get_object(), "StreamViewType");
    if (!view.empty() && !tables::StreamViewTypeFromName(view)) {
      return Validation("1 validation error detected: Value '" + view +
                        "' at 'streamSpecification.streamViewType' failed to satisfy constraint: "
                        "Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, "
                        "NEW_AND_OLD_IMAGES, KEYS_ONLY]");
    }
    const json::value* enabled = ss->get_object().if_contains("StreamEnabled");
    if (enabled && enabled->is_bool()) {
      u.stream_enabled = enabled->get_bool();
      if (enabled->get_bool()) {
        auto view = tables::StreamViewTypeFromName(Str(ss->get_object(), "StreamViewType"));
        if (!view) {
          return Validation("One or more parameter values were invalid: StreamSpecification: "
                            "StreamViewType must be specified when StreamEnabled is true");
        }
        u.stream_view = view;
      }
    }
  }
  auto t = tables_.UpdateTable(name, u);
  if (!t.ok()) return FromStatus(t.status());
  return Ok(json::object{{"TableDescription", TableDescription(*t, "ACTIVE")}});
}

DynamoDbFrontend::Reply DynamoDbFrontend::UpdateTimeToLive(const Object& in) {
  const json::value* spec = in.if_contains("TimeToLiveSpecification");
  Constraints c;
  c.NotNull(in, "TableName", "tableName");
  c.NotNull(in, "TimeToLiveSpecification", "timeToLiveSpecification");
  if (auto e = c.Result()) return *e;
  if (!spec->is_object()) return Error("SerializationException", "TimeToLiveSpecification must be an object");
  const json::value* enabled = spec->get_object().if_contains("Enabled");
  std::string attr = Str(spec->get_object(), "AttributeName");
  if (!enabled || !enabled->is_bool() || attr.empty()) {
    return Validation("1 validation error detected: Value null at "
                      "'timeToLiveSpecification.attributeName' failed to satisfy constraint: "
                      "Member must not be null");
  }
  auto t = tables_.UpdateTimeToLive(Str(in, "TableName"), enabled->get_bool(), attr);
  if (!t.ok()) return FromStatus(t.status());
  return Ok(json::object{{"TimeToLiveSpecification",
                          {{"Enabled", enabled->get_bool()}, {"AttributeName", attr}}}});
}

DynamoDbFrontend::Reply DynamoDbFrontend::DescribeTimeToLive(const Object& in) {
  auto t = tables_.DescribeTable(Str(in, "TableName"));
  if (!t.ok()) return FromStatus(t.status());
  json::object d{{"TimeToLiveStatus", t->ttl_enabled ? "ENABLED" : "DISABLED"}};
  if (t->ttl_enabled) d["AttributeName"] = t->ttl_attribute;
  return Ok(json::object{{"TimeToLiveDescription", d}});
}

DynamoDbFrontend::Reply DynamoDbFrontend::TagResource(const Object& in, bool untag) {
  std::string arn = Str(in, "ResourceArn");
  size_t at = arn.find(":table/");
  if (at == std::string::npos) return Validation("Invalid TableArn: " + arn);
  std::string name = arn.substr(at + 7);
  std::map<std::string, std::string> add;
  std::vector<std::string> remove;
  if (untag) {
    if (const json::value* k = in.if_contains("TagKeys"); k && k->is_array()) {
      for (const auto& v : k->get_array()) {
        if (v.is_string()) remove.emplace_back(v.get_string());
      }
    }
  } else if (const json::value* tags = in.if_contains("Tags"); tags && tags->is_array()) {
    for (const auto& tv : tags->get_array()) {
      if (tv.is_object()) add[Str(tv.get_object(), "Key")] = Str(tv.get_object(), "Value");
    }
  }
  auto t = tables_.UpdateTags(name, add, remove);
  if (!t.ok()) return FromStatus(t.status());
  return Ok(json::object{});
}

DynamoDbFrontend::Reply DynamoDbFrontend::ListTagsOfResource(const Object& in) {
  std::string arn = Str(in, "ResourceArn");
  size_t at = arn.find(":table/");
  if (at == std::string::npos) return Validation("Invalid TableArn: " + arn);
  auto t = tables_.DescribeTable(arn.substr(at + 7));
  if (!t.ok()) return FromStatus(t.status());
  json::array tags;
  for (const auto& [k, v] : t->tags) tags.push_back({{"Key", k}, {"Value", v}});
  return Ok(json::object{{"Tags", tags}});
}

}  // namespace nimbus::aws
