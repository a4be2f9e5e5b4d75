// Turning what a handler returned into the HTTP response a client sees, by
// API Gateway's rules for payload format 2.0 (lenient: any JSON value is a
// 200) and 1.0 (strict: exactly the proxy response shape, else a 502), and
// the gateway's own error answers with API Gateway's bodies.
#pragma once

#include <string>

#include "invoker/invocation.h"
#include "net/http.h"

namespace nimbus::gateway {

// HTTP API, payload format 2.0.
net::HttpResponse MapResponseV2(const invoker::InvokeResult& result);
// REST API, or an HTTP API route with payload format 1.0 (`rest` false:
// function errors answer 500 as HTTP APIs do, rather than REST's 502).
net::HttpResponse MapResponseV1(const invoker::InvokeResult& result, bool rest);

// {"message": message} with the given status; REST errors also carry
// x-amzn-ErrorType.
net::HttpResponse GatewayError(int status, const std::string& message,
                               const std::string& error_type = {});

}  // namespace nimbus::gateway
