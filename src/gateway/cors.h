// CORS as API Gateway applies it. An HTTP API with a CORS configuration
// answers every preflight itself and adds the allow-origin headers to the
// function's responses. A REST route with `cors` gets an OPTIONS method that
// answers preflights; with the proxy integration the function adds the
// headers to its own responses, as on AWS.
#pragma once

#include <string>
#include <vector>

#include "gateway/api_config.h"
#include "net/http.h"

namespace nimbus::gateway {

// True for an OPTIONS request carrying Origin and Access-Control-Request-Method.
bool IsPreflight(const net::HttpRequest& req);

// The answer to a preflight; `route_methods` are the methods the path's
// routes accept (used when the configuration lists none).
net::HttpResponse PreflightResponse(const CorsConfig& cors, const net::HttpRequest& req,
                                    const std::vector<std::string>& route_methods, bool rest);

// Adds Access-Control-Allow-Origin (and credentials, exposed headers) to a
// response when the request's Origin is allowed.
void AddCorsHeaders(const CorsConfig& cors, const net::HttpRequest& req, net::HttpResponse& resp);

}  // namespace nimbus::gateway
