#include "fakes/master/auth.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/wire/base64.hpp"

namespace svh::master {

Result<Credentials> parseCredentials(const std::string& text) {
  Credentials credentials;
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_discarded()) {
    if (!json.is_object() || !json.contains("credentials") || !json["credentials"].is_array()) {
      return Error{"expecting a JSON object with a 'credentials' array"};
    }
    for (const auto& entry : json["credentials"]) {
      if (!entry.is_object() || !entry.contains("principal") || !entry["principal"].is_string()) {
        return Error{"every credential needs a string 'principal'"};
      }
      std::string secret;
      if (entry.contains("secret")) {
        if (!entry["secret"].is_string()) return Error{"'secret' must be a string"};
        secret = entry["secret"].get<std::string>();
      }
      credentials[entry["principal"].get<std::string>()] = secret;
    }
    return credentials;
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string principal;
    std::string secret;
    std::string extra;
    if (!(words >> principal)) continue;  // blank line
    if (!(words >> secret) || (words >> extra)) {
      return Error{"expecting 'principal secret' on each line, got '" + line + "'"};
    }
    credentials[principal] = secret;
  }
  return credentials;
}

Result<Credentials> readCredentials(const std::string& path) {
  std::string file = path.rfind("file://", 0) == 0 ? path.substr(7) : path;
  std::ifstream in(file);
  if (!in) return Error{"cannot read credentials file '" + file + "'"};
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parseCredentials(text.str());
  if (!parsed) return Error{"credentials file '" + file + "': " + parsed.error()};
  return parsed;
}

std::optional<std::string> basicPrincipal(const std::optional<std::string>& authorization,
                                          const Credentials& credentials) {
  if (!authorization) return std::nullopt;
  const std::string& value = *authorization;
  auto space = value.find(' ');
  if (space == std::string::npos || value.substr(0, space) != "Basic" ||
      value.find(' ', space + 1) != std::string::npos) {
    return std::nullopt;
  }
  auto decoded = wire::base64Decode(value.substr(space + 1));
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos || decoded->find(':', colon + 1) != std::string::npos) {
    return std::nullopt;
  }
  std::string principal = decoded->substr(0, colon);
  auto it = credentials.find(principal);
  if (it == credentials.end() || it->second != decoded->substr(colon + 1)) return std::nullopt;
  return principal;
}

}  // namespace svh::master
