// Responses serialised for the wire and not yet written, for HttpServer.
// The server frames each message itself: any Content-Length,
// Transfer-Encoding or Connection header a handler set is replaced, and a
// header whose name or value holds a line break or NUL is dropped rather
// than let it split the header block.
#pragma once

#include <string>
#include <vector>

#include "net/http.h"

namespace nimbus::net {

// Whether a response with this status carries a body (and Content-Length).
bool StatusHasBody(int status);

// The status line and header block of `r`, ending in the blank line.
std::string ResponseHead(const HttpResponse& r, unsigned version, const std::string& server,
                         bool keep_alive);

// Responses in the order they are to be written. Responses that are ready
// together (a pipelined request answered at once) leave in one write.
struct Outbox {
  std::vector<std::string> parts;
  // Takes `r`'s body without copying it.
  void Add(HttpResponse&& r, unsigned version, const std::string& server, bool keep_alive) {
    parts.push_back(ResponseHead(r, version, server, keep_alive));
    if (StatusHasBody(r.status) && !r.body.empty()) parts.push_back(std::move(r.body));
  }
  bool empty() const { return parts.empty(); }
};

}  // namespace nimbus::net
