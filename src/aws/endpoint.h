// The AWS-compatible endpoint: verifies SigV4 on every request (header and
// presigned forms, clock skew, unknown keys, session tokens), then hands the
// request to the frontend registered for its signing name. Paths under
// /_nimbus/ are Nimbus's own and are served by internal handlers.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "aws/credential_store.h"
#include "aws/protocol.h"
#include "aws/sigv4.h"
#include "net/http.h"

namespace nimbus::aws {

struct RequestContext {
  Principal principal;
  std::string region;
  std::string request_id;
  std::string host;  // the Host header, for URLs in responses
};

class Frontend {
 public:
  virtual ~Frontend() = default;
  virtual Protocol protocol() const = 0;
  virtual void Handle(net::HttpRequest&& req, const RequestContext& ctx,
                      net::Responder respond) = 0;
};

struct EndpointOptions {
  std::chrono::seconds max_skew{15 * 60};
};

class Endpoint {
 public:
  Endpoint(CredentialStore& credentials, EndpointOptions options = {});

  // Requests signed for `service` (e.g. "lambda") go to `frontend`.
  void Register(const std::string& service, Frontend* frontend);
  // Requests whose path starts with `prefix` (under /_nimbus/) skip SigV4.
  void RegisterInternal(const std::string& prefix, net::Handler handler);

  void Handle(net::HttpRequest&& req, net::Responder respond);
  // The answer to a request the HTTP layer could not parse (see
  // net::HttpServerOptions::protocol_error): an AWS-shaped error any SDK reads.
  static net::HttpResponse ProtocolError(int status, const std::string& message);
  net::Handler handler() {
    return [this](net::HttpRequest&& r, net::Responder respond) {
      Handle(std::move(r), std::move(respond));
    };
  }

 private:
  // Returns the error to send, or nullopt when the request is authentic.
  std::optional<AwsError> Verify(const net::HttpRequest& req, const SigV4Auth& auth,
                                 Principal* principal) const;

  CredentialStore& credentials_;
  EndpointOptions options_;
  std::map<std::string, Frontend*> frontends_;
  std::vector<std::pair<std::string, net::Handler>> internal_;
};

}  // namespace nimbus::aws
