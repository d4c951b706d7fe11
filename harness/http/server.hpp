#pragma once
// An HTTP/1.1 server on Boost.Beast for the fakes: keep-alive connections
// (libprocess peers and the Mesos scheduler library rely on them), one request
// at a time per connection so answers keep their order, and long-lived chunked
// responses for Mesos event streams. Everything runs on the caller's
// io_context: a single-threaded owner needs no locks.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "harness/http/asio.hpp"

namespace svh::http {

class Connection;

// An open chunked response: one Mesos RecordIO event stream.
class Stream {
 public:
  virtual ~Stream() = default;
  // Queues one HTTP chunk. Returns false once the stream is closed.
  virtual bool write(std::string data) = 0;
  // Ends the stream (last chunk) and closes the connection.
  virtual void close() = 0;
  virtual bool closed() const = 0;
  // Called once when the stream ends, whichever side ended it.
  virtual void onClose(std::function<void()> callback) = 0;
  virtual tcp::endpoint peer() const = 0;
};

// One request waiting for its answer. Answer with respond() or stream(),
// exactly once; an exchange dropped unanswered gets a 500.
class Exchange {
 public:
  Exchange(std::shared_ptr<Connection> connection, Request request);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  const Request& request() const { return request_; }
  tcp::endpoint peer() const;

  void respond(Response response);
  // Sends `header` (status and fields, no body) with chunked encoding and
  // returns the stream to write chunks to.
  std::shared_ptr<Stream> stream(Response header);
  bool answered() const { return answered_; }

 private:
  std::shared_ptr<Connection> connection_;
  Request request_;
  bool answered_ = false;
};

using Handler = std::function<void(std::shared_ptr<Exchange>)>;

struct ServerLimits {
  std::uint64_t max_body_bytes = 16 * 1024 * 1024;
  std::uint32_t max_header_bytes = 64 * 1024;
};

class Server {
 public:
  // Binds ip:port (0 picks a free port) and starts accepting. Throws
  // std::system_error when the address cannot be bound (e.g. port in use).
  Server(asio::io_context& io, const std::string& ip, std::uint16_t port, Handler handler,
         ServerLimits limits = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  struct State;  // shared with the connections; outlives the Server object

  std::uint16_t port() const { return port_; }
  const std::string& ip() const { return ip_; }
  // Stops accepting and closes every connection.
  void stop();

 private:
  void accept();

  std::shared_ptr<State> state_;
  std::string ip_;
  std::uint16_t port_ = 0;
};

void acceptLoop(std::shared_ptr<Server::State> state);

// Helpers for the common answers.
Response makeResponse(bhttp::status status, std::string body = {},
                      std::string content_type = "text/plain; charset=utf-8");

}  // namespace svh::http
