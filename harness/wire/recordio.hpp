#pragma once

// RecordIO framing of the scheduler event stream (PROTOCOL.md section 1.3):
// each record is "<decimal length>\n<length bytes>", with no trailing newline
// and never a zero length. HTTP chunk boundaries carry no meaning, so the
// decoder takes bytes in arbitrary pieces.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace svh::wire {

// Records larger than this are treated as a corrupt stream (Mesos caps a
// protobuf message at 64 MiB as well).
inline constexpr size_t kMaxRecordSize = 64u * 1024 * 1024;

// "<data.size()>\n<data>". Mesos never sends an empty record, and the
// decoder rejects one.
std::string encodeRecord(std::string_view data);

// Incremental decoder:
//
//   decoder.feed(chunk);
//   while (auto record = decoder.next()) handle(*record);
//   if (decoder.failed()) closeStream(decoder.error());
//
// A malformed stream (a non-digit in the length, a zero or oversized
// length) makes the decoder fail for good; it never throws.
class RecordIODecoder {
 public:
  explicit RecordIODecoder(size_t maxRecordSize = kMaxRecordSize) : maxRecordSize_(maxRecordSize) {}

  // Appends bytes; ignored once failed.
  void feed(std::string_view bytes);

  // The next complete record, or nullopt if more bytes are needed or the
  // stream is malformed (see failed()).
  std::optional<std::string> next();

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  // Bytes received but not yet returned as records.
  size_t buffered() const { return buffer_.size() - offset_; }

 private:
  // Reads the length header at offset_ if complete. False when more bytes
  // are needed or the header is malformed (then error_ is set).
  bool readHeader();
  void fail(std::string why);

  size_t maxRecordSize_;
  std::string buffer_;
  size_t offset_ = 0;                 // start of unconsumed bytes
  std::optional<size_t> recordSize_;  // header read, payload pending
  std::string error_;
};

}  // namespace svh::wire
