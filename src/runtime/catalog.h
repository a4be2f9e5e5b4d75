// The runtimes Nimbus offers and how each one starts inside a sandbox:
// `provided*` execute the function's own `bootstrap`; `nodejs*` and
// `python3.*` run Nimbus's bootstraps (runtimes/nodejs, runtimes/python) on
// the host's Node.js and Debian's Python, mounted at /var/runtime.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace nimbus::runtime {

enum class RuntimeFamily { kProvided, kNode, kPython };

struct RuntimeInfo {
  std::string name;               // "nodejs20.x"
  RuntimeFamily family;
  std::vector<std::string> argv;  // paths inside the sandbox
  std::string runtime_dir;        // host directory mounted at /var/runtime ("" for provided)
  std::string execution_env;      // AWS_EXECUTION_ENV ("" for provided)
  bool handler_required = true;
};

struct CatalogOptions {
  std::string runtimes_dir;  // the repository's runtimes/ folder
  std::string node_binary = "/usr/bin/node";
  std::string python_binary = "/usr/bin/python3";
};

class RuntimeCatalog {
 public:
  explicit RuntimeCatalog(CatalogOptions options);

  // nullptr for a runtime Nimbus does not offer.
  const RuntimeInfo* Find(const std::string& name) const;
  // Every offered name, sorted (for error messages).
  std::vector<std::string> Names() const;
  // Problems with the host's runtimes (missing binaries or bootstraps).
  std::vector<std::string> Check() const;

 private:
  CatalogOptions options_;
  std::map<std::string, RuntimeInfo> runtimes_;
};

}  // namespace nimbus::runtime
