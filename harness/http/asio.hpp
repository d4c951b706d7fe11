#pragma once
// The one place that pulls in Boost.Asio and Boost.Beast, with the aliases
// every svh component uses. <utility> first: Boost 1.74's awaitable.hpp uses
// std::exchange without including it.

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace svh::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

}  // namespace svh::http
