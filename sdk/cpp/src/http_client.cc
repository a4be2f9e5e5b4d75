#include "http_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>

namespace nimbus::lambda::internal {
namespace {

// Initial size of the read buffer. Most Runtime API answers (headers plus a typical event) fit in
// one read of this size.
constexpr std::size_t kInitialBufferSize = 64 * 1024;
// Upper bound for the header block and for one chunk-size or trailer line.
constexpr std::size_t kMaxHeadSize = 1024 * 1024;
constexpr std::size_t kMaxLineSize = 64 * 1024;

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string errno_text(const char* what, int err) {
  std::string text = what;
  text += ": ";
  text += std::strerror(err);
  return text;
}

// True if the comma-separated header value contains `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view item = trim(value.substr(0, comma));
    if (equals_ignore_case(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// True if the last transfer coding of a Transfer-Encoding value is `chunked`.
bool last_coding_is_chunked(std::string_view value) {
  std::size_t comma = value.rfind(',');
  std::string_view last = comma == std::string_view::npos ? value : value.substr(comma + 1);
  last = trim(last);
  std::size_t semicolon = last.find(';');
  if (semicolon != std::string_view::npos) last = trim(last.substr(0, semicolon));
  return equals_ignore_case(last, "chunked");
}

}  // namespace

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool parse_endpoint(std::string_view endpoint, std::string& host, std::string& port) {
  endpoint = trim(endpoint);
  if (endpoint.size() >= 7 && equals_ignore_case(endpoint.substr(0, 7), "http://")) {
    endpoint.remove_prefix(7);
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.remove_suffix(1);
  std::string_view host_part;
  std::string_view port_part;
  if (!endpoint.empty() && endpoint.front() == '[') {
    std::size_t close = endpoint.find(']');
    if (close == std::string_view::npos || close + 1 >= endpoint.size() ||
        endpoint[close + 1] != ':') {
      return false;
    }
    host_part = endpoint.substr(1, close - 1);
    port_part = endpoint.substr(close + 2);
  } else {
    std::size_t colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) return false;
    host_part = endpoint.substr(0, colon);
    port_part = endpoint.substr(colon + 1);
    if (host_part.find(':') != std::string_view::npos) return false;  // Unbracketed IPv6.
  }
  if (host_part.empty() || port_part.empty() || port_part.size() > 5) return false;
  unsigned port_number = 0;
  auto [end, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(),
                                   port_number);
  if (ec != std::errc() || end != port_part.data() + port_part.size() || port_number == 0 ||
      port_number > 65535) {
    return false;
  }
  host.assign(host_part);
  port.assign(port_part);
  return true;
}

// ---------------------------------------------------------------------------------------------
// HttpResponse

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  std::string_view head = head_;
  for (const Field& field : fields_) {
    if (equals_ignore_case(head.substr(field.name_offset, field.name_size), name)) {
      return head.substr(field.value_offset, field.value_size);
    }
  }
  return std::nullopt;
}

void HttpResponse::clear() {
  status = 0;
  minor_version = 1;
  keep_alive = true;
  body.clear();
  head_.clear();
  fields_.clear();
}

// ---------------------------------------------------------------------------------------------
// HttpClient: connection handling

HttpClient::HttpClient(std::string host, std::string port)
    : host_(std::move(host)), port_(std::move(port)) {
  bool is_ipv6_literal = host_.find(':') != std::string::npos;
  host_header_ = is_ipv6_literal ? "[" + host_ + "]:" + port_ : host_ + ":" + port_;
}

HttpClient::~HttpClient() { close(); }

void HttpClient::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  requests_on_connection_ = 0;
  read_pos_ = 0;
  read_end_ = 0;
}

bool HttpClient::connect(std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* addresses = nullptr;
  int rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &addresses);
  if (rc != 0) {
    // AI_ADDRCONFIG rejects loopback-only hosts (e.g. a namespace without other interfaces);
    // retry without it before giving up.
    hints.ai_flags = 0;
    rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &addresses);
  }
  if (rc != 0) {
    error = "cannot resolve " + host_header_ + ": " + ::gai_strerror(rc);
    return false;
  }
  int last_errno = 0;
  for (addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC,
                      address->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int result;
    do {
      result = ::connect(fd, address->ai_addr, address->ai_addrlen);
    } while (result != 0 && errno == EINTR);
    if (result != 0) {
      last_errno = errno;
      ::close(fd);
      continue;
    }
    // Requests and responses are small and latency-bound: never wait for Nagle.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fd_ = fd;
    break;
  }
  ::freeaddrinfo(addresses);
  if (fd_ < 0) {
    error = errno_text(("cannot connect to " + host_header_).c_str(), last_errno);
    return false;
  }
  ++connections_opened_;
  requests_on_connection_ = 0;
  read_pos_ = 0;
  read_end_ = 0;
  if (buffer_.empty()) buffer_.resize(kInitialBufferSize);
  return true;
}

