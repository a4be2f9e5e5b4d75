// nimbus-loadgen: a small closed-loop HTTP/1.1 load generator for the
// benchmarks. It replays requests prepared in advance (already signed), so
// it does no per-request work beyond sending bytes and reading answers: it
// needs far less CPU than a scripted generator, leaving the cores to the
// servers being measured. Reports throughput, latency percentiles, non-2xx
// answers and its own CPU time as one JSON line.
//
//   nimbus-loadgen HOST PORT CONNECTIONS SECONDS REQUESTS_FILE [THREADS]
//                  [--unique N --sign ACCESS_KEY SECRET REGION SERVICE] [--batch]
//
// REQUESTS_FILE holds raw HTTP requests, each preceded by its length as a
// 4-byte little-endian integer. Connections cycle through them, each
// starting at a different offset.
//
// Replaying the same bytes repeats the same write, which a store may rightly
// skip (an unchanged item). With --unique the file holds unsigned templates
// whose body contains `{{n}}`: before the clock starts, N requests are built
// from them in turn, `{{n}}` replaced by a number unique to this run, each
// signed with SigV4, so no write repeats unless more than N are sent (the
// report's "repeated" counts those). A line "started" is printed as the
// clock starts.
//
// With --batch the generator runs in the kernel's SCHED_BATCH class: its
// wake-ups no longer preempt the server it measures. On the benchmark
// machine the two share two cores, and an ordinary generator thread, woken
// by each answer, cuts into the server's threads several times per
// millisecond (measured: one involuntary context switch per four or five
// requests per server thread); clients on other machines, the case the
// figures stand for, cost the server no such switches.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "aws/sigv4.h"
#include "net/http.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
  int fd = -1;
  size_t next = 0;          // index of the request to send next
  size_t count = 0;         // requests sent
  std::string out;          // bytes left to send
  size_t out_pos = 0;
  std::string in;           // bytes of the answer read so far
  Clock::time_point sent;
};

struct ThreadResult {
  std::vector<uint32_t> latencies_us;
  uint64_t repeated = 0;
  uint64_t non2xx = 0;
  uint64_t failures = 0;
};

std::vector<std::string> LoadRequests(const char* path) {
  std::ifstream f(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos + 4 <= data.size()) {
    uint32_t len;
    std::memcpy(&len, data.data() + pos, 4);
    pos += 4;
    if (pos + len > data.size()) break;
    out.push_back(data.substr(pos, len));
    pos += len;
  }
  return out;
}

struct SignWith {
  std::string access_key, secret, region, service;
};

