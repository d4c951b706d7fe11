#include "harness/http/client.hpp"

#include <charconv>

namespace svh::http {

std::optional<Url> Url::parse(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<Url> {
    if (error) *error = why;
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "http://";
  if (text.substr(0, kScheme.size()) != kScheme) {
    return fail("expected a URL of the form http://host:port, got '" + std::string(text) + "'");
  }
  text.remove_prefix(kScheme.size());
  Url url;
  auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  url.path = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    url.host = std::string(authority);
    url.port = 80;
  } else {
    url.host = std::string(authority.substr(0, colon));
    auto digits = authority.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return fail("bad port '" + std::string(digits) + "' in URL");
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  if (url.host.empty()) return fail("no host in URL '" + std::string(text) + "'");
  return url;
}

std::string Url::str() const {
  return "http://" + host + ":" + std::to_string(port) + (path == "/" ? "" : path);
}

Client::Client(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}

Client::~Client() {
  if (stream_) {
    beast::error_code ec;
    stream_->socket().shutdown(tcp::socket::shutdown_both, ec);
  }
}

Response Client::send(Request request, std::chrono::milliseconds timeout) {
  request.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
  request.keep_alive(true);
  request.prepare_payload();
  bool reused = stream_.has_value();
  try {
    return attempt(request, timeout);
  } catch (const HttpError&) {
    // A kept-alive connection may have been closed by the server between
    // requests; one retry on a fresh connection is what HTTP clients do.
    if (!reused) throw;
    stream_.reset();
    return attempt(request, timeout);
  }
}

Response Client::attempt(Request& request, std::chrono::milliseconds timeout) {
  beast::error_code result;
  auto where = "http://" + host_ + ":" + std::to_string(port_);
  if (!stream_) {
    stream_.emplace(io_);
    buffer_.clear();
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host_, std::to_string(port_), result);
    if (result) {
      stream_.reset();
      throw HttpError("cannot resolve " + host_ + ": " + result.message());
    }
    stream_->expires_after(timeout);
    stream_->async_connect(endpoints, [&](beast::error_code ec, auto) { result = ec; });
    io_.restart();
    io_.run();
    if (result) {
      stream_.reset();
      throw HttpError("cannot connect to " + where + ": " + result.message());
    }
    stream_->socket().set_option(tcp::no_delay(true));
  }
  stream_->expires_after(timeout);
  Response response;
  bhttp::async_write(*stream_, request, [&](beast::error_code ec, std::size_t) {
    result = ec;
    if (ec) return;
    bhttp::async_read(*stream_, buffer_, response,
                      [&](beast::error_code ec2, std::size_t) { result = ec2; });
  });
  io_.restart();
  io_.run();
  if (result) {
    stream_.reset();
    throw HttpError(std::string(request.method_string()) + " " + std::string(request.target()) +
                    " to " + where + " failed: " + result.message());
  }
  if (!response.keep_alive()) stream_.reset();
  return response;
}

Response Client::get(std::string target, std::chrono::milliseconds timeout) {
  Request request{bhttp::verb::get, target, 11};
  return send(std::move(request), timeout);
}

Response Client::post(std::string target, std::string content_type, std::string body,
                      std::chrono::milliseconds timeout) {
  Request request{bhttp::verb::post, target, 11};
  request.set(bhttp::field::content_type, content_type);
  request.body() = std::move(body);
  return send(std::move(request), timeout);
}

StreamingCall::StreamingCall(std::string host, std::uint16_t port, Request request,
                             Callbacks callbacks, std::chrono::milliseconds connect_timeout)
    : host_(std::move(host)), port_(port), callbacks_(std::move(callbacks)), stream_(io_) {
  request.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
  request.keep_alive(true);
  request.prepare_payload();
  thread_ = std::thread([this, request = std::move(request), connect_timeout]() mutable {
    run(std::move(request), connect_timeout);
  });
}

StreamingCall::~StreamingCall() {
  close();
  if (thread_.joinable()) thread_.join();
}

void StreamingCall::close() {
  closing_ = true;
  asio::post(io_, [this] {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  });
}

void StreamingCall::run(Request request, std::chrono::milliseconds connect_timeout) {
  std::string where = "http://" + host_ + ":" + std::to_string(port_);
  std::string end_message;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(boost::none);  // an event stream has no end
  auto on_chunk = [this](std::uint64_t, std::string_view body, beast::error_code&) {
    if (callbacks_.on_data) callbacks_.on_data(body);
    return body.size();
  };
  parser.on_chunk_body(on_chunk);

  auto finish = [&](beast::error_code ec) {
    if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) {
      end_message = "closed by client";
    } else if (ec && ec != bhttp::error::end_of_stream) {
      end_message = "event stream from " + where + " broke: " + ec.message();
    }
  };

  if (closing_) {
    if (callbacks_.on_end) callbacks_.on_end("closed by client");
    return;
  }
  tcp::resolver resolver(io_);
  beast::error_code ec;
  auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
  if (ec) {
    if (callbacks_.on_end) callbacks_.on_end("cannot resolve " + host_ + ": " + ec.message());
    return;
  }
  stream_.expires_after(connect_timeout);
  stream_.async_connect(endpoints, [&](beast::error_code connect_ec, auto) {
    if (connect_ec) {
      end_message = "cannot connect to " + where + ": " + connect_ec.message();
      return;
    }
    bhttp::async_write(stream_, request, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) return finish(write_ec);
      bhttp::async_read_header(stream_, buffer, parser, [&](beast::error_code header_ec,
                                                             std::size_t) {
        if (header_ec) return finish(header_ec);
        stream_.expires_never();
        const auto& header = parser.get().base();
        if (callbacks_.on_header) callbacks_.on_header(header);
        bhttp::async_read(stream_, buffer, parser, [&](beast::error_code body_ec, std::size_t) {
          finish(body_ec);
          auto status = parser.get().result_int();
          if (!body_ec && (status < 200 || status >= 300)) {
            end_message = std::to_string(status) + " " + std::string(parser.get().reason()) +
                          ": " + parser.get().body();
          }
        });
      });
    });
  });
  io_.run();
  if (callbacks_.on_end) callbacks_.on_end(end_message);
}

}  // namespace svh::http
