#pragma once
// HTTP clients for the harness side: a blocking request/response client over
// one persistent connection (like the Mesos scheduler library's call
// connection), and a streaming call that delivers a chunked response body as
// it arrives (a Mesos event stream) on its own thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "harness/http/asio.hpp"

namespace svh::http {

// Why a request could not be made (connect, timeout, broken connection).
class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `http://host:port/path`: the only URL shape a Mesos master is reached by.
struct Url {
  std::string host;
  std::uint16_t port = 80;
  std::string path = "/";

  static std::optional<Url> parse(std::string_view text, std::string* error = nullptr);
  std::string str() const;
};

class Client {
 public:
  Client(std::string host, std::uint16_t port);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` (Host, Content-Length filled in) and returns the answer.
  // Retries once on a fresh connection if the kept-alive one was closed.
  // Throws HttpError.
  Response send(Request request, std::chrono::milliseconds timeout = std::chrono::seconds(15));

  Response get(std::string target,
               std::chrono::milliseconds timeout = std::chrono::seconds(15));
  Response post(std::string target, std::string content_type, std::string body,
                std::chrono::milliseconds timeout = std::chrono::seconds(15));

  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }

 private:
  Response attempt(Request& request, std::chrono::milliseconds timeout);

  std::string host_;
  std::uint16_t port_;
  asio::io_context io_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

// A request whose answer is read incrementally on a background thread.
class StreamingCall {
 public:
  struct Callbacks {
    // The status line and headers; for a non-2xx answer the body follows
    // through on_end's message.
    std::function<void(const bhttp::response_header<>&)> on_header;
    // Body bytes as they arrive (chunk boundaries carry no meaning).
    std::function<void(std::string_view)> on_data;
    // The stream ended: empty message for a clean end, else why.
    std::function<void(const std::string&)> on_end;
  };

  StreamingCall(std::string host, std::uint16_t port, Request request, Callbacks callbacks,
                std::chrono::milliseconds connect_timeout = std::chrono::seconds(15));
  ~StreamingCall();  // close() + join
  StreamingCall(const StreamingCall&) = delete;
  StreamingCall& operator=(const StreamingCall&) = delete;

  // Closes the connection (the server sees the client go away). Idempotent,
  // callable from any thread; on_end is called with "closed by client".
  void close();

 private:
  void run(Request request, std::chrono::milliseconds connect_timeout);

  std::string host_;
  std::uint16_t port_;
  Callbacks callbacks_;
  asio::io_context io_;
  beast::tcp_stream stream_;
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

}  // namespace svh::http
