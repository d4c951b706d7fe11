#pragma once
// Waiting on what tasks leave on the agent's disk: files in a sandbox or a
// volume's backing directory, with a deadline (polled, never slept on).

#include <chrono>
#include <filesystem>
#include <string>

namespace svh::harness {

std::string readFile(const std::filesystem::path& path);
// The file's content once it exists and is not empty. Throws AwaitTimeout.
std::string awaitFile(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                      const std::string& what);
// Returns once `path` does not exist. Throws AwaitTimeout.
void awaitGone(const std::filesystem::path& path, std::chrono::milliseconds timeout,
               const std::string& what);
// The file's size, 0 while it does not exist yet (a task may not have
// written it yet: std::filesystem::file_size would say uintmax_t(-1), which
// no file outgrows).
std::uintmax_t sizeOrZero(const std::filesystem::path& path);
// Returns once the file is bigger than `size`. Throws AwaitTimeout.
std::uintmax_t awaitGrowth(const std::filesystem::path& path, std::uintmax_t size,
                           std::chrono::milliseconds timeout, const std::string& what);

}  // namespace svh::harness
