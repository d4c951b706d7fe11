#pragma once
// Reading svh-probe's output back (probe_main.cpp prints it), for the checks
// and tests that run the probe in tasks, and the operations under which
// svh-agent's trace records each probed call.

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace svh::agent::probe {

struct ProbeResult {
  std::string op;
  bool mutating = false;
  std::string path;  // relative to the probed directory
  std::string via;   // the open that failed first, if it did
  int error = 0;
  std::string error_name;
  std::string detail;
  bool ok = false;  // did what the probe's mode expects
};

// One result per JSON line; a line that is not one is reported in *problem
// (and the parse stops there).
inline std::vector<ProbeResult> parseProbeOutput(const std::string& text, std::string* problem) {
  std::vector<ProbeResult> results;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("op") ||
        !json.contains("errno")) {
      *problem = "not a probe line: " + line;
      return results;
    }
    ProbeResult result;
    result.op = json.value("op", "");
    result.mutating = json.value("kind", "") == "mutating";
    result.path = json.value("path", "");
    result.via = json.value("via", "");
    result.error = json.value("errno", -1);
    if (json["error"].is_string()) result.error_name = json["error"].get<std::string>();
    result.detail = json.value("detail", "");
    result.ok = json.value("ok", false);
    results.push_back(result);
  }
  return results;
}

// The trace "op" values under which svh-agent's FUSE disk records the call
// (fakes/agent/disk/trace.hpp): a call that needed a writable fd it could
// not get is the open that failed; attribute changes are one setattr,
// named after the attribute when the kernel sends only that one.
// The operations svh-probe tries, in order (the reads, then the mutating
// calls of SPEC H-RO-1).
inline const std::vector<std::string>& probeOperations() {
  static const std::vector<std::string> operations = {"read",          "stat",
                                                      "readdir",       "readlink",
                                                      "getxattr",      "open_wronly",
                                                      "open_rdwr",     "open_creat",
                                                      "open_trunc",    "truncate",
                                                      "ftruncate",     "write",
                                                      "fallocate",     "mmap_shared_write",
                                                      "unlink",        "rmdir",
                                                      "mkdir",         "mknod",
                                                      "rename_within", "rename_into",
                                                      "rename_out_of", "link",
                                                      "symlink",       "chmod",
                                                      "chown",         "utimensat",
                                                      "setxattr",      "removexattr"};
  return operations;
}

inline std::set<std::string> traceOperations(const ProbeResult& result) {
  if (!result.via.empty()) return {"open"};
  const std::string& op = result.op;
  if (op == "open_wronly" || op == "open_rdwr") return {"open"};
  // Without atomic O_TRUNC the kernel truncates (setattr) before the open.
  if (op == "open_trunc") return {"open", "truncate", "setattr"};
  if (op == "open_creat") return {"create"};
  if (op == "truncate" || op == "ftruncate") return {"truncate", "setattr"};
  if (op == "write" || op == "mmap_shared_write") return {"write"};
  if (op == "rename_within" || op == "rename_into" || op == "rename_out_of") return {"rename"};
  if (op == "chmod") return {"chmod", "setattr"};
  if (op == "chown") return {"chown", "setattr"};
  if (op == "utimensat") return {"utimens", "setattr"};
  return {op};  // fallocate, unlink, rmdir, mkdir, mknod, link, symlink, setxattr, removexattr
}

}  // namespace svh::agent::probe
