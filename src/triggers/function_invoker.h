// The triggers layer joins the domain services: an event source (the HTTP
// gateway today) turns something that happened into an invocation of a
// function, and reaches src/functions through here rather than through the
// server. Each event source is a class of its own beside this one — S3
// notifications, schedules, queue pollers, the retries of asynchronous
// invocations — holding a FunctionInvoker to run what it triggers. The
// domain services themselves stay independent of each other; this is the
// one folder that may include several of them.
//
// FunctionInvoker: invokes a function named by an event source's
// configuration (a name, "name:qualifier", or an ARN of this platform's
// account and region) with an event payload, synchronously
// (RequestResponse), through functions::FunctionService.
//
// Ownership: the server owns it; it borrows the FunctionService, which must
// outlive it, and must itself outlive every event source it was handed to
// (the gateway keeps the InvokeFunction from ForGateway()).
//
// Threads: any thread; it holds no state of its own beyond the service's
// reference, and the service locks internally. `done` runs exactly once:
// on the calling thread, before Invoke returns, when the reference is
// malformed or names no function here (or the function's instance cannot
// start); otherwise on the invoker's event-loop threads.
#pragma once

#include <string>

#include "functions/function_service.h"
#include "gateway/gateway.h"
#include "invoker/invocation.h"

namespace nimbus::triggers {

class FunctionInvoker {
 public:
  explicit FunctionInvoker(functions::FunctionService& functions);

  // Runs `function` with `payload` and hands `done` the result. A platform
  // error — no such function here (kNotFound), a malformed reference
  // (kInvalidArgument), a throttle (kResourceExhausted) — comes back as a
  // non-ok status in the result, for the event source to answer or log in
  // its own terms; a function's own error as the result's function_error.
  void Invoke(const std::string& function, std::string payload, invoker::InvokeCallback done);

  // The gateway's way to functions (routes and Lambda authorizers), bound to
  // this invoker.
  gateway::InvokeFunction ForGateway();

 private:
  functions::FunctionService& functions_;
};

}  // namespace nimbus::triggers
