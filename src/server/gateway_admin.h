// The control API of the gateway, on the AWS endpoint (SigV4-signed for the
// service name "nimbus"): `nimbus deploy` puts a service's API here.
//
//   PUT    /nimbus/apis/{id}[?root=true|false]  body: the API configuration
//   GET    /nimbus/apis                          the deployed APIs
//   GET    /nimbus/apis/{id}                     one API's configuration
//   DELETE /nimbus/apis/{id}
//
// Errors are rest-json shaped (BadRequestException, NotFoundException).
#pragma once

#include "aws/endpoint.h"
#include "gateway/gateway.h"

namespace nimbus::server {

class GatewayAdmin : public aws::Frontend {
 public:
  // `base_url` gives the gateway's address ("http://127.0.0.1:3000").
  GatewayAdmin(gateway::Gateway& gateway, std::function<std::string()> base_url)
      : gateway_(gateway), base_url_(std::move(base_url)) {}

  aws::Protocol protocol() const override { return aws::Protocol::kRestJson; }
  void Handle(net::HttpRequest&& req, const aws::RequestContext& ctx,
              net::Responder respond) override;

 private:
  gateway::Gateway& gateway_;
  std::function<std::string()> base_url_;
};

}  // namespace nimbus::server
