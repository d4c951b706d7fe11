#include "fakes/common/resources.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "fakes/common/resource_validation.hpp"

namespace svh::fakes {

using mesos::v1::Value;

namespace {

long long toFixed(double value) {
  return std::llround(value * 1000.0);
}

// Integer part and thousandths separately, as Mesos does, so that values
// print and compare bit-for-bit like Mesos's.
double fromFixed(long long fixed) {
  return static_cast<double>(fixed / 1000) + static_cast<double>(fixed % 1000) / 1000.0;
}

using Intervals = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

Intervals intervals(const Value::Ranges& ranges) {
  Intervals out;
  for (const auto& range : ranges.range()) out.emplace_back(range.begin(), range.end());
  std::sort(out.begin(), out.end());
  Intervals merged;
  for (const auto& [begin, end] : out) {
    if (!merged.empty() && begin <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, end);
    } else {
      merged.emplace_back(begin, end);
    }
  }
  return merged;
}

Value::Ranges toRanges(const Intervals& list) {
  Value::Ranges ranges;
  for (const auto& [begin, end] : list) {
    auto* range = ranges.add_range();
    range->set_begin(begin);
    range->set_end(end);
  }
  return ranges;
}

Intervals minus(const Intervals& left, const Intervals& right) {
  Intervals out = left;
  for (const auto& [rb, re] : right) {
    Intervals next;
    for (const auto& [lb, le] : out) {
      if (re < lb || rb > le) {
        next.emplace_back(lb, le);
        continue;
      }
      if (rb > lb) next.emplace_back(lb, rb - 1);
      if (re < le) next.emplace_back(re + 1, le);
    }
    out = std::move(next);
  }
  return out;
}

bool subset(const Intervals& inner, const Intervals& outer) {
  return minus(inner, outer).empty();
}

std::set<std::string> items(const Value::Set& set) {
  return {set.item().begin(), set.item().end()};
}

template <typename Message>
bool sameOptional(bool left_has, const Message& left, bool right_has, const Message& right,
                  bool (*same)(const Message&, const Message&)) {
  return left_has == right_has && (!left_has || same(left, right));
}

bool sameRoot(const std::string& left, bool left_has, const std::string& right, bool right_has) {
  return left_has == right_has && (!left_has || left == right);
}

bool sameDisk(const Resource::DiskInfo& left, const Resource::DiskInfo& right) {
  if (!sameOptional(left.has_source(), left.source(), right.has_source(), right.source(),
                    &sameDiskSource)) {
    return false;
  }
  if (left.has_persistence() != right.has_persistence()) return false;
  return !left.has_persistence() || left.persistence().id() == right.persistence().id();
}

bool sameValue(const Resource& left, const Resource& right) {
  switch (left.type()) {
    case Value::SCALAR:
      return toFixed(left.scalar().value()) == toFixed(right.scalar().value());
    case Value::RANGES:
      return intervals(left.ranges()) == intervals(right.ranges());
    case Value::SET:
      return items(left.set()) == items(right.set());
    default:
      return false;
  }
}

bool isEmptyValue(const Resource& resource) {
  switch (resource.type()) {
    case Value::SCALAR:
      return toFixed(resource.scalar().value()) == 0;
    case Value::RANGES:
      return resource.ranges().range_size() == 0;
    case Value::SET:
      return resource.set().item_size() == 0;
    default:
      return true;
  }
}

std::optional<Resource::DiskInfo::Source::Type> sourceType(const Resource& resource) {
  if (!resource.has_disk() || !resource.disk().has_source()) return std::nullopt;
  return resource.disk().source().type();
}

// Whether two non-shared resources of the same identity combine into one
// entry: exclusive disks (MOUNT, BLOCK, RAW with an id) and persistent
// volumes never do.
bool mergeable(const Resource& left, const Resource& right) {
  if (isShared(left) != isShared(right)) return false;
  if (isShared(left)) return sameResource(left, right);
  if (!sameIdentity(left, right)) return false;
  if (auto type = sourceType(left)) {
    using Source = Resource::DiskInfo::Source;
    if (*type == Source::MOUNT || *type == Source::BLOCK) return false;
    if (*type == Source::RAW && left.disk().source().has_id()) return false;
  }
  return !isPersistentVolume(left);
}

// Whether `right` can be taken out of `left` leaving one valid resource:
// exclusive disks and volumes only as a whole.
bool separable(const Resource& left, const Resource& right) {
  if (isShared(left) != isShared(right)) return false;
  if (isShared(left)) return sameResource(left, right);
  if (!sameIdentity(left, right)) return false;
  if (auto type = sourceType(left)) {
    using Source = Resource::DiskInfo::Source;
    bool exclusive = *type == Source::MOUNT || *type == Source::BLOCK ||
                     (*type == Source::RAW && left.disk().source().has_id());
    if (exclusive && !sameValue(left, right)) return false;
  }
  return !(isPersistentVolume(left) && !sameValue(left, right));
}

void addValue(Resource* into, const Resource& from) {
  switch (into->type()) {
    case Value::SCALAR:
      into->mutable_scalar()->set_value(
          fromFixed(toFixed(into->scalar().value()) + toFixed(from.scalar().value())));
      break;
    case Value::RANGES: {
      auto merged = intervals(into->ranges());
      auto more = intervals(from.ranges());
      merged.insert(merged.end(), more.begin(), more.end());
      *into->mutable_ranges() = toRanges(intervals(toRanges(merged)));
      break;
    }
    case Value::SET: {
      auto values = items(into->set());
      for (const auto& item : from.set().item()) {
        if (values.insert(item).second) into->mutable_set()->add_item(item);
      }
      break;
    }
    default:
      break;
  }
}

// Returns false if the result is negative (the entry must go).
bool subtractValue(Resource* from, const Resource& what) {
  switch (from->type()) {
    case Value::SCALAR: {
      auto value = toFixed(from->scalar().value()) - toFixed(what.scalar().value());
      from->mutable_scalar()->set_value(fromFixed(value));
      return value >= 0;
    }
    case Value::RANGES:
      *from->mutable_ranges() =
          toRanges(minus(intervals(from->ranges()), intervals(what.ranges())));
      return true;
    case Value::SET: {
      auto removed = items(what.set());
      Value::Set kept;
      for (const auto& item : from->set().item()) {
        if (removed.count(item) == 0) kept.add_item(item);
      }
      *from->mutable_set() = std::move(kept);
      return true;
    }
    default:
      return true;
  }
}

bool valueContains(const Resource& outer, const Resource& inner) {
  switch (outer.type()) {
    case Value::SCALAR:
      return toFixed(inner.scalar().value()) <= toFixed(outer.scalar().value());
    case Value::RANGES:
      return subset(intervals(inner.ranges()), intervals(outer.ranges()));
    case Value::SET: {
      auto values = items(outer.set());
      return std::all_of(inner.set().item().begin(), inner.set().item().end(),
                         [&](const std::string& item) { return values.count(item) > 0; });
    }
    default:
      return false;
  }
}

std::string formatScalar(double value) {
  std::ostringstream out;
  out.precision(std::numeric_limits<double>::digits10);
  out << roundScalar(value);
  return out.str();
}

}  // namespace

