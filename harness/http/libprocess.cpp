#include "harness/http/libprocess.hpp"

#include <sstream>

#include "harness/util/log.hpp"

namespace svh::http {

namespace {

std::string trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string percentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      auto hex = std::string(text.substr(i + 1, 2));
      char* end = nullptr;
      long value = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string address(const wire::Upid& upid) { return upid.host + ":" + std::to_string(upid.port); }

}  // namespace

bool isLibprocessMessage(const Request& request) {
  if (request.method() != bhttp::verb::post) return false;
  auto agent = request[bhttp::field::user_agent];
  if (agent.substr(0, 11) == "libprocess/") return true;
  return request.find("Libprocess-From") != request.end();
}

std::optional<Message> parseMessage(const Request& request, std::string* error) {
  Message message;
  std::string from;
  if (auto it = request.find("Libprocess-From"); it != request.end()) {
    from = trim(it->value());
  } else {
    from = trim(request[bhttp::field::user_agent].substr(11));
  }
  auto upid = wire::Upid::parse(from);
  if (!upid) {
    if (error) *error = "Failed to parse sender UPID '" + from + "'";
    return std::nullopt;
  }
  message.from = *upid;
  std::string_view target = request.target();
  if (auto query = target.find('?'); query != std::string_view::npos) target = target.substr(0, query);
  if (target.empty() || target.front() != '/') {
    if (error) *error = "Bad message path '" + std::string(target) + "'";
    return std::nullopt;
  }
  target.remove_prefix(1);
  auto slash = target.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == target.size()) {
    if (error) *error = "Bad message path '/" + std::string(target) + "'";
    return std::nullopt;
  }
  message.to_id = percentDecode(target.substr(0, slash));
  message.name = std::string(target.substr(slash + 1));
  message.body = request.body();
  return message;
}

std::string encodeMessage(const wire::Upid& from, const wire::Upid& to, std::string_view name,
                          std::string_view body) {
  std::ostringstream out;
  out << "POST /" << to.id << "/" << name << " HTTP/1.1\r\n"
      << "User-Agent: libprocess/" << from.str() << "\r\n"
      << "Libprocess-From: " << from.str() << "\r\n"
      << "Connection: Keep-Alive\r\n"
      << "Host: " << to.host << ":" << to.port << "\r\n";
  if (!body.empty()) out << "Transfer-Encoding: chunked\r\n";
  out << "\r\n";
  if (!body.empty()) {
    out << std::hex << body.size() << "\r\n" << body << "\r\n0\r\n\r\n";
  }
  return out.str();
}

// One persistent outbound socket. Writes are queued and pipelined; answers
// (202/404) are read and discarded; any error ends the link.
class Links::Link : public std::enable_shared_from_this<Link> {
 public:
  Link(asio::io_context& io, std::string host, std::uint16_t port,
       std::function<void()> on_broken)
      : socket_(io), resolver_(io), host_(std::move(host)), port_(port),
        on_broken_(std::move(on_broken)) {}

  void start() {
    resolver_.async_resolve(
        host_, std::to_string(port_),
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          if (ec) return self->broken(ec);
          asio::async_connect(self->socket_, results,
                              [self](beast::error_code ec2, const tcp::endpoint&) {
                                if (ec2) return self->broken(ec2);
                                beast::error_code ignored;
                                self->socket_.set_option(tcp::no_delay(true), ignored);
                                self->connected_ = true;
                                self->readAnswers();
                                self->flush();
                              });
        });
  }

  void send(std::string bytes) {
    if (dead_) return;
    queue_.push_back(std::move(bytes));
    flush();
  }

  void close() {
    if (dead_) return;
    dead_ = true;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  bool dead() const { return dead_; }

 private:
  void flush() {
    if (!connected_ || writing_ || dead_ || queue_.empty()) return;
    writing_ = true;
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        // A broken link has already dropped its queue (the
                        // read side may notice first, while a write is done).
                        if (self->dead_) return;
                        if (ec) return self->broken(ec);
                        self->queue_.pop_front();
                        self->flush();
                      });
  }

  void readAnswers() {
    parser_.emplace();
    parser_->body_limit(1024 * 1024);
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->broken(ec);
                        self->readAnswers();
                      });
  }

  void broken(beast::error_code ec) {
    if (dead_) return;
    log::debug("link to ", host_, ":", port_, " ended: ", ec.message());
    close();
    queue_.clear();
    if (on_broken_) on_broken_();
  }

  tcp::socket socket_;
  tcp::resolver resolver_;
  std::string host_;
  std::uint16_t port_;
  std::function<void()> on_broken_;
  std::deque<std::string> queue_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  bool connected_ = false;
  bool writing_ = false;
  bool dead_ = false;
};

