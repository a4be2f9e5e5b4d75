#include "net/outbox.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

namespace nimbus::net {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// A line break or NUL, which would split or end the header block.
bool Forbidden(std::string_view text) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

}  // namespace

bool StatusHasBody(int status) {
  return status / 100 != 1 && status != 204 && status != 304;
}

std::string ResponseHead(const HttpResponse& r, unsigned version, const std::string& server,
                         bool keep_alive) {
  std::string head;
  head.reserve(256);
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(r.status);
  head += ' ';
  head += std::string_view(
      bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(r.status))));
  head += "\r\n";
  bool has_server = false;
  for (const auto& h : r.headers) {
    if (beast::iequals(h.name, "content-length") || beast::iequals(h.name, "transfer-encoding") ||
        beast::iequals(h.name, "connection") || h.name.empty() || Forbidden(h.name) ||
        Forbidden(h.value)) {
      continue;
    }
    if (beast::iequals(h.name, "server")) has_server = true;
    head += h.name;
    head += ": ";
    head += h.value;
    head += "\r\n";
  }
  if (!has_server && !server.empty()) {
    head += "Server: ";
    head += server;
    head += "\r\n";
  }
  if (version == 10 && keep_alive) head += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) head += "Connection: close\r\n";
  if (StatusHasBody(r.status)) {
    head += "Content-Length: ";
    head += std::to_string(r.body.size());
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace nimbus::net
