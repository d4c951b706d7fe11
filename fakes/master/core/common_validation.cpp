// Mesos common::validation (src/common/validation.cpp) as the master
// uses it: secrets, environments, commands, volumes, containers, health
// checks and checks of tasks and executors, the scalar values and offer
// filters a framework or operator gives. validateInputScalarValue is
// public (validation.hpp); the rest serve task_validation.cpp and
// scheduler_validation.cpp through validation_support.hpp.

#include <cmath>
#include <map>
#include <string>

#include "fakes/master/core/validation.hpp"
#include "fakes/master/core/validation_support.hpp"

namespace svh::master::validation {

using mesos::v1::CommandInfo;
using mesos::v1::ContainerInfo;

namespace {

Problem validateSecret(const mesos::v1::Secret& secret) {
  switch (secret.type()) {
    case mesos::v1::Secret::REFERENCE:
      if (!secret.has_reference()) {
        return "Secret of type REFERENCE must have the 'reference' field set";
      }
      if (secret.has_value()) {
        return "Secret '" + secret.reference().name() +
               "' of type REFERENCE must not have the 'value' field set";
      }
      break;
    case mesos::v1::Secret::VALUE:
      if (!secret.has_value()) return "Secret of type VALUE must have the 'value' field set";
      if (secret.has_reference()) {
        return "Secret of type VALUE must not have the 'reference' field set";
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

Problem validateEnvironment(const mesos::v1::Environment& environment) {
  using Variable = mesos::v1::Environment::Variable;
  for (const Variable& variable : environment.variables()) {
    const std::string name = "Environment variable '" + variable.name() + "'";
    switch (variable.type()) {
      case Variable::SECRET: {
        if (!variable.has_secret()) return name + " of type 'SECRET' must have a secret set";
        if (variable.has_value()) return name + " of type 'SECRET' must not have a value set";
        if (auto error = validateSecret(variable.secret())) {
          return name + " specifies an invalid secret: " + *error;
        }
        if (variable.secret().value().data().find('\0') != std::string::npos) {
          return name +
                 " specifies a secret containing null bytes, which is not allowed in the "
                 "environment";
        }
        break;
      }
      case Variable::VALUE:
        if (!variable.has_value()) return name + " of type 'VALUE' must have a value set";
        if (variable.has_secret()) return name + " of type 'VALUE' must not have a secret set";
        break;
      default:
        return "Environment variable of type 'UNKNOWN' is not allowed";
    }
  }
  return std::nullopt;
}

Problem validateVolume(const mesos::v1::Volume& volume) {
  int set = (volume.has_host_path() ? 1 : 0) + (volume.has_image() ? 1 : 0) +
            (volume.has_source() ? 1 : 0);
  if (set != 1) return "Only one of them should be set: 'host_path', 'image' and 'source'";
  if (!volume.has_source()) return std::nullopt;

  using Source = mesos::v1::Volume::Source;
  const Source& source = volume.source();
  switch (source.type()) {
    case Source::DOCKER_VOLUME:
      if (!source.has_docker_volume()) {
        return "'source.docker_volume' is not set for DOCKER_VOLUME volume";
      }
      break;
    case Source::HOST_PATH:
      if (!source.has_host_path()) return "'source.host_path' is not set for HOST_PATH volume";
      break;
    case Source::SANDBOX_PATH:
      if (!source.has_sandbox_path()) {
        return "'source.sandbox_path' is not set for SANDBOX_PATH volume";
      }
      break;
    case Source::SECRET:
      if (!source.has_secret()) return "'source.secret' is not set for SECRET volume";
      break;
    case Source::CSI_VOLUME:
      // Our protocol subset has no csi_volume field, so it is never set.
      return "'source.csi_volume' is not set for CSI volume";
    default:
      return "'source.type' is unknown";
  }
  return std::nullopt;
}

std::string commandKind(const CommandInfo& command) {
  return command.shell() ? "'shell command'" : "'executable path'";
}

}  // namespace

Problem validateInputScalarValue(double value) {
  switch (std::fpclassify(value)) {
    case FP_INFINITE:
      return "Infinite values not supported";
    case FP_NAN:
      return "NaN not supported";
    case FP_SUBNORMAL:
      return "Subnormal values not supported";
    case FP_ZERO:
      return std::nullopt;
    case FP_NORMAL:
      return value < 0 ? Problem("Negative values not supported") : std::nullopt;
    default:
      return "Unknown error";
  }
}

Problem validateCommandInfo(const CommandInfo& command) {
  return validateEnvironment(command.environment());
}

Problem validateContainerInfo(const ContainerInfo& container) {
  for (const auto& volume : container.volumes()) {
    if (auto error = validateVolume(volume)) return "Invalid volume: " + *error;
  }
  if (container.type() == ContainerInfo::DOCKER) {
    if (!container.has_docker()) {
      return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
    }
    for (const auto& parameter : container.docker().parameters()) {
      if (parameter.key() == "name") return "Parameter in DockerInfo must not be 'name'";
    }
  }
  return std::nullopt;
}

Problem validateHealthCheck(const mesos::v1::HealthCheck& check) {
  using HealthCheck = mesos::v1::HealthCheck;
  if (!check.has_type()) return "HealthCheck must specify 'type'";
  switch (check.type()) {
    case HealthCheck::COMMAND: {
      if (!check.has_command()) return "Expecting 'command' to be set for COMMAND health check";
      if (!check.command().has_value()) {
        return "Command health check must contain " + commandKind(check.command());
      }
      if (auto error = validateCommandInfo(check.command())) {
        return "Health check's `CommandInfo` is invalid: " + *error;
      }
      break;
    }
    case HealthCheck::HTTP: {
      if (!check.has_http()) return "Expecting 'http' to be set for HTTP health check";
      const auto& http = check.http();
      if (http.has_scheme() && http.scheme() != "http" && http.scheme() != "https") {
        return "Unsupported HTTP health check scheme: '" + http.scheme() + "'";
      }
      if (http.has_path() && (http.path().empty() || http.path().front() != '/')) {
        return "The path '" + http.path() + "' of HTTP health check must start with '/'";
      }
      break;
    }
    case HealthCheck::TCP:
      if (!check.has_tcp()) return "Expecting 'tcp' to be set for TCP health check";
      break;
    default:
      return "'" + HealthCheck::Type_Name(check.type()) + "' is not a valid health check type";
  }
  if (check.has_delay_seconds() && check.delay_seconds() < 0.0) {
    return "Expecting 'delay_seconds' to be non-negative";
  }
  if (check.has_grace_period_seconds() && check.grace_period_seconds() < 0.0) {
    return "Expecting 'grace_period_seconds' to be non-negative";
  }
  if (check.has_interval_seconds() && check.interval_seconds() < 0.0) {
    return "Expecting 'interval_seconds' to be non-negative";
  }
  if (check.has_timeout_seconds() && check.timeout_seconds() < 0.0) {
    return "Expecting 'timeout_seconds' to be non-negative";
  }
  return std::nullopt;
}

Problem validateCheckInfo(const mesos::v1::CheckInfo& check) {
  using CheckInfo = mesos::v1::CheckInfo;
  if (!check.has_type()) return "CheckInfo must specify 'type'";
  switch (check.type()) {
    case CheckInfo::COMMAND: {
      if (!check.has_command()) return "Expecting 'command' to be set for COMMAND check";
      const CommandInfo& command = check.command().command();
      if (!command.has_value()) return "Command check must contain " + commandKind(command);
      if (auto error = validateCommandInfo(command)) {
        return "Check's `CommandInfo` is invalid: " + *error;
      }
      break;
    }
    case CheckInfo::HTTP: {
      if (!check.has_http()) return "Expecting 'http' to be set for HTTP check";
      const auto& http = check.http();
      if (http.has_path() && (http.path().empty() || http.path().front() != '/')) {
        return "The path '" + http.path() + "' of HTTP check must start with '/'";
      }
      break;
    }
    case CheckInfo::TCP:
      if (!check.has_tcp()) return "Expecting 'tcp' to be set for TCP check";
      break;
    default:
      return "'" + CheckInfo::Type_Name(check.type()) + "' is not a valid check type";
  }
  if (check.has_delay_seconds() && check.delay_seconds() < 0.0) {
    return "Expecting 'delay_seconds' to be non-negative";
  }
  if (check.has_interval_seconds() && check.interval_seconds() < 0.0) {
    return "Expecting 'interval_seconds' to be non-negative";
  }
  if (check.has_timeout_seconds() && check.timeout_seconds() < 0.0) {
    return "Expecting 'timeout_seconds' to be non-negative";
  }
  return std::nullopt;
}

Problem validateOfferFilters(const mesos::v1::OfferFilters& filters) {
  if (!filters.has_min_allocatable_resources()) return std::nullopt;
  for (const auto& group : filters.min_allocatable_resources().quantities()) {
    if (group.quantities().empty()) {
      return "Resource quantities must contain at least one quantity";
    }
    // Sorted by name for a stable first error (Mesos walks a hash map).
    std::map<std::string, double> sorted;
    for (const auto& [name, scalar] : group.quantities()) sorted[name] = scalar.value();
    for (const auto& [name, value] : sorted) {
      if (auto error = validateInputScalarValue(value)) {
        return "Invalid resource quantity for '" + name + "': " + *error;
      }
    }
  }
  return std::nullopt;
}

}  // namespace svh::master::validation