bool HttpClient::send_all(std::string_view head, std::string_view body, std::string_view tail,
                          std::string& error) {
  iovec parts[3];
  int count = 0;
  for (std::string_view part : {head, body, tail}) {
    if (part.empty()) continue;
    parts[count].iov_base = const_cast<char*>(part.data());
    parts[count].iov_len = part.size();
    ++count;
  }
  iovec* current = parts;
  while (count > 0) {
    msghdr message{};
    message.msg_iov = current;
    message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(count);
    // MSG_NOSIGNAL: a peer that closed the connection must not kill the process with SIGPIPE.
    ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      error = errno_text("send", errno);
      return false;
    }
    auto remaining = static_cast<std::size_t>(sent);
    while (count > 0 && remaining >= current->iov_len) {
      remaining -= current->iov_len;
      ++current;
      --count;
    }
    if (count > 0) {
      current->iov_base = static_cast<char*>(current->iov_base) + remaining;
      current->iov_len -= remaining;
    }
  }
  return true;
}

void HttpClient::build_head(std::string& out, std::string_view method, std::string_view target,
                            std::span<const HeaderField> headers, std::size_t body_size,
                            bool send_body) {
  out.clear();
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  out.append(host_header_).append("\r\nUser-Agent: nimbus-lambda-cpp/1.0\r\n");
  for (const HeaderField& field : headers) {
    out.append(field.name).append(": ").append(field.value).append("\r\n");
  }
  if (send_body) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), body_size);
    out.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  out.append("\r\n");
}

bool HttpClient::exchange(std::string_view body, std::string_view tail, HttpResponse& response,
                          bool& sent, std::string& error) {
  for (int attempt = 0;; ++attempt) {
    if (fd_ < 0 && !connect(error)) return false;
    bool reused = requests_on_connection_ > 0;
    read_pos_ = 0;
    read_end_ = 0;
    received_any_ = false;
    std::string send_error;
    sent = send_all(request_head_, body, tail, send_error);
    // Even when sending failed, the server may have answered before closing (e.g. 413 for an
    // oversized body), so try to read its response.
    if (read_response(response, error)) {
      ++requests_on_connection_;
      return true;
    }
    close();
    if (!sent) error = send_error;
    // A keep-alive connection that the server closed while idle shows up as an immediate end of
    // stream (or reset) with no byte of the answer. That is not a failure of this request: send
    // it again on a fresh connection, once.
    if (reused && !received_any_ && attempt == 0) continue;
    return false;
  }
}

bool HttpClient::request(std::string_view method, std::string_view target,
                         std::span<const HeaderField> headers, std::string_view body,
                         bool send_body, HttpResponse& response, std::string& error) {
  build_head(request_head_, method, target, headers, body.size(), send_body);
  bool sent = false;
  if (!exchange(send_body ? body : std::string_view(), {}, response, sent, error)) return false;
  if (!sent || !response.keep_alive) close();
  return true;
}

bool HttpClient::request_then_get(std::string_view method, std::string_view target,
                                  std::span<const HeaderField> headers, std::string_view body,
                                  std::string_view then_get_target, HttpResponse& response,
                                  HttpResponse& get_response, bool& first_answered,
                                  std::string& error) {
  first_answered = false;
  build_head(request_head_, method, target, headers, body.size(), true);
  build_head(pipelined_head_, "GET", then_get_target, {}, 0, false);
  bool sent = false;
  if (!exchange(body, pipelined_head_, response, sent, error)) return false;
  first_answered = true;
  if (!sent || !response.keep_alive) {
    // The GET did not all go out, or the server will not read it on this connection.
    close();
    return request("GET", then_get_target, {}, {}, false, get_response, error);
  }
  // Bytes already read beyond the first answer belong to the GET's.
  received_any_ = read_end_ > read_pos_;
  if (!read_response(get_response, error)) {
    close();
    if (received_any_) return false;
    return request("GET", then_get_target, {}, {}, false, get_response, error);
  }
  ++requests_on_connection_;
  if (!get_response.keep_alive) close();
  return true;
}

