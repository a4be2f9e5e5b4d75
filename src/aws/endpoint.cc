#include "aws/endpoint.h"

#include <fmt/format.h>

#include "aws/access.h"
#include "aws/sigv4.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/strings.h"
#include "core/time.h"

namespace nimbus::aws {
namespace {

constexpr const char* kBadSignature =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

// JSON services answer authentication failures with 400, rest-json and query ones with 403.
int AuthStatus(Protocol p) { return p == Protocol::kJson ? 400 : 403; }

// Bodies above this size are read only once the request's key, token, date
// and listener have been checked (see JudgeHead).
constexpr long long kJudgeBodiesAbove = 64 * 1024;

// The protocol a client speaks, before (or without) a frontend to ask: the
// request's shape first (JSON protocols send X-Amz-Target, query ones a form),
// then the signing name of a service Nimbus does not serve.
Protocol GuessProtocol(const net::HttpRequest& req, std::string_view service = {}) {
  if (req.FindHeader("X-Amz-Target")) return Protocol::kJson;
  if (req.HeaderOr("Content-Type").starts_with("application/x-www-form-urlencoded")) {
    return Protocol::kQuery;
  }
  if (service == "s3") return Protocol::kRestXml;
  // A query-protocol GET carries its Action in the query string.
  if (req.Query("Action")) return Protocol::kQuery;
  for (std::string_view query : {"sqs", "sns", "sts", "iam", "monitoring", "cloudformation",
                                 "ec2", "elasticloadbalancing", "ses"}) {
    if (service == query) return Protocol::kQuery;
  }
  return Protocol::kRestJson;
}

// The signing name of a request, read leniently before it is verified: only
// to choose the shape of an error.
std::string SigningName(const net::HttpRequest& req) {
  std::string_view cred;
  if (const std::string* auth = req.FindHeader("Authorization")) {
    size_t at = auth->find("Credential=");
    if (at != std::string::npos) cred = std::string_view(*auth).substr(at + 11);
  }
  std::optional<std::string> query = req.Query("X-Amz-Credential");
  if (cred.empty() && query) cred = *query;
  // KEY/DATE/REGION/SERVICE/aws4_request
  std::vector<std::string_view> parts = Split(cred.substr(0, cred.find_first_of(", ")), '/');
  return parts.size() >= 4 ? std::string(parts[3]) : std::string();
}

const ErrorStyle& DefaultStyle() {
  static const ErrorStyle kStyle;
  return kStyle;
}

}  // namespace

const ErrorStyle& Frontend::style() const { return DefaultStyle(); }

Endpoint::Endpoint(CredentialStore& credentials, EndpointOptions options)
    : credentials_(credentials), options_(options) {}

void Endpoint::Register(const std::string& service, Frontend* frontend) {
  frontends_[service] = frontend;
}

void Endpoint::RegisterInternal(const std::string& prefix, net::Handler handler) {
  internal_.emplace_back(prefix, std::move(handler));
}

std::optional<AwsError> RequestContext::Authorize(std::string_view action,
                                                  std::string_view resource) const {
  if (principal.kind != Principal::Kind::kInstance) return std::nullopt;
  if (access == nullptr) {
    return AccessDeniedError(service, "Instance credentials are not accepted by this server");
  }
  return access->Check(principal, service, action, resource);
}

std::optional<AwsError> Endpoint::Verify(const net::HttpRequest& req, const SigV4Auth& auth,
                                         const std::string& instance_key,
                                         Principal* principal) const {
  if (auto err = VerifyHead(auth, instance_key, principal)) return err;
  if (auto err = CheckPayloadHash(req, auth)) return err;
  std::string expected =
      ComputeSignature(req, auth, principal->secret_access_key, auth.service == "s3", &signing_keys_);
  if (!ConstantTimeEquals(expected, auth.signature)) {
    return AwsError{403, "InvalidSignatureException", kBadSignature};
  }
  return std::nullopt;
}

std::optional<AwsError> Endpoint::VerifyHead(const SigV4Auth& auth,
                                             const std::string& instance_key,
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
  auto found = credentials_.Find(auth.access_key_id);
  if (!found) {
    return AwsError{403, "UnrecognizedClientException",
                    "The security token included in the request is invalid."};
  }
  // An instance's key is good only on that instance's own listener: a key
  // that leaves its sandbox is worth nothing.
  if (found->kind == Principal::Kind::kInstance &&
      (!ConstantTimeEquals(auth.security_token, found->session_token) ||
       found->access_key_id != instance_key)) {
    return AwsError{403, "UnrecognizedClientException",
                    "The security token included in the request is invalid."};
  }
  bool has_host = false;
  for (const auto& h : auth.signed_headers) has_host |= h == "host";
  if (!has_host) {
    return AwsError{400, "IncompleteSignatureException",
                    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."};
  }
  *principal = std::move(*found);
  return std::nullopt;
}

net::HeadVerdict Endpoint::JudgeHead(const net::HttpRequest& req,
                                     const std::string& instance_key) const {
  // Small bodies cost less to read than to judge twice: only a request that
  // announces a large (or unknown) body is checked before it is read.
  const std::string* length = req.FindHeader("Content-Length");
  long long n = 0;
  if (length != nullptr && ParseInt64(*length, &n) && n <= kJudgeBodiesAbove) return {};
  if (length == nullptr && req.FindHeader("Transfer-Encoding") == nullptr) return {};
  if (req.path.starts_with("/_nimbus/")) return {};
  Protocol protocol = GuessProtocol(req, SigningName(req));
  const ErrorStyle* style = &DefaultStyle();
  auto auth = ParseSigV4(req);
  Principal principal;
  std::optional<AwsError> err;
  if (!auth.ok()) {
    bool missing = auth.status().reason() == "Missing";
    err = AwsError{missing ? AuthStatus(protocol) : 400,
                   missing ? "MissingAuthenticationTokenException" : "IncompleteSignatureException",
                   auth.status().message()};
  } else {
    auto fe = frontends_.find(auth->service);
    if (fe != frontends_.end()) {
      protocol = fe->second->protocol();
      style = &fe->second->style();
    }
    err = VerifyHead(*auth, instance_key, &principal);
    if (err && err->status == 403) err->status = AuthStatus(protocol);
  }
  net::HeadVerdict verdict;
  if (err) verdict.answer = RenderError(protocol, *err, NewUuid(), *style);
  return verdict;
}

net::HttpResponse Endpoint::ProtocolError(int status, const std::string& message) {
  // Both error conventions at once: rest-json clients read the header, JSON
  // protocol clients read __type.
  std::string type = status == 431   ? "RequestHeaderFieldsTooLargeException"
                     : status == 503 ? "ServiceUnavailableException"
                                     : "BadRequestException";
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
  Serve(std::move(req), std::move(respond), std::string());
}

void Endpoint::HandleFromInstance(net::HttpRequest&& req, net::Responder respond,
                                  const std::string& instance_key) {
  // Of Nimbus's own paths an instance may fetch code (the signed, expiring
  // URLs GetFunction hands out to whoever its role lets call it); health and
  // the rest are the administrator's.
  if (req.path.starts_with("/_nimbus/") && !req.path.starts_with("/_nimbus/code/")) {
    return respond(net::HttpResponse::Text(404, "Not Found"));
  }
  if (req.path.starts_with("/_nimbus/code/")) return Handle(std::move(req), std::move(respond));
  Serve(std::move(req), std::move(respond), instance_key);
}

void Endpoint::Serve(net::HttpRequest&& req, net::Responder respond,
                     const std::string& instance_key) {
  std::string request_id = NewUuid();
  // Before the signature names the service, the request's shape tells which
  // error format its client will parse.
  Protocol guess = GuessProtocol(req, SigningName(req));
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
  const ErrorStyle& style = fe != frontends_.end() ? fe->second->style() : DefaultStyle();
  Principal principal;
  if (auto err = Verify(req, *auth, instance_key, &principal)) {
    if (err->status == 403) err->status = AuthStatus(protocol);
    respond(RenderError(protocol, *err, request_id, style));
    return;
  }
  if (fe == frontends_.end()) {
    respond(RenderError(protocol,
                        {400, "UnknownServiceException",
                         "Nimbus does not serve the AWS service '" + auth->service + "' (yet)"},
                        request_id));
    return;
  }
  RequestContext ctx{std::move(principal), auth->region,  std::move(request_id),
                     req.HeaderOr("Host"),  auth->service, access_};
  fe->second->Handle(std::move(req), ctx, std::move(respond));
}

}  // namespace nimbus::aws
