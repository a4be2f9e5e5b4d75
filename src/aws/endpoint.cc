#include "aws/endpoint.h"

#include <fmt/format.h>

#include "aws/sigv4.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/time.h"

namespace nimbus::aws {
namespace {

constexpr const char* kBadSignature =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

// rest-json services answer authentication failures with 403, JSON ones with 400.
int AuthStatus(Protocol p) { return p == Protocol::kRestJson ? 403 : 400; }

}  // namespace

Endpoint::Endpoint(CredentialStore& credentials, EndpointOptions options)
    : credentials_(credentials), options_(options) {}

void Endpoint::Register(const std::string& service, Frontend* frontend) {
  frontends_[service] = frontend;
}

void Endpoint::RegisterInternal(const std::string& prefix, net::Handler handler) {
  internal_.emplace_back(prefix, std::move(handler));
}

std::optional<AwsError> Endpoint::Verify(const net::HttpRequest& req, const SigV4Auth& auth,
                                         Principal* principal) const {
  auto ts = ParseAmzDate(auth.timestamp);
  if (!ts || auth.timestamp.substr(0, 8) != auth.date) {
    return AwsError{400, "IncompleteSignatureException",
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                    "date from HTTP: '" + auth.date + "' != '" + auth.timestamp.substr(0, 8) +
                        "', from '" + auth.timestamp + "'."};
  }
  int64_t now = NowEpochMillis() / 1000;
  int64_t skew = options_.max_skew.count();
  if (auth.presigned) {
    if (auto err = CheckPresignedExpiry(auth, *ts, now)) return err;
  }
  if (!auth.presigned && *ts < now - skew) {
    return AwsError{403, "InvalidSignatureException",
                    fmt::format("Signature expired: {} is now earlier than {} ({} - {} min.)",
                                auth.timestamp, FormatAmzDate(now - skew), FormatAmzDate(now),
                                skew / 60)};
  }
  if (*ts > now + skew) {
    return AwsError{403, "InvalidSignatureException",
                    fmt::format("Signature not yet current: {} is still later than {} ({} + {} min.)",
                                auth.timestamp, FormatAmzDate(now + skew), FormatAmzDate(now),
                                skew / 60)};
  }
  if (auto err = CheckPayloadHash(req, auth)) return err;
  auto found = credentials_.Find(auth.access_key_id);
  if (!found) {
    return AwsError{403, "UnrecognizedClientException",
                    "The security token included in the request is invalid."};
  }
  if (found->kind == Principal::Kind::kInstance &&
      !ConstantTimeEquals(auth.security_token, found->session_token)) {
    return AwsError{403, "UnrecognizedClientException",
                    "The security token included in the request is invalid."};
  }
  bool has_host = false;
  for (const auto& h : auth.signed_headers) has_host |= h == "host";
  if (!has_host) {
    return AwsError{400, "IncompleteSignatureException",
                    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."};
  }
  std::string expected = ComputeSignature(req, auth, found->secret_access_key, auth.service == "s3");
  if (!ConstantTimeEquals(expected, auth.signature)) {
    return AwsError{403, "InvalidSignatureException", kBadSignature};
  }
  *principal = std::move(*found);
  return std::nullopt;
}

net::HttpResponse Endpoint::ProtocolError(int status, const std::string& message) {
  // Both error conventions at once: rest-json clients read the header, JSON
  // protocol clients read __type.
  std::string type = status == 431 ? "RequestHeaderFieldsTooLargeException" : "BadRequestException";
  AwsError e{status, type, message};
  net::HttpResponse r = RenderError(Protocol::kJson, e, NewUuid());
  r.headers.push_back({"x-amzn-ErrorType", type});
  return r;
}

void Endpoint::Handle(net::HttpRequest&& req, net::Responder respond) {
  for (const auto& [prefix, handler] : internal_) {
    if (req.path.starts_with(prefix)) {
      handler(std::move(req), std::move(respond));
      return;
    }
  }
  std::string request_id = NewUuid();
  // Before the signature names the service, the request's shape tells which
  // error format its client will parse.
  Protocol guess = req.FindHeader("X-Amz-Target") ? Protocol::kJson : Protocol::kRestJson;
  auto auth = ParseSigV4(req);
  if (!auth.ok()) {
    bool missing = auth.status().reason() == "Missing";
    AwsError e{missing ? AuthStatus(guess) : 400,
               missing ? "MissingAuthenticationTokenException" : "IncompleteSignatureException",
               auth.status().message()};
    respond(RenderError(guess, e, request_id));
    return;
  }
  auto fe = frontends_.find(auth->service);
  Protocol protocol = fe != frontends_.end() ? fe->second->protocol() : guess;
  Principal principal;
  if (auto err = Verify(req, *auth, &principal)) {
    if (err->status == 403) err->status = AuthStatus(protocol);
    respond(RenderError(protocol, *err, request_id));
    return;
  }
  if (fe == frontends_.end()) {
    respond(RenderError(protocol,
                        {400, "UnknownServiceException",
                         "Nimbus does not serve the AWS service '" + auth->service + "' (yet)"},
                        request_id));
    return;
  }
  RequestContext ctx{std::move(principal), auth->region, std::move(request_id),
                     req.HeaderOr("Host")};
  fe->second->Handle(std::move(req), ctx, std::move(respond));
}

}  // namespace nimbus::aws
