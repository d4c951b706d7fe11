#pragma once
// Optional HTTP basic authentication of the master's endpoints, as Mesos
// configures it: --credentials=<file> names the principals and secrets, and
// --authenticate_http_readwrite / _readonly / _frameworks switch it on per
// realm. A request without valid credentials gets 401 with
// `WWW-Authenticate: Basic realm="<realm>"` and an empty body (libprocess
// BasicAuthenticator). Pure code: the master asks, these functions answer.

#include <map>
#include <optional>
#include <string>

#include "harness/util/result.hpp"

namespace svh::master {

// principal -> secret.
using Credentials = std::map<std::string, std::string>;

// Mesos credentials::read: either JSON
//   {"credentials": [{"principal": "p", "secret": "s"}, ...]}
// or text, one "principal secret" pair per line. A "file://" prefix on the
// path is accepted.
Result<Credentials> readCredentials(const std::string& path);
Result<Credentials> parseCredentials(const std::string& text);

// The realms Mesos uses for the master's endpoints.
inline constexpr const char* kReadWriteRealm = "mesos-master-readwrite";
inline constexpr const char* kReadOnlyRealm = "mesos-master-readonly";
inline constexpr const char* kSchedulerRealm = "mesos-master-scheduler";

// The principal of an `Authorization: Basic ...` header value that names a
// known principal with its secret; nullopt otherwise (missing header, other
// scheme, bad base64, no ':' or several, unknown principal, wrong secret).
std::optional<std::string> basicPrincipal(const std::optional<std::string>& authorization,
                                          const Credentials& credentials);

}  // namespace svh::master