// Builds `count` distinct signed requests from the templates (see above).
std::vector<std::string> Uniquify(const std::vector<std::string>& templates, size_t count,
                                  const SignWith& sign) {
  std::vector<std::string> out;
  out.reserve(count);
  std::string run = std::to_string(::getpid()) + "-" +
                    std::to_string(Clock::now().time_since_epoch().count() % 1000000007);
  auto now_s = static_cast<int64_t>(::time(nullptr));
  for (size_t n = 0; n < count; ++n) {
    const std::string& t = templates[n % templates.size()];
    size_t head_end = t.find("\r\n\r\n");
    size_t line_end = t.find("\r\n");
    nimbus::net::HttpRequest req;
    std::string first = t.substr(0, line_end);
    req.method = first.substr(0, first.find(' '));
    req.target = first.substr(req.method.size() + 1, first.rfind(' ') - req.method.size() - 1);
    for (size_t pos = line_end + 2; pos < head_end;) {
      size_t eol = t.find("\r\n", pos);
      std::string line = t.substr(pos, eol - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      if (strcasecmp(name.c_str(), "content-length") != 0) {
        req.headers.push_back({name, line.substr(line.find_first_not_of(' ', colon + 1))});
      }
      pos = eol + 2;
    }
    req.body = t.substr(head_end + 4);
    std::string unique = run + "-" + std::to_string(n);
    for (size_t at; (at = req.body.find("{{n}}")) != std::string::npos;) {
      req.body.replace(at, 5, unique);
    }
    nimbus::aws::SignRequest(req, sign.access_key, sign.secret, "", sign.region, sign.service,
                             now_s);
    std::string wire = req.method + " " + req.target + " HTTP/1.1\r\n";
    for (const auto& h : req.headers) wire += h.name + ": " + h.value + "\r\n";
    wire += "Content-Length: " + std::to_string(req.body.size()) + "\r\n\r\n" + req.body;
    out.push_back(std::move(wire));
  }
  return out;
}

int Connect(const sockaddr_in& addr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

// Length of a complete answer at the front of `in`, or 0 if more is needed.
size_t CompleteAnswer(const std::string& in, bool* ok) {
  size_t head = in.find("\r\n\r\n");
  if (head == std::string::npos) return 0;
  size_t length = 0;
  // Content-Length, case-insensitively.
  for (size_t i = 0; i < head; ++i) {
    if ((in[i] == 'c' || in[i] == 'C') && strncasecmp(in.c_str() + i, "content-length:", 15) == 0) {
      length = std::strtoull(in.c_str() + i + 15, nullptr, 10);
      break;
    }
  }
  if (in.size() < head + 4 + length) return 0;
  *ok = in.size() > 9 && in[9] == '2';
  return head + 4 + length;
}

// Connection i of this thread starts at request first + i * spread; with
// `unique` each owns the `spread` requests from there.
void Run(const sockaddr_in& addr, const std::vector<std::string>& requests, int connections,
         Clock::time_point end, size_t first, size_t spread, bool unique, ThreadResult* result) {
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Connection> conns(static_cast<size_t>(connections));
  auto send = [&](Connection& c) {
    c.out = requests[c.next % requests.size()];
    c.next++;
    if (++c.count > spread && unique) result->repeated++;
    c.out_pos = 0;
    c.sent = Clock::now();
    while (c.out_pos < c.out.size()) {
      ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
      if (n <= 0) break;  // the rest goes when the socket is writable
      c.out_pos += static_cast<size_t>(n);
    }
  };
  for (size_t i = 0; i < conns.size(); ++i) {
    Connection& c = conns[i];
    c.fd = Connect(addr);
    c.next = first + i * spread;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    send(c);
  }
  result->latencies_us.reserve(1 << 20);
  char buf[65536];
  epoll_event events[256];
  while (Clock::now() < end) {
    int n = ::epoll_wait(ep, events, 256, 100);
    for (int e = 0; e < n; ++e) {
      Connection& c = conns[events[e].data.u64];
      if (c.out_pos < c.out.size()) {
        ssize_t w = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
        if (w > 0) c.out_pos += static_cast<size_t>(w);
      }
      while (true) {
        ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
        if (r <= 0) {
          if (r == 0) {
            result->failures++;
            std::fprintf(stderr, "connection closed by the server\n");
            std::exit(1);
          }
          break;
        }
        c.in.append(buf, static_cast<size_t>(r));
        bool ok = false;
        size_t len = CompleteAnswer(c.in, &ok);
        if (len == 0) continue;
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - c.sent);
        result->latencies_us.push_back(static_cast<uint32_t>(us.count()));
        if (!ok) result->non2xx++;
        c.in.erase(0, len);
        if (Clock::now() < end) send(c);
        // One request is outstanding per connection, so nothing more can be
        // waiting: the next answer raises a new edge. Not draining to EAGAIN
        // saves a system call per request.
        break;
      }
    }
  }
  for (auto& c : conns) ::close(c.fd);
  ::close(ep);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr,
                 "usage: %s HOST PORT CONNECTIONS SECONDS REQUESTS_FILE [THREADS] "
                 "[--unique N --sign ACCESS_KEY SECRET REGION SERVICE] [--batch]\n",
                 argv[0]);
    return 2;
  }
  size_t unique = 0;
  SignWith sign;
  for (int i = 7; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--unique" && i + 1 < argc) {
      unique = std::strtoull(argv[++i], nullptr, 10);
    } else if (flag == "--sign" && i + 4 < argc) {
      sign = {argv[i + 1], argv[i + 2], argv[i + 3], argv[i + 4]};
      i += 4;
    } else if (flag == "--batch") {
      sched_param param{};  // threads started later inherit the class
      if (::sched_setscheduler(0, SCHED_BATCH, &param) != 0) {
        std::perror("sched_setscheduler(SCHED_BATCH)");
        return 2;
      }
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
  ::inet_pton(AF_INET, argv[1], &addr.sin_addr);
  int connections = std::atoi(argv[3]);
  int seconds = std::atoi(argv[4]);
  auto requests = LoadRequests(argv[5]);
  int threads = argc > 6 ? std::atoi(argv[6]) : 1;
  if (requests.empty() || connections < threads) return 2;
  if (unique > 0) {
    if (sign.access_key.empty()) {
      std::fprintf(stderr, "--unique needs --sign\n");
      return 2;
    }
    requests = Uniquify(requests, unique, sign);
  }
  auto cpu_now = [] {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  };
  double cpu0 = cpu_now();  // building the requests is not part of the measurement
  std::printf("started\n");
  std::fflush(stdout);
  auto start = Clock::now();
  auto end = start + std::chrono::seconds(seconds);
  std::vector<ThreadResult> results(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  // With --unique every connection owns an equal slice of the requests, so no
  // two send the same one; otherwise they start at scattered offsets.
  size_t spread = unique > 0 ? unique / static_cast<size_t>(connections) : 997;
  int first_connection = 0;
  for (int t = 0; t < threads; ++t) {
    int share = connections / threads + (t < connections % threads ? 1 : 0);
    size_t first = unique > 0 ? static_cast<size_t>(first_connection) * spread
                              : static_cast<size_t>(t) * 7919;
    workers.emplace_back(Run, std::cref(addr), std::cref(requests), share, end, first, spread,
                         unique > 0, &results[static_cast<size_t>(t)]);
    first_connection += share;
  }
  for (auto& w : workers) w.join();
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<uint32_t> all;
  uint64_t non2xx = 0;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_us.begin(), r.latencies_us.end());
    non2xx += r.non2xx;
  }
  // Requests sent again because a connection used up its slice (--unique only).
  uint64_t repeated = 0;
  for (auto& r : results) repeated += r.repeated;
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[static_cast<size_t>(p * static_cast<double>(all.size() - 1))] / 1000.0;
  };
  double cpu = cpu_now() - cpu0;
  std::printf("{\"requests\": %zu, \"rps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
              "\"non2xx\": %llu, \"repeated\": %llu, \"cpu_cores\": %.3f}\n",
              all.size(), static_cast<double>(all.size()) / wall, pct(0.5), pct(0.99),
              static_cast<unsigned long long>(non2xx), static_cast<unsigned long long>(repeated),
              cpu / wall);
  return 0;
}
