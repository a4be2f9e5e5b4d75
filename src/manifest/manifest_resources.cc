// Builder: resources (the CloudFormation part of serverless.yml).
#include <string_view>

#include "core/strings.h"
#include "manifest/manifest_builder.h"

namespace nimbus::manifest {
namespace json = boost::json;
Status Builder::BuildResources() {
  RETURN_IF_ERROR(BuildResourceSets());
  return BuildRoles();  // needs the functions and the AWS::IAM::Role resources
}

Status Builder::BuildResourceSets() {
  const json::object& root = doc_.root.get_object();
  const json::value* rv = root.if_contains("resources");
  if (rv == nullptr || rv->is_null()) return Status::Ok();
  // Either one mapping or a list of them (often ${file()} includes), merged.
  if (rv->is_object()) return BuildResourceSet(rv->get_object(), "resources");
  if (!rv->is_array()) return Fail("resources", "resources must be a mapping with Resources");
  const json::array& sets = rv->get_array();
  for (size_t i = 0; i < sets.size(); ++i) {
    std::string at = JoinIndex("resources", i);
    if (!sets[i].is_object()) return Fail(at, at + " must be a mapping with Resources");
    RETURN_IF_ERROR(BuildResourceSet(sets[i].get_object(), at));
  }
  return Status::Ok();
}

Status Builder::BuildResourceSet(const json::object& set, const std::string& path) {
  for (const auto& member : set) {
    std::string at = JoinKey(path, member.key());
    if (member.key() == "Resources") {
      if (member.value().is_null()) continue;
      if (!member.value().is_object()) return Fail(at, at + " must be a mapping of resources");
      for (const auto& res : member.value().get_object()) {
        std::string id(res.key());
        std::string res_path = JoinKey(at, id);
        if (!OnlyWordCharacters(id, "")) {
          return Fail(res_path, "logical id \"" + id +
                                    "\" is invalid: CloudFormation allows only letters and digits");
        }
        if (!res.value().is_object()) return Fail(res_path, res_path + " must be a mapping");
        const json::object& r = res.value().get_object();
        ASSIGN_OR_RETURN(auto type, OptString(r, res_path, "Type"));
        if (!type) return Fail(res_path, "resource " + id + " has no Type");
        if (*type == "AWS::DynamoDB::Table") {
          RETURN_IF_ERROR(BuildTable(id, r, res_path));
        } else if (*type == "AWS::IAM::Role") {
          RETURN_IF_ERROR(BuildRoleResource(id, r, res_path));  // manifest_iam.cc
        } else {
          Unsupported(res_path + " (" + *type + ")");
        }
      }
    } else if (member.key() == "Outputs") {
      if (!member.value().is_object() && !member.value().is_null()) {
        return Fail(at, at + " must be a mapping of outputs");
      }
    } else if (member.key() != "Description" && member.key() != "AWSTemplateFormatVersion") {
      Unsupported(at);  // Conditions, Mappings, Parameters, extensions, ...
    }
  }
  return Status::Ok();
}

Status Builder::BuildTable(const std::string& id, const json::object& r, const std::string& path) {
  TableDef table;
  table.logical_id = id;
  table.pos = Pos(path);
  ASSIGN_OR_RETURN(const json::object* props, OptObject(r, path, "Properties"));
  std::string props_path = JoinKey(path, "Properties");
  if (props == nullptr) {
    return Fail(path, "table " + id + " needs Properties with KeySchema and AttributeDefinitions");
  }
  for (const char* required : {"KeySchema", "AttributeDefinitions"}) {
    if (!props->contains(required)) {
      return Fail(props_path, "table " + id + " needs " + required);
    }
  }
  table.properties = *props;
  ASSIGN_OR_RETURN(auto policy, OptString(r, path, "DeletionPolicy"));
  if (policy && *policy != "Delete" && *policy != "Retain" && *policy != "Snapshot") {
    return Fail(JoinKey(path, "DeletionPolicy"),
                "DeletionPolicy must be Delete, Retain or Snapshot");
  }
  table.deletion_policy = policy.value_or("Delete");
  for (const auto& member : r) {
    if (member.key() != "Type" && member.key() != "Properties" &&
        member.key() != "DeletionPolicy" && member.key() != "UpdateReplacePolicy" &&
        member.key() != "DependsOn") {
      Unsupported(JoinKey(path, member.key()));
    }
  }
  // A later resource set may redefine a table; the last definition counts.
  for (TableDef& existing : m_->tables) {
    if (existing.logical_id == id) {
      existing = std::move(table);
      return Status::Ok();
    }
  }
  m_->tables.push_back(std::move(table));
  return Status::Ok();
}

}  // namespace nimbus::manifest