std::string toString(const mesos::v1::Labels& labels) {
  std::string out = "{";
  for (int i = 0; i < labels.labels_size(); ++i) {
    if (i > 0) out += ", ";
    out += labels.labels(i).key();
    if (labels.labels(i).has_value()) out += ": " + labels.labels(i).value();
  }
  return out + "}";
}

std::string toString(const Resource::DiskInfo::Source& source) {
  using Source = Resource::DiskInfo::Source;
  std::string csi;
  if (source.has_id() || source.has_profile()) {
    csi = "(" + source.vendor() + "," + source.id() + "," + source.profile() + ")";
  }
  switch (source.type()) {
    case Source::MOUNT:
      return "MOUNT" + (!csi.empty() ? csi
                                     : (source.mount().has_root() ? ":" + source.mount().root()
                                                                  : std::string()));
    case Source::PATH:
      return "PATH" + (!csi.empty() ? csi
                                    : (source.path().has_root() ? ":" + source.path().root()
                                                                : std::string()));
    case Source::BLOCK:
      return "BLOCK" + csi;
    case Source::RAW:
      return "RAW" + csi;
    default:
      return "UNKNOWN";
  }
}

bool isShared(const Resource& resource) {
  return resource.has_shared();
}

bool isPersistentVolume(const Resource& resource) {
  return resource.has_disk() && resource.disk().has_persistence();
}

bool isReserved(const Resource& resource) {
  return resource.reservations_size() > 0;
}

