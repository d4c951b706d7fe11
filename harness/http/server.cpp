#include "harness/http/server.hpp"

#include <deque>
#include <optional>
#include <set>
#include <sstream>

#include "harness/util/log.hpp"

namespace svh::http {

struct Server::State {
  State(asio::io_context& io, Handler h, ServerLimits l)
      : acceptor(io), handler(std::move(h)), limits(l) {}
  tcp::acceptor acceptor;
  Handler handler;
  ServerLimits limits;
  std::set<std::weak_ptr<Connection>, std::owner_less<>> connections;
  bool stopped = false;
};

namespace {

std::string serialize(Response& response) {
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  return out.str();
}

std::string serializeHeader(Response& header) {
  header.chunked(true);
  std::ostringstream out;
  out << header.base();
  return out.str();
}

std::string chunk(std::string_view data) {
  std::ostringstream out;
  out << std::hex << data.size() << "\r\n" << data << "\r\n";
  return out.str();
}

}  // namespace

// One accepted socket. Reads one request at a time; the next is read only
// after the current one is answered, so pipelined answers stay in order.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<Server::State> server)
      : socket_(std::move(socket)), server_(std::move(server)) {
    beast::error_code ec;
    peer_ = socket_.remote_endpoint(ec);
  }

  void start() { readRequest(); }

  tcp::endpoint peer() const { return peer_; }
  bool closed() const { return closed_; }

  void answer(Response response, bool request_keep_alive) {
    bool keep_alive = request_keep_alive && response.keep_alive();
    response.keep_alive(keep_alive);
    send(serialize(response));
    if (keep_alive) {
      readRequest();
    } else {
      close_after_write_ = true;
      flushOrClose();
    }
  }

  void startStream(Response header) {
    header.keep_alive(true);
    send(serializeHeader(header));
    streaming_ = true;
    drain();
  }

  bool writeChunk(std::string_view data) {
    if (closed_ || close_after_write_) return false;
    if (data.empty()) return true;  // an empty chunk would end the stream
    send(chunk(data));
    return true;
  }

  void endStream() {
    if (closed_ || close_after_write_) return;
    send("0\r\n\r\n");
    close_after_write_ = true;
    flushOrClose();
  }

  void onClose(std::function<void()> callback) {
    if (closed_) {
      callback();
    } else {
      close_callbacks_.push_back(std::move(callback));
    }
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    auto callbacks = std::move(close_callbacks_);
    for (auto& callback : callbacks) callback();
  }

 private:
  void readRequest() {
    if (closed_ || streaming_) return;
    parser_.emplace();
    parser_->body_limit(server_->limits.max_body_bytes);
    parser_->header_limit(server_->limits.max_header_bytes);
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->onRequest(ec);
                      });
  }

  void onRequest(beast::error_code ec) {
    if (closed_) return;
    if (ec) {
      if (ec == bhttp::error::body_limit) {
        refuse(bhttp::status::payload_too_large, "Request body is too large");
      } else if (ec == bhttp::error::header_limit) {
        refuse(bhttp::status::request_header_fields_too_large, "Request header is too large");
      } else if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                 ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
        close();
      } else {
        refuse(bhttp::status::bad_request, "Malformed HTTP request: " + ec.message());
      }
      return;
    }
    Request request = parser_->release();
    bool keep_alive = request.keep_alive();
    auto exchange = std::make_shared<Exchange>(shared_from_this(), std::move(request));
    (void)keep_alive;
    try {
      server_->handler(exchange);
    } catch (const std::exception& e) {
      log::error("http handler failed: ", e.what());
      if (!exchange->answered()) {
        exchange->respond(makeResponse(bhttp::status::internal_server_error, e.what()));
      }
    }
  }

  void refuse(bhttp::status status, std::string text) {
    Response response = makeResponse(status, std::move(text));
    response.keep_alive(false);
    send(serialize(response));
    close_after_write_ = true;
    flushOrClose();
  }

  // While a stream is open, reading tells us when the client goes away.
  void drain() {
    if (closed_) return;
    socket_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                self->close();
                              } else {
                                self->drain();
                              }
                            });
  }

  void send(std::string bytes) {
    if (closed_) return;
    out_.push_back(std::move(bytes));
    flushOrClose();
  }

  void flushOrClose() {
    if (closed_ || writing_) return;
    if (out_.empty()) {
      if (close_after_write_) close();
      return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(out_.front()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) {
                          self->close();
                          return;
                        }
                        self->out_.pop_front();
                        self->flushOrClose();
                      });
  }

  tcp::socket socket_;
  std::shared_ptr<Server::State> server_;
  tcp::endpoint peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::deque<std::string> out_;
  std::vector<std::function<void()>> close_callbacks_;
  char drain_buffer_[512];
  bool writing_ = false;
  bool close_after_write_ = false;
  bool streaming_ = false;
  bool closed_ = false;
};

