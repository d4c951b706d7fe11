#pragma once
// The resources inside an Offer.Operation, and giving them the offers'
// allocation role as the Mesos master does before it validates anything.

#include <string>
#include <vector>

#include "harness/util/result.hpp"
#include "mesos/v1/mesos.pb.h"

namespace svh::master {

using ResourceList = google::protobuf::RepeatedPtrField<mesos::v1::Resource>;

std::vector<ResourceList*> resourceLists(mesos::v1::Offer::Operation* operation);

// The tasks a LAUNCH or LAUNCH_GROUP launches (none for other operations).
const google::protobuf::RepeatedPtrField<mesos::v1::TaskInfo>& tasksOf(
    const mesos::v1::Offer::Operation& operation);
bool isLaunch(const mesos::v1::Offer::Operation& operation);
void addAllocationInfo(mesos::v1::Offer::Operation* operation, const std::string& role);

}  // namespace svh::master
