#include "aws/credential_store.h"

#include "core/fs.h"
#include "core/ids.h"
#include "core/strings.h"

namespace nimbus::aws {

std::map<std::string, std::string> CredentialStore::ParseIni(const std::string& text,
                                                             const std::string& section) {
  std::map<std::string, std::string> out;
  std::string current;
  for (std::string_view line : Split(text, '\n')) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      current = std::string(Trim(line.substr(1, line.size() - 2)));
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || current != section) continue;
    out[std::string(Trim(line.substr(0, eq)))] = std::string(Trim(line.substr(eq + 1)));
  }
  return out;
}

Result<std::unique_ptr<CredentialStore>> CredentialStore::Open(const std::string& path,
                                                               bool accept_dev_key, bool* created) {
  std::unique_ptr<CredentialStore> store(new CredentialStore());
  store->accept_dev_key_ = accept_dev_key;
  *created = false;
  auto text = ReadFile(path);
  if (text.ok()) {
    auto kv = ParseIni(*text, "default");
    store->root_.access_key_id = kv["aws_access_key_id"];
    store->root_.secret_access_key = kv["aws_secret_access_key"];
    if (store->root_.access_key_id.empty() || store->root_.secret_access_key.empty()) {
      return Internal("credentials file " + path + " has no [default] access key");
    }
  } else if (text.status().code() == Code::kNotFound) {
    store->root_.access_key_id = "AKIA" + RandomUpperAlnum(16);
    store->root_.secret_access_key = RandomSecret(40);
    std::string content = "[default]\naws_access_key_id = " + store->root_.access_key_id +
                          "\naws_secret_access_key = " + store->root_.secret_access_key + "\n";
    RETURN_IF_ERROR(WriteFileAtomic(path, content, 0600));
    *created = true;
  } else {
    return text.status();
  }
  store->root_.kind = Principal::Kind::kRoot;
  return store;
}

std::optional<Principal> CredentialStore::Find(const std::string& access_key_id) const {
  if (access_key_id == root_.access_key_id) return root_;
  if (accept_dev_key_ && access_key_id == "test") {
    Principal p;
    p.kind = Principal::Kind::kDev;
    p.access_key_id = "test";
    p.secret_access_key = "test";
    return p;
  }
  std::lock_guard lock(mu_);
  auto it = instances_.find(access_key_id);
  if (it == instances_.end()) return std::nullopt;
  return it->second;
}

Credentials CredentialStore::Issue(const InstanceIdentity& identity) {
  Principal p;
  p.kind = Principal::Kind::kInstance;
  p.access_key_id = "ASIA" + RandomUpperAlnum(16);
  p.secret_access_key = RandomSecret(40);
  p.session_token = RandomSecret(96);
  p.function_arn = identity.function_arn;
  p.function_name = identity.function_name;
  p.role_arn = identity.role_arn;
  p.region = identity.region;
  std::lock_guard lock(mu_);
  instances_[p.access_key_id] = p;
  return {p.access_key_id, p.secret_access_key, p.session_token};
}

void CredentialStore::Revoke(const std::string& access_key_id) {
  std::lock_guard lock(mu_);
  instances_.erase(access_key_id);
}

}  // namespace nimbus::aws
