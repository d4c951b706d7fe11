#pragma once
// The googletest properties through which a running check hands the report
// what it saw (suites/check.hpp writes them, RunRecorder and the progress
// lines read them; junit.xml shows them as they are):
//
//   "outcome <clause>"       which of several allowed outcomes it saw (SPEC 0)
//   "asserted"               the clause ids it asserted in this run, space separated
//   "skipped part <clause>"  why it skipped (part of) that clause
//   "not asserted"           the ids it names but neither asserted nor skipped
//   "not run"                why it never ran: the run had stopped (a process of
//                            the run died), with what stopped it

namespace svh::reports {

inline constexpr const char* kOutcomePrefix = "outcome ";
inline constexpr const char* kAssertedKey = "asserted";
inline constexpr const char* kSkippedPartPrefix = "skipped part ";
inline constexpr const char* kNotAssertedKey = "not asserted";
inline constexpr const char* kNotRunKey = "not run";

}  // namespace svh::reports
