#pragma once
// The libprocess message protocol (PROTOCOL.md section 5) that Mesos masters
// and agents speak: every message is an HTTP POST to /<receiver id>/<name>,
// answered at once with 202 (404 for an unknown receiver); replies are new
// POSTs back to the sender's advertised address. So each party runs a server
// at its UPID and keeps persistent outbound "links", whose breakage is how a
// master notices that an agent went away.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "harness/http/server.hpp"
#include "harness/wire/upid.hpp"

namespace svh::http {

struct Message {
  wire::Upid from;
  std::string to_id;
  std::string name;
  std::string body;
};

// A POST is a libprocess message iff its User-Agent starts with
// "libprocess/" or it has a Libprocess-From header.
bool isLibprocessMessage(const Request& request);

// Reads sender, receiver id and message name. nullopt (with a reason) when
// the sender UPID or the path cannot be parsed.
std::optional<Message> parseMessage(const Request& request, std::string* error);

// The exact bytes a libprocess sender writes: request line, the framing
// headers in libprocess's order, and the body as one chunk (no length header
// and no chunk at all for an empty body).
std::string encodeMessage(const wire::Upid& from, const wire::Upid& to, std::string_view name,
                          std::string_view body);

// Outbound links: one persistent socket per destination address, messages
// queued and pipelined on it, answers read and ignored. A link that cannot
// connect or breaks drops its queue (as libprocess does) and is reported.
class Links {
 public:
  Links(asio::io_context& io);
  ~Links();

  void send(const wire::Upid& from, const wire::Upid& to, std::string_view name,
            std::string_view body);
  // Called with "host:port" when a link to that address breaks.
  void onExited(std::function<void(const std::string& address)> callback);
  void closeAll();

 private:
  class Link;
  asio::io_context& io_;
  std::map<std::string, std::shared_ptr<Link>> links_;
  std::function<void(const std::string&)> on_exited_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards posted callbacks
};

// A libprocess host: serves messages for the ids it knows (202, or 404 for
// other ids), hands every other request to an ordinary HTTP handler, and sends
// messages over links. Single-threaded on its io_context.
class Process {
 public:
  using MessageHandler = std::function<void(const Message&)>;

  // Binds ip:port (0 = any free port). Throws std::system_error.
  Process(asio::io_context& io, const std::string& ip, std::uint16_t port, std::string id);
  ~Process();

  // This process's own UPID, e.g. master@127.0.0.1:5050.
  const wire::Upid& self() const { return self_; }
  std::uint16_t port() const { return server_.port(); }

  // Extra receiver ids served here (e.g. "slave-observer(1)").
  void addId(std::string id);
  void removeId(const std::string& id);

  // The handler for one message name (e.g. "mesos.internal.PingSlaveMessage").
  void on(std::string name, MessageHandler handler);

  // Typed variant: parses the body as M; bodies that do not parse are logged
  // and dropped, as libprocess does.
  template <typename M>
  void on(std::function<void(const wire::Upid& from, const std::string& to_id, M&&)> handler) {
    M prototype;
    on(prototype.GetTypeName(), [handler = std::move(handler)](const Message& message) {
      M parsed;
      if (!parsed.ParseFromString(message.body)) {
        dropUnparsable(message);
        return;
      }
      handler(message.from, message.to_id, std::move(parsed));
    });
  }

  // Requests that are not libprocess messages.
  void onHttp(Handler handler) { http_handler_ = std::move(handler); }

  // Sends a protobuf message named by its full type name. `from_id` picks
  // which of our ids sends it (default: our main id).
  void send(const wire::Upid& to, const google::protobuf::Message& message,
            const std::string& from_id = {});
  void send(const wire::Upid& to, std::string_view name, std::string_view body,
            const std::string& from_id = {});

  // Called with the address ("host:port") of a peer whose link broke.
  void onExited(std::function<void(const std::string& address)> callback);

  void stop();

 private:
  static void dropUnparsable(const Message& message);
  void handle(std::shared_ptr<Exchange> exchange);

  wire::Upid self_;
  std::map<std::string, bool> ids_;
  std::map<std::string, MessageHandler> handlers_;
  Handler http_handler_;
  Links links_;
  Server server_;
};

}  // namespace svh::http
