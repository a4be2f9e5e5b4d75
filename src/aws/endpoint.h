// The AWS-compatible endpoint: verifies SigV4 on every request (header and
// presigned forms, clock skew, unknown keys, session tokens), then hands the
// request to the frontend registered for its signing name. Paths under
// /_nimbus/ are Nimbus's own and are served by internal handlers. A request
// for a service no frontend serves is answered in the protocol its client
// speaks (XML for S3 and the query services, JSON otherwise).
//
// Ownership and threads: the endpoint borrows the credential store, the
// access control and the frontends (the composition root, server.cc, owns
// them and keeps them alive while the endpoint serves). Register,
// RegisterInternal and SetAccessControl are called once, before serving, on
// one thread. Handle, HandleFromInstance and JudgeHead are then called on
// any I/O thread, concurrently; they share only immutable tables and the
// signing-key cache (internally locked).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "aws/credential_store.h"
#include "aws/protocol.h"
#include "aws/sigv4.h"
#include "net/http.h"
#include "net/http_server.h"

namespace nimbus::aws {

class AccessControl;

struct RequestContext {
  Principal principal;
  std::string region;
  std::string request_id;
  std::string host;     // the Host header, for URLs in responses
  std::string service;  // the signing name: "lambda", "dynamodb", ...
  const AccessControl* access = nullptr;

  // nullopt when the caller may perform `action` ("dynamodb:PutItem") on
  // `resource` (an ARN, or "*"); otherwise the AccessDenied error to answer.
  std::optional<AwsError> Authorize(std::string_view action, std::string_view resource) const;
  bool is_instance() const { return principal.kind == Principal::Kind::kInstance; }
};

class Frontend {
 public:
  virtual ~Frontend() = default;
  virtual Protocol protocol() const = 0;
  // How the service styles its errors (the endpoint's own authentication
  // errors use it too).
  virtual const ErrorStyle& style() const;
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

  // Every request is authorised by `access` (roles and policies) once set.
  void SetAccessControl(const AccessControl* access) { access_ = access; }

  // Serves a request that arrived on the public API listener: instance
  // credentials are refused there.
  void Handle(net::HttpRequest&& req, net::Responder respond);
  // Serves a request that arrived on an instance's own listener: that
  // instance's credentials (`instance_key`) are accepted, and no other's;
  // Nimbus's internal paths are not served there.
  void HandleFromInstance(net::HttpRequest&& req, net::Responder respond,
                          const std::string& instance_key);
  // Judges a request before its body is read (net::HttpServerOptions::
  // head_filter): a request announcing a large body is answered at once,
  // unread, when its key, session token, date or listener do not hold.
  net::HeadVerdict JudgeHead(const net::HttpRequest& req, const std::string& instance_key) const;
  std::function<net::HeadVerdict(const net::HttpRequest&)> HeadFilter(std::string instance_key) {
    return [this, key = std::move(instance_key)](const net::HttpRequest& r) {
      return JudgeHead(r, key);
    };
  }
  net::Handler InstanceHandler(std::string instance_key) {
    return [this, key = std::move(instance_key)](net::HttpRequest&& r, net::Responder respond) {
      HandleFromInstance(std::move(r), std::move(respond), key);
    };
  }
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
                                 const std::string& instance_key, Principal* principal) const;
  // The checks that need no body: date, key, session token, listener.
  std::optional<AwsError> VerifyHead(const SigV4Auth& auth, const std::string& instance_key,
                                     Principal* principal) const;
  void Serve(net::HttpRequest&& req, net::Responder respond, const std::string& instance_key);

  CredentialStore& credentials_;
  EndpointOptions options_;
  mutable SigningKeyCache signing_keys_;
  const AccessControl* access_ = nullptr;
  std::map<std::string, Frontend*> frontends_;
  std::vector<std::pair<std::string, net::Handler>> internal_;
};

}  // namespace nimbus::aws