// ---------------------------------------------------------------------------------------------
// HttpClient: response parsing

bool HttpClient::fill(std::size_t limit, std::string& error) {
  if (read_end_ == buffer_.size()) {
    if (read_pos_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + read_pos_, read_end_ - read_pos_);
      read_end_ -= read_pos_;
      read_pos_ = 0;
    } else if (buffer_.size() < limit) {
      buffer_.resize(std::min(buffer_.size() * 2, limit));
    } else {
      error = "response line or header block too large";
      return false;
    }
  }
  for (;;) {
    ssize_t n = ::recv(fd_, buffer_.data() + read_end_, buffer_.size() - read_end_, 0);
    if (n > 0) {
      read_end_ += static_cast<std::size_t>(n);
      received_any_ = true;
      return true;
    }
    if (n == 0) {
      error = "connection closed by the Runtime API";
      return false;
    }
    if (errno == EINTR) continue;
    error = errno_text("recv", errno);
    return false;
  }
}

bool HttpClient::read_exact(char* destination, std::size_t size, std::string& error) {
  std::size_t buffered = std::min(size, read_end_ - read_pos_);
  if (buffered > 0) {
    std::memcpy(destination, buffer_.data() + read_pos_, buffered);
    read_pos_ += buffered;
    destination += buffered;
    size -= buffered;
  }
  // The rest goes straight from the socket into the destination: large bodies are not staged
  // in the read buffer.
  while (size > 0) {
    ssize_t n = ::recv(fd_, destination, size, 0);
    if (n > 0) {
      destination += n;
      size -= static_cast<std::size_t>(n);
      received_any_ = true;
      continue;
    }
    if (n == 0) {
      error = "connection closed by the Runtime API in the middle of a response body";
      return false;
    }
    if (errno == EINTR) continue;
    error = errno_text("recv", errno);
    return false;
  }
  return true;
}

bool HttpClient::read_line(std::string_view& line, std::string& error) {
  for (;;) {
    const char* begin = buffer_.data() + read_pos_;
    const void* newline = std::memchr(begin, '\n', read_end_ - read_pos_);
    if (newline != nullptr) {
      auto length = static_cast<std::size_t>(static_cast<const char*>(newline) - begin);
      read_pos_ += length + 1;
      if (length > 0 && begin[length - 1] == '\r') --length;
      line = std::string_view(begin, length);
      return true;
    }
    if (read_end_ - read_pos_ >= kMaxLineSize) {
      error = "response line too long";
      return false;
    }
    if (!fill(kMaxLineSize + kInitialBufferSize, error)) return false;
  }
}

bool HttpClient::read_response(HttpResponse& response, std::string& error) {
  for (;;) {
    response.clear();
    if (!read_head(response, error)) return false;
    // Interim responses (100 Continue and the like) precede the real one.
    if (response.status >= 100 && response.status < 200) continue;
    return read_body(response, error);
  }
}

bool HttpClient::read_head(HttpResponse& response, std::string& error) {
  // Offset (from read_pos_) up to which the buffer is known not to contain the end of the head.
  std::size_t scanned = 0;
  for (;;) {
    const char* begin = buffer_.data() + read_pos_;
    std::size_t available = read_end_ - read_pos_;
    std::size_t head_size = 0;
    std::size_t i = scanned;
    while (i < available) {
      const void* found = std::memchr(begin + i, '\n', available - i);
      if (found == nullptr) {
        i = available;
        break;
      }
      i = static_cast<std::size_t>(static_cast<const char*>(found) - begin);
      // The head ends with an empty line: "\n\r\n" or "\n\n".
      if (i + 1 < available && begin[i + 1] == '\n') {
        head_size = i + 2;
        break;
      }
      if (i + 2 < available && begin[i + 1] == '\r' && begin[i + 2] == '\n') {
        head_size = i + 3;
        break;
      }
      if (i + 2 >= available) break;  // Not enough bytes yet to decide; rescan from here.
      ++i;
    }
    if (head_size > 0) {
      read_pos_ += head_size;
      return parse_head(std::string_view(begin, head_size), response, error);
    }
    scanned = i;
    if (available >= kMaxHeadSize) {
      error = "response header block too large";
      return false;
    }
    if (!fill(kMaxHeadSize, error)) return false;
  }
}

