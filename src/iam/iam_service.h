// IamService: the account's IAM roles (execution roles of functions), their
// inline and attached managed policies, and the compiled policy sets request
// threads authorise against. Protocol-neutral: src/aws translates the IAM
// query API onto it and every frontend consults PoliciesForRole.
//
// Each role (with its policies) is one key under store::keyspace::kRoles in
// the KvStore, written in one atomic write after validation; Open() loads them.
//
// Errors carry IAM's error code as the Status reason: "NoSuchEntity",
// "EntityAlreadyExists", "DeleteConflict", "LimitExceeded",
// "ValidationError", "MalformedPolicyDocument", "InvalidInput".
//
// Threads: every method may be called from any thread. Reads take a shared
// lock on in-memory state only; mutations are serialised among themselves
// and hold the readers' lock only to swap in the new state, never across the
// store write, so PoliciesForRole never waits on disk.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/platform.h"
#include "core/status.h"
#include "iam/evaluator.h"
#include "iam/policy.h"
#include "store/kv_store.h"

namespace nimbus::iam {

struct IamOptions {
  Platform platform;  // the account roles' ARNs name
};

struct Tag {
  std::string key, value;
};

struct Role {
  std::string name, path = "/", arn, role_id /* "AROA"+17 upper alnum */, description;
  int64_t create_date_ms = 0;
  std::string assume_role_policy;  // document text as sent
  int32_t max_session_duration = 3600;
  std::vector<Tag> tags;
  std::map<std::string, std::string> inline_policies;  // name -> document text as sent
  std::vector<std::string> attached_policy_arns;
};

struct CreateRoleInput {
  std::string name, path = "/", assume_role_policy, description;
  int32_t max_session_duration = 3600;
  std::vector<Tag> tags;
};

// The compiled identity policies of a role (inline ones in name order, then
// attached managed ones in attachment order), shared read-only with request
// threads.
struct RolePolicies {
  std::string role_arn, role_name;
  std::vector<std::shared_ptr<const Policy>> policies;
};

// IAM's quotas, as IAM reports them with LimitExceeded.
inline constexpr size_t kMaxRoles = 1000;
inline constexpr size_t kMaxAttachedPolicies = 10;
inline constexpr size_t kMaxInlinePolicyChars = 10240;  // sum over a role, white space excluded
inline constexpr size_t kMaxTrustPolicyChars = 2048;    // white space excluded

class IamService {
 public:
  IamService(store::KvStore& kv, IamOptions options);
  Status Open();  // loads roles from the store

  // Errors: kAlreadyExists (EntityAlreadyExists, "Role with name X already exists."),
  // kInvalidArgument with reason "ValidationError" / "MalformedPolicyDocument" / "InvalidInput",
  // kNotFound ("The role with name X cannot be found." / "The role policy with name P cannot be
  // found." / "Policy arn:... does not exist or is not attachable."), kConflict for
  // DeleteConflict ("Cannot delete entity, must delete policies first." / "... must detach all
  // policies first."), kResourceExhausted reason "LimitExceeded" (10 attached policies per role;
  // inline total 10240 chars; trust policy 2048 chars; 1000 roles).
  Result<Role> CreateRole(const CreateRoleInput& in);
  Result<Role> GetRole(std::string_view name) const;  // case-insensitive name lookup as IAM
  Status DeleteRole(std::string_view name);
  // Sorted by name (case-insensitively); `marker` is opaque (the last name
  // returned); max 1..1000 (clamped). `next_marker` is set to the marker of
  // the next page, or emptied when this page is the last.
  std::vector<Role> ListRoles(std::string_view path_prefix, std::string_view marker, int max_items,
                              std::string* next_marker) const;
  Status PutRolePolicy(std::string_view role, std::string_view policy_name,
                       std::string_view document);
  Result<std::string> GetRolePolicy(std::string_view role, std::string_view policy_name) const;
  Status DeleteRolePolicy(std::string_view role, std::string_view policy_name);
  // Attaching an attached policy again succeeds and changes nothing.
  Status AttachRolePolicy(std::string_view role, std::string_view policy_arn);  // managed only
  Status DetachRolePolicy(std::string_view role, std::string_view policy_arn);
  // The role named by an ARN ("arn:aws:iam::ACCOUNT:role/path/name", exactly
  // as the role's Arn); kNotFound otherwise.
  Result<Role> GetRoleByArn(std::string_view arn) const;
  // Compiled policies (inline + attached) of the role with this ARN; cached, rebuilt when the
  // role changes; kNotFound when no such role. Hot path: no parsing, no store read per call.
  Result<std::shared_ptr<const RolePolicies>> PoliciesForRole(std::string_view role_arn) const;
  // Whether the role's trust policy lets `service` ("lambda.amazonaws.com") assume it.
  bool TrustsService(std::string_view role_arn, std::string_view service) const;
  std::string RoleArn(std::string_view path, std::string_view name) const;

 private:
  // A role with its parsed documents. Immutable once published: a change
  // builds a new Entry and swaps it in.
  struct Entry {
    Role role;
    std::shared_ptr<const Policy> trust;
    std::map<std::string, std::shared_ptr<const Policy>> inline_parsed;
    std::shared_ptr<const RolePolicies> compiled;
  };
  using EntryPtr = std::shared_ptr<const Entry>;

  // The entry for a role name (case-insensitive), or NoSuchEntity. Callers
  // hold mu_ (shared) or write_mu_.
  Result<EntryPtr> Find(std::string_view name) const;
  // Builds `entry->compiled` from the role's parsed documents.
  static void Compile(Entry* entry);
  // Writes `entry` (or deletes the role `lower_name` when null) to the store,
  // then publishes it. Callers hold write_mu_.
  Status Commit(const std::string& lower_name, std::shared_ptr<Entry> entry);

  store::KvStore& kv_;
  const IamOptions options_;
  std::mutex write_mu_;                    // serialises mutations, held across their store write
  mutable std::shared_mutex mu_;           // guards the maps below; never held across I/O
  std::map<std::string, EntryPtr> roles_;  // by lower-cased name
  std::unordered_map<std::string, EntryPtr> by_arn_;  // by exact ARN
};

}  // namespace nimbus::iam
