// The control API of the gateway, on the AWS endpoint (rest-json, SigV4-signed
// for the service name "nimbus"): `nimbus deploy` puts a service's API here.
//
//   PUT    /nimbus/apis/{id}[?root=true|false]  body: the API configuration
//   GET    /nimbus/apis                          the deployed APIs
//   GET    /nimbus/apis/{id}                     one API's configuration
//   DELETE /nimbus/apis/{id}
//
// The APIs are the administrator's: a function's credentials reach them only
// when its role grants nimbus:ListApis/GetApi/PutApi/DeleteApi on
// arn:aws:nimbus:::api/ID. Errors are rest-json shaped (BadRequestException,
// NotFoundException).
//
// A ServiceFrontend (aws/service.h); runs on the endpoint's I/O threads and
// calls the gateway, which is internally locked.
#pragma once

#include <functional>
#include <string>

#include "aws/service.h"
#include "gateway/gateway.h"

namespace nimbus::aws {

class GatewayAdmin : public ServiceFrontend {
 public:
  // `gateway` outlives the frontend; `base_url` gives the gateway's address
  // ("http://127.0.0.1:3000"), known only once it listens.
  GatewayAdmin(gateway::Gateway& gateway, std::function<std::string()> base_url);

 private:
  std::vector<Operation> Operations();

  gateway::Gateway& gateway_;
  std::function<std::string()> base_url_;
};

ServiceSpec GatewayAdminSpec();

}  // namespace nimbus::aws