bool isDynamicallyReserved(const Resource& resource) {
  return isReserved(resource) &&
         resource.reservations().rbegin()->type() == Resource::ReservationInfo::DYNAMIC;
}

std::string reservationRole(const Resource& resource) {
  return isReserved(resource) ? resource.reservations().rbegin()->role() : "*";
}

bool isRoleOrSubroleOf(const std::string& role, const std::string& ancestor) {
  if (role == ancestor) return true;
  return role.size() > ancestor.size() && role.compare(0, ancestor.size(), ancestor) == 0 &&
         role[ancestor.size()] == '/';
}

double roundScalar(double value) {
  return fromFixed(toFixed(value));
}

bool sameLabels(const mesos::v1::Labels& left, const mesos::v1::Labels& right) {
  if (left.labels_size() != right.labels_size()) return false;
  for (const auto& wanted : left.labels()) {
    bool found = std::any_of(
        right.labels().begin(), right.labels().end(), [&](const mesos::v1::Label& label) {
          return label.key() == wanted.key() && label.value() == wanted.value();
        });
    if (!found) return false;
  }
  return true;
}

bool sameReservation(const Resource::ReservationInfo& left,
                     const Resource::ReservationInfo& right) {
  return left.type() == right.type() && left.role() == right.role() &&
         sameRoot(left.principal(), left.has_principal(), right.principal(),
                  right.has_principal()) &&
         sameOptional(left.has_labels(), left.labels(), right.has_labels(), right.labels(),
                      &sameLabels);
}

bool sameDiskSource(const Resource::DiskInfo::Source& left,
                    const Resource::DiskInfo::Source& right) {
  return left.type() == right.type() && left.has_path() == right.has_path() &&
         (!left.has_path() || sameRoot(left.path().root(), left.path().has_root(),
                                       right.path().root(), right.path().has_root())) &&
         left.has_mount() == right.has_mount() &&
         (!left.has_mount() || sameRoot(left.mount().root(), left.mount().has_root(),
                                        right.mount().root(), right.mount().has_root())) &&
         sameRoot(left.vendor(), left.has_vendor(), right.vendor(), right.has_vendor()) &&
         sameRoot(left.id(), left.has_id(), right.id(), right.has_id()) &&
         sameOptional(left.has_metadata(), left.metadata(), right.has_metadata(), right.metadata(),
                      &sameLabels) &&
         sameRoot(left.profile(), left.has_profile(), right.profile(), right.has_profile());
}

bool sameIdentity(const Resource& left, const Resource& right) {
  if (left.name() != right.name() || left.type() != right.type()) return false;
  if (left.has_allocation_info() != right.has_allocation_info()) return false;
  if (left.has_allocation_info() &&
      !sameRoot(left.allocation_info().role(), left.allocation_info().has_role(),
                right.allocation_info().role(), right.allocation_info().has_role())) {
    return false;
  }
  if (left.reservations_size() != right.reservations_size()) return false;
  for (int i = 0; i < left.reservations_size(); ++i) {
    if (!sameReservation(left.reservations(i), right.reservations(i))) return false;
  }
  if (left.has_disk() != right.has_disk()) return false;
  if (left.has_disk() && !sameDisk(left.disk(), right.disk())) return false;
  if (left.has_revocable() != right.has_revocable()) return false;
  if (left.has_provider_id() != right.has_provider_id()) return false;
  if (left.has_provider_id() && left.provider_id().value() != right.provider_id().value()) {
    return false;
  }
  return left.has_shared() == right.has_shared();
}

bool sameResource(const Resource& left, const Resource& right) {
  return sameIdentity(left, right) && sameValue(left, right);
}

Resources::Resources(const Resource& resource) {
  add(resource);
}

Resources::Resources(const google::protobuf::RepeatedPtrField<Resource>& resources) {
  for (const auto& resource : resources) add(resource);
}

Resources::Resources(const std::vector<Resource>& resources) {
  for (const auto& resource : resources) add(resource);
}

Resources& Resources::add(const Resource& resource, int count) {
  if (validateResource(resource)) return *this;
  addEntry(resource, count);
  return *this;
}

Resources& Resources::subtract(const Resource& resource, int count) {
  if (validateResource(resource)) return *this;
  subtractEntry(resource, count);
  return *this;
}

