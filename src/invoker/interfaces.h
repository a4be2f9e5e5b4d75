// What the invoker needs from the layers above it that is the invoker's own:
// the AWS endpoint an instance reaches, as a factory the server wires to the
// real endpoint and tests to fakes. The log sink and the credential issuer it
// also takes are platform-wide interfaces in core/ (core/log_sink.h,
// core/instance_credentials.h), included here so invoker code names them
// unqualified.
#pragma once

#include <functional>
#include <string>

#include "core/instance_credentials.h"
#include "core/log_sink.h"
#include "net/http.h"
#include "net/http_server.h"

namespace nimbus::invoker {

// The AWS endpoint an instance reaches: requests that arrive through it may
// use that instance's credentials (`access_key_id`), and no other
// instance's; `head_filter` judges a request before its body is read.
struct AwsListener {
  net::Handler handler;
  std::function<net::HeadVerdict(const net::HttpRequest&)> head_filter;
  std::function<net::HttpResponse(int status, const std::string& message)> protocol_error;
};
// Called once per instance start, on the starting thread, with the key the
// instance was issued; the returned handlers run on the invoker's I/O threads.
using AwsHandlerFactory = std::function<AwsListener(const std::string& access_key_id)>;

}  // namespace nimbus::invoker
