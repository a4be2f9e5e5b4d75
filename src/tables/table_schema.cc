#include "tables/table_schema.h"

#include <boost/json.hpp>
#include <set>

#include "core/json.h"

namespace nimbus::tables {
namespace {

Status Validation(std::string message) {
  return InvalidArgument(std::move(message));
}

json::object KeyToJson(const KeySchema& k) {
  json::object o{{"hash", k.hash.name}, {"hash_type", TypeName(k.hash.type)}};
  if (k.range) {
    o["range"] = k.range->name;
    o["range_type"] = TypeName(k.range->type);
  }
  return o;
}

std::string Str(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t Int(const json::object& o, const char* k) {
  const json::value* v = o.if_contains(k);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

Result<KeySchema> KeyFromJson(const json::object& o) {
  KeySchema k;
  k.hash.name = Str(o, "hash");
  auto ht = TypeFromName(Str(o, "hash_type"));
  if (!ht) return Internal("stored key schema is damaged");
  k.hash.type = *ht;
  if (o.contains("range")) {
    auto rt = TypeFromName(Str(o, "range_type"));
    if (!rt) return Internal("stored key schema is damaged");
    k.range = KeyAttribute{Str(o, "range"), *rt};
  }
  return k;
}

Status ValidateKeySchema(const KeySchema& k, const std::string& what) {
  auto scalar = [](ValueType t) {
    return t == ValueType::kS || t == ValueType::kN || t == ValueType::kB;
  };
  if (k.hash.name.empty())
    return Validation(
        "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key");
  if (k.hash.name.size() > 255 || (k.range && k.range->name.size() > 255)) {
    return Validation("One or more parameter values were invalid: " + what +
                      " key attribute names must be at most 255 bytes");
  }
  if (!scalar(k.hash.type) || (k.range && !scalar(k.range->type))) {
    return Validation("Member must satisfy enum value set: [B, N, S]");
  }
  if (k.range && k.range->name == k.hash.name) {
    return Validation(
        "Both the Hash Key and the Range Key element in the KeySchema have the same "
        "name. The key schema must contain at most one of each.");
  }
  return Status::Ok();
}

}  // namespace

const char* ProjectionTypeName(ProjectionType t) {
  switch (t) {
    case ProjectionType::kAll:
      return "ALL";
    case ProjectionType::kKeysOnly:
      return "KEYS_ONLY";
    case ProjectionType::kInclude:
      return "INCLUDE";
  }
  return "ALL";
}

const char* StreamViewTypeName(StreamViewType t) {
  switch (t) {
    case StreamViewType::kKeysOnly:
      return "KEYS_ONLY";
    case StreamViewType::kNewImage:
      return "NEW_IMAGE";
    case StreamViewType::kOldImage:
      return "OLD_IMAGE";
    case StreamViewType::kNewAndOldImages:
      return "NEW_AND_OLD_IMAGES";
  }
  return "NEW_AND_OLD_IMAGES";
}

std::optional<StreamViewType> StreamViewTypeFromName(const std::string& name) {
  if (name == "KEYS_ONLY") return StreamViewType::kKeysOnly;
  if (name == "NEW_IMAGE") return StreamViewType::kNewImage;
  if (name == "OLD_IMAGE") return StreamViewType::kOldImage;
  if (name == "NEW_AND_OLD_IMAGES") return StreamViewType::kNewAndOldImages;
  return std::nullopt;
}

bool IndexSchema::Projects(const std::string& attr, const KeySchema& table_key) const {
  if (projection == ProjectionType::kAll) return true;
  if (attr == table_key.hash.name || (table_key.range && attr == table_key.range->name) ||
      attr == key.hash.name || (key.range && attr == key.range->name)) {
    return true;
  }
  if (projection == ProjectionType::kKeysOnly) return false;
  for (const auto& a : non_key_attributes) {
    if (a == attr) return true;
  }
  return false;
}

const IndexSchema* TableSchema::FindIndex(const std::string& index_name) const {
  for (const auto& i : indexes) {
    if (i.name == index_name) return &i;
  }
  return nullptr;
}

const StreamInfo* TableSchema::ActiveStream() const {
  if (streams.empty() || streams.back().closed_ms != 0) return nullptr;
  return &streams.back();
}

std::map<std::string, ValueType> TableSchema::AllKeyAttributes() const {
  std::map<std::string, ValueType> out;
  out[key.hash.name] = key.hash.type;
  if (key.range) out[key.range->name] = key.range->type;
  for (const auto& i : indexes) {
    out[i.key.hash.name] = i.key.hash.type;
    if (i.key.range) out[i.key.range->name] = i.key.range->type;
  }
  return out;
}

std::string TableSchema::ToStored() const {
  json::object o;
  o["name"] = name;
  o["id"] = id;
  o["key"] = KeyToJson(key);
  json::object defs;
  for (const auto& [n, t] : attribute_definitions) defs[n] = TypeName(t);
  o["defs"] = defs;
  o["billing"] = billing_mode;
  o["rcu"] = read_capacity;
  o["wcu"] = write_capacity;
  json::array idx;
  for (const auto& i : indexes) {
    json::array nka;
    for (const auto& a : i.non_key_attributes) nka.push_back(json::value(a));
    idx.push_back({{"name", i.name},
                   {"id", i.id},
                   {"global", i.global},
                   {"key", KeyToJson(i.key)},
                   {"projection", ProjectionTypeName(i.projection)},
                   {"nka", nka},
                   {"rcu", i.read_capacity},
                   {"wcu", i.write_capacity},
                   {"created", i.created_ms}});
  }
  o["indexes"] = idx;
  json::array st;
  for (const auto& s : streams) {
    st.push_back({{"label", s.label},
                  {"view", StreamViewTypeName(s.view)},
                  {"created", s.created_ms},
                  {"closed", s.closed_ms},
                  {"first", s.first_sequence}});
  }
  o["streams"] = st;
  o["ttl_enabled"] = ttl_enabled;
  o["ttl_attribute"] = ttl_attribute;
  o["created"] = created_ms;
  o["deleted"] = deleted_ms;
  json::object t;
  for (const auto& [k, v] : tags) t[k] = v;
  o["tags"] = t;
  o["class"] = table_class;
  return json::serialize(o);
}

Result<TableSchema> TableSchema::FromStored(std::string_view data) {
  ASSIGN_OR_RETURN(json::value v, ParseJson(data));
  if (!v.is_object()) return Internal("stored table is damaged");
  const json::object& o = v.get_object();
  TableSchema t;
  t.name = Str(o, "name");
  t.id = Str(o, "id");
  const json::value* key = o.if_contains("key");
  if (!key || !key->is_object()) return Internal("stored table has no key schema");
  ASSIGN_OR_RETURN(t.key, KeyFromJson(key->get_object()));
  if (auto* d = o.if_contains("defs"); d && d->is_object()) {
    for (const auto& [n, ty] : d->get_object()) {
      auto type = ty.is_string() ? TypeFromName(std::string(ty.get_string())) : std::nullopt;
      if (type) t.attribute_definitions[std::string(n)] = *type;
    }
  }
  t.billing_mode = Str(o, "billing");
  t.read_capacity = Int(o, "rcu");
  t.write_capacity = Int(o, "wcu");
  if (auto* a = o.if_contains("indexes"); a && a->is_array()) {
    for (const auto& iv : a->get_array()) {
      if (!iv.is_object()) continue;
      const auto& io = iv.get_object();
      IndexSchema i;
      i.name = Str(io, "name");
      i.id = Str(io, "id");
      i.global = io.contains("global") && io.at("global").is_bool() && io.at("global").get_bool();
      if (auto* k = io.if_contains("key"); k && k->is_object()) {
        ASSIGN_OR_RETURN(i.key, KeyFromJson(k->get_object()));
      }
      std::string p = Str(io, "projection");
      i.projection = p == "KEYS_ONLY" ? ProjectionType::kKeysOnly
                     : p == "INCLUDE" ? ProjectionType::kInclude
                                      : ProjectionType::kAll;
      if (auto* n = io.if_contains("nka"); n && n->is_array()) {
        for (const auto& x : n->get_array()) {
          if (x.is_string()) i.non_key_attributes.emplace_back(x.get_string());
        }
      }
      i.read_capacity = Int(io, "rcu");
      i.write_capacity = Int(io, "wcu");
      i.created_ms = Int(io, "created");
      t.indexes.push_back(std::move(i));
    }
  }
  if (auto* a = o.if_contains("streams"); a && a->is_array()) {
    for (const auto& sv : a->get_array()) {
      if (!sv.is_object()) continue;
      const auto& so = sv.get_object();
      StreamInfo s;
      s.label = Str(so, "label");
      s.view = StreamViewTypeFromName(Str(so, "view")).value_or(StreamViewType::kNewAndOldImages);
      s.created_ms = Int(so, "created");
      s.closed_ms = Int(so, "closed");
      s.first_sequence = static_cast<uint64_t>(Int(so, "first"));
      t.streams.push_back(std::move(s));
    }
  }
  if (auto* e = o.if_contains("ttl_enabled"); e && e->is_bool()) t.ttl_enabled = e->get_bool();
  t.ttl_attribute = Str(o, "ttl_attribute");
  t.created_ms = Int(o, "created");
  t.deleted_ms = Int(o, "deleted");
  if (auto* tg = o.if_contains("tags"); tg && tg->is_object()) {
    for (const auto& [k, val] : tg->get_object()) {
      if (val.is_string()) t.tags[std::string(k)] = std::string(val.get_string());
    }
  }
  t.table_class = Str(o, "class");
  return t;
}

Status ValidateTableName(const std::string& name, const char* field) {
  if (name.size() < 3 || name.size() > 255) {
    return Validation(
        "1 validation error detected: Value '" + name + "' at '" + field +
        "' failed to satisfy constraint: Member must have length " +
        (name.size() < 3 ? "greater than or equal to 3" : "less than or equal to 255"));
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) {
      return Validation("1 validation error detected: Value '" + name + "' at '" + field +
                        "' failed to satisfy constraint: Member must satisfy regular expression "
                        "pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return Status::Ok();
}

Status ValidateIndex(const IndexSchema& i, const TableSchema& t) {
  RETURN_IF_ERROR(ValidateTableName(i.name, "indexName"));
  RETURN_IF_ERROR(ValidateKeySchema(i.key, "Index"));
  if (!i.global) {
    if (!t.key.range) {
      return Validation(
          "One or more parameter values were invalid: Table KeySchema does not "
          "have a range key, which is required when specifying a LocalSecondaryIndex");
    }
    if (i.key.hash.name != t.key.hash.name) {
      return Validation(
          "One or more parameter values were invalid: Index KeySchema does not have "
          "the same leading hash key as table KeySchema for index: " +
          i.name + ". index hash key: " + i.key.hash.name + ", table hash key: " + t.key.hash.name);
    }
    if (!i.key.range) {
      return Validation(
          "One or more parameter values were invalid: Index KeySchema for a "
          "LocalSecondaryIndex must have a range key: " +
          i.name);
    }
  }
  if (i.projection == ProjectionType::kInclude && i.non_key_attributes.empty()) {
    return Validation(
        "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
        "NonKeyAttributes is not specified");
  }
  if (i.projection != ProjectionType::kInclude && !i.non_key_attributes.empty()) {
    return Validation("One or more parameter values were invalid: ProjectionType is " +
                      std::string(ProjectionTypeName(i.projection)) +
                      ", but NonKeyAttributes is specified");
  }
  return Status::Ok();
}

Status ValidateNewTable(const TableSchema& t) {
  RETURN_IF_ERROR(ValidateTableName(t.name));
  RETURN_IF_ERROR(ValidateKeySchema(t.key, "Table"));
  // Key attribute types come from the attribute definitions.
  std::set<std::string> used = {t.key.hash.name};
  if (t.key.range) used.insert(t.key.range->name);
  size_t lsi = 0, gsi = 0;
  std::set<std::string> names;
  for (const auto& i : t.indexes) {
    if (!names.insert(i.name).second) {
      return Validation("One or more parameter values were invalid: Duplicate index name: " +
                        i.name);
    }
    (i.global ? gsi : lsi)++;
    RETURN_IF_ERROR(ValidateIndex(i, t));
    used.insert(i.key.hash.name);
    if (i.key.range) used.insert(i.key.range->name);
  }
  if (lsi > 5) {
    return Validation(
        "One or more parameter values were invalid: Number of LocalSecondaryIndexes "
        "exceeds per-table limit of 5");
  }
  if (gsi > 20) {
    return Validation(
        "One or more parameter values were invalid: Number of "
        "GlobalSecondaryIndexes exceeds per-table limit of 20");
  }
  for (const auto& name : used) {
    if (!t.attribute_definitions.count(name)) {
      return Validation(
          "One or more parameter values were invalid: Some index key attributes are "
          "not defined in AttributeDefinitions. Keys: [" +
          name + "], AttributeDefinitions: [" +
          [&] {
            std::string s;
            for (const auto& [n, _] : t.attribute_definitions) {
              s += (s.empty() ? "" : ", ") + n;
            }
            return s;
          }() +
          "]");
    }
  }
  if (t.attribute_definitions.size() != used.size()) {
    return Validation(
        "One or more parameter values were invalid: Number of attributes in "
        "KeySchema does not exactly match number of attributes defined in "
        "AttributeDefinitions");
  }
  if (t.billing_mode != "PROVISIONED" && t.billing_mode != "PAY_PER_REQUEST") {
    return Validation("1 validation error detected: Value '" + t.billing_mode +
                      "' at 'billingMode' failed to satisfy constraint: Member must satisfy enum "
                      "value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  return Status::Ok();
}

}  // namespace nimbus::tables