Links::Links(asio::io_context& io) : io_(io) {}

Links::~Links() { closeAll(); }

void Links::send(const wire::Upid& from, const wire::Upid& to, std::string_view name,
                 std::string_view body) {
  auto key = address(to);
  auto it = links_.find(key);
  if (it == links_.end() || it->second->dead()) {
    std::weak_ptr<bool> alive = alive_;
    auto link = std::make_shared<Link>(io_, to.host, to.port, [this, alive, key] {
      // Reported from a fresh handler, after the link is marked dead, so a
      // callback that sends again gets a new link.
      asio::post(io_, [this, alive, key] {
        if (alive.lock() && on_exited_) on_exited_(key);
      });
    });
    links_[key] = link;
    link->start();
    it = links_.find(key);
  }
  it->second->send(encodeMessage(from, to, name, body));
}

void Links::onExited(std::function<void(const std::string&)> callback) {
  on_exited_ = std::move(callback);
}

void Links::closeAll() {
  on_exited_ = nullptr;
  for (auto& [key, link] : links_) link->close();
  links_.clear();
}

Process::Process(asio::io_context& io, const std::string& ip, std::uint16_t port, std::string id)
    : links_(io),
      server_(io, ip, port, [this](std::shared_ptr<Exchange> exchange) { handle(exchange); }) {
  self_.id = id;
  self_.host = ip;
  self_.port = server_.port();
  ids_[id] = true;
}

Process::~Process() { stop(); }

void Process::addId(std::string id) { ids_[std::move(id)] = true; }

void Process::removeId(const std::string& id) { ids_.erase(id); }

void Process::on(std::string name, MessageHandler handler) {
  handlers_[std::move(name)] = std::move(handler);
}

void Process::dropUnparsable(const Message& message) {
  log::warning("dropping ", message.name, " from ", message.from.str(),
               ": body does not parse");
}

void Process::handle(std::shared_ptr<Exchange> exchange) {
  const Request& request = exchange->request();
  if (!isLibprocessMessage(request)) {
    if (http_handler_) {
      http_handler_(exchange);
    } else {
      exchange->respond(makeResponse(bhttp::status::not_found));
    }
    return;
  }
  std::string error;
  auto message = parseMessage(request, &error);
  if (!message) {
    exchange->respond(makeResponse(bhttp::status::internal_server_error, error));
    return;
  }
  if (!ids_.count(message->to_id)) {
    exchange->respond(makeResponse(bhttp::status::not_found));
    return;
  }
  // libprocess answers before the handler runs.
  exchange->respond(makeResponse(bhttp::status::accepted));
  auto handler = handlers_.find(message->name);
  if (handler == handlers_.end()) {
    log::debug("no handler for ", message->name, " from ", message->from.str());
    return;
  }
  handler->second(*message);
}

void Process::send(const wire::Upid& to, const google::protobuf::Message& message,
                   const std::string& from_id) {
  send(to, message.GetTypeName(), message.SerializeAsString(), from_id);
}

void Process::send(const wire::Upid& to, std::string_view name, std::string_view body,
                   const std::string& from_id) {
  wire::Upid from = self_;
  if (!from_id.empty()) from.id = from_id;
  links_.send(from, to, name, body);
}

void Process::onExited(std::function<void(const std::string&)> callback) {
  links_.onExited(std::move(callback));
}

void Process::stop() {
  links_.closeAll();
  server_.stop();
}

}  // namespace svh::http
