#pragma once
// A value or a one-line error a user can act on: what functions that can fail
// on bad input return instead of throwing or aborting (std::expected is
// C++23; this is the small part of it we need).

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace svh {

struct Error {
  std::string message;
};

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}    // NOLINT: implicit on purpose
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const std::string& error() const { return std::get<Error>(state_).message; }

 private:
  std::variant<T, Error> state_;
};

// For checks that produce no value: nullopt means "fine".
using Problem = std::optional<std::string>;

}  // namespace svh
