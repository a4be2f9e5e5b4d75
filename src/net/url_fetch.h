// One GET of an http:// or https:// URL, for the few places the server itself
// reaches out to another service: a JWT issuer's OpenID discovery document
// and its key set. Blocking, a fresh connection each time; not for hot paths.
//
// https verifies the peer as any TLS client should: the certificate chain
// against the system's trust store (OpenSSL's defaults, so SSL_CERT_FILE and
// SSL_CERT_DIR point it elsewhere, e.g. at a private CA) and the certificate
// against the URL's host name; SNI is sent.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/status.h"
#include "net/http.h"

namespace nimbus::net {

struct FetchOptions {
  std::chrono::milliseconds timeout{5000};  // the whole exchange, connect included
  size_t max_body_bytes = 1 << 20;
};

struct ParsedUrl {
  bool tls = false;
  std::string host;    // without brackets for an IPv6 literal
  int port = 0;
  std::string target;  // path and query, at least "/"
};

// Splits an absolute http(s) URL. Anything else is an InvalidArgument.
Result<ParsedUrl> ParseFetchUrl(const std::string& url);

// GETs `url` and returns the response whatever its status.
Result<HttpResponse> FetchUrl(const std::string& url, const FetchOptions& options = {});

}  // namespace nimbus::net