bool HttpClient::parse_head(std::string_view head, HttpResponse& response, std::string& error) {
  response.head_.assign(head);
  std::string_view text = response.head_;
  auto next_line = [&text]() {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };

  // Status line: HTTP/1.x SP 3DIGIT [SP reason]
  std::string_view status_line = next_line();
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." ||
      (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ') {
    error = "malformed HTTP status line";
    return false;
  }
  int status = 0;
  for (std::size_t k = 9; k < 12; ++k) {
    char c = status_line[k];
    if (c < '0' || c > '9') {
      error = "malformed HTTP status code";
      return false;
    }
    status = status * 10 + (c - '0');
  }
  if (status_line.size() > 12 && status_line[12] != ' ') {
    error = "malformed HTTP status line";
    return false;
  }
  response.status = status;
  response.minor_version = status_line[7] - '0';
  response.keep_alive = response.minor_version >= 1;

  const char* base = response.head_.data();
  for (;;) {
    std::string_view line = next_line();
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') continue;  // Obsolete line folding: ignored.
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      error = "malformed HTTP header line";
      return false;
    }
    std::string_view name = line.substr(0, colon);
    if (name.back() == ' ' || name.back() == '\t') {
      error = "whitespace before colon in HTTP header";
      return false;
    }
    std::string_view value = trim(line.substr(colon + 1));
    response.fields_.push_back({static_cast<std::uint32_t>(name.data() - base),
                                static_cast<std::uint32_t>(name.size()),
                                static_cast<std::uint32_t>(value.data() - base),
                                static_cast<std::uint32_t>(value.size())});
  }
  if (std::optional<std::string_view> connection = response.header("Connection")) {
    if (has_token(*connection, "close")) {
      response.keep_alive = false;
    } else if (has_token(*connection, "keep-alive")) {
      response.keep_alive = true;
    }
  }
  return true;
}

bool HttpClient::read_body(HttpResponse& response, std::string& error) {
  if (response.status == 204 || response.status == 304) return true;
  if (std::optional<std::string_view> coding = response.header("Transfer-Encoding")) {
    if (last_coding_is_chunked(*coding)) return read_chunked_body(response.body, error);
    response.keep_alive = false;
    return read_body_until_close(response.body, error);
  }
  if (std::optional<std::string_view> length_text = response.header("Content-Length")) {
    std::size_t length = 0;
    const char* first = length_text->data();
    const char* last = first + length_text->size();
    auto [end, ec] = std::from_chars(first, last, length);
    if (ec != std::errc() || end != last || first == last) {
      error = "malformed Content-Length";
      return false;
    }
    response.body.resize(length);
    return length == 0 || read_exact(response.body.data(), length, error);
  }
  response.keep_alive = false;
  return read_body_until_close(response.body, error);
}

bool HttpClient::read_chunked_body(std::string& body, std::string& error) {
  body.clear();
  std::string_view line;
  for (;;) {
    if (!read_line(line, error)) return false;
    // chunk-size [; extensions]
    std::string_view size_text = trim(line.substr(0, line.find(';')));
    std::size_t size = 0;
    auto [end, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || ec != std::errc() || end != size_text.data() + size_text.size()) {
      error = "malformed chunk size";
      return false;
    }
    if (size == 0) break;
    if (size > std::numeric_limits<std::size_t>::max() / 2 - body.size()) {
      error = "chunk too large";
      return false;
    }
    std::size_t old_size = body.size();
    body.resize(old_size + size);
    if (!read_exact(body.data() + old_size, size, error)) return false;
    if (!read_line(line, error)) return false;
    if (!line.empty()) {
      error = "missing CRLF after chunk data";
      return false;
    }
  }
  // Trailer fields (ignored) up to the terminating empty line.
  do {
    if (!read_line(line, error)) return false;
  } while (!line.empty());
  return true;
}

bool HttpClient::read_body_until_close(std::string& body, std::string& error) {
  body.assign(buffer_.data() + read_pos_, read_end_ - read_pos_);
  read_pos_ = read_end_;
  constexpr std::size_t kStep = 64 * 1024;
  for (;;) {
    std::size_t old_size = body.size();
    body.resize(old_size + kStep);
    ssize_t n = ::recv(fd_, body.data() + old_size, kStep, 0);
    if (n > 0) {
      body.resize(old_size + static_cast<std::size_t>(n));
      received_any_ = true;
      continue;
    }
    body.resize(old_size);
    if (n == 0) return true;
    if (errno == EINTR) continue;
    error = errno_text("recv", errno);
    return false;
  }
}

}  // namespace nimbus::lambda::internal