namespace {

class ChunkStream : public Stream {
 public:
  explicit ChunkStream(std::shared_ptr<Connection> connection)
      : connection_(std::move(connection)) {}
  ~ChunkStream() override = default;

  bool write(std::string data) override { return connection_->writeChunk(data); }
  void close() override { connection_->endStream(); }
  bool closed() const override { return connection_->closed(); }
  void onClose(std::function<void()> callback) override {
    connection_->onClose(std::move(callback));
  }
  tcp::endpoint peer() const override { return connection_->peer(); }

 private:
  std::shared_ptr<Connection> connection_;
};

}  // namespace

Exchange::Exchange(std::shared_ptr<Connection> connection, Request request)
    : connection_(std::move(connection)), request_(std::move(request)) {}

Exchange::~Exchange() {
  if (!answered_) {
    respond(makeResponse(bhttp::status::internal_server_error, "Request was not answered"));
  }
}

tcp::endpoint Exchange::peer() const { return connection_->peer(); }

void Exchange::respond(Response response) {
  if (answered_) return;
  answered_ = true;
  response.version(request_.version());
  connection_->answer(std::move(response), request_.keep_alive());
}

std::shared_ptr<Stream> Exchange::stream(Response header) {
  answered_ = true;
  header.version(request_.version());
  connection_->startStream(std::move(header));
  return std::make_shared<ChunkStream>(connection_);
}

Server::Server(asio::io_context& io, const std::string& ip, std::uint16_t port, Handler handler,
               ServerLimits limits)
    : state_(std::make_shared<State>(io, std::move(handler), limits)), ip_(ip) {
  auto address = asio::ip::make_address(ip);
  tcp::endpoint endpoint(address, port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen(asio::socket_base::max_listen_connections);
  port_ = state_->acceptor.local_endpoint().port();
  accept();
}

Server::~Server() { stop(); }

void Server::accept() { acceptLoop(state_); }

void acceptLoop(std::shared_ptr<Server::State> state) {
  state->acceptor.async_accept([state](beast::error_code ec, tcp::socket socket) {
    if (state->stopped || ec == asio::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      auto connection = std::make_shared<Connection>(std::move(socket), state);
      state->connections.insert(connection);
      connection->start();
    }
    for (auto it = state->connections.begin(); it != state->connections.end();) {
      it = it->expired() ? state->connections.erase(it) : std::next(it);
    }
    acceptLoop(state);
  });
}

void Server::stop() {
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  beast::error_code ec;
  state_->acceptor.close(ec);
  for (auto& weak : state_->connections) {
    if (auto connection = weak.lock()) connection->close();
  }
  state_->connections.clear();
}

Response makeResponse(bhttp::status status, std::string body, std::string content_type) {
  Response response{status, 11};
  if (!body.empty() || status != bhttp::status::accepted) {
    response.set(bhttp::field::content_type, content_type);
  }
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace svh::http