void Resources::addEntry(const Resource& resource, int count) {
  if (count <= 0 || isEmptyValue(resource)) return;
  for (auto& entry : entries_) {
    if (mergeable(entry.resource, resource)) {
      if (isShared(resource)) {
        entry.count += count;
      } else {
        addValue(&entry.resource, resource);
      }
      return;
    }
  }
  entries_.push_back({resource, isShared(resource) ? count : 1});
}

void Resources::subtractEntry(const Resource& resource, int count) {
  if (count <= 0 || isEmptyValue(resource)) return;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& entry = entries_[i];
    if (!separable(entry.resource, resource)) continue;
    bool keep;
    if (isShared(resource)) {
      entry.count -= count;
      keep = entry.count > 0;
    } else {
      keep = subtractValue(&entry.resource, resource) && !isEmptyValue(entry.resource);
    }
    if (!keep) {
      // Like Mesos: the last entry takes the freed place, which is what the
      // order of resources in its messages reflects.
      entries_[i] = entries_.back();
      entries_.pop_back();
    }
    break;
  }
}

Resources& Resources::operator+=(const Resources& other) {
  for (const auto& entry : other.entries_) addEntry(entry.resource, entry.count);
  return *this;
}

Resources& Resources::operator-=(const Resources& other) {
  for (const auto& entry : other.entries_) subtractEntry(entry.resource, entry.count);
  return *this;
}

Resources Resources::operator+(const Resources& other) const {
  Resources sum = *this;
  sum += other;
  return sum;
}

Resources Resources::operator-(const Resources& other) const {
  Resources difference = *this;
  difference -= other;
  return difference;
}

bool Resources::contains(const Resource& resource) const {
  // An invalid resource is never contained (Mesos validates here because
  // e.g. "cpus:-1" would otherwise look contained).
  if (validateResource(resource)) return false;
  Resources single;
  single.addEntry(resource, 1);
  return contains(single);
}

