#pragma once
// Mesos resource arithmetic (SPEC.md 1.1-1.2, SV-MODEL and SV-ARITH) as a
// value type: a list of resources in post-refinement format where identical
// shared resources collapse into one entry with a copy count, non-shared
// scalars of the same identity are summed, and persistent volumes never
// merge. Both fakes and the reference master's validation use it; it does no
// I/O.

#include <google/protobuf/repeated_field.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "mesos/v1/mesos.pb.h"

namespace svh::fakes {

using Resource = mesos::v1::Resource;

// Identity per SV-MODEL-3: name, type, allocation_info, reservation stack,
// disk source and persistence id (not volume, not persistence principal),
// revocable, provider id and whether shared is present. Values not compared.
bool sameIdentity(const Resource& left, const Resource& right);
// Identity plus equal value (scalar at Mesos's 3-decimal precision).
bool sameResource(const Resource& left, const Resource& right);

bool isShared(const Resource& resource);
bool isPersistentVolume(const Resource& resource);
bool isReserved(const Resource& resource);
bool isDynamicallyReserved(const Resource& resource);
// The role of the innermost (last) reservation, or "*" when unreserved.
std::string reservationRole(const Resource& resource);
// True if `role` equals `ancestor` or is below it ("eng/backend" under "eng").
bool isRoleOrSubroleOf(const std::string& role, const std::string& ancestor);

// Mesos fixed-point scalars: three decimal places.
double roundScalar(double value);

// Mesos's equality of these parts of a resource: labels compare as an
// unordered list, an unset string equals an empty one where Mesos says so.
bool sameLabels(const mesos::v1::Labels& left, const mesos::v1::Labels& right);
bool sameReservation(const Resource::ReservationInfo& left, const Resource::ReservationInfo& right);
bool sameDiskSource(const Resource::DiskInfo::Source& left,
                    const Resource::DiskInfo::Source& right);

// Mesos's text of labels, "{key: value, key2}".
std::string toString(const mesos::v1::Labels& labels);
// Mesos's text of a disk source, e.g. "MOUNT:/mnt/a", "PATH", "RAW(vendor,id,profile)".
std::string toString(const Resource::DiskInfo::Source& source);

class Resources {
 public:
  struct Entry {
    Resource resource;
    int count = 1;  // copies; above 1 only for shared resources (SV-ARITH-1)
  };

  // Like Mesos, adding (or subtracting) a single Resource ignores it when it
  // is invalid per validateResource() or empty (zero scalar, no ranges, no
  // items). Combining two Resources never re-checks.
  Resources() = default;
  Resources(const Resource& resource);  // NOLINT: implicit like Mesos
  Resources(const google::protobuf::RepeatedPtrField<Resource>& resources);  // NOLINT
  Resources(const std::vector<Resource>& resources);                         // NOLINT

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  // By value on a temporary, so `for (auto& e : r.shared().entries())` is safe.
  const std::vector<Entry>& entries() const& { return entries_; }
  std::vector<Entry> entries() && { return std::move(entries_); }

  Resources& operator+=(const Resources& other);
  Resources& operator-=(const Resources& other);
  Resources operator+(const Resources& other) const;
  Resources operator-(const Resources& other) const;
  Resources& add(const Resource& resource, int count = 1);
  Resources& subtract(const Resource& resource, int count = 1);

  // Copies count (SV-ARITH-5): every resource of `other` fits, shared ones
  // with at least as many copies.
  bool contains(const Resources& other) const;
  bool contains(const Resource& resource) const;
  // Copies of `resource` held: shared count, or 1/0 for others (SV-ARITH-1).
  int count(const Resource& resource) const;
  // Mesos Resources::contains(ResourceQuantities): for each name, the scalar
  // sum, set size or number of range elements reaches the quantity; each
  // distinct shared resource counts once (SV-ARITH-6).
  bool containsQuantities(const std::vector<std::pair<std::string, double>>& quantities) const;

  Resources filter(const std::function<bool(const Resource&)>& keep) const;
  Resources shared() const;
  Resources nonShared() const;
  Resources persistentVolumes() const;
  Resources reserved() const;
  Resources unreserved() const;
  Resources revocable() const;
  // Unreserved resources plus reservations to `role` or an ancestor of it.
  Resources allocatableTo(const std::string& role) const;

  // Sets allocation_info.role on every resource / removes it.
  Resources allocate(const std::string& role) const;
  Resources unallocate() const;

  // Sum of the named scalar, each distinct shared resource once (SV-ARITH-6).
  double scalar(const std::string& name) const;
  std::optional<double> cpus() const;
  std::optional<double> mem() const;
  std::optional<double> disk() const;

  // One protobuf entry per distinct resource; counts are not carried on the
  // wire (SV-ARITH-8).
  std::vector<Resource> toVector() const;
  google::protobuf::RepeatedPtrField<Resource> toRepeated() const;

  bool operator==(const Resources& other) const;
  bool operator!=(const Resources& other) const { return !(*this == other); }

  // Mesos's debug form, e.g. "cpus:2; disk(reservations: [(STATIC,r)])[id:p]<SHARED>:64<2>"
  // (SV-ARITH-7); "{}" when empty.
  std::string str() const;

 private:
  void addEntry(const Resource& resource, int count);
  void subtractEntry(const Resource& resource, int count);

  std::vector<Entry> entries_;
};

std::ostream& operator<<(std::ostream& out, const Resources& resources);
std::string toString(const Resource& resource);

}  // namespace svh::fakes
