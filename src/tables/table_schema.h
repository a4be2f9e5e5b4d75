// A table's definition as the table service keeps it: key schema, attribute
// definitions, billing, secondary indexes, stream and TTL settings. Validated
// with DynamoDB's own rules and messages when a table is created or changed.
// Plain data; the service shares a table's schema between threads as a
// shared_ptr<const TableSchema> and replaces it whole when it changes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "tables/key_codec.h"

namespace nimbus::tables {

enum class ProjectionType { kAll, kKeysOnly, kInclude };
const char* ProjectionTypeName(ProjectionType t);

struct IndexSchema {
  std::string name;
  std::string id;  // storage prefix, stable for the index's life
  bool global = true;
  KeySchema key;
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude
  int64_t read_capacity = 0;
  int64_t write_capacity = 0;
  int64_t created_ms = 0;

  // Whether an item's attribute `name` is stored in the index.
  bool Projects(const std::string& name, const KeySchema& table_key) const;
};

enum class StreamViewType { kKeysOnly, kNewImage, kOldImage, kNewAndOldImages };
const char* StreamViewTypeName(StreamViewType t);
std::optional<StreamViewType> StreamViewTypeFromName(const std::string& name);

// One stream of a table: enabling a stream creates a new one with a new label;
// disabling closes it (its records stay readable until they expire).
struct StreamInfo {
  std::string label;  // "2024-01-31T12:00:00.123"
  StreamViewType view = StreamViewType::kNewAndOldImages;
  int64_t created_ms = 0;
  int64_t closed_ms = 0;        // 0 while enabled
  uint64_t first_sequence = 0;  // first sequence number of this stream
};

struct TableSchema {
  std::string name;
  std::string id;  // storage prefix; a re-created table gets a new one
  KeySchema key;
  std::map<std::string, ValueType> attribute_definitions;
  std::string billing_mode = "PROVISIONED";  // or PAY_PER_REQUEST
  int64_t read_capacity = 0;
  int64_t write_capacity = 0;
  std::vector<IndexSchema> indexes;  // global and local
  std::vector<StreamInfo> streams;   // newest last
  bool ttl_enabled = false;
  std::string ttl_attribute;
  int64_t created_ms = 0;
  int64_t deleted_ms = 0;  // set on a deleted table kept for its streams
  std::map<std::string, std::string> tags;
  std::string table_class = "STANDARD";

  const IndexSchema* FindIndex(const std::string& name) const;
  // The enabled stream, if any.
  const StreamInfo* ActiveStream() const;
  // Every key attribute of the table and its indexes (for type checks on write).
  std::map<std::string, ValueType> AllKeyAttributes() const;

  std::string ToStored() const;
  static Result<TableSchema> FromStored(std::string_view data);
};

// Checks a table definition as CreateTable does: name, key schema, that the
// attribute definitions name exactly the key attributes of the table and its
// indexes, index rules (LSI share the hash key, at most 5 LSI / 20 GSI, unique
// names, projections), billing mode and throughput.
Status ValidateNewTable(const TableSchema& table);
Status ValidateTableName(const std::string& name, const char* field = "tableName");
Status ValidateIndex(const IndexSchema& index, const TableSchema& table);

}  // namespace nimbus::tables
