// The CloudWatch Logs API (JSON 1.1, target prefix Logs_20140328) over the
// log store: the calls the AWS CLI's `aws logs` and SDKs use to read function
// logs, plus creating groups and streams and putting events.
#pragma once

#include "aws/endpoint.h"
#include "observe/log_store.h"

namespace nimbus::aws {

class LogsFrontend : public Frontend {
 public:
  LogsFrontend(observe::LogStore& logs, std::string account_id);
  Protocol protocol() const override { return Protocol::kJson; }
  void Handle(net::HttpRequest&& req, const RequestContext& ctx, net::Responder respond) override;

 private:
  observe::LogStore& logs_;
  std::string account_id_;
};

}  // namespace nimbus::aws
