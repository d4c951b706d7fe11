#pragma once

// Standard-alphabet base64 (RFC 4648 section 4), as Mesos JSON uses for
// `bytes` fields (uuids, data).

#include <optional>
#include <string>
#include <string_view>

namespace svh::wire {

// Encodes with '=' padding, no line breaks.
std::string base64Encode(std::string_view bytes);

// Decodes leniently the way Mesos accepts input: whitespace anywhere is
// skipped and padding is optional. Stricter than Mesos in two places that
// can only hide client bugs: after the first '=' only '=' and whitespace may
// follow, and a dangling single character (6 bits, no whole byte) is an
// error. On failure `error` (if given) says why.
std::optional<std::string> base64Decode(std::string_view text, std::string* error = nullptr);

}  // namespace svh::wire
