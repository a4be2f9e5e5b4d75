// How the deploy engine and the `nimbus` CLI reach a server's AWS endpoint:
// the endpoint and credentials come from flags, else the standard AWS_*
// environment variables, else the local data directory (server.json and
// credentials written by `nimbus serve`), else the defaults of
// core/platform.h. An AwsClient holds one connection: one caller at a time.
#pragma once

#include <string>

#include "core/json.h"
#include "core/status.h"
#include "net/http.h"
#include "net/http_client.h"

namespace nimbus::deploy {

struct ClientOptions {
  std::string endpoint;
  std::string data_dir = ".nimbus";
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// Fills whatever `options` leaves empty from the environment and data dir.
Result<ClientOptions> ResolveClientOptions(ClientOptions options);

struct AwsReply {
  int status = 0;
  std::vector<net::Header> headers;
  std::string body;
  const std::string* Header(std::string_view name) const;
};

class AwsClient {
 public:
  explicit AwsClient(ClientOptions options);
  // Sends a SigV4-signed request for `service` and returns the raw reply.
  Result<AwsReply> Call(const std::string& service, const std::string& method,
                        const std::string& target, std::vector<net::Header> headers,
                        std::string body);
  // Like Call, but turns an AWS error reply into a Status with the error's
  // type and message, and parses a JSON body.
  Result<json::value> CallJson(const std::string& service, const std::string& method,
                               const std::string& target, std::vector<net::Header> headers,
                               std::string body);
  // A call of a JSON-protocol service (DynamoDB: json_version "1.0",
  // CloudWatch Logs: "1.1"): POST / with X-Amz-Target `target`, as CallJson.
  Result<json::value> CallTarget(const std::string& service, const std::string& json_version,
                                 const std::string& target, const json::object& body);
  const ClientOptions& options() const { return options_; }

 private:
  ClientOptions options_;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<net::HttpClient> http_;
};

// "Type: message" from an AWS error reply.
std::string DescribeAwsError(const AwsReply& reply);

// Whether a call failed because what it named does not exist (a Status of
// kNotFound, or an AWS error of a *NotFoundException type).
bool IsNotFound(const Status& s);

}  // namespace nimbus::deploy
