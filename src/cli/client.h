// How the `nimbus` CLI reaches a server: the endpoint and credentials come
// from flags, else the standard AWS_* environment variables, else the local
// data directory (server.json and credentials written by `nimbus serve`).
#pragma once

#include <string>

#include "core/json.h"
#include "core/status.h"
#include "net/http.h"
#include "net/http_client.h"

namespace nimbus::cli {

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
  const ClientOptions& options() const { return options_; }

 private:
  ClientOptions options_;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<net::HttpClient> http_;
};

// "Type: message" from an AWS error reply.
std::string DescribeAwsError(const AwsReply& reply);

}  // namespace nimbus::cli
