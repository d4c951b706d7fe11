#pragma once

// libprocess process ids, "id@host:port" (PROTOCOL.md section 5.1), e.g.
// "master@10.0.0.1:5050", "slave(1)@10.0.0.2:5051". They name the sender of
// a libprocess message (Libprocess-From) and fields such as
// StatusUpdateMessage.pid.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace svh::wire {

struct Upid {
  std::string id;    // process id, e.g. "slave(1)"; may be empty
  std::string host;  // IPv4 literal or hostname, kept as text (no DNS here)
  uint16_t port = 0;

  // Splits at the first '@' and then at the first ':' (as libprocess does).
  // Surrounding whitespace is ignored. Nullopt if there is no '@' or ':',
  // the host is empty or contains whitespace, or the port is not a decimal
  // number in 0..65535. "@0.0.0.0:0" parses to the empty UPID.
  static std::optional<Upid> parse(std::string_view text);

  // "id@host:port"; an empty host prints as 0.0.0.0, so the empty UPID
  // prints "@0.0.0.0:0", the "no pid" value Mesos uses (e.g. in
  // RunTaskMessage.pid for HTTP frameworks).
  std::string str() const;

  // No id and no address: what libprocess's default UPID() means.
  bool empty() const { return id.empty() && port == 0 && (host.empty() || host == "0.0.0.0"); }

  friend bool operator==(const Upid&, const Upid&) = default;
};

}  // namespace svh::wire
