#include "runtime/catalog.h"

#include "core/fs.h"

namespace nimbus::runtime {

RuntimeCatalog::RuntimeCatalog(CatalogOptions options) : options_(std::move(options)) {
  for (const char* name : {"provided", "provided.al2", "provided.al2023"}) {
    runtimes_[name] = {name, RuntimeFamily::kProvided, {"/var/task/bootstrap"}, "", "", false};
  }
  for (const char* name : {"nodejs18.x", "nodejs20.x", "nodejs22.x"}) {
    runtimes_[name] = {name,
                       RuntimeFamily::kNode,
                       {options_.node_binary, "/var/runtime/bootstrap.mjs"},
                       options_.runtimes_dir + "/nodejs",
                       std::string("AWS_Lambda_") + name,
                       true};
  }
  for (const char* name :
       {"python3.9", "python3.10", "python3.11", "python3.12", "python3.13"}) {
    runtimes_[name] = {name,
                       RuntimeFamily::kPython,
                       {options_.python_binary, "-u", "/var/runtime/bootstrap.py"},
                       options_.runtimes_dir + "/python",
                       std::string("AWS_Lambda_") + name,
                       true};
  }
}

const RuntimeInfo* RuntimeCatalog::Find(const std::string& name) const {
  auto it = runtimes_.find(name);
  return it == runtimes_.end() ? nullptr : &it->second;
}

std::vector<std::string> RuntimeCatalog::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : runtimes_) out.push_back(name);
  return out;
}

std::vector<std::string> RuntimeCatalog::Check() const {
  std::vector<std::string> problems;
  if (!PathExists(options_.node_binary)) {
    problems.push_back("Node.js not found at " + options_.node_binary + " (nodejs* runtimes)");
  }
  if (!PathExists(options_.python_binary)) {
    problems.push_back("Python not found at " + options_.python_binary + " (python3.* runtimes)");
  }
  if (!PathExists(options_.runtimes_dir + "/nodejs/bootstrap.mjs")) {
    problems.push_back("Node.js bootstrap missing in " + options_.runtimes_dir + "/nodejs");
  }
  if (!PathExists(options_.runtimes_dir + "/python/bootstrap.py")) {
    problems.push_back("Python bootstrap missing in " + options_.runtimes_dir + "/python");
  }
  return problems;
}

}  // namespace nimbus::runtime