bool Resources::contains(const Resources& other) const {
  Resources remaining = *this;
  for (const auto& wanted : other.entries_) {
    bool found = false;
    for (const auto& have : remaining.entries_) {
      if (!separable(have.resource, wanted.resource)) continue;
      if (isShared(wanted.resource) ? have.count >= wanted.count
                                    : valueContains(have.resource, wanted.resource)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
    // A volume satisfies one request only.
    if (isPersistentVolume(wanted.resource)) {
      remaining.subtractEntry(wanted.resource, wanted.count);
    }
  }
  return true;
}

bool Resources::containsQuantities(
    const std::vector<std::pair<std::string, double>>& quantities) const {
  for (const auto& [name, quantity] : quantities) {
    double remaining = quantity;
    for (const auto& entry : entries_) {
      if (remaining <= 0) break;
      const Resource& resource = entry.resource;
      if (resource.name() != name) continue;
      switch (resource.type()) {
        case Value::SCALAR:
          remaining -= resource.scalar().value();
          break;
        case Value::SET:
          remaining -= resource.set().item_size();
          break;
        case Value::RANGES:
          for (const auto& range : resource.ranges().range()) {
            remaining -= static_cast<double>(range.end() - range.begin() + 1);
            if (remaining <= 0) break;
          }
          break;
        default:
          break;
      }
    }
    if (remaining > 0) return false;
  }
  return true;
}

int Resources::count(const Resource& resource) const {
  for (const auto& entry : entries_) {
    if (sameResource(entry.resource, resource)) return isShared(resource) ? entry.count : 1;
  }
  return 0;
}

Resources Resources::filter(const std::function<bool(const Resource&)>& keep) const {
  Resources out;
  for (const auto& entry : entries_) {
    if (keep(entry.resource)) out.entries_.push_back(entry);
  }
  return out;
}

Resources Resources::shared() const {
  return filter(isShared);
}

Resources Resources::nonShared() const {
  return filter([](const Resource& r) { return !isShared(r); });
}

Resources Resources::persistentVolumes() const {
  return filter(isPersistentVolume);
}

Resources Resources::reserved() const {
  return filter(isReserved);
}

Resources Resources::unreserved() const {
  return filter([](const Resource& r) { return !isReserved(r); });
}

Resources Resources::revocable() const {
  return filter([](const Resource& r) { return r.has_revocable(); });
}

Resources Resources::allocatableTo(const std::string& role) const {
  return filter([&](const Resource& r) {
    return !isReserved(r) || isRoleOrSubroleOf(role, reservationRole(r));
  });
}

Resources Resources::allocate(const std::string& role) const {
  Resources out;
  for (auto entry : entries_) {
    entry.resource.mutable_allocation_info()->set_role(role);
    out.addEntry(entry.resource, entry.count);
  }
  return out;
}

Resources Resources::unallocate() const {
  Resources out;
  for (auto entry : entries_) {
    entry.resource.clear_allocation_info();
    out.addEntry(entry.resource, entry.count);
  }
  return out;
}

double Resources::scalar(const std::string& name) const {
  long long total = 0;
  for (const auto& entry : entries_) {
    if (entry.resource.name() == name && entry.resource.type() == Value::SCALAR) {
      total += toFixed(entry.resource.scalar().value());
    }
  }
  return fromFixed(total);
}

namespace {
std::optional<double> present(const Resources& resources, const std::string& name) {
  for (const auto& entry : resources.entries()) {
    if (entry.resource.name() == name) return resources.scalar(name);
  }
  return std::nullopt;
}
}  // namespace

std::optional<double> Resources::cpus() const {
  return present(*this, "cpus");
}
std::optional<double> Resources::mem() const {
  return present(*this, "mem");
}
std::optional<double> Resources::disk() const {
  return present(*this, "disk");
}

std::vector<Resource> Resources::toVector() const {
  std::vector<Resource> out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) out.push_back(entry.resource);
  return out;
}

google::protobuf::RepeatedPtrField<Resource> Resources::toRepeated() const {
  google::protobuf::RepeatedPtrField<Resource> out;
  for (const auto& entry : entries_) *out.Add() = entry.resource;
  return out;
}

bool Resources::operator==(const Resources& other) const {
  return contains(other) && other.contains(*this);
}

std::string toString(const Resource& resource) {
  std::ostringstream out;
  out << resource.name();
  if (resource.has_allocation_info()) {
    out << "(allocated: " << resource.allocation_info().role() << ")";
  }
  if (resource.reservations_size() > 0) {
    out << "(reservations: [";
    for (int i = 0; i < resource.reservations_size(); ++i) {
      const auto& reservation = resource.reservations(i);
      if (i > 0) out << ",";
      out << "(" << Resource::ReservationInfo::Type_Name(reservation.type()) << ","
          << reservation.role();
      if (reservation.has_principal()) out << "," << reservation.principal();
      if (reservation.has_labels()) out << "," << toString(reservation.labels());
      out << ")";
    }
    out << "])";
  }
  if (resource.has_disk()) {
    const auto& disk = resource.disk();
    out << "[";
    if (disk.has_source()) out << toString(disk.source());
    if (disk.has_persistence()) {
      if (disk.has_source()) out << ",";
      out << disk.persistence().id();
    }
    if (disk.has_volume()) {
      std::string volume = disk.volume().container_path();
      if (disk.volume().has_host_path()) {
        volume = disk.volume().host_path() + ":" + volume;
        if (disk.volume().has_mode()) {
          volume += disk.volume().mode() == mesos::v1::Volume::RO ? ":ro" : ":rw";
        }
      }
      out << ":" << volume;
    }
    out << "]";
  }
  if (resource.has_revocable()) out << "{REV}";
  if (resource.has_shared()) out << "<SHARED>";
  out << ":";
  switch (resource.type()) {
    case Value::SCALAR:
      out << formatScalar(resource.scalar().value());
      break;
    case Value::RANGES: {
      out << "[";
      for (int i = 0; i < resource.ranges().range_size(); ++i) {
        if (i > 0) out << ", ";
        out << resource.ranges().range(i).begin() << "-" << resource.ranges().range(i).end();
      }
      out << "]";
      break;
    }
    case Value::SET: {
      out << "{";
      for (int i = 0; i < resource.set().item_size(); ++i) {
        if (i > 0) out << ", ";
        out << resource.set().item(i);
      }
      out << "}";
      break;
    }
    default:
      break;
  }
  return out.str();
}

std::string Resources::str() const {
  if (entries_.empty()) return "{}";
  std::string out;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (i > 0) out += "; ";
    out += toString(entries_[i].resource);
    if (isShared(entries_[i].resource)) out += "<" + std::to_string(entries_[i].count) + ">";
  }
  return out;
}

std::ostream& operator<<(std::ostream& out, const Resources& resources) {
  return out << resources.str();
}

}  // namespace svh::fakes
