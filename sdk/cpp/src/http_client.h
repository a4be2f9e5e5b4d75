// Minimal blocking HTTP/1.1 client for the Runtime API.
//
// It speaks to exactly one origin over one persistent connection and supports what the Runtime
// API needs: requests with a Content-Length body (never chunked, never `Expect`), responses framed
// by Content-Length, chunked transfer coding or connection close, and case-insensitive header
// lookup. There are no timeouts: `GET next` may legitimately block for hours while the instance
// is idle or frozen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nimbus::lambda::internal {

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

class HttpResponse {
 public:
  int status = 0;
  // HTTP minor version of the status line (0 or 1).
  int minor_version = 1;
  // False when the server asked to close the connection (or did not offer to keep it).
  bool keep_alive = true;
  std::string body;

  // Value of the first header named `name` (ASCII case-insensitive), without surrounding
  // whitespace. The view is valid until the response is reused.
  std::optional<std::string_view> header(std::string_view name) const;
  std::size_t header_count() const { return fields_.size(); }

 private:
  friend class HttpClient;

  struct Field {
    std::uint32_t name_offset;
    std::uint32_t name_size;
    std::uint32_t value_offset;
    std::uint32_t value_size;
  };

  void clear();

  // The raw header block (status line and header lines); fields_ point into it.
  std::string head_;
  std::vector<Field> fields_;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::string port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the complete response into `response`. `body` is sent with a
  // Content-Length header when `send_body` is true (always for POST, even when empty). When the
  // reused connection turns out to have been closed by the server before any byte of the answer
  // arrived, the request is sent once more on a new connection. Returns false, with a
  // description in `error`, on a transport failure or a malformed response.
  bool request(std::string_view method, std::string_view target,
               std::span<const HeaderField> headers, std::string_view body, bool send_body,
               HttpResponse& response, std::string& error);

  // Pipelining: sends the request and, in the same write, `then_get_target` as a GET, then
  // reads both answers (the first into `response`, the GET's into `get_response`). The Runtime
  // API answers a posted result at once and, when an event is waiting, the GET right after it,
  // so one wake-up brings both. When the server closes the connection after the first answer,
  // or it fails before any byte of the GET's answer arrived, the GET is sent again on a new
  // connection. Returns false as request() does; `response` is then valid if the first answer
  // arrived (`first_answered`).
  bool request_then_get(std::string_view method, std::string_view target,
                        std::span<const HeaderField> headers, std::string_view body,
                        std::string_view then_get_target, HttpResponse& response,
                        HttpResponse& get_response, bool& first_answered, std::string& error);

  // Closes the connection; the next request opens a new one.
  void close();

  // Number of TCP connections opened so far (for diagnostics and tests).
  std::uint64_t connections_opened() const { return connections_opened_; }

 private:
  bool connect(std::string& error);
  // Sends request_head_, `body` and `tail` (a pipelined request) and reads the first answer
  // into `response`, once more on a fresh connection when a reused one turns out to have been
  // closed by the server. `sent` tells whether every byte went out.
  bool exchange(std::string_view body, std::string_view tail, HttpResponse& response, bool& sent,
                std::string& error);
  void build_head(std::string& out, std::string_view method, std::string_view target,
                  std::span<const HeaderField> headers, std::size_t body_size, bool send_body);
  bool send_all(std::string_view head, std::string_view body, std::string_view tail,
                std::string& error);
  bool read_response(HttpResponse& response, std::string& error);
  bool read_head(HttpResponse& response, std::string& error);
  bool parse_head(std::string_view head, HttpResponse& response, std::string& error);
  bool read_body(HttpResponse& response, std::string& error);
  bool read_chunked_body(std::string& body, std::string& error);
  bool read_body_until_close(std::string& body, std::string& error);
  bool read_line(std::string_view& line, std::string& error);
  bool read_exact(char* destination, std::size_t size, std::string& error);
  // Reads more bytes into the buffer (compacting or growing it up to `limit` bytes of unread
  // data). Returns false at end of stream (`error` = "connection closed") or on an error.
  bool fill(std::size_t limit, std::string& error);

  std::string host_;
  std::string port_;
  std::string host_header_;
  int fd_ = -1;
  std::uint64_t requests_on_connection_ = 0;
  std::uint64_t connections_opened_ = 0;

  // Reused across requests so that the steady state allocates nothing for headers.
  std::string request_head_;
  std::string pipelined_head_;
  std::vector<char> buffer_;
  std::size_t read_pos_ = 0;
  std::size_t read_end_ = 0;
  // Whether any byte of the current response has been received.
  bool received_any_ = false;
};

// Splits a Runtime API endpoint (`host:port`, `[v6-address]:port`; a leading `http://` and a
// trailing `/` are tolerated) into host and port. Returns false if it is malformed.
bool parse_endpoint(std::string_view endpoint, std::string& host, std::string& port);

// ASCII case-insensitive comparison.
bool equals_ignore_case(std::string_view a, std::string_view b);

}  // namespace nimbus::lambda::internal
