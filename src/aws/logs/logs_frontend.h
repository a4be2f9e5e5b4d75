// The CloudWatch Logs API (JSON 1.1, target prefix Logs_20140328) over the
// log store: the calls the AWS CLI's `aws logs` and SDKs use to read function
// logs, plus creating groups and streams and putting events.
//
// A ServiceFrontend (aws/service.h): its operation table and error table are
// built at construction; operations run on the endpoint's I/O threads and
// call the log store, which is internally locked.
#pragma once

#include "aws/service.h"
#include "core/platform.h"
#include "observe/log_store.h"

namespace nimbus::aws {

class LogsFrontend : public ServiceFrontend {
 public:
  // `logs` outlives the frontend; `platform` names the ARNs of groups and streams.
  LogsFrontend(observe::LogStore& logs, Platform platform);

 private:
  std::vector<Operation> Operations();

  Result<boost::json::value> CreateLogGroup(const Call& call);
  Result<boost::json::value> DeleteLogGroup(const Call& call);
  Result<boost::json::value> PutRetentionPolicy(const Call& call);
  Result<boost::json::value> DeleteRetentionPolicy(const Call& call);
  Result<boost::json::value> DescribeLogGroups(const Call& call);
  Result<boost::json::value> CreateLogStream(const Call& call);
  Result<boost::json::value> PutLogEvents(const Call& call);
  Result<boost::json::value> DescribeLogStreams(const Call& call);
  Result<boost::json::value> GetLogEvents(const Call& call);
  Result<boost::json::value> FilterLogEvents(const Call& call);

  observe::LogStore& logs_;
  Platform platform_;
};

// The Logs service's wire description: protocol, target prefix, errors.
ServiceSpec LogsSpec();

}  // namespace nimbus::aws
