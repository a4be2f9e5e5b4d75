// `nimbus deploy`'s Lambda and CloudWatch Logs step for one function: creates
// it, or brings its code (by CodeSha256), configuration (field by field,
// plan.h) and reserved concurrency in step with the file, and gives its log
// group the service's retention. An unchanged function costs reads only.
//
// Borrows the client, which must outlive it; one caller at a time.
#pragma once

#include <functional>
#include <string>

#include "core/json.h"
#include "core/status.h"
#include "deploy/client.h"
#include "manifest/manifest.h"

namespace nimbus::deploy {

class FunctionDeployer {
 public:
  // Progress lines ("function hello: code updated"), as they happen.
  using Progress = std::function<void(const std::string&)>;

  FunctionDeployer(AwsClient& client, Progress progress)
      : client_(client), progress_(std::move(progress)) {}

  // Creates `fn` with `zip` and `config` (plan.h's FunctionConfiguration),
  // or updates what differs. True when it wrote anything.
  Result<bool> Apply(const manifest::FunctionDef& fn, const std::string& zip,
                     const json::object& config);

  // Gives the function's log group a retention of `days` (creating the
  // group if needed), or takes its retention away for 0. True when it wrote.
  Result<bool> ApplyLogRetention(const manifest::FunctionDef& fn, int64_t days);

 private:
  // Brings the reserved concurrency (`current`, -1 for none) to the file's.
  Result<bool> ApplyReservedConcurrency(const manifest::FunctionDef& fn, int64_t current);
  Result<json::value> Logs(const std::string& operation, const json::object& body);
  void Say(const std::string& line) const {
    if (progress_) progress_(line);
  }

  AwsClient& client_;
  Progress progress_;
};

}  // namespace nimbus::deploy
